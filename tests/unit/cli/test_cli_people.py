"""casebook-admin: the register, case links, a learner's file and MIS import from the shell."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, main
from casebook.domain import upn_check_letter

PASSPHRASE = "quiet library window 42"


def upn(serial: int) -> str:
    body = f"801200005{serial:03d}"
    return upn_check_letter("?" + body) + body


@pytest.fixture
def book_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.setenv("CASEBOOK_PASSPHRASE", PASSPHRASE)
    data = tmp_path / "book"
    assert main(["--data-dir", str(data), "init", "--school", "Oak Primary",
                 "--jurisdiction", "england", "--user", "Ann Smith"]) == EXIT_OK
    capsys.readouterr()
    return data


def run(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), *args])


def test_import_link_and_show(book_dir: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    csv_file = tmp_path / "sims.csv"
    csv_file.write_text("UPN,Legal Forename,Legal Surname,DOB,Year,Reg\n"
                        f"{upn(1)},Zoë,Ødegård,03/02/2014,7,7B\n"
                        f"{upn(2)},Samir,Haddad,2014-05-05,7,7B\n"
                        f"{upn(3)},Bad,Date,30/02/2014,7,7B\n", encoding="utf-8-sig")
    assert run(book_dir, "learners", "import", str(csv_file)) == EXIT_OK
    out = capsys.readouterr().out
    assert "2 added, 0 updated, 0 unchanged, 1 rejected" in out and "line 4:" in out
    assert run(book_dir, "learners", "import", str(csv_file)) == EXIT_OK
    assert "0 added, 0 updated, 2 unchanged" in capsys.readouterr().out

    run(book_dir, "case", "add", "--title", "Baiting page", "--type", "baiting")
    ref = capsys.readouterr().out.strip()
    assert run(book_dir, "case", "link", ref, upn(1).lower(), "--role", "harmed") == EXIT_OK
    assert run(book_dir, "learners", "list", "--search", "haddad") == EXIT_OK
    sam_id = capsys.readouterr().out.splitlines()[-2].split()[0]
    assert run(book_dir, "case", "link", ref, sam_id, "--role", "suspected-creator") == EXIT_OK
    capsys.readouterr()
    from casebook.services import Casebook

    with Casebook.open_with_passphrase(book_dir, PASSPHRASE) as book:
        case = book.cases.get_by_reference(ref)
        book.cases.add_entry(case.id, "Samir Haddad made the page about Zoë.")
    assert run(book_dir, "learner", "show", upn(1)) == EXIT_OK
    shown = capsys.readouterr().out
    assert f"{ref}  [harmed or targeted]" in shown
    assert "Learner A made the page about Zoë." in shown and "Samir" not in shown


@pytest.mark.parametrize("args, words", [
    (("learner", "show", "B801200005009"), "Nobody in the register"),
    (("learners", "import", "/nonexistent.csv"), "no file at"),
])
def test_errors_are_one_line(book_dir: Path, capsys: pytest.CaptureFixture[str],
                             args: tuple[str, ...], words: str) -> None:
    assert run(book_dir, *args) == EXIT_ERROR
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_unknown_role_is_a_usage_error(book_dir: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        run(book_dir, "case", "link", "CB-2026-0001", "1", "--role", "bystander")
    assert caught.value.code == EXIT_USAGE


def test_retention_due_hold_and_purge(book_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    from casebook.services import Casebook

    with Casebook.open_with_passphrase(book_dir, PASSPHRASE) as book:
        old = book.people.add("learner", "Old", "Leaver", date_of_birth=date(1995, 1, 1))
        case = book.cases.create("Old case", "other")
        book.people.link_to_case(case.id, old.id, "harmed")
    assert run(book_dir, "retention", "due") == EXIT_OK
    out = capsys.readouterr().out
    assert f"L{old.id}" in out and "01/01/2020" in out
    assert run(book_dir, "retention", "purge", f"L{old.id}") == EXIT_ERROR
    assert "--confirm" in capsys.readouterr().err
    assert run(book_dir, "retention", "hold", f"L{old.id}", "--reason", "inquiry") == EXIT_OK
    capsys.readouterr()
    assert run(book_dir, "retention", "purge", f"L{old.id}", "--confirm") == EXIT_ERROR
    assert "legal hold" in capsys.readouterr().err
    assert run(book_dir, "retention", "hold", "1", "--lift") == EXIT_OK
    assert run(book_dir, "retention", "purge", f"L{old.id}", "--confirm") == EXIT_OK
    assert "Purged L" in capsys.readouterr().out
    assert run(book_dir, "case", "show", case.reference) == EXIT_ERROR


def _zoe_harmed(book):  # type: ignore[no-untyped-def]
    """Zoë in the register, harmed in a "Messages" case: (her entry, the case)."""
    from datetime import date

    zoe = book.people.add("learner", "Zoë", "Ødegård", upn=upn(1), date_of_birth=date(2014, 2, 3))
    case = book.cases.create("Messages", "harassment")
    book.people.link_to_case(case.id, zoe.id, "harmed")
    return zoe, case


def test_transfer_between_two_casebooks(book_dir: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:

    from casebook.services import Casebook

    with Casebook.open_with_passphrase(book_dir, PASSPHRASE) as book:
        _zoe_harmed(book)
    other = tmp_path / "elm"
    assert run(other, "init", "--school", "Elm", "--jurisdiction", "england",
               "--user", "Jo") == EXIT_OK
    package = tmp_path / "zoe.cbx"
    cover = tmp_path / "cover.pdf"
    assert run(book_dir, "transfer", "export", upn(1), "--to", "Elm", "--out",
               str(package), "--cover", str(cover)) == EXIT_OK
    out = capsys.readouterr().out
    import subprocess

    slip = subprocess.run(["pdftotext", str(cover), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Receipt slip" in slip and "Zoë Ødegård" in slip and upn(1) in slip
    ref = out.split("Transfer ")[1].split(":")[0]
    password = out.split("file): ")[1].split()[0]
    pw_file = tmp_path / "pw.txt"
    pw_file.write_text(password + "\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("wrong password entirely\n")
    assert run(other, "transfer", "import", str(package), "--password-file", str(bad)) \
        == EXIT_ERROR
    assert "password is wrong" in capsys.readouterr().err
    assert run(other, "transfer", "import", str(package), "--password-file",
               str(pw_file)) == EXIT_OK
    code = capsys.readouterr().out.split("school: ")[1].strip()
    assert run(book_dir, "transfer", "receipt", ref, "ZZZZZ-ZZZZZ") == EXIT_ERROR
    assert "does not match" in capsys.readouterr().err
    assert run(book_dir, "transfer", "receipt", ref, code) == EXIT_OK
    assert run(book_dir, "transfer", "list") == EXIT_OK
    assert "received" in capsys.readouterr().out
    assert run(other, "learner", "show", upn(1)) == EXIT_OK
    assert "Received from Oak Primary" in capsys.readouterr().out


def test_transfer_settings(book_dir: Path, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    days = tmp_path / "closed.txt"
    days.write_text("2026-12-21..2027-01-01\n2027-01-04\n")
    assert run(book_dir, "transfer", "settings", "--keep", "nothing", "--keep-days", "30",
               "--closed-days-file", str(days)) == EXIT_OK
    out = capsys.readouterr().out
    assert "keep: nothing for 30 day(s)" in out and "2027-01-04" in out
    days.write_text("after half term\n")
    assert run(book_dir, "transfer", "settings", "--closed-days-file", str(days)) == EXIT_ERROR
    assert "not a date" in capsys.readouterr().err
    terms = tmp_path / "terms.txt"
    terms.write_text("2026-09-03..2026-12-18\n2027-01-05..2027-03-26\n")
    assert run(book_dir, "transfer", "settings", "--terms-file", str(terms)) == EXIT_OK
    assert "Terms: 2026-09-03..2026-12-18, 2027-01-05..2027-03-26" in capsys.readouterr().out
    terms.write_text("2026-09-03..2026-12-18\n2026-12-01..2027-03-26\n")
    assert run(book_dir, "transfer", "settings", "--terms-file", str(terms)) == EXIT_ERROR
    assert "overlaps" in capsys.readouterr().err


def test_transfer_evidence_choice(book_dir: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from casebook.services import Casebook

    with Casebook.open_with_passphrase(book_dir, PASSPHRASE) as book:
        zoe, harmed = _zoe_harmed(book)
        seen = book.cases.create("Fight", "other")
        book.people.link_to_case(seen.id, zoe.id, "witness")
        kept = book.evidence.add_stream(harmed.id, io.BytesIO(b"x" * 2048), filename="a.png").id
        other = book.evidence.add_stream(seen.id, io.BytesIO(b"y" * 10), filename="b.mp4").id
    assert run(book_dir, "transfer", "evidence", upn(1)) == EXIT_OK
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[:-1]}
    assert "harmed or targeted" in rows[str(kept)]
    assert rows[str(kept)].split()[-2:] == ["yes", "a.png"]
    assert rows[str(other)].split()[-2:] == ["no", "b.mp4"]
    args = ["transfer", "export", upn(1), "--to", "Elm", "--out"]
    assert run(book_dir, *args, str(tmp_path / "a.cbx")) == EXIT_OK
    assert "1 evidence file(s) (2.0 KB)" in capsys.readouterr().out
    assert run(book_dir, *args, str(tmp_path / "b.cbx"), "--evidence", "none") == EXIT_OK
    assert "0 evidence file(s)" in capsys.readouterr().out
    assert run(book_dir, *args, str(tmp_path / "c.cbx"), "--evidence", f"{kept},{other}") \
        == EXIT_OK
    assert "2 evidence file(s)" in capsys.readouterr().out
    assert run(book_dir, *args, str(tmp_path / "d.cbx"), "--evidence", "4242") == EXIT_ERROR
    assert "not on any of this learner's cases" in capsys.readouterr().err
    assert not (tmp_path / "d.cbx").exists()


def test_left_family_and_allegation_outcome(book_dir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    from casebook.services import Casebook

    with Casebook.open_with_passphrase(book_dir, PASSPHRASE) as book:
        zoe = book.people.add("learner", "Zoë", "Ødegård", upn=upn(1))
        mum = book.people.add("parent", "Maria", "Ødegård")
        staff = book.people.add("staff", "Ann", "Teacher", date_of_birth=date(1970, 1, 1))
        case = book.cases.create("Allegation", "staff-allegation")
    assert run(book_dir, "learners", "left", upn(1), "--on", "2026-07-20") == EXIT_OK
    assert run(book_dir, "learners", "family", str(mum.id), str(zoe.id), "--relation",
               "parent-or-carer") == EXIT_OK
    assert run(book_dir, "case", "link", case.reference, str(staff.id), "--role",
               "allegation-subject", "--outcome", "malicious") == EXIT_OK
    assert run(book_dir, "learner", "show", upn(1)) == EXIT_OK
    shown = capsys.readouterr().out
    assert "left 20/07/2026" in shown and "Parent or carer: Maria Ødegård" in shown
    assert run(book_dir, "retention", "due") == EXIT_OK
    assert case.reference in capsys.readouterr().out


def test_purge_that_cannot_compact_says_what_to_do(book_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """VACUUM needs room for a copy of the file: when it fails the purge still stands and
    the operator is told how to finish."""
    from datetime import date

    from casebook.services import Casebook, retention

    with Casebook.open_with_passphrase(book_dir, PASSPHRASE) as book:
        old = book.people.add("learner", "Old", "Leaver", date_of_birth=date(1995, 1, 1))
    with monkeypatch.context() as patched:
        patched.setattr(retention, "reclaim_space", lambda store: False)
        assert run(book_dir, "retention", "purge", f"L{old.id}", "--confirm") == EXIT_OK
    assert "retention compact" in capsys.readouterr().out
    assert run(book_dir, "retention", "compact") == EXIT_OK
    assert "compacted" in capsys.readouterr().out


def test_learner_family_lists_adds_and_removes_with_a_reason(book_dir: Path,
                                                             capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    from casebook.services import Casebook

    with Casebook.open_with_passphrase(book_dir, PASSPHRASE) as book:
        zoe = book.people.add("learner", "Zoë", "Ødegård", upn=upn(1))
        kim = book.people.add("learner", "Kim", "Ødegård")
        mum = book.people.add("parent", "Maria", "Ødegård")
    assert run(book_dir, "learner", "family", upn(1), "--add", str(kim.id), "--as",
               "sibling") == EXIT_OK
    assert run(book_dir, "learner", "family", upn(1), "--add", str(mum.id), "--as",
               "parent-or-carer") == EXIT_OK
    out = capsys.readouterr().out
    assert "Sibling" in out and "Parent or carer" in out and "2 family link(s)" in out
    # From the parent's side, --as child.
    assert run(book_dir, "learner", "family", str(mum.id), "--add", str(kim.id), "--as",
               "child") == EXIT_OK
    assert "Parent or carer of" in capsys.readouterr().out
    with Casebook.open_with_passphrase(book_dir, PASSPHRASE) as book:
        sibling = [m for m in book.people.family_members(zoe.id) if m.words == "Sibling"][0]
    assert run(book_dir, "learner", "family", upn(1), "--remove", str(sibling.link_id)) \
        == EXIT_ERROR
    assert "--reason" in capsys.readouterr().err
    assert run(book_dir, "learner", "family", upn(1), "--remove", "999", "--reason",
               "typo") == EXIT_ERROR
    assert "no family link 999" in capsys.readouterr().err
    assert run(book_dir, "learner", "family", upn(1), "--remove", str(sibling.link_id),
               "--reason", "A cousin, not a sister") == EXIT_OK
    out = capsys.readouterr().out
    assert "1 family link(s)" in out and "reason: A cousin, not a sister" in out
    assert run(book_dir, "learner", "family", upn(1), "--add", str(kim.id)) == EXIT_ERROR
    assert "--as" in capsys.readouterr().err
