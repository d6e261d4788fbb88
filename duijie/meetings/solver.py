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
   two sides of a dropped request and their partners;
3. compaction, which only re-slots held meetings and so keeps the weight: relocation and Kempe-chain moves,
   then CP-SAT re-planning the agendas around the participants with the most idle gaps;
4. on small instances (up to EXACT_MAX_VARIABLES request-slot pairs) CP-SAT solves both phases exactly
   from the local-search schedule: the weight (then fewest confirmed meetings moved), then the idle gaps
   among all schedules holding at least that weight. The gap model counts, per participant and session,
   "a meeting at or before k" / "at or after k" chains and a hole literal per free slot between them;
   tables are interchangeable, so only the slot is chosen. Its objective bound is reported as
   `idle_gaps_bound`, a proven lower bound on the idle gaps of any schedule holding that weight.

Determinism: the exact phases and the neighbourhood searches of small instances stop on a work budget (the
solver's deterministic time, WORK_PER_SECOND per second of the time limit, measured on a loaded 2-core
machine) with interleaved subsolvers, so the same input gives the same schedule; the wall-clock time
limit stays an upper bound and only a machine slower than that rate makes it bind first. Large instances
run on wall-clock limits alone.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from scipy import optimize, sparse

from duijie.meetings.instance import (
    IndexedInstance,
    Instance,
    InstanceError,
    Schedule,
    assemble,
    index_instance,
)

EXACT_MAX_VARIABLES = 30_000
# Interleaved CP-SAT subsolvers (deterministic). The core-based one (the MaxSAT method inside CP-SAT) proves
# the gap bound and often finds the optimum; on the tight bench it matched RC2 (python-sat) wherever RC2
# finished, and beat the default interleaved portfolio.
EXACT_SUBSOLVERS = 4
EXACT_SUBSOLVER_NAMES = ("core", "default_lp", "no_lp", "quick_restart")
# Deterministic time CP-SAT does per wall-clock second on the 2-core bench machine while it is shared
# (0.25-0.3 measured under load, about 0.5 when idle): the lower figure keeps the work limit the one that
# binds, so runs repeat exactly.
WORK_PER_SECOND = 0.25
NEIGHBOURHOOD_DETERMINISTIC_TIME = 0.1
MAXIMISE_WORK_SHARE = 0.6
NEIGHBOURHOOD_WORK_SHARE = 0.15
KEMPE_MAX_LENGTH = 40
LP_GAP_TOLERANCE = 1e-4
LP_TIME_SHARE = 0.6
WEIGHT_TIME_SHARE = 0.8
_EPS = 1e-9


def _incidence(ix: IndexedInstance, requests: np.ndarray) -> list[list[int]]:
    """List, per participant, the given requests it takes part in."""
    ends = np.concatenate([ix.a[requests], ix.b[requests]])
    reqs = np.concatenate([requests, requests])
    order = np.lexsort((reqs, ends))
    bounds = np.searchsorted(ends[order], np.arange(ix.n_participants + 1))
    sorted_reqs = reqs[order].tolist()
    return [sorted_reqs[bounds[p] : bounds[p + 1]] for p in range(ix.n_participants)]


