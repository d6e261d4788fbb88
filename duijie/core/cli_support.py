"""What every database-backed command needs: open the database named by `--db`, migrated, in one unit of work."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session

from duijie.core.auth import Actor, Grant
from duijie.core.db import make_engine, make_sessionmaker, sqlite_path, unit_of_work, url_for_path
from duijie.core.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])


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


def cli_actor(name: str = "duijie CLI") -> Actor:
    """Who a command acts as: the organiser of every event, because whoever runs it holds the database itself.

    Writes made this way are audited under the user name `cli` (no account id), so the history tells a
    command-line change from a web one.
    """
    return Actor(username="cli", display_name=name, grants=(Grant(role="organiser"),))


LANG_CHOICES = ("zh", "zh_CN", "en")


def _locale_of(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    return "zh_CN" if value == "zh" else value


def lang_option(help: str = "Language of the messages.") -> Callable[[F], F]:
    """`--lang zh|zh_CN|en` (Chinese by default), given to the command as the locale (`zh_CN` or `en`): one
    spelling for every command, so a script need not remember which command wants `zh` and which `zh_CN`."""
    return click.option(
        "--lang", type=click.Choice(LANG_CHOICES), default="zh", show_default=True, callback=_locale_of, help=help
    )
