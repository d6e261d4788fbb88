"""The organiser's meeting set-up: consultation sessions and their time slots, areas and tables, the
participants of the 1:1 meetings and each one's availability.

Every write here is the organiser's (`can_run_grid`, checked again in each function because the command line
calls them too), audited, and refuses what would break the grid with a message a person can act on: two slots
that overlap (both times named), a slot outside the event's dates, an end before its start, and removing a
slot, a session, a table or a participant that holds meetings (the meetings counted; `meeting.slot_id` and
`meeting.table_id` are RESTRICT, so the database would refuse it anyway, without saying why).

Times are typed and shown in the event's own time zone (`event.timezone` where the event has one, else
Asia/Shanghai) and stored in UTC. A session is the `session` label its slots carry, written
`"<day> <label>"` (`"2024-04-25 上午场"`): the scheduler counts idle gaps within a session and a request may
be limited to sessions, so the day belongs to the key. `MeetingSlot.table_count` is kept at the highest table
number of the event on every slot: the scheduler reads it as a count (capped by the number of tables) and the
organiser's placement as the highest table number allowed, so with this value both see every table open.
Services flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, ErrorDetail, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.i18n import ngettext
from duijie.core.permissions import require
from duijie.events.models import Event
from duijie.meetings import feed_changes, service
from duijie.meetings.models import (
    Availability,
    Meeting,
    MeetingSlot,
    MeetingTable,
)
from duijie.meetings.permissions import can_run_grid

DEFAULT_ZONE = "Asia/Shanghai"
# `meeting_slot.session` holds 20 characters: "YYYY-MM-DD " and the label.
LABEL_MAX = 20 - 11
AREA_MAX = 40
SLOT_MINUTES = (5, 240)
BREAK_MINUTES = (0, 120)
MAX_TABLES_AT_ONCE = 500
TABLE_NUMBERS = (1, 9999)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Problems:
    """Field errors gathered from one form, raised together so that every field shows its own message."""

    def __init__(self) -> None:
        self.details: list[ErrorDetail] = []

    def add(self, field: str, message: str) -> None:
        if not any(d.field == field for d in self.details):
            self.details.append(ErrorDetail(message=message, field=field))

    def has(self, field: str) -> bool:
        return any(d.field == field for d in self.details)

    def check(self) -> None:
        if self.details:
            first = self.details[0]
            raise DomainError(first.message, field=first.field, details=list(self.details))


class InUse(DomainError):
    """A removal or change refused because meetings use the slot, session or table (409)."""

    status_code = 409


def require_organiser(actor: Actor, event: Event) -> None:
    """Refuse anyone but the organiser of this event (the routes check it first; the command line relies on it)."""
    require(can_run_grid, actor, event, message=_("Only the organiser of this event sets up its meetings."))


# -- time ----------------------------------------------------------------------------------------------------


def zone_name(event: Event) -> str:
    """The event's time zone name (the event's own column once it has one)."""
    return str(getattr(event, "timezone", None) or DEFAULT_ZONE)


def zone_of(event: Event) -> ZoneInfo:
    """The event's time zone; an unknown name falls back to Beijing time rather than failing a page."""
    try:
        return ZoneInfo(zone_name(event))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def to_utc(event: Event, day: dt.date, clock: dt.time) -> dt.datetime:
    """A wall-clock time of the event as the stored UTC moment."""
    return dt.datetime.combine(day, clock, tzinfo=zone_of(event)).astimezone(dt.UTC)


def local(event: Event, moment: dt.datetime) -> dt.datetime:
    """A stored moment in the event's time zone."""
    return moment.astimezone(zone_of(event))


def span(event: Event, start: dt.datetime, end: dt.datetime) -> str:
    """ "2024-04-25 09:00–09:20": a slot as messages and pages name it, in the event's time."""
    a, b = local(event, start), local(event, end)
    return f"{a:%Y-%m-%d %H:%M}–{b:%H:%M}"


