"""Alembic environment: always runs on the already-keyed connection handed in by the app."""

from __future__ import annotations

from alembic import context

from casebook.storage.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - offline SQL generation is not supported
    raise RuntimeError("Casebook migrations run only from the app, on a keyed connection.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
