"""ORM tables for the school's standing, case-independent records: the preventative-policy
checklist reviews and the register of the school's own (official) social-media accounts.

They share ``Base`` with :mod:`casebook.storage.tables`; services import this module so the
mappers are registered. Migration ``0003`` creates them.

A review item keeps a copy of its template text (section, title, description, level
descriptions, target) as it was when the review used it, so an old review stays readable word
for word after the checklist file changes or drops the item.
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

__all__ = ["ChecklistReviewRow", "ChecklistReviewItemRow", "OfficialAccountRow"]


class ChecklistReviewRow(Base):
    """One yearly review of the checklist. Only the newest is open (``closed_at`` is null)."""

    __tablename__ = "checklist_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(30), nullable=False)
    template_id: Mapped[str] = mapped_column(String(100), nullable=False)
    template_version: Mapped[int] = mapped_column(Integer, nullable=False)
    template_title: Mapped[str] = mapped_column(String(300), nullable=False)
    year_label: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    started_by: Mapped[str] = mapped_column(String(200), nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class ChecklistReviewItemRow(Base):
    """One item of one review: the school's answers plus a copy of the template text."""

    __tablename__ = "checklist_review_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("checklist_reviews.id"), nullable=False)
    item_id: Mapped[str] = mapped_column(String(100), nullable=False)
    # -- copy of the template text --------------------------------------------------------
    section_id: Mapped[str] = mapped_column(String(100), nullable=False)
    section_title: Mapped[str] = mapped_column(String(300), nullable=False)
    section_position: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    levels_json: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    target_level: Mapped[int] = mapped_column(Integer, nullable=False)
    #: False once the checklist file no longer has this item (kept readable, not counted).
    in_template: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # -- the school's answers -------------------------------------------------------------
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    level: Mapped[int | None] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    evidence: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    na_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    next_review: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        UniqueConstraint("review_id", "item_id", name="uq_checklist_review_items_item"),
        Index("ix_checklist_review_items_next_review", "review_id", "next_review"),
    )


class OfficialAccountRow(Base):
    """One of the school's own accounts. Retired accounts are kept (``retired_at`` set)."""

    __tablename__ = "official_accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(60), nullable=False)
    handle: Mapped[str] = mapped_column(String(200), nullable=False)
    url: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text, nullable=False, default="")
    verification: Mapped[str] = mapped_column(String(20), nullable=False)
    verification_requested_on: Mapped[date | None] = mapped_column(Date)
    login_holder: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    two_factor: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    last_checked: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)
