"""Corrections that keep the original, removals with a reason, and system chronology entries.

- ``corrections``: one append-only row per correction of a person, account, action, decision
  or step answer: the values before and after (JSON), the reason, who and when. The record
  itself then holds the corrected value (so every export prints it);
- ``people.removed_at`` / ``social_accounts.removed_at``: a person or account added by
  mistake is removed by a correction with a reason, never deleted;
- ``chronology.system``: entries Casebook writes itself (case opened, evidence added...),
  marked so the chronology can show or hide them.

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("record_kind", sa.String(20), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("removal", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("before_json", sa.Text, nullable=False),
        sa.Column("after_json", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("made_at", sa.DateTime, nullable=False),
        sa.Column("made_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_corrections_record", "corrections", ["record_kind", "record_id"])
    op.create_index("ix_corrections_case_id", "corrections", ["case_id"])
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER corrections_no_{verb.lower()} BEFORE {verb} ON corrections "
            "BEGIN SELECT RAISE(ABORT, 'corrections is append-only'); END"
        )
    op.add_column("people", sa.Column("removed_at", sa.DateTime, nullable=True))
    op.add_column("social_accounts", sa.Column("removed_at", sa.DateTime, nullable=True))
    op.add_column("chronology", sa.Column("system", sa.Boolean, nullable=False,
                                          server_default=sa.false()))


def downgrade() -> None:
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS corrections_no_{verb}")
    op.drop_index("ix_corrections_case_id", "corrections")
    op.drop_index("ix_corrections_record", "corrections")
    op.drop_table("corrections")
    # SQLite's own DROP COLUMN (3.35+) keeps the tables, their triggers and the search index;
    # a batch copy would drop the chronology's append-only triggers.
    for table, column in (("chronology", "system"), ("social_accounts", "removed_at"),
                          ("people", "removed_at")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
