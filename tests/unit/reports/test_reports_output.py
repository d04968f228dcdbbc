"""The written file: AES-256 encryption, minimal metadata, qpdf-clean, atomic replacement."""

from __future__ import annotations

import os
import subprocess

import pikepdf
import pytest
from report_helpers import ANAIS, DSL, make_case_data, options, pdf_text

from casebook.errors import CasebookError
from casebook.reports import export_case_report, render_case_report, write_pdf_atomically

# Non-ASCII on purpose. (Kept under 32 bytes: poppler's command-line tools cut a typed password
# there; the file itself takes up to 127 bytes.)
PASSWORD = "horse battery stäple €"


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return render_case_report(make_case_data(), options("chronology", {ANAIS}))


def test_password_encrypts_with_aes_256_revision_6(tmp_path, pdf_bytes) -> None:
    path = tmp_path / "locked.pdf"
    write_pdf_atomically(pdf_bytes, path, PASSWORD)
    with pikepdf.open(path, password=PASSWORD) as pdf:
        assert pdf.is_encrypted
        assert pdf.encryption.R == 6
        assert pdf.encryption.bits == 256
        assert pdf.encryption.stream_method.name == "aesv3"
        assert pdf.encryption.string_method.name == "aesv3"
        encrypt = pdf.trailer["/Encrypt"]
        assert int(encrypt["/V"]) == 5 and int(encrypt["/R"]) == 6
        assert len(pdf.pages) >= 1
    # The user password opens it for reading as well (pdftotext sees the marking).
    assert "OFFICIAL-SENSITIVE" in pdf_text(path, PASSWORD)


def test_wrong_or_missing_password_does_not_open(tmp_path, pdf_bytes) -> None:
    path = tmp_path / "locked.pdf"
    write_pdf_atomically(pdf_bytes, path, PASSWORD)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(path, password="not the password")
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(path)
    # Nothing readable in the raw file: the text streams are encrypted.
    assert b"OFFICIAL" not in path.read_bytes()


def test_without_password_the_file_is_plain(tmp_path, pdf_bytes) -> None:
    path = tmp_path / "open.pdf"
    write_pdf_atomically(pdf_bytes, path, None)
    with pikepdf.open(path) as pdf:
        assert not pdf.is_encrypted


@pytest.mark.parametrize("password", [None, PASSWORD])
def test_metadata_is_stripped_to_a_generic_title(tmp_path, pdf_bytes, password) -> None:
    path = tmp_path / "out.pdf"
    write_pdf_atomically(pdf_bytes, path, password)
    with pikepdf.open(path, password=password or "") as pdf:
        info = pdf.trailer.get("/Info")
        assert info is not None and set(info.keys()) == {"/Title"}
        assert str(info["/Title"]) == "Chronology"
        assert "/Metadata" not in pdf.Root
    # reportlab's producer string and dates are gone from the raw bytes (plain file only).
    if password is None:
        raw = path.read_bytes()
        assert b"ReportLab" not in raw and b"/CreationDate" not in raw and b"/Author" not in raw


@pytest.mark.parametrize("password", [None, PASSWORD])
def test_qpdf_check_is_clean(tmp_path, pdf_bytes, password) -> None:
    path = tmp_path / "out.pdf"
    write_pdf_atomically(pdf_bytes, path, password)
    args = ["qpdf", "--check", str(path)]
    if password:
        args.insert(1, f"--password={password}")
    result = subprocess.run(args, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def test_writing_replaces_an_existing_file_and_leaves_no_temporary_file(tmp_path,
                                                                        pdf_bytes) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"an older export")
    write_pdf_atomically(pdf_bytes, path)
    assert path.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_a_failed_write_leaves_the_old_file_untouched(tmp_path, pdf_bytes, monkeypatch) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"an older export")

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(CasebookError, match="is full, so the report was not saved"):
        write_pdf_atomically(pdf_bytes, path, PASSWORD)
    assert path.read_bytes() == b"an older export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_a_missing_folder_is_a_calm_error(tmp_path, pdf_bytes) -> None:
    with pytest.raises(CasebookError, match="folder does not exist"):
        write_pdf_atomically(pdf_bytes, tmp_path / "nowhere" / "report.pdf")
    assert list(tmp_path.iterdir()) == []


def test_export_result_is_for_the_audit_and_holds_no_password(tmp_path) -> None:
    chosen = options("evidence-log", {ANAIS}, password=PASSWORD, recipient="Police")
    assert PASSWORD not in repr(chosen)
    result = export_case_report(make_case_data(), chosen, tmp_path / "log.pdf")
    assert result.encrypted and result.pages >= 1 and result.template_id == "evidence-log"
    assert result.named_person_ids == {ANAIS}
    assert result.redacted_labels  # the others, by id
    detail = result.audit_detail()
    assert "template=evidence-log" in detail and "for=Police" in detail
    assert "password=yes" in detail and PASSWORD not in detail
    assert PASSWORD not in repr(result)
    for person_name in ("Zoë", "Anaïs", DSL):
        assert person_name not in detail
    with pikepdf.open(tmp_path / "log.pdf", password=PASSWORD) as pdf:
        assert pdf.encryption.R == 6


def test_a_long_passphrase_works(tmp_path, pdf_bytes) -> None:
    passphrase = "a long passphrase of many words that a school might well choose"
    path = tmp_path / "long.pdf"
    write_pdf_atomically(pdf_bytes, path, passphrase)
    with pikepdf.open(path, password=passphrase) as pdf:
        assert pdf.encryption.R == 6
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(path, password=passphrase[:32])
