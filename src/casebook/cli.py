"""``casebook-admin``: headless commands for IT staff and scripts.

Every failure is one plain line on stderr and a non-zero exit code; no tracebacks for user
errors. Passphrases come from a prompt, ``--passphrase-file`` or ``CASEBOOK_PASSPHRASE``.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from casebook import __version__
from casebook.domain import CaseType, Jurisdiction
from casebook.errors import CasebookError, ValidationError
from casebook.paths import CasebookPaths, default_data_dir

PASSPHRASE_ENV = "CASEBOOK_PASSPHRASE"
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_VERIFY_FAILED = 0, 1, 2, 3


if TYPE_CHECKING:
    from casebook.storage.verify import Progress


class CliError(Exception):
    """A one-line message for the operator."""


def _read_passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    if args.passphrase_file:
        try:
            text = Path(args.passphrase_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot read the passphrase file: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CliError("the passphrase file is not UTF-8 text; save it as UTF-8 (or plain "
                           "text) and try again") from None
        return text.rstrip("\r\n")
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    if not sys.stdin.isatty():
        raise CliError(
            f"no passphrase given: use --passphrase-file FILE or set {PASSPHRASE_ENV}"
        )
    first = getpass.getpass("Passphrase: ")
    if confirm and getpass.getpass("Type it again: ") != first:
        raise CliError("the two passphrases were different; nothing was created")
    return first


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from casebook.services import Casebook

    wait = getattr(args, "wait", 0) or 0
    if wait < 0:
        raise CliError("--wait needs a number of seconds, 0 or more")

    def waiting(who: str) -> None:
        print(f"casebook-admin: {who}; waiting up to {wait:g} seconds",
              file=sys.stderr, flush=True)

    return Casebook.open_with_passphrase(args.data_dir, _read_passphrase(args), wait=wait,
                                         on_wait=waiting)


def _open_to_read(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """For commands that only read: nothing is written to the casebook, not even the log."""
    from casebook.services import Casebook

    return Casebook.open_read_only(args.data_dir, _read_passphrase(args))


def _print_table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    for line in (headers, *rows):
        print("  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=False)).rstrip())


# ----- commands --------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    from casebook.services import Casebook

    passphrase = _read_passphrase(args, confirm=True)
    _check_recovery_key_out(args)
    book, recovery = Casebook.create(args.data_dir, school=args.school,
                                     jurisdiction=args.jurisdiction, user_name=args.user,
                                     passphrase=passphrase)
    book.lock()
    print(f"Casebook created in {CasebookPaths.at(args.data_dir).root}.")
    _hand_over_recovery_key(args, recovery)
    return EXIT_OK


def _check_recovery_key_out(args: argparse.Namespace) -> None:
    if args.recovery_key_out and Path(args.recovery_key_out).exists():
        raise CliError(f"{args.recovery_key_out} already exists; choose a new file")


def _hand_over_recovery_key(args: argparse.Namespace, recovery: str) -> None:
    if args.recovery_key_out:
        out = Path(args.recovery_key_out)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(recovery + "\n")
        print(f"Recovery key written to {out}: print it, keep it in the school safe, "
              "then delete the file.")
    else:
        print("Recovery key (shown once; print it and keep it in the school safe):")
        print(f"  {recovery}")


def cmd_case_add(args: argparse.Namespace) -> int:
    with _open(args) as book:
        case = book.cases.create(args.title, args.type, summary=args.summary or "")
        print(case.reference)
    return EXIT_OK


def cmd_case_list(args: argparse.Namespace) -> int:
    from casebook.services import CaseFilter

    with _open_to_read(args) as book:
        flt = CaseFilter(text=args.search or "")
        rows = book.cases.list_page(flt, limit=args.limit)
        total = book.cases.count(flt)
    _print_table([(r.reference, r.opened_at.strftime("%Y-%m-%d"), r.status.value,
                   r.risk.value, r.case_type.value, r.title[:60]) for r in rows],
                 ("REFERENCE", "OPENED", "STATUS", "RISK", "TYPE", "TITLE"))
    print(f"{len(rows)} of {total} case(s)")
    return EXIT_OK


def cmd_case_show(args: argparse.Namespace) -> int:
    with _open_to_read(args) as book:
        case = book.cases.get_by_reference(args.reference)
        chronology = book.cases.chronology(case.id)
        evidence = book.evidence.items(case.id)
        actions = book.cases.actions(case.id)
    print(f"{case.reference}  {case.title}")
    print(f"Type: {case.case_type.value}   Status: {case.status.value}   Risk: {case.risk.value}")
    print(f"Opened: {case.opened_at:%Y-%m-%d %H:%M} by {case.created_by}")
    if case.closed_at:
        print(f"Closed: {case.closed_at:%Y-%m-%d %H:%M} ({case.closed_reason})")
    if case.summary:
        print(f"\n{case.summary}")
    print("\nResponse steps:")
    for step in case.steps:
        done = f" ({step.completed_at:%Y-%m-%d} by {step.completed_by})" if step.completed_at else ""
        print(f"  {step.key.value:<16} {step.status.value}{done}")
    print(f"\nChronology ({len(chronology)}):")
    for entry in chronology:
        mark = " [amended]" if entry.is_amended else (" [amendment]" if entry.amends_id else "")
        print(f"  {entry.occurred_at:%Y-%m-%d %H:%M}  {entry.author}: {entry.text}{mark}")
    print(f"\nEvidence ({len(evidence)}):")
    for item in evidence:
        what = item.filename or item.url or "note"
        print(f"  #{item.id} {what}  {item.size or '-'} bytes  sha256 {item.sha256 or '-'}")
    print(f"\nActions ({len(actions)}):")
    for action in actions:
        state = "done" if action.done_at else f"due {action.due_date or '-'}"
        print(f"  {action.description} ({action.owner}, {state})")
    return EXIT_OK


def cmd_evidence_add(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"there is no file at {path}")
    confirmed = args.confirm_no_indecent_images
    if not confirmed and sys.stdin.isatty():
        answer = input("Does this file contain, or might it contain, a nude or sexual image of "
                       "anyone under 18? [yes/no]: ").strip().lower()
        if answer in ("no", "n"):
            confirmed = True
        else:
            raise CliError("nothing was stored. Never keep such images: record a description and "
                           "the web address instead, and report it to the police")
    if not confirmed:
        raise CliError("nothing was stored: add --confirm-no-indecent-images to confirm the file "
                       "holds no nude or sexual image of anyone under 18")
    with _open(args) as book:
        case = book.cases.get_by_reference(args.reference)
        item = book.evidence.add_file(case.id, path, source=args.source or "",
                                      safety_confirmed=True)
    print(f"Added evidence #{item.id} to {case.reference}: {item.size} bytes, sha256 {item.sha256}")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from casebook.services import integrity

    with _open(args) as book:
        path = book.backup(Path(args.target))
    print(f"Backup written to {path}")
    anchor = integrity.readable_anchor(path)
    if anchor is not None:
        print(f"Audit anchor of this backup: {anchor.text()}")
        print("Keep this line with your backup record: `verify --anchor` checks it later.")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from casebook.services import restore_casebook

    restored = restore_casebook(args.data_dir, Path(args.source), _read_passphrase(args))
    print(f"Casebook restored from {args.source}. The replaced file was kept as "
          f"{restored.kept}.")
    if restored.purge_note():
        print(restored.purge_note())
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    """Read-only: opens the file so that it cannot be written, and reports every finding."""
    from casebook.services import integrity
    from casebook.vault import KeyVault

    paths = CasebookPaths.at(args.data_dir)
    printed = []
    for text in args.anchor or []:
        try:
            seq, prefix = integrity.parse_printed(text)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        printed.append((f"the anchor “{text.strip()}”", seq, prefix))
    if not paths.database.is_file():
        raise CliError(f"there is no casebook file in {paths.root}")
    if not paths.slots.is_file():
        raise CliError(f"the key file is missing from {paths.root}")
    _user, key = KeyVault.load(paths.slots).unlock_any_passphrase(_read_passphrase(args))
    progress = _VerifyProgress(sys.stderr)
    try:
        report = integrity.verify_casebook(paths.database, key, paths.backups, printed,
                                           on_progress=progress)
    except CasebookError:
        raise
    except Exception as exc:  # a damaged file must give a report, never a traceback
        print(f"Verify could not finish: {exc or type(exc).__name__}")
        print("Result: PROBLEMS FOUND")
        return EXIT_VERIFY_FAILED
    finally:
        progress.finish()
    _print_verify(report)
    return EXIT_OK if report.ok else EXIT_VERIFY_FAILED


class _VerifyProgress:
    """Shows on stderr which step verify is on (a 2 GB casebook takes about a minute): one
    line rewritten in place on a terminal, one line per step otherwise (logs, pipes)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.step, self.width = 0, 0

    def __call__(self, progress: Progress) -> None:
        if self.live:
            text = progress.text()
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
            self.stream.flush()
        elif progress.step != self.step:
            print(f"Verify: {progress.text()}", file=self.stream, flush=True)
        self.step = progress.step

    def finish(self) -> None:
        if self.live and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def _print_verify(report) -> None:  # type: ignore[no-untyped-def]
    f = report.file
    print(f"Encryption check: {'ok' if not f.cipher_problems else 'PROBLEMS'}")
    for problem in f.cipher_problems[:10]:
        print(f"  {problem}")
    print(f"Database check: {'ok' if not f.sqlite_problems else 'PROBLEMS'} "
          f"({f.rows_read} rows read)")
    for problem in f.sqlite_problems[:10]:
        print(f"  {problem}")
    chain = f.chain
    if chain.ok:
        print(f"Audit log: ok ({chain.entries} entries)")
    else:
        print(f"Audit log: BROKEN at entry {chain.first_broken_seq}: {chain.problem}")
    if not f.log_complete:
        print("Records: not checked (the audit log could not be read to its end)")
    elif f.rows_tracked:
        print(f"Records: {'ok' if f.rows_ok else 'PROBLEMS'} ({f.rows_checked} checked against "
              "their last audited hash)")
    total = f.evidence_checked + len(f.evidence_unreadable)
    if f.evidence_listed:
        print(f"Evidence files: {f.evidence_checked - len(f.evidence_bad)} of {total} match "
              "their recorded SHA-256")
    else:
        print("Evidence files: not checked (the list of evidence could not be read)")
    anchor = report.anchor
    print(f"Anchor: {anchor.text() + f' ({anchor.state}, {anchor.at})' if anchor else 'none'}")
    if report.problems:
        print("Problems:")
        for problem in report.problems:
            print(f"  - {problem}")
    for note in report.notes:
        print(f"Note: {note}")
    print("Result: OK" if report.ok else "Result: PROBLEMS FOUND")


