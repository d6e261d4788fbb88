"""The fair objective of judge assignment: the worst-off entry's total affinity as high as possible, then the total.

Max-min is NP-hard for k > 1. Every distribution lam over entries gives, through one weighted min-cost flow, a
proven upper bound on the max-min value and a candidate assignment; lam moves towards the worst-off entries
(exponentiated subgradient). A local search then lifts the worst entry by moves, swaps and exchange chains,
and on small instances CP-SAT proves the exact max-min. Pure: numpy in, numpy and a certificate out.
"""

from __future__ import annotations

import math

import numpy as np
from ortools.sat.python import cp_model

from duijie.contest.assignment_types import Certificate
from duijie.contest.flow import SCALE_STEPS, Problem, Scaled, arcs, entry_sums, scale, solve_flow, solve_total

WEIGHTED_SCALE_STEPS = 100_000_000
FAIR_ITERATIONS = 8
EXACT_PAIR_LIMIT = 4_000
CP_SAT_DETERMINISTIC_SECONDS = 20.0
UNIFORM_MIX = 0.001
CANDIDATES_PER_MOVE = 24
LOCAL_MOVES_PER_ENTRY = 4
POLISH_MARGIN = 0.02
STEP = 4.0


def _topk_bound(p: Problem) -> float:
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
    p: Problem, a: np.ndarray, chosen: np.ndarray, sums: np.ndarray, loads: np.ndarray, e: int, tol: float
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
    p: Problem, a: np.ndarray, chosen: np.ndarray, sums: np.ndarray, loads: np.ndarray, e: int, tol: float
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
                c = int(np.argmax(chain))
                best_score = float(chain[c])
                best_move = (
                    int(open_j[col[c]]),
                    int(held[give[col[c]]]),
                    int(holders[c]),
                    int(spare_idx[pick[c]]),
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


def raise_floor(p: Problem, chosen: np.ndarray, max_moves: int, target: float = np.inf) -> np.ndarray:
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


def polish_total(
    p: Problem,
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
    floor = float(entry_sums(n_e, e_idx[used], aff[used]).min())
    span = float(aff.max() - aff.min())
    margin = POLISH_MARGIN * float(p.entry_need.max()) * span
    fixed = (entry_sums(n_e, e_idx[used], aff[used]) < floor + margin) | (
        entry_sums(n_e, e_idx[total_used], aff[total_used]) < floor + margin
    )
    keep = used & fixed[e_idx]
    load = np.bincount(j_idx[keep], minlength=n_j)
    sub = Problem(
        table=p.table,
        allowed=p.allowed & ~fixed[:, None],
        conflicted=p.conflicted,
        entry_need=np.where(fixed, 0, p.entry_need).astype(np.int64),
        judge_cap=np.maximum(p.judge_cap - load, 0).astype(np.int64),
        judge_low=np.maximum(p.judge_low - load, 0).astype(np.int64),
    )
    e_new, j_new, _ = solve_total(sub)
    chosen = np.zeros(p.allowed.shape, dtype=bool)
    chosen[e_idx[keep], j_idx[keep]] = True
    chosen[e_new, j_new] = True
    candidate = raise_floor(p, chosen, max_moves=LOCAL_MOVES_PER_ENTRY * n_e, target=floor)[e_idx, j_idx]
    new_min = float(entry_sums(n_e, e_idx[candidate], aff[candidate]).min())
    if new_min >= floor and aff[candidate].sum() > aff[used].sum():
        return candidate
    return used


def solve_fair(
    p: Problem, iterations: int, exact_pair_limit: int
) -> tuple[np.ndarray, np.ndarray, Certificate]:
    """Max-min assignment: Lagrangian flows for bound and candidates, local search, CP-SAT if small."""
    n_e = p.allowed.shape[0]
    e_idx, j_idx = arcs(p)
    aff = p.table.values[e_idx, j_idx]
    base = scale(aff, SCALE_STEPS)
    n_pairs = int(p.entry_need.sum())
    # Shifted affinities (>= 0, best pair = top) keep every weighted cost non-negative.
    top = float(aff.max())
    span = max(float(aff.max() - aff.min()), 1e-12)
    gain = top - aff

    used = solve_flow(p, e_idx, j_idx, base.costs)
    sums = entry_sums(n_e, e_idx[used], aff[used])
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
        used = solve_flow(p, e_idx, j_idx, costs)
        rounds += 1
        sums = entry_sums(n_e, e_idx[used], aff[used])
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
        lifted = raise_floor(p, chosen, max_moves=LOCAL_MOVES_PER_ENTRY * n_e)[e_idx, j_idx]
        key = (float(entry_sums(n_e, e_idx[lifted], aff[lifted]).min()), float(aff[lifted].sum()))
        if _better(key, best_key):
            best_key, best_used = key, lifted
            local = True
    polished = False
    if best_used is not total_used:
        better = polish_total(p, e_idx, j_idx, aff, best_used, total_used)
        if better is not best_used:
            best_used, polished = better, True
            best_key = (float(entry_sums(n_e, e_idx[better], aff[better]).min()), float(aff[better].sum()))
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
            key = (float(entry_sums(n_e, e_idx[used], aff[used]).min()), float(aff[used].sum()))
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
    p: Problem, e_idx: np.ndarray, j_idx: np.ndarray, aff: np.ndarray, base: Scaled, hint: np.ndarray
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

    def run(model: cp_model.CpModel) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
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
