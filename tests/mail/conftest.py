"""The mail tests send through a real SMTP server on loopback (`tests.fixtures.smtp`); the tests with several
workers use a database of their own (a SQLite file, or a PostgreSQL database next to the suite's), since workers
in other threads and processes must see committed rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import own_database
from tests.fixtures.smtp import mail_to, smtp_server

__all__ = ["fresh_database", "mail_to", "smtp_server"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A migrated, empty database of the test's own and its engine."""
    with own_database(request.param, tmp_path, "mail") as made:
        yield made
