"""Contest scoring: weighted criteria totals, per-judge normalisation, rankings and advancement.

Normalisation puts every judge on one scale, so that a harsh judge's 6 counts like a lenient judge's 8:

* ``zscore`` standardises each judge's scores (mean 0, standard deviation 1) and maps them back onto the
  raw scale with the pooled mean and standard deviation. It assumes every judge saw a similar mix of
  entries, which an assignment by expertise does not give.
* ``bias`` fits score = entry quality + judge offset by sparse least squares, with a ridge penalty on the
  offsets (a judge with few scores is pulled towards offset 0). Entries scored by several judges tie the
  judges together, so a judge who happened to get strong entries is not mistaken for a lenient one. The
  normalised score of a review is its raw score minus its judge's offset; an entry's normalised score is
  the mean of those, which equals its fitted quality.

Rankings break ties in this documented order: normalised score, raw mean, number of top scores (raw
scores at or above the round's ``top_score``), earliest submission, entry id; each ranked entry says which
criterion separated it from the one above.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from duijie.core.errors import DomainError

Method = Literal["zscore", "bias"]
TIE_BREAK_ORDER = ("normalised score", "raw mean", "top scores", "earlier submission", "entry id")


class ScoringError(DomainError):
    """A malformed score, criterion or rule, named by the entry, judge or criterion concerned."""


@dataclass(frozen=True)
class Criterion:
    """One scoring criterion of a round (e.g. 技术先进性) with its weight and scale."""

    name: str
    weight: float
    low: float = 0.0
    high: float = 10.0


@dataclass(frozen=True)
class Score:
    """One judge's total score for one entry."""

    entry_id: str
    judge_id: str
    score: float


@dataclass(frozen=True)
class NormalisedScore:
    """A review's raw score beside its normalised score."""

    entry_id: str
    judge_id: str
    raw: float
    normalised: float


@dataclass(frozen=True)
class EntryScore:
    """An entry's raw mean beside its normalised score, with the facts the tie-breaking needs."""

    entry_id: str
    raw_mean: float
    normalised: float
    n_scores: int
    top_scores: int


@dataclass(frozen=True)
class Normalisation:
    """The result of a normalisation: per review, per entry, and the judge parameters used."""

    method: Method
    scores: tuple[NormalisedScore, ...]
    entries: dict[str, EntryScore]
    judge_offsets: dict[str, float]
    judge_scales: dict[str, float]


@dataclass(frozen=True)
class RankItem:
    """What ranking needs to know about one entry."""

    entry_id: str
    group: str
    normalised: float
    raw_mean: float
    top_scores: int = 0
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class RankedEntry:
    """An entry's place in its group and the criterion that placed it below the entry above."""

    entry_id: str
    group: str
    rank: int
    normalised: float
    raw_mean: float
    top_scores: int
    submitted_at: datetime | None
    separated_by: str | None


@dataclass(frozen=True)
class AdvancementRule:
    """How many advance: the top ``n`` per group, the top ``n`` overall, or all at or above ``threshold``."""

    kind: Literal["top_per_group", "top_overall", "threshold"]
    n: int | None = None
    threshold: float | None = None

    def __post_init__(self) -> None:
        if self.kind in ("top_per_group", "top_overall") and (self.n is None or self.n < 0):
            raise ScoringError(f"rule {self.kind} needs a number n >= 0", field="n")
        if self.kind == "threshold" and (self.threshold is None or not math.isfinite(self.threshold)):
            raise ScoringError("rule threshold needs a finite threshold", field="threshold")
        if self.kind not in ("top_per_group", "top_overall", "threshold"):
            raise ScoringError(f"unknown advancement rule {self.kind!r}", field="kind")


def weighted_total(marks: Mapping[str, float], criteria: Sequence[Criterion]) -> float:
    """Weighted mean of the criterion marks, on the criteria's scale, so rounds with other weights compare."""
    if not criteria:
        raise ScoringError("the round has no criteria", field="criteria")
    names = [c.name for c in criteria]
    unknown = sorted(set(marks) - set(names))
    if unknown:
        raise ScoringError(
            f"unknown criterion {unknown[0]!r}; the round's criteria are {names}", field=unknown[0]
        )
    weight_sum = 0.0
    total = 0.0
    for c in criteria:
        if c.weight < 0 or not math.isfinite(c.weight):
            raise ScoringError(f"criterion {c.name!r} has an invalid weight {c.weight}", field=c.name)
        if c.name not in marks:
            raise ScoringError(f"criterion {c.name!r} has no mark", field=c.name)
        value = marks[c.name]
        if not math.isfinite(value) or not c.low <= value <= c.high:
            raise ScoringError(
                f"criterion {c.name!r}: mark {value} is outside {c.low:g}..{c.high:g}", field=c.name
            )
        weight_sum += c.weight
        total += c.weight * value
    if weight_sum == 0:
        raise ScoringError("the criteria's weights add up to 0", field="criteria")
    return total / weight_sum