def _participant_best(ix: IndexedInstance, allowed: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """Per participant, the heaviest set of its requests that fit distinct slots and its cap (exact)."""
    best = np.zeros(ix.n_participants)
    weights = ix.weight.tolist()
    slots_of: dict[int, list[int]] = {}
    for p, reqs in enumerate(_incidence(ix, np.flatnonzero(feasible))):
        if not reqs:
            continue
        reqs.sort(key=lambda r: (-weights[r], r))
        reach = int(np.count_nonzero(allowed[reqs].any(axis=0)))
        limit = min(int(ix.max_meetings[p]), reach)
        holder: dict[int, int] = {}

        def augment(r: int, seen: set[int], holder: dict[int, int] = holder) -> bool:
            for s in slots_of[r]:
                if s in seen:
                    continue
                seen.add(s)
                if s not in holder or augment(holder[s], seen):
                    holder[s] = r
                    return True
            return False

        total = 0.0
        for r in reqs:
            if len(holder) >= limit:
                break
            if r not in slots_of:
                slots_of[r] = np.flatnonzero(allowed[r]).tolist()
            if augment(r, set()):
                total += weights[r]
        best[p] = total
    return best


def upper_bound(ix: IndexedInstance, allowed: np.ndarray | None = None) -> float:
    """A proven upper bound on the weight any schedule holds (per-participant matroids + covering dual)."""
    allowed = ix.allowed if allowed is None else allowed
    feasible = allowed.any(axis=1)
    w = ix.weight
    if not feasible.any():
        return 0.0
    incident = np.bincount(ix.a[feasible], weights=w[feasible], minlength=ix.n_participants)
    incident += np.bincount(ix.b[feasible], weights=w[feasible], minlength=ix.n_participants)
    loss = np.maximum(incident - _participant_best(ix, allowed, feasible), 0.0)
    lost = _covering_dual(ix, feasible, loss)
    by_participants = float(w[feasible].sum()) - lost
    capacity = int(min(ix.tables.sum(), feasible.sum()))
    by_tables = float(np.sort(w[feasible])[::-1][:capacity].sum())
    return min(by_participants, by_tables)


def _covering_dual(ix: IndexedInstance, feasible: np.ndarray, loss: np.ndarray) -> float:
    """Least weight that must be dropped so each participant loses `loss`, bounded below by a dual solution.

    The covering LP is min sum z_r, sum over r at p of z_r >= loss_p, 0 <= z_r <= w_r. Any prices pi >= 0
    give the valid lower bound sum loss_p pi_p - sum w_r max(0, pi_a + pi_b - 1) (weak duality), so the
    LP solver's answer is only used to pick good prices, never trusted as the bound itself.
    """
    lossy = loss > 1e-12
    if not lossy.any():
        return 0.0
    reqs = np.flatnonzero(feasible & (lossy[ix.a] | lossy[ix.b]))
    rows = np.flatnonzero(lossy)
    row_of = np.full(ix.n_participants, -1)
    row_of[rows] = np.arange(rows.size)
    ra, rb = row_of[ix.a[reqs]], row_of[ix.b[reqs]]
    cols = np.arange(reqs.size)
    keep_a, keep_b = ra >= 0, rb >= 0
    matrix = sparse.csr_matrix(
        (
            -np.ones(int(keep_a.sum() + keep_b.sum())),
            (np.concatenate([ra[keep_a], rb[keep_b]]), np.concatenate([cols[keep_a], cols[keep_b]])),
        ),
        shape=(rows.size, reqs.size),
    )
    prices = np.zeros(ix.n_participants)
    result = optimize.linprog(
        np.ones(reqs.size),
        A_ub=matrix,
        b_ub=-loss[rows],
        bounds=np.column_stack([np.zeros(reqs.size), ix.weight[reqs]]),
        method="highs",
    )
    if result.status == 0 and result.ineqlin is not None:
        prices[rows] = np.clip(-np.asarray(result.ineqlin.marginals), 0.0, None)
    else:
        prices[rows] = 0.5
    w = ix.weight[feasible]
    excess = np.maximum(prices[ix.a[feasible]] + prices[ix.b[feasible]] - 1.0, 0.0)
    return max(0.0, float(loss @ prices - w @ excess))


def _quiet_highs() -> highspy.Highs:
    """A HiGHS instance without its start-up banner, which HiGHS writes to the process's stdout (file
    descriptor 1, past Python's sys.stdout) and which would land in piped output and in the demo's console."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    h.setOptionValue("output_flag", False)
    return h


@dataclass(frozen=True)
class Relaxation:
    """The LP relaxation's proven bound and its (possibly fractional) values per allowed (request, slot)."""

    bound: float
    requests: np.ndarray
    slots: np.ndarray
    values: np.ndarray


def lp_relaxation(
    ix: IndexedInstance, allowed: np.ndarray, locked: np.ndarray, seconds: float
) -> Relaxation | None:
    """Solve the LP relaxation (first-order PDLP in HiGHS) and turn its duals into a proven upper bound.

    Rows: each pair of people at most once, each person once per slot, tables per slot, max meetings per
    person; variables of locked (pinned or confirmed) meetings are fixed to 1. The bound is computed from
    the duals y >= 0 by weak duality, b.y + sum_j max over [lo_j, up_j] of (w_j - (A'y)_j) x_j, so it holds
    however loosely the LP was solved.
    """
    reqs, slots = np.nonzero(allowed)
    n = reqs.size
    if n == 0 or seconds <= 0:
        return None
    n_pairs = int(ix.pair.max()) + 1
    n_p, n_s = ix.n_participants, ix.n_slots
    person_slot = n_pairs
    slot_row = person_slot + n_p * n_s
    person_row = slot_row + n_s
    rows = np.concatenate(
        [
            ix.pair[reqs],
            person_slot + ix.a[reqs] * n_s + slots,
            person_slot + ix.b[reqs] * n_s + slots,
            slot_row + slots,
            person_row + ix.a[reqs],
            person_row + ix.b[reqs],
        ]
    )
    n_rows = person_row + n_p
    matrix = sparse.csc_matrix((np.ones(rows.size), (rows, np.tile(np.arange(n), 6))), shape=(n_rows, n))
    rhs = np.concatenate([np.ones(n_pairs + n_p * n_s), ix.tables, ix.max_meetings]).astype(np.float64)
    cost = ix.weight[reqs]
    lower = locked[reqs].astype(np.float64)
    upper = np.ones(n)
    h = _quiet_highs()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, n_rows
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = -cost, lower, upper
    lp.row_lower_ = np.full(n_rows, -highspy.kHighsInf)
    lp.row_upper_ = rhs
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    h.passModel(lp)
    h.setOptionValue("solver", "pdlp")
    h.setOptionValue("pdlp_d_gap_tol", LP_GAP_TOLERANCE)
    h.setOptionValue("time_limit", float(seconds))
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 7)
    h.run()
    solution = h.getSolution()
    if len(solution.row_dual) != n_rows or len(solution.col_value) != n:
        return None
    y = np.maximum(-np.asarray(solution.row_dual, dtype=np.float64), 0.0)
    reduced = cost - matrix.T @ y
    bound = float(rhs @ y + np.where(reduced > 0, reduced * upper, reduced * lower).sum())
    values = np.clip(np.asarray(solution.col_value, dtype=np.float64), 0.0, 1.0)
    return Relaxation(bound=bound, requests=reqs, slots=slots, values=values)


