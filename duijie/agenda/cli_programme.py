"""`duijie agenda session|room|track|speaker|publish|completeness|conflicts|import`: an event's programme from the
command line, through the same `agenda.editing` rules as the pages and the API.

Scriptable: every value is an option, nothing is asked. A refusal prints one line per problem naming its option
or its place in the file (`error: --start: …`, `error: sessions[3].room: …`) in the language chosen with
`--lang` (Chinese by default), changes nothing, and exits 1; an unknown event or a missing database exits 2.
Rooms, tracks and people may be named by id or by name. `import` reads a whole programme (rooms, tracks,
sessions with their people, speaker profiles) and writes it in one transaction: every problem is listed with
its place and nothing is written if there is one. Writes are audited as the command-line user.

These commands are attached to the `agenda` group of `duijie/agenda/cli.py`, which imports this module.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from duijie.agenda.cli import _say, agenda
from duijie.core.cli_support import cli_actor, lang_option, open_db
from duijie.core.errors import DomainError, ErrorDetail, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.i18n import speaking

DB_OPTION = click.option("--db", "db_path", default="duijie.db", show_default=True, help="SQLite file or database URL.")
EVENT_OPTION = click.option("--event", "slug", required=True, help="The event's slug.")
LANG_OPTION = lang_option()
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON.")

# The option each field is given with, for the messages.
OPTION_OF: Mapping[str, str] = {
    "kind": "--kind", "title_zh": "--title-zh", "title_en": "--title-en", "description_zh": "--description-zh",
    "description_en": "--description-en", "starts_at": "--start", "ends_at": "--end", "room_id": "--room",
    "track_id": "--track", "mode": "--mode", "stream_url": "--stream-url", "language": "--language",
    "industry": "--industry", "expected": "--expected", "capacity": "--capacity", "name_zh": "--name-zh",
    "name_en": "--name-en", "floor_zh": "--floor-zh", "floor_en": "--floor-en", "hours": "--hours",
    "interpretation": "--interpretation", "person_id": "--person", "role": "--role", "position": "--position",
    "cancelled": "--cancel",
}


class Refused(Exception):
    """Problems carried out of the unit of work, so that it is rolled back before they are printed."""

    def __init__(self, details: list[ErrorDetail]) -> None:
        super().__init__(details[0].message if details else "")
        self.details = details


def _option(field: str | None) -> str | None:
    if not field:
        return None
    head, dot, rest = field.partition("[")
    return OPTION_OF.get(head, field) + (dot + rest if dot else "") if head in OPTION_OF else field


@contextmanager
def _writing(db_path: str, lang: str, *, options: bool = True) -> Iterator[Session]:
    """A unit of work whose refusals print one line per problem (naming the option) and exit 1."""
    with speaking(lang):
        try:
            with open_db(db_path) as db:
                try:
                    yield db
                except NotFound:
                    raise  # an unknown event or record: open_db says so and exits 2
                except DomainError as exc:
                    raise Refused(exc.details) from exc
        except Refused as refused:
            for detail in refused.details:
                _say(_option(detail.field) if options else detail.field, detail.message)
            sys.exit(1)


def _event(db: Session, slug: str) -> Any:
    from duijie.core.registry import load_all_models
    from duijie.events.service import get_event

    load_all_models()
    return get_event(db, slug=slug)  # unknown: open_db prints it and exits 2


def _lookup(db: Session, model: Any, event: Any, value: str | int | None, field: str) -> int | None:
    """A room or track of the event by id or by its Chinese or English name."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    found = list(db.scalars(select(model.id).where(model.event_id == event.id,
                                                   or_(model.name_zh == text, model.name_en == text))))
    if len(found) != 1:
        raise DomainError(_("There is no “%(name)s” in this programme.") % {"name": text[:80]}, field=field)
    return found[0]


def person_id(db: Session, value: str | int, field: str = "person_id") -> int:
    """A person by id or by their exact Chinese or English name (refused, listing the ids, when it is not one)."""
    from duijie.directory.models import Person

    text = str(value).strip()
    if text.isdigit():
        return int(text)
    found = list(db.scalars(select(Person.id).where(or_(Person.name_zh == text, Person.name_en == text)).limit(6)))
    if not found:
        raise DomainError(_("There is no person named “%(name)s”.") % {"name": text[:80]}, field=field)
    if len(found) > 1:
        raise DomainError(_("Several people are named “%(name)s” (ids %(ids)s); give the id.")
                          % {"name": text[:80], "ids": ", ".join(map(str, found[:5]))}, field=field)
    return found[0]


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(_("warning: %(message)s") % {"message": warning}, err=True)


