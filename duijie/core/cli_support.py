"""What every database-backed command needs: open the database named by `--db`, migrated, in one unit of work."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from duijie.core.db import make_engine, make_sessionmaker, sqlite_path, unit_of_work, url_for_path
from duijie.core.errors import DomainError


@contextmanager
def open_db(path: str, *, must_exist: bool = True) -> Iterator[Session]:
    """A session on the database at `path` (a SQLite file or a URL), committed when the block succeeds."""
    import os

    url = url_for_path(path)
    file = sqlite_path(url)
    if must_exist and file is not None and not os.path.exists(file):
        raise click.ClickException(
            f"database file {file} does not exist (build it with `duijie demo --db {file} --no-serve`)"
        )
    engine = make_engine(url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as db:
            yield db
    except DomainError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    finally:
        engine.dispose()
