"""The vectorised part scorers: profiles encoded as arrays (`Side`), and each structured part's value for
many pairs at once (industry reach, district and country preference, amount within a ticket range, shared
category or stage, listed exclusions), plus the document-similarity aggregation and the top-k pick. Pure:
arrays in, arrays out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from duijie.matching.profile import MatchingError, Profile


class Vocab:
    """A growing map from names to column numbers, shared by both sides of a match."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def id(self, name: str) -> int:
        return self.index.setdefault(name, len(self.index))

    def get(self, name: str | None) -> int:
        return -1 if name is None else self.index.get(name, -1)


@dataclass
class Side:
    """One side of a match encoded as arrays, reusable across requests: a snapshot, re-encode after edits."""

    profiles: list[Profile]
    ids: list[str]
    position: dict[str, int]
    docs: np.ndarray
    doc_mask: np.ndarray
    centroids: np.ndarray
    tfidf: sparse.csr_matrix
    cache: dict[Any, Any] = field(default_factory=dict)


def industries_of(p: Profile) -> list[str]:
    return p.industries


def district_of(p: Profile) -> str | None:
    return p.district


def preferred_districts_of(p: Profile) -> list[str]:
    return p.preferred_districts


def country_of(p: Profile) -> str | None:
    return p.country


def preferred_countries_of(p: Profile) -> list[str]:
    return p.preferred_countries


def categories_of(p: Profile) -> list[str]:
    return p.categories


def stages_of(p: Profile) -> list[str]:
    return p.stages


def organisation_of(p: Profile) -> str | None:
    return p.organisation


def declined_of(p: Profile) -> list[str]:
    return p.declined


def exclusions_of(p: Profile) -> list[str]:
    return p.exclusions


def best_k(scores: np.ndarray, cand: np.ndarray, ids: list[str], k: int) -> list[tuple[str, float]]:
    """The k highest positive scores, ties broken by position for reproducibility."""
    order = np.lexsort((cand, -scores))
    out: list[tuple[str, float]] = []
    for j in order:
        if scores[j] <= 0:
            break
        out.append((ids[cand[j]], float(scores[j])))
        if len(out) == k:
            break
    return out


def aggregate_similarities(sims: np.ndarray, valid: np.ndarray, method: str, top_m: int) -> np.ndarray:
    """Reduce each row of document-pair similarities to one number by the chosen aggregation."""
    masked = np.where(valid, sims, -np.inf)
    count = valid.sum(axis=1)
    safe = np.maximum(count, 1)
    best = masked.max(axis=1)
    mean = np.where(valid, sims, 0.0).sum(axis=1) / safe
    if method == "max":
        out = best
    elif method == "mean":
        out = mean
    elif method == "blend":
        out = 0.5 * best + 0.5 * mean
    else:
        m = min(top_m, sims.shape[1])
        top = -np.sort(-masked, axis=1)[:, :m]
        taken = np.minimum(count, m)
        out = np.where(np.isfinite(top), top, 0.0).sum(axis=1) / np.maximum(taken, 1)
    return np.where(count > 0, out, 0.0)


def widen(matrix: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    """Give a TF-IDF matrix the full term width (terms seen after it was built are absent from it)."""
    if matrix.shape[1] == width:
        return matrix
    return sparse.csr_matrix((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], width))


def check_unique(profiles: Sequence[Profile], side: str) -> None:
    """Refuse two records with the same id on one side, naming the id."""
    seen: set[str] = set()
    for p in profiles:
        if p.id in seen:
            raise MatchingError(f"{side} records: id {p.id!r} appears more than once")
        seen.add(p.id)


def _listed(side: Side, key: str, get: Callable[[Profile], list[str]]) -> list[tuple[int, list[str]]]:
    """The profiles of a side that list other ids (exclusions, declined), found once per side."""
    cached = side.cache.get(key)
    if cached is None:
        cached = [(i, get(p)) for i, p in enumerate(side.profiles) if get(p)]
        side.cache[key] = cached
    return cached


