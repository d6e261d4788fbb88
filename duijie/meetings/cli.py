"""`duijie meetings`: run the scheduler or the first-come baseline on a JSON instance file, outside the platform;
and set up an event's meetings in a database (sessions, slots, tables, participants, a participant sheet),
scriptable: every value is an option, nothing prompts."""

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
    """Schedule 1:1 meetings from a JSON instance file, or set up an event's meetings."""


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
    "work limit give the same schedule. Default: none, the solver runs until the time limit or a proven optimum.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="CP-SAT subsolvers interleaved on one thread (1: a single search). The solver uses one core.",
)
def solve_command(
    input_path: Path,
    output_path: Path,
    time_limit: float,
    no_compact: bool,
    work_limit: float | None,
    workers: int,
) -> None:
    """Schedule the heaviest set of meetings with compact agendas; report the proven bounds and gap.

    Uses the whole time limit unless the optimum is proven sooner (every meeting that fits held, idle gaps
    at their proven lower bound); --work-limit makes the run repeatable instead.
    """
    from duijie.meetings.solver import solve

    try:
        instance = load_instance(_read(input_path))
        schedule = solve(
            instance,
            time_limit=time_limit,
            compact=not no_compact,
            progress=lambda line: click.echo(line, err=True),
            work_limit=work_limit,
            workers=workers,
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


# -- the set-up of an event's meetings (sessions, slots, tables, participants) -----------------------------------
_db = click.option("--db", "db_path", default="duijie.db", show_default=True, help="SQLite file or database URL.")
_event = click.option("--event", "slug", required=True, help="The event's slug, e.g. invest-beijing-2024.")


def _refuse(exc: Exception) -> None:
    """A set-up refusal: every field's message on stderr, exit status 2."""
    from duijie.core.errors import DomainError

    assert isinstance(exc, DomainError)
    for detail in exc.details:
        click.echo(f"error: {detail.field + ': ' if detail.field else ''}{detail.message}", err=True)
    raise SystemExit(2)


@meetings.group(name="session")
def session_group() -> None:
    """Consultation sessions and their time slots (times in the event's own time zone)."""


@session_group.command(name="add")
@_db
@_event
@click.option("--label", required=True, help="The session's name, e.g. 上午场 or am (at most 9 characters).")
@click.option("--day", required=True, help="YYYY-MM-DD, within the event's dates.")
@click.option("--start", required=True, help="HH:MM")
@click.option("--end", required=True, help="HH:MM")
@click.option("--slot-minutes", required=True, help="The length of one slot.")
@click.option("--break-minutes", default="0", show_default=True, help="The break between two slots.")
def session_add(
    db_path: str, slug: str, label: str, day: str, start: str, end: str, slot_minutes: str, break_minutes: str
) -> None:
    """Generate a session's slots; refused whole if one would overlap an existing slot."""
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.core.errors import DomainError
    from duijie.events.service import get_event
    from duijie.meetings import setup

    with open_db(db_path) as db:
        event = get_event(db, slug=slug)
        problems = setup.Problems()
        try:
            slots = setup.create_session(
                db,
                event=event,
                actor=cli_actor(),
                label=label,
                day=setup.parse_day(day, "day", problems),
                start=setup.parse_clock(start, "start", problems),
                end=setup.parse_clock(end, "end", problems),
                slot_minutes=setup.parse_whole(slot_minutes, "slot_minutes", problems, low=5, high=240),
                break_minutes=setup.parse_whole(break_minutes, "break_minutes", problems, low=0, high=120),
                problems=problems,
            )
        except DomainError as exc:
            _refuse(exc)
            return
        click.echo(f"{slots[0].session}: {len(slots)} slots, {setup.slot_text(event, slots[0])} … "
                   f"{setup.slot_text(event, slots[-1])} ({setup.zone_name(event)})")


@session_group.command(name="list")
@_db
@_event
def session_list(db_path: str, slug: str) -> None:
    """Each session with its slots (id and local times) and the meetings they hold."""
    from duijie.core.cli_support import open_db
    from duijie.events.service import get_event
    from duijie.meetings import setup

    with open_db(db_path) as db:
        event = get_event(db, slug=slug)
        for info in setup.sessions(db, event=event):
            click.echo(f"{info.key}\t{len(info.slots)} slots\t{info.meetings} meetings")
            for slot in info.slots:
                click.echo(f"  {slot.id}\t{setup.slot_text(event, slot)}")


@session_group.command(name="remove")
@_db
@_event
@click.option("--session", "session_key", required=True, help='The session key, e.g. "2024-04-25 上午场".')
def session_remove(db_path: str, slug: str, session_key: str) -> None:
    """Remove a session's slots; refused while they hold meetings."""
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.core.errors import DomainError
    from duijie.events.service import get_event
    from duijie.meetings import setup

    with open_db(db_path) as db:
        try:
            n = setup.remove_session(db, event=get_event(db, slug=slug), actor=cli_actor(), session=session_key)
        except DomainError as exc:
            _refuse(exc)
            return
        click.echo(f"removed {n} slots of {session_key}")


@meetings.group(name="slot")
def slot_group() -> None:
    """Single time slots."""


@slot_group.command(name="add")
@_db
@_event
@click.option("--label", required=True, help="The session the slot belongs to (made if new).")
@click.option("--day", required=True)
@click.option("--start", required=True)
@click.option("--end", required=True)
def slot_add(db_path: str, slug: str, label: str, day: str, start: str, end: str) -> None:
    """Add one slot."""
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.core.errors import DomainError
    from duijie.events.service import get_event
    from duijie.meetings import setup

    with open_db(db_path) as db:
        event = get_event(db, slug=slug)
        problems = setup.Problems()
        try:
            slot = setup.add_slot(
                db,
                event=event,
                actor=cli_actor(),
                label=label,
                day=setup.parse_day(day, "day", problems),
                start=setup.parse_clock(start, "start", problems),
                end=setup.parse_clock(end, "end", problems),
                problems=problems,
            )
        except DomainError as exc:
            _refuse(exc)
            return
        click.echo(f"{slot.id}\t{slot.session}\t{setup.slot_text(event, slot)}")


@slot_group.command(name="remove")
@_db
@_event
@click.option("--id", "slot_id", required=True, type=int, help="The slot's id (see `session list`).")
def slot_remove(db_path: str, slug: str, slot_id: int) -> None:
    """Remove a slot; refused while it holds meetings."""
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.core.errors import DomainError
    from duijie.events.service import get_event
    from duijie.meetings import setup

    with open_db(db_path) as db:
        event = get_event(db, slug=slug)
        try:
            setup.remove_slot(db, event=event, actor=cli_actor(), slot=setup.get_slot(db, event=event, id=slot_id))
        except DomainError as exc:
            _refuse(exc)
            return
        click.echo(f"removed slot {slot_id}")


@meetings.group(name="tables")
def tables_group() -> None:
    """Areas and tables."""


@tables_group.command(name="add")
@_db
@_event
@click.option("--count", required=True, help="How many tables.")
@click.option("--first", default=None, help="The first number (default: after the highest).")
@click.option("--area", default=None, help="The area's name, e.g. 项目对接区.")
def tables_add(db_path: str, slug: str, count: str, first: str | None, area: str | None) -> None:
    """Add tables numbered from --first in an area."""
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.core.errors import DomainError
    from duijie.events.service import get_event
    from duijie.meetings import setup

    with open_db(db_path) as db:
        event = get_event(db, slug=slug)
        problems = setup.Problems()
        start = first if first is not None else str(max((t.number for a in setup.areas(db, event=event) for t in a.tables), default=0) + 1)
        try:
            tables = setup.add_tables(
                db,
                event=event,
                actor=cli_actor(),
                count=setup.parse_whole(count, "count", problems, low=1, high=setup.MAX_TABLES_AT_ONCE),
                first=setup.parse_whole(start, "first", problems, low=1, high=setup.TABLE_NUMBERS[1]),
                area=area,
                problems=problems,
            )
        except DomainError as exc:
            _refuse(exc)
            return
        click.echo(f"added tables {tables[0].number}–{tables[-1].number} in {area or '(no area)'}")


@tables_group.command(name="list")
@_db
@_event
def tables_list(db_path: str, slug: str) -> None:
    """The tables by area, with the meetings each holds."""
    from duijie.core.cli_support import open_db
    from duijie.events.service import get_event
    from duijie.meetings import setup

    with open_db(db_path) as db:
        for info in setup.areas(db, event=get_event(db, slug=slug)):
            numbers = ", ".join(f"{t.number}({info.meetings[t.id]})" if info.meetings[t.id] else str(t.number) for t in info.tables)
            click.echo(f"{info.area or '(no area)'}\t{numbers}")


@tables_group.command(name="remove")
@_db
@_event
@click.option("--number", required=True, type=int)
def tables_remove(db_path: str, slug: str, number: int) -> None:
    """Remove a table; refused while it holds meetings."""
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.core.errors import DomainError
    from duijie.events.service import get_event
    from duijie.meetings import setup

    with open_db(db_path) as db:
        try:
            setup.remove_table(db, event=get_event(db, slug=slug), actor=cli_actor(), number=number)
        except DomainError as exc:
            _refuse(exc)
            return
        click.echo(f"removed table {number}")


@tables_group.command(name="rename-area")
@_db
@_event
@click.option("--from", "old", default="", help="The area's current name (empty: tables without an area).")
@click.option("--to", "new", required=True)
def tables_rename_area(db_path: str, slug: str, old: str, new: str) -> None:
    """Rename an area."""
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.core.errors import DomainError
    from duijie.events.service import get_event
    from duijie.meetings import setup

    with open_db(db_path) as db:
        try:
            n = setup.rename_area(db, event=get_event(db, slug=slug), actor=cli_actor(), old=old, new=new)
        except DomainError as exc:
            _refuse(exc)
            return
        click.echo(f"renamed {n} tables to {new}")


@meetings.group(name="participants")
def participants_group() -> None:
    """The participants of the 1:1 meetings."""


@participants_group.command(name="list")
@_db
@_event
def participants_list(db_path: str, slug: str) -> None:
    """Participants: id, person, organisation, maximum and meetings."""
    from duijie.core.cli_support import open_db
    from duijie.events.service import get_event
    from duijie.meetings import setup_people

    with open_db(db_path) as db:
        for r in setup_people.participants(db, event=get_event(db, slug=slug)):
            org = r.organisation.name_zh if r.organisation else "-"
            most = r.participant.max_meetings or "-"
            click.echo(f"{r.participant.id}\t{r.person.name_zh}\t{org}\t{r.person.email or '-'}\tmax {most}\t{r.meetings} meetings")


@participants_group.command(name="add")
@_db
@_event
@click.option("--person", required=True, help="The person's e-mail (or name, if only one person has it).")
@click.option("--max-meetings", default=None)
def participants_add(db_path: str, slug: str, person: str, max_meetings: str | None) -> None:
    """Make a person of the directory a participant."""
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.core.errors import DomainError
    from duijie.events.service import get_event
    from duijie.meetings import setup, setup_people

    with open_db(db_path) as db:
        problems = setup.Problems()
        try:
            most = setup.parse_whole(max_meetings, "max_meetings", problems, low=1, high=100, required=False)
            problems.check()
            row = setup_people.add_participant(
                db,
                event=get_event(db, slug=slug),
                actor=cli_actor(),
                person=setup_people.find_person(db, person),
                max_meetings=most,
            )
        except DomainError as exc:
            _refuse(exc)
            return
        click.echo(f"participant {row.id}")


@participants_group.command(name="remove")
@_db
@_event
@click.option("--id", "participant_id", required=True, type=int)
@click.option("--cancel-meetings", is_flag=True, help="Cancel their planned and confirmed meetings.")
def participants_remove(db_path: str, slug: str, participant_id: int, cancel_meetings: bool) -> None:
    """Remove a participant; with scheduled meetings only with --cancel-meetings."""
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.core.errors import DomainError
    from duijie.events.service import get_event
    from duijie.meetings import service, setup_people

    with open_db(db_path) as db:
        event = get_event(db, slug=slug)
        try:
            n = setup_people.remove_participant(
                db,
                event=event,
                actor=cli_actor(),
                participant=service.get_participant(db, event=event, id=participant_id),
                cancel_meetings=cancel_meetings,
            )
        except DomainError as exc:
            _refuse(exc)
            return
        click.echo(f"removed participant {participant_id}, {n} meetings cancelled")


class _Refused(Exception):
    """The sheet was refused; raised inside the unit of work so that nothing is committed."""


@participants_group.command(name="import")
@_db
@_event
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change; write nothing.")
def participants_import(db_path: str, slug: str, file: Path, dry_run: bool) -> None:
    """Import participants from a sheet (.xlsx or .csv), all rows or none. Exit 1 when rows are refused."""
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.events.service import get_event
    from duijie.meetings import setup_sheets

    report = None
    try:
        with open_db(db_path) as db:
            report = setup_sheets.import_participants(
                db,
                event=get_event(db, slug=slug),
                actor=cli_actor(),
                filename=file.name,
                data=file.read_bytes(),
                dry_run=dry_run,
            )
            if report.refused or dry_run:
                raise _Refused
    except _Refused:
        pass
    assert report is not None
    for error in report.errors:
        click.echo(error, err=True)
    s = report.summary
    state = "refused" if report.refused else ("dry run" if dry_run else "imported")
    click.echo(
        f"{state}: {s['created']} new participants, {s['updated']} updated, {s['unchanged']} unchanged, "
        f"{s['new_people']} new people, {s['new_organisations']} new organisations, {s['errors']} errors"
    )
    if report.refused:
        raise SystemExit(1)


# The grid's commands (`duijie meetings grid ...`) live in their own file and join this group.
from duijie.meetings import cli_grid  # noqa: E402, F401