def _redaction(book, case_id: int, template_id: str, redact: list[str]) -> frozenset[int]:  # type: ignore[no-untyped-def]
    """Start from the template's usual choice of named people and take out each --redact
    (a person's id or name, or 'all')."""
    named = set(book.exports.default_named(case_id, template_id))
    people = book.cases.people(case_id)
    for item in redact:
        if item.strip().lower() == "all":
            return frozenset()
        match = [p for p in people
                 if str(p.id) == item.strip() or p.name.casefold() == item.strip().casefold()]
        if not match:
            raise CliError(f"--redact {item}: there is no such person on this case "
                           "(use a person's id or full name, or 'all')")
        named -= {p.id for p in match}
    return frozenset(named)


def _ids(value: str | None, what: str) -> frozenset[int] | None:
    """``--evidence 3,5,8`` -> {3, 5, 8}; "all" -> None (everything); "none" -> nothing."""
    if value is None or value.strip().lower() == "all":
        return None
    if value.strip().lower() == "none":
        return frozenset()
    try:
        return frozenset(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise CliError(f"--{what}: give ids separated by commas (e.g. 3,5,8), 'all' or "
                       "'none'") from None


def cmd_export(args: argparse.Namespace) -> int:
    from datetime import date

    password = None
    if args.pdf_password_file:
        try:
            password = Path(args.pdf_password_file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise CliError(f"cannot read the password file: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CliError("the password file is not UTF-8 text; save it as UTF-8 (or plain "
                           "text) and try again") from None
        if not password:
            raise CliError("the password file is empty")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CliError(f"the folder {out.parent} does not exist")
    with _open(args) as book:
        if args.template == "governors-summary":
            today = book.store.now().date()
            try:
                start = date.fromisoformat(args.start) if args.start else date(today.year, 1, 1)
                end = date.fromisoformat(args.end) if args.end else today
            except ValueError:
                raise CliError("give dates as YYYY-MM-DD, e.g. 2026-09-01") from None
            result = book.exports.export_governors(start, end, args.period or
                                                   f"{start:%d %b %Y} to {end:%d %b %Y}",
                                                   out, password=password,
                                                   commentary=args.commentary or "")
        else:
            if not args.case:
                raise CliError(f"the {args.template} template needs a case reference")
            case = book.cases.get_by_reference(args.case)
            named = _redaction(book, case.id, args.template, args.redact or [])
            prepared = book.exports.prepare_case(
                case.id, args.template, recipient=args.recipient or "", named_person_ids=named,
                evidence_ids=_ids(args.evidence, "evidence"),
                entry_ids=_ids(args.entries, "entries"))
            if prepared.shared_name_labels:
                print("Take care: someone named shares a name (such as a surname) with "
                      + ", ".join(prepared.shared_name_labels) + ".")
            lines = prepared.replacement_lines() or ["No names needed replacing."]
            print("Names replaced by labels:" if prepared.replacements else lines[0])
            for line in lines if prepared.replacements else []:
                print(f"  {line}")
            if args.preview:
                print(f"Preview only: {prepared.pages} page(s); nothing was written.")
                return EXIT_OK
            if prepared.named_person_ids and password is None and not args.no_password:
                raise CliError("this report names people: protect it with --password-file F, "
                               "or add --no-password to save it without one")
            result = book.exports.save_case(case.id, prepared, out, password)
    lock = " (password protected)" if result.encrypted else ""
    print(f"Wrote {result.title} to {result.path}: {result.pages} page(s){lock}")
    return EXIT_OK


def cmd_users(args: argparse.Namespace) -> int:
    with _open_to_read(args) as book:
        users = book.users.list()
    _print_table([(str(u.id), u.role.value, "active" if u.active else "revoked", u.name)
                  for u in users], ("ID", "ROLE", "STATE", "NAME"))
    return EXIT_OK


def cmd_users_revoke(args: argparse.Namespace) -> int:
    _check_recovery_key_out(args)
    with _open(args) as book:
        users = {u.id: u for u in book.users.list()}
        if args.user_id not in users:
            raise CliError(f"there is no account {args.user_id} (see 'casebook-admin users')")
        result = book.users.revoke(args.user_id, replace_recovery_key=args.new_recovery_key)
    print(f"Access removed for account {args.user_id}. The casebook now has a new key: their "
          "passphrase and any copy of the old key file open nothing.")
    if result.recovery_key:
        print("The old recovery key no longer works.")
        _hand_over_recovery_key(args, result.recovery_key)
    print(result.note)
    return EXIT_OK


def cmd_new_recovery_key(args: argparse.Namespace) -> int:
    from casebook.services.casebook import BACKUPS_NOTE

    _check_recovery_key_out(args)
    with _open(args) as book:
        recovery = book.users.reissue_recovery_key()
    print("The casebook now has a new key and a new recovery key; the old recovery key no "
          "longer works.")
    _hand_over_recovery_key(args, recovery)
    print(BACKUPS_NOTE.replace("passphrases", "passphrases and recovery key"))
    return EXIT_OK


def cmd_version(args: argparse.Namespace) -> int:
    import sqlcipher3

    from casebook.storage.migrate import head_revision

    print(f"casebook {__version__}")
    print(f"schema {head_revision()}")
    print(f"SQLCipher (SQLite {sqlcipher3.sqlite_version})")
    return EXIT_OK


# ----- people register, learners' files, retention, transfer (issue 12) -------------------
def cmd_case_link(args: argparse.Namespace) -> int:
    if args.outcome and args.role != "allegation-subject":
        raise CliError("--outcome is only for --role allegation-subject")
    with _open(args) as book:
        case = book.cases.get_by_reference(args.reference)
        person = book.people.find(args.learner)
        link = book.people.link_to_case(case.id, person.id, args.role)
        if args.outcome:
            book.people.set_outcome(link.id, args.outcome)
    print(f"Linked register entry {person.id} to {link.case_reference} as {link.role.value}.")
    return EXIT_OK


def _read_password_file(name: str) -> str:
    try:
        password = Path(name).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise CliError(f"cannot read the password file: {exc.strerror}") from None
    if not password:
        raise CliError("the password file is empty")
    return password


def cmd_learners_left(args: argparse.Namespace) -> int:
    from datetime import date

    try:
        left_on = date.fromisoformat(args.on) if args.on else None
    except ValueError:
        raise CliError("give the date as YYYY-MM-DD, e.g. 2026-07-20") from None
    with _open(args) as book:
        person = book.people.mark_left(book.people.find(args.learner).id, left_on)
    print(f"Register entry {person.id} marked as left on {person.left_on:%d/%m/%Y}.")
    return EXIT_OK


def cmd_learners_family(args: argparse.Namespace) -> int:
    with _open(args) as book:
        person = book.people.find(args.person)
        related = book.people.find(args.related)
        book.people.link_family(person.id, related.id, args.relation)
    print(f"Linked register entry {person.id} as {args.relation} of register entry "
          f"{related.id}.")
    return EXIT_OK


def cmd_learner_family(args: argparse.Namespace) -> int:
    """List a person's family links; --add links another register entry, --remove takes a
    link added by mistake away (with --reason, kept with who and when)."""
    if args.add and args.remove:
        raise CliError("use --add or --remove, not both")
    if args.add and not args.relation:
        raise CliError("say how they are related: --as sibling, parent-or-carer or child")
    if args.remove is not None and not (args.reason or "").strip():
        raise CliError("say why the link is being removed: --reason \"...\"")
    with _open(args) as book:
        person = book.people.find(args.learner)
        if args.add:
            other = book.people.find(args.add)
            if args.relation == "child":  # the LEARNER is OTHER's parent or carer
                book.people.link_family(person.id, other.id, "parent-or-carer")
            else:
                book.people.link_family(other.id, person.id, args.relation)
            print(f"Linked register entry {other.id} ({args.relation}) to register entry "
                  f"{person.id}.")
        if args.remove is not None:
            if args.remove not in {m.link_id for m in book.people.family_members(person.id)}:
                raise CliError(f"register entry {person.id} has no family link {args.remove} "
                               "(see the LINK column without --remove)")
            book.people.remove_family_link(args.remove, args.reason)
            print(f"Removed family link {args.remove}; the removal and its reason are kept.")
        members = book.people.family_members(person.id)
        removals = book.people.family_removals(person.id)
    _print_table([(str(m.link_id), m.words, str(m.other.id), m.other.full_name)
                  for m in members], ("LINK", "FAMILY", "ID", "NAME"))
    for r in removals:
        print(f"Removed {r.removed_at:%d/%m/%Y} by {r.removed_by}: {r.words.lower()} "
              f"{r.other_name} (reason: {r.reason})")
    print(f"{len(members)} family link(s)")
    return EXIT_OK


def cmd_learner_show(args: argparse.Namespace) -> int:
    from casebook.domain import ROLE_LABELS

    password = _read_password_file(args.password_file) if args.password_file else None
    with _open(args) as book:
        person = book.people.find(args.learner)
        file = book.people.learner_file(person.id)
        if args.pdf:
            pages = book.people.export_file(person.id, Path(args.pdf), password=password)
            lock = " (password protected)" if password else ""
            print(f"Wrote the child protection file to {args.pdf}: {pages} page(s){lock}")
            return EXIT_OK
    who = file.learner
    print(f"{who.display_name}   UPN {who.upn or '-'}   id {who.id}")
    born = f"{who.date_of_birth:%d/%m/%Y}" if who.date_of_birth else "-"
    roll = "on roll" if who.on_roll else f"left {who.left_on:%d/%m/%Y}" if who.left_on else "left"
    print(f"Born {born}   {who.year_group or '-'}   {who.registration_group or '-'}   {roll}")
    if who.received_from:
        print(f"Received from {who.received_from}")
    for words, name in file.family:
        print(f"{words}: {name}")
    print(f"\nOpen cases ({len(file.open_cases)}):")
    for reference, title, role in file.open_cases:
        print(f"  {reference}  {title}  ({ROLE_LABELS[role]})")
    print(f"\nOpen actions ({len(file.open_actions)}):")
    for reference, description, due in file.open_actions:
        print(f"  {reference}  {description}  (due {due or '-'})")
    print(f"\nChronology ({len(file.entries)}):")
    for e in file.entries:
        print(f"  {e.occurred_at:%Y-%m-%d %H:%M}  {e.case_reference}  [{ROLE_LABELS[e.role]}]  "
              f"{e.author}: {e.text}")
    return EXIT_OK


def cmd_learners_import(args: argparse.Namespace) -> int:
    with _open(args) as book:
        result = book.learner_import.run(Path(args.file), dry_run=args.dry_run,
                                         mark_missing_left=args.mark_missing_left)
    for line, why in result.rejected:
        print(f"  line {line}: {why}")
    state = "checked only, nothing saved" if args.dry_run else "saved"
    print(f"{result.summary()} ({state}).")
    return EXIT_OK


def cmd_learners_list(args: argparse.Namespace) -> int:
    with _open(args) as book:
        people = book.people.search(args.search or "", kind=args.kind, limit=args.limit)
    _print_table([(str(p.id), p.kind.value, p.upn or "-", p.full_name,
                   f"{p.date_of_birth:%d/%m/%Y}" if p.date_of_birth else "-",
                   p.year_group or "-", "on roll" if p.on_roll else "left") for p in people],
                 ("ID", "KIND", "UPN", "NAME", "BORN", "YEAR", "STATE"))
    print(f"{len(people)} person(s)")
    return EXIT_OK


def cmd_retention_due(args: argparse.Namespace) -> int:
    with _open(args) as book:
        today = book.store.now().date()
        items = book.retention.items() if args.all else book.retention.due()
    _print_table([(i.id, i.kind, f"{i.review_on:%d/%m/%Y}" if i.review_on else "-",
                   "HOLD" if i.held else ("due" if i.is_due(today) else "-"),
                   str(len(i.case_ids)), i.flag or "") for i in items],
                 ("ID", "KIND", "REVIEW", "STATE", "CASES", "NOTE"))
    print(f"{len(items)} item(s)" + ("" if args.all else " due for review"))
    return EXIT_OK


def cmd_retention_purge(args: argparse.Namespace) -> int:
    if not args.confirm:
        raise CliError("purging cannot be undone: add --confirm to go ahead")
    from datetime import datetime

    from casebook.services.backup import backups_before

    with _open(args) as book:
        result = book.retention.purge(args.id, confirm=True)
        old = backups_before(book, datetime.now())
    reclaimed = "The space was reclaimed." if result.reclaimed else (
        "The file could not be compacted now (is the disk full?): run "
        "'casebook-admin retention compact' later.")
    print(f"Purged {result.item_id}: {result.cases} case(s), {result.rows} record(s), "
          f"{result.evidence} evidence item(s); {result.kept_cases} case(s) kept for other "
          f"learners' files. {reclaimed} Older backups still hold the records until they are "
          "deleted.")
    if old:
        print(f"{len(old)} backup file(s) in Casebook's backup folders were made before this "
              "purge and still hold the records:")
        for backup in old:
            print(f"  {backup.path}  ({backup.made_at:%d/%m/%Y %H:%M})")
        print("Delete them (and any copies elsewhere) once a new backup has been made.")
    return EXIT_OK


def cmd_retention_compact(args: argparse.Namespace) -> int:
    from casebook.services.retention import reclaim_space

    with _open(args) as book:
        book.store.require_writer()
        if not reclaim_space(book.store):
            raise CliError("the casebook file could not be compacted: check there is free "
                           "space for a copy of it, then try again")
        book.store.log_event("retention.compact", "casebook")
    print("The casebook file was compacted: deleted records no longer take space in it.")
    return EXIT_OK


def cmd_retention_hold(args: argparse.Namespace) -> int:
    with _open(args) as book:
        if args.lift:
            book.retention.lift_hold(int(args.id))
            print(f"Hold {args.id} lifted.")
        else:
            hold = book.retention.place_hold(args.id, args.reason or "")
            print(f"Hold {hold} placed on {args.id}: it cannot be purged until the hold is "
                  "lifted.")
    return EXIT_OK


def cmd_transfer_export(args: argparse.Namespace) -> int:
    from casebook.services.evidence import human_size

    password = _read_password_file(args.password_file) if args.password_file else None
    out = Path(args.out)
    with _open(args) as book:
        person = book.people.find(args.learner)
        sent = book.transfers.export(person.id, args.to, out, password=password,
                                     evidence=args.evidence)
        print(f"Transfer {sent.reference}: wrote {sent.cases} case(s), {sent.files} evidence "
              f"file(s) ({human_size(sent.file_bytes)}) and {sent.notes} evidence note(s) to "
              f"{sent.path}.")
        if not password:
            print(f"Password (shown once; give it to the receiving DSL by phone, never with "
                  f"the file): {sent.password}")
        if args.cover:
            book.transfers.export_cover(sent.reference, Path(args.cover))
            print(f"Cover and receipt slip written to {args.cover}: print it; never send it "
                  "with the package.")
    print(f"Send it within 5 school days: by {sent.due_on:%A %d %B %Y}. Record the receiving "
          f"school's receipt code with: casebook-admin transfer receipt {sent.reference} CODE")
    return EXIT_OK


def cmd_transfer_import(args: argparse.Namespace) -> int:
    if args.password_file:
        password = _read_password_file(args.password_file)
    elif sys.stdin.isatty():
        password = getpass.getpass("Package password: ")
    else:
        raise CliError("no package password given: use --password-file F")
    with _open(args) as book:
        got = book.transfers.import_package(Path(args.file), password)
    if got.already:
        print(f"Transfer {got.reference} from {got.from_school} was already imported; "
              "nothing was added.")
    else:
        print(f"Imported transfer {got.reference} from {got.from_school}: {got.cases} case(s), "
              f"{got.files} evidence file(s) and {got.notes} evidence note(s) for register "
              f"entry {got.person_id}.")
    print(f"Receipt code for the sending school: {got.receipt_code}")
    return EXIT_OK


def cmd_transfer_receipt(args: argparse.Namespace) -> int:
    with _open(args) as book:
        info = book.transfers.record_receipt(args.reference, args.code)
    print(f"Receipt recorded for {info.reference} ({info.school}). What is kept follows the "
          "transfer settings; the rest was purged.")
    return EXIT_OK


def cmd_transfer_list(args: argparse.Namespace) -> int:
    with _open(args) as book:
        items = book.transfers.list()
    _print_table([(i.reference, "sent" if i.direction == "out" else "received", i.school,
                   f"{i.created_at:%d/%m/%Y}", f"{i.due_on:%d/%m/%Y}" if i.due_on else "-",
                   i.state + (f" (chased {i.chased_at:%d/%m})" if i.chased_at else ""))
                  for i in items], ("REFERENCE", "WAY", "SCHOOL", "DATE", "DUE", "STATE"))
    print(f"{len(items)} transfer(s)")
    return EXIT_OK


def cmd_transfer_chase(args: argparse.Namespace) -> int:
    with _open(args) as book:
        info = book.transfers.chase(args.reference)
    print(f"Chase recorded for {info.reference}: ring {info.school}'s DSL and ask them to import "
          "the file and send the receipt code.")
    return EXIT_OK


def cmd_transfer_evidence(args: argparse.Namespace) -> int:
    from casebook.domain import ROLE_LABELS
    from casebook.services.evidence import human_size

    with _open(args) as book:
        person = book.people.find(args.learner)
        items = book.transfers.evidence_choices(person.id)
    _print_table([(str(i.id), i.case_reference, ROLE_LABELS[i.role], i.kind,
                   human_size(i.size) if i.kind == "file" else "-",
                   "yes" if i.others else "no", "yes" if i.default else "no", i.name[:50])
                  for i in items],
                 ("ID", "CASE", "PART", "KIND", "SIZE", "OTHER LEARNERS", "SENT BY DEFAULT",
                  "NAME"))
    print(f"{len(items)} evidence item(s). By default the items of cases where the learner was "
          "harmed or targeted go; choose with: transfer export ... --evidence all|none|ID,ID")
    return EXIT_OK


def cmd_subject_access(args: argparse.Namespace) -> int:
    password = _read_password_file(args.password_file) if args.password_file else None
    with _open(args) as book:
        person = book.people.find(args.person)
        result = book.subject_access.export(person.id, Path(args.out), password=password)
    print(f"Wrote the records held about register entry {person.id} to {result.pdf} "
          f"({result.pages} page(s)). {result.withheld} item(s) withheld, listed with the "
          f"reason in {result.log}: keep that log, do not send it.")
    return EXIT_OK


def _read_dates_file(name: str | None, what: str) -> str | None:
    if not name:
        return None
    try:
        return Path(name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read the {what} file: "
                       f"{getattr(exc, 'strerror', None) or 'not a text file'}") from None


def cmd_transfer_settings(args: argparse.Namespace) -> int:
    closed = _read_dates_file(args.closed_days_file, "closed days")
    terms = _read_dates_file(args.terms_file, "term dates")
    with _open(args) as book:
        values = book.transfers.configure(keep=args.keep, keep_days=args.keep_days,
                                          closed_days=closed, terms=terms)
    print(f"After receipt keep: {values['transfer_keep']} for {values['transfer_keep_days']} "
          "day(s)")
    for key, words, empty in (("school_terms", "Terms", "none entered (weekdays count)"),
                              ("school_closed_days", "Other days the school is closed", "none")):
        lines = [line.strip() for line in values[key].splitlines() if line.strip()]
        print(f"{words}: {', '.join(lines) if lines else empty}")
    return EXIT_OK


def add_people_commands(sub, add, common, case_sub) -> None:  # type: ignore[no-untyped-def]
    """The register, learners, retention and transfer commands (issue 12)."""
    from casebook.domain import ALLEGATION_OUTCOMES, FamilyRelation, PersonKind, PersonRole

    p = add("link", cmd_case_link, "link a register entry to a case in a role", case_sub)
    p.add_argument("reference", help="case reference, e.g. CB-2026-0001")
    p.add_argument("learner", metavar="LEARNER", help="a UPN or the register's id")
    p.add_argument("--role", required=True, choices=[r.value for r in PersonRole])
    p.add_argument("--outcome", choices=list(ALLEGATION_OUTCOMES),
                   help="for an allegation about staff: its outcome (malicious ones are "
                        "flagged for removal)")

    learner = sub.add_parser("learner", help="a learner's file across cases", parents=[common])
    learner_sub = learner.add_subparsers(dest="learner_command", required=True,
                                         parser_class=_Parser)
    p = add("show", cmd_learner_show, "print a learner's chronology across their cases",
            learner_sub)
    p.add_argument("learner", metavar="LEARNER", help="a UPN or the register's id")
    p.add_argument("--pdf", metavar="FILE", help="write the 'child protection file' PDF instead")
    p.add_argument("--password-file", dest="password_file", metavar="F",
                   help="protect the PDF with the password in F (AES-256)")
    p = add("family", cmd_learner_family,
            "list a person's family links, add one (--add) or remove one (--remove)",
            learner_sub)
    p.add_argument("learner", metavar="LEARNER", help="a UPN or the register's id")
    p.add_argument("--add", metavar="OTHER", help="a UPN or register id to link")
    p.add_argument("--as", dest="relation",
                   choices=["sibling", "parent-or-carer", "child"],
                   help="OTHER is LEARNER's sibling, parent or carer, or child")
    p.add_argument("--remove", metavar="LINK", type=int,
                   help="remove the family link with this number (added by mistake)")
    p.add_argument("--reason", help="why the link is being removed (kept with it)")

    learners = sub.add_parser("learners", help="the people register and MIS import",
                              parents=[common])
    learners_sub = learners.add_subparsers(dest="learners_command", required=True,
                                           parser_class=_Parser)
    p = add("import", cmd_learners_import,
            "import learners from a SIMS, Arbor or Bromcom CSV export (at most 20,000 rows)",
            learners_sub)
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--dry-run", action="store_true", help="check the file, save nothing")
    p.add_argument("--mark-missing-left", action="store_true",
                   help="the file is the whole roll: mark learners not in it as left today")
    p = add("list", cmd_learners_list, "list people in the register", learners_sub)
    p.add_argument("--search", help="names, UPN, year or registration group")
    p.add_argument("--kind", choices=[k.value for k in PersonKind])
    p.add_argument("--limit", type=int, default=500)
    p = add("left", cmd_learners_left, "mark a learner as no longer on roll", learners_sub)
    p.add_argument("learner", metavar="LEARNER", help="a UPN or the register's id")
    p.add_argument("--on", metavar="YYYY-MM-DD", help="the day they left (default: today)")
    p = add("family", cmd_learners_family,
            "link PERSON as the sibling, or the parent or carer, of RELATED", learners_sub)
    p.add_argument("person", metavar="PERSON", help="a UPN or the register's id")
    p.add_argument("related", metavar="RELATED", help="a UPN or the register's id")
    p.add_argument("--relation", required=True, choices=[r.value for r in FamilyRelation])

    retention = sub.add_parser("retention", help="review dates, legal holds and purge",
                               parents=[common])
    retention_sub = retention.add_subparsers(dest="retention_command", required=True,
                                             parser_class=_Parser)
    p = add("due", cmd_retention_due, "list files whose review date has come", retention_sub)
    p.add_argument("--all", action="store_true", help="every file with its review date")
    p = add("purge", cmd_retention_purge,
            "remove a file that is due (ID from 'retention due') and reclaim the space",
            retention_sub)
    p.add_argument("id", metavar="ID", help="L and a register id (a learner's file), or a "
                                            "case reference (an allegation)")
    p.add_argument("--confirm", action="store_true", help="confirm: this cannot be undone")
    add("compact", cmd_retention_compact,
        "checkpoint and VACUUM the casebook file (after a purge that could not)", retention_sub)
    p = add("hold", cmd_retention_hold, "place (or --lift) a legal hold that blocks purge",
            retention_sub)
    p.add_argument("id", metavar="ID", help="a learner's file (L12), a case reference, or with "
                                            "--lift the hold's number")
    p.add_argument("--reason", help="why, e.g. 'public inquiry'")
    p.add_argument("--lift", action="store_true")

    transfer = sub.add_parser("transfer", help="send a learner's file to their next school",
                              parents=[common])
    transfer_sub = transfer.add_subparsers(dest="transfer_command", required=True,
                                           parser_class=_Parser)
    p = add("export", cmd_transfer_export, "write an encrypted transfer package", transfer_sub)
    p.add_argument("learner", metavar="LEARNER", help="a UPN or the register's id")
    p.add_argument("--to", required=True, metavar="SCHOOL", help="the receiving school")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--password-file", dest="password_file", metavar="F",
                   help="the package password (default: one is made and printed once)")
    p.add_argument("--cover", metavar="FILE.pdf",
                   help="also write a printable cover and receipt slip")
    p.add_argument("--evidence", metavar="all|none|ID,...",
                   help="which evidence goes with the file (default: the evidence of cases "
                        "where the learner was harmed or targeted; see 'transfer evidence')")
    p = add("evidence", cmd_transfer_evidence,
            "list the evidence on a learner's cases and what a transfer sends by default",
            transfer_sub)
    p.add_argument("learner", metavar="LEARNER", help="a UPN or the register's id")
    p = add("import", cmd_transfer_import, "import a package from another school",
            transfer_sub)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--password-file", dest="password_file", metavar="F")
    p = add("receipt", cmd_transfer_receipt, "record the receiving school's receipt code",
            transfer_sub)
    p.add_argument("reference", metavar="TRANSFER-REF")
    p.add_argument("code", metavar="CODE")
    add("list", cmd_transfer_list, "every transfer and its state", transfer_sub)
    p = add("chase", cmd_transfer_chase, "record that a missing receipt was chased",
            transfer_sub)
    p.add_argument("reference", metavar="TRANSFER-REF")
    p = add("settings", cmd_transfer_settings,
            "show or change what is kept after receipt, the term dates and closed days",
            transfer_sub)
    p.add_argument("--keep", choices=["chronology", "all", "nothing"])
    p.add_argument("--keep-days", type=int, metavar="N")
    p.add_argument("--closed-days-file", metavar="F",
                   help="holidays and INSET days, one YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD a line")
    p.add_argument("--terms-file", metavar="F",
                   help="the school's terms, first and last day: YYYY-MM-DD..YYYY-MM-DD a line")

    p = add("subject-access", cmd_subject_access,
            "export everything held about one person, others redacted, with a withheld log")
    p.add_argument("person", metavar="PERSON", help="a UPN or the register's id")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--password-file", dest="password_file", metavar="F")


# ----- parser ----------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help="folder of the casebook (default: the user data folder)")
    common.add_argument("--passphrase-file", default=argparse.SUPPRESS,
                        help=f"read the passphrase from FILE (or set {PASSPHRASE_ENV})")
    common.add_argument("--wait", type=float, metavar="SECONDS", default=argparse.SUPPRESS,
                        help="if the casebook is open elsewhere, wait up to SECONDS for it to "
                             "close (default: do not wait)")

    parser = _Parser(prog="casebook-admin", description=__doc__.splitlines()[0],
                     parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, func: Callable[[argparse.Namespace], int], help_text: str,
            parent: argparse._SubParsersAction = sub) -> argparse.ArgumentParser:  # type: ignore[type-arg]
        p = parent.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(func=func)
        return p

    p = add("init", cmd_init, "create a new casebook")
    p.add_argument("--school", required=True)
    p.add_argument("--jurisdiction", required=True, choices=[j.value for j in Jurisdiction])
    p.add_argument("--user", required=True, help="the DSL's name")
    p.add_argument("--recovery-key-out", metavar="FILE",
                   help="write the recovery key to FILE instead of printing it")

    case = sub.add_parser("case", help="add, list and show cases", parents=[common])
    case_sub = case.add_subparsers(dest="case_command", required=True, parser_class=_Parser)
    p = add("add", cmd_case_add, "open a new case and print its reference", case_sub)
    p.add_argument("--title", required=True)
    p.add_argument("--type", required=True, choices=[t.value for t in CaseType])
    p.add_argument("--summary")
    p = add("list", cmd_case_list, "list cases, newest first", case_sub)
    p.add_argument("--search", help="only cases whose text contains these words")
    p.add_argument("--limit", type=int, default=200)
    p = add("show", cmd_case_show, "show one case", case_sub)
    p.add_argument("reference")
    add_people_commands(sub, add, common, case_sub)

    evidence = sub.add_parser("evidence", help="add evidence files", parents=[common])
    ev_sub = evidence.add_subparsers(dest="evidence_command", required=True, parser_class=_Parser)
    p = add("add", cmd_evidence_add, "store a file as evidence on a case", ev_sub)
    p.add_argument("reference")
    p.add_argument("file")
    p.add_argument("--source", help="where the file came from (who, how)")
    p.add_argument("--confirm-no-indecent-images", action="store_true",
                   help="confirm the file holds no nude or sexual image of anyone under 18")

    p = add("backup", cmd_backup, "write an encrypted backup to a new file")
    p.add_argument("target", metavar="TO")
    p = add("restore", cmd_restore, "replace the casebook with a verified backup")
    p.add_argument("source", metavar="FROM")
    p = add("export", cmd_export, "export a PDF report (a case's, or the governors' summary)")
    p.add_argument("case", nargs="?", metavar="CASE", help="case reference, e.g. CB-2026-0001")
    p.add_argument("--template", required=True, choices=[
        "case-file", "lado-referral", "platform-pack", "helpline-pack", "chronology",
        "evidence-log", "governors-summary"])
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--recipient", help="who the report is for")
    p.add_argument("--redact", action="append", metavar="PERSON",
                   help="show this person (id or full name, or 'all') under a label such as "
                        "'Learner A'; repeatable")
    p.add_argument("--password-file", dest="pdf_password_file", metavar="F",
                   help="protect the PDF with the password in F (AES-256); needed when the "
                        "report names anyone, unless --no-password")
    p.add_argument("--no-password", action="store_true",
                   help="save a report that names people without a password")
    p.add_argument("--evidence", metavar="IDS",
                   help="evidence items to include: ids separated by commas, 'all' or 'none' "
                        "(default: the template's choice; the platform pack takes only the "
                        "accounts' screenshots)")
    p.add_argument("--entries", metavar="IDS",
                   help="chronology entries to include: ids separated by commas, 'all' or "
                        "'none' (default: all)")
    p.add_argument("--preview", action="store_true",
                   help="show what would be replaced and the page count; write nothing")
    p.add_argument("--commentary", help="governors' summary: a short commentary (it must not "
                                        "name anyone the casebook knows)")
    p.add_argument("--start", help="governors' summary: first day (YYYY-MM-DD)")
    p.add_argument("--end", help="governors' summary: last day (YYYY-MM-DD)")
    p.add_argument("--period", help="governors' summary: the period's name, e.g. 'Autumn 2026'")
    p = add("verify", cmd_verify, "check the file, the audit log, every record and evidence "
            "hash, and the audit anchors (read-only)")
    p.add_argument("--anchor", action="append", metavar="LINE",
                   help="an audit anchor printed on an export or backup, e.g. "
                        "'Audit 1234 · 9f3a 1b2c 44d0 e7a1'; repeatable")
    p = add("users", cmd_users, "list who can open the casebook (or remove someone's access)")
    users_sub = p.add_subparsers(dest="users_command", required=False, parser_class=_Parser)
    p = add("revoke", cmd_users_revoke,
            "remove someone's access: the casebook is re-encrypted under a new key", users_sub)
    p.add_argument("user_id", type=int, metavar="ID", help="the account's id (see 'users')")
    p.add_argument("--new-recovery-key", action="store_true",
                   help="also replace the recovery key (needed if it is still in the old format)")
    p.add_argument("--recovery-key-out", metavar="FILE",
                   help="write the new recovery key to FILE instead of printing it")
    p = add("new-recovery-key", cmd_new_recovery_key,
            "replace the recovery key (the casebook is re-encrypted under a new key)")
    p.add_argument("--recovery-key-out", metavar="FILE",
                   help="write the recovery key to FILE instead of printing it")
    add("version", cmd_version, "print version information")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "data_dir"):
        args.data_dir = default_data_dir()
    if not hasattr(args, "passphrase_file"):
        args.passphrase_file = None
    try:
        return args.func(args)
    except (CliError, ValidationError, CasebookError) as exc:
        print(f"casebook-admin: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("casebook-admin: stopped", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"casebook-admin: {exc.strerror or exc}"
              + (f": {exc.filename}" if exc.filename else ""), file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a database error no layer below explained: still one line
        from sqlalchemy.exc import DBAPIError

        if not isinstance(exc, DBAPIError):
            raise
        logging.getLogger("casebook.cli").warning("database error: %s", type(exc.orig).__name__)
        print("casebook-admin: the casebook could not be read or written "
              f"({type(exc.orig).__name__}), so this command's change was not saved. Run "
              "'casebook-admin verify' and contact IT if it happens again", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