def _on_grid(bound: float, weights: np.ndarray) -> float:
    """Round a bound down to the weights' grid (totals of weights that are multiples of 1/scale are too)."""
    scale, slack = _scale(weights)
    if slack or not math.isfinite(bound):
        return bound
    return math.floor(bound * scale + 1e-6) / scale


class _Search:
    """Mutable schedule with occupancy tables, kept in plain lists for fast single-item moves."""

    def __init__(self, ix: IndexedInstance, allowed: np.ndarray, locked: np.ndarray) -> None:
        self.ix = ix
        self.n_slots = ix.n_slots
        self.a = ix.a.tolist()
        self.b = ix.b.tolist()
        self.w = ix.weight.tolist()
        self.pair = ix.pair.tolist()
        self.tables = ix.tables.tolist()
        self.max_meetings = ix.max_meetings.tolist()
        self.locked = locked.tolist()
        self.required = [False] * ix.n_requests
        self.home = [-1] * ix.n_requests
        self.slots_of = [np.flatnonzero(row).tolist() for row in allowed]
        self.mask = [sum(1 << s for s in slots) for slots in self.slots_of]
        self.occ = [[-1] * ix.n_slots for _ in range(ix.n_participants)]
        self.slot_of = [-1] * ix.n_requests
        self.used = [0] * ix.n_slots
        self.count = [0] * ix.n_participants
        self.pair_held = [-1] * (int(ix.pair.max()) + 1 if ix.n_requests else 0)
        self.in_slot: list[set[int]] = [set() for _ in range(ix.n_slots)]
        self.requests_of = _incidence(ix, np.arange(ix.n_requests))
        self.session_slots: list[list[int]] = []
        self.session_of = ix.session_of_slot.tolist()
        for session in sorted(set(self.session_of)):
            self.session_slots.append([s for s in range(ix.n_slots) if self.session_of[s] == session])

    def place(self, r: int, s: int) -> None:
        """Hold request r in slot s (the caller has checked it fits)."""
        self.slot_of[r] = s
        self.occ[self.a[r]][s] = r
        self.occ[self.b[r]][s] = r
        self.used[s] += 1
        self.count[self.a[r]] += 1
        self.count[self.b[r]] += 1
        self.pair_held[self.pair[r]] = r
        self.in_slot[s].add(r)

    def remove(self, r: int) -> int:
        """Drop request r from its slot and return that slot."""
        s = self.slot_of[r]
        self.slot_of[r] = -1
        self.occ[self.a[r]][s] = -1
        self.occ[self.b[r]][s] = -1
        self.used[s] -= 1
        self.count[self.a[r]] -= 1
        self.count[self.b[r]] -= 1
        self.pair_held[self.pair[r]] = -1
        self.in_slot[s].discard(r)
        return s

    def fits(self, r: int, s: int) -> bool:
        """Whether request r can be held in slot s as things stand."""
        a, b = self.a[r], self.b[r]
        return (
            (self.mask[r] >> s) & 1 == 1
            and self.occ[a][s] < 0
            and self.occ[b][s] < 0
            and self.used[s] < self.tables[s]
            and self.count[a] < self.max_meetings[a]
            and self.count[b] < self.max_meetings[b]
            and self.pair_held[self.pair[r]] < 0
        )

    def first_fit(self, r: int, exclude: int = -1) -> int:
        """The best slot r fits in now (next to its sides' meetings, then earliest), or -1."""
        best, best_key = -1, -1
        a, b = self.occ[self.a[r]], self.occ[self.b[r]]
        for s in self.slots_of[r]:
            if s == exclude or not self.fits(r, s):
                continue
            key = 0
            for t in (s - 1, s + 1):
                if 0 <= t < self.n_slots and self.session_of[t] == self.session_of[s]:
                    key += (a[t] >= 0) + (b[t] >= 0)
            if key > best_key:
                best, best_key = s, key
        return best

    def weight(self) -> float:
        """Total weight held."""
        return sum(self.w[r] for r, s in enumerate(self.slot_of) if s >= 0)

    # -- augmenting moves -------------------------------------------------------------------------------

    def insert(self, r: int) -> bool:
        """Hold r by a direct placement, by re-slotting its blockers, or by a Kempe-chain swap."""
        a, b = self.a[r], self.b[r]
        if (
            self.pair_held[self.pair[r]] >= 0
            or self.count[a] >= self.max_meetings[a]
            or self.count[b] >= self.max_meetings[b]
        ):
            return False
        s = self.first_fit(r)
        if s >= 0:
            self.place(r, s)
            return True
        return self._relocate_blockers(r) or self._kempe_insert(r)

    def _relocate_blockers(self, r: int) -> bool:
        a, b = self.a[r], self.b[r]
        for s in self.slots_of[r]:
            blockers = [m for m in (self.occ[a][s], self.occ[b][s]) if m >= 0]
            if any(self.locked[m] for m in blockers):
                continue
            if not blockers:
                if self.used[s] >= self.tables[s] and self._free_table(s):
                    self.place(r, s)
                    return True
                continue
            for m in blockers:
                self.remove(m)
            if self.used[s] >= self.tables[s]:
                for m in blockers:
                    self.place(m, s)
                continue
            self.place(r, s)
            moved: list[int] = []
            for m in blockers:
                t = self.first_fit(m, exclude=s)
                if t < 0:
                    break
                self.place(m, t)
                moved.append(m)
            if len(moved) == len(blockers):
                return True
            for m in moved:
                self.remove(m)
            self.remove(r)
            for m in blockers:
                self.place(m, s)
        return False

    def _free_table(self, s: int) -> bool:
        """Move some meeting out of slot s into another slot, to free one of s's tables."""
        for m in sorted(self.in_slot[s])[:64]:
            if self.locked[m]:
                continue
            self.remove(m)
            t = self.first_fit(m, exclude=s)
            if t >= 0:
                self.place(m, t)
                return True
            self.place(m, s)
        return False

    def _chain(self, start: int, s: int, t: int, stop: int) -> list[int] | None:
        """The s/t alternating path of meetings from participant `start` (free in t), or None if unusable."""
        path: list[int] = []
        x, colour, other = start, s, t
        while True:
            m = self.occ[x][colour]
            if m < 0:
                return path
            if self.locked[m] or (self.mask[m] >> other) & 1 == 0 or len(path) >= KEMPE_MAX_LENGTH:
                return None
            path.append(m)
            x = self.b[m] if self.a[m] == x else self.a[m]
            if x == stop:
                return None
            colour, other = other, colour

    def _swap(self, path: list[int], s: int, t: int, extra_in_s: int = 0) -> bool:
        """Exchange slots s and t along a path if tables allow (`extra_in_s` more meetings to come in s)."""
        in_s = sum(1 for m in path if self.slot_of[m] == s)
        in_t = len(path) - in_s
        if self.used[s] - in_s + in_t + extra_in_s > self.tables[s]:
            return False
        if self.used[t] - in_t + in_s > self.tables[t]:
            return False
        old = [self.remove(m) for m in path]
        for m, slot in zip(path, old, strict=True):
            self.place(m, t if slot == s else s)
        return True

    def _kempe_insert(self, r: int) -> bool:
        a, b = self.a[r], self.b[r]
        for s in self.slots_of[r]:
            busy_a, busy_b = self.occ[a][s] >= 0, self.occ[b][s] >= 0
            if busy_a == busy_b:
                continue
            start, other_side = (a, b) if busy_a else (b, a)
            for t in range(self.n_slots):
                if t == s or self.occ[start][t] >= 0:
                    continue
                path = self._chain(start, s, t, other_side)
                if path and self._swap(path, s, t, extra_in_s=1):
                    self.place(r, s)
                    return True
        return False

    def eject(self, r: int) -> bool:
        """Hold r instead of lighter meetings when that raises the weight, re-placing them if possible."""
        a, b = self.a[r], self.b[r]
        if self.pair_held[self.pair[r]] >= 0:
            return False
        wr = self.w[r]
        best_s, best_cost, best_blockers = -1, wr - _EPS, None
        for s in self.slots_of[r]:
            blockers = [m for m in (self.occ[a][s], self.occ[b][s]) if m >= 0]
            if any(self.locked[m] or self.required[m] for m in blockers):
                continue
            for p in (a, b):
                if self.count[p] >= self.max_meetings[p] and self.occ[p][s] < 0:
                    lightest = self._lightest(p)
                    if lightest < 0:
                        break
                    blockers.append(lightest)
            else:
                if not blockers and self.used[s] >= self.tables[s]:
                    lightest = self._lightest_in_slot(s)
                    if lightest < 0:
                        continue
                    blockers.append(lightest)
                cost = sum(self.w[m] for m in set(blockers))
                if cost < best_cost:
                    best_s, best_cost, best_blockers = s, cost, sorted(set(blockers))
        if best_blockers is None:
            return False
        old = [self.remove(m) for m in best_blockers]
        if not self.fits(r, best_s):
            for m, slot in zip(best_blockers, old, strict=True):
                self.place(m, slot)
            return False
        self.place(r, best_s)
        for m in best_blockers:
            self.insert(m)
        return True

    def _lightest(self, p: int) -> int:
        meetings = [m for m in self.occ[p] if m >= 0 and not self.locked[m] and not self.required[m]]
        return min(meetings, key=lambda m: (self.w[m], m)) if meetings else -1

    def _lightest_in_slot(self, s: int) -> int:
        meetings = [m for m in self.in_slot[s] if not self.locked[m] and not self.required[m]]
        return min(meetings, key=lambda m: (self.w[m], m)) if meetings else -1

    # -- compaction -------------------------------------------------------------------------------------

    def gaps(self, p: int, session: int) -> int:
        """Idle gaps of participant p in one session."""
        row = self.occ[p]
        first = last = -1
        busy = 0
        for k, s in enumerate(self.session_slots[session]):
            if row[s] >= 0:
                if first < 0:
                    first = k
                last = k
                busy += 1
        return last - first + 1 - busy if busy else 0

    def total_gaps(self, people: set[int]) -> int:
        """Idle gaps of some participants over all sessions."""
        return sum(self.gaps(p, k) for p in people for k in range(len(self.session_slots)))

    def compact_participant(self, p: int) -> bool:
        """Try to fill one idle gap of p by moving a meeting at the edge of its session into it."""
        row = self.occ[p]
        for session, slots in enumerate(self.session_slots):
            if self.gaps(p, session) == 0:
                continue
            busy = [s for s in slots if row[s] >= 0]
            holes = [s for s in slots if busy[0] < s < busy[-1] and row[s] < 0]
            for g in holes:
                for s in (busy[0], busy[-1]):
                    m = row[s]
                    if self.locked[m] or (self.mask[m] >> g) & 1 == 0:
                        continue
                    if self._try_improving(p, m, s, g):
                        return True
        return False

    def _try_improving(self, p: int, m: int, s: int, g: int) -> bool:
        """Move m (of p) from s to g directly or along a Kempe chain; keep it only if gaps go down."""
        q = self.b[m] if self.a[m] == p else self.a[m]
        path = self._chain(p, s, g, -1)
        if not path:
            return False
        ends = {p, q}
        x = p
        for step in path:
            x = self.b[step] if self.a[step] == x else self.a[step]
        ends.add(x)
        before = self.total_gaps(ends)
        if not self._swap(path, s, g):
            return False
        if self.total_gaps(ends) < before:
            return True
        self._swap(path, s, g)
        return False


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
            other = person.get((p, s))
            if other is not None:
                raise InstanceError(
                    f"request {ix.request_ids[r]}: pinned in {ix.slot_ids[s]}, where {ix.participant_ids[p]} "
                    f"already has the confirmed meeting {ix.request_ids[other]}"
                )
    return resolved


