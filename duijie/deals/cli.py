"""`duijie import`: project and deal sheets in, all or nothing (`duijie export` is insight's)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from duijie.core.cli_support import cli_actor, open_db


class Refused(Exception):
    """The file was refused; raised inside the unit of work so that nothing is committed."""


@click.command("import")
@click.option("--db", "db_path", default="duijie.db", show_default=True, help="SQLite file or database URL.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--valid-only", is_flag=True, help="Import the valid rows and skip the rows with errors.")
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change; write nothing.")
def import_sheet(db_path: str, file: Path, valid_only: bool, dry_run: bool) -> None:
    """Import a project or deal sheet (.xlsx or .csv, Chinese or English headers); all or nothing."""
    from duijie.deals.sheets import import_file

    data = file.read_bytes()
    report = None
    try:
        with open_db(db_path) as db:
            report = import_file(
                db, actor=cli_actor(), filename=file.name, data=data, valid_only=valid_only, dry_run=dry_run
            )
            if report.refused or dry_run:
                raise Refused
    except Refused:
        pass
    assert report is not None
    for error in report.errors:
        click.echo(error, err=True)
    for sheet in report.skipped_sheets:
        click.echo(f"skipped sheet {sheet!r} (no 项目编号 / external id column)", err=True)
    for sheet, columns in report.ignored_columns.items():
        click.echo(f"ignored columns in {sheet!r}: {', '.join(columns)}", err=True)
    s = report.summary
    state = "refused" if report.refused else ("dry run" if dry_run else "imported")
    click.echo(
        f"{state}: created {s['created']}, updated {s['updated']}, unchanged {s['unchanged']}, errors {s['errors']}"
    )
    if report.refused:
        sys.exit(1)
