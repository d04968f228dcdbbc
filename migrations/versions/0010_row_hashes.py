"""Tamper evidence against a key-holder: every audit entry names the rows it left behind.

- audit_log.row_hashes: JSON of {"table:key": sha256 of the row's canonical content};
- audit_pending and one trigger per write on each audited table note which rows a write
  touched, so the next audit entry records their hashes (see casebook.storage.chain);
- an existing casebook gets a baseline entry ("hashes first recorded at upgrade"), so verify on
  an upgraded file is clean and any later change made outside Casebook shows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from casebook.storage import chain

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BASELINE_REASON = "hashes first recorded at upgrade"


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("audit_log")}
    if "row_hashes" not in columns:  # a downgrade keeps it (see below)
        op.execute("ALTER TABLE audit_log ADD COLUMN row_hashes TEXT NOT NULL DEFAULT ''")
    op.execute(
        "CREATE TABLE audit_pending (tbl TEXT NOT NULL, pk NOT NULL, PRIMARY KEY (tbl, pk)) "
        "WITHOUT ROWID"
    )
    conn = op.get_bind().connection.dbapi_connection
    for table in chain.existing_tables(conn):
        for ddl in chain.tracking_triggers(table):
            op.execute(ddl)
    if chain.head(conn)[0] > 0:  # an existing casebook (a new one starts its log after this)
        chain.record_baseline(conn, BASELINE_REASON)


def downgrade() -> None:
    """Stops tracking rows. audit_log.row_hashes stays: entries written since 0010 are hashed
    over it, and dropping it would make their chain unverifiable."""
    for table in chain.AUDITED_TABLES:
        for name in chain.tracking_trigger_names(table):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS audit_pending")