def slot_text(event: Event, slot: MeetingSlot) -> str:
    return span(event, slot.starts_at, slot.ends_at)


def session_key(day: dt.date, label: str) -> str:
    return f"{day.isoformat()} {label}"


def split_session(session: str) -> tuple[dt.date | None, str]:
    """The day and label of a session key ("2024-04-25 am" -> (2024-04-25, "am")); older keys may lack the day."""
    head, _sep, rest = session.partition(" ")
    try:
        return dt.date.fromisoformat(head), rest
    except ValueError:
        return None, session


# -- reading form and command-line values --------------------------------------------------------------------


def parse_day(text: str | None, field: str, problems: Problems) -> dt.date | None:
    """2024-04-25 (also 2024/4/25 and 2024年4月25日)."""
    s = (text or "").strip()
    if not s:
        problems.add(field, _("Give the day, e.g. 2024-04-25."))
        return None
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    problems.add(field, _("%(v)s is not a day (write 2024-04-25).") % {"v": s})
    return None


def parse_clock(text: str | None, field: str, problems: Problems) -> dt.time | None:
    """09:00 (also 9:00, 9点, 0900)."""
    s = (text or "").strip().replace("：", ":")
    if not s:
        problems.add(field, _("Give a time, e.g. 09:00."))
        return None
    m = re.fullmatch(r"(\d{1,2})(?::|点|时)?(\d{2})?分?", s)
    if m and int(m[1]) < 24 and int(m[2] or 0) < 60:
        return dt.time(int(m[1]), int(m[2] or 0))
    problems.add(field, _("%(v)s is not a time of day (write 09:00).") % {"v": s})
    return None


def parse_whole(
    text: str | int | None, field: str, problems: Problems, *, low: int, high: int, required: bool = True
) -> int | None:
    """A whole number within [low, high]; empty is None when not required."""
    s = str(text if text is not None else "").strip()
    if not s:
        if required:
            problems.add(field, _("Give a whole number from %(a)s to %(b)s.") % {"a": low, "b": high})
        return None
    if not s.isascii() or not s.isdigit() or not low <= int(s) <= high:
        problems.add(field, _("%(v)s: give a whole number from %(a)s to %(b)s.") % {"v": s, "a": low, "b": high})
        return None
    return int(s)


def _label(label: str | None, problems: Problems, field: str = "label") -> str:
    s = (label or "").strip()
    if not s:
        problems.add(field, _("Name the session, e.g. 上午场 or am."))
    elif len(s) > LABEL_MAX:
        problems.add(field, _("A session name has at most %(n)s characters.") % {"n": LABEL_MAX})
    elif _CONTROL.search(s):
        problems.add(field, _("The session name holds a control character."))
    return s


def _area(area: str | None, problems: Problems, field: str = "area") -> str | None:
    s = (area or "").strip()
    if len(s) > AREA_MAX:
        problems.add(field, _("An area name has at most %(n)s characters.") % {"n": AREA_MAX})
    elif _CONTROL.search(s):
        problems.add(field, _("The area name holds a control character."))
    return s or None


# -- sessions and slots --------------------------------------------------------------------------------------


@dataclass
class SessionInfo:
    """A session as the set-up page shows it: its key, day, label, slots and how many meetings they hold."""

    key: str
    day: dt.date | None
    label: str
    slots: list[MeetingSlot] = field(default_factory=list)
    meetings: int = 0


def get_slot(db: Session, *, event: Event, id: int) -> MeetingSlot:
    """A slot of this event (404 for another event's)."""
    slot = db.get(MeetingSlot, id)
    if slot is None or slot.event_id != event.id:
        raise NotFound(_("No such time slot in this event: %(id)s") % {"id": id}, field="slot")
    return slot


