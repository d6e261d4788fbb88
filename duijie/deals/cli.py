"""`duijie import` and `duijie export`: project and deal sheets in and out, statistics reports out."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from duijie.core.cli_support import open_db


def _cli_actor():  # type: ignore[no-untyped-def]
    """The command line acts as the organiser: whoever runs it has the database file."""
    from duijie.core.auth import Actor, Grant

    return Actor(username="cli", display_name="duijie CLI", grants=(Grant(role="organiser"),))


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
                db, actor=_cli_actor(), filename=file.name, data=data, valid_only=valid_only, dry_run=dry_run
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


@click.command("export")
@click.option("--db", "db_path", default="duijie.db", show_default=True, help="SQLite file or database URL.")
@click.argument("what", type=click.Choice(["projects", "deals", "stats"]))
@click.option("--event", default=None, help="Only this event, e.g. invest-beijing-2024 (required for stats).")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write; .xlsx or .csv.",
)
def export_sheet(db_path: str, what: str, event: str | None, output: Path) -> None:
    """Export projects, deals or the statistics report as .xlsx (with a summary sheet) or .csv."""
    from duijie.deals import service as deal_service
    from duijie.insight import exports
    from duijie.insight.queries import make_scope

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in exports.FORMATS:
        raise click.UsageError("the output file must end in .xlsx or .csv")
    if what == "stats" and not event:
        raise click.UsageError("stats needs --event")
    with open_db(db_path) as db:
        if what == "projects":
            items = exports.all_projects(db, event=event)
            data = exports.projects_file(items, fmt=fmt, with_contacts=True, filters={"event": event})
            count = len(items)
        elif what == "deals":
            deals, count, _p, _pages = deal_service.list_deals(db, event=event, page=1, page_size=10**9)
            data = exports.deals_file(deals, fmt=fmt, filters={"event": event})
        else:
            if event:
                from duijie.insight.queries import resolve_event

                resolve_event(db, event)
            data = exports.stats_file(db, make_scope(db, event=event), fmt=fmt)
            count = 1
    output.write_bytes(data)
    click.echo(f"wrote {output} ({what}, {count} rows)" if what != "stats" else f"wrote {output} (stats)")
