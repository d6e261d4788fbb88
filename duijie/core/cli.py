"""`duijie serve` and `duijie migrate`."""

from __future__ import annotations

import os

import click

from duijie.core.db import url_for_path


def migrate_database(url: str) -> None:
    """Create or upgrade the schema of the database at `url` to the latest migration."""
    from duijie.core.db import make_engine
    from duijie.core.migrate import upgrade

    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def run_server(url: str, host: str, port: int, *, workers: int = 1) -> None:
    """Serves the application named by its import string, so that this floor never imports the top one and
    several worker processes can each build their own application from the same settings."""
    import uvicorn

    from duijie.config import get_settings

    os.environ["DUIJIE_DATABASE_URL"] = url
    get_settings.cache_clear()
    uvicorn.run("duijie.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info", server_header=False)


@click.command()
@click.option(
    "--db", "db_path", default=None, help="SQLite file or database URL (default: DUIJIE_DATABASE_URL)."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(db_path: str | None, host: str, port: int) -> None:
    """Serve the web application and the HTTP API."""
    from duijie.config import get_settings

    url = url_for_path(db_path) if db_path else get_settings().database_url
    migrate_database(url)
    click.echo(f"duijie is serving {url} at http://{host}:{port}/")
    run_server(url, host, port)


@click.command()
@click.option(
    "--db", "db_path", default=None, help="SQLite file or database URL (default: DUIJIE_DATABASE_URL)."
)
def migrate(db_path: str | None) -> None:
    """Bring the database schema up to date."""
    url = url_for_path(db_path) if db_path else os.environ.get("DUIJIE_DATABASE_URL", "sqlite:///duijie.db")
    migrate_database(url)
    click.echo("schema is up to date")
