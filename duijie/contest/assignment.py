"""Optimal judge assignment for contest entries: every entry gets exactly k judges, every judge between M and
L entries, never a conflicted pair nor a pair without a known affinity.

Two objectives:

* ``total`` maximises the summed affinity exactly, as one min-cost flow (OR-Tools, arcs added as numpy
  arrays). Affinities that are all multiples of 10**-d (integer or decimal scores) become integer costs
  exactly; other floats are rounded to ``resolution`` = (max - min) / 1,000,000. The flow is optimal for the
  integer costs (the constraints are totally unimodular, so it is also LP-optimal); the certificate adds the
  largest loss rounding can cause, a proven upper bound on the optimum of the unrounded affinities.
* ``fair`` maximises the worst-off entry's total affinity first, then the total. Max-min is NP-hard for
  k > 1. Every distribution lam over entries gives, through one weighted min-cost flow, a proven upper
  bound max_x sum_e lam_e * total_e(x) on the max-min value and a candidate assignment; lam moves towards
  the worst-off entries (exponentiated subgradient), and the best top-k of any single entry is a bound too.
  A local search then lifts the worst entry by moves, swaps and exchange chains that keep every touched
  entry above it. When the value meets the bound it is exact; on instances with at most
  ``exact_pair_limit`` allowed pairs CP-SAT proves the exact max-min and then maximises the total at it.
  The certificate says which: exact, or the achieved value with the proven upper bound (the gap).

Lower bounds per judge are a demand formulation: each judge node consumes M units and forwards at most
L - M to the sink. Re-assignment after a judge drops out keeps every other pair and fills only the freed
slots, optimally for the total affinity of the new pairs. Results are deterministic: ids keep their input
order, solvers run single-threaded and are limited by deterministic work, never by the clock.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from duijie.core.errors import DomainError, ErrorDetail

Objective = Literal["total", "fair"]

SCALE_STEPS = 1_000_000
WEIGHTED_SCALE_STEPS = 100_000_000
FAIR_ITERATIONS = 8
EXACT_PAIR_LIMIT = 4_000
CP_SAT_DETERMINISTIC_SECONDS = 20.0
UNIFORM_MIX = 0.001
CANDIDATES_PER_MOVE = 24
LOCAL_MOVES_PER_ENTRY = 4
POLISH_MARGIN = 0.02
STEP = 4.0


class ContestInputError(DomainError):
    """Malformed assignment input (an id, a value or a parameter), named so the user can fix it."""


class AssignmentInfeasible(DomainError):
    """No assignment satisfies k, L, M and the conflicts; lists the entries (and judges) that block it."""

    def __init__(
        self, message: str, *, entries: dict[str, str], judges: dict[str, str] | None = None
    ) -> None:
        details = [ErrorDetail(message=reason, field=f"entry {eid}") for eid, reason in entries.items()]
        details += [
            ErrorDetail(message=reason, field=f"judge {jid}") for jid, reason in (judges or {}).items()
        ]
        super().__init__(message, field="entries", details=details or None)
        self.entries = entries
        self.judges = judges or {}

    def __str__(self) -> str:
        lines = [self.message]
        lines += [f"  entry {eid}: {reason}" for eid, reason in self.entries.items()]
        lines += [f"  judge {jid}: {reason}" for jid, reason in self.judges.items()]
        return "\n".join(lines)


@dataclass(frozen=True)
class AffinityTable:
    """Dense entry x judge affinities; NaN marks a pair whose affinity is unknown (never assigned)."""

    entries: tuple[str, ...]
    judges: tuple[str, ...]
    values: np.ndarray

    def __post_init__(self) -> None:
        if self.values.shape != (len(self.entries), len(self.judges)):
            raise ContestInputError(
                f"affinity matrix has shape {self.values.shape}, expected "
                f"({len(self.entries)} entries, {len(self.judges)} judges)",
                field="affinity",
            )
        for kind, ids in (("entry", self.entries), ("judge", self.judges)):
            if len(set(ids)) != len(ids):
                dup = sorted({i for i in ids if ids.count(i) > 1})[0]
                raise ContestInputError(f"{kind} id {dup!r} appears twice", field=kind)
        if np.isinf(self.values).any():
            e, j = np.argwhere(np.isinf(self.values))[0]
            raise ContestInputError(
                f"affinity of entry {self.entries[e]!r} and judge {self.judges[j]!r} is infinite",
                field="affinity",
            )

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[str, str, float]],
        *,
        missing_score: float | None = None,
        source: str = "scores",
        row_numbers: Sequence[int] | None = None,
    ) -> AffinityTable:
        """Build the table from (entry, judge, score) rows, streaming; ids keep their order of first appearance.

        ``row_numbers`` (filled by the caller while ``rows`` is consumed) names file rows in error messages.
        """
        entry_index: dict[str, int] = {}
        judge_index: dict[str, int] = {}
        es = array("q")
        js = array("q")
        vs = array("d")
        for entry, judge, score in rows:
            es.append(entry_index.setdefault(entry, len(entry_index)))
            js.append(judge_index.setdefault(judge, len(judge_index)))
            vs.append(score)
        fill = np.nan if missing_score is None else float(missing_score)
        values = np.full((len(entry_index), len(judge_index)), fill, dtype=np.float64)
        e_arr = np.frombuffer(es, dtype=np.int64) if es else np.zeros(0, dtype=np.int64)
        j_arr = np.frombuffer(js, dtype=np.int64) if js else np.zeros(0, dtype=np.int64)
        flat = e_arr * len(judge_index) + j_arr
        order = np.argsort(flat, kind="stable")
        repeated = np.flatnonzero(flat[order][1:] == flat[order][:-1])
        if repeated.size:
            pos = int(order[1:][repeated].min())
            first = int(order[repeated[np.argmin(order[1:][repeated])]])
            number = (lambda i: row_numbers[i]) if row_numbers is not None else (lambda i: i + 1)
            entries = list(entry_index)
            judges = list(judge_index)
            raise ContestInputError(
                f"{source} row {number(pos)}: pair (entry {entries[es[pos]]!r}, judge {judges[js[pos]]!r}) "
                f"was already given in row {number(first)}",
                field=source,
            )
        values[e_arr, j_arr] = np.frombuffer(vs, dtype=np.float64) if vs else 0.0
        return cls(entries=tuple(entry_index), judges=tuple(judge_index), values=values)


@dataclass(frozen=True)
class Certificate:
    """What is proven about the returned assignment's objective value."""

    objective: Objective
    method: str
    value: float
    upper_bound: float
    exact: bool
    resolution: float
    detail: str

    @property
    def gap(self) -> float:
        """Absolute distance between the achieved value and the proven bound."""
        return max(0.0, self.upper_bound - self.value)