def flag_pairs(
    left: Side,
    right: Side,
    li: np.ndarray,
    ri: np.ndarray,
    get: Callable[[Profile], list[str]],
    *,
    both: bool,
) -> np.ndarray:
    """Mark pairs where the left lists the right's id (and, with both, the right lists the left's)."""
    codes: set[int] = set()
    nr = len(right.ids)
    key = f"listed.{get.__name__}"
    for i, others in _listed(left, key, get):
        for other in others:
            j = right.position.get(other)
            if j is not None:
                codes.add(i * nr + j)
    if both:
        for j, others in _listed(right, key, get):
            for other in others:
                row = left.position.get(other)
                if row is not None:
                    codes.add(row * nr + j)
    if not codes or not len(li):
        return np.zeros(len(li), dtype=bool)
    return np.isin(li * nr + ri, np.fromiter(codes, dtype=np.int64))


def pad_columns(matrix: np.ndarray, width: int) -> np.ndarray:
    """Widen a one-hot matrix to the vocabulary's current size (new names only ever get new columns)."""
    if matrix.shape[1] >= width:
        return matrix
    out = np.zeros((matrix.shape[0], width), dtype=matrix.dtype)
    out[:, : matrix.shape[1]] = matrix
    return out


def side_hot(side: Side, key: str, vocab: Vocab, get: Callable[[Profile], Iterable[str]]) -> np.ndarray:
    """A side's one-hot matrix over a vocabulary, computed once per side and widened as it grows."""
    cached = side.cache.get(key)
    if cached is None:
        lists = [list(get(p)) for p in side.profiles]
        for names in lists:
            for name in names:
                vocab.id(name)
        cached = np.zeros((len(lists), max(len(vocab.index), 1)), dtype=bool)
        for i, names in enumerate(lists):
            for name in names:
                cached[i, vocab.index[name]] = True
        side.cache[key] = cached
        side.cache[f"{key}.has"] = np.array([bool(names) for names in lists], dtype=bool)
    return cached


def side_has(side: Side, key: str) -> np.ndarray:
    """Which profiles of a side state anything under `key` (computed with the side's `side_hot` matrix)."""
    return side.cache[f"{key}.has"]


def side_place(side: Side, key: str, vocab: Vocab, where: Callable[[Profile], str | None]) -> np.ndarray:
    """A side's single-valued attribute (district, country) as vocabulary ids, -1 where absent."""
    cached = side.cache.get(key)
    if cached is None:
        cached = np.array([vocab.id(w) if (w := where(p)) else -1 for p in side.profiles], dtype=np.int64)
        side.cache[key] = cached
    return cached


def preference_values(
    left: Side,
    right: Side,
    li: np.ndarray,
    ri: np.ndarray,
    vocab: Vocab,
    name: str,
    where: Callable[[Profile], str | None],
    wants: Callable[[Profile], list[str]],
) -> tuple[np.ndarray, np.ndarray]:
    """1 where the left prefers where the right is (or, when the left states nothing, the reverse)."""
    lplace, rplace = side_place(left, f"{name}.at", vocab, where), side_place(right, f"{name}.at", vocab, where)
    lpref = side_hot(left, f"{name}.wants", vocab, wants)
    rpref = side_hot(right, f"{name}.wants", vocab, wants)
    width = max(len(vocab.index), 1)
    lpref, rpref = pad_columns(lpref, width), pad_columns(rpref, width)
    lhas, rhas = side_has(left, f"{name}.wants"), side_has(right, f"{name}.wants")
    forward = lhas[li] & (rplace[ri] >= 0)
    backward = ~forward & rhas[ri] & (lplace[li] >= 0)
    value = np.zeros(len(li), dtype=np.float32)
    if forward.any():
        value[forward] = lpref[li[forward], rplace[ri[forward]]]
    if backward.any():
        value[backward] = rpref[ri[backward], lplace[li[backward]]]
    return value, forward | backward


