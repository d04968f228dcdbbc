"""Search answers "which cases?" from the index alone.

The 0002 index kept the case id in a stored column, so a common word (e.g. "instagram",
thousands of hits) meant reading and decrypting thousands of content rows: ~130 ms at
10,000 cases. Here the case id is the top of the FTS rowid,
``rowid = case_id << 32 | kind << 28 | source_id``, so the matching cases come straight from
the index's doclists, and the table is contentless (the text is not stored twice).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_v2 = importlib.import_module("casebook.migrations.versions.0002_guards_and_search")


def _rowid(prefix: str, kind: int, case_id: str) -> str:
    return f"(({case_id} << 32) | ({kind} << 28) | {prefix}id)"


def upgrade() -> None:
    _v2.drop_search_index()
    op.execute(
        "CREATE VIRTUAL TABLE case_search USING fts5(body, content = '', "
        "contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2')"
    )
    for table, (kind, text, case_id) in _v2.SOURCES.items():
        new_id = _rowid("NEW.", kind, case_id)
        old_id = _rowid("OLD.", kind, case_id.replace("NEW.", "OLD."))
        op.execute(
            f"CREATE TRIGGER {table}_search_ins AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO case_search(rowid, body) VALUES ({new_id}, {text}); END"
        )
        op.execute(
            f"INSERT INTO case_search(rowid, body) "
            f"SELECT {_rowid('', kind, case_id.replace('NEW.', ''))}, "
            f"{text.replace('NEW.', '')} FROM {table}"
        )
        if table not in _v2.APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_search_upd AFTER UPDATE ON {table} BEGIN "
                f"DELETE FROM case_search WHERE rowid = {old_id}; "
                f"INSERT INTO case_search(rowid, body) VALUES ({new_id}, {text}); END"
            )
            op.execute(
                f"CREATE TRIGGER {table}_search_del AFTER DELETE ON {table} BEGIN "
                f"DELETE FROM case_search WHERE rowid = {old_id}; END"
            )


def downgrade() -> None:
    _v2.drop_search_index()
    _v2.create_search_index()
