"""Alembic environment: one migration history for SQLite and PostgreSQL (batch mode for SQLite's ALTERs)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from duijie.config import get_settings
from duijie.core.db import Base, make_engine
from duijie.core.registry import load_all_models
from duijie.text.models import include_name

load_all_models()
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,  # the search index the database keeps itself (FTS5, tsvector)
    )


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("duijie migrations run online only: set DUIJIE_DATABASE_URL and run `duijie migrate`")
run_migrations_online()
