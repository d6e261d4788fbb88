"""Affinity between the two sides of a match, decomposed into named, explained parts.

This module owns the engine that turns two profiles (`profile.py`) into an `Affinity` (`explain.py`):
semantic similarity of their documents, lexical overlap of domain terms, and the structured parts scored in
`scoring.py` (industry fit, district and country preference, amount within a ticket range, category and
stage fit, declared conflicts and declined suggestions), weighed as `parts.py` says; and the batch forms
(`score_matrix`, `top_k`). Everything here is pure: profiles in, numbers and words out.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy import sparse

from duijie.matching import taxonomy
from duijie.matching.explain import (
    Affinity,
    Part,
    amount_reason,
    conflict_reason,
    industry_reason,
    overlap_reason,
    preference_reason,
)
from duijie.matching.parts import (
    AGGREGATIONS,
    COMMON_TERM_SHARE,
    DEFAULT_LEXICAL_HIGH,
    DEFAULT_SEMANTIC_RANGE,
    GENERIC_TERMS,
    MIN_DOCS_FOR_COMMON,
    NEUTRAL,
    PART_NAMES,
    SEMANTIC_RANGES,
    EngineOptions,
    Progress,
    Tokenizer,
    lexical_tokens,
    resolve_weights,
)
from duijie.matching.profile import CATEGORIES, COUNTRIES, DISTRICTS, STAGES, MatchingError, Profile
from duijie.matching.scoring import (
    AMOUNT_BINS,
    AMOUNT_CENTRES,
    Side,
    Vocab,
    aggregate_similarities,
    amount_bins,
    amount_values,
    best_k,
    categories_of,
    check_unique,
    country_of,
    declined_of,
    dense_fit,
    district_of,
    exclusions_of,
    flag_pairs,
    industries_of,
    one_hot,
    organisation_of,
    overlap_values,
    pad_columns,
    preference_values,
    preferred_countries_of,
    preferred_districts_of,
    side_has,
    side_hot,
    side_place,
    stages_of,
    ticket_arrays,
    widen,
)


class AffinityEngine:
    """Scores pairs of profiles of one pair kind, with corpus statistics learned by `fit`."""

    def __init__(
        self,
        kind: str = "investor_project",
        *,
        weights: Mapping[str, float] | None = None,
        options: EngineOptions | None = None,
        tokenizer: Tokenizer | None = None,
        embedder: Any = None,
        embedding_cache: Any = None,
    ) -> None:
        self.kind = kind
        self.weights = resolve_weights(kind, weights)
        self.options = options or EngineOptions()
        if self.options.aggregation not in AGGREGATIONS:
            raise MatchingError(
                f"aggregation {self.options.aggregation!r}: use one of {', '.join(AGGREGATIONS)}"
            )
        self._tokenizer = tokenizer
        self._embedder = embedder
        self._cache = embedding_cache
        self.idf: dict[str, float] = {}
        self.default_idf = 1.0
        self.n_docs = 0
        self.semantic_range = DEFAULT_SEMANTIC_RANGE
        self._calibrated = False
        self.lexical_high = DEFAULT_LEXICAL_HIGH
        self.dim: int | None = None
        self._token_cache: dict[str, Counter[str]] = {}
        self._industries = Vocab()
        self._districts = Vocab()
        self._countries = Vocab()
        self._categories = Vocab()
        self._stages = Vocab()
        self._orgs = Vocab()
        self._terms = Vocab()
        self._table = np.zeros((0, 0), dtype=np.float32)
        for industry in taxonomy.INDUSTRIES:
            self._industries.id(industry.name)

    @property
    def active(self) -> list[str]:
        """Parts with a positive weight, in their fixed order."""
        return [name for name in PART_NAMES if self.weights[name] > 0]

    def _tokenize(self, text: str) -> Counter[str]:
        """Token counts of one document, computed once per distinct text."""
        counts = self._token_cache.get(text)
        if counts is None:
            if self._tokenizer is None:
                from duijie.text.tokenize import tokenize

                self._tokenizer = tokenize
            counts = Counter(lexical_tokens(text, self._tokenizer))
            self._token_cache[text] = counts
        return counts

    def _profile_terms(self, profile: Profile) -> Counter[str]:
        """Token counts of a whole profile: its documents pooled, as one bag of domain terms."""
        total: Counter[str] = Counter()
        for text in profile.texts:
            total.update(self._tokenize(text))
        return total

    def embed(self, profiles: Sequence[Profile], progress: Progress | None = None) -> None:
        """Attach document vectors to profiles that have texts but no vectors yet."""
        missing = [p for p in profiles if p.embeddings is None and p.texts]
        if not missing:
            return
        from duijie.text.embed import EmbeddingCache, embed_with_cache, get_embedder

        if self._embedder is None:
            self._embedder = get_embedder()
        if not self._calibrated:
            self.semantic_range = SEMANTIC_RANGES.get(self._embedder.name, self.semantic_range)
        if self._cache is None:
            self._cache = EmbeddingCache(self._embedder.dim)
        texts = [t for p in missing for t in p.texts]
        vectors = embed_with_cache(
            self._embedder, texts, self._cache, progress, processes=self.options.embed_processes
        )
        start = 0
        for profile in missing:
            profile.embeddings = vectors[start : start + len(profile.texts)]
            start += len(profile.texts)

    def fit(
        self, left: Sequence[Profile], right: Sequence[Profile], progress: Progress | None = None
    ) -> AffinityEngine:
        """Learn term weights (IDF) and the similarity scale from both sides, embedding missing vectors."""
        check_unique(left, "left")
        check_unique(right, "right")
        if self.weights["semantic"] > 0:
            self.embed([*left, *right], progress)
        if self.weights["lexical"] > 0:
            df: Counter[str] = Counter()
            n_docs = 0
            for profile in [*left, *right]:
                if profile.texts:
                    df.update(self._profile_terms(profile).keys())
                    n_docs += 1
            self.idf = {t: math.log(1 + (n_docs - c + 0.5) / (c + 0.5)) for t, c in df.items()}
            self.default_idf = math.log(1 + (n_docs + 0.5) / 0.5)
            self.n_docs = n_docs
        self._calibrate(left, right)
        return self

    def _calibrate(self, left: Sequence[Profile], right: Sequence[Profile]) -> None:
        """Set the similarity scale from random pairs: the lowest 1 % maps to 0, the top 0.5 % to 1."""
        n_pairs = len(left) * len(right)
        if n_pairs < self.options.min_calibration_pairs:
            return
        lside, rside = self.encode(left), self.encode(right)
        rng = np.random.default_rng(0)
        size = min(4000, n_pairs)
        li = rng.integers(0, len(left), size)
        ri = rng.integers(0, len(right), size)
        if self.weights["semantic"] > 0 and lside.docs.shape[2] and rside.docs.shape[2]:
            sims, known = self._semantic_raw(lside, rside, li, ri)
            sims = sims[known]
            if sims.size >= self.options.min_calibration_pairs // 2:
                low = float(np.quantile(sims, 0.01))
                high = float(np.quantile(sims, 0.995))
                self.semantic_range = (low, max(high, low + 0.02))
                self._calibrated = True
        if self.weights["lexical"] > 0:
            cos, known = self._lexical_raw(lside, rside, li, ri)
            cos = cos[known]
            if cos.size >= self.options.min_calibration_pairs // 2:
                self.lexical_high = max(float(np.quantile(cos, 0.995)), 0.05)

    def encode(self, profiles: Sequence[Profile]) -> Side:
        """Encode profiles as arrays for batch scoring (vectors must be attached already to count)."""
        n = len(profiles)
        dims = {p.embeddings.shape[1] for p in profiles if p.embeddings is not None}
        if self.dim is not None:
            dims.add(self.dim)
        if len(dims) > 1:
            raise MatchingError(f"embeddings: records mix dimensions {sorted(dims)}")
        dim = dims.pop() if dims else 0
        self.dim = dim or self.dim
        m_max = max([p.embeddings.shape[0] for p in profiles if p.embeddings is not None] or [1])
        docs = np.zeros((n, m_max, dim), dtype=np.float32)
        mask = np.zeros((n, m_max), dtype=bool)
        centroids = np.zeros((n, dim), dtype=np.float32)
        for i, p in enumerate(profiles):
            if p.embeddings is not None and dim:
                m = p.embeddings.shape[0]
                docs[i, :m] = p.embeddings
                mask[i, :m] = True
                mean = p.embeddings.mean(axis=0)
                norm = float(np.linalg.norm(mean))
                centroids[i] = mean / norm if norm > 0 else mean
        return Side(
            profiles=list(profiles),
            ids=[p.id for p in profiles],
            position={p.id: i for i, p in enumerate(profiles)},
            docs=docs,
            doc_mask=mask,
            centroids=centroids,
            tfidf=self._tfidf(profiles),
        )

    def _tfidf(self, profiles: Sequence[Profile]) -> sparse.csr_matrix:
        """Sublinear TF-IDF rows over a term index shared with the other side, L2-normalised."""
        if self.weights["lexical"] <= 0:
            return sparse.csr_matrix((len(profiles), 1), dtype=np.float32)
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, p in enumerate(profiles):
            counts = self._profile_terms(p)
            weights = {t: (1 + math.log(c)) * self.idf.get(t, self.default_idf) for t, c in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for term, w in weights.items():
                rows.append(i)
                cols.append(self._terms.id(term))
                vals.append(w / norm)
        width = max(len(self._terms.index), 1)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(profiles), width), dtype=np.float32)

    def _semantic_raw(
        self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Aggregated cosine similarity of two profiles' documents for each pair, and where it is known."""
        known = left.doc_mask[li].any(axis=1) & right.doc_mask[ri].any(axis=1)
        out = np.zeros(len(li), dtype=np.float32)
        if not left.docs.shape[2] or not right.docs.shape[2]:
            return out, np.zeros(len(li), dtype=bool)
        method = self.options.aggregation
        if method == "centroid" or (left.docs.shape[1] == 1 and right.docs.shape[1] == 1):
            for start in range(0, len(li), 8192):
                a, b = li[start : start + 8192], ri[start : start + 8192]
                out[start : start + len(a)] = np.einsum("pd,pd->p", left.centroids[a], right.centroids[b])
            return np.where(known, out, 0.0).astype(np.float32), known
        m, n, d = left.docs.shape[1], right.docs.shape[1], left.docs.shape[2]
        if m == 1 or n == 1:
            out = (
                self._semantic_one_sided(left, right, li, ri)
                if n == 1
                else self._semantic_one_sided(right, left, ri, li)
            )
            return np.where(known, out, 0.0).astype(np.float32), known
        chunk = max(1, (1 << 22) // (m * n + (m + n) * d))
        for start in range(0, len(li), chunk):
            a, b = li[start : start + chunk], ri[start : start + chunk]
            sims = np.einsum("pmd,pnd->pmn", left.docs[a], right.docs[b]).reshape(len(a), m * n)
            valid = (left.doc_mask[a][:, :, None] & right.doc_mask[b][:, None, :]).reshape(len(a), m * n)
            out[start : start + len(a)] = aggregate_similarities(sims, valid, method, self.options.top_m)
        return np.where(known, out, 0.0).astype(np.float32), known

    def _semantic_one_sided(self, many: Side, single: Side, mi: np.ndarray, si: np.ndarray) -> np.ndarray:
        """Pairs where only one side has several documents: one matrix product per profile of that side."""
        vectors = single.docs[:, 0, :]
        out = np.zeros(len(mi), dtype=np.float32)
        order = np.argsort(mi, kind="stable")
        bounds = np.flatnonzero(np.diff(mi[order])) + 1
        for group in np.split(order, bounds):
            if not len(group):
                continue
            k = mi[group[0]]
            docs = many.docs[k][many.doc_mask[k]]
            if not len(docs):
                continue
            sims = (vectors[si[group]] @ docs.T).astype(np.float32)
            out[group] = aggregate_similarities(
                sims, np.ones(sims.shape, dtype=bool), self.options.aggregation, self.options.top_m
            )
        return out

    def _lexical_raw(
        self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cosine of the two profiles' TF-IDF vectors for each pair, and where both have terms."""
        lnnz = np.diff(left.tfidf.indptr) > 0
        rnnz = np.diff(right.tfidf.indptr) > 0
        known = lnnz[li] & rnnz[ri]
        out = np.zeros(len(li), dtype=np.float32)
        width = max(left.tfidf.shape[1], right.tfidf.shape[1])
        lt = widen(left.tfidf, width)
        rt = widen(right.tfidf, width)
        for start in range(0, len(li), 65536):
            a, b = li[start : start + 65536], ri[start : start + 65536]
            out[start : start + len(a)] = np.asarray(lt[a].multiply(rt[b]).sum(axis=1)).ravel()
        return out, known

    def part_values(
        self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each active part's value in [0, 1] for pairs (li[p], ri[p]) and whether it is known for them."""
        values: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        li = np.asarray(li, dtype=np.int64)
        ri = np.asarray(ri, dtype=np.int64)
        if self.weights["semantic"] > 0:
            raw, known = self._semantic_raw(left, right, li, ri)
            low, high = self.semantic_range
            values["semantic"] = (np.clip((raw - low) / (high - low), 0.0, 1.0), known)
        if self.weights["lexical"] > 0:
            raw, known = self._lexical_raw(left, right, li, ri)
            values["lexical"] = (np.clip(raw / self.lexical_high, 0.0, 1.0), known)
        if self.weights["industry"] > 0:
            values["industry"] = self._industry_values(left, right, li, ri)
        if self.weights["district"] > 0:
            values["district"] = preference_values(
                left, right, li, ri, self._districts, "district", district_of, preferred_districts_of
            )
        if self.weights["country"] > 0:
            values["country"] = preference_values(
                left, right, li, ri, self._countries, "country", country_of, preferred_countries_of
            )
        if self.weights["amount"] > 0:
            values["amount"] = amount_values(left, right, li, ri)
        if self.weights["category"] > 0:
            values["category"] = overlap_values(
                left, right, li, ri, self._categories, "category", categories_of
            )
        if self.weights["stage"] > 0:
            values["stage"] = overlap_values(left, right, li, ri, self._stages, "stage", stages_of)
        return values

    def _industry_values(
        self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Best taxonomy fit between any industry of the left and any of the right."""
        rhot = side_hot(right, "industry", self._industries, industries_of)
        reach, lhas = self._industry_reach(left)
        rhot = pad_columns(rhot, reach.shape[1])
        out = np.zeros(len(li), dtype=np.float32)
        for start in range(0, len(li), 65536):
            a, b = li[start : start + 65536], ri[start : start + 65536]
            out[start : start + len(a)] = (reach[a] * rhot[b]).max(axis=1)
        return out, lhas[li] & side_has(right, "industry")[ri]

    def _industry_reach(self, side: Side) -> tuple[np.ndarray, np.ndarray]:
        """For each profile, its best fit with every industry known so far, and whether it states any."""
        lhot = side_hot(side, "industry", self._industries, industries_of)
        k = len(self._industries.index)
        reach = side.cache.get(("industry.reach", k))
        if reach is None:
            table = self._industry_table(k)
            lhot = pad_columns(lhot, k)
            reach = np.zeros((lhot.shape[0], k), dtype=np.float32)
            for i in np.flatnonzero(side_has(side, "industry")):
                reach[i] = table[lhot[i]].max(axis=0)
            side.cache[("industry.reach", k)] = reach
        return reach, side_has(side, "industry")

    def _industry_table(self, k: int) -> np.ndarray:
        """Fit between every two industries known so far, rebuilt only when new industries appear."""
        if self._table.shape[0] != k:
            names = list(self._industries.index)
            table = np.zeros((k, k), dtype=np.float32)
            for a, na in enumerate(names):
                for b, nb in enumerate(names):
                    table[a, b] = taxonomy.industry_fit(na, nb)[0]
            self._table = table
        return self._table

    def pair_scores(
        self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray
    ) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
        """Scores of pairs with the values behind them: (score, part values, conflicted, declined)."""
        li = np.asarray(li, dtype=np.int64)
        ri = np.asarray(ri, dtype=np.int64)
        values = self.part_values(left, right, li, ri)
        total = sum(self.weights[name] for name in values)
        base = np.zeros(len(li), dtype=np.float64)
        for name, (value, known) in values.items():
            base += self.weights[name] / total * np.where(known, value, NEUTRAL[name])
        conflicted = self._conflicts(left, right, li, ri)
        declined = flag_pairs(left, right, li, ri, declined_of, both=False)
        score = np.where(declined, base * (1 - self.options.decline_penalty), base)
        score = np.where(conflicted, 0.0, score)
        return np.clip(score, 0.0, 1.0), values, conflicted, declined

    def _conflicts(self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
        """Pairs excluded by either side or belonging to the same organisation."""
        excluded = flag_pairs(left, right, li, ri, exclusions_of, both=True)
        lorg = side_place(left, "organisation", self._orgs, organisation_of)
        rorg = side_place(right, "organisation", self._orgs, organisation_of)
        if len(li) and (lorg >= 0).any() and (rorg >= 0).any():
            same = (lorg[li] >= 0) & (lorg[li] == rorg[ri])
            excluded = excluded | same
        return excluded

    def score_pair(self, left: Profile, right: Profile) -> Affinity:
        """Score one pair with every part explained in Chinese and English."""
        if self.weights["semantic"] > 0:
            self.embed([left, right])
        zero = np.zeros(1, dtype=np.int64)
        return self.affinities(self.encode([left]), self.encode([right]), zero, zero)[0]

    def affinities(self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray) -> list[Affinity]:
        """Explained affinities of many pairs (li[p], ri[p]): values computed at once, words pair by pair."""
        li = np.asarray(li, dtype=np.int64)
        ri = np.asarray(ri, dtype=np.int64)
        score, values, conflicted, declined = self.pair_scores(left, right, li, ri)
        raw_sem = self._semantic_raw(left, right, li, ri)[0] if "semantic" in values else np.zeros(len(li))
        total = sum(self.weights[name] for name in values)
        out: list[Affinity] = []
        for n in range(len(li)):
            lp, rp = left.profiles[li[n]], right.profiles[ri[n]]
            parts: list[Part] = []
            base = 0.0
            for name, (value, known) in values.items():
                v = float(value[n]) if known[n] else NEUTRAL[name]
                w = self.weights[name] / total
                base += w * v
                zh, en = self._reason(name, lp, rp, bool(known[n]), v, float(raw_sem[n]))
                parts.append(Part(name, v, w, w * v, zh, en, bool(known[n])))
            if declined[n] and not conflicted[n]:
                cut = base * self.options.decline_penalty
                parts.append(
                    Part("declined", 1.0, 0.0, -cut, "曾婉拒此推荐", "Declined this suggestion before")
                )
                base -= cut
            if conflicted[n]:
                zh, en = conflict_reason(lp, rp)
                parts.append(Part("conflict", 1.0, 0.0, -base, zh, en))
            out.append(Affinity(lp.id, rp.id, float(score[n]), parts))
        return out

    def _reason(
        self, name: str, left: Profile, right: Profile, known: bool, value: float, raw_sem: float
    ) -> tuple[str, str]:
        """The words for one part of one pair."""
        if name == "semantic":
            if not known:
                return "无文本可比", "No text to compare"
            return f"语义相似度{raw_sem:.2f}", f"Semantic similarity {raw_sem:.2f}"
        if name == "lexical":
            return self._lexical_reason(left, right, known)
        if name == "industry":
            return industry_reason(left, right, known)
        if name == "district":
            return preference_reason(
                left,
                right,
                known,
                value,
                lambda p: p.district,
                lambda p: p.preferred_districts,
                DISTRICTS,
                "区",
            )
        if name == "country":
            return preference_reason(
                left,
                right,
                known,
                value,
                lambda p: p.country,
                lambda p: p.preferred_countries,
                COUNTRIES,
                "国家",
            )
        if name == "amount":
            return amount_reason(left, right, known)
        if name == "category":
            return overlap_reason(left.categories, right.categories, known, CATEGORIES, "类别", "Category")
        return overlap_reason(left.stages, right.stages, known, STAGES, "阶段", "Stage")

    def _lexical_reason(self, left: Profile, right: Profile, known: bool) -> tuple[str, str]:
        """Name the shared terms that weigh most."""
        if not known:
            return "无文本可比", "No text to compare"
        lterms, rterms = self._profile_terms(left), self._profile_terms(right)
        common = set(lterms) & set(rterms)
        # A compound's pieces (自动, 驾驶 inside 自动驾驶) add nothing to the words shown.
        whole = {t for t in common if not any(t != o and t in o for o in common)}
        ranked = sorted(whole - GENERIC_TERMS, key=lambda t: (-self.idf.get(t, self.default_idf), t))
        if whole and not ranked:
            return "仅有常见词相同", "Only common words shared"
        if self.n_docs >= MIN_DOCS_FOR_COMMON:
            common_idf = math.log(1 + (1 - COMMON_TERM_SHARE) / COMMON_TERM_SHARE)
            rare = [t for t in ranked if self.idf.get(t, self.default_idf) >= common_idf]
            if ranked and not rare:
                return "仅有常见词相同", "Only common words shared"
            ranked = rare
        shared = ranked[:5]
        if not shared:
            return "无共同术语", "No shared terms"
        return "共同术语：" + "、".join(shared), "Shared terms: " + ", ".join(shared)

    def score_matrix(
        self,
        left: Sequence[Profile] | Side,
        right: Sequence[Profile] | Side,
        progress: Progress | None = None,
    ) -> np.ndarray:
        """Scores of every left × right pair as a dense matrix (rows: left)."""
        lside, rside = self.as_side(left), self.as_side(right)
        nl, nr = len(lside.ids), len(rside.ids)
        out = np.zeros((nl, nr), dtype=np.float32)
        rows = max(1, (1 << 18) // max(nr, 1))
        for start in range(0, nl, rows):
            stop = min(nl, start + rows)
            li = np.repeat(np.arange(start, stop), nr)
            ri = np.tile(np.arange(nr), stop - start)
            out[start:stop] = self.pair_scores(lside, rside, li, ri)[0].reshape(stop - start, nr)
            if progress is not None:
                progress(stop, nl)
        return out

    def as_side(self, profiles: Sequence[Profile] | Side) -> Side:
        """Encode profiles (embedding what is missing), or pass an already encoded side through."""
        if isinstance(profiles, Side):
            return profiles
        if self.weights["semantic"] > 0:
            self.embed(profiles)
        return self.encode(profiles)

    def candidates(self, left: Side, right: Side, rows: np.ndarray, count: int) -> np.ndarray:
        """The most promising right profiles for each left row, by `rough_scores` over all of them."""
        count = min(count, len(right.ids))
        if count == len(right.ids):
            return np.tile(np.arange(len(right.ids)), (len(rows), 1))
        rough = self.rough_scores(left, right, rows)
        return np.argpartition(-rough, count - 1, axis=1)[:, :count]

    def rough_scores(self, left: Side, right: Side, rows: np.ndarray) -> np.ndarray:
        """Scores of left rows against every right profile from two matrix products, for candidate generation.

        The semantic part compares centroid vectors; every structured part is written as a product of a
        left and a right factor (see `rough_factors`). It equals the exact score except that the lexical
        part and feedback are left out, industries and shared categories are summed rather than capped,
        amounts are read on a log scale of `AMOUNT_BINS` steps, and a preference stated only by the right
        side counts only when the left states none.
        """
        rows = np.asarray(rows, dtype=np.int64)
        factors = self.rough_factors(left, right)
        lfac, rfac, const = factors
        out = lfac[rows] @ rfac.T
        out += np.float32(const)
        total = sum(self.weights[n] for n in self.active) or 1.0
        if self.weights["semantic"] > 0 and left.centroids.shape[1] and right.centroids.shape[1]:
            low, high = self.semantic_range
            sims = left.centroids[rows] @ right.centroids.T
            sims -= np.float32(low)
            sims *= np.float32(self.weights["semantic"] / total / (high - low))
            np.clip(sims, 0.0, np.float32(self.weights["semantic"] / total), out=sims)
            out += sims
        return out

    def rough_factors(self, left: Side, right: Side) -> tuple[np.ndarray, np.ndarray, float]:
        """Left and right factor matrices and a constant whose product gives the structured rough scores.

        A part with value v where both sides state it and the neutral value n elsewhere is
        n + known * (v - n); with v a product of one-hot and preference rows, and `known` a product of
        has-it flags, the whole is bilinear and all parts stack into one matrix product. Each side's
        factor is kept with the side, so a request for one participant reuses the opportunities' factor.
        """
        for side in (left, right):
            self._register(side)
        vocabs = (self._industries, self._districts, self._countries, self._categories, self._stages)
        signature = (tuple(len(v.index) for v in vocabs), tuple(self.weights.values()))
        factors = []
        for side, role in ((left, "left"), (right, "right")):
            key = ("rough", role, signature)
            if key not in side.cache:
                side.cache[key] = self._side_factor(side, role)
            factors.append(side.cache[key])
        total = sum(self.weights[n] for n in self.active) or 1.0
        const = sum(self.weights[n] / total * NEUTRAL[n] for n in self.active if n != "lexical")
        return factors[0], factors[1], const

    def _register(self, side: Side) -> None:
        """Put every name a side uses into the vocabularies, so both factors have the same columns."""
        side_hot(side, "industry", self._industries, industries_of)
        for name, vocab, where, wants in (
            ("district", self._districts, district_of, preferred_districts_of),
            ("country", self._countries, country_of, preferred_countries_of),
        ):
            side_place(side, f"{name}.at", vocab, where)
            side_hot(side, f"{name}.wants", vocab, wants)
        side_hot(side, "category", self._categories, categories_of)
        side_hot(side, "stage", self._stages, stages_of)

    def _side_factor(self, side: Side, role: str) -> np.ndarray:
        """One side's columns of the rough-score factors (see `rough_factors`), in a fixed order."""
        total = sum(self.weights[n] for n in self.active) or 1.0
        is_left = role == "left"
        cols: list[np.ndarray] = []
        n = len(side.ids)

        def add(name: str, values: list[np.ndarray], known: list[np.ndarray]) -> None:
            w, neutral = self.weights[name] / total, NEUTRAL[name]
            for value in values:
                cols.append((w * value if is_left else value).astype(np.float32))
            for flag in known:
                cols.append(((-w * neutral * flag) if is_left else flag)[:, None].astype(np.float32))

        if self.weights["semantic"] > 0:
            has = np.linalg.norm(side.centroids, axis=1) > 0 if side.centroids.shape[1] else np.zeros(n, bool)
            add("semantic", [], [has])
        if self.weights["industry"] > 0:
            if is_left:
                reach, has = self._industry_reach(side)
                add("industry", [reach], [has])
            else:
                hot = pad_columns(
                    side_hot(side, "industry", self._industries, industries_of), len(self._industries.index)
                )
                add("industry", [hot], [np.asarray(hot.any(axis=1))])
        for name, vocab, where, wants in (
            ("district", self._districts, district_of, preferred_districts_of),
            ("country", self._countries, country_of, preferred_countries_of),
        ):
            if self.weights[name] > 0:
                width = max(len(vocab.index), 1)
                place = side_place(side, f"{name}.at", vocab, where)
                pref = pad_columns(side_hot(side, f"{name}.wants", vocab, wants), width)
                self._directional(add, name, is_left, pref, one_hot(place, width), place >= 0)
        if self.weights["amount"] > 0:
            low, high, amount = ticket_arrays(side)
            ticket = ~(np.isnan(low) & np.isnan(high))
            fit = np.where(ticket[:, None], dense_fit(low, high, AMOUNT_CENTRES), 0.0)
            bins = amount_bins(amount)
            self._directional(add, "amount", is_left, fit, one_hot(bins, AMOUNT_BINS), bins >= 0)
        for name, vocab, get in (
            ("category", self._categories, categories_of),
            ("stage", self._stages, stages_of),
        ):
            if self.weights[name] > 0:
                hot = pad_columns(side_hot(side, name, vocab, get), max(len(vocab.index), 1))
                add(name, [hot], [np.asarray(hot.any(axis=1))])
        if not cols:
            return np.zeros((n, 0), dtype=np.float32)
        return np.ascontiguousarray(np.hstack(cols), dtype=np.float32)

    @staticmethod
    def _directional(
        add: Callable[[str, list[np.ndarray], list[np.ndarray]], None],
        name: str,
        is_left: bool,
        wants: np.ndarray,
        one: np.ndarray,
        placed: np.ndarray,
    ) -> None:
        """Factor columns of a part read from the left's wishes, or from the right's when the left has none.

        Forward: left wishes x right placed; backward: left placed but silent x right wishes.
        """
        states = np.asarray(wants.any(axis=1))
        if is_left:
            back = ~states & placed
            add(name, [wants, one * back[:, None]], [states, back])
        else:
            add(name, [one, wants], [placed, states])

    def top_k(
        self,
        left: Sequence[Profile] | Side,
        right: Sequence[Profile] | Side,
        k: int,
        *,
        progress: Progress | None = None,
        candidates: int | None = None,
    ) -> list[list[tuple[str, float]]]:
        """The k best right profiles for each left one: nearest-neighbour candidates, then exact scores."""
        if k < 1:
            raise MatchingError(f"top-k: k must be at least 1, got {k}")
        lside, rside = self.as_side(left), self.as_side(right)
        pool = max(candidates or self.options.candidates, k)
        results: list[list[tuple[str, float]]] = []
        block = self.options.block_size
        nl = len(lside.ids)
        for start in range(0, nl, block):
            rows = np.arange(start, min(nl, start + block))
            cand = self.candidates(lside, rside, rows, pool)
            li = np.repeat(rows, cand.shape[1])
            ri = cand.reshape(-1)
            scores = self.pair_scores(lside, rside, li, ri)[0].reshape(cand.shape)
            for row in range(len(rows)):
                results.append(best_k(scores[row], cand[row], rside.ids, k))
            if progress is not None:
                progress(int(rows[-1]) + 1, nl)
        return results


def score_pair(
    left: Profile,
    right: Profile,
    *,
    kind: str = "investor_project",
    weights: Mapping[str, float] | None = None,
    engine: AffinityEngine | None = None,
) -> Affinity:
    """Score and explain one pair; pass a fitted engine to use a whole corpus's statistics."""
    engine = engine or AffinityEngine(kind, weights=weights).fit([left], [right])
    return engine.score_pair(left, right)


def score_matrix(
    left: Sequence[Profile],
    right: Sequence[Profile],
    *,
    kind: str = "investor_project",
    weights: Mapping[str, float] | None = None,
    engine: AffinityEngine | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Scores of all left × right pairs (rows: left), fitting an engine on the two sides if none is given."""
    engine = engine or AffinityEngine(kind, weights=weights).fit(left, right)
    return engine.score_matrix(left, right, progress)


def top_k(
    left: Sequence[Profile],
    right: Sequence[Profile],
    k: int,
    *,
    kind: str = "investor_project",
    weights: Mapping[str, float] | None = None,
    engine: AffinityEngine | None = None,
    progress: Progress | None = None,
) -> list[list[tuple[str, float]]]:
    """The k best right ids with scores for each left profile (conflicted pairs never appear)."""
    engine = engine or AffinityEngine(kind, weights=weights).fit(left, right)
    return engine.top_k(left, right, k, progress=progress)