def _session_fields(db: Session, event: Any, given: Mapping[str, Any]) -> dict[str, Any]:
    from duijie.agenda.models import Room, Track

    data = {k: v for k, v in given.items() if v is not None}
    if "room_id" in data:
        data["room_id"] = _lookup(db, Room, event, data["room_id"], "room_id")
    if "track_id" in data:
        data["track_id"] = _lookup(db, Track, event, data["track_id"], "track_id")
    return data


def _speakers(db: Session, values: tuple[str, ...]) -> list[dict[str, Any]]:
    """`--speaker` values: a person (id or name), optionally `role:person` (moderator:张三)."""
    out = []
    for n, value in enumerate(values):
        role, sep, who = value.partition(":")
        if not sep or role not in ("speaker", "moderator", "host"):
            role, who = "speaker", value
        out.append({"person_id": person_id(db, who, f"--speaker[{n}]"), "role": role})
    return out


def _print_session(db: Session, event: Any, session: Any, as_json: bool) -> None:
    from duijie.agenda import service
    from duijie.agenda.schemas import SessionRead

    if as_json:
        ids = [s.person_id for s in session.speakers]
        read = SessionRead.of(session, event, service.people_of(db, ids), service.profiles_of(db, event, ids))
        click.echo(json.dumps(read.model_dump(mode="json"), ensure_ascii=False))
        return
    start, end = service.local(session.starts_at, event), service.local(session.ends_at, event)
    when = f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}" if start and end else "-"
    room = session.room.name_zh if session.room else "-"
    state = "\tcancelled" if session.cancelled_at else ""
    click.echo(f"{session.id}\t{when}\t{room}\t{session.kind}\t{session.title_zh}{state}")


SESSION_OPTIONS = (
    click.option("--kind", default=None, help="plenary, parallel_forum, keynote, panel, release, roadshow, "
                                              "signing or contest_final."),
    click.option("--title-zh", "title_zh", default=None),
    click.option("--title-en", "title_en", default=None),
    click.option("--description-zh", "description_zh", default=None),
    click.option("--description-en", "description_en", default=None),
    click.option("--start", "starts_at", default=None,
                 help="ISO 8601 with offset, or YYYY-MM-DD HH:MM in the event's zone."),
    click.option("--end", "ends_at", default=None),
    click.option("--room", "room_id", default=None, help="Room id or name."),
    click.option("--track", "track_id", default=None, help="Track id or name."),
    click.option("--mode", default=None, help="offline, online or hybrid."),
    click.option("--stream-url", "stream_url", default=None),
    click.option("--language", default=None, help="zh, en or zh+en."),
    click.option("--industry", default=None),
    click.option("--expected", default=None, help="Audience expected."),
    click.option("--capacity", default=None, help="Places open to registration."),
    click.option("--speaker", "speakers", multiple=True,
                 help="A person (id or name), optionally role:person (moderator:张三); repeat for several."),
)


def _with_session_options(fn: Any) -> Any:
    for option in reversed(SESSION_OPTIONS):
        fn = option(fn)
    return fn


@agenda.group("session")
def session_group() -> None:
    """Add, change, cancel or delete, and list the sessions of an event."""


@session_group.command("add")
@DB_OPTION
@EVENT_OPTION
@_with_session_options
@JSON_OPTION
@LANG_OPTION
def session_add(db_path: str, slug: str, speakers: tuple[str, ...], as_json: bool, lang: str, **fields: Any) -> None:
    """Add a session (refused with every problem, or with the conflict it would bring)."""
    from duijie.agenda import editing

    with _writing(db_path, lang) as db:
        event = _event(db, slug)
        data = _session_fields(db, event, fields)
        if speakers:
            data["speakers"] = _speakers(db, speakers)
        out = editing.create_session(db, actor=cli_actor(), event=event, data=data)
        _print_session(db, event, out.value, as_json)
        _warn(out.warnings)


@session_group.command("update")
@DB_OPTION
@EVENT_OPTION
@click.argument("session_id", type=int)
@_with_session_options
@click.option("--cancel/--restore", "cancelled", default=None, help="Cancel the session, or bring it back.")
@JSON_OPTION
@LANG_OPTION
def session_update(db_path: str, slug: str, session_id: int, speakers: tuple[str, ...], cancelled: bool | None,
                   as_json: bool, lang: str, **fields: Any) -> None:
    """Change the options given; --speaker replaces the session's people."""
    from duijie.agenda import editing, service

    with _writing(db_path, lang) as db:
        event = _event(db, slug)
        session = service.get_session(db, event, session_id)
        data = _session_fields(db, event, fields)
        if speakers:
            data["speakers"] = _speakers(db, speakers)
        if cancelled is not None:
            data["cancelled"] = cancelled
        out = editing.update_session(db, actor=cli_actor(), event=event, session=session, data=data)
        _print_session(db, event, out.value, as_json)
        _warn(out.warnings)


