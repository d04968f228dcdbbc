"""Shared helpers for the vault tests (a test keyring, a fake clock, key-file editing)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError, PasswordSetError

WINDOWS_LIMIT = 2500  # bytes; Windows Credential Manager refuses larger secrets

#: A key file written by Casebook's key-file format 1 (before key pairs), with its secrets in
#: the ``.json`` beside it (test data only: insecure KDF settings).
LEGACY = Path(__file__).parents[2] / "data" / "legacy-v1.keys"
LEGACY_SECRETS = json.loads(LEGACY.with_name(LEGACY.name + ".json").read_text("utf-8"))

PASSPHRASE = "violet kettle harbour 42"
OTHER_PASSPHRASE = "lantern pebble orchard 7"


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in a dict and, like Windows, refuses big ones."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend: never chosen automatically")

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}
        self.received: list[tuple[str, str, str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.received.append((service, username, password))
        if len(password.encode("utf-8")) > WINDOWS_LIMIT:
            raise PasswordSetError("secret too large for this keyring")
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class FakeClock:
    """An injectable clock: tests move time forward instead of sleeping."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def read_doc(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def write_resealed(path: Path, doc: dict[str, Any]) -> None:
    """Write an edited key file with a valid checksum, as a deliberate tamperer could."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    body["checksum"] = hashlib.sha256(canonical.encode()).hexdigest()
    path.write_text(json.dumps(body, indent=2), "utf-8")


def keys_part(path: Path) -> dict[str, Any]:
    """The key file without its failed-attempt record: what a wrong guess must not change."""
    return {k: v for k, v in read_doc(path).items() if k not in ("attempts", "checksum")}


def slots_by_id(path: Path) -> dict[str, dict[str, Any]]:
    return {slot["id"]: slot for slot in read_doc(path)["slots"]}