@dataclass(frozen=True)
class Assignment:
    """An assignment with its per-entry and per-judge figures and its optimality certificate."""

    pairs: tuple[tuple[str, str, float], ...]
    entry_totals: dict[str, float]
    judge_loads: dict[str, int]
    judge_totals: dict[str, float]
    objective: Objective
    total_affinity: float
    min_entry_total: float
    mean_affinity: float
    min_affinity: float
    certificate: Certificate

    @property
    def load_range(self) -> tuple[int, int]:
        """Smallest and largest number of entries any judge reviews."""
        loads = list(self.judge_loads.values())
        return (min(loads), max(loads)) if loads else (0, 0)


@dataclass(frozen=True)
class Reassignment:
    """The repaired assignment after a judge dropped out, with exactly the pairs that changed."""

    assignment: Assignment
    removed: tuple[tuple[str, str], ...]
    added: tuple[tuple[str, str, float], ...]


@dataclass
class _Problem:
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


def _build_problem(
    table: AffinityTable, conflicts: Iterable[tuple[str, str]], k: int, max_per_judge: int, min_per_judge: int
) -> _Problem:
    """The allowed-pair mask and per-node bounds every solver and diagnosis works on."""
    _check_params(k, max_per_judge, min_per_judge)
    if not table.entries:
        raise ContestInputError("there are no entries to assign", field="entries")
    conflicted = _conflict_mask(table, conflicts)
    allowed = ~np.isnan(table.values) & ~conflicted
    n_e, n_j = table.values.shape
    return _Problem(
        table=table,
        allowed=allowed,
        conflicted=conflicted,
        entry_need=np.full(n_e, k, dtype=np.int64),
        judge_cap=np.full(n_j, max_per_judge, dtype=np.int64),
        judge_low=np.full(n_j, min_per_judge, dtype=np.int64),
    )