@session_group.command("delete")
@DB_OPTION
@EVENT_OPTION
@click.argument("session_id", type=int)
@LANG_OPTION
def session_delete(db_path: str, slug: str, session_id: int, lang: str) -> None:
    """Delete a session readers never saw; one they may have seen is cancelled instead."""
    from duijie.agenda import editing, service

    with _writing(db_path, lang) as db:
        event = _event(db, slug)
        outcome = editing.delete_session(db, actor=cli_actor(), event=event,
                                         session=service.get_session(db, event, session_id))
    click.echo(f"{outcome} {session_id}")


@session_group.command("list")
@DB_OPTION
@EVENT_OPTION
@click.option("--day", default=None, help="YYYY-MM-DD in the event's zone.")
@JSON_OPTION
@LANG_OPTION
def session_list(db_path: str, slug: str, day: str | None, as_json: bool, lang: str) -> None:
    """The sessions by time: id, time in the event's zone, room, type, title (and cancelled)."""
    import datetime as dt

    from duijie.agenda import service

    with _writing(db_path, lang) as db:
        event = _event(db, slug)
        try:
            chosen = dt.date.fromisoformat(day) if day else None
        except ValueError:
            raise DomainError(_("%(v)s is not a date (write 2024-04-25)") % {"v": day}, field="--day") from None
        _total, rows = service.list_sessions(db, event, service.SessionFilter(day=chosen))
        for row in rows:
            _print_session(db, event, row, as_json)


@agenda.group("room")
def room_group() -> None:
    """Add and list the rooms of an event."""


@room_group.command("add")
@DB_OPTION
@EVENT_OPTION
@click.option("--name-zh", "name_zh", required=True)
@click.option("--name-en", "name_en", default=None)
@click.option("--capacity", default=None)
@click.option("--interpretation", is_flag=True, default=None, help="The room has interpretation booths.")
@click.option("--floor-zh", "floor_zh", default=None)
@click.option("--floor-en", "floor_en", default=None)
@click.option("--hours", multiple=True, help="An opening window START/END (e.g. '2026-04-25 08:00/2026-04-25 18:00'); "
                                             "repeat for several; none: always open.")
@JSON_OPTION
@LANG_OPTION
def room_add(db_path: str, slug: str, hours: tuple[str, ...], as_json: bool, lang: str, **fields: Any) -> None:
    """Add a room with its capacity, interpretation and opening hours."""
    from duijie.agenda import editing
    from duijie.agenda.schemas import RoomRead

    with _writing(db_path, lang) as db:
        event = _event(db, slug)
        data: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
        if hours:
            data["hours"] = [list(h.split("/", 1)) if "/" in h else [h] for h in hours]
        room = editing.create_room(db, actor=cli_actor(), event=event, data=data)
        read = RoomRead.of(room, event)
    click.echo(read.model_dump_json() if as_json else f"{read.id}\t{read.name_zh}\t{read.capacity or '-'}")


@room_group.command("list")
@DB_OPTION
@EVENT_OPTION
@JSON_OPTION
@LANG_OPTION
def room_list(db_path: str, slug: str, as_json: bool, lang: str) -> None:
    """The rooms: id, name, capacity, opening hours in the event's zone."""
    from duijie.agenda import service
    from duijie.agenda.schemas import RoomRead

    with _writing(db_path, lang) as db:
        event = _event(db, slug)
        rows = [RoomRead.of(r, event) for r in service.rooms(db, event)]
    for row in rows:
        if as_json:
            click.echo(json.dumps(row.model_dump(mode="json"), ensure_ascii=False))
            continue
        windows = ", ".join(f"{h.start:%m-%d %H:%M}-{h.end:%H:%M}" for h in row.hours) or "-"
        click.echo(f"{row.id}\t{row.name_zh}\t{row.name_en or '-'}\t{row.capacity or '-'}\t{windows}")


@agenda.group("track")
def track_group() -> None:
    """Add the tracks (topics) of an event."""


@track_group.command("add")
@DB_OPTION
@EVENT_OPTION
@click.option("--name-zh", "name_zh", required=True)
@click.option("--name-en", "name_en", default=None)
@LANG_OPTION
def track_add(db_path: str, slug: str, lang: str, **fields: Any) -> None:
    """Add a track."""
    from duijie.agenda import editing

    with _writing(db_path, lang) as db:
        event = _event(db, slug)
        track = editing.create_track(db, actor=cli_actor(), event=event,
                                     data={k: v for k, v in fields.items() if v is not None})
        click.echo(f"{track.id}\t{track.name_zh}")


@agenda.group("speaker")
def speaker_group() -> None:
    """Put people on sessions."""