def meetings_per_slot(db: Session, *, event: Event) -> dict[int, int]:
    return {
        sid: int(n)
        for sid, n in db.execute(
            select(Meeting.slot_id, func.count()).where(Meeting.event_id == event.id).group_by(Meeting.slot_id)
        )
    }


def sessions(db: Session, *, event: Event) -> list[SessionInfo]:
    """The event's sessions in time order, each with its slots and the meetings they hold."""
    counts = meetings_per_slot(db, event=event)
    out: dict[str, SessionInfo] = {}
    for slot in service.slots_of(db, event=event):
        info = out.get(slot.session)
        if info is None:
            day, label = split_session(slot.session)
            info = out[slot.session] = SessionInfo(slot.session, day, label)
        info.slots.append(slot)
        info.meetings += counts.get(slot.id, 0)
    return list(out.values())


def _check_day(event: Event, day: dt.date | None, problems: Problems, field: str = "day") -> None:
    if day is not None and not event.starts_on <= day <= event.ends_on:
        problems.add(
            field,
            _("%(day)s is outside the event's dates (%(start)s to %(end)s).")
            % {"day": day.isoformat(), "start": event.starts_on.isoformat(), "end": event.ends_on.isoformat()},
        )


def _check_free(
    db: Session,
    event: Event,
    wanted: Sequence[tuple[dt.datetime, dt.datetime]],
    problems: Problems,
    *,
    ignore: int | None = None,
) -> None:
    """Refuse a new time that overlaps an existing slot, naming both."""
    if not wanted:
        return
    lo, hi = min(a for a, _b in wanted), max(b for _a, b in wanted)
    existing = [
        old
        for old in db.scalars(
            select(MeetingSlot)
            .where(MeetingSlot.event_id == event.id, MeetingSlot.starts_at < hi, MeetingSlot.ends_at > lo)
            .order_by(MeetingSlot.starts_at)
        )
        if old.id != ignore
    ]
    for start, end in wanted:
        for old in existing:
            if start < old.ends_at and old.starts_at < end:
                problems.add(
                    "start",
                    _("The slot %(new)s overlaps the existing slot %(old)s.")
                    % {"new": span(event, start, end), "old": slot_text(event, old)},
                )
                return


def _highest_table(db: Session, event: Event) -> int:
    return int(db.scalar(select(func.max(MeetingTable.number)).where(MeetingTable.event_id == event.id)) or 0)


