"""MIS import: SIMS, Arbor and Bromcom headers; dd/mm/yyyy and ISO dates; UTF-8 with and
without a BOM and Windows-1252; idempotent; rejected rows with line numbers; a malformed or
oversized file changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casebook.domain import upn_check_letter
from casebook.errors import ValidationError
from casebook.services import learner_import
from casebook.storage import tables as t


def upn(serial: int) -> str:
    body = f"801200005{serial:03d}"
    return upn_check_letter("?" + body) + body


SIMS = ("UPN,Legal Surname,Legal Forename,Preferred Forename,DOB,Year,Reg\r\n"
        f"{upn(1)},Ødegård,Zoë,Zo,03/02/2014,7,7B\r\n"
        f"{upn(2)},O'Brien,Seán,,2013-11-30,Year 8,8C\r\n")
ARBOR = ("Unique Pupil Number,First name,Last name,Date of Birth,Year Group,Registration Group\n"
         f"{upn(1)},Zoë,Ødegård,03/02/2014,Year 8,8B\n"
         f"{upn(3)},Priya,Raghunathan,2014-06-01,Year 7,7A\n")
BROMCOM = ("Forename;Surname;Date Of Birth;NC Year;Form\n"
           "Amir;Khan;1/9/2013;Y8;8C\n")


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "mis.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def audit_count(book) -> int:  # type: ignore[no-untyped-def]
    with book.store.read() as s:
        return s.scalar(select(func.count(t.AuditRow.seq)))


def test_sims_then_arbor_then_bromcom_is_idempotent(new_casebook, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook
    first = book.learner_import.run(write(tmp_path, SIMS, "utf-8-sig"))
    assert (first.added, first.updated, first.unchanged, first.rejected) == (2, 0, 0, [])
    zoe = book.people.find(upn(1))
    assert (zoe.forename, zoe.surname, zoe.preferred_name, zoe.date_of_birth, zoe.year_group,
            zoe.registration_group) == ("Zoë", "Ødegård", "Zo", date(2014, 2, 3), "Year 7", "7B")
    again = book.learner_import.run(write(tmp_path, SIMS, "utf-8-sig"))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    arbor = book.learner_import.run(write(tmp_path, ARBOR, name="arbor.csv"))
    assert (arbor.added, arbor.updated, arbor.unchanged) == (1, 1, 0)
    assert book.people.find(upn(1)).year_group == "Year 8"
    bromcom = book.learner_import.run(write(tmp_path, BROMCOM, "cp1252", name="bromcom.csv"))
    assert (bromcom.added, bromcom.rejected) == (1, [])
    amir = book.people.search("Amir")[0]
    assert (amir.date_of_birth, amir.year_group, amir.registration_group, amir.upn) == (
        date(2013, 9, 1), "Year 8", "8C", None)
    # Without a UPN the second run matches by name and date of birth.
    assert book.learner_import.run(write(tmp_path, BROMCOM, "cp1252")).unchanged == 1
    assert len(book.people.search(kind="learner")) == 4


def test_windows_1252_names_survive(new_casebook, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, SIMS, "cp1252")
    result = new_casebook.learner_import.run(path)
    assert result.encoding == "cp1252" and result.added == 2
    assert new_casebook.people.find(upn(2)).forename == "Seán"


def test_bad_rows_are_rejected_with_line_numbers_and_the_rest_go_in(new_casebook,  # type: ignore[no-untyped-def]
                                                                   tmp_path: Path) -> None:
    text = ("UPN,Legal Forename,Legal Surname,DOB\n"
            f"{upn(1)},Zoë,Ødegård,03/02/2014\n"
            f"{upn(1)},Zed,Twin,03/02/2014\n"          # duplicate UPN in the file
            f"{upn(4)},Ann,Leap,31/02/2014\n"          # impossible date
            "A801200005001,Bad,Check,01/01/2014\n"     # wrong check letter
            f"{upn(5)},,Nameless,01/01/2014\n"         # blank forename
            f"{upn(6)},Future,Child,01/01/2099\n")     # not yet born
    result = new_casebook.learner_import.run(write(tmp_path, text))
    assert result.added == 1
    lines = dict(result.rejected)
    assert sorted(lines) == [3, 4, 5, 6, 7]
    assert "also on line 2" in lines[3]
    assert "not a real date" in lines[4]
    assert "check letter" in lines[5]
    assert "blank" in lines[6]
    assert "cannot be right" in lines[7]


@pytest.mark.parametrize("text, words", [
    ("UPN,Name,DOB\nX,Y,01/01/2014\n", "no column for Legal Forename"),
    ("", "empty"),
    ("Forename,Surname,DOB\n\x81\x8d,Bad,01/01/2014\n".encode("latin-1").decode("latin-1"),
     "neither UTF-8 nor Windows-1252"),
])
def test_a_malformed_file_changes_nothing(new_casebook, tmp_path: Path, text: str,  # type: ignore[no-untyped-def]
                                          words: str) -> None:
    book = new_casebook
    book.learner_import.run(write(tmp_path, SIMS, name="first.csv"))
    before = audit_count(book)
    with pytest.raises(ValidationError, match=words):
        book.learner_import.run(write(tmp_path, text, "latin-1"))
    assert audit_count(book) == before
    assert len(book.people.search(kind="learner")) == 2


def test_too_many_rows_changes_nothing_and_says_the_limit(new_casebook, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learner_import, "MAX_ROWS", 50)
    rows = "".join(f"Child{i},Test,01/01/2014\n" for i in range(51))
    path = write(tmp_path, "Forename,Surname,DOB\n" + rows)
    with pytest.raises(ValidationError, match="more than 50 learners"):
        new_casebook.learner_import.run(path)
    assert new_casebook.people.search(kind="learner") == []


def test_a_50_mb_file_is_refused_before_reading(new_casebook, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "huge.csv"
    line = b"Child,Test,01/01/2014\n"
    with path.open("wb") as handle:
        handle.write(b"Forename,Surname,DOB\n")
        handle.write(line * (50 * 1024 * 1024 // len(line) + 1))
    with pytest.raises(ValidationError, match=r"at most 25 MB \(20,000 learners\)"):
        new_casebook.learner_import.run(path)
    assert new_casebook.people.search(kind="learner") == []


def test_dry_run_writes_nothing(new_casebook, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = audit_count(new_casebook)
    result = new_casebook.learner_import.run(write(tmp_path, SIMS), dry_run=True)
    assert result.added == 2 and not result.written
    assert new_casebook.people.search(kind="learner") == []
    assert audit_count(new_casebook) == before


def test_a_file_locked_by_another_program_is_a_calm_message(new_casebook, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """On Windows Excel keeps an open CSV locked: opening it fails with PermissionError."""
    path = write(tmp_path, SIMS)
    real_open = Path.open

    def locked(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self == path:
            raise PermissionError(13, "The process cannot access the file", str(self))
        return real_open(self, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(Path, "open", locked)
        with pytest.raises(ValidationError, match="open in Excel"):
            new_casebook.learner_import.run(path)
    assert new_casebook.people.search() == []


def test_whole_roll_import_marks_leavers_and_refuses_with_rejected_lines(new_casebook,  # type: ignore[no-untyped-def]
                                                                         tmp_path: Path
                                                                         ) -> None:
    book = new_casebook
    book.learner_import.run(write(tmp_path, SIMS))  # Zoë and Seán
    only_zoe = ("UPN,Legal Forename,Legal Surname,DOB\n"
                f"{upn(1)},Zoë,Ødegård,03/02/2014\n")
    with_bad = only_zoe + "X,Bad,Line,31/02/2014\n"
    with pytest.raises(ValidationError, match="nobody was marked as left"):
        book.learner_import.run(write(tmp_path, with_bad, name="bad.csv"),
                                mark_missing_left=True)
    assert book.people.find(upn(2)).on_roll
    result = book.learner_import.run(write(tmp_path, only_zoe, name="roll.csv"),
                                     mark_missing_left=True)
    assert result.left == 1 and "1 marked as left" in result.summary()
    sean = book.people.find(upn(2))
    assert not sean.on_roll and sean.left_on == book.store.now().date()
    assert book.people.find(upn(1)).on_roll
    # Back in a later file: on roll again.
    assert book.learner_import.run(write(tmp_path, SIMS, name="again.csv")).updated == 1
    assert book.people.find(upn(2)).on_roll
