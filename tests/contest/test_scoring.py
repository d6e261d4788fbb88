"""Scoring: weighted totals, z-score and judge-bias normalisation, rankings with tie-breaks, advancement."""

from __future__ import annotations

from datetime import datetime

import pytest

from duijie.contest.scoring import (
    AdvancementRule,
    Criterion,
    RankItem,
    Score,
    ScoringError,
    advance,
    normalise_scores,
    rank,
    rank_items,
    weighted_total,
)

CRITERIA = [
    Criterion("技术先进性", 4),
    Criterion("创新性", 3),
    Criterion("市场前景", 2),
    Criterion("团队", 1),
]


def test_weighted_total_is_the_weighted_mean_on_the_scale() -> None:
    marks = {"技术先进性": 8, "创新性": 7, "市场前景": 6, "团队": 9}
    assert weighted_total(marks, CRITERIA) == 7.4


def test_weighted_total_names_the_missing_criterion() -> None:
    with pytest.raises(ScoringError, match="criterion '团队' has no mark"):
        weighted_total({"技术先进性": 8, "创新性": 7, "市场前景": 6}, CRITERIA)


def test_weighted_total_names_the_mark_out_of_range() -> None:
    with pytest.raises(ScoringError, match=r"criterion '创新性': mark 11 is outside 0\.\.10"):
        weighted_total({"技术先进性": 8, "创新性": 11, "市场前景": 6, "团队": 9}, CRITERIA)


def test_weighted_total_names_an_unknown_criterion() -> None:
    with pytest.raises(ScoringError, match="unknown criterion '颜值'"):
        weighted_total({"技术先进性": 8, "创新性": 7, "市场前景": 6, "团队": 9, "颜值": 10}, CRITERIA)


def test_normalise_zscore_makes_a_harsh_six_equal_a_lenient_eight() -> None:
    scores = [Score(e, "harsh", s) for e, s in (("a", 4.0), ("b", 6.0), ("c", 8.0))]
    scores += [Score(e, "lenient", s) for e, s in (("a", 6.0), ("b", 8.0), ("c", 10.0))]
    result = normalise_scores(scores, method="zscore")
    by_pair = {(s.entry_id, s.judge_id): s for s in result.scores}
    assert by_pair[("b", "harsh")].raw == 6.0
    assert by_pair[("b", "lenient")].raw == 8.0
    assert by_pair[("b", "harsh")].normalised == by_pair[("b", "lenient")].normalised == 7.0
    assert result.judge_offsets == {"harsh": -1.0, "lenient": 1.0}
    assert result.entries["b"].raw_mean == 7.0


def test_normalise_bias_recovers_qualities_and_shrinks_offsets_on_a_crossed_design() -> None:
    quality = {"a": 5.0, "b": 6.0, "c": 7.0, "d": 8.0}
    offsets = {"harsh": -1.0, "lenient": 1.0}
    scores = [Score(e, j, q + b) for e, q in quality.items() for j, b in offsets.items()]
    result = normalise_scores(scores, method="bias", ridge=1.0)
    # Ridge 1 against 4 scores per judge shrinks each offset by 4 / (4 + 1); qualities are unaffected.
    assert result.judge_offsets == pytest.approx({"harsh": -0.8, "lenient": 0.8}, abs=1e-12)
    assert {e: s.normalised for e, s in result.entries.items()} == pytest.approx(quality, abs=1e-12)


def test_normalise_bias_beats_zscore_when_judges_see_different_strength() -> None:
    # Unbiased judges; "top" saw the strong entries, "low" the weak ones, two entries overlap.
    quality = {"e0": 9.0, "e1": 8.0, "e2": 7.0, "e3": 4.0, "e4": 3.0, "e5": 2.0}
    scores = [Score(e, "top", quality[e]) for e in ("e0", "e1", "e2", "e3")]
    scores += [Score(e, "low", quality[e]) for e in ("e2", "e3", "e4", "e5")]
    bias = normalise_scores(scores, method="bias")
    zscore = normalise_scores(scores, method="zscore")
    assert {e: s.normalised for e, s in bias.entries.items()} == pytest.approx(quality, abs=1e-9)
    assert bias.judge_offsets == pytest.approx({"top": 0.0, "low": 0.0}, abs=1e-9)
    assert zscore.entries["e4"].normalised > zscore.entries["e3"].normalised


def test_normalise_counts_top_scores() -> None:
    scores = [Score("a", "j1", 9.5), Score("a", "j2", 9.0), Score("b", "j1", 8.9)]
    result = normalise_scores(scores, method="zscore", top_score=9.0)
    assert (result.entries["a"].top_scores, result.entries["b"].top_scores) == (2, 0)


def test_normalise_rejects_a_repeated_review() -> None:
    with pytest.raises(ScoringError, match="score 2: judge 'j1' scored entry 'a' twice"):
        normalise_scores([Score("a", "j1", 5.0), Score("a", "j1", 6.0)])


def test_rank_breaks_ties_in_the_documented_order() -> None:
    t1, t2 = datetime(2023, 3, 1, 9), datetime(2023, 3, 2, 9)
    items = [
        RankItem("z", "AI", 8.0, 7.0, 1, t1),
        RankItem("y", "AI", 8.0, 7.0, 1, t1),
        RankItem("x", "AI", 8.0, 7.0, 1, t2),
        RankItem("w", "AI", 8.0, 7.0, 2, t2),
        RankItem("v", "AI", 8.0, 7.5, 0, t2),
        RankItem("u", "AI", 9.0, 6.0, 0, t2),
    ]
    ranking = rank(items)["AI"]
    assert [(r.entry_id, r.rank, r.separated_by) for r in ranking] == [
        ("u", 1, None),
        ("v", 2, "normalised score"),
        ("w", 3, "raw mean"),
        ("y", 4, "top scores"),
        ("z", 5, "entry id"),
        ("x", 6, "earlier submission"),
    ]


def test_rank_is_per_group() -> None:
    items = [RankItem("a", "AI", 7.0, 7.0), RankItem("b", "Bio", 9.0, 9.0), RankItem("c", "AI", 8.0, 8.0)]
    assert {g: [r.entry_id for r in rs] for g, rs in rank(items).items()} == {"AI": ["c", "a"], "Bio": ["b"]}


def test_advance_top_per_group_top_overall_and_threshold() -> None:
    items = [
        RankItem("a", "AI", 7.0, 7.0),
        RankItem("b", "Bio", 9.0, 9.0),
        RankItem("c", "AI", 8.0, 8.0),
        RankItem("d", "Bio", 6.0, 6.0),
    ]
    assert advance(items, AdvancementRule("top_per_group", n=1)) == ["c", "b"]
    assert advance(items, AdvancementRule("top_overall", n=3)) == ["b", "c", "a"]
    assert advance(items, AdvancementRule("threshold", threshold=7.0)) == ["b", "c", "a"]


def test_advancement_rule_needs_its_number() -> None:
    with pytest.raises(ScoringError, match="rule top_overall needs a number n >= 0"):
        AdvancementRule("top_overall")


def test_rank_items_from_a_normalisation_need_every_group() -> None:
    result = normalise_scores([Score("a", "j1", 5.0), Score("b", "j1", 6.0)], method="zscore")
    with pytest.raises(ScoringError, match="entry 'b' has scores but no group"):
        rank_items(result, {"a": "AI"}, {})
    items = rank_items(result, {"a": "AI", "b": "AI"}, {})
    assert [r.entry_id for r in rank(items)["AI"]] == ["b", "a"]
