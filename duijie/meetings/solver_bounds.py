"""The scheduler's proven upper bounds on the weight any schedule holds, and the LP relaxation it rounds.

`upper_bound` needs no solver: each participant alone holds at most its heaviest set of requests matchable to
distinct free slots (a matroid), and the weight all of them must lose is covered by dropped requests, bounded
by a dual of that covering LP. `lp_relaxation` solves the LP relaxation with HiGHS's first-order PDLP and
turns its duals into a bound by weak duality, however loosely it converged; its values guide the rounding.
Pure: plain arrays in, numbers out.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import optimize, sparse

from duijie.meetings.instance import IndexedInstance

LP_GAP_TOLERANCE = 1e-4


def incidence(ix: IndexedInstance, requests: np.ndarray) -> list[list[int]]:
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
    for p, reqs in enumerate(incidence(ix, np.flatnonzero(feasible))):
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
    feasible = np.asarray(allowed.any(axis=1))
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


def on_grid(bound: float, weights: np.ndarray) -> float:
    """Round a bound down to the weights' grid (totals of weights that are multiples of 1/scale are too)."""
    scale, slack = weight_scale(weights)
    if slack or not math.isfinite(bound):
        return bound
    return math.floor(bound * scale + 1e-6) / scale


def weight_scale(weights: np.ndarray) -> tuple[int, float]:
    """An integer scale for CP-SAT and the most the rounding can under-count one meeting's weight."""
    for scale in (1, 10, 100, 1000, 10_000, 100_000, 1_000_000):
        if np.all(np.abs(weights * scale - np.round(weights * scale)) < 1e-6):
            return scale, 0.0
    return 1_000_000, 0.5e-6
