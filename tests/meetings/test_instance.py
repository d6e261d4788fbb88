"""Loading and validating meeting instances, counting idle gaps, checking schedules, the JSON form."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from duijie.meetings.instance import (
    Instance,
    InstanceError,
    Participant,
    Request,
    Schedule,
    ScheduledMeeting,
    Slot,
    Unscheduled,
    count_idle_gaps,
    load_instance,
    schedule_to_dict,
    verify,
)

BASE: dict[str, Any] = {
    "slots": [
        {"id": "s1", "session": "am"},
        {"id": "s2", "session": "am"},
        {"id": "s3", "session": "am"},
        {"id": "s4", "session": "pm"},
    ],
    "tables": {"s1": 2, "s2": 2, "s3": 2, "s4": 1},
    "participants": [
        {"id": "p1", "available": ["s1", "s2", "s3", "s4"], "max_meetings": 3},
        {"id": "p2", "available": ["s1", "s2"]},
        {"id": "p3"},
    ],
    "requests": [
        {"id": "r1", "a": "p1", "b": "p2", "weight": 2.5, "sessions": ["am"], "pinned_slot": None},
        {"id": "r2", "a": "p1", "b": "p3"},
    ],
}


def _with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        data[key] = value
    return data


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(InstanceError) as info:
        load_instance(data)
    return info.value.message


def test_load_instance_reads_fields_and_defaults() -> None:
    instance = load_instance(BASE)
    assert instance.slots[0] == Slot("s1", "am")
    assert instance.tables == {"s1": 2, "s2": 2, "s3": 2, "s4": 1}
    assert instance.participants[0] == Participant("p1", ("s1", "s2", "s3", "s4"), 3)
    assert instance.participants[2] == Participant("p3", None, None)
    assert instance.requests[0] == Request("r1", "p1", "p2", 2.5, ("am",), None)
    assert instance.requests[1] == Request("r2", "p1", "p3", 1.0, None, None)


def test_load_instance_without_tables_leaves_tables_unlimited() -> None:
    data = _with()
    del data["tables"]
    assert load_instance(data).tables["s4"] >= 10**6


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _with(requests=[{"id": "r1", "a": "p1", "b": "px"}]),
            "request r1: b 'px' is not a participant",
        ),
        (_with(requests=[{"id": "r1", "a": "p2", "b": "p2"}]), "request r1: a meeting of p2 with itself"),
        (
            _with(requests=[{"id": "r1", "a": "p1", "b": "p2"}, {"id": "r1", "a": "p1", "b": "p3"}]),
            "request r1: duplicate request id",
        ),
        (_with(slots=[{"id": "s1"}, {"id": "s1"}]), "slot s1: duplicate slot id"),
        (_with(participants=[{"id": "p1"}, {"id": "p1"}]), "participant p1: duplicate participant id"),
        (
            _with(requests=[{"id": "r9", "a": "p1", "b": "p2", "weight": -1}]),
            "request r9: weight must not be negative, got -1",
        ),
        (
            _with(requests=[{"id": "r9", "a": "p1", "b": "p2", "weight": "high"}]),
            "request r9: weight must be a number, got 'high'",
        ),
        (
            _with(tables={"s1": 2, "s2": 2, "s3": -1, "s4": 1}),
            "tables of slot s3: must not be negative, got -1",
        ),
        (_with(tables={"s1": 2, "s2": 2, "s3": 2}), "tables: slot s4 has no table count"),
        (_with(tables={"s1": 2, "s2": 2, "s3": 2, "s4": 1, "s9": 3}), "tables: 's9' is not a slot"),
        (
            _with(participants=[{"id": "p1", "available": ["s1", "s7"]}, {"id": "p2"}, {"id": "p3"}]),
            "participant p1: available slot 's7' is not a slot",
        ),
        (
            _with(participants=[{"id": "p1", "max_meetings": -2}, {"id": "p2"}, {"id": "p3"}]),
            "participant p1: max_meetings: must not be negative, got -2",
        ),
        (
            _with(requests=[{"id": "r1", "a": "p1", "b": "p2", "sessions": ["night"]}]),
            "request r1: session 'night' is not a session of any slot",
        ),
        (
            _with(requests=[{"id": "r1", "a": "p1", "b": "p2", "pinned_slot": "s0"}]),
            "request r1: pinned_slot 's0' is not a slot",
        ),
        (
            _with(requests=[{"id": "r1", "a": "p1", "b": "p2", "sessions": ["am"], "pinned_slot": "s4"}]),
            "request r1: pinned_slot s4 is not in its sessions",
        ),
        (
            _with(requests=[{"id": "r1", "a": "p1", "b": "p2", "pinned_slot": "s3"}]),
            "request r1: p2 is not available in its pinned_slot s3",
        ),
        (
            _with(
                requests=[
                    {"id": "r1", "a": "p1", "b": "p2", "pinned_slot": "s1"},
                    {"id": "r2", "a": "p1", "b": "p3", "pinned_slot": "s1"},
                ]
            ),
            "request r2: pinned in s1, where p1 already has pinned request r1",
        ),
        (
            _with(requests=[{"id": "r1", "a": "p1", "b": "p2", "colour": "red"}]),
            "requests[0]: unknown field 'colour' (expected one of a, b, id, pinned_slot, sessions, weight)",
        ),
        (_with(slots="s1"), "slots: expected a list, got str"),
    ],
)
def test_load_instance_rejects_bad_item_naming_it(data: dict[str, Any], message: str) -> None:
    assert _error(data) == message


def test_load_instance_rejects_pins_beyond_tables() -> None:
    data = _with(
        tables={"s1": 1, "s2": 1, "s3": 1, "s4": 1},
        participants=[{"id": f"p{i}"} for i in range(1, 5)],
        requests=[
            {"id": "r1", "a": "p1", "b": "p2", "pinned_slot": "s2"},
            {"id": "r2", "a": "p3", "b": "p4", "pinned_slot": "s2"},
        ],
    )
    assert _error(data) == "request r2: more meetings pinned in s2 than tables"


def _instance() -> Instance:
    return load_instance(
        {
            "slots": [{"id": f"s{i}", "session": "am" if i <= 4 else "pm"} for i in range(1, 7)],
            "tables": {f"s{i}": 1 for i in range(1, 7)},
            "participants": [{"id": "p1"}, {"id": "p2"}, {"id": "p3", "available": ["s1"]}],
            "requests": [
                {"id": "r1", "a": "p1", "b": "p2"},
                {"id": "r2", "a": "p1", "b": "p3"},
                {"id": "r3", "a": "p2", "b": "p1", "weight": 2},
            ],
        }
    )


def test_count_idle_gaps_counts_free_slots_between_meetings_of_one_session() -> None:
    instance = _instance()
    meetings = [ScheduledMeeting("r1", "s1", 1), ScheduledMeeting("r2", "s4", 1)]
    assert count_idle_gaps(instance, meetings) == 2


def test_count_idle_gaps_ignores_free_slots_between_sessions() -> None:
    instance = _instance()
    meetings = [ScheduledMeeting("r1", "s4", 1), ScheduledMeeting("r2", "s5", 1)]
    assert count_idle_gaps(instance, meetings) == 0


def _schedule(meetings: list[ScheduledMeeting], objective: float, unscheduled: list[str]) -> Schedule:
    return Schedule(
        meetings=tuple(meetings),
        objective=objective,
        upper_bound=3.0,
        idle_gaps=0,
        status="feasible",
        unscheduled=tuple(Unscheduled(r, "x") for r in unscheduled),
    )


def test_verify_accepts_a_feasible_schedule() -> None:
    schedule = _schedule([ScheduledMeeting("r2", "s1", 1), ScheduledMeeting("r3", "s2", 1)], 3.0, ["r1"])
    assert verify(_instance(), schedule) == []


def test_verify_reports_every_broken_rule() -> None:
    schedule = _schedule(
        [ScheduledMeeting("r1", "s1", 1), ScheduledMeeting("r2", "s1", 1), ScheduledMeeting("r3", "s3", 2)],
        4.0,
        [],
    )
    assert verify(_instance(), schedule) == [
        "meeting r2: table 1 in s1 already holds r1",
        "meeting r2: p1 already meets in s1 (r1)",
        "meeting r3: table 2 does not exist in s3",
        "meeting r3: p2 and p1 already meet in r1",
        "objective 4.0 exceeds the upper bound 3.0",
        "idle_gaps 0 differs from the gaps counted 2",
    ]


def test_verify_reports_unavailable_participant_and_missing_request() -> None:
    schedule = _schedule([ScheduledMeeting("r2", "s2", 1)], 1.0, [])
    assert verify(_instance(), schedule) == [
        "meeting r2: p3 is not available in s2",
        "requests neither scheduled nor listed as unscheduled: r1, r3",
    ]


def test_schedule_to_dict_writes_the_documented_fields() -> None:
    schedule = Schedule(
        meetings=(ScheduledMeeting("r1", "s1", 1),),
        objective=1.0,
        upper_bound=1.5,
        idle_gaps=0,
        status="feasible",
        unscheduled=(Unscheduled("r2", "no common free slot: ..."),),
    )
    assert schedule_to_dict(schedule) == {
        "meetings": [{"request": "r1", "slot": "s1", "table": 1}],
        "objective": 1.0,
        "upper_bound": 1.5,
        "idle_gaps": 0,
        "status": "feasible",
        "unscheduled": [{"request": "r2", "reason": "no common free slot: ..."}],
    }
    assert schedule.gap == pytest.approx(1 / 3)


def test_schedule_to_dict_writes_the_idle_gaps_bound_when_known() -> None:
    schedule = Schedule(
        meetings=(),
        objective=0.0,
        upper_bound=0.0,
        idle_gaps=3,
        status="optimal",
        idle_gaps_bound=2,
    )
    written = schedule_to_dict(schedule)
    assert written["idle_gaps_bound"] == 2
    assert list(written) == [
        "meetings",
        "objective",
        "upper_bound",
        "idle_gaps",
        "status",
        "unscheduled",
        "idle_gaps_bound",
    ]


def test_verify_reports_an_idle_gaps_bound_above_the_gaps() -> None:
    schedule = replace(
        _schedule([ScheduledMeeting("r2", "s1", 1), ScheduledMeeting("r3", "s2", 1)], 3.0, ["r1"]),
        idle_gaps_bound=1,
    )
    assert verify(_instance(), schedule) == ["idle_gaps_bound 1 is not between 0 and the gaps 0"]
