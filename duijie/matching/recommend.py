"""Recommendations built on affinity: diverse top-k lists, reciprocal person-to-person suggestions,
"not interested" feedback and the organiser's list of who has no good match yet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from duijie.matching.affinity import AffinityEngine
from duijie.matching.profile import MatchingError, Profile
from duijie.matching.scoring import Side


@dataclass(frozen=True)
class Recommendation:
    """One suggested counterpart: its affinity score and the score it was ranked by after feedback."""

    id: str
    score: float
    rank_score: float


@dataclass(frozen=True)
class Unmatched:
    """A participant whose best match is weak compared with everyone else's best."""

    id: str
    best_score: float
    threshold: float


def item_similarity(engine: AffinityEngine, side: Side, rows: np.ndarray) -> np.ndarray:
    """How alike the given right profiles are to one another, in [0, 1], for diversity and feedback.

    Embedding cosines bunch together, so they are put on the engine's calibrated scale; sharing industries
    adds to it, so that ten projects of the same industry and wording count as near-duplicates.
    """
    low, high = engine.semantic_range
    centroids = side.centroids[rows]
    has_vec = np.linalg.norm(centroids, axis=1) > 0
    semantic = np.clip((centroids @ centroids.T - low) / (high - low), 0.0, 1.0)
    semantic = np.where(has_vec[:, None] & has_vec[None, :], semantic, 0.0)
    industries = [set(side.profiles[r].industries) for r in rows]
    n = len(rows)
    jaccard = np.zeros((n, n), dtype=np.float64)
    for i in range(n):
        for j in range(i, n):
            union = industries[i] | industries[j]
            value = len(industries[i] & industries[j]) / len(union) if union else 0.0
            jaccard[i, j] = jaccard[j, i] = value
    weight = 0.7 if has_vec.any() else 0.0
    return weight * semantic + (1 - weight) * jaccard


def mmr(scores: np.ndarray, similarity: np.ndarray, k: int, diversity: float) -> list[int]:
    """Maximal marginal relevance: pick k items trading score against likeness to those already picked."""
    if not 0 <= diversity <= 1:
        raise MatchingError(f"diversity {diversity}: must be between 0 and 1")
    chosen: list[int] = []
    remaining = list(range(len(scores)))
    penalty = np.zeros(len(scores))
    while remaining and len(chosen) < k:
        gains = (1 - diversity) * scores[remaining] - diversity * penalty[remaining]
        pick = remaining[int(np.argmax(gains))]
        chosen.append(pick)
        remaining.remove(pick)
        penalty = np.maximum(penalty, similarity[pick])
    return chosen


def recommend(
    engine: AffinityEngine,
    left: Sequence[Profile] | Side,
    right: Sequence[Profile] | Side,
    k: int,
    *,
    diversity: float = 0.3,
    feedback_weight: float = 0.5,
    allow: Callable[[Profile], bool] | None = None,
    pool: int | None = None,
) -> list[list[Recommendation]]:
    """Top-k for each left profile, diverse, without what it marked "not interested" (its `declined` ids).

    Candidates resembling something the participant declined are ranked lower by `feedback_weight` times
    that resemblance; `allow` filters the right side (industry, district, category ...).
    """
    if k < 1:
        raise MatchingError(f"top-k: k must be at least 1, got {k}")
    lside, rside = engine.as_side(left), engine.as_side(right)
    allowed = np.array([allow(p) if allow else True for p in rside.profiles], dtype=bool)
    width = max(pool or engine.options.candidates, 4 * k)
    results: list[list[Recommendation]] = []
    for row in range(len(lside.ids)):
        rows = np.array([row])
        cand = engine.candidates(lside, rside, rows, width)[0]
        cand = cand[allowed[cand]]
        profile = lside.profiles[row]
        refused = {rside.position[i] for i in profile.declined if i in rside.position}
        cand = np.array([c for c in cand if c not in refused], dtype=np.int64)
        if not len(cand):
            results.append([])
            continue
        scores = engine.pair_scores(lside, rside, np.full(len(cand), row), cand)[0]
        keep = scores > 0
        cand, scores = cand[keep], scores[keep]
        order = np.lexsort((cand, -scores))[: 4 * k]
        cand, scores = cand[order], scores[order]
        rank = scores.astype(np.float64)
        if refused and feedback_weight > 0 and len(cand):
            refused_rows = np.fromiter(refused, dtype=np.int64)
            both = np.concatenate([cand, refused_rows])
            sim = item_similarity(engine, rside, both)[: len(cand), len(cand) :]
            rank = rank * (1 - feedback_weight * sim.max(axis=1))
        similarity = item_similarity(engine, rside, cand) if len(cand) else np.zeros((0, 0))
        chosen = mmr(rank, similarity, k, diversity)
        results.append([Recommendation(rside.ids[cand[i]], float(scores[i]), float(rank[i])) for i in chosen])
    return results


