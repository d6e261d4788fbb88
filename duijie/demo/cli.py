"""`duijie demo`: build the demo database if it is absent, print the accounts, and serve it."""

from __future__ import annotations

import os

import click

from duijie.core.db import sqlite_path, url_for_path


@click.command()
@click.option(
    "--db",
    "db_path",
    default="duijie.db",
    show_default=True,
    help="SQLite file (or database URL) for the demo.",
)
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the demo after building it.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--rebuild", is_flag=True, help="Delete an existing SQLite demo file and build it again.")
def demo(db_path: str, serve: bool, host: str, port: int, rebuild: bool) -> None:
    """Build the demo from the source documents' facts (if absent) and serve it on 127.0.0.1."""
    from sqlalchemy import select

    from duijie.core.cli import migrate_database, run_server
    from duijie.core.db import make_engine, make_sessionmaker, unit_of_work
    from duijie.demo.builder import build_demo
    from duijie.directory.demo import DEMO_ACCOUNTS
    from duijie.events.models import Event

    url = url_for_path(db_path)
    file = sqlite_path(url)
    if rebuild and file and os.path.exists(file):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(file + suffix):
                os.remove(file + suffix)
    migrate_database(url)
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as db:
        if db.scalar(select(Event.id).limit(1)) is None:
            click.echo("building the demo data set ...", err=True)
            summary = build_demo(db)
            click.echo(
                f"built {summary.events} events, {summary.organisations} organisations, "
                f"{summary.opportunities} projects, {summary.deals} deals",
                err=True,
            )
        else:
            click.echo(f"using the existing demo database {file or url}", err=True)
    engine.dispose()
    click.echo("demo accounts (username / password):")
    for acc in DEMO_ACCOUNTS:
        click.echo(f"  {acc.username:<11} {acc.password:<17} {acc.who}")
    if serve:
        click.echo(f"duijie demo: http://{host}:{port}/", err=False)
        run_server(url, host, port)
