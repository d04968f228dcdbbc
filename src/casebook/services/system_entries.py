"""Chronology entries Casebook writes itself (issue 11, item 9).

What Casebook already knows goes into the case's chronology as it happens: the case opened,
evidence and accounts added, decisions, reports made, steps completed, corrections. Each is
marked ``system`` so the chronology can show or hide them; each is written in the same
transaction (and under the same audit entry) as the change it describes.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from casebook.services.store import Store
from casebook.storage import tables as t

MAX_QUOTE = 120


def quote(text: str | None, limit: int = MAX_QUOTE) -> str:
    """A short quotation of what was recorded (the whole of it stays in its own record)."""
    value = " ".join((text or "").split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def record(s: Session, store: Store, case_id: int, text: str) -> None:
    now = store.now()
    s.add(t.ChronologyRow(case_id=case_id, occurred_at=now, recorded_at=now,
                          author=store.actor, text=text, system=True))