def plan_session(
    event: Event,
    *,
    day: dt.date,
    start: dt.time,
    end: dt.time,
    slot_minutes: int,
    break_minutes: int = 0,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The slots a session from `start` to `end` holds: back to back, `break_minutes` apart, the last one
    ending by `end` (UTC moments)."""
    first, last = to_utc(event, day, start), to_utc(event, day, end)
    length, step = dt.timedelta(minutes=slot_minutes), dt.timedelta(minutes=slot_minutes + break_minutes)
    out = []
    moment = first
    while moment + length <= last:
        out.append((moment, moment + length))
        moment += step
    return out


def create_session(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    label: str | None,
    day: dt.date | None,
    start: dt.time | None,
    end: dt.time | None,
    slot_minutes: int | None,
    break_minutes: int | None = 0,
    problems: Problems | None = None,
) -> list[MeetingSlot]:
    """Generate the slots of a consultation session; an existing session of the same day and label gains them.

    `problems` may already hold what the caller could not read (a malformed time): all errors show together.
    """
    require_organiser(actor, event)
    problems = problems or Problems()
    name = _label(label, problems)
    _check_day(event, day, problems)
    if slot_minutes is not None and not SLOT_MINUTES[0] <= slot_minutes <= SLOT_MINUTES[1]:
        problems.add("slot_minutes", _("A slot lasts from %(a)s to %(b)s minutes.") % {"a": SLOT_MINUTES[0], "b": SLOT_MINUTES[1]})
    if break_minutes is not None and not BREAK_MINUTES[0] <= break_minutes <= BREAK_MINUTES[1]:
        problems.add("break_minutes", _("A break lasts from %(a)s to %(b)s minutes.") % {"a": BREAK_MINUTES[0], "b": BREAK_MINUTES[1]})
    if start is not None and end is not None and end <= start:
        problems.add(
            "end", _("The end (%(end)s) must be after the start (%(start)s).") % {"end": f"{end:%H:%M}", "start": f"{start:%H:%M}"}
        )
    wanted: list[tuple[dt.datetime, dt.datetime]] = []
    if not problems.details and day and start and end and slot_minutes is not None:
        wanted = plan_session(
            event, day=day, start=start, end=end, slot_minutes=slot_minutes, break_minutes=break_minutes or 0
        )
        if not wanted:
            problems.add(
                "end",
                _("No %(n)s-minute slot fits between %(start)s and %(end)s.")
                % {"n": slot_minutes, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"},
            )
        _check_free(db, event, wanted, problems)
    problems.check()
    assert day is not None
    key = session_key(day, name)
    tables = _highest_table(db, event)
    slots = [
        MeetingSlot(event_id=event.id, starts_at=a, ends_at=b, session=key, table_count=tables) for a, b in wanted
    ]
    db.add_all(slots)
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="meeting_session",
        entity_id=slots[0].id,
        action="session_created",
        after={
            "session": key,
            "slots": [slot_text(event, s) for s in slots],
            "slot_minutes": slot_minutes,
            "break_minutes": break_minutes or 0,
        },
        event_id=event.id,
    )
    return slots


def add_slot(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    label: str | None,
    day: dt.date | None,
    start: dt.time | None,
    end: dt.time | None,
    problems: Problems | None = None,
) -> MeetingSlot:
    """Add one slot to a session (the session is made if it is new)."""
    require_organiser(actor, event)
    problems = problems or Problems()
    name = _label(label, problems)
    _check_day(event, day, problems)
    _check_order(start, end, problems)
    if not problems.details and day and start and end:
        _check_free(db, event, [(to_utc(event, day, start), to_utc(event, day, end))], problems)
    problems.check()
    assert day and start and end
    slot = MeetingSlot(
        event_id=event.id,
        starts_at=to_utc(event, day, start),
        ends_at=to_utc(event, day, end),
        session=session_key(day, name),
        table_count=_highest_table(db, event),
    )
    db.add(slot)
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="meeting_slot",
        entity_id=slot.id,
        action="slot_created",
        after={"session": slot.session, "slot": slot_text(event, slot)},
        event_id=event.id,
    )
    return slot


def _check_order(start: dt.time | None, end: dt.time | None, problems: Problems) -> None:
    if start is not None and end is not None and end <= start:
        problems.add(
            "end",
            _("The end (%(end)s) must be after the start (%(start)s).")
            % {"end": f"{end:%H:%M}", "start": f"{start:%H:%M}"},
        )


def _held_by(n: int, what: str) -> str:
    """ "…holds 3 meetings; move or cancel them on the grid first." for a slot, session or table `what`."""
    return ngettext(
        "%(what)s holds %(n)s meeting; move or cancel it on the meeting grid first.",
        "%(what)s holds %(n)s meetings; move or cancel them on the meeting grid first.",
        n,
    ) % {"what": what, "n": n}


def update_slot(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    slot: MeetingSlot,
    label: str | None,
    day: dt.date | None,
    start: dt.time | None,
    end: dt.time | None,
    problems: Problems | None = None,
) -> MeetingSlot:
    """Change a slot's session or times; the times of a slot that holds meetings stay (its meetings would move
    without anyone being told)."""
    require_organiser(actor, event)
    problems = problems or Problems()
    name = _label(label, problems)
    _check_day(event, day, problems)
    _check_order(start, end, problems)
    changes: dict[str, object] = {}
    if not problems.details and day and start and end:
        begins, ends = to_utc(event, day, start), to_utc(event, day, end)
        if (begins, ends) != (slot.starts_at, slot.ends_at):
            held = meetings_per_slot(db, event=event).get(slot.id, 0)
            if held:
                raise InUse(_held_by(held, _("The slot %(slot)s") % {"slot": slot_text(event, slot)}), field="start")
            _check_free(db, event, [(begins, ends)], problems, ignore=slot.id)
            changes.update(starts_at=begins, ends_at=ends)
        if session_key(day, name) != slot.session:
            changes["session"] = session_key(day, name)
    problems.check()
    audit.apply(
        db, actor=actor, obj=slot, changes=changes, entity_type="meeting_slot", action="slot_updated", event_id=event.id
    )
    return slot


def remove_slot(db: Session, *, event: Event, actor: Actor, slot: MeetingSlot) -> None:
    """Remove a slot that holds no meeting (the participants' availability in it goes with it)."""
    require_organiser(actor, event)
    held = meetings_per_slot(db, event=event).get(slot.id, 0)
    if held:
        raise InUse(_held_by(held, _("The slot %(slot)s") % {"slot": slot_text(event, slot)}), field="slot")
    before = {"session": slot.session, "slot": slot_text(event, slot)}
    db.execute(delete(Availability).where(Availability.slot_id == slot.id))
    db.delete(slot)
    db.flush()
    audit.record(
        db, actor=actor, entity_type="meeting_slot", entity_id=slot.id, action="slot_removed", before=before, event_id=event.id
    )


def remove_session(db: Session, *, event: Event, actor: Actor, session: str) -> int:
    """Remove every slot of a session that holds no meeting; returns how many slots went."""
    require_organiser(actor, event)
    info = next((s for s in sessions(db, event=event) if s.key == session), None)
    if info is None:
        raise NotFound(_("No such session in this event: %(s)s") % {"s": session}, field="session")
    if info.meetings:
        raise InUse(_held_by(info.meetings, _("The session %(s)s") % {"s": session}), field="session")
    ids = [s.id for s in info.slots]
    db.execute(delete(Availability).where(Availability.slot_id.in_(ids)))
    for slot in info.slots:
        db.delete(slot)
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="meeting_session",
        entity_id=ids[0],
        action="session_removed",
        before={"session": session, "slots": [slot_text(event, s) for s in info.slots]},
        event_id=event.id,
    )
    return len(ids)


