"""People register: learners, staff, parents and carers held once, linked to cases; family
links; legal holds; transfers; and a purge permit the append-only triggers honour.

Existing free-text people on cases move into the register: one register entry per person
row, except that rows of the same kind with the same name and a known, equal date of birth
become one entry (without a date of birth two "Sam"s may be different people, so they stay
apart and the DSL can merge them).

The append-only guards on chronology and evidence stay, but give way for the one case named in
``purge_permits`` — a row that only exists inside the retention purge's own transaction.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_PERMIT = "NOT EXISTS (SELECT 1 FROM purge_permits p WHERE p.case_id = {case})"
_CHUNK_CASE = "(SELECT e.case_id FROM evidence e WHERE e.id = OLD.evidence_id)"
# (trigger, table, message as 0002/0004/0008 wrote it, the case the deleted row belongs to)
_GUARDS = (
    ("chronology_no_delete", "chronology", "chronology is append-only", "OLD.case_id"),
    ("evidence_no_delete", "evidence", "evidence items cannot be deleted", "OLD.case_id"),
    ("evidence_chunks_no_delete", "evidence_chunks", "stored evidence cannot be changed",
     _CHUNK_CASE),
    ("corrections_no_delete", "corrections", "corrections is append-only", "OLD.case_id"),
)


def upgrade() -> None:
    op.create_table(
        "register_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("upn", sa.String(length=13), nullable=True),
        sa.Column("forename", sa.String(length=100), nullable=False),
        sa.Column("surname", sa.String(length=100), nullable=False),
        sa.Column("preferred_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("year_group", sa.String(length=40), nullable=False),
        sa.Column("registration_group", sa.String(length=40), nullable=False),
        sa.Column("on_roll", sa.Boolean(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("job_title", sa.String(length=100), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("received_from", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("upn"),
    )
    op.create_index("ix_register_people_name", "register_people", ["surname", "forename"])
    op.create_index("ix_register_people_kind", "register_people", ["kind"])
    op.create_table(
        "family_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["register_people.id"]),
        sa.ForeignKeyConstraint(["related_id"], ["register_people.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "related_id", "relation", name="uq_family_links"),
    )
    op.create_index("ix_family_links_related_id", "family_links", ["related_id"])
    op.create_table(
        "person_links",
        sa.Column("case_person_id", sa.Integer(), nullable=False),
        sa.Column("register_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["case_person_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["register_id"], ["register_people.id"]),
        sa.PrimaryKeyConstraint("case_person_id"),
    )
    op.create_index("ix_person_links_register_id", "person_links", ["register_id"])
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("register_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("placed_by", sa.String(length=200), nullable=False),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["register_id"], ["register_people.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_legal_holds_register_id", "legal_holds", ["register_id"])
    op.create_index("ix_legal_holds_case_id", "legal_holds", ["case_id"])
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("register_id", sa.Integer(), nullable=True),
        sa.Column("school", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("chased_at", sa.DateTime(), nullable=True),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.Column("keep_until", sa.Date(), nullable=True),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["register_id"], ["register_people.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_index("ix_transfers_register_id", "transfers", ["register_id"])
    op.create_table(
        "purge_permits",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )
    for name, table, message, case in _GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(
            f"CREATE TRIGGER {name} BEFORE DELETE ON {table} "
            f"WHEN {_PERMIT.format(case=case)} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
    _move_free_text_people()


def _split(name: str) -> tuple[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return name.strip(), ""
    return " ".join(parts[:-1]), parts[-1]


def _move_free_text_people() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, name, kind, date_of_birth, year_group, created_at FROM people ORDER BY id"
    )).fetchall()
    seen: dict[tuple[str, str, str], int] = {}
    now = datetime.now().replace(microsecond=0)
    for row in rows:
        key = (row.kind, " ".join(row.name.split()).casefold(), str(row.date_of_birth))
        register_id = seen.get(key) if row.date_of_birth else None
        if register_id is None:
            forename, surname = _split(row.name)
            register_id = conn.execute(sa.text(
                "INSERT INTO register_people (kind, upn, forename, surname, preferred_name, "
                "date_of_birth, year_group, registration_group, on_roll, left_on, job_title, "
                "notes, received_from, created_at, updated_at) VALUES (:kind, NULL, :forename, "
                ":surname, '', :dob, :year, '', 1, NULL, '', '', '', :created, :now) "
                "RETURNING id"
            ), {"kind": row.kind, "forename": forename[:100], "surname": surname[:100],
                "dob": row.date_of_birth, "year": (row.year_group or "")[:40],
                "created": row.created_at or now, "now": now}).scalar_one()
            seen[key] = register_id
        conn.execute(sa.text(
            "INSERT INTO person_links (case_person_id, register_id, outcome) "
            "VALUES (:person, :register, '')"
        ), {"person": row.id, "register": register_id})


def downgrade() -> None:
    for name, table, message, _case in _GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} BEFORE DELETE ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
    op.drop_table("purge_permits")
    op.drop_index("ix_transfers_register_id", "transfers")
    op.drop_table("transfers")
    op.drop_index("ix_legal_holds_case_id", "legal_holds")
    op.drop_index("ix_legal_holds_register_id", "legal_holds")
    op.drop_table("legal_holds")
    op.drop_index("ix_person_links_register_id", "person_links")
    op.drop_table("person_links")
    op.drop_index("ix_family_links_related_id", "family_links")
    op.drop_table("family_links")
    op.drop_index("ix_register_people_kind", "register_people")
    op.drop_index("ix_register_people_name", "register_people")
    op.drop_table("register_people")
