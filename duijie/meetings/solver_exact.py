"""The scheduler's exact phases on small instances, with CP-SAT over the requests free to move.

Phase 1 (`Exact.maximise`) finds the heaviest schedule, then the one moving the fewest confirmed meetings, and
proves a bound on the weight; phase 2 (`Exact.compact`) finds the fewest idle gaps among schedules holding at
least that weight and proves a lower bound on them. Tables are interchangeable, so only the slot is chosen.
Before phase 1, when the bounds say every request fits, `Exact.hold_all` looks for a schedule holding all of
them: each request's slot is also an integer with an all-different constraint over every participant's
requests (a matching propagator, far stronger than the pairwise at-most-ones on dense agendas), searched
smallest domain first with quick restarts, the way one colours a graph; on real-shaped brokerage events it
finds in seconds what the weighted model misses in a minute. Phase 2 keeps those all-different constraints
when every request is held: they raise the proven gap bound.
Each phase stops on the wall-clock time it is given, or, when the caller gives a work budget (the solver's
deterministic time), on that budget with interleaved subsolvers, so that the same input gives the same
schedule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from duijie.meetings.instance import IndexedInstance
from duijie.meetings.solver_bounds import weight_scale
from duijie.meetings.solver_gaps import busy_literal, hole_literals
from duijie.meetings.solver_search import Search

if TYPE_CHECKING:
    # Loading CP-SAT takes seconds; the phases import it when they run.
    from ortools.sat.python import cp_model

# Interleaved CP-SAT subsolvers (deterministic). The core-based one (the MaxSAT method inside CP-SAT) proves
# the gap bound and often finds the optimum; on the tight bench it matched RC2 (python-sat) wherever RC2
# finished, and beat the default interleaved portfolio.
EXACT_SUBSOLVERS = 4
EXACT_SUBSOLVER_NAMES = ("core", "default_lp", "no_lp", "quick_restart", "pseudo_costs", "reduced_costs")


HINT_HOLD_ALL = False


class Exact:
    """CP-SAT models of both phases over the requests that are free to move."""

    def __init__(
        self,
        ix: IndexedInstance,
        search: Search,
        allowed: np.ndarray,
        fixed: Mapping[int, tuple[int, int]],
        allow_moves: bool,
        workers: int = EXACT_SUBSOLVERS,
    ) -> None:
        self.ix = ix
        self.workers = max(1, min(workers, len(EXACT_SUBSOLVER_NAMES)))
        self.search = search
        self.allowed = allowed
        self.fixed = fixed if allow_moves else {}
        self.free = [r for r in range(ix.n_requests) if not search.locked[r] and allowed[r].any()]
        self.scale, self.slack = weight_scale(ix.weight)
        self.work_done = 0.0

    def _params(self, seconds: float, work: float) -> Any:
        """A solver on one thread: `workers` interleaved subsolvers (one search when 1), stopped by time or work.

        With a finite `work` (deterministic time) that limit normally stops the search and the same input
        gives the same answer; the wall-clock `seconds` is then only the upper bound that a heavily loaded
        machine can hit first. With `work` infinite the search runs until `seconds` or a proven optimum.
        """
        from ortools.sat.python import cp_model

        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, seconds)
        if math.isfinite(work):
            solver.parameters.max_deterministic_time = max(0.05, work)
        solver.parameters.random_seed = 7
        if self.workers == 1:
            solver.parameters.num_workers = 1
            return solver
        solver.parameters.num_workers = self.workers
        solver.parameters.interleave_search = True
        solver.parameters.subsolvers.extend(EXACT_SUBSOLVER_NAMES[: self.workers])
        return solver

    def _all_different(self, model: cp_model.CpModel, x: Mapping[tuple[int, int], Any]) -> list[Any]:
        """Each request's slot as an integer tied to its slot literals, all different per participant.

        Only valid when every request in `x` is held (exactly one literal true); returns the integers.
        """
        from ortools.sat.python import cp_model

        ix = self.ix
        options: dict[int, list[int]] = {}
        for r, s in x:
            options.setdefault(r, []).append(s)
        slot: dict[int, Any] = {}
        for r, slots in options.items():
            slot[r] = model.new_int_var_from_domain(cp_model.Domain.from_values(sorted(slots)), f"y{r}")
            for s in slots:
                model.add(slot[r] == s).only_enforce_if(x[r, s])
        per_person: dict[int, list[Any]] = {}
        for r, var in slot.items():
            for p in (int(ix.a[r]), int(ix.b[r])):
                per_person.setdefault(p, []).append(var)
        for vs in per_person.values():
            if len(vs) > 1:
                model.add_all_different(vs)
        return [slot[r] for r in sorted(slot)]

    def hold_all(self, seconds: float, work: float) -> list[int] | None:
        """A schedule holding every free request, or None if none was found in the time or work given.

        Feasibility only (the bounds already say it may exist): exactly one slot per request, the
        all-different slots per participant, smallest domain first with quick restarts, one search.
        """
        from ortools.sat.python import cp_model

        model = cp_model.CpModel()
        x = self._variables(model, self.free)
        options: dict[int, list[Any]] = {}
        for (r, _), var in x.items():
            options.setdefault(r, []).append(var)
        if any(r not in options for r in self.free):
            return None
        for vs in options.values():
            model.add_exactly_one(vs)
        slots = self._all_different(model, x)
        model.add_decision_strategy(slots, cp_model.CHOOSE_MIN_DOMAIN_SIZE, cp_model.SELECT_MIN_VALUE)
        if HINT_HOLD_ALL:
            for (r, s), var in x.items():
                model.add_hint(var, self.search.slot_of[r] == s)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, seconds)
        if math.isfinite(work):
            solver.parameters.max_deterministic_time = max(0.05, work)
        solver.parameters.num_workers = 1
        solver.parameters.search_branching = cp_model.PORTFOLIO_WITH_QUICK_RESTART_SEARCH
        solver.parameters.random_seed = 7
        status = solver.solve(model)
        self.work_done += solver.response_proto.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        slot_of = list(self.search.slot_of)
        for (r, s), var in x.items():
            if solver.boolean_value(var):
                slot_of[r] = s
        return slot_of

    def _base(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, set[int]]:
        """Occupancy by the meetings that stay where they are, whatever the model decides."""
        ix, search = self.ix, self.search
        busy = np.zeros((ix.n_participants, ix.n_slots), dtype=bool)
        used = np.zeros(ix.n_slots, dtype=np.int64)
        count = np.zeros(ix.n_participants, dtype=np.int64)
        pairs: set[int] = set()
        for r in range(ix.n_requests):
            s = search.slot_of[r]
            if s >= 0 and search.locked[r]:
                busy[ix.a[r], s] = busy[ix.b[r], s] = True
                used[s] += 1
                count[ix.a[r]] += 1
                count[ix.b[r]] += 1
                pairs.add(int(ix.pair[r]))
        return busy, used, count, pairs

    def _variables(self, model: cp_model.CpModel, requests: list[int]) -> dict[tuple[int, int], cp_model.IntVar]:
        ix = self.ix
        busy, used, count, pairs = self._base()
        x: dict[tuple[int, int], cp_model.IntVar] = {}
        for r in requests:
            if int(ix.pair[r]) in pairs:
                continue
            a, b = int(ix.a[r]), int(ix.b[r])
            for s in np.flatnonzero(self.allowed[r] & ~busy[a] & ~busy[b] & (used < ix.tables)).tolist():
                x[r, s] = model.new_bool_var(f"x{r}_{s}")
        by_request: dict[int, list[cp_model.IntVar]] = {}
        by_person_slot: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        by_slot: dict[int, list[cp_model.IntVar]] = {}
        by_person: dict[int, list[cp_model.IntVar]] = {}
        by_pair: dict[int, list[cp_model.IntVar]] = {}
        for (r, s), var in x.items():
            by_request.setdefault(r, []).append(var)
            by_slot.setdefault(s, []).append(var)
            by_pair.setdefault(int(ix.pair[r]), []).append(var)
            for p in (int(ix.a[r]), int(ix.b[r])):
                by_person_slot.setdefault((p, s), []).append(var)
                by_person.setdefault(p, []).append(var)
        for r, vs in by_request.items():
            if r in self.fixed:
                model.add(sum(vs) == 1)
            else:
                model.add(sum(vs) <= 1)
        for vs in by_person_slot.values():
            model.add_at_most_one(vs)
        for s, vs in by_slot.items():
            model.add(sum(vs) <= int(ix.tables[s] - used[s]))
        for p, vs in by_person.items():
            model.add(sum(vs) <= int(ix.max_meetings[p] - count[p]))
        for vs in by_pair.values():
            if len(vs) > 1:
                model.add_at_most_one(vs)
        return x

    def maximise(self, seconds: float, work: float) -> tuple[list[int] | None, float]:
        """Phase 1: the heaviest schedule (then fewest confirmed meetings moved); returns it and its bound."""
        from ortools.sat.python import cp_model

        ix = self.ix
        model = cp_model.CpModel()
        x = self._variables(model, self.free)
        weight_int = {r: round(float(ix.weight[r]) * self.scale) for r in self.free}
        factor = len(self.fixed) + 1
        moved = [var for (r, s), var in x.items() if r in self.fixed and s == self.fixed[r][0]]
        model.maximize(
            sum(weight_int[r] * factor * var for (r, _), var in x.items()) - len(self.fixed) + sum(moved)
        )
        for (r, s), var in x.items():
            model.add_hint(var, self.search.slot_of[r] == s)
        solver = self._params(seconds, work)
        status = solver.solve(model)
        self.work_done += solver.response_proto.deterministic_time
        locked_weight = sum(
            float(ix.weight[r])
            for r in range(ix.n_requests)
            if self.search.locked[r] and self.search.slot_of[r] >= 0
        )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, math.inf
        best_int = math.floor((solver.best_objective_bound + len(self.fixed) + 1e-6) / factor)
        max_meetings = min(len(self.free), int(ix.tables.sum()))
        bound = locked_weight + best_int / self.scale + self.slack * max_meetings
        slot_of = list(self.search.slot_of)
        for r in self.free:
            slot_of[r] = -1
        for (r, s), var in x.items():
            if solver.boolean_value(var):
                slot_of[r] = s
        return slot_of, bound

    def compact(self, seconds: float, work: float) -> tuple[list[int] | None, int]:
        """Phase 2: the fewest idle gaps among schedules holding at least the current weight.

        Returns the schedule found (None if none) and a proven lower bound on the idle gaps of every
        schedule that keeps the locked meetings and holds at least the current weight.
        """
        from ortools.sat.python import cp_model

        ix, search = self.ix, self.search
        movable = [r for r in self.free if not search.locked[r]]
        model = cp_model.CpModel()
        x = self._variables(model, movable)
        options: dict[int, list[Any]] = {}
        for (r, _), var in x.items():
            options.setdefault(r, []).append(var)
        if all(search.slot_of[r] >= 0 for r in options):
            for vs in options.values():
                model.add_exactly_one(vs)
            self._all_different(model, x)
        else:
            gain = {r: round(float(ix.weight[r]) * self.scale) for r in movable}
            held_gain = sum(gain[r] for r in movable if search.slot_of[r] >= 0)
            model.add(sum(gain[r] * var for (r, _), var in x.items()) >= held_gain)
        busy_const = np.zeros((ix.n_participants, ix.n_slots), dtype=bool)
        for r in range(ix.n_requests):
            if search.locked[r] and search.slot_of[r] >= 0:
                busy_const[ix.a[r], search.slot_of[r]] = busy_const[ix.b[r], search.slot_of[r]] = True
        terms: dict[tuple[int, int], list[Any]] = {}
        for (r, s), var in x.items():
            for p in (int(ix.a[r]), int(ix.b[r])):
                terms.setdefault((p, s), []).append(var)
        holes: list[Any] = []
        constant = 0
        for p in range(ix.n_participants):
            for slots in search.session_slots:
                if len(slots) < 3:
                    continue
                hint = [search.occ[p][s] >= 0 for s in slots]
                row = [
                    busy_literal(model, terms.get((p, s), []), bool(busy_const[p, s]), busy)
                    for s, busy in zip(slots, hint, strict=True)
                ]
                found, fixed = hole_literals(model, row, hint)
                holes.extend(found)
                constant += fixed
        model.minimize(sum(holes) + constant)
        for (r, s), var in x.items():
            model.add_hint(var, search.slot_of[r] == s)
        solver = self._params(seconds, work)
        status = solver.solve(model)
        self.work_done += solver.response_proto.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, 0
        bound = max(0, math.ceil(solver.best_objective_bound - 1e-6))
        slot_of = list(search.slot_of)
        for r in movable:
            slot_of[r] = -1
        for (r, s), var in x.items():
            if solver.boolean_value(var):
                slot_of[r] = s
        return slot_of, bound
