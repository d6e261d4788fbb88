"""The agenda's conflict checker against a plain brute-force check on thousands of random schedules, and the
edge cases its docstring promises: half-open intervals, offsets, merged windows, one entry per pair."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from typing import Any, Protocol

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duijie.agenda.conflicts import (
    DEFAULT_SEVERITY,
    Conflict,
    InputError,
    Person,
    Room,
    Rule,
    ScheduledSession,
    Severity,
    check,
    describe,
    dump_json,
    load_json,
    parse_severity,
    triage,
)
from duijie.agenda.locale_zh import ZH
from duijie.core.errors import DomainError
from duijie.core.i18n import reset_locale, set_locale

DAY = dt.datetime(2026, 4, 25, tzinfo=dt.UTC)
OFFSETS = (dt.timedelta(hours=8), dt.timedelta(0), dt.timedelta(hours=-5, minutes=-30))


def at(minute: int, offset: dt.timedelta = dt.timedelta(hours=8)) -> str:
    """The instant DAY + minute, written in the zone `offset` (the same instant in any zone)."""
    return (DAY + dt.timedelta(minutes=minute)).astimezone(dt.timezone(offset)).isoformat()


@pytest.fixture
def english() -> Iterator[None]:
    token = set_locale("en")
    yield
    reset_locale(token)


def run(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The file interface end to end: read, check, write."""
    conflicts: list[dict[str, Any]] = dump_json(check(*load_json(data)))["conflicts"]
    return conflicts


# ----------------------------------------------------------------------------------------- the brute force


