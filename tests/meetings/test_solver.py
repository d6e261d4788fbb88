"""The scheduler and the first-come baseline: weights, rules, compact agendas, bounds and re-planning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from duijie.meetings import solver as solver_module
from duijie.meetings.greedy import greedy
from duijie.meetings.instance import (
    Instance,
    InstanceError,
    ScheduledMeeting,
    index_instance,
    load_instance,
    verify,
)
from duijie.meetings.solver import solve
from duijie.meetings.solver_bounds import lp_relaxation, upper_bound
from tests.meetings.bench_instances import generator


def _instance(
    slots: list[str],
    requests: list[dict[str, Any]],
    *,
    available: dict[str, list[str]] | None = None,
    max_meetings: dict[str, int] | None = None,
    tables: int = 5,
    people: int = 3,
) -> Instance:
    available = available or {}
    max_meetings = max_meetings or {}
    participants = []
    for i in range(1, people + 1):
        pid = f"p{i}"
        item: dict[str, Any] = {"id": pid, "available": available.get(pid, slots)}
        if pid in max_meetings:
            item["max_meetings"] = max_meetings[pid]
        participants.append(item)
    return load_instance(
        {
            "slots": [{"id": s, "session": "am"} for s in slots],
            "tables": dict.fromkeys(slots, tables),
            "participants": participants,
            "requests": requests,
        }
    )


def _placed(meetings: tuple[ScheduledMeeting, ...]) -> dict[str, str]:
    return {m.request: m.slot for m in meetings}


def _reasons(schedule: Any) -> dict[str, str]:
    return {u.request: u.reason for u in schedule.unscheduled}


def _two_requests() -> Instance:
    return _instance(
        ["s1", "s2"],
        [{"id": "r1", "a": "p1", "b": "p2"}, {"id": "r2", "a": "p1", "b": "p3"}],
        available={"p3": ["s1"]},
    )


def test_greedy_books_in_order_into_the_earliest_common_slot() -> None:
    schedule = greedy(_two_requests())
    assert _placed(schedule.meetings) == {"r1": "s1"}
    assert schedule.objective == 1.0
    assert schedule.upper_bound == 2.0
    assert schedule.status == "feasible"
    assert _reasons(schedule) == {
        "r2": "lower weight than competing meetings: p1 or p3 already meets someone else in every common "
        "free slot (s1)"
    }


def test_solve_holds_every_request_where_first_come_drops_one() -> None:
    schedule = solve(_two_requests(), time_limit=5)
    assert _placed(schedule.meetings) == {"r1": "s2", "r2": "s1"}
    assert (schedule.objective, schedule.upper_bound, schedule.status) == (2.0, 2.0, "optimal")
    assert schedule.unscheduled == ()
    assert verify(_two_requests(), schedule) == []


def test_solve_prefers_the_heavier_meeting_at_a_capped_participant() -> None:
    instance = _instance(
        ["s1", "s2"],
        [{"id": "r1", "a": "p1", "b": "p2", "weight": 1}, {"id": "r2", "a": "p1", "b": "p3", "weight": 2}],
        max_meetings={"p1": 1},
    )
    schedule = solve(instance, time_limit=5)
    assert sorted(_placed(schedule.meetings)) == ["r2"]
    assert (schedule.objective, schedule.upper_bound, schedule.status) == (2.0, 2.0, "optimal")
    assert _reasons(schedule) == {"r1": "participant full: p1 reached max_meetings"}


def test_solve_makes_the_agenda_compact_where_first_come_leaves_a_hole() -> None:
    instance = _instance(
        ["s1", "s2", "s3"],
        [{"id": "r1", "a": "p1", "b": "p2"}, {"id": "r2", "a": "p1", "b": "p3"}],
        available={"p3": ["s1", "s3"]},
    )
    assert greedy(instance).idle_gaps == 1
    schedule = solve(instance, time_limit=5)
    assert schedule.idle_gaps == 0
    assert _placed(schedule.meetings)["r1"] == "s2"
    assert verify(instance, schedule) == []


def test_solve_without_compaction_still_holds_everything() -> None:
    instance = _two_requests()
    schedule = solve(instance, time_limit=5, compact=False)
    assert schedule.objective == 2.0
    assert verify(instance, schedule) == []


def test_solve_never_puts_two_meetings_at_one_table() -> None:
    requests = [
        {"id": "r1", "a": "p1", "b": "p2", "weight": 1},
        {"id": "r2", "a": "p3", "b": "p4", "weight": 2},
        {"id": "r3", "a": "p5", "b": "p6", "weight": 3},
    ]
    instance = _instance(["s1", "s2"], requests, tables=1, people=6)
    schedule = solve(instance, time_limit=5)
    assert sorted(_placed(schedule.meetings)) == ["r2", "r3"]
    assert {m.table for m in schedule.meetings} == {1}
    assert _reasons(schedule) == {"r1": "no table left: every table is taken in s1, s2"}
    assert schedule.upper_bound == 5.0


def test_solve_keeps_a_pinned_meeting_in_its_slot() -> None:
    instance = _instance(["s1", "s2", "s3"], [{"id": "r1", "a": "p1", "b": "p2", "pinned_slot": "s3"}])
    schedule = solve(instance, time_limit=5)
    assert schedule.meetings == (ScheduledMeeting("r1", "s3", 1),)


def test_solve_holds_a_pair_only_once() -> None:
    requests = [{"id": "r1", "a": "p1", "b": "p2"}, {"id": "r2", "a": "p2", "b": "p1", "weight": 2}]
    schedule = solve(_instance(["s1", "s2"], requests), time_limit=5)
    assert sorted(_placed(schedule.meetings)) == ["r2"]
    assert _reasons(schedule) == {"r1": "already meeting: p1 and p2 meet in request r2"}


def test_solve_explains_a_pair_that_is_never_free_together() -> None:
    instance = _instance(
        ["s1", "s2"], [{"id": "r1", "a": "p2", "b": "p3"}], available={"p2": ["s1"], "p3": ["s2"]}
    )
    schedule = solve(instance, time_limit=5)
    assert schedule.meetings == ()
    assert _reasons(schedule) == {
        "r1": "no common free slot: p2 and p3 are never free together in its sessions"
    }
    assert (schedule.upper_bound, schedule.status) == (0.0, "optimal")


def test_solve_with_fixed_meetings_does_not_move_them() -> None:
    schedule = solve(_two_requests(), time_limit=5, fixed={"r1": ("s1", 3)})
    assert schedule.meetings == (ScheduledMeeting("r1", "s1", 3),)
    assert schedule.moved == ()
    assert sorted(_reasons(schedule)) == ["r2"]


def test_solve_with_moves_allowed_moves_the_fewest_confirmed_meetings() -> None:
    instance = _instance(
        ["s1", "s2", "s3"],
        [
            {"id": "r1", "a": "p1", "b": "p2"},
            {"id": "r2", "a": "p1", "b": "p3"},
            {"id": "r3", "a": "p2", "b": "p4"},
        ],
        available={"p3": ["s1"]},
        people=4,
    )
    fixed = {"r1": ("s1", 2), "r3": ("s3", 1)}
    schedule = solve(instance, time_limit=5, fixed=fixed, allow_moves=True)
    placed = _placed(schedule.meetings)
    assert placed["r2"] == "s1"
    assert placed["r3"] == "s3"
    assert placed["r1"] == "s2"
    assert schedule.moved == ("r1",)
    assert ScheduledMeeting("r3", "s3", 1) in schedule.meetings
    assert schedule.objective == 3.0
    assert verify(instance, schedule) == []


@pytest.mark.parametrize(
    ("fixed", "message"),
    [
        ({"r9": ("s1", 1)}, "fixed meeting r9: no such request"),
        ({"r1": ("s7", 1)}, "fixed meeting r1: slot 's7' is not a slot"),
        ({"r1": ("s1", 0)}, "fixed meeting r1: table 0 does not exist in slot s1"),
        ({"r1": ("s1", 1), "r2": ("s1", 2)}, "fixed meeting r2: p1 already meets in s1 (r1)"),
        ({"r1": ("s1", 1), "r2": ("s1", 1)}, "fixed meeting r2: table 1 in s1 already holds r1"),
    ],
)
def test_solve_rejects_colliding_fixed_meetings(fixed: dict[str, tuple[str, int]], message: str) -> None:
    with pytest.raises(InstanceError) as info:
        solve(_two_requests(), time_limit=5, fixed=fixed)
    assert info.value.message == message


def test_upper_bound_counts_what_a_busy_participant_can_hold() -> None:
    requests = [{"id": f"r{i}", "a": "p1", "b": f"p{i + 1}", "weight": i} for i in range(1, 5)]
    instance = _instance(["s1", "s2", "s3"], requests, available={"p1": ["s1", "s2"]}, people=5)
    assert upper_bound(index_instance(instance)) == 7.0
    schedule = solve(instance, time_limit=5)
    assert (schedule.objective, schedule.status) == (7.0, "optimal")


def test_solve_schedules_every_request_of_a_tight_instance() -> None:
    instance = load_instance(generator().tight_instance(20, 8, seed=4))
    baseline = greedy(instance)
    schedule = solve(instance, time_limit=10)
    assert len(baseline.meetings) == 29
    assert len(schedule.meetings) == len(instance.requests) == 38
    assert schedule.status == "optimal"
    assert schedule.idle_gaps == 0
    assert verify(instance, schedule) == []


def test_solve_beats_first_come_within_proven_bounds_on_a_random_instance() -> None:
    instance = load_instance(generator().random_instance(60, 300, 8, 12, seed=3))
    ix = index_instance(instance)
    baseline = greedy(instance)
    schedule = solve(instance, time_limit=3)
    assert verify(instance, baseline) == []
    assert verify(instance, schedule) == []
    assert schedule.objective > baseline.objective
    relaxation = lp_relaxation(ix, ix.allowed, ix.pinned >= 0, 10)
    assert relaxation is not None
    assert relaxation.bound >= schedule.objective - 1e-6
    assert upper_bound(ix) >= relaxation.bound - 1e-6
    assert schedule.upper_bound >= schedule.objective


def test_solve_on_the_large_instance_path_keeps_confirmed_meetings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solver_module, "EXACT_MAX_VARIABLES", 0)
    instance = load_instance(generator().random_instance(60, 300, 8, 12, seed=3))
    first = solve(instance, time_limit=1.5)
    fixed = {m.request: (m.slot, m.table) for m in first.meetings[:20]}
    kept = solve(instance, time_limit=1.5, fixed=fixed)
    assert verify(instance, kept) == []
    assert kept.moved == ()
    assert {m.request: (m.slot, m.table) for m in kept.meetings if m.request in fixed} == fixed
    assert kept.objective >= greedy(instance).objective
    movable = solve(instance, time_limit=1.5, fixed=fixed, allow_moves=True)
    assert verify(instance, movable) == []
    assert set(fixed) <= {m.request for m in movable.meetings}
    assert movable.objective >= kept.objective - 1e-9


def test_solve_proves_an_idle_gap_that_availability_forces() -> None:
    instance = _instance(
        ["s1", "s2", "s3"],
        [{"id": "r1", "a": "p1", "b": "p2"}, {"id": "r2", "a": "p1", "b": "p3"}],
        available={"p2": ["s1"], "p3": ["s3"]},
    )
    schedule = solve(instance, time_limit=5)
    assert _placed(schedule.meetings) == {"r1": "s1", "r2": "s3"}
    assert (schedule.idle_gaps, schedule.idle_gaps_bound) == (1, 1)
    assert verify(instance, schedule) == []


def test_solve_reports_no_gap_bound_without_compaction() -> None:
    schedule = solve(_two_requests(), time_limit=5, compact=False)
    assert schedule.idle_gaps_bound is None


def test_solve_gives_the_same_meetings_on_every_run_of_a_small_instance() -> None:
    instance = load_instance(generator().tight_instance(30, 12, seed=1))
    first = solve(instance, time_limit=60, work_limit=0.5)
    second = solve(instance, time_limit=60, work_limit=0.5)
    assert first.meetings == second.meetings
    assert (first.idle_gaps, first.idle_gaps_bound) == (second.idle_gaps, second.idle_gaps_bound)
    assert len(first.meetings) == len(instance.requests) == 72
    assert first.idle_gaps_bound is not None and first.idle_gaps_bound <= first.idle_gaps
    assert verify(instance, first) == []


def test_solve_leaves_no_idle_gap_on_a_session_shaped_tight_instance() -> None:
    instance = load_instance(generator().tight_instance(24, 12, seed=1, shape="sessions"))
    baseline = greedy(instance)
    schedule = solve(instance, time_limit=10)
    assert (len(baseline.meetings), baseline.idle_gaps) == (44, 16)
    assert len(schedule.meetings) == len(instance.requests) == 45
    assert (schedule.idle_gaps, schedule.idle_gaps_bound) == (0, 0)
    assert verify(instance, schedule) == []


def test_tight_instance_gives_session_shaped_availability_windows() -> None:
    data = generator().tight_instance(24, 12, seed=1, shape="sessions")
    sessions = {"am": [f"s{i:02d}" for i in range(1, 7)], "pm": [f"s{i:02d}" for i in range(7, 13)]}
    for participant in data["participants"]:
        for slots in sessions.values():
            free = [s for s in slots if s in participant["available"]]
            if free:
                stretch = slots[slots.index(free[0]) : slots.index(free[-1]) + 1]
                assert free == stretch, participant["id"]
                assert free[0] == slots[0] or free[-1] == slots[-1], participant["id"]


def test_tight_instance_refuses_an_unknown_shape() -> None:
    with pytest.raises(ValueError) as info:
        generator().tight_instance(10, 4, shape="random")
    assert str(info.value) == "shape must be 'scattered' or 'sessions', got 'random'"


def test_solve_claims_no_gap_bound_on_the_large_instance_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solver_module, "EXACT_MAX_VARIABLES", 0)
    instance = _instance(
        ["s1", "s2", "s3"],
        [{"id": "r1", "a": "p1", "b": "p2"}, {"id": "r2", "a": "p1", "b": "p3"}],
        available={"p2": ["s1"], "p3": ["s3"]},
    )
    schedule = solve(instance, time_limit=5)
    assert (schedule.idle_gaps, schedule.idle_gaps_bound) == (1, None)


def test_scheduler_files_are_pure() -> None:
    """The scheduler's files (solve and its phases, the baseline) import no database, models or services:
    only the instance format and each other, so they run on a JSON file outside the platform."""
    import ast

    package = Path(__file__).resolve().parents[2] / "duijie" / "meetings"
    files = sorted([*package.glob("solver*.py"), package / "greedy.py"])
    assert len(files) == 8
    offenders = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                own = name.startswith("duijie.")
                allowed = name == "duijie.meetings.instance" or name.startswith("duijie.meetings.solver")
                if name.startswith("sqlalchemy") or (own and not allowed):
                    offenders.append(f"{path.name} imports {name}")
    assert offenders == []
