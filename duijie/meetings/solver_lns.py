"""The scheduler's large-neighbourhood searches: re-plan exactly, with CP-SAT, the meetings around one place.

For the weight, the neighbourhood of a dropped request is its two sides and their partners; for compaction, it
is a participant with idle gaps and its partners. Each sub-problem stops on a small work cap when the search
runs on a work budget, so it stops at the same point on every run.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from duijie.meetings.solver_gaps import busy_literal, hole_literals
from duijie.meetings.solver_search import Search

NEIGHBOURHOOD_DETERMINISTIC_TIME = 0.1


def _sub_problem(
    search: Search, people: set[int], scale: int, seconds: float, work: float
) -> tuple[bool, float]:
    """Re-plan every meeting among `people` exactly with CP-SAT, others fixed; apply it if it holds more.

    Returns whether it did and the solver's deterministic time spent.
    """
    from ortools.sat.python import cp_model

    reqs = sorted(
        {
            r
            for p in people
            for r in search.requests_of[p]
            if search.a[r] in people and search.b[r] in people and not search.locked[r] and search.slots_of[r]
        }
    )
    inside = set(reqs)
    current = {r: search.slot_of[r] for r in reqs if search.slot_of[r] >= 0}
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for r in reqs:
        held_by = search.pair_held[search.pair[r]]
        if held_by >= 0 and held_by not in inside:
            continue
        a, b = search.a[r], search.b[r]
        for s in search.slots_of[r]:
            ma, mb = search.occ[a][s], search.occ[b][s]
            if (ma < 0 or ma in inside) and (mb < 0 or mb in inside):
                x[r, s] = model.new_bool_var(f"x{r}_{s}")
    if not x:
        return False, 0.0
    groups: dict[tuple[str, int], list[cp_model.IntVar]] = {}
    for (r, s), var in x.items():
        for group in (("r", r), ("s", s), ("pair", search.pair[r])):
            groups.setdefault(group, []).append(var)
        for p in (search.a[r], search.b[r]):
            groups.setdefault(("p", p), []).append(var)
            groups.setdefault(("ps", p * search.n_slots + s), []).append(var)
    own = {p: sum(1 for r in current if p in (search.a[r], search.b[r])) for p in people}
    in_slot = {s: sum(1 for t in current.values() if t == s) for s in range(search.n_slots)}
    for (kind, key), vs in groups.items():
        if kind == "r" and search.required[key]:
            model.add_exactly_one(vs)
        elif kind in ("r", "pair", "ps"):
            model.add_at_most_one(vs)
        elif kind == "s":
            model.add(sum(vs) <= search.tables[key] - search.used[key] + in_slot[key])
        else:
            model.add(sum(vs) <= search.max_meetings[key] - search.count[key] + own[key])
    gain = {r: round(search.w[r] * scale) for r in reqs}
    held = sum(gain[r] * var for (r, _), var in x.items())
    stays = [var for (r, s), var in x.items() if search.required[r] and s == search.home[r]]
    model.maximize(held * (len(stays) + 1) + sum(stays))
    for (r, s), var in x.items():
        model.add_hint(var, current.get(r) == s)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    if math.isfinite(work):
        solver.parameters.max_deterministic_time = work
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 7
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False, solver.response_proto.deterministic_time
    if solver.value(held) <= sum(gain[r] for r in current):
        return False, solver.response_proto.deterministic_time
    for r in current:
        search.remove(r)
    for (r, s), var in x.items():
        if solver.boolean_value(var):
            search.place(r, s)
    return True, solver.response_proto.deterministic_time


def _sub_limits(deadline: float, work: float) -> tuple[float, float]:
    """Wall-clock and work limits of one neighbourhood: a work cap when the search runs on a work budget
    (so it stops at the same point on every run), else a one-second cap."""
    if math.isfinite(work):
        return min(2.0, deadline - time.monotonic()), NEIGHBOURHOOD_DETERMINISTIC_TIME
    return min(1.0, deadline - time.monotonic()), math.inf


def neighbourhoods(
    search: Search, deadline: float, priority: np.ndarray, scale: int, work: float = math.inf
) -> tuple[int, float]:
    """Large-neighbourhood search: re-plan exactly the meetings around each dropped request, best first,
    until the wall-clock deadline or the deterministic work budget is spent; returns improvements and work."""
    pending = [r for r, s in enumerate(search.slot_of) if s < 0 and search.slots_of[r]]
    pending.sort(key=lambda r: (-priority[r], -search.w[r], r))
    improved = 0
    used = 0.0
    for r in pending:
        if time.monotonic() >= deadline or used >= work:
            break
        if search.slot_of[r] >= 0:
            continue
        people = {search.a[r], search.b[r]}
        for p in list(people):
            people.update(search.b[m] if search.a[m] == p else search.a[m] for m in search.occ[p] if m >= 0)
        better, spent = _sub_problem(search, people, scale, *_sub_limits(deadline, work))
        used += spent
        improved += better
    return improved, used


def _compact_around(search: Search, p: int, seconds: float, work: float) -> tuple[bool, float]:
    """Re-slot exactly every meeting among p and its partners to leave them the fewest idle gaps."""
    from ortools.sat.python import cp_model

    people = {p} | {search.b[m] if search.a[m] == p else search.a[m] for m in search.occ[p] if m >= 0}
    reqs = sorted(
        {
            m
            for q in people
            for m in search.occ[q]
            if m >= 0 and search.a[m] in people and search.b[m] in people and not search.locked[m]
        }
    )
    if not reqs:
        return False, 0.0
    before = search.total_gaps(people)
    current = {r: search.slot_of[r] for r in reqs}
    for r in reqs:
        search.remove(r)
    model = cp_model.CpModel()
    x: dict[tuple[int, int], Any] = {}
    for r in reqs:
        options = [
            s for s in search.slots_of[r] if search.occ[search.a[r]][s] < 0 and search.occ[search.b[r]][s] < 0
        ]
        for s in options:
            x[r, s] = model.new_bool_var("")
    by_request: dict[int, list[Any]] = {}
    by_slot: dict[int, list[Any]] = {}
    by_person_slot: dict[tuple[int, int], list[Any]] = {}
    for (r, s), var in x.items():
        by_request.setdefault(r, []).append(var)
        by_slot.setdefault(s, []).append(var)
        for q in (search.a[r], search.b[r]):
            by_person_slot.setdefault((q, s), []).append(var)
    for r in reqs:
        model.add_exactly_one(by_request.get(r, []))
    for s, vs in by_slot.items():
        model.add(sum(vs) <= search.tables[s] - search.used[s])
    for vs in by_person_slot.values():
        model.add_at_most_one(vs)
    holes: list[Any] = []
    constant = 0
    was_busy = {(q, s) for r, s in current.items() for q in (search.a[r], search.b[r])}
    for q in sorted(people):
        for slots in search.session_slots:
            if len(slots) >= 3:
                hint = [search.occ[q][s] >= 0 or (q, s) in was_busy for s in slots]
                row = [
                    busy_literal(model, by_person_slot.get((q, s), []), search.occ[q][s] >= 0, busy)
                    for s, busy in zip(slots, hint, strict=True)
                ]
                found, fixed = hole_literals(model, row, hint)
                holes.extend(found)
                constant += fixed
    model.minimize(sum(holes) + constant)
    for (r, s), var in x.items():
        model.add_hint(var, current[r] == s)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    if math.isfinite(work):
        solver.parameters.max_deterministic_time = work
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 7
    status = solver.solve(model)
    better = status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value < before - 0.5
    for r in reqs:
        chosen = [s for s in search.slots_of[r] if (r, s) in x and better and solver.boolean_value(x[r, s])]
        search.place(r, chosen[0] if chosen else current[r])
    return better, solver.response_proto.deterministic_time


def compact_neighbourhoods(search: Search, deadline: float, work: float = math.inf) -> tuple[int, float]:
    """Re-plan the agendas around the participants with the most idle gaps, most first, until time or work
    (the solver's deterministic time, so that a run that stops on work stops at the same point) is spent."""
    sessions = range(len(search.session_slots))
    gaps = [sum(search.gaps(p, k) for k in sessions) for p in range(len(search.occ))]
    order = sorted((p for p, g in enumerate(gaps) if g), key=lambda p: (-gaps[p], p))
    improved = 0
    used = 0.0
    for p in order:
        if time.monotonic() >= deadline or used >= work:
            break
        if any(search.gaps(p, k) for k in sessions):
            better, spent = _compact_around(search, p, *_sub_limits(deadline, work))
            used += spent
            improved += better
    return improved, used
