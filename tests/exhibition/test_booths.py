"""Booth allocation: each hard rule on a small plan where it decides the answer, tier priority, the proven bound,
the independent checker catching each kind of broken rule, readable refusals of a bad plan, reasons in words,
and the command line on files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from duijie.core.errors import DomainError
from duijie.exhibition.booths import allocate, check, generate, read_plan, score
from duijie.exhibition.cli import exhibition


def _row(n: int, size: float = 9, **extra: Any) -> list[dict[str, Any]]:
    """`n` booths in a row, each touching the next."""
    return [{"id": f"B{k}", "size": size, "adjacent": [f"B{k - 1}"] if k else [], **extra} for k in range(n)]


def _plan(booths: list[dict[str, Any]], exhibitors: list[dict[str, Any]], **extra: Any) -> Any:
    return read_plan({"booths": booths, "exhibitors": exhibitors, **extra})


def test_a_booth_is_never_smaller_nor_far_larger_than_asked() -> None:
    plan = _plan(
        [{"id": "small", "size": 9}, {"id": "right", "size": 18}, {"id": "hall", "size": 72}],
        [{"id": "E", "size": 18}, {"id": "F", "size": 30}],
    )
    result = allocate(plan)
    assert result.booth_of == {"E": "right", "F": None}  # 72 m² is over twice 30: F has no booth
    assert "no booth of 30–60 m²" in result.reasons["F"]


def test_a_zone_takes_only_its_categories() -> None:
    plan = _plan(
        [{"id": "AI-1", "size": 9, "zone": "AI"}, {"id": "BIO-1", "size": 9, "zone": "BIO"}],
        [
            {"id": "robot", "size": 9, "category": "人工智能"},
            {"id": "vaccine", "size": 9, "category": "医药健康"},
        ],
        zones={"AI": ["人工智能"], "BIO": ["医药健康"]},
    )
    assert allocate(plan).booth_of == {"robot": "AI-1", "vaccine": "BIO-1"}


def test_competitors_never_stand_side_by_side_and_the_result_is_proven() -> None:
    # Three booths in a row, two rivals who both want the corner-free middle: they must take the two ends.
    plan = _plan(_row(3), [{"id": "A", "size": 9, "not_next_to": ["C"]}, {"id": "C", "size": 9}])
    result = allocate(plan)
    assert {result.booth_of["A"], result.booth_of["C"]} == {"B0", "B2"}
    assert check(plan, result.booth_of) == [] and result.phases[-1].status == "OPTIMAL"
    # Two booths that touch and two rivals: only one of them can exhibit, the higher tier.
    tight = _plan(_row(2), [{"id": "A", "size": 9, "tier": "standard", "not_next_to": ["C"]},
                            {"id": "C", "size": 9, "tier": "gold"}])  # fmt: skip
    placed = allocate(tight)
    assert placed.booth_of["C"] is not None and placed.booth_of["A"] is None
    assert placed.tier_counts["gold"] == 1 and placed.tier_shortfall == 1  # the bound ignores rivalry: 2


def test_a_higher_tier_is_placed_before_any_number_of_lower_ones() -> None:
    # One 18 m² booth: a gold exhibitor of 18 m² beats two standard ones of 9 m² who could share nothing.
    plan = _plan(
        [{"id": "big", "size": 18}],
        [{"id": "s1", "size": 9}, {"id": "s2", "size": 9}, {"id": "g", "size": 18, "tier": "gold"}],
    )
    assert allocate(plan).booth_of == {"s1": None, "s2": None, "g": "big"}


def test_confirmed_booths_stay_and_preferences_decide_the_rest() -> None:
    booths = [
        {"id": "corner", "size": 9, "corner": True, "power": True, "hall": "A"},
        {"id": "plain", "size": 9, "hall": "B"},
        {"id": "powered", "size": 9, "power": True, "hall": "B"},
    ]
    plan = _plan(
        booths,
        [
            {"id": "kept", "size": 9, "confirmed": "plain"},
            {"id": "wants-corner", "size": 9, "corner": True},
            {"id": "wants-power", "size": 9, "power": True},
        ],
    )
    result = allocate(plan)
    assert result.booth_of == {"kept": "plain", "wants-corner": "corner", "wants-power": "powered"}
    assert "wished and given: corner" in result.reasons["wants-corner"]
    assert "confirmed before this plan" in result.reasons["kept"]
    assert result.preferences == result.preference_bound and result.gap == 0.0


def test_the_checker_names_every_broken_rule() -> None:
    plan = _plan(
        [*_row(2), {"id": "Z", "size": 9, "zone": "AI"}],
        [
            {"id": "A", "size": 9, "not_next_to": ["C"]},
            {"id": "C", "size": 9},
            {"id": "K", "size": 9, "confirmed": "Z", "category": "人工智能"},
            {"id": "big", "size": 30, "category": "医药健康"},
        ],
        zones={"AI": ["人工智能"]},
    )
    broken = check(plan, {"A": "B0", "C": "B1", "K": None, "big": "Z", "ghost": "B0"})
    assert broken == [
        "big: booth Z is 9 m², it asked for 30",
        "big: zone AI does not take 医药健康",
        "ghost: not an exhibitor of the plan",
        "K: its confirmed booth Z was taken away",
        "competitors A and C stand on touching booths B0 and B1",
    ]
    assert check(plan, {"A": "B0", "C": "B0"}) == [
        "booth B0 is given to both A and C",
        "K: its confirmed booth Z was taken away",
    ]


def test_a_bad_plan_is_refused_naming_every_item_and_field() -> None:
    with pytest.raises(DomainError) as refused:
        read_plan(
            {
                "booths": [{"id": "B0", "size": 0}, {"id": "B1", "size": 9, "adjacent": ["nowhere"]}],
                "exhibitors": [
                    {"id": "E", "size": 9, "tier": "diamond"},
                    {"id": "F", "size": 9, "confirmed": "X"},
                ],
            }
        )
    assert [d.message for d in refused.value.details] == [
        "booths[0]: size: a positive area in m² is needed",
        "booths[0]: adjacent: no booth 'nowhere'",
        "exhibitors[0]: tier: 'diamond' is not one of platinum, gold, silver, standard",
        "exhibitors[1]: confirmed: no booth 'X'",
    ]


@pytest.mark.parametrize("rivals", ["any", "same"])
def test_a_forum_sized_plan_keeps_every_rule_and_reaches_its_bound(rivals: str) -> None:
    plan = read_plan(generate(650, seed=7, rivals=rivals))
    result = allocate(plan, seconds=30)
    assert check(plan, result.booth_of) == []
    assert score(plan, result.booth_of) == (result.tier_counts, result.preferences)
    assert result.tier_shortfall == 0 and result.gap is not None and result.gap <= 0.01
    assert sum(result.tier_counts.values()) > 0.9 * len(plan.exhibitors)


def test_the_command_line_allocates_and_checks_plain_files(tmp_path: Path) -> None:
    runner = CliRunner()
    plan, out = tmp_path / "plan.json", tmp_path / "result.json"
    assert runner.invoke(exhibition, ["generate", "--booths", "120", "--output", str(plan)]).exit_code == 0
    done = runner.invoke(
        exhibition, ["allocate", "--input", str(plan), "--output", str(out), "--seconds", "10"]
    )
    assert done.exit_code == 0, done.output
    assert "placed" in done.output and "bound" in done.output
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result) >= {"booth_of", "tier_counts", "tier_bounds", "preference_bound", "reasons", "phases"}
    assert runner.invoke(exhibition, ["check", "--input", str(plan), "--result", str(out)]).exit_code == 0
    first, second = sorted(result["booth_of"])[:2]
    result["booth_of"][second] = result["booth_of"][first]  # two exhibitors on one booth
    out.write_text(json.dumps(result), encoding="utf-8")
    broken = runner.invoke(exhibition, ["check", "--input", str(plan), "--result", str(out)])
    assert broken.exit_code == 1 and "is given to both" in broken.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"booths": [{"id": "B", "size": -1}]}', encoding="utf-8")
    refused = runner.invoke(exhibition, ["allocate", "--input", str(bad), "--output", str(out)])
    assert refused.exit_code == 2 and "booths[0]: size" in refused.output