# -- areas and tables ----------------------------------------------------------------------------------------


@dataclass
class AreaInfo:
    """An area and its tables by number, with the meetings each table holds."""

    area: str | None
    tables: list[MeetingTable] = field(default_factory=list)
    meetings: dict[int, int] = field(default_factory=dict)


def areas(db: Session, *, event: Event) -> list[AreaInfo]:
    """The event's tables grouped by area, areas in the order of their first table."""
    counts = {
        tid: int(n)
        for tid, n in db.execute(
            select(Meeting.table_id, func.count()).where(Meeting.event_id == event.id).group_by(Meeting.table_id)
        )
    }
    out: dict[str | None, AreaInfo] = {}
    for table in service.tables_of(db, event=event):
        info = out.setdefault(table.area, AreaInfo(table.area))
        info.tables.append(table)
        info.meetings[table.id] = counts.get(table.id, 0)
    return list(out.values())


def _sync_table_count(db: Session, event: Event) -> None:
    """Every slot opens every table: `table_count` is the highest table number (see the module docstring)."""
    highest = _highest_table(db, event)
    for slot in service.slots_of(db, event=event):
        if slot.table_count != highest:
            slot.table_count = highest
    db.flush()


def add_tables(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    count: int | None,
    first: int | None,
    area: str | None,
    problems: Problems | None = None,
) -> list[MeetingTable]:
    """Add `count` tables numbered from `first` in `area`; a number already taken is refused, naming the next
    free one."""
    require_organiser(actor, event)
    problems = problems or Problems()
    where = _area(area, problems)
    if count is not None and not 1 <= count <= MAX_TABLES_AT_ONCE:
        problems.add("count", _("Add from 1 to %(n)s tables at once.") % {"n": MAX_TABLES_AT_ONCE})
    if first is not None and not TABLE_NUMBERS[0] <= first <= TABLE_NUMBERS[1]:
        problems.add("first", _("Table numbers run from %(a)s to %(b)s.") % {"a": TABLE_NUMBERS[0], "b": TABLE_NUMBERS[1]})
    numbers: list[int] = []
    if not problems.details and count is not None and first is not None:
        numbers = list(range(first, first + count))
        if numbers[-1] > TABLE_NUMBERS[1]:
            problems.add("count", _("Table numbers run from %(a)s to %(b)s.") % {"a": TABLE_NUMBERS[0], "b": TABLE_NUMBERS[1]})
        taken = db.scalars(
            select(MeetingTable)
            .where(MeetingTable.event_id == event.id, MeetingTable.number.in_(numbers))
            .order_by(MeetingTable.number)
        ).first()
        if taken is not None:
            problems.add(
                "first",
                _("Table %(n)s already exists; start the numbering at %(next)s.")
                % {"n": taken.number, "next": _highest_table(db, event) + 1},
            )
    problems.check()
    tables = [MeetingTable(event_id=event.id, number=n, area=where) for n in numbers]
    db.add_all(tables)
    db.flush()
    _sync_table_count(db, event)
    audit.record(
        db,
        actor=actor,
        entity_type="meeting_table",
        entity_id=tables[0].id,
        action="tables_added",
        after={"numbers": f"{numbers[0]}–{numbers[-1]}", "area": where},
        event_id=event.id,
    )
    return tables


