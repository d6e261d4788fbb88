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
    """Import a project or deal sheet (.xlsx or .csv, Chinese or English headers); all or nothing.

    Exit codes: 1 when the file's rows are refused, 2 when the file itself is (beyond a size limit, or not a
    readable workbook or CSV file)."""
    from duijie.core.errors import DomainError
    from duijie.core.i18n import gettext as _
    from duijie.core.sheets import MAX_CSV_BYTES, MAX_UNZIPPED_BYTES, check_workbook
    from duijie.deals.sheets import import_file

    limit = MAX_CSV_BYTES if file.suffix.lower() == ".csv" else MAX_UNZIPPED_BYTES
    if file.stat().st_size > limit:
        # Refused before the file is read into memory at all.
        click.echo(_("The file is larger than %(n)s MB.") % {"n": limit // (1024 * 1024)}, err=True)
        sys.exit(2)
    data = file.read_bytes()
    report = None
    try:
        if file.suffix.lower() == ".xlsx":
            check_workbook(data)  # before the database is even opened
        with open_db(db_path) as db:
            report = import_file(
                db, actor=cli_actor(), filename=file.name, data=data, valid_only=valid_only, dry_run=dry_run
            )
            if report.refused or dry_run:
                raise Refused
    except Refused:
        pass
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(2)
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
