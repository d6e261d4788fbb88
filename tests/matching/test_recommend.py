"""Recommendations: diversity over near-duplicates, "not interested" feedback, reciprocity, the unmatched."""

import numpy as np
import pytest

from duijie.matching.affinity import AffinityEngine
from duijie.matching.parts import PART_NAMES
from duijie.matching.profile import MatchingError, Profile
from duijie.matching.recommend import Unmatched, mmr, no_good_match, reciprocal_top_k, recommend


def at(degrees: float, dim: int = 4) -> np.ndarray:
    """A unit vector at an angle from e1 in the first plane."""
    v = np.zeros(dim, dtype=np.float32)
    v[0], v[1] = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return v


def semantic_engine(**extra: float) -> AffinityEngine:
    """An engine scoring by raw cosine (scale 0..1) plus the given parts."""
    weights = {name: 0.0 for name in PART_NAMES}
    weights.update({"semantic": 1.0, **extra})
    engine = AffinityEngine("participant_participant", weights=weights)
    engine.semantic_range = (0.0, 1.0)
    return engine


def catalogue() -> list[Profile]:
    dup = at(5)
    return [
        Profile("dup1", industries=["人工智能"], embeddings=dup),
        Profile("dup2", industries=["人工智能"], embeddings=dup),
        Profile("dup3", industries=["人工智能"], embeddings=dup),
        Profile("other", industries=["新材料"], embeddings=at(20)),
        Profile("far", industries=["商业航天"], embeddings=at(80)),
    ]


def test_recommend_without_diversity_returns_near_duplicates() -> None:
    lists = recommend(semantic_engine(), [Profile("me", embeddings=at(0))], catalogue(), 2, diversity=0.0)
    assert [r.id for r in lists[0]] == ["dup1", "dup2"]


def test_recommend_diversity_replaces_a_near_duplicate() -> None:
    lists = recommend(semantic_engine(), [Profile("me", embeddings=at(0))], catalogue(), 2, diversity=0.5)
    assert [r.id for r in lists[0]] == ["dup1", "other"]
    assert lists[0][1].score == pytest.approx(np.cos(np.radians(20)), abs=1e-6)


def test_recommend_not_interested_drops_and_demotes_similar() -> None:
    me = Profile("me", embeddings=at(0), declined=["dup1"])
    lists = recommend(semantic_engine(), [me], catalogue(), 3, diversity=0.0, feedback_weight=0.5)
    ids = [r.id for r in lists[0]]
    assert "dup1" not in ids
    # dup2 and dup3 look exactly like the declined dup1, so the different project now leads.
    assert ids == ["other", "dup2", "dup3"]
    assert lists[0][1].rank_score == pytest.approx(lists[0][1].score * 0.5)


def test_recommend_filter_restricts_the_right_side() -> None:
    lists = recommend(
        semantic_engine(),
        [Profile("me", embeddings=at(0))],
        catalogue(),
        3,
        allow=lambda p: "人工智能" not in p.industries,
    )
    assert [r.id for r in lists[0]] == ["other", "far"]


def people() -> list[Profile]:
    return [
        Profile("a", embeddings=at(0)),
        Profile("b", embeddings=at(10)),
        Profile("c", embeddings=at(25)),
        Profile("d", embeddings=at(90)),
    ]


def test_reciprocal_requires_both_sides() -> None:
    lists = reciprocal_top_k(semantic_engine(), people(), 3, depth=1)
    assert [[pid for pid, _ in row] for row in lists] == [["b"], ["a"], [], []]
    assert lists[0][0][1] == pytest.approx(np.cos(np.radians(10)), abs=1e-6)


def test_reciprocal_one_sided_decline_breaks_the_pair() -> None:
    group = people()
    group[1].declined = ["a"]
    lists = reciprocal_top_k(semantic_engine(), group, 3, depth=1)
    assert [[pid for pid, _ in row] for row in lists] == [[], ["c"], ["b"], []]


def test_reciprocal_score_is_harmonic_mean() -> None:
    group = people()
    group[1].declined = ["a"]
    lists = reciprocal_top_k(semantic_engine(), group, 3, depth=3)
    ab = dict(lists[0])["b"]
    forward, backward = np.cos(np.radians(10)), np.cos(np.radians(10)) * 0.5
    assert ab == pytest.approx(2 * forward * backward / (forward + backward), abs=1e-6)


def test_no_good_match_flags_outliers_and_empty_lists() -> None:
    results = {f"p{i}": [("x", 0.6 + 0.01 * i)] for i in range(10)}
    results["weak"] = [("x", 0.2), ("y", 0.1)]
    results["none"] = []
    flagged = no_good_match(results)
    assert [u.id for u in flagged] == ["none", "weak"]
    assert flagged[1] == Unmatched("weak", 0.2, pytest.approx(flagged[1].threshold))
    assert flagged[1].threshold > 0.2


def test_no_good_match_quantile_rule() -> None:
    results = {f"p{i}": [("x", i / 10)] for i in range(1, 11)}
    assert [u.id for u in no_good_match(results, quantile=0.25)] == ["p1", "p2", "p3"]
    with pytest.raises(MatchingError, match="quantile 2"):
        no_good_match(results, quantile=2)


def test_mmr_rejects_bad_diversity() -> None:
    with pytest.raises(MatchingError, match=r"diversity 1\.5"):
        mmr(np.ones(2), np.zeros((2, 2)), 1, 1.5)
