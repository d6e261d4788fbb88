"""Operations tests build their own databases (files in a temporary directory, or a PostgreSQL schema of
their own), so backups, restores and concurrent migrations never touch the suite's shared demo database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def schema_url(base: str, schema: str) -> str:
    """`base` with its search path set to `schema`: tables, the migration history and dumps live there."""
    return make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def _reset(base: str, schema: str, *, create: bool) -> None:
    engine = create_engine(base)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            if create:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()


@pytest.fixture
def pg_schema() -> Iterator[Callable[..., str]]:
    """Makes empty PostgreSQL schemas on demand (`make(name)`, or `make(name, other_base_url)`) and drops them
    after the test; skips without DUIJIE_TEST_POSTGRES_URL."""
    base = os.environ.get("DUIJIE_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("DUIJIE_TEST_POSTGRES_URL is not set")
    made: list[tuple[str, str]] = []

    def make(schema: str, on: str | None = None) -> str:
        where = on or base
        _reset(where, schema, create=True)
        made.append((where, schema))
        return schema_url(where, schema)

    yield make
    for where, schema in made:
        _reset(where, schema, create=False)
