"""What platform report forms ask and the record lacked: the account's numeric id, and when
each screenshot was captured (not when the file was added to the casebook). Both columns
default to NULL, which the row hashes leave out, so audited rows keep their hashes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("social_accounts", sa.Column("platform_account_id", sa.String(100)))
    op.add_column("evidence", sa.Column("captured_at", sa.DateTime()))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+): a batch copy would drop the tables' triggers.
    op.execute("ALTER TABLE evidence DROP COLUMN captured_at")
    op.execute("ALTER TABLE social_accounts DROP COLUMN platform_account_id")