def _check_counts(p: _Problem) -> None:
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


def _diagnose(p: _Problem) -> None:
    """Raise AssignmentInfeasible naming the entries or judges that make the problem infeasible, if any.

    Runs the counting checks, then maximum flows; the solvers call it only when a flow is infeasible.
    """
    _check_counts(p)
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


def _arcs(p: _Problem) -> tuple[np.ndarray, np.ndarray]:
    """Entry and judge indices of the allowed pairs, in row order (the flow arcs)."""
    e_idx, j_idx = np.nonzero(p.allowed)
    return e_idx.astype(np.int32), j_idx.astype(np.int32)


def _max_flow(p: _Problem, judge_cap: np.ndarray, entry_need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A maximum flow from entries to judges with the given judge capacities; returns the used pairs."""
    n_e, n_j = p.allowed.shape
    e_idx, j_idx = _arcs(p)
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
class _Scaled:
    costs: np.ndarray
    unit: float
    max_error: float


def _scale(values: np.ndarray, steps: int) -> _Scaled:
    """Non-negative integer costs whose minimum means the best pair, with the rounding error they carry.

    Affinities that are all multiples of 10**-d (integer or decimal scores) are scaled exactly; others are
    rounded to ``steps`` steps over their range.
    """
    if values.size == 0:
        return _Scaled(np.zeros(0, dtype=np.int64), 1.0, 0.0)
    top = float(values.max())
    span = top - float(values.min())
    for digits in range(7):
        factor = 10.0**digits
        if span * factor > steps:
            break
        scaled = values * factor
        if np.all(np.abs(scaled - np.rint(scaled)) <= 1e-9):
            costs = np.rint(top * factor) - np.rint(scaled)
            return _Scaled(costs.astype(np.int64), 1.0 / factor, 0.0)
    unit = span / steps if span > 0 else 1.0
    costs = np.rint((top - values) / unit)
    error = float(np.abs(costs * unit - (top - values)).max())
    if error <= span * 1e-12:
        error = 0.0
    return _Scaled(costs.astype(np.int64), unit, error)


def _solve_flow(p: _Problem, e_idx: np.ndarray, j_idx: np.ndarray, costs: np.ndarray) -> np.ndarray:
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


def _entry_sums(n_e: int, e_used: np.ndarray, a_used: np.ndarray) -> np.ndarray:
    """Each entry's total affinity under the chosen arcs."""
    return np.bincount(e_used, weights=a_used, minlength=n_e)


def _build_result(
    p: _Problem, e_used: np.ndarray, j_used: np.ndarray, objective: Objective, certificate: Certificate
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


def _solve_total(p: _Problem) -> tuple[np.ndarray, np.ndarray, Certificate]:
    """Exact maximum total affinity by one min-cost flow, with its rounding certificate."""
    e_idx, j_idx = _arcs(p)
    aff = p.table.values[e_idx, j_idx]
    scaled = _scale(aff, SCALE_STEPS)
    used = _solve_flow(p, e_idx, j_idx, scaled.costs)
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


def _topk_bound(p: _Problem) -> float:
    """Best possible total of the worst entry if it alone chose its judges: a valid max-min upper bound."""
    vals = np.where(p.allowed, p.table.values, -np.inf)
    best = np.inf
    for e in range(vals.shape[0]):
        need = int(p.entry_need[e])
        if need == 0:
            continue
        row = vals[e]
        top = np.partition(row, row.size - need)[row.size - need :]
        best = min(best, float(top.sum()))
    return best


def _better(cand: tuple[float, float], best: tuple[float, float]) -> bool:
    """Lexicographic comparison: worst entry first, then total."""
    return cand[0] > best[0] + 1e-12 or (abs(cand[0] - best[0]) <= 1e-12 and cand[1] > best[1])


def _augment(
    p: _Problem, a: np.ndarray, chosen: np.ndarray, sums: np.ndarray, loads: np.ndarray, e: int, tol: float
) -> bool:
    """Lift entry ``e`` (a worst-off entry) by one exchange chain; False if no chain exists.

    The entry swaps a judge for a better one; the holder of that one takes another judge, and so on, until
    a judge with a free slot (one with spare capacity, or the judge the entry gave up) ends the chain. Every
    entry in the chain moves once and stays strictly above the entry's old total. Breadth-first over judges.
    """
    n_e, n_j = p.allowed.shape
    floor = float(sums[e])
    held = np.flatnonzero(chosen[e])
    for j_out in held[np.argsort(a[e, held], kind="stable")].tolist():
        end = (loads < p.judge_cap) if loads[j_out] > p.judge_low[j_out] else np.zeros(n_j, dtype=bool)
        end[j_out] = True
        seen_j = np.zeros(n_j, dtype=bool)
        seen_j[j_out] = True
        used_e = np.zeros(n_e, dtype=bool)
        used_e[e] = True
        # taker[j] = (entry that takes judge j, judge that entry gives up)
        taker: dict[int, tuple[int, int]] = {}
        frontier = np.flatnonzero(p.allowed[e] & ~chosen[e] & (a[e] > a[e, j_out] + tol))
        for j in frontier.tolist():
            taker[j] = (e, j_out)
        seen_j[frontier] = True
        finish = -1
        while frontier.size and finish < 0:
            hits = frontier[end[frontier]]
            if hits.size:
                finish = int(hits[0])
                break
            holders, which = np.nonzero(chosen[:, frontier] & ~used_e[:, None])
            if holders.size == 0:
                break
            order = np.lexsort((holders, which))
            holders, gives = holders[order], frontier[which[order]]
            first = np.unique(holders, return_index=True)[1]
            first.sort()
            holders, gives = holders[first], gives[first]
            used_e[holders] = True
            margin = sums[holders] - a[holders, gives] - floor - tol
            options = (
                p.allowed[holders] & ~chosen[holders] & ~seen_j[None, :] & (a[holders] + margin[:, None] > 0)
            )
            rows, cols = np.nonzero(options)
            if rows.size == 0:
                break
            new_j, first_row = np.unique(cols, return_index=True)
            order = np.argsort(rows[first_row] * n_j + new_j, kind="stable")
            new_j, first_row = new_j[order], first_row[order]
            for j, r in zip(new_j.tolist(), rows[first_row].tolist(), strict=True):
                taker[j] = (int(holders[r]), int(gives[r]))
            seen_j[new_j] = True
            frontier = new_j
        if finish < 0:
            continue
        j = finish
        loads[finish] += 1
        loads[j_out] -= 1
        while True:
            entry, gave = taker[j]
            chosen[entry, j] = True
            chosen[entry, gave] = False
            sums[entry] += a[entry, j] - a[entry, gave]
            if entry == e:
                return True
            j = gave
    return False


def _quick_move(
    p: _Problem, a: np.ndarray, chosen: np.ndarray, sums: np.ndarray, loads: np.ndarray, e: int, tol: float
) -> bool:
    """Lift entry ``e`` by the best short move among its top candidate judges; False if none lifts it.

    A move gives the entry a better judge that has a free slot, or takes it from a holder who instead
    takes the judge the entry gives up (a swap) or a judge with spare capacity (a chain of two).
    """
    floor = float(sums[e])
    held = np.flatnonzero(chosen[e])
    a_held = a[e, held]
    open_j = np.flatnonzero(p.allowed[e] & ~chosen[e])
    open_j = open_j[a[e, open_j] > a_held.min() + tol]
    if open_j.size == 0:
        return False
    open_j = open_j[np.argsort(-a[e, open_j], kind="stable")[:CANDIDATES_PER_MOVE]]
    spare = loads < p.judge_cap
    removable = loads[held] > p.judge_low[held]
    new_e = floor + a[e, open_j][:, None] - a_held[None, :]
    best_score, best_move = floor + tol, None
    direct = np.where(spare[open_j][:, None] & removable[None, :], new_e, -np.inf)
    if direct.max() > best_score:
        i, h = np.unravel_index(int(np.argmax(direct)), direct.shape)
        best_score = float(direct[i, h])
        best_move = (int(open_j[i]), int(held[h]), -1, -1)
    holders, col = np.nonzero(chosen[:, open_j])
    if holders.size:
        lose = a[holders, open_j[col]]
        rows_a = a[holders]
        rows_ok = p.allowed[holders] & ~chosen[holders]
        base = sums[holders] - lose
        # Swap: a holder of the new judge takes the judge the entry gives up.
        swap = np.minimum(base[:, None] + np.where(rows_ok[:, held], rows_a[:, held], -np.inf), new_e[col])
        if swap.max() > best_score:
            r, h = np.unravel_index(int(np.argmax(swap)), swap.shape)
            best_score = float(swap[r, h])
            best_move = (int(open_j[col[r]]), int(held[h]), int(holders[r]), int(held[h]))
        spare_idx = np.flatnonzero(spare)
        if spare_idx.size and removable.any():
            # Chain: the holder moves to a judge with spare capacity; the entry gives up its best removable.
            reach = np.where(rows_ok[:, spare_idx], rows_a[:, spare_idx], -np.inf)
            pick = np.argmax(reach, axis=1)
            give = np.argmax(np.where(removable[None, :], new_e, -np.inf), axis=1)
            chain = np.minimum(base + reach[np.arange(holders.size), pick], new_e[col, give[col]])
            if chain.max() > best_score:
                r = int(np.argmax(chain))
                best_score = float(chain[r])
                best_move = (
                    int(open_j[col[r]]),
                    int(held[give[col[r]]]),
                    int(holders[r]),
                    int(spare_idx[pick[r]]),
                )
    if best_move is None:
        return False
    j_in, j_out, other, other_j = best_move
    chosen[e, j_in] = True
    chosen[e, j_out] = False
    sums[e] += a[e, j_in] - a[e, j_out]
    loads[j_in] += 1
    loads[j_out] -= 1
    if other >= 0:
        chosen[other, j_in] = False
        chosen[other, other_j] = True
        sums[other] += a[other, other_j] - a[other, j_in]
        loads[j_in] -= 1
        loads[other_j] += 1
    return True


def _raise_floor(p: _Problem, chosen: np.ndarray, max_moves: int, target: float = np.inf) -> np.ndarray:
    """Local search that lifts the worst-off entry by short moves, and by exchange chains when those fail.

    Each move raises the worst entry and keeps every other touched entry above it, so the sorted vector of
    entry totals rises strictly and the search ends; ``max_moves`` caps it.
    """
    a = np.where(p.allowed, p.table.values, -np.inf)
    sums = np.where(chosen, a, 0.0).sum(axis=1)
    loads = chosen.sum(axis=0)
    tol = 1e-12 * max(1.0, float(np.abs(p.table.values[p.allowed]).max()))
    for _ in range(max_moves):
        e = int(np.argmin(sums))
        if sums[e] >= target:
            break
        if not (
            _quick_move(p, a, chosen, sums, loads, e, tol) or _augment(p, a, chosen, sums, loads, e, tol)
        ):
            break
    return chosen


def _polish_total(
    p: _Problem,
    e_idx: np.ndarray,
    j_idx: np.ndarray,
    aff: np.ndarray,
    used: np.ndarray,
    total_used: np.ndarray,
) -> np.ndarray:
    """Raise the total without lowering the worst entry: re-optimise the entries that can afford it, then
    repair.

    Entries near the floor, now or under the max-total assignment, keep their judges; one
    min-cost flow re-optimises all the others for the total; the local search then lifts any entry that fell
    below the floor. The result is kept only if its worst entry is not below the floor and its total is higher.
    """
    n_e, n_j = p.allowed.shape
    floor = float(_entry_sums(n_e, e_idx[used], aff[used]).min())
    span = float(aff.max() - aff.min())
    margin = POLISH_MARGIN * float(p.entry_need.max()) * span
    fixed = (_entry_sums(n_e, e_idx[used], aff[used]) < floor + margin) | (
        _entry_sums(n_e, e_idx[total_used], aff[total_used]) < floor + margin
    )
    keep = used & fixed[e_idx]
    load = np.bincount(j_idx[keep], minlength=n_j)
    sub = _Problem(
        table=p.table,
        allowed=p.allowed & ~fixed[:, None],
        conflicted=p.conflicted,
        entry_need=np.where(fixed, 0, p.entry_need).astype(np.int64),
        judge_cap=np.maximum(p.judge_cap - load, 0).astype(np.int64),
        judge_low=np.maximum(p.judge_low - load, 0).astype(np.int64),
    )
    e_new, j_new, _ = _solve_total(sub)
    chosen = np.zeros(p.allowed.shape, dtype=bool)
    chosen[e_idx[keep], j_idx[keep]] = True
    chosen[e_new, j_new] = True
    candidate = _raise_floor(p, chosen, max_moves=LOCAL_MOVES_PER_ENTRY * n_e, target=floor)[e_idx, j_idx]
    new_min = float(_entry_sums(n_e, e_idx[candidate], aff[candidate]).min())
    if new_min >= floor and aff[candidate].sum() > aff[used].sum():
        return candidate
    return used


def _solve_fair(
    p: _Problem, iterations: int, exact_pair_limit: int
) -> tuple[np.ndarray, np.ndarray, Certificate]:
    """Max-min assignment: Lagrangian flows for bound and candidates, local search, CP-SAT if small."""
    n_e = p.allowed.shape[0]
    e_idx, j_idx = _arcs(p)
    aff = p.table.values[e_idx, j_idx]
    base = _scale(aff, SCALE_STEPS)
    n_pairs = int(p.entry_need.sum())
    # Shifted affinities (>= 0, best pair = top) keep every weighted cost non-negative.
    top = float(aff.max())
    span = max(float(aff.max() - aff.min()), 1e-12)
    gain = top - aff

    used = _solve_flow(p, e_idx, j_idx, base.costs)
    sums = _entry_sums(n_e, e_idx[used], aff[used])
    best_used = total_used = used
    best_key: tuple[float, float] = (float(sums.min()), float(aff[used].sum()))
    upper = _topk_bound(p)
    lam = np.full(n_e, 1.0 / n_e)
    k_max = float(p.entry_need.max())
    rounds = 0
    for it in range(iterations):
        if best_key[0] >= upper - 1e-9 * max(1.0, abs(upper)):
            break
        # Exponentiated subgradient step on the dual: weight moves to entries below the current mean.
        eta = STEP / (k_max * span) / math.sqrt(it + 1)
        lam = lam * np.exp(-eta * (sums - sums.min()))
        lam = (1.0 - UNIFORM_MIX) * lam / lam.sum() + UNIFORM_MIX / n_e
        w = lam[e_idx]
        weighted = w * gain
        wmax = float(weighted.max())
        unit = wmax / WEIGHTED_SCALE_STEPS if wmax > 0 else 1.0
        costs = np.rint(weighted / unit).astype(np.int64)
        err = float(np.abs(costs * unit - weighted).max())
        used = _solve_flow(p, e_idx, j_idx, costs)
        rounds += 1
        sums = _entry_sums(n_e, e_idx[used], aff[used])
        # max over assignments of sum_e lam_e * total_e bounds the max-min value (lam is a distribution).
        weighted_value = float((lam * sums).sum())
        upper = min(upper, weighted_value + 2.0 * n_pairs * err)
        key = (float(sums.min()), float(aff[used].sum()))
        if _better(key, best_key):
            best_key, best_used = key, used
    local = False
    starts = [best_used] if best_used is total_used else [total_used, best_used]
    for start in starts:
        if best_key[0] >= upper - 1e-9 * max(1.0, abs(upper)):
            break
        chosen = np.zeros(p.allowed.shape, dtype=bool)
        chosen[e_idx[start], j_idx[start]] = True
        lifted = _raise_floor(p, chosen, max_moves=LOCAL_MOVES_PER_ENTRY * n_e)[e_idx, j_idx]
        key = (float(_entry_sums(n_e, e_idx[lifted], aff[lifted]).min()), float(aff[lifted].sum()))
        if _better(key, best_key):
            best_key, best_used = key, lifted
            local = True
    polished = False
    if best_used is not total_used:
        better = _polish_total(p, e_idx, j_idx, aff, best_used, total_used)
        if better is not best_used:
            best_used, polished = better, True
            best_key = (float(_entry_sums(n_e, e_idx[better], aff[better]).min()), float(aff[better].sum()))
    value = best_key[0]
    upper = max(upper, value)
    method = (
        f"Lagrangian weighted min-cost flow ({rounds} rounds)"
        + (" + local search" if local else "")
        + (" + total polish" if polished else "")
    )
    exact = upper - value <= 1e-9 * max(1.0, abs(upper))
    detail = "upper bound from the weighted flows and the best top-k of the worst entry"
    if not exact and e_idx.size <= exact_pair_limit:
        solved = _cp_sat_fair(p, e_idx, j_idx, aff, base, best_used)
        if solved is not None:
            used, value_int_bound = solved
            key = (float(_entry_sums(n_e, e_idx[used], aff[used]).min()), float(aff[used].sum()))
            best_used = used
            value = key[0]
            slack = 2.0 * int(p.entry_need.max()) * base.max_error
            upper = max(value, min(upper, value_int_bound + slack))
            exact = slack == 0.0
            method = "CP-SAT (max-min, then max total at that min)"
            detail = (
                "CP-SAT proved the max-min optimal for affinities rounded to multiples of the resolution"
                + (f"; rounding can cost at most {slack:.6g}" if slack else "")
            )
    cert = Certificate(
        objective="fair",
        method=method,
        value=value,
        upper_bound=value if exact else upper,
        exact=exact,
        resolution=base.unit,
        detail=detail,
    )
    return e_idx[best_used], j_idx[best_used], cert


def _cp_sat_fair(
    p: _Problem, e_idx: np.ndarray, j_idx: np.ndarray, aff: np.ndarray, base: _Scaled, hint: np.ndarray
) -> tuple[np.ndarray, float] | None:
    """Exact max-min then max-total on a small instance; None if CP-SAT does not prove it in its budget."""
    n_e, n_j = p.allowed.shape
    top = float(aff.max())
    ints = (round(top / base.unit) - base.costs).tolist()
    offset = 0
    low = min(ints)
    if low < 0:
        offset = -low
    ints = [v + offset for v in ints]

    def build(min_floor: int | None) -> tuple[cp_model.CpModel, list[cp_model.IntVar], cp_model.IntVar]:
        model = cp_model.CpModel()
        xs = [model.new_bool_var(f"x{i}") for i in range(e_idx.size)]
        by_entry: list[list[int]] = [[] for _ in range(n_e)]
        by_judge: list[list[int]] = [[] for _ in range(n_j)]
        for i, (e, j) in enumerate(zip(e_idx.tolist(), j_idx.tolist(), strict=True)):
            by_entry[e].append(i)
            by_judge[j].append(i)
        hi = int(p.entry_need.max()) * max(ints)
        floor = model.new_int_var(0, hi, "floor")
        for e in range(n_e):
            model.add(sum(xs[i] for i in by_entry[e]) == int(p.entry_need[e]))
            model.add(sum(ints[i] * xs[i] for i in by_entry[e]) >= floor)
        for j in range(n_j):
            load = sum(xs[i] for i in by_judge[j])
            model.add(load <= int(p.judge_cap[j]))
            model.add(load >= int(p.judge_low[j]))
        if min_floor is not None:
            model.add(floor >= min_floor)
        for i, flag in enumerate(hint.tolist()):
            model.add_hint(xs[i], bool(flag))
        return model, xs, floor

    def run(model: cp_model.CpModel) -> tuple[cp_model.CpSolver, int]:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = CP_SAT_DETERMINISTIC_SECONDS
        solver.parameters.random_seed = 0
        return solver, solver.solve(model)

    model, xs, floor = build(None)
    model.maximize(floor)
    solver, status = run(model)
    if status != cp_model.OPTIMAL:
        return None
    best_floor = int(solver.value(floor))
    model, xs, floor = build(best_floor)
    model.maximize(sum(ints[i] * x for i, x in enumerate(xs)))
    solver, status = run(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    used = np.array([bool(solver.value(x)) for x in xs], dtype=bool)
    k = int(p.entry_need.max())
    bound = (best_floor - k * offset) * base.unit - k * (round(top / base.unit) * base.unit - top)
    return used, float(bound)


def assign(
    table: AffinityTable,
    *,
    judges_per_entry: int,
    max_per_judge: int,
    min_per_judge: int = 0,
    conflicts: Iterable[tuple[str, str]] = (),
    objective: Objective = "total",
    fair_iterations: int = FAIR_ITERATIONS,
    exact_pair_limit: int = EXACT_PAIR_LIMIT,
) -> Assignment:
    """Assign judges to every entry under k, L, M and the conflicts, optimally for the chosen objective."""
    if objective not in ("total", "fair"):
        raise ContestInputError(f"objective must be 'total' or 'fair', got {objective!r}", field="objective")
    p = _build_problem(table, conflicts, judges_per_entry, max_per_judge, min_per_judge)
    _check_counts(p)
    if objective == "total":
        e_used, j_used, cert = _solve_total(p)
    else:
        e_used, j_used, cert = _solve_fair(p, fair_iterations, exact_pair_limit)
    return _build_result(p, e_used, j_used, objective, cert)


def reassign(
    table: AffinityTable,
    pairs: Sequence[tuple[str, str]],
    *,
    dropped_judge: str,
    judges_per_entry: int,
    max_per_judge: int,
    min_per_judge: int = 0,
    conflicts: Iterable[tuple[str, str]] = (),
) -> Reassignment:
    """Replace a judge who dropped out: keep every other pair, fill only the freed slots optimally."""
    p = _build_problem(table, conflicts, judges_per_entry, max_per_judge, min_per_judge)
    t = table
    e_index = {e: i for i, e in enumerate(t.entries)}
    j_index = {j: i for i, j in enumerate(t.judges)}
    if dropped_judge not in j_index:
        raise ContestInputError(
            f"judge {dropped_judge!r} is not in the affinity table", field="dropped_judge"
        )
    n_e, n_j = t.values.shape
    current = np.zeros((n_e, n_j), dtype=bool)
    for row, (entry, judge) in enumerate(pairs, start=1):
        if entry not in e_index:
            raise ContestInputError(
                f"pair {row}: entry {entry!r} is not in the affinity table", field="pairs"
            )
        if judge not in j_index:
            raise ContestInputError(
                f"pair {row}: judge {judge!r} is not in the affinity table", field="pairs"
            )
        if current[e_index[entry], j_index[judge]]:
            raise ContestInputError(
                f"pair {row}: entry {entry!r} and judge {judge!r} appear twice", field="pairs"
            )
        current[e_index[entry], j_index[judge]] = True
    dj = j_index[dropped_judge]
    removed_entries = np.flatnonzero(current[:, dj])
    kept = current.copy()
    kept[:, dj] = False
    have = kept.sum(axis=1)
    load = kept.sum(axis=0)
    over = np.flatnonzero(have > judges_per_entry)
    if over.size:
        e = int(over[0])
        raise ContestInputError(
            f"entry {t.entries[e]!r} already has {have[e]} judges, more than {judges_per_entry}",
            field="pairs",
        )
    p.entry_need = (judges_per_entry - have).astype(np.int64)
    p.judge_cap = np.maximum(max_per_judge - load, 0).astype(np.int64)
    p.judge_low = np.maximum(min_per_judge - load, 0).astype(np.int64)
    p.judge_cap[dj] = 0
    p.judge_low[dj] = 0
    p.allowed = p.allowed & ~current
    p.allowed[:, dj] = False
    _check_counts(p)
    e_new, j_new, fill_cert = _solve_total(p)
    e_keep, j_keep = np.nonzero(kept)
    e_all = np.concatenate([e_keep, e_new])
    j_all = np.concatenate([j_keep, j_new])
    cert = Certificate(
        objective="total",
        method="min-cost flow on the freed slots only",
        value=fill_cert.value,
        upper_bound=fill_cert.upper_bound,
        exact=fill_cert.exact,
        resolution=fill_cert.resolution,
        detail="the value and bound are the total affinity of the new pairs; every other pair is kept",
    )
    result = _build_result(p, e_all, j_all, "total", cert)
    order = np.lexsort((j_new, e_new))
    added = tuple(
        (t.entries[e], t.judges[j], float(t.values[e, j]))
        for e, j in zip(e_new[order].tolist(), j_new[order].tolist(), strict=True)
    )
    removed = tuple((t.entries[e], dropped_judge) for e in removed_entries.tolist())
    return Reassignment(assignment=result, removed=removed, added=added)
