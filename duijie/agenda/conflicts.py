"""The agenda's conflict checker: who or what is booked twice, or booked where or when it cannot be.

Pure: plain data in (`Room`, `Person`, `ScheduledSession`), plain data out (`Conflict`); no database, no web.
The agenda service runs it on every change of a session, the command line (`duijie agenda check`) on a file.

Five rules, each with a severity an event may set (`Severity`, `DEFAULT_SEVERITY`):

- `person_overlap`: a speaker or moderator is in two sessions at once;
- `room_overlap`: a room holds two sessions at once;
- `room_closed`: a session lies outside its room's opening hours;
- `over_capacity`: a session expects more people than its room seats;
- `person_unavailable`: a session lies outside a person's stated availability.

Times are half-open intervals [start, end): a session ending at 10:00 and one starting at 10:00 do not clash,
two sessions starting at the same time do. Internally every time is a whole number of microseconds since the
Unix epoch (UTC), so +08:00 and Z for the same instant compare equal and no comparison depends on a zone.

What an entry is. There is exactly one `Conflict` per clashing pair of sessions, per rule, per subject:
if two people are both double-booked in the same two sessions, that is two `person_overlap` entries, one
naming each person, because each one is a separate thing to fix (one of them may be replaced, the other
not), and the entry names whom it is about. A room clash names the room. The single-session rules
(`room_closed`, `over_capacity`, `person_unavailable`) give one entry per session (and per person for
`person_unavailable`). A person listed twice in one session counts once.

Order. The sessions inside an entry are in the order of the input list (never sorted by id: ids may be
strings or numbers and the caller's order is the one they know). The entries are sorted by rule (in the order
of `Rule`), then by the input positions of their sessions, then by the position of the person or room in the
`people` or `rooms` list (subjects missing from those lists come after, in order of first appearance). The
same input always gives the same list.

Windows. A room's `open` and a person's `available` windows are merged first where they overlap or touch, so a
session from 11:00 to 13:00 in a room open [9:00, 12:00) and [12:00, 18:00) is inside its hours: a room open
all day in two halves is open all day. A session must fit inside one merged window. `None` (absent) means
always open / always available; an empty list means never.

Cost: sort-and-sweep per room and per person, O(n log n + k) for n sessions and k clashing pairs; the window
rules by binary search in the merged windows. A forum of 500 sessions checks in a few milliseconds (see
bench/bench_agenda_conflicts.py).
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple, TypeAlias

from duijie.core.errors import DomainError, ErrorDetail
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l

# An id as the caller gives it: a database key or a string from a file.
Id: TypeAlias = Hashable
Window: TypeAlias = tuple[dt.datetime, dt.datetime]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)


class Rule(enum.StrEnum):
    """The five conflict rules; the value is the name used in files, settings and the API."""

    PERSON_OVERLAP = "person_overlap"
    ROOM_OVERLAP = "room_overlap"
    ROOM_CLOSED = "room_closed"
    OVER_CAPACITY = "over_capacity"
    PERSON_UNAVAILABLE = "person_unavailable"


class Severity(enum.StrEnum):
    """What a conflict of a rule does to a change: refuse it, let it through with a warning, or nothing."""

    REFUSE = "refuse"
    WARN = "warn"
    OFF = "off"


# Why these defaults. A person in two places at once and a room holding two sessions at once cannot happen: the
# programme would be wrong on the day, so the change is refused. A session outside its room's hours means the
# doors are locked (or staff and power are not booked), which is just as hard, so it is refused too. Capacity is
# an estimate (`expected` is a forecast, rooms take extra chairs, an overflow room streams the session), and a
# person's stated availability is often negotiable (a speaker may move a flight for a keynote): both are
# warnings the organiser sees and decides on, never a silent block.
DEFAULT_SEVERITY: Mapping[Rule, Severity] = MappingProxyType({
    Rule.PERSON_OVERLAP: Severity.REFUSE,
    Rule.ROOM_OVERLAP: Severity.REFUSE,
    Rule.ROOM_CLOSED: Severity.REFUSE,
    Rule.OVER_CAPACITY: Severity.WARN,
    Rule.PERSON_UNAVAILABLE: Severity.WARN,
})

# A short label of each rule, for summaries and settings pages.
RULE_LABELS: Mapping[Rule, str] = MappingProxyType({
    Rule.PERSON_OVERLAP: _l("a person in two sessions at once"),
    Rule.ROOM_OVERLAP: _l("a room booked twice"),
    Rule.ROOM_CLOSED: _l("a session outside its room's hours"),
    Rule.OVER_CAPACITY: _l("more people than the room seats"),
    Rule.PERSON_UNAVAILABLE: _l("a person outside their availability"),
})
_RULE_ORDER = {rule: number for number, rule in enumerate(Rule)}


@dataclass(frozen=True)
class Room:
    """A room: `capacity` None means not checked; `open` None means always open, () means never."""

    id: Id
    capacity: int | None = None
    open: tuple[Window, ...] | None = None


@dataclass(frozen=True)
class Person:
    """A speaker or moderator: `available` None means always available, () means never."""

    id: Id
    available: tuple[Window, ...] | None = None


@dataclass(frozen=True)
class ScheduledSession:
    """A session placed in time: `room` None means not yet in a room (no room rule applies); `expected` None
    means no capacity check. `start` and `end` carry a UTC offset, or all times given to one check are naive
    (wall-clock times of one zone, as a database without zones stores them)."""

    id: Id
    start: dt.datetime
    end: dt.datetime
    room: Id | None = None
    people: tuple[Id, ...] = ()
    expected: int | None = None


Slot = ScheduledSession


@dataclass(frozen=True)
class Conflict:
    """One conflict: the rule, its sessions (two for an overlap, one otherwise, in input order) and whom or
    what it is about. `expected` and `capacity` are filled for `over_capacity`, for the message."""

    rule: Rule
    sessions: tuple[Id, ...]
    person: Id | None = None
    room: Id | None = None
    expected: int | None = field(default=None, compare=False)
    capacity: int | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The entry as the file interface writes it: rule, sessions and the person or the room."""
        out: dict[str, Any] = {"rule": self.rule.value, "sessions": list(self.sessions)}
        if self.person is not None:
            out["person"] = self.person
        else:
            out["room"] = self.room
        return out


