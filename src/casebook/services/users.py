"""People who can open the casebook. Each has their own passphrase slot in the key file.

Removing someone's access, or replacing the recovery key, re-encrypts the casebook under a new
data key (``rekey``, provided by the open casebook) so what they once held opens nothing live.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from casebook.domain import User, UserRole, require_text
from casebook.errors import NotFoundError, PermissionDeniedError, ValidationError
from casebook.services import mapping
from casebook.services.store import Store
from casebook.storage import tables as t
from casebook.vault import KeyVault, check_passphrase

#: ``rekey(remove_user=slot_id | None, new_recovery=bool) -> new recovery key text | None``
Rekey = Callable[..., "str | None"]


@dataclass(frozen=True)
class RevokeResult:
    """What a revoke did: the new recovery key if one was issued (show it once), and a note."""

    recovery_key: str | None
    note: str


class UserService:
    def __init__(self, store: Store, vault: KeyVault, key: Callable[[], bytes],
                 rekey: Rekey) -> None:
        self.store = store
        self.vault = vault
        self._key = key
        self._rekey = rekey

    def _require_dsl(self) -> None:
        if self.store.user.role != UserRole.DSL:
            raise PermissionDeniedError("Only the DSL can manage who can open the casebook.")

    def list(self) -> list[User]:
        with self.store.read() as s:
            return [mapping.user(r) for r in s.scalars(select(t.UserRow).order_by(t.UserRow.id))]

    def add(self, name: str, role: UserRole | str, passphrase: str) -> User:
        self._require_dsl()
        name = require_text(name, "the person's name", 200)
        try:
            role = UserRole(role)
        except ValueError:
            raise ValidationError("Choose a role: dsl, deputy or viewer.") from None
        check_passphrase(passphrase)
        with self.store.write("user.add", detail=f"role={role.value}") as work:
            s = work.session
            if s.scalar(select(func.count()).where(func.lower(t.UserRow.name) == name.lower(),
                                                   t.UserRow.active.is_(True))):
                raise ValidationError(f"There is already an account called {name}.")
            row = t.UserRow(name=name, role=role.value, created_at=self.store.now(), active=True)
            s.add(row)
            s.flush()
            work.target = f"user:{row.id}"
            # The slot is written before the transaction commits: if the commit then failed we
            # would hold a slot for no user, which is harmless and revocable; the reverse
            # (a user with no slot) would lock someone out.
            self.vault.add_passphrase_slot(self._key(), str(row.id), passphrase)
            return mapping.user(row)

    def change_passphrase(self, user_id: int, new_passphrase: str) -> None:
        if user_id != self.store.user.id:
            self._require_dsl()
        check_passphrase(new_passphrase)
        with self.store.write("user.passphrase", f"user:{user_id}") as work:
            if work.session.get(t.UserRow, user_id) is None:
                raise NotFoundError("That account does not exist.")
            if str(user_id) in self.vault.user_ids():
                self.vault.change_passphrase(self._key(), str(user_id), new_passphrase)
            else:
                self.vault.add_passphrase_slot(self._key(), str(user_id), new_passphrase)

    def revoke(self, user_id: int, *, replace_recovery_key: bool = False) -> RevokeResult:
        """Close the account and rekey the casebook without their slot.

        The account is closed first (so a stop part-way is finished at the next unlock: a slot
        of a closed account is removed then); if the rekey fails cleanly the account is
        reopened and the error raised. ``replace_recovery_key`` issues a new recovery key in
        the same rekey (needed while the recovery slot is still in the old format).
        """
        from casebook.services.casebook import BACKUPS_NOTE

        self._require_dsl()
        if user_id == self.store.user.id:
            raise ValidationError("You cannot remove your own account while signed in with it.")
        slot_id = str(user_id)
        removing = slot_id if slot_id in self.vault.user_ids() else None
        if removing is not None and len(self.vault.user_ids()) <= 1:
            raise ValidationError("This is the only passphrase left for this casebook, so it "
                                  "cannot be removed. Add another person's passphrase first.")
        with self.store.read() as s:
            row = s.get(t.UserRow, user_id)
            if row is None:
                raise NotFoundError("That account does not exist.")
        blockers = self.vault.rekey_blockers(removing=removing,
                                             replacing_recovery=replace_recovery_key)
        if blockers:
            # The same check runs inside rekey; asking first means nothing changes at all.
            self._rekey(remove_user=removing, new_recovery=replace_recovery_key,
                        check_only=True)
        with self.store.write("user.revoke", f"user:{user_id}") as work:
            row = work.session.get(t.UserRow, user_id)
            was_active = bool(row.active)
            row.active = False
        try:
            recovery = self._rekey(remove_user=removing, new_recovery=replace_recovery_key)
        except BaseException:
            if was_active:
                # If even this fails, the closed account's slot is removed at the next unlock.
                with contextlib.suppress(Exception), \
                        self.store.write("user.revoke.undone", f"user:{user_id}") as work:
                    work.session.get(t.UserRow, user_id).active = True
            raise
        if recovery is not None:
            with self.store.write("recovery.reissue", "casebook"):
                pass
        return RevokeResult(recovery, BACKUPS_NOTE)

    def reissue_recovery_key(self) -> str:
        """A new recovery key, and a new data key: the old recovery key opens nothing live."""
        self._require_dsl()
        text = self._rekey(new_recovery=True)
        assert text is not None
        with self.store.write("recovery.reissue", "casebook"):
            pass
        return text

    def remember_on_this_computer(self, remember: bool) -> bool:
        """Turn the OS-keyring slot on or off. Returns False if the keyring refused."""
        if remember:
            ok = self.vault.remember_in_keyring(self._key())
            if ok:
                with self.store.write("keyring.on", "casebook"):
                    pass
            return ok
        self.vault.forget_keyring()
        with self.store.write("keyring.off", "casebook"):
            pass
        return True
