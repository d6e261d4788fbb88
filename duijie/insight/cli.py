"""`duijie stats`: the released and signed figures of an event (or a period, district, industry), computed
from its records; `duijie export`: project and deal lists and the statistics report as .xlsx or .csv."""

from __future__ import annotations

import json
from pathlib import Path

import click

from duijie.core.cli_support import cli_actor, open_db


@click.command()
@click.option("--db", "db_path", default="duijie.db", show_default=True, help="SQLite file or database URL.")
@click.option("--event", "event", default=None, help="Event id, e.g. invest-beijing-2023.")
@click.option("--period", default=None, help="Events held in 2024, 2024-05 or 2024-01-01..2024-06-30.")
@click.option("--district", default=None, help="Only this district, e.g. 海淀区.")
@click.option("--industry", default=None, help="Only this industry, e.g. 人工智能.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@click.option(
    "--breakdown", is_flag=True, help="Also break the released projects down by category, industry, district."
)
@click.option(
    "--full", is_flag=True, help="Print the whole report: breakdowns of signed deals, funnel, comparison."
)
def stats(
    db_path: str,
    event: str | None,
    period: str | None,
    district: str | None,
    industry: str | None,
    fmt: str,
    breakdown: bool,
    full: bool,
) -> None:
    """Released and signed project counts and amounts (亿元) of an event, a period or everything."""
    from duijie.insight.queries import compute_stats, make_scope
    from duijie.insight.report import stats_report

    if not (event or period):
        raise click.UsageError("name an --event or a --period")
    with open_db(db_path) as db:
        scope = make_scope(db, event=event, period=period, district=district, industry=industry)
        result = compute_stats(db, scope)
        report = stats_report(db, scope) if full else None
        payload: dict[str, object] = result.headline()
        if breakdown:
            payload["negotiating"] = result.negotiating.as_dict()
            payload["landed"] = result.landed.as_dict()
            for name in ("by_category", "by_industry", "by_district"):
                payload[name] = {k: v.as_dict() for k, v in getattr(result, name).items()}
        title = f"{scope.event.name_zh} ({scope.event.slug})" if scope.event else f"{scope.slug}"
    if report is not None:
        payload = dict(report)
        payload["published"] = {k: format(v, "f") for k, v in report["published"].items()}
    if fmt == "json":
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    filters = ", ".join(f"{k}={v}" for k, v in (("district", district), ("industry", industry)) if v)
    click.echo(title + (f" [{filters}]" if filters else ""))
    click.echo(f"  发布项目 released: {result.released.count} 个, {result.released.amount_yi} 亿元")
    click.echo(f"  签约项目 signed:   {result.signed.count} 个, {result.signed.amount_yi} 亿元")
    if breakdown or full:
        click.echo(
            f"  洽谈中 negotiating: {result.negotiating.count} 个, {result.negotiating.amount_yi} 亿元"
        )
        click.echo(f"  已落地 landed:     {result.landed.count} 个, {result.landed.amount_yi} 亿元")
        for name in ("by_category", "by_industry", "by_district"):
            click.echo(f"  {name}:")
            for key, fig in getattr(result, name).items():
                click.echo(f"    {key}: {fig.count} 个, {fig.amount_yi} 亿元")
    if report is not None:
        for name in ("signed_by_category", "signed_by_industry", "signed_by_district", "signed_by_country"):
            click.echo(f"  {name}:")
            for key, fig in report[name].items():
                click.echo(f"    {key}: {fig['count']} 个, {fig['amount_yi']} 亿元")
        click.echo("  funnel:")
        for step in report["funnel"]:
            rate = f" ({step['rate_previous_pct']}%)" if step["rate_previous_pct"] is not None else ""
            click.echo(f"    {step['key']}: {step['count']}{rate}")
        click.echo("  comparison:")
        for row in report["comparison"]:
            click.echo(
                f"    {row['label_zh']}: released {row['released']['count']} 个 {row['released']['amount_yi']} 亿元,"
                f" signed {row['signed']['count']} 个 {row['signed']['amount_yi']} 亿元"
            )


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
    from duijie.deals.schemas import DealFilters
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
            deals, count, _p, _pages = deal_service.list_deals(
                db, actor=cli_actor(), filters=DealFilters(event=event), page=1, page_size=10**9
            )
            data = exports.deals_file(deals, fmt=fmt, filters={"event": event})
        else:
            data = exports.stats_file(db, make_scope(db, event=event), fmt=fmt)
            count = 1
    output.write_bytes(data)
    click.echo(f"wrote {output} ({what}, {count} rows)" if what != "stats" else f"wrote {output} (stats)")