def _index(scores: Sequence[Score]) -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Index entries and judges in input order, refusing repeated or non-finite reviews."""
    if not scores:
        raise ScoringError("there are no scores to normalise", field="scores")
    entries: dict[str, int] = {}
    judges: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    e_idx = np.empty(len(scores), dtype=np.int64)
    j_idx = np.empty(len(scores), dtype=np.int64)
    y = np.empty(len(scores), dtype=np.float64)
    for i, s in enumerate(scores):
        if (s.entry_id, s.judge_id) in seen:
            raise ScoringError(
                f"score {i + 1}: judge {s.judge_id!r} scored entry {s.entry_id!r} twice", field="scores"
            )
        if not math.isfinite(s.score):
            raise ScoringError(
                f"score {i + 1}: judge {s.judge_id!r} gave entry {s.entry_id!r} a non-finite score",
                field="score",
            )
        seen.add((s.entry_id, s.judge_id))
        e_idx[i] = entries.setdefault(s.entry_id, len(entries))
        j_idx[i] = judges.setdefault(s.judge_id, len(judges))
        y[i] = s.score
    return list(entries), list(judges), e_idx, j_idx, y


def _zscore(j_idx: np.ndarray, y: np.ndarray, n_j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-judge z-scores mapped onto the pooled scale; a judge with no spread keeps offset only."""
    count = np.bincount(j_idx, minlength=n_j)
    mean = np.bincount(j_idx, weights=y, minlength=n_j) / count
    var = np.bincount(j_idx, weights=(y - mean[j_idx]) ** 2, minlength=n_j) / count
    std = np.sqrt(var)
    pooled_mean = float(y.mean())
    pooled_std = float(y.std())
    scale = np.where(std > 0, std / pooled_std if pooled_std > 0 else 1.0, 1.0)
    z = np.where(std[j_idx] > 0, (y - mean[j_idx]) / np.where(std[j_idx] > 0, std[j_idx], 1.0), 0.0)
    normalised = pooled_mean + pooled_std * z
    offset = mean - pooled_mean
    return normalised, offset, scale


