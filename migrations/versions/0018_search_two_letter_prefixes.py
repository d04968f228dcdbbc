"""The search index gets two-letter prefixes too.

The list searches as the DSL types, the last word a prefix: after a pause at "screenshots pa"
FTS5 read and merged every indexed word starting with "pa" (parent, parents, pastoral, each
handle like "jamie_parent123"): 63 ms for that part alone at 50,000 cases, the whole search
49-53 ms, where "screenshots p" (one-letter prefix index, 0016) took 31 ms. With two-letter
prefixes indexed it reads one list: 16 ms. Three letters and more begin fewer words; they are
left as they are (a prefix index per length grows the index by about half each time).

The index is rebuilt from every record, as 0016 did, and merged into one segment: the same
rows, the same matches. At 50,000 cases the index grows from 212 to 320 MB (the casebook file
by 6 %) and the rebuild took 61 s on a busy 2-core machine (load 2.4-3.4), after the check and
backup every upgrade makes; the unlock screen says the casebook is being updated meanwhile.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29
"""

from __future__ import annotations

import importlib

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_v2 = importlib.import_module("casebook.migrations.versions.0002_guards_and_search")
_v12 = importlib.import_module("casebook.migrations.versions.0012_folded_search_and_list_sort")
_v16 = importlib.import_module("casebook.migrations.versions.0016_search_prefix_index")

PREFIX_OPTION = ", prefix = '1 2'"


def upgrade() -> None:
    _v2.drop_search_index()
    _v12.create_search_index(PREFIX_OPTION)
    _v16.optimize_search_index()


def downgrade() -> None:
    _v2.drop_search_index()
    _v12.create_search_index(_v16.PREFIX_OPTION)
    _v16.optimize_search_index()
