"""Settings: idle lock minutes, backups, people and passphrases, recovery key, keyring."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import shiboken6
from gui_defaults import USER_NAME
from PySide6.QtCore import Qt

from casebook.errors import DamagedFileError, WrongKeyError
from casebook.paths import CasebookPaths
from casebook.storage.engine import connect_keyed
from casebook.ui import prompts
from casebook.ui.kit import app_settings
from casebook.ui.kit.settings import KEYRING_USER_SETTING
from casebook.ui.main_window import MainWindow
from casebook.ui.settings.settings_dialog import SettingsDialog
from casebook.vault import KeyVault

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)

DEPUTY_PASSPHRASE = "lantern pebble orchard 7"


def _opens_with(casebook_dir: Path, passphrase: str) -> str:
    """The account a passphrase opens (the app holds the casebook open, so a second open would
    be refused by the writer lock: ask the key file, as the unlock screen does first)."""
    return KeyVault.load(CasebookPaths.at(casebook_dir).slots).unlock_any_passphrase(
        passphrase)[0]


@pytest.fixture
def settings_dialog(qtbot, main_window: MainWindow) -> SettingsDialog:  # type: ignore[no-untyped-def]
    main_window.show_settings()
    dialog = main_window.settings_dialog
    qtbot.waitUntil(lambda: not dialog._loading)
    return dialog


def test_idle_minutes_are_saved_and_applied(qtbot, main_window: MainWindow, settings_dialog,
                                            unlocked_casebook) -> None:
    dialog = settings_dialog
    assert dialog.idle_spin.value() == 5
    with qtbot.waitSignal(dialog.idle_minutes_changed, timeout=5000):
        dialog.idle_spin.setValue(12)
    assert main_window.autolock.interval_ms == 12 * 60_000
    assert unlocked_casebook.settings.get("idle_lock_minutes") == "12"
    assert "12 minutes" in dialog.idle_saved.text()


def test_back_up_now_into_the_chosen_folder(qtbot, main_window: MainWindow, settings_dialog,
                                           unlocked_casebook, tmp_path: Path) -> None:
    dialog = settings_dialog
    folder = tmp_path / "usb-stick"
    assert dialog.last_backup_label.text() == "Never"
    prompts.answers.append(str(folder))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert dialog.backup_edit.text() == str(folder)
    with qtbot.waitSignal(dialog.backed_up, timeout=10_000):
        qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    backups = list(folder.glob("casebook-backup-*.db"))
    assert len(backups) == 1
    assert str(backups[0]) in dialog.backup_result.text()
    anchor = backups[0].with_name(backups[0].name + ".anchor")
    assert f"backup record: Audit {json.loads(anchor.read_text())['seq']} · " \
        in dialog.backup_result.text()
    assert dialog.last_backup_label.text() != "Never"
    assert main_window.backup_status.text().startswith("Last backup: today")
    assert unlocked_casebook.settings.get("backup_dir") == str(folder)


def test_add_person_change_passphrase_and_revoke(qtbot, settings_dialog, casebook_dir) -> None:
    dialog = settings_dialog
    assert dialog.people_table.rowCount() == 1
    assert dialog.people_table.item(0, 0).text() == f"{USER_NAME} (you)"

    qtbot.mouseClick(dialog.add_person_button, Qt.MouseButton.LeftButton)
    add = dialog.passphrase_dialog
    qtbot.keyClicks(add.name_edit, "Sam Deputy")
    assert add.role_combo.currentData() == "deputy"
    qtbot.keyClicks(add.fields.passphrase_edit, DEPUTY_PASSPHRASE)
    assert not add.ok_button.isEnabled()
    qtbot.keyClicks(add.fields.confirm_edit, DEPUTY_PASSPHRASE)
    assert add.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        qtbot.mouseClick(add.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.people_table.rowCount() == 2
    assert dialog.people_table.item(1, 0).text() == "Sam Deputy"
    assert _opens_with(casebook_dir, DEPUTY_PASSPHRASE) == "2"

    # Change the deputy's passphrase: the old one stops working.
    dialog.people_table.selectRow(1)
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    change = dialog.passphrase_dialog
    new = "meadow copper violin 88"
    qtbot.keyClicks(change.fields.passphrase_edit, new)
    qtbot.keyClicks(change.fields.confirm_edit, new)
    with qtbot.waitSignal(change.accepted, timeout=10_000):
        qtbot.mouseClick(change.ok_button, Qt.MouseButton.LeftButton)
    with pytest.raises(WrongKeyError):
        _opens_with(casebook_dir, DEPUTY_PASSPHRASE)
    assert _opens_with(casebook_dir, new) == "2"

    # Remove access after confirming: the casebook gets a new key.
    kept = casebook_dir.parent / "kept-by-deputy.keys"
    shutil.copyfile(casebook_dir / "casebook.keys", kept)
    old_key = KeyVault.load(kept).unlock_any_passphrase(new)[1]
    dialog.people_table.selectRow(1)
    assert dialog.revoke_button.isEnabled()
    prompts.answers.append(True)
    with qtbot.waitSignal(dialog.loaded, timeout=20_000):
        qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
    assert dialog.people_table.item(1, 2).text() == "Removed"
    assert "Backups made before today still open with the old passphrases" in \
        dialog.message.plain_text
    assert "new key" in prompts.shown[-1][2]
    with pytest.raises(WrongKeyError):
        _opens_with(casebook_dir, new)
    with pytest.raises(DamagedFileError):
        connect_keyed(casebook_dir / "casebook.db", old_key)
    # You cannot remove yourself.
    dialog.people_table.selectRow(0)
    assert not dialog.revoke_button.isEnabled()


def test_reissue_recovery_key_shows_it_once(qtbot, settings_dialog, casebook_dir,
                                            unlocked_casebook) -> None:
    dialog = settings_dialog
    prompts.answers.append(True)  # "Make a new key"
    qtbot.mouseClick(dialog.reissue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(dialog, "recovery_dialog", None) is not None)
    shown = dialog.recovery_dialog
    key = shown.panel.key_label.text()
    assert len(key.split("-")) == 9
    assert not shown.done_button.isEnabled()
    assert not shown.panel.confirm_check.isEnabled()  # not before it is printed or saved
    qtbot.keyClicks(shown.panel.typed_back_edit, key.rsplit("-", 1)[-1])
    qtbot.keyClick(shown.panel.confirm_check, Qt.Key.Key_Space)
    assert shown.done_button.isEnabled()
    qtbot.mouseClick(shown.done_button, Qt.MouseButton.LeftButton)
    assert key not in shown.panel.key_label.text()
    vault = KeyVault.load(CasebookPaths.at(casebook_dir).slots)
    assert len(vault.unlock_with_recovery_key(key)) == 32  # the new key unwraps the data key


def test_keyring_on_and_off(qtbot, settings_dialog, unlocked_casebook, memory_keyring) -> None:
    dialog = settings_dialog
    assert not dialog.keyring_check.isChecked()
    qtbot.keyClick(dialog.keyring_check, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: dialog.keyring_check.isEnabled()
                    and unlocked_casebook.vault.has_keyring_slot())
    assert memory_keyring.store
    assert int(app_settings().value(KEYRING_USER_SETTING)) == unlocked_casebook.user.id
    qtbot.keyClick(dialog.keyring_check, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: dialog.keyring_check.isEnabled()
                    and not unlocked_casebook.vault.has_keyring_slot())
    assert not memory_keyring.store
    assert app_settings().value(KEYRING_USER_SETTING) is None


def test_locking_closes_settings(qtbot, main_window: MainWindow, settings_dialog) -> None:
    dialog = settings_dialog
    assert dialog.isVisible()
    with qtbot.waitSignal(main_window.locked, timeout=10_000):
        main_window.lock()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert main_window.stack.currentWidget() is main_window.unlock_panel


def _make_recovery_slot_old_format(key_file: Path, data_key: bytes) -> None:
    """Put back a recovery slot as format-1 Casebook wrote it (data key under the KEK)."""
    import base64
    import hashlib
    import json
    import os as _os

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from casebook.vault import kdf
    from casebook.vault.keyfile import _aad, _split

    doc = json.loads(key_file.read_text("utf-8"))
    salt, nonce = _os.urandom(16), _os.urandom(12)
    wrap_key, check = _split(kdf.hkdf(_os.urandom(20), salt))
    wrapped = AESGCM(wrap_key).encrypt(nonce, data_key, _aad(doc["vault_id"], "recovery",
                                                              "recovery"))
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    doc["slots"] = [s for s in doc["slots"] if s["kind"] != "recovery"] + [{
        "kind": "recovery", "id": "recovery", "kdf": {"name": "hkdf-sha256", "salt": b64(salt)},
        "check": b64(check), "nonce": b64(nonce), "wrapped": b64(wrapped)}]
    doc.pop("checksum")
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    doc["checksum"] = hashlib.sha256(canonical.encode()).hexdigest()
    key_file.write_text(json.dumps(doc), "utf-8")


def test_revoke_offers_a_new_recovery_key_when_the_old_one_cannot_move(
    qtbot, settings_dialog, casebook_dir, unlocked_casebook
) -> None:  # type: ignore[no-untyped-def]
    dialog = settings_dialog
    deputy = unlocked_casebook.users.add("Sam Deputy", "deputy", DEPUTY_PASSPHRASE)
    _make_recovery_slot_old_format(casebook_dir / "casebook.keys",
                                   unlocked_casebook._require_key())
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog._reload()
    dialog.people_table.selectRow(1)
    prompts.answers.extend([True, True])  # "Remove access", then "Issue a new key and ..."
    qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(dialog, "recovery_dialog", None) is not None,
                    timeout=20_000)
    assert "older version of Casebook" in prompts.shown[-1][2]
    key = dialog.recovery_dialog.panel.key_label.text()
    assert {u.id: u.active for u in unlocked_casebook.users.list()}[deputy.id] is False
    # The app holds the casebook open (writer lock): check the keys as the unlock screen does.
    data_key = KeyVault.load(CasebookPaths.at(casebook_dir).slots).unlock_with_recovery_key(key)
    connect_keyed(casebook_dir / "casebook.db", data_key).close()
    with pytest.raises(WrongKeyError):
        _opens_with(casebook_dir, DEPUTY_PASSPHRASE)


def test_check_for_damage_shows_each_step_then_the_verdict(
        qtbot, settings_dialog, monkeypatch: pytest.MonkeyPatch) -> None:
    """Verify runs on the database thread and says which step it is on while it works (a
    2 GB casebook takes about a minute), then gives its verdict."""
    dialog = settings_dialog
    seen: list[str] = []
    show = dialog._verify_moved

    def shown(progress: object) -> None:
        show(progress)
        seen.append(dialog.backup_result.text())

    monkeypatch.setattr(dialog, "_verify_moved", shown)
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    assert not dialog.verify_button.isEnabled()
    qtbot.waitUntil(dialog.verify_button.isEnabled, timeout=20_000)
    assert "in good order" in dialog.backup_result.text()
    assert dialog.backup_progress.isHidden()
    steps = [text.split(":")[0] for text in seen]
    assert steps[0] == "Checking the casebook… Step 1 of 6"
    assert sorted(set(steps)) == [f"Checking the casebook… Step {n} of 6" for n in range(1, 7)]
    assert steps == sorted(steps)  # in order, each step once or more
    assert any(text.endswith("(100%)") for text in seen if "Step 4 of 6" in text)