def brute_force(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every conflict by looking at every pair and every session, written as plainly as possible.

    Times are compared as datetimes (Python compares aware datetimes as instants). A window list covers a
    session when, walking from its start, some window always holds the current moment until the end.
    """
    rooms = {r["id"]: r for r in data.get("rooms", [])}
    people = {p["id"]: p for p in data.get("people", [])}
    sessions = data.get("sessions", [])
    room_rank = {rid: n for n, rid in enumerate(rooms)}
    person_rank = {pid: n for n, pid in enumerate(people)}
    times = [(dt.datetime.fromisoformat(s["start"]), dt.datetime.fromisoformat(s["end"])) for s in sessions]
    rule_rank = {rule.value: n for n, rule in enumerate(Rule)}
    found: list[tuple[tuple[int, tuple[int, ...], int], dict[str, Any]]] = []

    def covered(windows: list[list[str]], start: dt.datetime, end: dt.datetime) -> bool:
        spans = [(dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)) for a, b in windows]
        moment = start
        while moment < end:
            reach = [b for a, b in spans if a <= moment < b]
            if not reach:
                return False
            moment = max(reach)
        return True

    for i in range(len(sessions)):
        for j in range(i + 1, len(sessions)):
            (a_start, a_end), (b_start, b_end) = times[i], times[j]
            if not (a_start < b_end and b_start < a_end):
                continue
            a, b = sessions[i], sessions[j]
            for pid in people:
                if pid in a.get("people", []) and pid in b.get("people", []):
                    found.append(((rule_rank["person_overlap"], (i, j), person_rank[pid]),
                                  {"rule": "person_overlap", "sessions": [a["id"], b["id"]], "person": pid}))
            if a.get("room") is not None and a.get("room") == b.get("room"):
                found.append(((rule_rank["room_overlap"], (i, j), room_rank[a["room"]]),
                              {"rule": "room_overlap", "sessions": [a["id"], b["id"]], "room": a["room"]}))
    for i, session in enumerate(sessions):
        room = rooms.get(session.get("room"))
        if room is not None:
            if room.get("open") is not None and not covered(room["open"], *times[i]):
                found.append(((rule_rank["room_closed"], (i,), room_rank[room["id"]]),
                              {"rule": "room_closed", "sessions": [session["id"]], "room": room["id"]}))
            capacity, expected = room.get("capacity"), session.get("expected")
            if capacity is not None and expected is not None and expected > capacity:
                found.append(((rule_rank["over_capacity"], (i,), room_rank[room["id"]]),
                              {"rule": "over_capacity", "sessions": [session["id"]], "room": room["id"]}))
        for pid in people:
            available = people[pid].get("available")
            if pid in session.get("people", []) and available is not None and not covered(available, *times[i]):
                found.append(((rule_rank["person_unavailable"], (i,), person_rank[pid]),
                              {"rule": "person_unavailable", "sessions": [session["id"]], "person": pid}))
    found.sort(key=lambda item: item[0])
    return [entry for _key, entry in found]


class Choices(Protocol):
    """Where a random schedule's choices come from: hypothesis (shrinks a failure to a small example) or a
    seeded `random.Random` (thousands of schedules in a few seconds; a failure names its seed)."""

    def integer(self, low: int, high: int) -> int: ...


class Drawn:
    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))


class Seeded:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


def random_schedule(pick: Choices) -> dict[str, Any]:
    """A small random schedule on a coarse grid (so touching and equal times are common), its times written
    in several zones, windows that overlap, touch or leave gaps, people listed twice, optional fields left out."""
    grid = 10  # minutes
    horizon = 12

    def moment(step: int) -> str:
        return at(grid * step, OFFSETS[pick.integer(0, len(OFFSETS) - 1)])

    def windows() -> list[list[str]] | None:
        if pick.integer(0, 1):
            return None
        out = []
        for _n in range(pick.integer(0, 3)):
            a = pick.integer(0, horizon - 1)
            out.append([moment(a), moment(pick.integer(a + 1, horizon))])
        return out

    room_ids = [f"r{n}" for n in range(pick.integer(1, 3))]
    person_ids = [f"p{n}" for n in range(pick.integer(0, 4))]
    rooms = []
    for rid in room_ids:
        room: dict[str, Any] = {"id": rid}
        if pick.integer(0, 1):
            room["capacity"] = pick.integer(0, 50)
        opening = windows()
        if opening is not None:
            room["open"] = opening
        rooms.append(room)
    people = []
    for pid in person_ids:
        person: dict[str, Any] = {"id": pid}
        available = windows()
        if available is not None:
            person["available"] = available
        people.append(person)
    sessions = []
    for n in range(pick.integer(0, 9)):
        start = pick.integer(0, horizon - 1)
        session: dict[str, Any] = {
            "id": n if pick.integer(0, 1) else f"s{n}",
            "start": moment(start),
            "end": moment(pick.integer(start + 1, horizon)),
        }
        if pick.integer(0, 5):
            session["room"] = room_ids[pick.integer(0, len(room_ids) - 1)]
        if person_ids:
            session["people"] = [person_ids[pick.integer(0, len(person_ids) - 1)] for _ in range(pick.integer(0, 4))]
        if pick.integer(0, 1):
            session["expected"] = pick.integer(0, 60)
        sessions.append(session)
    return {"rooms": rooms, "people": people, "sessions": sessions}


@st.composite
def schedules(draw: st.DrawFn) -> dict[str, Any]:
    return random_schedule(Drawn(draw))


@settings(max_examples=2000, deadline=None)
@given(st.integers(0, 2**64))
def test_check_agrees_with_the_brute_force_on_thousands_of_random_schedules(seed: int) -> None:
    data = random_schedule(Seeded(seed))
    assert run(data) == brute_force(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules())
def test_check_agrees_with_the_brute_force_on_random_schedules_shrinking_a_failure(data: dict[str, Any]) -> None:
    assert run(data) == brute_force(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules())
def test_check_gives_the_same_answer_for_naive_times_of_one_zone(data: dict[str, Any]) -> None:
    """A database without zones gives naive wall-clock times; all naive, they compare as the aware ones."""
    rooms, people, sessions = load_json(data)

    def naive(value: dt.datetime) -> dt.datetime:
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    naive_rooms = [Room(r.id, r.capacity, None if r.open is None else tuple((naive(a), naive(b)) for a, b in r.open))
                   for r in rooms]
    naive_people = [Person(p.id, None if p.available is None else tuple((naive(a), naive(b)) for a, b in p.available))
                    for p in people]
    naive_sessions = [ScheduledSession(s.id, naive(s.start), naive(s.end), s.room, s.people, s.expected)
                      for s in sessions]
    assert check(naive_rooms, naive_people, naive_sessions) == check(rooms, people, sessions)


# ------------------------------------------------------------------------------------------------ edge cases


def session(sid: str, start: int, end: int, *, room: str | None = "r", people: tuple[str, ...] = (),
            expected: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": sid, "start": at(start), "end": at(end), "people": list(people)}
    if room is not None:
        out["room"] = room
    if expected is not None:
        out["expected"] = expected
    return out


def schedule(*sessions: dict[str, Any], room: dict[str, Any] | None = None,
             people: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    ids = sorted({p for s in sessions for p in s.get("people", [])})
    return {"rooms": [room or {"id": "r"}], "people": people if people is not None else [{"id": p} for p in ids],
            "sessions": list(sessions)}


def test_touching_sessions_do_not_clash() -> None:
    data = schedule(session("a", 0, 60, people=("zhang",)), session("b", 60, 120, people=("zhang",)))
    assert run(data) == []


def test_sessions_starting_together_clash() -> None:
    data = schedule(session("a", 0, 60, people=("zhang",)), session("b", 0, 30, people=("zhang",)))
    assert run(data) == [
        {"rule": "person_overlap", "sessions": ["a", "b"], "person": "zhang"},
        {"rule": "room_overlap", "sessions": ["a", "b"], "room": "r"},
    ]


def test_the_same_instant_in_two_zones_is_the_same_start() -> None:
    a = {"id": "a", "room": "r", "start": "2026-04-25T09:00:00+08:00", "end": "2026-04-25T10:00:00+08:00"}
    b = {"id": "b", "room": "r", "start": "2026-04-25T01:00:00Z", "end": "2026-04-25T01:30:00Z"}
    c = {"id": "c", "room": "r", "start": "2026-04-25T02:00:00Z", "end": "2026-04-25T03:00:00Z"}  # 10:00 Beijing
    assert run(schedule(a, b, c)) == [{"rule": "room_overlap", "sessions": ["a", "b"], "room": "r"}]


@pytest.mark.usefixtures("english")
def test_a_session_of_no_length_is_refused_as_input() -> None:
    with pytest.raises(InputError) as caught:
        load_json(schedule(session("a", 60, 60)))
    assert [(d.field, d.message) for d in caught.value.details] == [
        ("sessions[0].end", "The end must be after the start (2026-04-25T09:00:00+08:00).")
    ]
    start = DAY + dt.timedelta(hours=1)
    with pytest.raises(ValueError, match="ends at or before it starts"):
        check([], [], [ScheduledSession("a", start, start)])


def test_a_person_listed_twice_in_one_session_counts_once() -> None:
    data = schedule(session("a", 0, 60, people=("zhang", "zhang"), room=None),
                    session("b", 30, 90, people=("zhang",), room=None),
                    people=[{"id": "zhang", "available": [[at(0), at(60)]]}])
    assert run(data) == [
        {"rule": "person_overlap", "sessions": ["a", "b"], "person": "zhang"},
        {"rule": "person_unavailable", "sessions": ["b"], "person": "zhang"},
    ]


def test_two_people_booked_twice_in_the_same_sessions_give_one_entry_each() -> None:
    data = schedule(session("a", 0, 60, people=("li", "zhang"), room=None),
                    session("b", 0, 60, people=("zhang", "li"), room=None))
    assert run(data) == [
        {"rule": "person_overlap", "sessions": ["a", "b"], "person": "li"},
        {"rule": "person_overlap", "sessions": ["a", "b"], "person": "zhang"},
    ]


def test_every_pair_of_many_overlapping_sessions_is_given_exactly_once() -> None:
    data = schedule(*(session(f"s{n}", 10 * n, 100, people=("zhang",)) for n in range(5)))
    pairs = [[f"s{a}", f"s{b}"] for a, b in itertools.combinations(range(5), 2)]
    assert run(data) == (
        [{"rule": "person_overlap", "sessions": pair, "person": "zhang"} for pair in pairs]
        + [{"rule": "room_overlap", "sessions": pair, "room": "r"} for pair in pairs]
    )


def test_sessions_in_an_entry_are_in_input_order_not_time_order() -> None:
    data = schedule(session("late", 30, 90), session("early", 0, 60))
    assert run(data) == [{"rule": "room_overlap", "sessions": ["late", "early"], "room": "r"}]


def test_a_session_fits_inside_one_window_of_several() -> None:
    room = {"id": "r", "open": [[at(0), at(180)], [at(240), at(540)]]}
    assert run(schedule(session("morning", 60, 120), session("afternoon", 300, 360), room=room)) == []
    assert run(schedule(session("over lunch", 150, 300), room=room)) == [
        {"rule": "room_closed", "sessions": ["over lunch"], "room": "r"}
    ]


def test_a_session_across_two_touching_windows_is_inside_the_hours() -> None:
    """[9:00, 12:00) and [12:00, 18:00) are merged into one opening: a room open all day in two halves."""
    room = {"id": "r", "open": [[at(180), at(540)], [at(0), at(180)]]}
    assert run(schedule(session("across noon", 120, 240), room=room)) == []
    assert run(schedule(session("past closing", 480, 600), room=room)) == [
        {"rule": "room_closed", "sessions": ["past closing"], "room": "r"}
    ]


def test_an_empty_list_of_windows_means_never_and_no_list_means_always() -> None:
    data = schedule(session("a", 0, 60, people=("zhang", "li"), room=None),
                    people=[{"id": "zhang", "available": []}, {"id": "li"}])
    assert run(data) == [{"rule": "person_unavailable", "sessions": ["a"], "person": "zhang"}]
    assert run(schedule(session("a", 0, 60), room={"id": "r", "open": []})) == [
        {"rule": "room_closed", "sessions": ["a"], "room": "r"}
    ]


def test_capacity_is_checked_only_when_both_numbers_are_given() -> None:
    room = {"id": "r", "capacity": 100}
    data = schedule(session("full", 0, 60, expected=100), session("over", 60, 120, expected=101),
                    session("unknown", 120, 180), room=room)
    conflicts = check(*load_json(data))
    assert [c.as_dict() for c in conflicts] == [{"rule": "over_capacity", "sessions": ["over"], "room": "r"}]
    assert (conflicts[0].expected, conflicts[0].capacity) == (101, 100)
    assert run(schedule(session("a", 0, 60, expected=10**6))) == []


def test_naive_and_aware_times_are_not_mixed() -> None:
    aware = DAY
    naive = DAY.replace(tzinfo=None) + dt.timedelta(hours=2)
    with pytest.raises(ValueError, match="naive and zone-aware"):
        check([], [], [ScheduledSession("a", aware, aware + dt.timedelta(hours=1)),
                        ScheduledSession("b", naive, naive + dt.timedelta(hours=1))])


def test_two_sessions_with_one_id_are_refused() -> None:
    start = DAY
    with pytest.raises(ValueError, match="two sessions have this id"):
        check([], [], [ScheduledSession("a", start, start + dt.timedelta(hours=1))] * 2)


# ------------------------------------------------------------------------------------------------ the loader


def problems(data: Any) -> list[tuple[str | None, str]]:
    with pytest.raises(InputError) as caught:
        load_json(data)
    return [(d.field, d.message) for d in caught.value.details]


@pytest.mark.usefixtures("english")
def test_load_json_names_every_place_at_fault() -> None:
    data = {
        "rooms": [{"id": "r", "capacity": -1}, {"id": "r", "opne": []}],
        "people": [{"id": "zhang", "available": [["2026-04-25T09:00:00+08:00"]]}],
        "sessions": [
            {"id": "a", "room": "r", "start": "2026-04-25T09:00:00", "end": "2026-04-25T10:00:00+08:00"},
            {"id": "b", "room": "hall", "start": "tomorrow", "end": "2026-04-25T10:00:00+08:00", "people": ["li"]},
            {"id": "a", "start": "2026-04-25T10:00:00+08:00", "end": "2026-04-25T09:00:00+08:00", "expected": True},
            {"room": "r"},
            "c",
        ],
    }
    assert problems(data) == [
        ("rooms[0].capacity", "Expected a whole number of 0 or more, not -1."),
        ("rooms[1].opne", "Unknown field; expected one of id, capacity, open, name."),
        ("rooms[1].id", '"r" is used twice; ids must be unique (first at rooms[0].id).'),
        ("people[0].available[0]", "Expected a [start, end] pair."),
        ("sessions[0].start", '"2026-04-25T09:00:00" has no UTC offset; add one, such as +08:00 for Beijing time '
                              "or Z for UTC, so the time is not ambiguous."),
        ("sessions[1].start", '"tomorrow" is not an ISO 8601 time; write it like 2026-04-25T09:00:00+08:00.'),
        ("sessions[1].room", 'Unknown room "hall"; list it under rooms.'),
        ("sessions[1].people[0]", 'Unknown person "li"; list them under people.'),
        ("sessions[2].id", '"a" is used twice; ids must be unique (first at sessions[0].id).'),
        ("sessions[2].end", "The end must be after the start (2026-04-25T10:00:00+08:00)."),
        ("sessions[2].expected", "Expected a whole number of 0 or more, not true."),
        ("sessions[3].id", "This field is required."),
        ("sessions[3].start", "This field is required."),
        ("sessions[3].end", "This field is required."),
        ("sessions[3].id", "Expected an id: a non-empty string or a whole number."),
        ("sessions[4]", "Expected an object with id, start, end, room, people, expected, title."),
    ]


@pytest.mark.usefixtures("english")
def test_load_json_refuses_what_is_not_a_schedule() -> None:
    assert problems([]) == [("$", "Expected a JSON object with rooms, people and sessions.")]
    assert problems({"sessions": {}}) == [("sessions", "Expected a list.")]
    assert problems({"rooms": [{"id": "r", "open": [["2026-04-25T09:00Z", 5]]}]}) == [
        ("rooms[0].open[0][1]", "Expected an ISO 8601 time as a string, such as 2026-04-25T09:00:00+08:00.")
    ]


def test_load_json_speaks_chinese_by_default() -> None:
    message = "%(value)s has no UTC offset; add one, such as +08:00 for Beijing time or Z for UTC, so the time is not ambiguous."
    assert problems({"sessions": [{"id": 1, "start": "2026-04-25T09:00", "end": "2026-04-25T10:00Z"}]}) == [
        ("sessions[0].start", str(ZH[message]) % {"value": '"2026-04-25T09:00"'})
    ]


def test_an_empty_file_has_no_conflicts() -> None:
    assert run({}) == []
    assert load_json({"rooms": [], "people": [], "sessions": []}) == ([], [], [])


# -------------------------------------------------------------------------------------- severities, messages


def conflict(rule: Rule) -> Conflict:
    return Conflict(rule, ("a",), room="r")


def test_triage_follows_the_defaults_and_the_event_s_choices() -> None:
    conflicts = [conflict(rule) for rule in Rule]
    default = triage(conflicts)
    assert [c.rule for c in default.refusals] == [Rule.PERSON_OVERLAP, Rule.ROOM_OVERLAP, Rule.ROOM_CLOSED]
    assert [c.rule for c in default.warnings] == [Rule.OVER_CAPACITY, Rule.PERSON_UNAVAILABLE]
    chosen = triage(conflicts, {Rule.ROOM_CLOSED: Severity.OFF, Rule.OVER_CAPACITY: Severity.REFUSE})
    assert [c.rule for c in chosen.refusals] == [Rule.PERSON_OVERLAP, Rule.ROOM_OVERLAP, Rule.OVER_CAPACITY]
    assert [c.rule for c in chosen.warnings] == [Rule.PERSON_UNAVAILABLE]
    assert set(DEFAULT_SEVERITY) == set(Rule)


@pytest.mark.usefixtures("english")
def test_parse_severity_reads_a_setting_and_names_the_wrong_key() -> None:
    assert parse_severity({"over_capacity": "refuse", "room_closed": "off"}) == {
        Rule.OVER_CAPACITY: Severity.REFUSE, Rule.ROOM_CLOSED: Severity.OFF,
    }
    with pytest.raises(DomainError) as caught:
        parse_severity({"room_clash": "warn", "person_overlap": "never"})
    assert [(d.field, d.message) for d in caught.value.details] == [
        ("severity.room_clash", "Unknown rule room_clash; the rules are person_overlap, room_overlap, room_closed, "
                                "over_capacity, person_unavailable."),
        ("severity.person_overlap", "never is not a severity; use refuse, warn or off."),
    ]


NAMES = {"open": "Opening ceremony", "ai": "AI parallel forum", "zhang": "Zhang San", "hall": "Hall A"}
ZH_NAMES = {"open": "开幕式", "ai": "人工智能平行论坛", "zhang": "张三", "hall": "A 厅"}


def say(entry: Conflict, names: dict[str, str]) -> str:
    return describe(entry, lambda s: names[str(s)], lambda p: names[str(p)], lambda r: names[str(r)])


@pytest.mark.usefixtures("english")
def test_describe_names_both_sessions_in_english() -> None:
    assert say(Conflict(Rule.PERSON_OVERLAP, ("open", "ai"), person="zhang"), NAMES) == (
        "Zhang San is in 'Opening ceremony' and 'AI parallel forum' at the same time"
    )
    assert say(Conflict(Rule.ROOM_OVERLAP, ("open", "ai"), room="hall"), NAMES) == (
        "Hall A is booked for 'Opening ceremony' and 'AI parallel forum' at the same time"
    )
    assert say(Conflict(Rule.ROOM_CLOSED, ("ai",), room="hall"), NAMES) == (
        "'AI parallel forum' is outside the opening hours of Hall A"
    )
    assert say(Conflict(Rule.OVER_CAPACITY, ("ai",), room="hall", expected=300, capacity=200), NAMES) == (
        "'AI parallel forum' expects 300 people but Hall A seats 200"
    )
    assert say(Conflict(Rule.PERSON_UNAVAILABLE, ("ai",), person="zhang"), NAMES) == (
        "Zhang San is not available during 'AI parallel forum'"
    )


def test_describe_names_both_sessions_in_chinese() -> None:
    token = set_locale("zh_CN")
    try:
        assert say(Conflict(Rule.PERSON_OVERLAP, ("open", "ai"), person="zhang"), ZH_NAMES) == (
            "张三同时在「开幕式」和「人工智能平行论坛」（时间重叠）"
        )
        assert say(Conflict(Rule.OVER_CAPACITY, ("ai",), room="hall", expected=300, capacity=200), ZH_NAMES) == (
            "「人工智能平行论坛」预计 300 人，超出A 厅的 200 个座位"
        )
    finally:
        reset_locale(token)