def ticket_arrays(side: Side) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ticket bounds and amounts as floats (nan where absent), computed once per side."""
    cached = side.cache.get("amount")
    if cached is None:
        profiles = side.profiles
        low = np.array([float(p.ticket_min) if p.ticket_min is not None else np.nan for p in profiles])
        high = np.array([float(p.ticket_max) if p.ticket_max is not None else np.nan for p in profiles])
        amount = np.array([float(p.amount) if p.amount is not None else np.nan for p in profiles])
        cached = (low, high, amount)
        side.cache["amount"] = cached
    return cached


def _amount_fit(low: np.ndarray, high: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """1 inside the range; outside, the ratio of amount and nearer bound (half the minimum gives 0.5)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        below = np.where(~np.isnan(low) & (amount < low), amount / low, 1.0)
        above = np.where(~np.isnan(high) & (amount > high), high / amount, 1.0)
    return np.nan_to_num(np.minimum(below, above), nan=0.0).clip(0.0, 1.0)


AMOUNT_BINS = 40
AMOUNT_EDGES = np.logspace(-3, 4, AMOUNT_BINS + 1)
AMOUNT_CENTRES = np.sqrt(AMOUNT_EDGES[:-1] * AMOUNT_EDGES[1:])
"""Log-spaced amount steps (亿元, 0.001 to 10,000) on which candidate generation reads ticket fit."""


def amount_bins(amount: np.ndarray) -> np.ndarray:
    """The step of each amount (clamped to the ends), -1 where absent."""
    with np.errstate(invalid="ignore"):
        index = np.searchsorted(AMOUNT_EDGES, amount, side="right") - 1
    index = np.clip(index, 0, AMOUNT_BINS - 1)
    return np.where(np.isnan(amount), -1, index)


def one_hot(index: np.ndarray, width: int) -> np.ndarray:
    """Rows with a single 1 at the given column (none where the index is -1)."""
    out = np.zeros((len(index), width), dtype=np.float32)
    has = index >= 0
    out[np.flatnonzero(has), index[has]] = 1.0
    return out


def dense_fit(low: np.ndarray, high: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """`_amount_fit` for every range (rows) against every amount (columns), in float32 without nan checks.

    fmin ignores the nan that an absent bound produces, so an open end never limits the fit.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_low = (np.float32(1) / low.astype(np.float32))[:, None]
        inv_amount = (np.float32(1) / amount.astype(np.float32))[None, :]
        out = np.fmin(amount.astype(np.float32)[None, :] * inv_low, np.float32(1))
        np.fmin(out, high.astype(np.float32)[:, None] * inv_amount, out=out)
    return out


def amount_values(left: Side, right: Side, li: np.ndarray, ri: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether the right's amount falls in the left's ticket range (or the reverse when the left has none)."""
    llow, lhigh, lamount = ticket_arrays(left)
    rlow, rhigh, ramount = ticket_arrays(right)
    lticket = ~(np.isnan(llow) & np.isnan(lhigh))
    rticket = ~(np.isnan(rlow) & np.isnan(rhigh))
    forward = lticket[li] & ~np.isnan(ramount[ri])
    backward = ~forward & rticket[ri] & ~np.isnan(lamount[li])
    value = np.zeros(len(li), dtype=np.float32)
    value[forward] = _amount_fit(llow[li[forward]], lhigh[li[forward]], ramount[ri[forward]])
    value[backward] = _amount_fit(rlow[ri[backward]], rhigh[ri[backward]], lamount[li[backward]])
    return value, forward | backward


def overlap_values(
    left: Side,
    right: Side,
    li: np.ndarray,
    ri: np.ndarray,
    vocab: Vocab,
    name: str,
    get: Callable[[Profile], list[str]],
) -> tuple[np.ndarray, np.ndarray]:
    """1 where the two sides share a value (category, stage), known when both state some."""
    lhot, rhot = side_hot(left, name, vocab, get), side_hot(right, name, vocab, get)
    width = max(len(vocab.index), 1)
    lhot, rhot = pad_columns(lhot, width), pad_columns(rhot, width)
    known = side_has(left, name)[li] & side_has(right, name)[ri]
    value = np.zeros(len(li), dtype=np.float32)
    for start in range(0, len(li), 65536):
        a, b = li[start : start + 65536], ri[start : start + 65536]
        value[start : start + len(a)] = (lhot[a] & rhot[b]).any(axis=1)
    return value, known
