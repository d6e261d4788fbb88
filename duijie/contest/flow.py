"""Judge assignment as a flow problem: the working instance (allowed pairs, per-node bounds), the checks that name
the entries and judges blocking it, and the exact maximum-total assignment by one min-cost flow (OR-Tools).

Pure: numpy arrays in, numpy arrays and a certificate out. Lower bounds per judge are a demand formulation:
each judge node consumes M units and forwards at most L - M to the sink.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from duijie.contest.assignment_types import (
    AffinityTable,
    Assignment,
    AssignmentInfeasible,
    Certificate,
    ContestInputError,
    Objective,
)

SCALE_STEPS = 1_000_000
"""Non-decimal affinities are rounded to this many steps over their range."""


@dataclass
class Problem:
    """Working form of an instance: allowed pairs and per-node bounds, narrowed for sub-problems."""

    table: AffinityTable
    allowed: np.ndarray
    conflicted: np.ndarray
    entry_need: np.ndarray
    judge_cap: np.ndarray
    judge_low: np.ndarray


def _conflict_mask(table: AffinityTable, conflicts: Iterable[tuple[str, str]]) -> np.ndarray:
    """Boolean mask of conflicted pairs; pairs naming ids outside the table cannot be assigned anyway."""
    e_index = {e: i for i, e in enumerate(table.entries)}
    j_index = {j: i for i, j in enumerate(table.judges)}
    mask = np.zeros(table.values.shape, dtype=bool)
    for entry, judge in conflicts:
        ei = e_index.get(entry)
        ji = j_index.get(judge)
        if ei is not None and ji is not None:
            mask[ei, ji] = True
    return mask


def _check_params(k: int, max_per_judge: int, min_per_judge: int) -> None:
    """Refuse parameters no assignment could meet, naming the option."""
    if k < 1:
        raise ContestInputError(f"judges per entry must be at least 1, got {k}", field="judges_per_entry")
    if max_per_judge < 1:
        raise ContestInputError(
            f"max per judge must be at least 1, got {max_per_judge}", field="max_per_judge"
        )
    if min_per_judge < 0 or min_per_judge > max_per_judge:
        raise ContestInputError(
            f"min per judge must be between 0 and max per judge ({max_per_judge}), got {min_per_judge}",
            field="min_per_judge",
        )


def build_problem(
    table: AffinityTable, conflicts: Iterable[tuple[str, str]], k: int, max_per_judge: int, min_per_judge: int
) -> Problem:
    """The allowed-pair mask and per-node bounds every solver and diagnosis works on."""
    _check_params(k, max_per_judge, min_per_judge)
    if not table.entries:
        raise ContestInputError("there are no entries to assign", field="entries")
    conflicted = _conflict_mask(table, conflicts)
    allowed = ~np.isnan(table.values) & ~conflicted
    n_e, n_j = table.values.shape
    return Problem(
        table=table,
        allowed=allowed,
        conflicted=conflicted,
        entry_need=np.full(n_e, k, dtype=np.int64),
        judge_cap=np.full(n_j, max_per_judge, dtype=np.int64),
        judge_low=np.full(n_j, min_per_judge, dtype=np.int64),
    )


def check_counts(p: Problem) -> None:
    """The infeasibilities that counting reveals: too few allowed judges, minimums above the need."""
    n_j = p.allowed.shape[1]
    t = p.table
    candidates = p.allowed.sum(axis=1)
    short = np.flatnonzero(candidates < p.entry_need)
    if short.size:
        reasons: dict[str, str] = {}
        for e in short.tolist():
            n_conf = int(p.conflicted[e].sum())
            n_unknown = int((np.isnan(t.values[e]) & ~p.conflicted[e]).sum())
            reasons[t.entries[e]] = (
                f"needs {p.entry_need[e]} judges but only {candidates[e]} of {n_j} are allowed "
                f"({n_conf} conflicted, {n_unknown} without a known affinity)"
            )
        raise AssignmentInfeasible(
            f"{len(reasons)} entr{'y' if len(reasons) == 1 else 'ies'} cannot get enough judges",
            entries=reasons,
        )
    need = int(p.entry_need.sum())
    low_total = int(p.judge_low.sum())
    if low_total > need:
        raise AssignmentInfeasible(
            f"min per judge is too high: the judges must take at least {low_total} reviews in all but the "
            f"entries need only {need}",
            entries={},
        )
    judge_candidates = p.allowed.sum(axis=0)
    thin = np.flatnonzero(judge_candidates < p.judge_low)
    if thin.size:
        raise AssignmentInfeasible(
            "min per judge cannot be met: some judges are allowed fewer entries than their minimum",
            entries={},
            judges={
                t.judges[j]: f"allowed for {judge_candidates[j]} entries, needs at least {p.judge_low[j]}"
                for j in thin.tolist()
            },
        )


def _diagnose(p: Problem) -> None:
    """Raise AssignmentInfeasible naming the entries or judges that make the problem infeasible, if any.

    Runs the counting checks, then maximum flows; the solvers call it only when a flow is infeasible.
    """
    check_counts(p)
    n_e, n_j = p.allowed.shape
    t = p.table
    need = int(p.entry_need.sum())
    capacity = int(p.judge_cap.sum())
    # Which entries stay short in a maximum flow (upper bounds only): those cannot all be covered.
    flow = _max_flow(p, p.judge_cap, p.entry_need)
    got = np.bincount(flow[0], minlength=n_e) if flow[0].size else np.zeros(n_e, dtype=np.int64)
    uncovered = np.flatnonzero(got < p.entry_need)
    if uncovered.size:
        prefix = (
            f"the judges can take {capacity} reviews in all but the entries need {need}; "
            if capacity < need
            else ""
        )
        raise AssignmentInfeasible(
            f"{prefix}{uncovered.size} entr{'y' if uncovered.size == 1 else 'ies'} cannot be covered: "
            "the judges allowed reach max per judge",
            entries={
                t.entries[
                    e
                ]: f"gets at most {got[e]} of {p.entry_need[e]} judges: its allowed judges are full"
                for e in uncovered.tolist()
            },
        )
    if p.judge_low.any():
        # Which judges stay under their minimum when only the minimum counts.
        flow = _max_flow(p, p.judge_low, p.entry_need)
        load = np.bincount(flow[1], minlength=n_j) if flow[1].size else np.zeros(n_j, dtype=np.int64)
        under = np.flatnonzero(load < p.judge_low)
        if under.size:
            raise AssignmentInfeasible(
                "min per judge cannot be met: too few entries can go to these judges",
                entries={},
                judges={
                    t.judges[j]: f"can get at most {load[j]} entries, needs at least {p.judge_low[j]}"
                    for j in under.tolist()
                },
            )


def arcs(p: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Entry and judge indices of the allowed pairs, in row order (the flow arcs)."""
    e_idx, j_idx = np.nonzero(p.allowed)
    return e_idx.astype(np.int32), j_idx.astype(np.int32)


