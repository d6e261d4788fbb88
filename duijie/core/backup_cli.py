"""`duijie backup` and `duijie restore`: the command-line face of `core.backup`."""

from __future__ import annotations

from pathlib import Path

import click

from duijie.config import get_settings
from duijie.core.backup import BackupError, backup, restore, sidecar
from duijie.core.db import url_for_path

DB_HELP = "SQLite file or database URL (default: DUIJIE_DATABASE_URL)."


class BackupFailed(click.ClickException):
    """A refused or failed backup or restore: the message on stderr, exit code 2, no traceback."""

    exit_code = 2


def _url(db_path: str | None) -> str:
    return url_for_path(db_path) if db_path else get_settings().database_url


@click.command("backup")
@click.option("--db", "db_path", default=None, help=DB_HELP)
@click.option(
    "--output", "output", required=True, type=click.Path(path_type=Path),
    help="The backup file to write; its description goes beside it as FILE.json.",
)
def backup_command(db_path: str | None, output: Path) -> None:
    """Back the database up while it serves: a consistent copy plus a description (FILE.json)."""
    try:
        info = backup(_url(db_path), output)
    except BackupError as exc:
        raise BackupFailed(str(exc)) from exc
    rows = sum(info.tables.values())
    click.echo(
        f"backed up {len(info.tables)} tables ({rows} rows, schema revision {info.revision}) to {output} "
        f"and {sidecar(output).name}"
    )


@click.command("restore")
@click.option("--db", "db_path", default=None, help=DB_HELP)
@click.option(
    "--input", "data_file", required=True, type=click.Path(path_type=Path),
    help="A backup file written by `duijie backup` (with its FILE.json beside it).",
)
@click.option("--force", is_flag=True, help="Replace a database that already holds tables.")
def restore_command(db_path: str | None, data_file: Path, force: bool) -> None:
    """Restore a backup into a database (stop the server first), then bring its schema up to date."""
    try:
        report = restore(_url(db_path), data_file, force=force)
    except BackupError as exc:
        raise BackupFailed(str(exc)) from exc
    info = report.info
    click.echo(f"restored {len(info.tables)} tables ({sum(info.tables.values())} rows) taken {info.created_at}")
    if report.migrated_from:
        click.echo(f"schema migrated from revision {report.migrated_from} to the current one")
