"""The search index gets a one-letter prefix index and is merged into one segment.

- The list searches as the DSL types: the last word is a prefix ("fake school l"). Without a
  prefix index FTS5 reads and merges the lists of every word starting with that letter
  (312-384 ms at 50,000 cases for "fake school l"; 34 ms with ``prefix = '1'``). Two-letter and
  longer prefixes have far fewer words to merge. The index grows by about half.
- A rebuilt index (and one filled in batches) is left in many segments, and every search
  merges them: the index is optimised into one (searches at 50,000 cases took about half as
  long). Later single-row writes add small segments that FTS5 merges as it goes.

The rebuild reads every record once: 82 s for 50,000 cases (500,000 chronology entries) on a
busy 2-core machine (load 7-8), after the integrity check and backup every upgrade makes; the
unlock screen says the casebook is being updated meanwhile.

Revision ID: 0016
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0016"
down_revision = "0012"
branch_labels = None
depends_on = None

_v2 = importlib.import_module("casebook.migrations.versions.0002_guards_and_search")
_v12 = importlib.import_module("casebook.migrations.versions.0012_folded_search_and_list_sort")

PREFIX_OPTION = ", prefix = '1'"


def optimize_search_index() -> None:
    op.execute("INSERT INTO case_search(case_search) VALUES ('optimize')")


def upgrade() -> None:
    _v2.drop_search_index()
    _v12.create_search_index(PREFIX_OPTION)
    optimize_search_index()


def downgrade() -> None:
    _v2.drop_search_index()
    _v12.create_search_index()
    optimize_search_index()