def _bias(
    e_idx: np.ndarray, j_idx: np.ndarray, y: np.ndarray, n_e: int, n_j: int, ridge: float
) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares entry qualities and judge offsets (ridge on offsets only), from the normal equations."""
    n = y.size
    rows = np.concatenate([np.arange(n), np.arange(n)])
    cols = np.concatenate([e_idx, n_e + j_idx])
    design = sp.csr_matrix((np.ones(2 * n), (rows, cols)), shape=(n, n_e + n_j))
    penalty = sp.diags(np.concatenate([np.zeros(n_e), np.full(n_j, ridge)]))
    normal = (design.T @ design + penalty).tocsc()
    solution = spsolve(normal, design.T @ y)
    return solution[:n_e], solution[n_e:]


def normalise_scores(
    scores: Sequence[Score], *, method: Method = "bias", ridge: float = 1.0, top_score: float | None = None
) -> Normalisation:
    """Put every judge on one scale by the chosen method; keep raw and normalised side by side."""
    if method not in ("zscore", "bias"):
        raise ScoringError(f"method must be 'zscore' or 'bias', got {method!r}", field="method")
    if ridge <= 0 or not math.isfinite(ridge):
        raise ScoringError(f"ridge must be a positive number, got {ridge}", field="ridge")
    entries, judges, e_idx, j_idx, y = _index(scores)
    n_e, n_j = len(entries), len(judges)
    if method == "zscore":
        normalised, offset, scale = _zscore(j_idx, y, n_j)
    else:
        _, offset = _bias(e_idx, j_idx, y, n_e, n_j, ridge)
        normalised = y - offset[j_idx]
        scale = np.ones(n_j)
    count = np.bincount(e_idx, minlength=n_e)
    raw_mean = np.bincount(e_idx, weights=y, minlength=n_e) / count
    norm_mean = np.bincount(e_idx, weights=normalised, minlength=n_e) / count
    top = (
        np.zeros(n_e, dtype=np.int64)
        if top_score is None
        else np.bincount(e_idx[y >= top_score], minlength=n_e)
    )
    return Normalisation(
        method=method,
        scores=tuple(
            NormalisedScore(s.entry_id, s.judge_id, s.score, float(v))
            for s, v in zip(scores, normalised.tolist(), strict=True)
        ),
        entries={
            eid: EntryScore(eid, float(raw_mean[i]), float(norm_mean[i]), int(count[i]), int(top[i]))
            for i, eid in enumerate(entries)
        },
        judge_offsets={jid: float(offset[i]) for i, jid in enumerate(judges)},
        judge_scales={jid: float(scale[i]) for i, jid in enumerate(judges)},
    )


def _sort_key(item: RankItem) -> tuple[float, float, int, datetime, str]:
    """The documented tie-breaking order as one sort key."""
    return (
        -item.normalised,
        -item.raw_mean,
        -item.top_scores,
        item.submitted_at or datetime.max,
        item.entry_id,
    )


def _separator(above: RankItem, item: RankItem) -> str:
    """Name the first tie-break criterion on which two neighbours differ."""
    ka, kb = _sort_key(above), _sort_key(item)
    for name, a, b in zip(TIE_BREAK_ORDER, ka, kb, strict=True):
        if a != b:
            return name
    return TIE_BREAK_ORDER[-1]


def _ranked(items: Sequence[RankItem], group: str) -> list[RankedEntry]:
    """Sort one group and number it, recording what separated each entry from the one above."""
    ordered = sorted(items, key=_sort_key)
    out: list[RankedEntry] = []
    for pos, item in enumerate(ordered):
        out.append(
            RankedEntry(
                entry_id=item.entry_id,
                group=group,
                rank=pos + 1,
                normalised=item.normalised,
                raw_mean=item.raw_mean,
                top_scores=item.top_scores,
                submitted_at=item.submitted_at,
                separated_by=None if pos == 0 else _separator(ordered[pos - 1], item),
            )
        )
    return out


def _check_items(items: Sequence[RankItem]) -> None:
    """Refuse repeated entries and non-finite scores before ranking."""
    seen: set[str] = set()
    for item in items:
        if item.entry_id in seen:
            raise ScoringError(f"entry {item.entry_id!r} appears twice in the ranking", field="entry_id")
        if not (math.isfinite(item.normalised) and math.isfinite(item.raw_mean)):
            raise ScoringError(f"entry {item.entry_id!r} has a non-finite score", field="normalised")
        seen.add(item.entry_id)


def rank(items: Sequence[RankItem]) -> dict[str, list[RankedEntry]]:
    """Rankings per group (field, region) with the documented tie-breaking; groups in sorted order."""
    _check_items(items)
    groups: dict[str, list[RankItem]] = defaultdict(list)
    for item in items:
        groups[item.group].append(item)
    return {g: _ranked(groups[g], g) for g in sorted(groups)}


def rank_items(
    normalisation: Normalisation, groups: Mapping[str, str], submitted: Mapping[str, datetime]
) -> list[RankItem]:
    """Ranking input from a normalisation, each entry's group and its submission time."""
    missing = sorted(set(normalisation.entries) - set(groups))
    if missing:
        raise ScoringError(f"entry {missing[0]!r} has scores but no group (field)", field="group")
    return [
        RankItem(
            entry_id=eid,
            group=groups[eid],
            normalised=es.normalised,
            raw_mean=es.raw_mean,
            top_scores=es.top_scores,
            submitted_at=submitted.get(eid),
        )
        for eid, es in normalisation.entries.items()
    ]


def advance(items: Iterable[RankItem], rule: AdvancementRule) -> list[str]:
    """The ids of the entries that advance under the round's rule, best first."""
    items = list(items)
    _check_items(items)
    if rule.kind == "top_per_group":
        assert rule.n is not None
        return [r.entry_id for group in rank(items).values() for r in group[: rule.n]]
    ordered = _ranked(items, "")
    if rule.kind == "top_overall":
        assert rule.n is not None
        return [r.entry_id for r in ordered[: rule.n]]
    assert rule.threshold is not None
    return [r.entry_id for r in ordered if r.normalised >= rule.threshold]
