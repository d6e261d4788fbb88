"""The event scheduler: the heaviest set of meetings that fits the grid, then the most compact agendas.

The problem is an edge colouring of the request graph with slot capacities (tables), per-participant
availability and caps, one meeting per pair, and pinned or confirmed meetings. It is solved in phases:

1. proven upper bounds, the lowest of which is reported: a combinatorial one with no solver run
   (`upper_bound`: each participant alone holds at most its heaviest set of requests matchable to distinct
   free slots, a matroid; the weight each must lose is covered by dropped requests, bounded by a dual of
   that covering LP), the LP relaxation solved by HiGHS's first-order PDLP whose duals give a bound by weak
   duality however loosely it converged (`lp_relaxation`), and on small instances CP-SAT's own bound;
2. a primal schedule: the LP solution rounded (most favoured request-slot pairs first), weighted greedy for
   the rest, augmenting moves (re-slot blockers, Kempe-chain swaps between two slots, eject lighter
   meetings), then a large-neighbourhood search that re-plans exactly, with CP-SAT, all meetings among the
   two sides of a dropped request and their partners. On small instances whose bounds allow every request,
   first a tabu search for a schedule holding them all (`solver_tabu.py`) and, if it gives up, CP-SAT with
   all-different slots per participant (`Exact.hold_all`): on dense real-shaped events the weighted
   searches stall one to six meetings short where these find the full schedule in seconds;
3. compaction, which only re-slots held meetings and so keeps the weight: relocation and Kempe-chain moves,
   then CP-SAT re-planning the agendas around the participants with the most idle gaps;
4. on small instances (up to EXACT_MAX_VARIABLES request-slot pairs) CP-SAT solves both phases exactly
   from the local-search schedule: the weight (then fewest confirmed meetings moved), then the idle gaps
   among all schedules holding at least that weight. The gap model counts, per participant and session,
   "a meeting at or before k" / "at or after k" chains and a hole literal per free slot between them;
   tables are interchangeable, so only the slot is chosen (no table symmetry); when every request is held
   the all-different slots per participant are added, which raises the proven bound. Its objective bound is reported as
   `idle_gaps_bound`, a proven lower bound on the idle gaps of any schedule holding that weight.

Budgets: by default every phase runs on the wall clock, until the time limit or a proven optimum (the weight
at its bound and the idle gaps at their proven bound): whoever gives 60 s wants the best answer in 60 s.
Given a `work_limit` (the solver's deterministic time), the exact phases and the neighbourhood searches of
small instances stop on that budget instead, with interleaved subsolvers, so that the same input gives the
same schedule (tests and comparisons use it); the wall-clock time limit stays an upper bound. Large
instances run on wall-clock limits alone. `workers` is the number of CP-SAT subsolvers interleaved on one
thread: CP-SAT never uses more than one core.

This file holds the phases' order and budgets (`solve`); the phases themselves are pure files beside it:
`solver_bounds.py` (the bounds and the LP relaxation), `solver_search.py` (the schedule under local search and
its moves), `solver_tabu.py` (the search for a schedule holding every request), `solver_lns.py` (the neighbourhood searches), `solver_exact.py` (the two exact phases) and
`solver_gaps.py` (the idle-gap model both CP-SAT phases share).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping

import numpy as np

from duijie.meetings.instance import (
    IndexedInstance,
    Instance,
    InstanceError,
    Schedule,
    assemble,
    index_instance,
)
from duijie.meetings.solver_bounds import lp_relaxation, on_grid, upper_bound
from duijie.meetings.solver_exact import EXACT_SUBSOLVERS, Exact
from duijie.meetings.solver_lns import compact_neighbourhoods, neighbourhoods
from duijie.meetings.solver_search import Search, fill_gaps, improve, load_schedule, round_relaxation
from duijie.meetings.solver_tabu import ITERATIONS_PER_WORK, hold_all

EXACT_MAX_VARIABLES = 30_000
HOLD_ALL_SHARE = 0.3
MAXIMISE_WORK_SHARE = 0.6
NEIGHBOURHOOD_WORK_SHARE = 0.15
LP_TIME_SHARE = 0.6
WEIGHT_TIME_SHARE = 0.8


def _check_fixed(ix: IndexedInstance, fixed: Mapping[str, tuple[str, int]]) -> dict[int, tuple[int, int]]:
    """Resolve confirmed meetings to (slot, table) by index, refusing any that collide."""
    resolved: dict[int, tuple[int, int]] = {}
    person: dict[tuple[int, int], int] = {}
    table_of: dict[tuple[int, int], int] = {}
    pairs: dict[int, int] = {}
    count = np.zeros(ix.n_participants, dtype=np.int64)
    for rid, value in fixed.items():
        r = ix.request_index.get(rid)
        if r is None:
            raise InstanceError(f"fixed meeting {rid}: no such request")
        if not isinstance(value, tuple | list) or len(value) != 2:
            raise InstanceError(f"fixed meeting {rid}: expected (slot, table), got {value!r}")
        sid, table = value
        s = ix.slot_index.get(sid, -1)
        if s < 0:
            raise InstanceError(f"fixed meeting {rid}: slot {sid!r} is not a slot")
        if isinstance(table, bool) or not isinstance(table, int) or not 1 <= table <= ix.tables[s]:
            raise InstanceError(f"fixed meeting {rid}: table {table!r} does not exist in slot {sid}")
        if ix.pinned[r] >= 0 and ix.pinned[r] != s:
            raise InstanceError(
                f"fixed meeting {rid}: held in {sid} but pinned to {ix.slot_ids[ix.pinned[r]]}"
            )
        other = table_of.setdefault((s, table), r)
        if other != r:
            raise InstanceError(
                f"fixed meeting {rid}: table {table} in {sid} already holds {ix.request_ids[other]}"
            )
        other = pairs.setdefault(int(ix.pair[r]), r)
        if other != r:
            raise InstanceError(
                f"fixed meeting {rid}: the same two people already meet in {ix.request_ids[other]}"
            )
        for p in (int(ix.a[r]), int(ix.b[r])):
            other = person.setdefault((p, s), r)
            if other != r:
                who = ix.participant_ids[p]
                raise InstanceError(
                    f"fixed meeting {rid}: {who} already meets in {sid} ({ix.request_ids[other]})"
                )
            count[p] += 1
            if count[p] > ix.max_meetings[p]:
                raise InstanceError(f"fixed meeting {rid}: {ix.participant_ids[p]} exceeds max_meetings")
        resolved[r] = (s, int(table))
    for r in np.flatnonzero(ix.pinned >= 0).tolist():
        if r in resolved:
            continue
        s = int(ix.pinned[r])
        for p in (int(ix.a[r]), int(ix.b[r])):
            holder = person.get((p, s))
            if holder is not None:
                raise InstanceError(
                    f"request {ix.request_ids[r]}: pinned in {ix.slot_ids[s]}, where {ix.participant_ids[p]} "
                    f"already has the confirmed meeting {ix.request_ids[holder]}"
                )
    return resolved


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    compact: bool = True,
    fixed: Mapping[str, tuple[str, int]] | None = None,
    allow_moves: bool = False,
    progress: Callable[[str], None] | None = None,
    work_limit: float | None = None,
    workers: int = EXACT_SUBSOLVERS,
) -> Schedule:
    """Schedule the heaviest set of meetings with compact agendas, keeping pinned and confirmed meetings.

    Runs until `time_limit` or a proven optimum. With `work_limit` (the solver's deterministic time) the
    exact phases of small instances stop on that budget instead, so the same input gives the same
    schedule; `time_limit` stays the upper bound on the wall-clock time. `workers`: CP-SAT subsolvers
    interleaved on one thread (1 for a single search).
    """
    start = time.monotonic()
    deadline = start + max(0.0, time_limit - min(1.0, 0.02 * time_limit))
    import ortools.sat.python.cp_model  # noqa: F401  (loading it takes seconds: count them before any phase)

    def say(message: str) -> None:
        if progress is not None:
            progress(f"[{time.monotonic() - start:6.1f}s] {message}")

    ix = index_instance(instance)
    confirmed = _check_fixed(ix, fixed or {})
    allowed = ix.allowed.copy()
    locked = ix.pinned >= 0
    for r in np.flatnonzero(locked).tolist():
        allowed[r] = False
        allowed[r, ix.pinned[r]] = True
    for r, (s, _) in confirmed.items():
        if not allow_moves or ix.pinned[r] >= 0:
            allowed[r] = False
            locked[r] = True
        allowed[r, s] = True
    bound = upper_bound(ix, allowed)
    say(f"{ix.n_requests} requests, {ix.n_participants} participants, {ix.n_slots} slots; bound {bound:.8g}")
    relaxation = lp_relaxation(ix, allowed, locked, LP_TIME_SHARE * (deadline - time.monotonic()))
    if relaxation is not None:
        bound = min(bound, relaxation.bound)
        say(f"LP relaxation bound {relaxation.bound:.8g}")
    bound = on_grid(bound, ix.weight)

    search = Search(ix, allowed, locked)
    for r in np.flatnonzero(ix.pinned >= 0).tolist():
        search.place(r, int(ix.pinned[r]))
    for r, (s, _) in confirmed.items():
        if ix.pinned[r] < 0:
            search.place(r, s)
            search.required[r] = True
            search.home[r] = s
    if relaxation is not None:
        round_relaxation(search, relaxation)
        say(f"LP rounding holds {search.weight():.8g}")
    options = allowed.sum(axis=1)
    order = sorted(
        (r for r in range(ix.n_requests) if search.slot_of[r] < 0 and options[r]),
        key=lambda r: (-search.w[r], options[r], r),
    )
    for r in order:
        s = search.first_fit(r)
        if s >= 0:
            search.place(r, s)
    say(f"weighted greedy holds {search.weight():.8g}")
    improve(search, deadline)
    say(f"augmenting moves hold {search.weight():.8g}")

    exact = Exact(ix, search, allowed, confirmed, allow_moves, workers)
    n_vars = int(allowed[exact.free].sum()) if exact.free else 0
    small = n_vars <= EXACT_MAX_VARIABLES
    work = math.inf if work_limit is None else max(0.0, work_limit)
    used = 0.0
    fits = sum(float(ix.weight[r]) for r in range(ix.n_requests) if allowed[r].any())

    def below_bound() -> bool:
        return search.weight() < bound - 1e-9 * max(1.0, bound)

    if small and n_vars and below_bound() and bound >= fits - 1e-9 * max(1.0, fits):
        # The bounds allow every request: look for such a schedule directly, by tabu search (solver_tabu.py)
        # and, if it gives up, by CP-SAT's all-different model (Exact.hold_all).
        iterations = None if math.isinf(work) else int(ITERATIONS_PER_WORK * HOLD_ALL_SHARE * work)
        slot_of_all = hold_all(search, time.monotonic() + HOLD_ALL_SHARE * (deadline - time.monotonic()), iterations)
        if slot_of_all is None:
            slot_of_all = exact.hold_all(
                HOLD_ALL_SHARE * (deadline - time.monotonic()), max(0.05, HOLD_ALL_SHARE * (work - used))
            )
        if slot_of_all is not None:
            load_schedule(search, slot_of_all)
        say(f"tabu and all-different searches hold {search.weight():.8g}")
    if below_bound():
        priority = np.zeros(ix.n_requests)
        if relaxation is not None:
            np.add.at(priority, relaxation.requests, relaxation.values)
        if small:
            weight_deadline = time.monotonic() + 0.3 * (deadline - time.monotonic())
            weight_work = NEIGHBOURHOOD_WORK_SHARE * work
        else:
            weight_deadline = start + (WEIGHT_TIME_SHARE if compact else 1.0) * time_limit
            weight_work = math.inf
        spent_here = 0.0
        while time.monotonic() < weight_deadline and below_bound() and spent_here < weight_work:
            improved, spent = neighbourhoods(
                search, weight_deadline, priority, exact.scale, weight_work - spent_here
            )
            spent_here += spent
            if not improved:
                break
            improve(search, weight_deadline)
        used += spent_here
        say(f"neighbourhood search holds {search.weight():.8g}")
    if small and n_vars and below_bound():
        remaining = deadline - time.monotonic()
        slot_of, exact_bound = exact.maximise(
            remaining * (MAXIMISE_WORK_SHARE if compact else 0.9),
            max(0.1 * work, work * (MAXIMISE_WORK_SHARE if compact else 0.9) - used),
        )
        if slot_of is not None:
            candidate = sum(float(ix.weight[r]) for r, s in enumerate(slot_of) if s >= 0)
            if candidate >= search.weight() - 1e-9:
                load_schedule(search, slot_of)
            bound = min(bound, on_grid(exact_bound, ix.weight))
        say(f"CP-SAT holds {search.weight():.8g}, bound {bound:.8g}")
    for r in confirmed:
        search.locked[r] = True
    everyone = set(range(ix.n_participants))
    gaps_bound: int | None = None
    if compact:
        before = search.total_gaps(everyone)
        fill_gaps(search, deadline)
        say(f"compaction: idle gaps {before} -> {search.total_gaps(everyone)}")
        lns_deadline = (
            min(deadline, time.monotonic() + 0.5 * (deadline - time.monotonic())) if small else deadline
        )
        lns_work = NEIGHBOURHOOD_WORK_SHARE * work if small else math.inf
        lns_used = 0.0
        while time.monotonic() < lns_deadline and search.total_gaps(everyone) and lns_used < lns_work:
            improved, spent = compact_neighbourhoods(search, lns_deadline, lns_work - lns_used)
            lns_used += spent
            if not improved:
                break
            fill_gaps(search, lns_deadline)
        say(f"agenda neighbourhoods: idle gaps {search.total_gaps(everyone)}")
        if small and search.total_gaps(everyone) and deadline - time.monotonic() > 0.2:
            kept, kept_gaps, kept_weight = list(search.slot_of), search.total_gaps(everyone), search.weight()
            slot_of, gaps_bound = exact.compact(
                (0.85 if math.isfinite(work) else 0.95) * (deadline - time.monotonic()),
                max(0.1 * work, work - used - exact.work_done - lns_used),
            )
            if slot_of is not None:
                load_schedule(search, slot_of)
                if search.total_gaps(everyone) > kept_gaps or search.weight() < kept_weight - 1e-9:
                    load_schedule(search, kept)
            say(
                f"CP-SAT compaction: idle gaps {search.total_gaps(everyone)}, "
                f"at least {gaps_bound} in any schedule holding this weight "
                f"(work {used + exact.work_done + lns_used:.2f})"
            )
        if search.total_gaps(everyone) == 0:
            gaps_bound = 0
    slot_of_final = np.array(search.slot_of, dtype=np.int64)
    moved = [r for r, (s, _) in confirmed.items() if slot_of_final[r] != s]
    tables = {r: t for r, (s, t) in confirmed.items() if slot_of_final[r] == s}
    return assemble(
        ix, slot_of_final, upper_bound=bound, fixed_tables=tables, moved=moved, idle_gaps_bound=gaps_bound
    )