def _scale(weights: np.ndarray) -> tuple[int, float]:
    """An integer scale for CP-SAT and the most the rounding can under-count one meeting's weight."""
    for scale in (1, 10, 100, 1000, 10_000, 100_000, 1_000_000):
        if np.all(np.abs(weights * scale - np.round(weights * scale)) < 1e-6):
            return scale, 0.0
    return 1_000_000, 0.5e-6


class _Exact:
    """CP-SAT models of both phases over the requests that are free to move."""

    def __init__(
        self,
        ix: IndexedInstance,
        search: _Search,
        allowed: np.ndarray,
        fixed: Mapping[int, tuple[int, int]],
        allow_moves: bool,
    ) -> None:
        self.ix = ix
        self.search = search
        self.allowed = allowed
        self.fixed = fixed if allow_moves else {}
        self.free = [r for r in range(ix.n_requests) if not search.locked[r] and allowed[r].any()]
        self.scale, self.slack = _scale(ix.weight)
        self.work_done = 0.0

    def _params(self, seconds: float, work: float) -> Any:
        """A solver that gives the same answer on every run: interleaved subsolvers, a work limit.

        The deterministic `work` limit normally stops the search; the wall-clock `seconds` is only the
        upper bound that a heavily loaded machine can hit first (and only then may runs differ).
        """
        from ortools.sat.python import cp_model

        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, seconds)
        solver.parameters.max_deterministic_time = max(0.05, work)
        solver.parameters.num_workers = EXACT_SUBSOLVERS
        solver.parameters.interleave_search = True
        solver.parameters.subsolvers.extend(EXACT_SUBSOLVER_NAMES)
        solver.parameters.random_seed = 7
        return solver

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

    def _variables(self, model: object, requests: list[int]) -> dict[tuple[int, int], object]:
        ix = self.ix
        busy, used, count, pairs = self._base()
        x: dict[tuple[int, int], object] = {}
        for r in requests:
            if int(ix.pair[r]) in pairs:
                continue
            a, b = int(ix.a[r]), int(ix.b[r])
            for s in np.flatnonzero(self.allowed[r] & ~busy[a] & ~busy[b] & (used < ix.tables)).tolist():
                x[r, s] = model.new_bool_var(f"x{r}_{s}")
        by_request: dict[int, list[object]] = {}
        by_person_slot: dict[tuple[int, int], list[object]] = {}
        by_slot: dict[int, list[object]] = {}
        by_person: dict[int, list[object]] = {}
        by_pair: dict[int, list[object]] = {}
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
                    _busy_literal(model, terms.get((p, s), []), bool(busy_const[p, s]), busy)
                    for s, busy in zip(slots, hint, strict=True)
                ]
                found, fixed = _holes(model, row, hint)
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


