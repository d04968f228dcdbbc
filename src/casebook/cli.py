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

from casebook import __version__
from casebook.domain import CaseType, Jurisdiction
from casebook.errors import CasebookError, ValidationError
from casebook.paths import CasebookPaths, default_data_dir

PASSPHRASE_ENV = "CASEBOOK_PASSPHRASE"
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_VERIFY_FAILED = 0, 1, 2, 3


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

    with _open(args) as book:
        flt = CaseFilter(text=args.search or "")
        rows = book.cases.list_page(flt, limit=args.limit)
        total = book.cases.count(flt)
    _print_table([(r.reference, r.opened_at.strftime("%Y-%m-%d"), r.status.value,
                   r.risk.value, r.case_type.value, r.title[:60]) for r in rows],
                 ("REFERENCE", "OPENED", "STATUS", "RISK", "TYPE", "TITLE"))
    print(f"{len(rows)} of {total} case(s)")
    return EXIT_OK


def cmd_case_show(args: argparse.Namespace) -> int:
    with _open(args) as book:
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
    with _open(args) as book:
        path = book.backup(Path(args.target))
    print(f"Backup written to {path}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from casebook.services import restore

    kept = restore(args.data_dir, Path(args.source), _read_passphrase(args))
    print(f"Casebook restored from {args.source}. The replaced file was kept as {kept}.")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    with _open(args) as book:
        report = book.verify()
    integ = report.integrity
    print(f"Encryption check: {'ok' if not integ.cipher_problems else 'PROBLEMS'}")
    for problem in integ.cipher_problems[:10]:
        print(f"  {problem}")
    print(f"Database check: {'ok' if not integ.sqlite_problems else 'PROBLEMS'} "
          f"({integ.rows_read} rows read)")
    for problem in integ.sqlite_problems[:10]:
        print(f"  {problem}")
    chain = report.chain
    if chain.ok:
        print(f"Audit log: ok ({chain.entries} entries)")
    else:
        print(f"Audit log: BROKEN at entry {chain.first_broken_seq}: {chain.problem}")
    bad = report.bad_hashes
    print(f"Evidence files: {len(report.hashes) - len(bad)} of {len(report.hashes)} match their "
          "recorded SHA-256")
    for check in bad:
        print(f"  evidence #{check.evidence_id} does not match its recorded hash")
    return EXIT_OK if report.ok else EXIT_VERIFY_FAILED


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
    with _open(args) as book:
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
    add("verify", cmd_verify, "check integrity, the audit chain and evidence hashes")
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
