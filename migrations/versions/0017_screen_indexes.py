"""Indexes for the school-wide screens at 50,000 cases (issue #13).

- platform_reports(body, status, recipient): "Reports to platforms" counts its reports and the
  refusals per platform, and finds the refusals and silences to escalate, from the index alone.
- platform_reports(status, made_at, outcome_at, recipient): the reports waiting for more than
  48 hours (reminders, the dashboard's "waiting" number) and the days each platform took to
  answer (the tracker's figures), without reading every report's text.
- cases(status, risk) and cases(opened_at, case_type): the dashboard counts open cases by risk
  and the cases opened each month by type from the indexes (GROUP BY), not from the rows.

Revision ID: 0017
Revises: 0015
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None

#: (name, table, columns), created in this order and dropped in reverse.
INDEXES: tuple[tuple[str, str, list[str]], ...] = (
    ("ix_platform_reports_body_status", "platform_reports", ["body", "status", "recipient"]),
    ("ix_platform_reports_status_made", "platform_reports",
     ["status", "made_at", "outcome_at", "recipient"]),
    ("ix_cases_status_risk", "cases", ["status", "risk"]),
    ("ix_cases_opened_type", "cases", ["opened_at", "case_type"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
