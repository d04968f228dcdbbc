"""People who can open the casebook. Each has their own passphrase slot in the key file."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from casebook.domain import User, UserRole, require_text
from casebook.errors import NotFoundError, PermissionDeniedError, ValidationError
from casebook.services import mapping
from casebook.services.store import Store
from casebook.storage import tables as t
from casebook.vault import KeyVault, check_passphrase


class UserService:
    def __init__(self, store: Store, vault: KeyVault, key: Callable[[], bytes]) -> None:
        self.store = store
        self.vault = vault
        self._key = key

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

    def revoke(self, user_id: int) -> None:
        self._require_dsl()
        if user_id == self.store.user.id:
            raise ValidationError("You cannot remove your own account while signed in with it.")
        with self.store.write("user.revoke", f"user:{user_id}") as work:
            row = work.session.get(t.UserRow, user_id)
            if row is None:
                raise NotFoundError("That account does not exist.")
            row.active = False
            if str(user_id) in self.vault.user_ids():
                self.vault.revoke_slot(str(user_id))

    def reissue_recovery_key(self) -> str:
        """A new recovery key; the old one stops working at once."""
        self._require_dsl()
        with self.store.write("recovery.reissue", "casebook"):
            return self.vault.reissue_recovery_key(self._key())

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
