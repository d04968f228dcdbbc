"""Fast case lists, and evidence that cannot be quietly removed.

- actions(case_id, done_at, due_date): the case list counts each case's overdue actions; the
  older (done_at, due_date) index made that walk every open action per case (0.6-1.4 s for a
  search at 10,000 cases, 40 ms with this index; see bench/README.md).
- evidence_chunks are write-once and evidence items are never deleted: chain of custody.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_actions_case_open_due", "actions", ["case_id", "done_at", "due_date"])
    op.create_index("ix_case_steps_case_status", "case_steps", ["case_id", "status"])
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER evidence_chunks_no_{verb.lower()} BEFORE {verb} ON evidence_chunks "
            "BEGIN SELECT RAISE(ABORT, 'stored evidence cannot be changed'); END"
        )
    op.execute(
        "CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence "
        "BEGIN SELECT RAISE(ABORT, 'evidence items cannot be deleted'); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS evidence_no_delete")
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS evidence_chunks_no_{verb}")
    op.drop_index("ix_case_steps_case_status", "case_steps")
    op.drop_index("ix_actions_case_open_due", "actions")
