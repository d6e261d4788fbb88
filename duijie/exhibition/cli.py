"""`duijie exhibition`: booth allocation on plain files (a floor plan in JSON in, the allocation in JSON out),
an independent check of an allocation, and a generated floor plan of the forum's size."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from duijie.core.errors import DomainError
from duijie.exhibition.booths import FloorPlan, allocate, check, generate, read_plan, score


@click.group("exhibition")
def exhibition() -> None:
    """Booths: allocate, check, generate."""


def _plan(path: Path) -> FloorPlan:
    try:
        return read_plan(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        click.echo(f"{path}: not JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}", err=True)
        sys.exit(2)
    except DomainError as exc:
        for detail in exc.details:
            click.echo(f"{path}: {detail.message}", err=True)
        sys.exit(2)


@exhibition.command("allocate")
@click.option(
    "--input", "input_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True
)
@click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--seconds", type=float, default=60.0, show_default=True, help="Time budget.")
def allocate_command(input_path: Path, output_path: Path, seconds: float) -> None:
    """Allocate the booths of a floor plan (JSON: booths, exhibitors, zones) and write where each exhibitor
    stands, why, and the bound the result is measured against. Exit 2 on a plan that cannot be read or
    satisfied; the allocation is re-checked before it is written."""
    plan = _plan(input_path)
    try:
        result = allocate(plan, seconds=seconds)
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(2)
    problems = check(plan, result.booth_of)
    if problems:  # never written: an allocation that breaks a rule is a bug, not a result
        for p in problems:
            click.echo(f"rule broken: {p}", err=True)
        sys.exit(3)
    output_path.write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    placed = sum(result.tier_counts.values())
    bounds = sum(result.tier_bounds.values())
    gap = "—" if result.gap is None else f"{result.gap:.3%}"
    click.echo(
        f"placed {placed} of {len(plan.exhibitors)} exhibitors (bound {bounds}); preference points "
        f"{result.preferences} (bound {result.preference_bound}, gap {gap}); {result.phases[-1].status}"
    )


@exhibition.command("check")
@click.option(
    "--input", "input_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True
)
@click.option(
    "--result", "result_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True
)
def check_command(input_path: Path, result_path: Path) -> None:
    """Re-verify every hard rule of an allocation against its floor plan, and recompute its figures."""
    plan = _plan(input_path)
    booth_of = json.loads(result_path.read_text(encoding="utf-8")).get("booth_of") or {}
    problems = check(plan, booth_of)
    for p in problems:
        click.echo(p, err=True)
    counts, points = score(plan, {k: v for k, v in booth_of.items() if k in {e.id for e in plan.exhibitors}})
    click.echo(f"{'broken' if problems else 'valid'}: placed {counts}, preference points {points}")
    if problems:
        sys.exit(1)


@exhibition.command("generate")
@click.option("--booths", type=int, default=650, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--rivals", type=click.Choice(["any", "same"]), default="any", show_default=True)
@click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def generate_command(booths: int, seed: int, rivals: str, output_path: Path) -> None:
    """Write a generated floor plan of the forum's size (five halls, zones, tiers, competitors)."""
    output_path.write_text(
        json.dumps(generate(booths, seed=seed, rivals=rivals), ensure_ascii=False), encoding="utf-8"
    )
