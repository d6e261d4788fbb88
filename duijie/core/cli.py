"""`duijie serve` and `duijie migrate`.

`serve` migrates the database once, in the parent process, before it starts any worker; the workers then only
connect. Several `serve` or `migrate` started at once on one database do not race: each migration holds the
database's migration lock (see `core.migrate`).
"""

from __future__ import annotations

import os

import click
import uvicorn

from duijie.config import get_settings
from duijie.core.db import make_engine, url_for_path
from duijie.core.migrate import upgrade
from duijie.core.site_secret import session_key
from duijie.core.worker import start_in_process


def migrate_database(url: str, *, secret_key: str | None = None) -> None:
    """Create or upgrade the schema of the database at `url` to the latest migration.

    With `secret_key` (what `serve` passes) it also makes sure the installation's session signing key exists,
    so that the workers about to start all read the same key instead of racing to create it.
    """
    engine = make_engine(url)
    try:
        upgrade(engine)
        if secret_key is not None:
            session_key(engine, secret_key)
    finally:
        engine.dispose()


def run_server(url: str, host: str, port: int, *, workers: int = 1) -> None:
    """Serves the application named by its import string, so that this floor never imports the top one and
    several worker processes can each build their own application from the same settings."""
    os.environ["DUIJIE_DATABASE_URL"] = url
    get_settings.cache_clear()
    # One job worker thread in this process (on SQLite by default: the demo needs no other service).
    start_in_process(url)
    uvicorn.run("duijie.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info", server_header=False)


@click.command()
@click.option(
    "--db", "db_path", default=None, help="SQLite file or database URL (default: DUIJIE_DATABASE_URL)."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(min=1),
    help="Web worker processes; sessions and the signing key live in the database, so any worker serves anyone.",
)
def serve(db_path: str | None, host: str, port: int, workers: int) -> None:
    """Serve the web application and the HTTP API."""
    settings = get_settings()
    url = url_for_path(db_path) if db_path else settings.database_url
    migrate_database(url, secret_key=settings.secret_key)
    plural = "s" if workers > 1 else ""
    click.echo(f"duijie is serving {url} at http://{host}:{port}/ with {workers} worker{plural}")
    run_server(url, host, port, workers=workers)


@click.command()
@click.option(
    "--db", "db_path", default=None, help="SQLite file or database URL (default: DUIJIE_DATABASE_URL)."
)
def migrate(db_path: str | None) -> None:
    """Bring the database schema up to date."""
    url = url_for_path(db_path) if db_path else get_settings().database_url
    migrate_database(url)
    click.echo("schema is up to date")