def _sub_problem(
    search: _Search, people: set[int], scale: int, seconds: float, work: float
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
        for key in (("r", r), ("s", s), ("pair", search.pair[r])):
            groups.setdefault(key, []).append(var)
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


def _neighbourhoods(
    search: _Search, deadline: float, priority: np.ndarray, scale: int, work: float = math.inf
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


Busy = int | Any


def _busy_literal(model: Any, terms: list[Any], fixed: bool, hint: bool | None = None) -> Busy:
    """Whether one person meets in one slot: 1 when a kept meeting is there, else a literal or 0."""
    if fixed:
        return 1
    if not terms:
        return 0
    if len(terms) == 1:
        return terms[0]
    busy = model.new_bool_var("")
    model.add(busy == sum(terms))
    if hint is not None:
        model.add_hint(busy, hint)
    return busy


def _is_const(value: Busy, constant: int) -> bool:
    """Whether a busy entry is the given constant rather than a literal."""
    return isinstance(value, int) and value == constant


def _holes(model: Any, row: list[Busy], hint: list[bool] | None = None) -> tuple[list[Any], int]:
    """Literals and a constant whose sum is the idle gaps of one agenda over one session when minimised.

    `row` holds, per slot of the session in time order, 1 (a kept meeting), 0 (never a meeting) or a
    literal. `before[k]` is "a meeting at or before k" and `after[k]` "a meeting at or after k", each
    equivalent to its chain (so they propagate both ways), and slot k is a hole when before[k - 1] and
    after[k + 1] hold and k is free. Constant parts fold into the count; with `hint` (the busy slots of a
    known schedule) every auxiliary literal is hinted too, so the solver starts from a complete solution.
    """
    n = len(row)

    def chain(order: range) -> list[Busy]:
        out: list[Busy] = [0] * n
        prev: Busy = 0
        seen = False
        for k in order:
            value = row[k]
            seen = seen or (hint is not None and hint[k])
            if _is_const(value, 1) or _is_const(prev, 1):
                prev = 1
            elif isinstance(value, int):
                pass
            elif isinstance(prev, int):
                prev = value
            else:
                lit = model.new_bool_var("")
                model.add_bool_or([value, prev]).only_enforce_if(lit)
                model.add_implication(value, lit)
                model.add_implication(prev, lit)
                if hint is not None:
                    model.add_hint(lit, seen)
                prev = lit
            out[k] = prev
        return out

    before = chain(range(n))
    after = chain(range(n - 1, -1, -1))
    holes: list[Any] = []
    constant = 0
    for k in range(1, n - 1):
        value, left, right = row[k], before[k - 1], after[k + 1]
        if _is_const(value, 1) or _is_const(left, 0) or _is_const(right, 0):
            continue
        free = [x for x in (left, right) if not isinstance(x, int)]
        if not free and isinstance(value, int):
            constant += 1
            continue
        hole = model.new_bool_var("")
        clause = [x.Not() for x in free] + [hole]
        if not isinstance(value, int):
            clause.append(value)
        model.add_bool_or(clause)
        if hint is not None:
            model.add_hint(hole, any(hint[:k]) and any(hint[k + 1 :]) and not hint[k])
        holes.append(hole)
    return holes, constant


def _compact_around(search: _Search, p: int, seconds: float, work: float) -> tuple[bool, float]:
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
                    _busy_literal(model, by_person_slot.get((q, s), []), search.occ[q][s] >= 0, busy)
                    for s, busy in zip(slots, hint, strict=True)
                ]
                found, fixed = _holes(model, row, hint)
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


def _compact_neighbourhoods(search: _Search, deadline: float, work: float = math.inf) -> tuple[int, float]:
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


def _round(search: _Search, relaxation: Relaxation) -> None:
    """Hold requests in the slots the LP favours, most favoured first, wherever they still fit."""
    keep = relaxation.values > 1e-3
    reqs, slots, values = relaxation.requests[keep], relaxation.slots[keep], relaxation.values[keep]
    order = np.lexsort((reqs, -search.ix.weight[reqs], -values))
    for r, s in zip(reqs[order].tolist(), slots[order].tolist(), strict=True):
        if search.slot_of[r] < 0 and search.fits(r, s):
            search.place(r, s)


def _load(search: _Search, slot_of: list[int]) -> None:
    """Replace the search's schedule by another one."""
    for r, s in enumerate(search.slot_of):
        if s >= 0:
            search.remove(r)
    for r, s in enumerate(slot_of):
        if s >= 0:
            search.place(r, s)


def _improve(search: _Search, deadline: float) -> None:
    """Augmenting moves over the dropped requests, heaviest first, until a pass finds nothing."""
    while time.monotonic() < deadline:
        pending = [r for r, s in enumerate(search.slot_of) if s < 0 and search.slots_of[r]]
        pending.sort(key=lambda r: (-search.w[r], r))
        improved = 0
        for i, r in enumerate(pending):
            if i % 256 == 0 and time.monotonic() >= deadline:
                return
            if search.slot_of[r] < 0 and (search.insert(r) or search.eject(r)):
                improved += 1
        if not improved:
            return


def _compact(search: _Search, deadline: float) -> None:
    """Gap-filling moves, participant by participant, until a pass finds nothing."""
    while time.monotonic() < deadline:
        improved = 0
        for p in range(len(search.occ)):
            if p % 256 == 0 and time.monotonic() >= deadline:
                return
            for _ in range(search.n_slots):
                if not search.compact_participant(p):
                    break
                improved += 1
        if not improved:
            return


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    compact: bool = True,
    fixed: Mapping[str, tuple[str, int]] | None = None,
    allow_moves: bool = False,
    progress: Callable[[str], None] | None = None,
    work_limit: float | None = None,
) -> Schedule:
    """Schedule the heaviest set of meetings with compact agendas, keeping pinned and confirmed meetings.

    On small instances the exact phases stop on `work_limit` (the solver's deterministic time, by default
    WORK_PER_SECOND times `time_limit`), so the same input gives the same schedule; `time_limit` stays the
    upper bound on the wall-clock time.
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
    bound = _on_grid(bound, ix.weight)

    search = _Search(ix, allowed, locked)
    for r in np.flatnonzero(ix.pinned >= 0).tolist():
        search.place(r, int(ix.pinned[r]))
    for r, (s, _) in confirmed.items():
        if ix.pinned[r] < 0:
            search.place(r, s)
            search.required[r] = True
            search.home[r] = s
    if relaxation is not None:
        _round(search, relaxation)
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
    _improve(search, deadline)
    say(f"augmenting moves hold {search.weight():.8g}")

    exact = _Exact(ix, search, allowed, confirmed, allow_moves)
    n_vars = int(allowed[exact.free].sum()) if exact.free else 0
    small = n_vars <= EXACT_MAX_VARIABLES
    work = WORK_PER_SECOND * time_limit if work_limit is None else max(0.0, work_limit)
    used = 0.0

    def below_bound() -> bool:
        return search.weight() < bound - 1e-9 * max(1.0, bound)

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
            improved, spent = _neighbourhoods(
                search, weight_deadline, priority, exact.scale, weight_work - spent_here
            )
            spent_here += spent
            if not improved:
                break
            _improve(search, weight_deadline)
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
                _load(search, slot_of)
            bound = min(bound, _on_grid(exact_bound, ix.weight))
        say(f"CP-SAT holds {search.weight():.8g}, bound {bound:.8g}")
    for r in confirmed:
        search.locked[r] = True
    everyone = set(range(ix.n_participants))
    gaps_bound: int | None = None
    if compact:
        before = search.total_gaps(everyone)
        _compact(search, deadline)
        say(f"compaction: idle gaps {before} -> {search.total_gaps(everyone)}")
        lns_deadline = (
            min(deadline, time.monotonic() + 0.5 * (deadline - time.monotonic())) if small else deadline
        )
        lns_work = NEIGHBOURHOOD_WORK_SHARE * work if small else math.inf
        lns_used = 0.0
        while time.monotonic() < lns_deadline and search.total_gaps(everyone) and lns_used < lns_work:
            improved, spent = _compact_neighbourhoods(search, lns_deadline, lns_work - lns_used)
            lns_used += spent
            if not improved:
                break
            _compact(search, lns_deadline)
        say(f"agenda neighbourhoods: idle gaps {search.total_gaps(everyone)}")
        if small and search.total_gaps(everyone) and deadline - time.monotonic() > 0.2:
            kept, kept_gaps, kept_weight = list(search.slot_of), search.total_gaps(everyone), search.weight()
            slot_of, gaps_bound = exact.compact(
                0.85 * (deadline - time.monotonic()),
                max(0.1 * work, work - used - exact.work_done - lns_used),
            )
            if slot_of is not None:
                _load(search, slot_of)
                if search.total_gaps(everyone) > kept_gaps or search.weight() < kept_weight - 1e-9:
                    _load(search, kept)
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
