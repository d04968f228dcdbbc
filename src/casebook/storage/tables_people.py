"""ORM tables of the people register and what hangs off it: family links, the link from a
case's person row to the register, legal holds, transfers and the purge permit.

They share ``Base`` with :mod:`casebook.storage.tables`. Migration ``0009`` creates them.
A case's ``people`` row stays the record of who was on the case in which role; the
``person_links`` row says which register entry that is.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from casebook.storage.tables import Base


class RegisterPersonRow(Base):
    __tablename__ = "register_people"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    upn: Mapped[str | None] = mapped_column(String(13), unique=True)
    forename: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    surname: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    preferred_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    year_group: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    registration_group: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    on_roll: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    left_on: Mapped[date | None] = mapped_column(Date)
    job_title: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    received_from: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    __table_args__ = (
        Index("ix_register_people_name", "surname", "forename"),
        Index("ix_register_people_kind", "kind"),
    )


class FamilyLinkRow(Base):
    __tablename__ = "family_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("register_people.id"), nullable=False)
    related_id: Mapped[int] = mapped_column(ForeignKey("register_people.id"), nullable=False,
                                            index=True)
    relation: Mapped[str] = mapped_column(String(30), nullable=False)

    __table_args__ = (UniqueConstraint("person_id", "related_id", "relation",
                                       name="uq_family_links"),)


class PersonLinkRow(Base):
    """Which register entry a case's person row is (and, for allegations, the outcome)."""

    __tablename__ = "person_links"
    case_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("register_people.id"), nullable=False,
                                             index=True)
    outcome: Mapped[str] = mapped_column(String(30), nullable=False, default="")


class LegalHoldRow(Base):
    """A hold (e.g. a public inquiry) on a person's records or on one case: blocks purge."""

    __tablename__ = "legal_holds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    register_id: Mapped[int | None] = mapped_column(ForeignKey("register_people.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    placed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    placed_by: Mapped[str] = mapped_column(String(200), nullable=False)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime)


class TransferRow(Base):
    """A child protection file sent to (direction "out") or received from ("in") a school."""

    __tablename__ = "transfers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    direction: Mapped[str] = mapped_column(String(3), nullable=False)
    register_id: Mapped[int | None] = mapped_column(ForeignKey("register_people.id"), index=True)
    school: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    due_on: Mapped[date | None] = mapped_column(Date)
    receipt_hash: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    chased_at: Mapped[datetime | None] = mapped_column(DateTime)
    purged_at: Mapped[datetime | None] = mapped_column(DateTime)
    keep_until: Mapped[date | None] = mapped_column(Date)
    cases: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class PurgePermitRow(Base):
    """Present only inside a purge's own transaction: the append-only triggers let rows of this
    case go (and nothing else). A purge removes its permit before it commits."""

    __tablename__ = "purge_permits"
    case_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class FamilyLinkRemovalRow(Base):
    """A family link removed as a correction: the link as it was, why, who and when
    (append-only; migration ``0015``)."""

    __tablename__ = "family_link_removals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_id: Mapped[int] = mapped_column(Integer, nullable=False)
    person_id: Mapped[int] = mapped_column(Integer, nullable=False)
    related_id: Mapped[int] = mapped_column(Integer, nullable=False)
    relation: Mapped[str] = mapped_column(String(30), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    removed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    removed_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (Index("ix_family_link_removals_person", "person_id"),
                      Index("ix_family_link_removals_related", "related_id"))


class PurgeLedgerRow(Base):
    """One purge: ids, row fingerprints and counts, never names (append-only; ``0015``).
    Restore re-applies every entry to the restored copy."""

    __tablename__ = "purge_ledger"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), nullable=False)
    purged_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    item: Mapped[str] = mapped_column(String(40), nullable=False)
    scope: Mapped[str] = mapped_column(String(20), nullable=False)  # records or evidence
    targets: Mapped[str] = mapped_column(Text, nullable=False)  # JSON: kind -> {id: fingerprint}
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    evidence: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (UniqueConstraint("token", name="uq_purge_ledger_token"),)
