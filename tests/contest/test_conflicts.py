"""Conflict-of-interest detection: each rule, its reason, the date window and bad records."""

from __future__ import annotations

from datetime import date

import pytest

from duijie.contest.conflicts import (
    Conflict,
    ConflictInputError,
    ConflictRules,
    EntryRecord,
    JudgeRecord,
    Tie,
    conflict_pairs,
    detect_conflicts,
    org_key,
)

RULES = ConflictRules(as_of=date(2023, 5, 1), window_days=3 * 365)


def test_org_key_matches_width_case_and_space_variants() -> None:
    assert org_key("Tsinghua  University") == org_key("ｔｓｉｎｇｈｕａ university") == "tsinghuauniversity"


def test_detect_conflicts_same_organisation() -> None:
    entries = [EntryRecord("e1", "清华大学"), EntryRecord("e2", "北京大学")]
    judges = [JudgeRecord("j1", organisation="清华大学 "), JudgeRecord("j2", organisation="中科院")]
    assert detect_conflicts(entries, judges, RULES) == [Conflict("e1", "j1", "same organisation (清华大学 )")]


def test_detect_conflicts_declared_by_either_side() -> None:
    entries = [
        EntryRecord("e1", "A", declared_judges=("j2",)),
        EntryRecord("e2", "B"),
        EntryRecord("e3", "C"),
    ]
    judges = [JudgeRecord("j1", declared=("e2", "C")), JudgeRecord("j2")]
    assert detect_conflicts(entries, judges, RULES) == [
        Conflict("e1", "j2", "declared by the entrant"),
        Conflict("e2", "j1", "declared by the judge"),
        Conflict("e3", "j1", "declared by the judge (C)"),
    ]


def test_detect_conflicts_employment_counts_only_inside_the_window() -> None:
    entries = [EntryRecord("e1", "Alpha Ltd"), EntryRecord("e2", "Beta Ltd")]
    judges = [
        JudgeRecord(
            "j1",
            employments=(
                Tie("Alpha Ltd", date(2015, 1, 1), date(2021, 6, 30)),
                Tie("Beta Ltd", date(2010, 1, 1), date(2019, 12, 31)),
            ),
        )
    ]
    assert detect_conflicts(entries, judges, RULES) == [
        Conflict("e1", "j1", "recent employment at Alpha Ltd")
    ]


def test_detect_conflicts_ongoing_employment_is_recent() -> None:
    entries = [EntryRecord("e1", "Alpha Ltd")]
    judges = [JudgeRecord("j1", employments=(Tie("alpha ltd", date(2000, 1, 1)),))]
    assert detect_conflicts(entries, judges, RULES) == [
        Conflict("e1", "j1", "recent employment at alpha ltd")
    ]


def test_detect_conflicts_future_employment_is_not_a_conflict_yet() -> None:
    entries = [EntryRecord("e1", "Alpha Ltd")]
    judges = [JudgeRecord("j1", employments=(Tie("Alpha Ltd", date(2024, 1, 1)),))]
    assert detect_conflicts(entries, judges, RULES) == []


def test_detect_conflicts_investment_and_co_investment() -> None:
    entries = [
        EntryRecord("e1", "Alpha Ltd", investors=(Tie("Red Capital", date(2022, 3, 1), date(2022, 3, 1)),)),
        EntryRecord("e2", "Beta Ltd", investments=(Tie("Gamma AI", date(2021, 1, 1), date(2021, 1, 1)),)),
        EntryRecord("e3", "Delta Ltd", investments=(Tie("Gamma AI", date(2015, 1, 1), date(2015, 1, 1)),)),
    ]
    judges = [
        JudgeRecord("j1", organisation="Red Capital"),
        JudgeRecord(
            "j2", investments=(Tie("Gamma AI", date(2022, 1, 1), date(2022, 1, 1)), Tie("Alpha Ltd"))
        ),
    ]
    assert detect_conflicts(entries, judges, RULES) == [
        Conflict("e1", "j1", "the judge's organisation Red Capital invested in the entrant"),
        Conflict("e1", "j2", "the judge invested in the entrant (Alpha Ltd)"),
        Conflict("e2", "j2", "recent co-investment in Gamma AI"),
    ]


def test_detect_conflicts_same_country_only_when_the_round_asks() -> None:
    entries = [EntryRecord("e1", "A", country="CN"), EntryRecord("e2", "B", country="DE")]
    judges = [JudgeRecord("j1", organisation="C", country="cn")]
    assert detect_conflicts(entries, judges, RULES) == []
    strict = ConflictRules(as_of=RULES.as_of, same_country=True)
    assert detect_conflicts(entries, judges, strict) == [Conflict("e1", "j1", "same country (cn)")]


def test_detect_conflicts_joins_every_reason_of_a_pair() -> None:
    entries = [EntryRecord("e1", "Alpha", country="CN", declared_judges=("j1",))]
    judges = [JudgeRecord("j1", organisation="alpha", country="CN")]
    rules = ConflictRules(as_of=RULES.as_of, same_country=True)
    assert detect_conflicts(entries, judges, rules) == [
        Conflict("e1", "j1", "same organisation (alpha); same country (CN); declared by the entrant")
    ]
    assert conflict_pairs(detect_conflicts(entries, judges, rules)) == [("e1", "j1")]


def test_detect_conflicts_rejects_a_repeated_entry_id() -> None:
    with pytest.raises(ConflictInputError, match="entry id 'e1' appears twice"):
        detect_conflicts([EntryRecord("e1", "A"), EntryRecord("e1", "B")], [], RULES)


def test_detect_conflicts_rejects_an_unknown_declared_judge() -> None:
    with pytest.raises(ConflictInputError, match="entry 'e1' declares a conflict with unknown judge 'j9'"):
        detect_conflicts([EntryRecord("e1", "A", declared_judges=("j9",))], [JudgeRecord("j1")], RULES)


def test_detect_conflicts_rejects_a_tie_that_ends_before_it_starts() -> None:
    judge = JudgeRecord("j1", employments=(Tie("A", date(2022, 1, 1), date(2021, 1, 1)),))
    with pytest.raises(ConflictInputError, match="judge 'j1': the tie with 'A' ends"):
        detect_conflicts([EntryRecord("e1", "A")], [judge], RULES)
