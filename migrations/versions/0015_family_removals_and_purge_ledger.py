"""Family links removed with a reason, and a ledger of purges that restore re-applies.

- ``family_link_removals``: a family link added by mistake is removed as a correction: this
  append-only row keeps the link as it was (who, to whom, how), the reason, who and when, and
  the link itself goes. A removal row can only be deleted once one of its two people has been
  purged from the register (a purge must leave no trace of them).
- ``purge_ledger``: one append-only row per purge, holding ids, row fingerprints and counts
  only (never a name or case text). Restoring a backup made before a purge removes those
  records from the restored copy again before it replaces the casebook.

Both tables are audited (row hashes, see ``casebook.storage.chain``).

Revision ID: 0015
Revises: 0016
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from casebook.storage import chain

revision = "0015"
down_revision = "0016"
branch_labels = None
depends_on = None

_NEW_TABLES = ("family_link_removals", "purge_ledger")


def upgrade() -> None:
    op.create_table(
        "family_link_removals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=False),
        sa.Column("removed_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_family_link_removals_person", "family_link_removals", ["person_id"])
    op.create_index("ix_family_link_removals_related", "family_link_removals", ["related_id"])
    op.execute(
        "CREATE TRIGGER family_link_removals_no_update BEFORE UPDATE ON family_link_removals "
        "BEGIN SELECT RAISE(ABORT, 'family link removals are append-only'); END")
    op.execute(
        "CREATE TRIGGER family_link_removals_no_delete BEFORE DELETE ON family_link_removals "
        "WHEN EXISTS (SELECT 1 FROM register_people WHERE id = OLD.person_id) "
        "AND EXISTS (SELECT 1 FROM register_people WHERE id = OLD.related_id) "
        "BEGIN SELECT RAISE(ABORT, 'family link removals are append-only'); END")
    op.create_table(
        "purge_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token", name="uq_purge_ledger_token"),
    )
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER purge_ledger_no_{verb.lower()} BEFORE {verb} ON purge_ledger "
            "BEGIN SELECT RAISE(ABORT, 'the purge ledger is append-only'); END")
    for table in _NEW_TABLES:
        for ddl in chain.tracking_triggers(table):
            op.execute(ddl)


def downgrade() -> None:
    for table in _NEW_TABLES:
        for name in chain.tracking_trigger_names(table):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS purge_ledger_no_{verb}")
        op.execute(f"DROP TRIGGER IF EXISTS family_link_removals_no_{verb}")
    op.drop_table("purge_ledger")
    op.drop_index("ix_family_link_removals_related", "family_link_removals")
    op.drop_index("ix_family_link_removals_person", "family_link_removals")
    op.drop_table("family_link_removals")
