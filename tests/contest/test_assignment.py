"""Judge assignment: optimality against brute force, constraints, fairness, infeasibility, re-assignment."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from duijie.contest.assignment import assign, reassign
from duijie.contest.assignment_types import (
    AffinityTable,
    Assignment,
    AssignmentInfeasible,
    ContestInputError,
)
from duijie.contest.fair import polish_total, raise_floor
from duijie.contest.flow import arcs, build_problem, solve_total


def _table(values: np.ndarray) -> AffinityTable:
    n_e, n_j = values.shape
    return AffinityTable(tuple(f"e{i}" for i in range(n_e)), tuple(f"j{i}" for i in range(n_j)), values)


def _tiny(
    seed: int, n_e: int = 4, n_j: int = 4, conflicts: int = 2
) -> tuple[AffinityTable, list[tuple[str, str]]]:
    rng = np.random.default_rng(seed)
    values = np.round(rng.random((n_e, n_j)), 2)
    table = _table(values)
    picks = rng.choice(n_e * n_j, size=conflicts, replace=False)
    return table, [(f"e{p // n_j}", f"j{p % n_j}") for p in picks.tolist()]


def _brute_force(
    table: AffinityTable, conflicts: list[tuple[str, str]], k: int, max_per_judge: int, min_per_judge: int
) -> list[tuple[float, float]]:
    """(min entry total, total) of every feasible assignment."""
    n_e, n_j = table.values.shape
    banned = {(int(e[1:]), int(j[1:])) for e, j in conflicts}
    options = [
        [c for c in itertools.combinations(range(n_j), k) if all((e, j) not in banned for j in c)]
        for e in range(n_e)
    ]
    out = []
    for choice in itertools.product(*options):
        loads = np.zeros(n_j, dtype=int)
        for c in choice:
            loads[list(c)] += 1
        if loads.max() > max_per_judge or loads.min() < min_per_judge:
            continue
        sums = [sum(table.values[e, j] for j in c) for e, c in enumerate(choice)]
        out.append((min(sums), sum(sums)))
    return out


def _check_valid(
    result: Assignment, table: AffinityTable, conflicts: list[tuple[str, str]], k: int, lo: int, hi: int
):
    banned = set(conflicts)
    per_entry: dict[str, int] = dict.fromkeys(table.entries, 0)
    for entry, judge, score in result.pairs:
        assert (entry, judge) not in banned
        assert score == table.values[table.entries.index(entry), table.judges.index(judge)]
        per_entry[entry] += 1
    assert set(per_entry.values()) == {k}
    assert len(set(result.pairs)) == len(result.pairs)
    assert all(lo <= load <= hi for load in result.judge_loads.values())


@pytest.mark.parametrize("seed", range(6))
def test_assign_total_equals_brute_force_optimum(seed: int) -> None:
    table, conflicts = _tiny(seed)
    result = assign(table, judges_per_entry=2, max_per_judge=3, min_per_judge=1, conflicts=conflicts)
    best = max(total for _, total in _brute_force(table, conflicts, 2, 3, 1))
    _check_valid(result, table, conflicts, 2, 1, 3)
    assert result.total_affinity == pytest.approx(best, abs=1e-9)
    assert result.certificate.exact is True
    assert result.certificate.resolution == 0.01
    assert result.certificate.upper_bound == result.certificate.value == result.total_affinity


@pytest.mark.parametrize("seed", range(6))
def test_assign_fair_equals_brute_force_max_min(seed: int) -> None:
    table, conflicts = _tiny(seed + 100)
    result = assign(table, judges_per_entry=2, max_per_judge=3, conflicts=conflicts, objective="fair")
    feasible = _brute_force(table, conflicts, 2, 3, 0)
    best_min = max(m for m, _ in feasible)
    best_total_at_min = max(t for m, t in feasible if m >= best_min - 1e-9)
    _check_valid(result, table, conflicts, 2, 0, 3)
    assert result.min_entry_total == pytest.approx(best_min, abs=1e-9)
    assert result.total_affinity == pytest.approx(best_total_at_min, abs=1e-9)
    assert result.certificate.exact is True


def test_assign_unrounded_affinities_certificate_bounds_the_true_optimum() -> None:
    rng = np.random.default_rng(7)
    table = _table(rng.random((4, 4)) / 3.0)
    result = assign(table, judges_per_entry=2, max_per_judge=2)
    best = max(total for _, total in _brute_force(table, [], 2, 2, 0))
    cert = result.certificate
    assert cert.exact is False
    assert cert.value <= best <= cert.upper_bound
    assert cert.upper_bound - cert.value <= 8 * 2 * cert.resolution


def test_assign_never_picks_a_conflicted_pair_even_when_it_is_best() -> None:
    values = np.array([[9.0, 1.0, 1.0], [9.0, 1.0, 1.0]])
    table = _table(values)
    result = assign(table, judges_per_entry=1, max_per_judge=2, conflicts=[("e0", "j0")])
    assert result.pairs == (("e0", "j1", 1.0), ("e1", "j0", 9.0))


def test_assign_unknown_affinity_is_never_assigned() -> None:
    values = np.array([[np.nan, 1.0], [5.0, 4.0]])
    result = assign(_table(values), judges_per_entry=1, max_per_judge=2)
    assert result.pairs == (("e0", "j1", 1.0), ("e1", "j0", 5.0))


def test_assign_min_per_judge_gives_the_weak_judge_entries() -> None:
    values = np.array([[5.0, 4.0, 0.0], [5.0, 4.0, 0.0], [5.0, 4.0, 0.0], [5.0, 4.0, 0.0]])
    table = _table(values)
    unbounded = assign(table, judges_per_entry=2, max_per_judge=4)
    bounded = assign(table, judges_per_entry=2, max_per_judge=4, min_per_judge=2)
    assert unbounded.judge_loads == {"j0": 4, "j1": 4, "j2": 0}
    assert bounded.judge_loads["j2"] == 2
    assert bounded.judge_loads == {"j0": 4, "j1": 2, "j2": 2}
    assert bounded.total_affinity == 4 * 5.0 + 2 * 4.0


def test_assign_fair_min_is_at_least_total_min() -> None:
    rng = np.random.default_rng(3)
    # Entries share taste for the same few judges, so the total objective starves some of them.
    values = np.round(rng.random((40, 12)) * 0.2 + np.linspace(1.0, 0.0, 12)[None, :], 3)
    values[:5] = np.round(values[:5] * 0.3, 3)
    table = _table(values)
    total = assign(table, judges_per_entry=3, max_per_judge=10)
    fair = assign(table, judges_per_entry=3, max_per_judge=10, objective="fair")
    _check_valid(fair, table, [], 3, 0, 10)
    assert fair.min_entry_total >= total.min_entry_total
    assert fair.min_entry_total > total.min_entry_total + 0.1
    assert fair.total_affinity <= total.total_affinity
    assert fair.certificate.value == fair.min_entry_total


def test_assign_fair_lagrangian_path_has_valid_bound_and_constraints() -> None:
    rng = np.random.default_rng(11)
    values = rng.random((60, 15)) * 0.3 + np.linspace(1.0, 0.0, 15)[None, :]
    table = _table(values)
    conflicts = [("e0", "j0"), ("e1", "j0"), ("e2", "j1")]
    total = assign(table, judges_per_entry=3, max_per_judge=13, min_per_judge=2, conflicts=conflicts)
    fair = assign(
        table,
        judges_per_entry=3,
        max_per_judge=13,
        min_per_judge=2,
        conflicts=conflicts,
        objective="fair",
        exact_pair_limit=0,
    )
    _check_valid(fair, table, conflicts, 3, 2, 13)
    assert fair.certificate.method.startswith("Lagrangian")
    assert fair.min_entry_total >= total.min_entry_total
    top3 = np.sort(np.where(np.isin(np.arange(15), [0]), -np.inf, values[0]))[-3:].sum()
    assert fair.min_entry_total <= fair.certificate.upper_bound <= top3 + 1e-6


@pytest.mark.parametrize("seed", range(8))
def test_assign_fair_heuristic_path_is_valid_and_its_bound_holds(seed: int) -> None:
    rng = np.random.default_rng(seed + 200)
    # Popular judges (low index) are wanted by everyone; entries e0, e1 like only the popular ones.
    values = np.round(rng.random((5, 4)) * 0.3 + np.array([0.9, 0.6, 0.3, 0.0]), 2)
    values[:2, 2:] = 0.0
    table = _table(values)
    conflicts = [("e4", "j0")]
    result = assign(
        table,
        judges_per_entry=2,
        max_per_judge=3,
        min_per_judge=1,
        conflicts=conflicts,
        objective="fair",
        exact_pair_limit=0,
    )
    best_min = max(m for m, _ in _brute_force(table, conflicts, 2, 3, 1))
    _check_valid(result, table, conflicts, 2, 1, 3)
    assert result.certificate.value == result.min_entry_total
    assert result.min_entry_total <= best_min + 1e-9 <= result.certificate.upper_bound + 2e-9


def test_raise_floor_finds_an_exchange_chain_of_three_entries() -> None:
    nan = np.nan
    values = np.array(
        [
            [0.1, 0.9, nan, nan, nan],
            [nan, 0.9, 0.8, nan, nan],
            [nan, nan, 0.9, nan, 0.7],
            [nan, nan, nan, 0.5, nan],
        ]
    )
    table = _table(values)
    problem = build_problem(table, [], 1, 1, 0)
    start = np.eye(4, 5, dtype=bool)
    lifted = raise_floor(problem, start, max_moves=10)
    # Only the chain e0: j0 -> j1, e1: j1 -> j2, e2: j2 -> j4 (the free judge) lifts e0.
    assert [tuple(np.flatnonzero(row).tolist()) for row in lifted] == [(1,), (2,), (4,), (3,)]


def test_polish_total_keeps_the_floor_and_never_lowers_the_total() -> None:
    improved = 0
    for seed in range(300, 304):
        rng = np.random.default_rng(seed)
        values = rng.random((80, 16)) * 0.4 + np.linspace(1.0, 0.0, 16)[None, :]
        problem = build_problem(_table(values), [], 3, 16, 1)
        e_idx, j_idx = arcs(problem)
        aff = values[e_idx, j_idx]
        e_tot, j_tot, _ = solve_total(problem)
        chosen = np.zeros(values.shape, dtype=bool)
        chosen[e_tot, j_tot] = True
        total_used = chosen[e_idx, j_idx]
        lifted = raise_floor(problem, chosen.copy(), max_moves=1000)[e_idx, j_idx]
        polished = polish_total(problem, e_idx, j_idx, aff, lifted, total_used)
        low = [
            float(np.bincount(e_idx[u], weights=aff[u], minlength=80).min())
            for u in (polished, lifted, total_used)
        ]
        assert low[0] >= low[1] > low[2]
        assert aff[polished].sum() >= aff[lifted].sum()
        assert np.bincount(e_idx[polished], minlength=80).tolist() == [3] * 80
        loads = np.bincount(j_idx[polished], minlength=16)
        assert loads.min() >= 1 and loads.max() <= 16
        improved += int(aff[polished].sum() > aff[lifted].sum())
    assert improved >= 1


def test_assign_is_deterministic() -> None:
    rng = np.random.default_rng(5)
    table = _table(np.round(rng.random((30, 10)), 1))
    first = assign(table, judges_per_entry=3, max_per_judge=10, objective="fair")
    second = assign(table, judges_per_entry=3, max_per_judge=10, objective="fair")
    assert first.pairs == second.pairs
    assert first.certificate == second.certificate


def test_assign_infeasible_lists_entries_with_too_few_candidates() -> None:
    values = np.array([[1.0, 2.0, np.nan], [1.0, 2.0, 3.0]])
    with pytest.raises(AssignmentInfeasible) as info:
        assign(_table(values), judges_per_entry=2, max_per_judge=2, conflicts=[("e0", "j1")])
    assert info.value.entries == {
        "e0": "needs 2 judges but only 1 of 3 are allowed (1 conflicted, 1 without a known affinity)"
    }
    assert "e0" in str(info.value)


def test_assign_infeasible_when_judges_lack_capacity() -> None:
    values = np.ones((3, 2))
    with pytest.raises(AssignmentInfeasible) as info:
        assign(_table(values), judges_per_entry=2, max_per_judge=2)
    assert info.value.message.startswith("the judges can take 4 reviews in all but the entries need 6; ")
    assert list(info.value.entries) == ["e2"]


def test_assign_infeasible_when_min_per_judge_is_too_high() -> None:
    with pytest.raises(AssignmentInfeasible) as info:
        assign(_table(np.ones((2, 3))), judges_per_entry=1, max_per_judge=2, min_per_judge=1)
    assert info.value.message == (
        "min per judge is too high: the judges must take at least 3 reviews in all but the entries need "
        "only 2"
    )


def test_assign_infeasible_names_judges_with_too_few_allowed_entries() -> None:
    conflicts = [("e0", "j2"), ("e1", "j2"), ("e2", "j2")]
    with pytest.raises(AssignmentInfeasible) as info:
        assign(
            _table(np.ones((4, 3))), judges_per_entry=2, max_per_judge=4, min_per_judge=2, conflicts=conflicts
        )
    assert info.value.entries == {}
    assert info.value.judges == {"j2": "allowed for 1 entries, needs at least 2"}


def test_assign_infeasible_names_judges_competing_for_the_same_entry() -> None:
    conflicts = [(e, j) for e in ("e1", "e2", "e3") for j in ("j1", "j2")]
    with pytest.raises(AssignmentInfeasible) as info:
        assign(
            _table(np.ones((4, 3))), judges_per_entry=1, max_per_judge=4, min_per_judge=1, conflicts=conflicts
        )
    assert info.value.message == "min per judge cannot be met: too few entries can go to these judges"
    assert len(info.value.judges) == 1
    assert set(info.value.judges.values()) == {"can get at most 0 entries, needs at least 1"}


def test_assign_rejects_bad_parameters() -> None:
    table = _table(np.ones((2, 2)))
    with pytest.raises(ContestInputError, match="judges per entry must be at least 1, got 0"):
        assign(table, judges_per_entry=0, max_per_judge=2)
    with pytest.raises(ContestInputError, match="objective must be 'total' or 'fair'"):
        assign(table, judges_per_entry=1, max_per_judge=2, objective="best")  # type: ignore[arg-type]


def test_affinity_table_from_rows_rejects_a_repeated_pair() -> None:
    with pytest.raises(
        ContestInputError, match="row 3: pair \\(entry 'a', judge 'x'\\) was already given in row 1"
    ):
        AffinityTable.from_rows([("a", "x", 1.0), ("a", "y", 2.0), ("a", "x", 3.0)])


def test_affinity_table_from_rows_fills_missing_pairs_only_when_asked() -> None:
    rows = [("a", "x", 1.0), ("b", "y", 2.0)]
    assert np.isnan(AffinityTable.from_rows(rows).values[0, 1])
    assert AffinityTable.from_rows(rows, missing_score=0.5).values.tolist() == [[1.0, 0.5], [0.5, 2.0]]


def test_reassign_touches_only_the_dropped_judges_pairs() -> None:
    rng = np.random.default_rng(9)
    table = _table(np.round(rng.random((12, 6)), 2))
    conflicts = [("e0", "j5"), ("e3", "j4")]
    before = assign(table, judges_per_entry=2, max_per_judge=5, conflicts=conflicts)
    dropped = "j1"
    after = reassign(
        table,
        [(e, j) for e, j, _ in before.pairs],
        dropped_judge=dropped,
        judges_per_entry=2,
        max_per_judge=5,
        conflicts=conflicts,
    )
    old = {(e, j) for e, j, _ in before.pairs}
    new = {(e, j) for e, j, _ in after.assignment.pairs}
    assert old - new == set(after.removed) == {(e, j) for e, j in old if j == dropped}
    assert new - old == {(e, j) for e, j, _ in after.added}
    assert after.assignment.judge_loads[dropped] == 0
    _check_valid(after.assignment, table, conflicts, 2, 0, 5)


def test_reassign_fills_the_freed_slots_optimally() -> None:
    values = np.array([[5.0, 4.0, 3.0, 1.0], [5.0, 4.0, 3.0, 1.0], [1.0, 1.0, 1.0, 9.0]])
    table = _table(values)
    pairs = [("e0", "j0"), ("e0", "j1"), ("e1", "j0"), ("e1", "j1"), ("e2", "j0"), ("e2", "j3")]
    after = reassign(table, pairs, dropped_judge="j0", judges_per_entry=2, max_per_judge=2)
    # j1 is full, j3 can take one more and j2 two: e2 must take j2, so e0 and e1 share j2 and j3.
    assert after.added in (
        (("e0", "j2", 3.0), ("e1", "j3", 1.0), ("e2", "j2", 1.0)),
        (("e0", "j3", 1.0), ("e1", "j2", 3.0), ("e2", "j2", 1.0)),
    )
    assert after.removed == (("e0", "j0"), ("e1", "j0"), ("e2", "j0"))
    assert after.assignment.certificate.value == sum(score for _, _, score in after.added)


def test_reassign_infeasible_names_the_entries_left_short() -> None:
    table = _table(np.ones((2, 3)))
    pairs = [("e0", "j0"), ("e0", "j1"), ("e1", "j0"), ("e1", "j1")]
    with pytest.raises(AssignmentInfeasible) as info:
        reassign(table, pairs, dropped_judge="j0", judges_per_entry=2, max_per_judge=1, conflicts=[])
    assert list(info.value.entries) == ["e1"]
