"""`duijie stats`: the event's released and signed figures, computed from its records."""

from __future__ import annotations

import json

import click

from duijie.core.cli_support import open_db


@click.command()
@click.option("--db", "db_path", default="duijie.db", show_default=True, help="SQLite file or database URL.")
@click.option("--event", "event", required=True, help="Event id, e.g. invest-beijing-2023.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@click.option(
    "--breakdown", is_flag=True, help="Also break the released projects down by category, industry, district."
)
def stats(db_path: str, event: str, fmt: str, breakdown: bool) -> None:
    """Released and signed project counts and amounts (亿元) of an event."""
    from duijie.insight.queries import event_stats, resolve_event

    with open_db(db_path) as db:
        ev = resolve_event(db, event)
        result = event_stats(db, ev)
        payload: dict[str, object] = result.headline()
        if breakdown:
            payload["negotiating"] = result.negotiating.as_dict()
            payload["landed"] = result.landed.as_dict()
            for name in ("by_category", "by_industry", "by_district"):
                payload[name] = {k: v.as_dict() for k, v in getattr(result, name).items()}
    if fmt == "json":
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    click.echo(f"{ev.name_zh} ({ev.slug})")
    click.echo(f"  发布项目 released: {result.released.count} 个, {result.released.amount_yi} 亿元")
    click.echo(f"  签约项目 signed:   {result.signed.count} 个, {result.signed.amount_yi} 亿元")
    if breakdown:
        for name in ("by_category", "by_industry", "by_district"):
            click.echo(f"  {name}:")
            for key, fig in getattr(result, name).items():
                click.echo(f"    {key}: {fig.count} 个, {fig.amount_yi} 亿元")
