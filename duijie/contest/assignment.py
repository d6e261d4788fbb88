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

The data types are in `assignment_types.py`, the flow formulation and the total objective in `flow.py`, the
fair objective in `fair.py`; this module holds the two entry points.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from duijie.contest.assignment_types import (
    AffinityTable,
    Assignment,
    Certificate,
    ContestInputError,
    Objective,
    Reassignment,
)
from duijie.contest.fair import EXACT_PAIR_LIMIT, FAIR_ITERATIONS, solve_fair
from duijie.contest.flow import build_problem, build_result, check_counts, solve_total


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
    p = build_problem(table, conflicts, judges_per_entry, max_per_judge, min_per_judge)
    check_counts(p)
    if objective == "total":
        e_used, j_used, cert = solve_total(p)
    else:
        e_used, j_used, cert = solve_fair(p, fair_iterations, exact_pair_limit)
    return build_result(p, e_used, j_used, objective, cert)


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
    p = build_problem(table, conflicts, judges_per_entry, max_per_judge, min_per_judge)
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
    check_counts(p)
    e_new, j_new, fill_cert = solve_total(p)
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
    result = build_result(p, e_all, j_all, "total", cert)
    order = np.lexsort((j_new, e_new))
    added = tuple(
        (t.entries[e], t.judges[j], float(t.values[e, j]))
        for e, j in zip(e_new[order].tolist(), j_new[order].tolist(), strict=True)
    )
    removed = tuple((t.entries[e], dropped_judge) for e in removed_entries.tolist())
    return Reassignment(assignment=result, removed=removed, added=added)
