"""casebook-admin: removing access and replacing the recovery key rekey the casebook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casebook.cli import EXIT_ERROR, EXIT_OK, main
from casebook.errors import DamagedFileError, WrongKeyError
from casebook.services import Casebook
from casebook.storage.engine import connect_keyed
from casebook.vault import KeyVault

PASSPHRASE = "quiet library window 42"
DEPUTY = "lantern pebble orchard 7"
NOTE = "Backups made before today still open with the old passphrases; keep them in the safe."


@pytest.fixture
def book_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.setenv("CASEBOOK_INSECURE_TEST_KDF", "1")
    monkeypatch.setenv("CASEBOOK_PASSPHRASE", PASSPHRASE)
    data = tmp_path / "book"
    assert main(["--data-dir", str(data), "init", "--school", "Oak Primary",
                 "--jurisdiction", "england", "--user", "Ann Smith"]) == EXIT_OK
    with Casebook.open_with_passphrase(data, PASSPHRASE) as book:
        assert book.users.add("Sam Patel", "deputy", DEPUTY).id == 2
    capsys.readouterr()
    return data


def test_users_revoke_rekeys_and_says_what_backups_still_open(
    book_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = tmp_path / "kept.keys"
    shutil.copyfile(book_dir / "casebook.keys", kept)
    old_key = KeyVault.load(kept).unlock_with_passphrase("2", DEPUTY)

    assert main(["--data-dir", str(book_dir), "users", "revoke", "2"]) == EXIT_OK
    out = capsys.readouterr().out
    assert NOTE in out and "Recovery key" not in out
    with pytest.raises(DamagedFileError):
        connect_keyed(book_dir / "casebook.db", old_key)
    with pytest.raises(WrongKeyError):
        Casebook.open_with_passphrase(book_dir, DEPUTY)
    assert main(["--data-dir", str(book_dir), "users"]) == EXIT_OK
    assert "revoked" in capsys.readouterr().out
    assert main(["--data-dir", str(book_dir), "users", "revoke", "9"]) == EXIT_ERROR
    assert "no account 9" in capsys.readouterr().err


def test_new_recovery_key_is_written_privately_and_opens(
    book_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "recovery.txt"
    assert main(["--data-dir", str(book_dir), "new-recovery-key",
                 "--recovery-key-out", str(out_file)]) == EXIT_OK
    out = capsys.readouterr().out
    text = out_file.read_text().strip()
    assert text not in out and "old recovery key no longer works" in out
    with Casebook.open_with_recovery_key(book_dir, text) as book:
        assert book.user.id == 1
