"""`duijie meetings`: run the scheduler or the first-come baseline on a JSON instance file, outside the platform."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from duijie.meetings.instance import InstanceError, Schedule, load_instance, schedule_to_dict


def _read(path: Path) -> dict[str, Any]:
    """Load the instance file, turning unreadable JSON into an error that names the file and line."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InstanceError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except UnicodeDecodeError as exc:
        raise InstanceError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc
    except OSError as exc:
        raise InstanceError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not isinstance(data, dict):
        raise InstanceError(f"{path}: expected a JSON object with slots, tables, participants and requests")
    return data


def _write(path: Path, schedule: Schedule) -> None:
    """Write the schedule and say in one line on stderr what it holds."""
    path.write_text(
        json.dumps(schedule_to_dict(schedule), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    least = "" if schedule.idle_gaps_bound is None else f" (at least {schedule.idle_gaps_bound})"
    click.echo(
        f"{len(schedule.meetings)} meetings, weight {schedule.objective:g} of at most {schedule.upper_bound:g} "
        f"(gap {100 * schedule.gap:.2f} %), {schedule.idle_gaps} idle gaps{least}, "
        f"{len(schedule.unscheduled)} unscheduled, {schedule.status} -> {path}",
        err=True,
    )


def _fail(exc: InstanceError) -> None:
    """Print a refusal the user can act on and leave with status 2, never a stack trace."""
    click.echo(f"Error: {exc.message}", err=True)
    raise SystemExit(2)


_input = click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Instance JSON: slots, tables, participants, requests.",
)
_output = click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the schedule JSON.",
)


@click.group(name="meetings")
def meetings() -> None:
    """Schedule 1:1 meetings from a JSON instance file."""


@meetings.command(name="solve")
@_input
@_output
@click.option("--time-limit", type=click.FloatRange(min=0), default=30.0, show_default=True, help="Seconds.")
@click.option("--no-compact", is_flag=True, help="Skip the second phase that removes idle gaps.")
@click.option(
    "--work-limit",
    type=click.FloatRange(min=0),
    default=None,
    help="Solver work (deterministic time) for the exact phases of small instances; the same input and "
    "work limit give the same schedule. Default: derived from the time limit.",
)
def solve_command(
    input_path: Path, output_path: Path, time_limit: float, no_compact: bool, work_limit: float | None
) -> None:
    """Schedule the heaviest set of meetings with compact agendas; report the proven bounds and gap."""
    from duijie.meetings.solver import solve

    try:
        instance = load_instance(_read(input_path))
        schedule = solve(
            instance,
            time_limit=time_limit,
            compact=not no_compact,
            progress=lambda line: click.echo(line, err=True),
            work_limit=work_limit,
        )
    except InstanceError as exc:
        _fail(exc)
        return
    _write(output_path, schedule)


@meetings.command(name="greedy")
@_input
@_output
def greedy_command(input_path: Path, output_path: Path) -> None:
    """Book requests first come, first served, into the earliest common free slot (the baseline)."""
    from duijie.meetings.greedy import greedy

    try:
        schedule = greedy(load_instance(_read(input_path)))
    except InstanceError as exc:
        _fail(exc)
        return
    _write(output_path, schedule)