def rename_area(
    db: Session, *, event: Event, actor: Actor, old: str | None, new: str | None
) -> int:
    """Give every table of an area a new area name (an existing name merges the two); returns the table count."""
    require_organiser(actor, event)
    problems = Problems()
    source = (old or "").strip() or None
    target = _area(new, problems, "new")
    if target is None and not problems.details:
        problems.add("new", _("Give the area its new name."))
    tables = list(
        db.scalars(
            select(MeetingTable).where(
                MeetingTable.event_id == event.id,
                MeetingTable.area.is_(None) if source is None else MeetingTable.area == source,
            )
        )
    )
    if not tables:
        problems.add("old", _("No table is in the area %(a)s.") % {"a": source or _("(no area)")})
    problems.check()
    for table in tables:
        table.area = target
    db.flush()
    # The meetings at these tables are somewhere else now: subscribed calendars get the new location.
    feed_changes.touch_tables(db, table_ids=[t.id for t in tables])
    audit.record(
        db,
        actor=actor,
        entity_type="meeting_table",
        entity_id=tables[0].id,
        action="area_renamed",
        before={"area": source},
        after={"area": target, "tables": len(tables)},
        event_id=event.id,
    )
    return len(tables)


def remove_table(db: Session, *, event: Event, actor: Actor, number: int) -> None:
    """Remove a table that holds no meeting."""
    require_organiser(actor, event)
    table = db.scalar(select(MeetingTable).where(MeetingTable.event_id == event.id, MeetingTable.number == number))
    if table is None:
        raise NotFound(_("No table %(n)s in this event.") % {"n": number}, field="table")
    held = int(db.scalar(select(func.count()).select_from(Meeting).where(Meeting.table_id == table.id)) or 0)
    if held:
        raise InUse(_held_by(held, _("Table %(n)s") % {"n": number}), field="table")
    db.delete(table)
    db.flush()
    _sync_table_count(db, event)
    audit.record(
        db,
        actor=actor,
        entity_type="meeting_table",
        entity_id=table.id,
        action="table_removed",
        before={"number": number, "area": table.area},
        event_id=event.id,
    )