def _max_flow(p: Problem, judge_cap: np.ndarray, entry_need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A maximum flow from entries to judges with the given judge capacities; returns the used pairs."""
    n_e, n_j = p.allowed.shape
    e_idx, j_idx = arcs(p)
    smcf = min_cost_flow.SimpleMinCostFlow()
    sink = n_e + n_j
    pair_arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        e_idx,
        (j_idx + n_e).astype(np.int32),
        np.ones(e_idx.size, dtype=np.int64),
        np.zeros(e_idx.size, np.int64),
    )
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.arange(n_e, n_e + n_j, dtype=np.int32),
        np.full(n_j, sink, dtype=np.int32),
        judge_cap.astype(np.int64),
        np.zeros(n_j, dtype=np.int64),
    )
    nodes = np.arange(n_e + n_j + 1, dtype=np.int32)
    supplies = np.zeros(n_e + n_j + 1, dtype=np.int64)
    supplies[:n_e] = entry_need
    supplies[sink] = -int(entry_need.sum())
    smcf.set_nodes_supplies(nodes, supplies)
    smcf.solve_max_flow_with_min_cost()
    used = smcf.flows(np.asarray(pair_arcs, dtype=np.int32)) > 0
    return e_idx[used], j_idx[used]


@dataclass(frozen=True)
class Scaled:
    costs: np.ndarray
    unit: float
    max_error: float


def scale(values: np.ndarray, steps: int) -> Scaled:
    """Non-negative integer costs whose minimum means the best pair, with the rounding error they carry.

    Affinities that are all multiples of 10**-d (integer or decimal scores) are scaled exactly; others are
    rounded to ``steps`` steps over their range.
    """
    if values.size == 0:
        return Scaled(np.zeros(0, dtype=np.int64), 1.0, 0.0)
    top = float(values.max())
    span = top - float(values.min())
    for digits in range(7):
        factor = 10.0**digits
        if span * factor > steps:
            break
        scaled = values * factor
        if np.all(np.abs(scaled - np.rint(scaled)) <= 1e-9):
            costs = np.rint(top * factor) - np.rint(scaled)
            return Scaled(costs.astype(np.int64), 1.0 / factor, 0.0)
    unit = span / steps if span > 0 else 1.0
    costs = np.rint((top - values) / unit)
    error = float(np.abs(costs * unit - (top - values)).max())
    if error <= span * 1e-12:
        error = 0.0
    return Scaled(costs.astype(np.int64), unit, error)


def solve_flow(p: Problem, e_idx: np.ndarray, j_idx: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """Min-cost flow with exact entry demand and judge bounds; returns a boolean mask over the arcs used."""
    n_e, n_j = p.allowed.shape
    sink = n_e + n_j
    smcf = min_cost_flow.SimpleMinCostFlow()
    pair_arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        e_idx, (j_idx + n_e).astype(np.int32), np.ones(e_idx.size, dtype=np.int64), costs.astype(np.int64)
    )
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.arange(n_e, n_e + n_j, dtype=np.int32),
        np.full(n_j, sink, dtype=np.int32),
        (p.judge_cap - p.judge_low).astype(np.int64),
        np.zeros(n_j, dtype=np.int64),
    )
    supplies = np.zeros(n_e + n_j + 1, dtype=np.int64)
    supplies[:n_e] = p.entry_need
    supplies[n_e:sink] = -p.judge_low
    supplies[sink] = -(int(p.entry_need.sum()) - int(p.judge_low.sum()))
    smcf.set_nodes_supplies(np.arange(n_e + n_j + 1, dtype=np.int32), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        _diagnose(p)
        raise AssignmentInfeasible(
            "no assignment meets judges per entry, min and max per judge together with the conflicts",
            entries={},
        )
    return smcf.flows(np.asarray(pair_arcs, dtype=np.int32)) > 0


def entry_sums(n_e: int, e_used: np.ndarray, a_used: np.ndarray) -> np.ndarray:
    """Each entry's total affinity under the chosen arcs."""
    return np.bincount(e_used, weights=a_used, minlength=n_e)


def build_result(
    p: Problem, e_used: np.ndarray, j_used: np.ndarray, objective: Objective, certificate: Certificate
) -> Assignment:
    """Turn chosen index pairs into the public result, pairs ordered by entry then judge."""
    t = p.table
    n_e, n_j = t.values.shape
    order = np.lexsort((j_used, e_used))
    e_used = e_used[order]
    j_used = j_used[order]
    aff = t.values[e_used, j_used]
    sums = np.bincount(e_used, weights=aff, minlength=n_e)
    loads = np.bincount(j_used, minlength=n_j)
    jsums = np.bincount(j_used, weights=aff, minlength=n_j)
    pairs = tuple(
        (t.entries[e], t.judges[j], float(a))
        for e, j, a in zip(e_used.tolist(), j_used.tolist(), aff.tolist(), strict=True)
    )
    return Assignment(
        pairs=pairs,
        entry_totals={t.entries[i]: float(sums[i]) for i in range(n_e)},
        judge_loads={t.judges[i]: int(loads[i]) for i in range(n_j)},
        judge_totals={t.judges[i]: float(jsums[i]) for i in range(n_j)},
        objective=objective,
        total_affinity=float(aff.sum()),
        min_entry_total=float(sums.min()) if n_e else 0.0,
        mean_affinity=float(aff.mean()) if aff.size else 0.0,
        min_affinity=float(aff.min()) if aff.size else 0.0,
        certificate=certificate,
    )


def solve_total(p: Problem) -> tuple[np.ndarray, np.ndarray, Certificate]:
    """Exact maximum total affinity by one min-cost flow, with its rounding certificate."""
    e_idx, j_idx = arcs(p)
    aff = p.table.values[e_idx, j_idx]
    scaled = scale(aff, SCALE_STEPS)
    used = solve_flow(p, e_idx, j_idx, scaled.costs)
    value = float(aff[used].sum())
    n_pairs = int(p.entry_need.sum())
    slack = 2.0 * n_pairs * scaled.max_error
    detail = (
        "min-cost flow optimal for affinities rounded to multiples of the resolution; integral flows are "
        "LP-optimal (totally unimodular constraints)"
        + (f"; rounding can cost at most {slack:.6g} in total" if slack else "; no rounding was needed")
    )
    cert = Certificate(
        objective="total",
        method="min-cost flow",
        value=value,
        upper_bound=value + slack,
        exact=slack == 0.0,
        resolution=scaled.unit,
        detail=detail,
    )
    return e_idx[used], j_idx[used], cert