@speaker_group.command("add")
@DB_OPTION
@EVENT_OPTION
@click.option("--session", "session_id", required=True, type=int)
@click.option("--person", required=True, help="Person id or exact name.")
@click.option("--role", default="speaker", show_default=True, help="speaker, moderator or host.")
@click.option("--position", default=None)
@LANG_OPTION
def speaker_add(db_path: str, slug: str, session_id: int, person: str, role: str, position: str | None,
                lang: str) -> None:
    """Put a person on a session (refused if it puts them in two places at once)."""
    from duijie.agenda import editing, service

    with _writing(db_path, lang) as db:
        event = _event(db, slug)
        session = service.get_session(db, event, session_id)
        data: dict[str, Any] = {"person_id": person_id(db, person), "role": role}
        if position is not None:
            data["position"] = position
        out = editing.add_speaker(db, actor=cli_actor(), event=event, session=session, data=data)
        click.echo(f"{session.id}\t{out.value.person_id}\t{out.value.role}")
        _warn(out.warnings)


@agenda.command("publish")
@DB_OPTION
@EVENT_OPTION
@JSON_OPTION
@LANG_OPTION
def publish(db_path: str, slug: str, as_json: bool, lang: str) -> None:
    """Publish the programme: print the changes since the previous release and how many people were told."""
    from duijie.agenda import publishing

    with _writing(db_path, lang) as db:
        event = _event(db, slug)
        result = publishing.publish_programme(db, cli_actor(), event).as_dict()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    for change in result["changes"]:
        fields = ",".join(change["fields"])
        click.echo(f"{change['kind']}\t{change['session_id']}\t{fields or '-'}\t{change['title_zh']}")
    click.echo(_("release %(n)s: %(changes)s changes, %(notified)s people told") % {
        "n": result["release"], "changes": len(result["changes"]), "notified": result["notified"]}, err=True)


@agenda.command("completeness")
@DB_OPTION
@EVENT_OPTION
@JSON_OPTION
@LANG_OPTION
def completeness_command(db_path: str, slug: str, as_json: bool, lang: str) -> None:
    """Every public text of the programme lacking its English: kind, id, field, the Chinese text, where."""
    from duijie.agenda.completeness import completeness

    with _writing(db_path, lang) as db:
        report = completeness(db, _event(db, slug))
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    for item in report.items:
        where = f"\t({item.where})" if item.where else ""
        click.echo(f"{item.kind}\t{item.id}\t{item.field}\t{item.text_zh}{where}")
    click.echo(_("%(missing)s of %(checked)s texts lack their English.") % {
        "missing": report.missing, "checked": report.checked}, err=True)


@agenda.command("conflicts")
@DB_OPTION
@EVENT_OPTION
@JSON_OPTION
@LANG_OPTION
def conflicts_command(db_path: str, slug: str, as_json: bool, lang: str) -> None:
    """The programme's current conflicts: severity, rule, sessions and a sentence naming them."""
    from duijie.agenda import service
    from duijie.agenda.schemas import ConflictRead

    with _writing(db_path, lang) as db:
        found = [ConflictRead.of(r) for r in service.event_conflicts(db, _event(db, slug))]
    for row in found:
        if as_json:
            click.echo(json.dumps(row.model_dump(mode="json"), ensure_ascii=False))
        else:
            click.echo(f"{row.severity}\t{row.rule}\t{','.join(map(str, row.sessions))}\t{row.message}")
    if not as_json:
        click.echo(_("%(n)s conflicts.") % {"n": len(found)} if found else _("No conflicts."), err=True)


@agenda.command("import")
@DB_OPTION
@EVENT_OPTION
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help='JSON: {"rooms": [...], "tracks": [...], "sessions": [...], "profiles": [...]}; see the module doc.')
@LANG_OPTION
def import_command(db_path: str, slug: str, input_path: Path, lang: str) -> None:
    """Import a whole programme in one transaction; every problem listed with its place, nothing written on any."""
    from duijie.agenda.importing import import_programme

    with speaking(lang):
        try:
            data = json.loads(input_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            _say(str(input_path), _("No such file."))
            sys.exit(2)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            _say(str(input_path), _("The file cannot be read as JSON (%(reason)s).") % {"reason": exc})
            sys.exit(1)
    with _writing(db_path, lang, options=False) as db:
        summary = import_programme(db, cli_actor(), _event(db, slug), data)
        _warn(summary.warnings)
    click.echo(_("imported %(rooms)s rooms, %(tracks)s tracks, %(sessions)s sessions, %(profiles)s profiles") % {
        "rooms": summary.rooms, "tracks": summary.tracks, "sessions": summary.sessions,
        "profiles": summary.profiles})