def reciprocal_top_k(
    engine: AffinityEngine, people: Sequence[Profile] | Side, k: int, *, depth: int = 30
) -> list[list[tuple[str, float]]]:
    """Person-to-person suggestions both sides want: each must rank the other within their top `depth`.

    The pair's score is the harmonic mean of the two directions, so a one-sided match scores low.
    """
    if k < 1 or depth < 1:
        raise MatchingError(f"reciprocal top-k: k and depth must be at least 1, got k={k}, depth={depth}")
    side = engine.as_side(people)
    n = len(side.ids)
    width = min(n, max(engine.options.candidates, depth + 1))
    rows = np.arange(n)
    cand = engine.candidates(side, side, rows, width)
    li = np.repeat(rows, cand.shape[1])
    ri = cand.reshape(-1)
    forward = engine.pair_scores(side, side, li, ri)[0].reshape(cand.shape)
    forward = np.where(cand == rows[:, None], 0.0, forward)
    # What each person wants: the score of their depth-th best candidate is the bar for the others.
    ordered = -np.sort(-forward, axis=1)
    bar = ordered[:, min(depth, ordered.shape[1]) - 1]
    bar = np.maximum(bar, 1e-12)
    backward = engine.pair_scores(side, side, ri, li)[0].reshape(cand.shape)
    wanted = (forward >= bar[:, None]) & (backward >= bar[cand])
    with np.errstate(invalid="ignore", divide="ignore"):
        harmonic = np.where(wanted, 2 * forward * backward / (forward + backward), 0.0)
    results: list[list[tuple[str, float]]] = []
    for row in range(n):
        order = np.lexsort((cand[row], -harmonic[row]))
        best = [(side.ids[cand[row, j]], float(harmonic[row, j])) for j in order if harmonic[row, j] > 0]
        results.append(best[:k])
    return results


def no_good_match(
    results: Mapping[str, Sequence[tuple[str, float]]], *, quantile: float | None = None, fence: float = 1.5
) -> list[Unmatched]:
    """Participants whose best score falls below their peers': under Tukey's lower fence, or a quantile.

    Those with no suggestion at all always appear. The list starts with the worst off.
    """
    if not results:
        return []
    best = {pid: max((s for _, s in items), default=0.0) for pid, items in results.items()}
    values = np.array(list(best.values()), dtype=np.float64)
    if quantile is not None:
        if not 0 < quantile < 1:
            raise MatchingError(f"quantile {quantile}: must be between 0 and 1")
        threshold = float(np.quantile(values, quantile))
        below = {pid for pid, v in best.items() if v < threshold}
    else:
        q1, q3 = np.quantile(values, [0.25, 0.75])
        threshold = float(q1 - fence * (q3 - q1))
        below = {pid for pid, v in best.items() if v < threshold}
    below |= {pid for pid, v in best.items() if v <= 0}
    out = [Unmatched(pid, best[pid], threshold) for pid in below]
    return sorted(out, key=lambda u: (u.best_score, u.id))
