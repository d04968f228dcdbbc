"""Guards that keep the record honest, and the full-text search index.

- audit_log and chronology are append-only (UPDATE/DELETE refused by triggers);
- an evidence item's hash and size are fixed once recorded;
- case_search (FTS5) is kept in step by triggers. Its rowid encodes the source row:
  ``rowid = source_id * 8 + kind`` so an update replaces exactly one index row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# kind codes in the FTS rowid
SOURCES = {
    # table: (kind, SQL expression for the indexed text, case id expression)
    "cases": (0, "NEW.reference || ' ' || NEW.title || ' ' || NEW.summary", "NEW.id"),
    "chronology": (1, "NEW.text", "NEW.case_id"),
    "decisions": (2, "NEW.what || ' ' || NEW.why || ' ' || NEW.who", "NEW.case_id"),
    "actions": (3, "NEW.description || ' ' || NEW.owner", "NEW.case_id"),
    "people": (4, "NEW.name || ' ' || NEW.notes", "NEW.case_id"),
    "social_accounts": (5, "NEW.platform || ' ' || NEW.handle || ' ' || coalesce(NEW.url, '') || ' ' || NEW.notes", "NEW.case_id"),
    "evidence": (6, "coalesce(NEW.filename, '') || ' ' || NEW.description || ' ' || NEW.source || ' ' || coalesce(NEW.url, '')", "NEW.case_id"),
    "case_steps": (7, "NEW.data_json", "NEW.case_id"),
}

APPEND_ONLY = ("audit_log", "chronology")


def upgrade() -> None:
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    op.execute(
        "CREATE TRIGGER evidence_hash_fixed BEFORE UPDATE OF sha256, size ON evidence "
        "WHEN OLD.sha256 IS NOT NULL "
        "BEGIN SELECT RAISE(ABORT, 'an evidence hash cannot change'); END"
    )
    create_search_index()


def create_search_index() -> None:
    """The search index as this revision defined it (0005 replaces it and restores it on
    downgrade)."""
    op.execute(
        "CREATE VIRTUAL TABLE case_search USING fts5("
        "body, case_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
    )
    for table, (kind, text, case_id) in SOURCES.items():
        op.execute(
            f"CREATE TRIGGER {table}_search_ins AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO case_search(rowid, body, case_id) "
            f"VALUES (NEW.id * 8 + {kind}, {text}, {case_id}); END"
        )
        # Index what an older casebook already holds (the triggers only see new rows).
        op.execute(
            f"INSERT INTO case_search(rowid, body, case_id) "
            f"SELECT id * 8 + {kind}, {_old_rows(text)}, {_old_rows(case_id)} FROM {table}"
        )
        if table not in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_search_upd AFTER UPDATE ON {table} BEGIN "
                f"DELETE FROM case_search WHERE rowid = OLD.id * 8 + {kind}; "
                f"INSERT INTO case_search(rowid, body, case_id) "
                f"VALUES (NEW.id * 8 + {kind}, {text}, {case_id}); END"
            )
            op.execute(
                f"CREATE TRIGGER {table}_search_del AFTER DELETE ON {table} BEGIN "
                f"DELETE FROM case_search WHERE rowid = OLD.id * 8 + {kind}; END"
            )


def _old_rows(expression: str) -> str:
    """The trigger expression, rewritten to read existing rows instead of ``NEW``."""
    return expression.replace("NEW.", "")


def drop_search_index() -> None:
    for table in SOURCES:
        for suffix in ("ins", "upd", "del"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search_{suffix}")
    op.execute("DROP TABLE IF EXISTS case_search")


def downgrade() -> None:
    drop_search_index()
    op.execute("DROP TRIGGER IF EXISTS evidence_hash_fixed")
    for table in APPEND_ONLY:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