class Triage(NamedTuple):
    """Conflicts split by what they do to a change."""

    refusals: list[Conflict]
    warnings: list[Conflict]


# --------------------------------------------------------------------------------------------------- the check


class _Clock:
    """Turns datetimes into integer microseconds since the epoch, refusing a mix of naive and aware ones
    (which would silently compare a wall-clock time with an instant)."""

    def __init__(self) -> None:
        self.naive: bool | None = None

    def __call__(self, value: dt.datetime, where: str) -> int:
        naive = value.tzinfo is None or value.utcoffset() is None
        if self.naive is None:
            self.naive = naive
        elif self.naive != naive:
            raise ValueError(f"{where}: naive and zone-aware times mixed in one check; give every time an offset")
        if naive:
            value = value.replace(tzinfo=dt.UTC)
        return (value - _EPOCH) // _MICRO


def _merge(windows: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Merges overlapping or touching [start, end) windows; returns the starts and ends, sorted."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(w for w in windows if w[1] > w[0]):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _inside(merged: tuple[list[int], list[int]], start: int, end: int) -> bool:
    """True when [start, end) lies inside one merged window."""
    starts, ends = merged
    at = bisect.bisect_right(starts, start) - 1
    return at >= 0 and end <= ends[at]


def _sweep(members: list[int], start: list[int], end: list[int]) -> Iterable[tuple[int, int]]:
    """Every clashing pair among the sessions `members` (input positions), each pair once as (lower, higher).

    Sorted by start, a session clashes with exactly those earlier-starting sessions still running when it
    starts (end > its start); the still-running list holds only sessions that will clash with the next one
    or be dropped once, so the sweep costs the sort plus the pairs it yields.
    """
    running: list[int] = []
    for i in sorted(members, key=lambda s: (start[s], end[s], s)):
        s_i = start[i]
        running = [j for j in running if end[j] > s_i]
        for j in running:
            yield (j, i) if j < i else (i, j)
        running.append(i)


def _order(subjects: Iterable[Id], seen_later: Iterable[Id]) -> dict[Id, int]:
    """Position of each subject: first the declared list, then the others by first appearance."""
    order: dict[Id, int] = {}
    for subject in (*subjects, *seen_later):
        order.setdefault(subject, len(order))
    return order


def check(rooms: Sequence[Room], people: Sequence[Person], sessions: Sequence[ScheduledSession]) -> list[Conflict]:
    """Every conflict of the schedule, one entry per clashing pair (or session) per rule and subject, in a
    fixed order (see the module docstring). Raises ValueError for an input no file or form should produce:
    a session ending at or before its start, two sessions with one id, naive and aware times mixed."""
    clock = _Clock()
    seen_ids: set[Id] = set()
    start: list[int] = []
    end: list[int] = []
    for session in sessions:
        if session.id in seen_ids:
            raise ValueError(f"session {session.id!r}: two sessions have this id")
        seen_ids.add(session.id)
        start.append(clock(session.start, f"session {session.id!r}"))
        end.append(clock(session.end, f"session {session.id!r}"))
        if end[-1] <= start[-1]:
            raise ValueError(f"session {session.id!r}: ends at or before it starts")
    room_of = {room.id: room for room in rooms}
    person_of = {person.id: person for person in people}
    room_order = _order(room_of, (s.room for s in sessions if s.room is not None))
    person_order = _order(person_of, (p for s in sessions for p in s.people))

    by_room: dict[Id, list[int]] = {}
    by_person: dict[Id, list[int]] = {}
    for index, session in enumerate(sessions):
        if session.room is not None:
            by_room.setdefault(session.room, []).append(index)
        for person_id in dict.fromkeys(session.people):  # a person listed twice counts once
            by_person.setdefault(person_id, []).append(index)

    # (rule, session positions, subject position) -> conflict; sorted at the end.
    found: list[tuple[tuple[int, tuple[int, ...], int], Conflict]] = []

    def add(rule: Rule, positions: tuple[int, ...], subject: int, conflict: Conflict) -> None:
        found.append(((_RULE_ORDER[rule], positions, subject), conflict))

    for person_id, members in by_person.items():
        for a, b in _sweep(members, start, end):
            add(Rule.PERSON_OVERLAP, (a, b), person_order[person_id],
                Conflict(Rule.PERSON_OVERLAP, (sessions[a].id, sessions[b].id), person=person_id))
    for room_id, members in by_room.items():
        for a, b in _sweep(members, start, end):
            add(Rule.ROOM_OVERLAP, (a, b), room_order[room_id],
                Conflict(Rule.ROOM_OVERLAP, (sessions[a].id, sessions[b].id), room=room_id))

    for room_id, members in by_room.items():
        room = room_of.get(room_id)
        if room is None:
            continue
        if room.open is not None:
            merged = _merge(
                (clock(a, f"room {room_id!r}"), clock(b, f"room {room_id!r}")) for a, b in room.open
            )
            for i in members:
                if not _inside(merged, start[i], end[i]):
                    add(Rule.ROOM_CLOSED, (i,), room_order[room_id],
                        Conflict(Rule.ROOM_CLOSED, (sessions[i].id,), room=room_id))
        if room.capacity is not None:
            for i in members:
                expected = sessions[i].expected
                if expected is not None and expected > room.capacity:
                    add(Rule.OVER_CAPACITY, (i,), room_order[room_id],
                        Conflict(Rule.OVER_CAPACITY, (sessions[i].id,), room=room_id,
                                 expected=expected, capacity=room.capacity))

    for person_id, members in by_person.items():
        person = person_of.get(person_id)
        if person is None or person.available is None:
            continue
        merged = _merge(
            (clock(a, f"person {person_id!r}"), clock(b, f"person {person_id!r}")) for a, b in person.available
        )
        for i in members:
            if not _inside(merged, start[i], end[i]):
                add(Rule.PERSON_UNAVAILABLE, (i,), person_order[person_id],
                    Conflict(Rule.PERSON_UNAVAILABLE, (sessions[i].id,), person=person_id))

    found.sort(key=lambda item: item[0])
    return [conflict for _key, conflict in found]


# ------------------------------------------------------------------------------------------------ severities


def triage(conflicts: Iterable[Conflict], severity: Mapping[Rule, Severity] | None = None) -> Triage:
    """Splits conflicts into refusals and warnings by the event's severities (a rule the mapping leaves out
    keeps its default); conflicts of rules set to `off` are dropped."""
    chosen = {**DEFAULT_SEVERITY, **(severity or {})}
    refusals: list[Conflict] = []
    warnings: list[Conflict] = []
    for conflict in conflicts:
        level = chosen[conflict.rule]
        if level is Severity.REFUSE:
            refusals.append(conflict)
        elif level is Severity.WARN:
            warnings.append(conflict)
    return Triage(refusals, warnings)


def parse_severity(data: Mapping[str, Any], *, field: str = "severity") -> dict[Rule, Severity]:
    """Reads {"rule": "refuse" | "warn" | "off"} as given in a setting or a form; names the key at fault."""
    out: dict[Rule, Severity] = {}
    details: list[ErrorDetail] = []
    for key, value in data.items():
        where = f"{field}.{key}"
        if key not in Rule.__members__.values():
            details.append(ErrorDetail(
                _("Unknown rule %(name)s; the rules are %(names)s.") % {"name": key, "names": ", ".join(Rule)},
                field=where,
            ))
        elif value not in Severity.__members__.values():
            details.append(ErrorDetail(
                _("%(value)s is not a severity; use refuse, warn or off.") % {"value": value}, field=where
            ))
        else:
            out[Rule(key)] = Severity(value)
    if details:
        raise DomainError(f"{details[0].field}: {details[0].message}", field=details[0].field, details=details)
    return out


# --------------------------------------------------------------------------------------------------- messages


def describe(
    conflict: Conflict,
    session_title: Callable[[Id], str],
    person_name: Callable[[Id], str],
    room_name: Callable[[Id], str],
) -> str:
    """One sentence in the current language naming the sessions and whom or what the conflict is about."""
    titles = [session_title(s) for s in conflict.sessions]
    rule = conflict.rule
    if rule is Rule.PERSON_OVERLAP:
        return _("%(person)s is in '%(first)s' and '%(second)s' at the same time") % {
            "person": person_name(conflict.person), "first": titles[0], "second": titles[1],
        }
    if rule is Rule.ROOM_OVERLAP:
        return _("%(room)s is booked for '%(first)s' and '%(second)s' at the same time") % {
            "room": room_name(conflict.room), "first": titles[0], "second": titles[1],
        }
    if rule is Rule.ROOM_CLOSED:
        return _("'%(session)s' is outside the opening hours of %(room)s") % {
            "session": titles[0], "room": room_name(conflict.room),
        }
    if rule is Rule.OVER_CAPACITY:
        return _("'%(session)s' expects %(expected)s people but %(room)s seats %(capacity)s") % {
            "session": titles[0], "room": room_name(conflict.room),
            "expected": conflict.expected if conflict.expected is not None else "?",
            "capacity": conflict.capacity if conflict.capacity is not None else "?",
        }
    return _("%(person)s is not available during '%(session)s'") % {
        "person": person_name(conflict.person), "session": titles[0],
    }


# ---------------------------------------------------------------------------------------------- file interface


class InputError(DomainError):
    """A schedule file the checker cannot read; `details` name every place at fault (`sessions[3].end`)."""


_MAX_PROBLEMS = 50  # enough to fix a file in one pass, few enough to read


def _shown(value: Any) -> str:
    """A value as it appears in the file, for messages."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


class _Reader:
    """Reads the input file's parts, collecting every problem with its place instead of stopping at the first."""

    def __init__(self) -> None:
        self.details: list[ErrorDetail] = []

    def problem(self, where: str, message: str) -> None:
        if len(self.details) < _MAX_PROBLEMS:
            self.details.append(ErrorDetail(message=message, field=where))

    def obj(self, value: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(where, _("Expected an object with %(keys)s.") % {"keys": ", ".join(required + optional)})
            return None
        for key in value:
            if key not in required and key not in optional:
                self.problem(f"{where}.{key}", _("Unknown field; expected one of %(keys)s.") % {
                    "keys": ", ".join(required + optional)
                })
        for key in required:
            if key not in value:
                self.problem(f"{where}.{key}", _("This field is required."))
        return value

    def items(self, value: Any, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(where, _("Expected a list."))
            return []
        return value

    def ident(self, value: Any, where: str) -> Id | None:
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.problem(where, _("Expected an id: a non-empty string or a whole number."))
        return None

    def count(self, value: Any, where: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        self.problem(where, _("Expected a whole number of 0 or more, not %(value)s.") % {"value": _shown(value)})
        return None

    def time(self, value: Any, where: str) -> dt.datetime | None:
        if not isinstance(value, str):
            self.problem(where, _("Expected an ISO 8601 time as a string, such as 2026-04-25T09:00:00+08:00."))
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            self.problem(where, _("%(value)s is not an ISO 8601 time; write it like 2026-04-25T09:00:00+08:00.")
                         % {"value": _shown(value)})
            return None
        if parsed.tzinfo is None:
            self.problem(where, _(
                "%(value)s has no UTC offset; add one, such as +08:00 for Beijing time or Z for UTC, so the "
                "time is not ambiguous."
            ) % {"value": _shown(value)})
            return None
        return parsed

    def interval(self, value: Any, where: str, first: str, second: str) -> tuple[dt.datetime, dt.datetime] | None:
        """A start and an end (named `first` and `second` in messages' places), the end after the start."""
        if isinstance(value, dict):
            a, b = self.time(value.get(first), f"{where}.{first}"), self.time(value.get(second), f"{where}.{second}")
            end_where = f"{where}.{second}"
        else:
            if not isinstance(value, list) or len(value) != 2:
                self.problem(where, _("Expected a [start, end] pair."))
                return None
            a, b = self.time(value[0], f"{where}[0]"), self.time(value[1], f"{where}[1]")
            end_where = f"{where}[1]"
        if a is None or b is None:
            return None
        if b <= a:
            self.problem(end_where, _("The end must be after the start (%(start)s).") % {"start": a.isoformat()})
            return None
        return a, b

    def windows(self, value: Any, where: str) -> tuple[Window, ...] | None:
        if value is None:
            return None
        out = []
        for n, item in enumerate(self.items(value, where)):
            window = self.interval(item, f"{where}[{n}]", "start", "end")
            if window is not None:
                out.append(window)
        return tuple(out)

    def unique(self, seen: dict[Id, str], ident: Id | None, where: str) -> None:
        if ident is None:
            return
        if ident in seen:
            self.problem(where, _("%(id)s is used twice; ids must be unique (first at %(other)s).") % {
                "id": _shown(ident), "other": seen[ident],
            })
        else:
            seen[ident] = where


def load_json(data: Any) -> tuple[list[Room], list[Person], list[ScheduledSession]]:
    """Reads the file interface's input (see `duijie agenda check --help`); raises InputError naming every
    place at fault: a bad or offset-less time, an end not after its start, an unknown room or person, a
    duplicate id, an unknown field (a misspelt `available` would otherwise make someone always free)."""
    read = _Reader()
    top = read.obj(data, "$", (), ("rooms", "people", "sessions"))
    if top is None:
        raise InputError(_("Expected a JSON object with rooms, people and sessions."), field="$")
    rooms: list[Room] = []
    people: list[Person] = []
    sessions: list[ScheduledSession] = []
    room_ids: dict[Id, str] = {}
    person_ids: dict[Id, str] = {}
    session_ids: dict[Id, str] = {}
    for n, item in enumerate(read.items(top.get("rooms"), "rooms")):
        where = f"rooms[{n}]"
        raw = read.obj(item, where, ("id",), ("capacity", "open", "name"))
        if raw is None:
            continue
        ident = read.ident(raw.get("id"), f"{where}.id")
        read.unique(room_ids, ident, f"{where}.id")
        capacity = read.count(raw.get("capacity"), f"{where}.capacity")
        windows = read.windows(raw.get("open"), f"{where}.open")
        if ident is not None:
            rooms.append(Room(ident, capacity, windows))
    for n, item in enumerate(read.items(top.get("people"), "people")):
        where = f"people[{n}]"
        raw = read.obj(item, where, ("id",), ("available", "name"))
        if raw is None:
            continue
        ident = read.ident(raw.get("id"), f"{where}.id")
        read.unique(person_ids, ident, f"{where}.id")
        windows = read.windows(raw.get("available"), f"{where}.available")
        if ident is not None:
            people.append(Person(ident, windows))
    for n, item in enumerate(read.items(top.get("sessions"), "sessions")):
        where = f"sessions[{n}]"
        raw = read.obj(item, where, ("id", "start", "end"), ("room", "people", "expected", "title"))
        if raw is None:
            continue
        ident = read.ident(raw.get("id"), f"{where}.id")
        read.unique(session_ids, ident, f"{where}.id")
        times = read.interval(raw, where, "start", "end") if "start" in raw and "end" in raw else None
        room: Id | None = None
        if raw.get("room") is not None:
            room = read.ident(raw["room"], f"{where}.room")
            if room is not None and room not in room_ids:
                read.problem(f"{where}.room", _("Unknown room %(id)s; list it under rooms.") % {"id": _shown(room)})
        members: list[Id] = []
        for m, person in enumerate(read.items(raw.get("people"), f"{where}.people")):
            person_id = read.ident(person, f"{where}.people[{m}]")
            if person_id is not None and person_id not in person_ids:
                read.problem(f"{where}.people[{m}]", _("Unknown person %(id)s; list them under people.") % {
                    "id": _shown(person_id)
                })
            if person_id is not None:
                members.append(person_id)
        expected = read.count(raw.get("expected"), f"{where}.expected")
        if ident is not None and times is not None:
            sessions.append(ScheduledSession(ident, times[0], times[1], room, tuple(members), expected))
    if read.details:
        first = read.details[0]
        raise InputError(f"{first.field}: {first.message}", field=first.field, details=read.details)
    return rooms, people, sessions


def dump_json(conflicts: Iterable[Conflict]) -> dict[str, Any]:
    """The file interface's output: {"conflicts": [{"rule", "sessions", "person" | "room"}, ...]}."""
    return {"conflicts": [conflict.as_dict() for conflict in conflicts]}
