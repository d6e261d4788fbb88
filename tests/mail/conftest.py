"""The mail tests send through a real SMTP server on loopback (`tests.fixtures.smtp`); the tests with several
workers use a database of their own (a SQLite file, or a PostgreSQL database next to the suite's), since workers
in other threads and processes must see committed rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from tests.conftest import POSTGRES_URL
from tests.fixtures.smtp import mail_to, smtp_server

__all__ = ["fresh_database", "mail_to", "smtp_server"]


def _admin() -> Engine:
    assert POSTGRES_URL
    return make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A migrated, empty database of the test's own and its engine."""
    if request.param == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("DUIJIE_TEST_POSTGRES_URL is not set")
        url = make_url(POSTGRES_URL)
        name = f"{url.database}_mail"
        admin = _admin()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        database_url = url.set(database=name).render_as_string(hide_password=False)
    else:
        database_url = f"sqlite:///{tmp_path / 'mail.db'}"
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        yield database_url, engine
    finally:
        engine.dispose()
        if request.param == "postgresql":
            admin = _admin()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(database_url).database}" WITH (FORCE)'))
            admin.dispose()
