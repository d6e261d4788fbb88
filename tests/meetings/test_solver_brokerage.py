"""The scheduler on generated real-shaped brokerage events: every meeting held, idle gaps at their proven bound.

Runs use a deterministic work limit, so each test gives the same schedule every time; speed and quality at
full size are measured in the benchmark (`bench/bench_meetings.py --brokerage 20`), not here. The validity
check is written out here, independently of `instance.verify`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from duijie.meetings.instance import Schedule, index_instance, load_instance
from duijie.meetings.solver import solve
from duijie.meetings.solver_search import Search
from duijie.meetings.solver_tabu import hold_all
from tests.meetings.bench_instances import generator


def _small(seed: int) -> dict[str, Any]:
    return generator().brokerage_instance(seed, n_participants=24, n_requests=60, n_slots=12)


def _problems(data: dict[str, Any], schedule: Schedule) -> list[str]:
    """Every rule of the event the schedule breaks, checked from the JSON data alone."""
    slots = {s["id"]: s["session"] for s in data["slots"]}
    free = {p["id"]: set(p["available"]) for p in data["participants"]}
    requests = {r["id"]: r for r in data["requests"]}
    problems: list[str] = []
    seen: set[str] = set()
    busy: set[tuple[str, str]] = set()
    tables: dict[tuple[str, int], str] = {}
    per_slot: dict[str, int] = {}
    for m in schedule.meetings:
        r = requests[m.request]
        if m.request in seen:
            problems.append(f"{m.request} held twice")
        seen.add(m.request)
        for who in (r["a"], r["b"]):
            if (who, m.slot) in busy:
                problems.append(f"{who} twice in {m.slot}")
            busy.add((who, m.slot))
            if m.slot not in free[who]:
                problems.append(f"{who} meets in the forbidden slot {m.slot}")
        if "sessions" in r and slots[m.slot] not in r["sessions"]:
            problems.append(f"{m.request} outside its sessions")
        if "pinned_slot" in r and m.slot != r["pinned_slot"]:
            problems.append(f"{m.request} pinned to {r['pinned_slot']}, held in {m.slot}")
        if not 1 <= m.table <= data["tables"][m.slot]:
            problems.append(f"{m.request} at table {m.table} of {m.slot}")
        if tables.setdefault((m.slot, m.table), m.request) != m.request:
            problems.append(f"two meetings at table {m.table} of {m.slot}")
        per_slot[m.slot] = per_slot.get(m.slot, 0) + 1
    problems += [f"{s} over its tables" for s, n in per_slot.items() if n > data["tables"][s]]
    return problems


def _idle_gaps(data: dict[str, Any], schedule: Schedule) -> int:
    """Free slots between two meetings of one participant in one session, counted from the data."""
    order = [s["id"] for s in data["slots"]]
    session = {s["id"]: s["session"] for s in data["slots"]}
    requests = {r["id"]: r for r in data["requests"]}
    agenda: dict[tuple[str, str], list[int]] = {}
    for m in schedule.meetings:
        for who in (requests[m.request]["a"], requests[m.request]["b"]):
            agenda.setdefault((who, session[m.slot]), []).append(order.index(m.slot))
    return sum(max(held) - min(held) + 1 - len(held) for held in agenda.values())


def test_the_generator_gives_real_shaped_events_whose_every_request_fits() -> None:
    for seed in (1, 2, 3):
        data = generator().brokerage_instance(seed)
        assert 12 <= len(data["slots"]) <= 14
        assert {s["session"] for s in data["slots"]} == {"am", "pm"}
        assert 50 <= len(data["participants"]) <= 60
        assert 125 <= len(data["requests"]) <= 302
        assert any("pinned_slot" in r for r in data["requests"])
        assert any(len(p["available"]) < len(data["slots"]) for p in data["participants"])
        index_instance(load_instance(data))  # the pins are consistent
    assert generator().brokerage_instance(4) == generator().brokerage_instance(4)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_solve_holds_every_meeting_with_the_idle_gaps_at_their_proven_bound(seed: int) -> None:
    data = _small(seed)
    schedule = solve(load_instance(data), time_limit=60, work_limit=2)
    assert len(schedule.meetings) == len(data["requests"])
    assert schedule.status == "optimal"
    assert _problems(data, schedule) == []
    assert schedule.idle_gaps == _idle_gaps(data, schedule)
    assert schedule.idle_gaps_bound == schedule.idle_gaps


def test_a_work_limit_gives_the_same_schedule_on_every_run() -> None:
    instance = load_instance(_small(8))
    first = solve(instance, time_limit=60, work_limit=1)
    second = solve(instance, time_limit=60, work_limit=1)
    assert first.meetings == second.meetings
    assert (first.idle_gaps, first.idle_gaps_bound) == (second.idle_gaps, second.idle_gaps_bound)


def test_tabu_search_holds_every_request_of_a_full_size_event() -> None:
    """Phase 1 at full size, alone: from nothing held to every request held, within a fixed iteration cap."""
    data = generator().brokerage_instance(9)
    ix = index_instance(load_instance(data))
    allowed = ix.allowed.copy()
    locked = ix.pinned >= 0
    for r in np.flatnonzero(locked).tolist():
        allowed[r] = False
        allowed[r, ix.pinned[r]] = True
    search = Search(ix, allowed, locked)
    for r in np.flatnonzero(locked).tolist():
        search.place(r, int(ix.pinned[r]))
    slot_of = hold_all(search, time.monotonic() + 120, 20_000)
    assert slot_of is not None
    assert all(s >= 0 for s in slot_of)
    sides = [(int(ix.a[r]), s) for r, s in enumerate(slot_of)] + [(int(ix.b[r]), s) for r, s in enumerate(slot_of)]
    assert len(set(sides)) == len(sides)  # no one twice in a slot
    assert all(allowed[r, s] for r, s in enumerate(slot_of))
    per_slot = np.bincount(slot_of, minlength=ix.n_slots)
    assert (per_slot <= ix.tables).all()
    assert int(per_slot.sum()) == ix.n_requests


def test_tabu_search_gives_up_when_a_participant_cannot_hold_all_requests() -> None:
    data = _small(3)
    who = next(r["a"] for r in data["requests"] if "pinned_slot" not in r)
    data["requests"] = [r for r in data["requests"] if "pinned_slot" not in r or who not in (r["a"], r["b"])]
    for p in data["participants"]:
        if p["id"] == who:
            p["max_meetings"] = 0
    ix = index_instance(load_instance(data))
    search = Search(ix, ix.allowed, ix.pinned >= 0)
    for r in np.flatnonzero(ix.pinned >= 0).tolist():
        search.place(r, int(ix.pinned[r]))
    assert hold_all(search, time.monotonic() + 10, 1000) is None
