"""In-memory hybrid search: BM25 over tokens, brute-force dense vectors, rank fusion and highlighted snippets.

Both indexes follow every write (add, update, remove) without a rebuild: BM25 appends postings and keeps
exact document frequencies and lengths, tombstoning removed documents and compacting when they pile up; the
dense index overwrites a row in place and fills a removed row with the last one. Filters are an allowed-id set
or a predicate. Nothing here touches a database: the caller stores tokens and vectors with its records and
feeds them back in on start-up.
"""

from __future__ import annotations

import heapq
import html
import math
import re
import unicodedata
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from duijie.text.embed import Embedder
from duijie.text.normalize import to_simplified
from duijie.text.tokenize import tokenize

Mode = Literal["hybrid", "lexical", "dense"]
Fusion = Literal["rrf", "convex"]
MODES: tuple[str, ...] = ("hybrid", "lexical", "dense")
FUSIONS: tuple[str, ...] = ("rrf", "convex")

RRF_K = 60
# Fusion measured in bench/bench_search.py (bench/results/search.md), 200 zh/en queries: a convex combination
# of the lexical score as a share of a full match and the min-max scaled dense score, at dense weight 0.5,
# gave nDCG@10 0.891 / recall@50 0.665 against 0.879 / 0.646 for reciprocal rank fusion, which throws away
# how much better the first hit is than the fiftieth. Weights 0.3-0.7 lie within 0.016 nDCG of each other.
CONVEX_DENSE_WEIGHT = 0.5
DEFAULT_FUSION: Fusion = "convex"
# How many candidates each side contributes to fusion at least (more when k is large).
CANDIDATES = 100


class SearchError(ValueError):
    """Bad input to the search index; the message names the document, field or parameter."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One result: its fused score and its 1-based rank in each list (None when not among the candidates)."""

    doc_id: str
    score: float
    lexical_rank: int | None
    dense_rank: int | None


def _check_id(doc_id: str) -> None:
    """Ids are the caller's primary keys; an empty or non-string id is a bug worth naming."""
    if not isinstance(doc_id, str) or not doc_id:
        raise SearchError(f"document id must be a non-empty string, got {doc_id!r}")


def _top(scores: np.ndarray, ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The n best (index, score) pairs by descending score, ties broken by position for stable output."""
    if ids.size == 0 or n <= 0:
        return ids[:0], scores[:0]
    if ids.size > n:
        part = np.argpartition(-scores, n - 1)[:n]
        ids, scores = ids[part], scores[part]
    order = np.lexsort((ids, -scores))
    return ids[order], scores[order]


class BM25Index:
    """Okapi BM25 (k1=1.2, b=0.75, Lucene's idf) over token lists, updated in place."""

    def __init__(
        self, *, k1: float = 1.2, b: float = 0.75, compact_ratio: float = 0.25, compact_min: int = 10_000
    ) -> None:
        self.k1 = k1
        self.b = b
        self.compact_ratio = compact_ratio
        self.compact_min = compact_min
        self._vocab: dict[str, int] = {}
        self._post_slots: list[array] = []
        self._post_tf: list[array] = []
        self._df: list[int] = []
        self._dead_postings = 0
        self._total_postings = 0
        self._slot_of: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._terms: list[np.ndarray | None] = []
        self._doc_len = np.zeros(1024, dtype=np.float32)
        self._alive = np.zeros(1024, dtype=bool)
        self._total_len = 0

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slot_of

    @property
    def avgdl(self) -> float:
        """Mean document length in tokens over live documents."""
        return self._total_len / len(self._slot_of) if self._slot_of else 0.0

    def df(self, token: str) -> int:
        """Number of live documents containing the token."""
        tid = self._vocab.get(token)
        return 0 if tid is None else self._df[tid]

    def idf(self, token: str) -> float:
        """Lucene's BM25 idf: log(1 + (N - df + 0.5) / (df + 0.5)), never negative."""
        df = self.df(token)
        n = len(self._slot_of)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _grow(self, need: int) -> None:
        """Double the per-slot arrays when the next slot does not fit."""
        if need <= self._doc_len.shape[0]:
            return
        size = max(need, self._doc_len.shape[0] * 2)
        self._doc_len = np.resize(self._doc_len, size)
        self._doc_len[len(self._ids) :] = 0
        alive = np.zeros(size, dtype=bool)
        alive[: self._alive.shape[0]] = self._alive
        self._alive = alive

    def upsert(self, doc_id: str, tokens: Sequence[str]) -> None:
        """Index a document's tokens, replacing any earlier version of it."""
        _check_id(doc_id)
        if doc_id in self._slot_of:
            self.remove(doc_id)
        counts = Counter(tokens)
        slot = len(self._ids)
        self._grow(slot + 1)
        self._ids.append(doc_id)
        self._slot_of[doc_id] = slot
        self._doc_len[slot] = len(tokens)
        self._alive[slot] = True
        self._total_len += len(tokens)
        term_ids = np.empty(len(counts), dtype=np.int32)
        for i, (token, tf) in enumerate(counts.items()):
            tid = self._vocab.get(token)
            if tid is None:
                tid = len(self._post_slots)
                self._vocab[token] = tid
                self._post_slots.append(array("i"))
                self._post_tf.append(array("f"))
                self._df.append(0)
            self._post_slots[tid].append(slot)
            self._post_tf[tid].append(float(tf))
            self._df[tid] += 1
            term_ids[i] = tid
        self._total_postings += len(counts)
        self._terms.append(term_ids)

    def remove(self, doc_id: str) -> bool:
        """Forget a document; returns False if it was not indexed."""
        slot = self._slot_of.pop(doc_id, None)
        if slot is None:
            return False
        terms = self._terms[slot]
        assert terms is not None
        for tid in terms.tolist():
            self._df[tid] -= 1
        self._dead_postings += terms.shape[0]
        self._total_len -= int(self._doc_len[slot])
        self._alive[slot] = False
        self._doc_len[slot] = 0
        self._ids[slot] = None
        self._terms[slot] = None
        if self._dead_postings > max(self.compact_min, self._total_postings * self.compact_ratio):
            self._compact()
        return True

    def _compact(self) -> None:
        """Drop the postings of removed documents once they are a large share of all postings."""
        alive = self._alive
        for tid in range(len(self._post_slots)):
            slots = np.frombuffer(self._post_slots[tid], dtype=np.int32)
            if slots.size == 0:
                continue
            keep = alive[slots]
            if keep.all():
                continue
            tfs = np.frombuffer(self._post_tf[tid], dtype=np.float32)
            self._post_slots[tid] = array("i", slots[keep].tobytes())
            self._post_tf[tid] = array("f", tfs[keep].tobytes())
        self._total_postings -= self._dead_postings
        self._dead_postings = 0

    def match_ceiling(self, query_tokens: Sequence[str]) -> float:
        """Score of an average-length document holding each query token once: the scale of a full match."""
        return sum(self.idf(t) for t in dict.fromkeys(query_tokens))

    def slot_mask(self, allowed: Iterable[str]) -> np.ndarray:
        """A boolean mask over slots that lets only the given ids through."""
        mask = np.zeros(len(self._ids), dtype=bool)
        slots = np.fromiter((s for s in map(self._slot_of.get, allowed) if s is not None), dtype=np.int64)
        mask[slots] = True
        return mask

    def scores(self, query_tokens: Sequence[str], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every slot for the query (each distinct query token counted once)."""
        n_slots = len(self._ids)
        out = np.zeros(n_slots, dtype=np.float32)
        if not self._slot_of:
            return out
        avgdl = self.avgdl
        k1, b = self.k1, self.b
        for token in dict.fromkeys(query_tokens):
            tid = self._vocab.get(token)
            if tid is None or self._df[tid] == 0:
                continue
            slots = np.frombuffer(self._post_slots[tid], dtype=np.int32)
            tfs = np.frombuffer(self._post_tf[tid], dtype=np.float32)
            norm = k1 * (1.0 - b + b * self._doc_len[slots] / avgdl)
            contrib = np.float32(self.idf(token)) * tfs * (k1 + 1.0) / (tfs + norm)
            out[slots] += contrib * self._alive[slots]
        if mask is not None:
            out *= mask[:n_slots]
        return out

    def search(
        self, query_tokens: Sequence[str], k: int = 20, *, mask: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """The k best (doc_id, score) pairs with a positive score."""
        scores = self.scores(query_tokens, mask)
        hits = np.flatnonzero(scores > 0)
        top, top_scores = _top(scores[hits], hits, k)
        return [(self._ids[s], float(v)) for s, v in zip(top.tolist(), top_scores.tolist(), strict=True)]

    def ids(self) -> list[str]:
        """The live document ids."""
        return list(self._slot_of)


class DenseIndex:
    """Nearest neighbours by inner product over L2-normalised float32 vectors (numpy brute force).

    Below `coarse_min` documents every search is exact. Above it, a first pass scores all rows in a
    `coarse_dim`-dimensional PCA projection (a third of the memory traffic of the full vectors, which is
    what brute force is bound by) and the best `coarse_candidates` (at least 10·k) are rescored exactly.
    """

    def __init__(
        self,
        dim: int,
        *,
        coarse_dim: int = 128,
        coarse_min: int = 20_000,
        coarse_candidates: int = 1000,
    ) -> None:
        self.dim = dim
        self.coarse_dim = min(coarse_dim, dim)
        self.coarse_min = coarse_min
        self.coarse_candidates = coarse_candidates
        self._matrix = np.zeros((1024, dim), dtype=np.float32)
        self._coarse: np.ndarray | None = None
        self._projection: np.ndarray | None = None
        self._ids: list[str] = []
        self._row_of: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row_of

    @property
    def matrix(self) -> np.ndarray:
        """The live rows, one per document (a view; do not keep it across writes)."""
        return self._matrix[: len(self._ids)]

    def _checked(self, doc_id: str, vector: np.ndarray) -> np.ndarray:
        """Validate the shape and normalise, so a dot product is the cosine similarity."""
        vec = np.asarray(vector, dtype=np.float32).reshape(-1)
        if vec.shape[0] != self.dim:
            raise SearchError(f"document {doc_id}: vector has {vec.shape[0]} dimensions, expected {self.dim}")
        norm = float(np.linalg.norm(vec))
        if not math.isfinite(norm) or norm == 0.0:
            raise SearchError(f"document {doc_id}: vector is zero or not finite")
        return vec / norm

    def reserve(self, n: int) -> None:
        """Make room for n documents at once, avoiding repeated copies during a bulk load."""
        if n > self._matrix.shape[0]:
            grown = np.zeros((n, self.dim), dtype=np.float32)
            grown[: len(self._ids)] = self._matrix[: len(self._ids)]
            self._matrix = grown
            if self._coarse is not None:
                coarse = np.zeros((n, self.coarse_dim), dtype=np.float32)
                coarse[: len(self._ids)] = self._coarse[: len(self._ids)]
                self._coarse = coarse

    def upsert(self, doc_id: str, vector: np.ndarray) -> None:
        """Store or replace a document's vector."""
        _check_id(doc_id)
        vec = self._checked(doc_id, vector)
        row = self._row_of.get(doc_id)
        if row is None:
            row = len(self._ids)
            if row >= self._matrix.shape[0]:
                self.reserve(max(1024, self._matrix.shape[0] * 2))
            self._ids.append(doc_id)
            self._row_of[doc_id] = row
        self._matrix[row] = vec
        if self._coarse is not None and self._projection is not None:
            self._coarse[row] = vec @ self._projection

    def remove(self, doc_id: str) -> bool:
        """Forget a document, moving the last row into its place; returns False if it was absent."""
        row = self._row_of.pop(doc_id, None)
        if row is None:
            return False
        last = len(self._ids) - 1
        if row != last:
            moved = self._ids[last]
            self._matrix[row] = self._matrix[last]
            if self._coarse is not None:
                self._coarse[row] = self._coarse[last]
            self._ids[row] = moved
            self._row_of[moved] = row
        self._ids.pop()
        return True

    def fit_coarse(self, *, sample: int = 5000, seed: int = 0) -> None:
        """Learn the PCA projection of the first pass from (a sample of) the stored vectors."""
        n = len(self._ids)
        rows = np.random.default_rng(seed).choice(n, size=min(n, sample), replace=False)
        _, _, vt = np.linalg.svd(self._matrix[np.sort(rows)], full_matrices=False)
        self._projection = np.ascontiguousarray(vt[: self.coarse_dim].T, dtype=np.float32)
        coarse = np.zeros((self._matrix.shape[0], self.coarse_dim), dtype=np.float32)
        coarse[:n] = self.matrix @ self._projection
        self._coarse = coarse

    def row_mask(self, allowed: Iterable[str]) -> np.ndarray:
        """A boolean mask over rows that lets only the given ids through."""
        mask = np.zeros(len(self._ids), dtype=bool)
        rows = np.fromiter((r for r in map(self._row_of.get, allowed) if r is not None), dtype=np.int64)
        mask[rows] = True
        return mask

    def search(
        self, query: np.ndarray, k: int = 20, *, mask: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """The k most similar documents as (doc_id, cosine similarity)."""
        n = len(self._ids)
        if not n:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        if q.shape[0] != self.dim:
            raise SearchError(f"query vector has {q.shape[0]} dimensions, expected {self.dim}")
        rows = np.flatnonzero(mask) if mask is not None else None
        live = n if rows is None else rows.shape[0]
        candidates = max(self.coarse_candidates, 10 * k)
        if live >= max(self.coarse_min, 2 * candidates):
            if self._coarse is None:
                self.fit_coarse()
            assert self._coarse is not None and self._projection is not None
            coarse = self._coarse[:n] @ (q @ self._projection)
            ids = np.arange(n) if rows is None else rows
            if rows is not None:
                coarse = coarse[rows]
            rows, _ = _top(coarse, ids, candidates)
        if rows is None:
            scores = self.matrix @ q
            rows = np.arange(n)
        else:
            scores = self._matrix[rows] @ q
        top, top_scores = _top(scores, rows, k)
        return [(self._ids[r], float(s)) for r, s in zip(top.tolist(), top_scores.tolist(), strict=True)]


def rrf_fuse(
    lexical: list[tuple[str, float]], dense: list[tuple[str, float]], *, k0: int = RRF_K
) -> list[Hit]:
    """Reciprocal rank fusion: sum of 1/(k0 + rank); robust to the two lists' incomparable scales."""
    lex_rank = {d: i + 1 for i, (d, _) in enumerate(lexical)}
    den_rank = {d: i + 1 for i, (d, _) in enumerate(dense)}
    hits = []
    for doc_id in dict.fromkeys([d for d, _ in lexical] + [d for d, _ in dense]):
        lr, dr = lex_rank.get(doc_id), den_rank.get(doc_id)
        score = (1.0 / (k0 + lr) if lr else 0.0) + (1.0 / (k0 + dr) if dr else 0.0)
        hits.append(Hit(doc_id, score, lr, dr))
    return _sorted(hits)


def convex_fuse(
    lexical: list[tuple[str, float]],
    dense: list[tuple[str, float]],
    *,
    dense_weight: float = CONVEX_DENSE_WEIGHT,
    lexical_ceiling: float | None = None,
    limit: int | None = None,
) -> list[Hit]:
    """Convex combination of normalised scores: keeps the score gaps that RRF throws away; the `limit` best
    (all when None), best first, ties by best rank in either list, then id.

    Dense scores are min-max scaled over the candidates. Lexical scores are divided by `lexical_ceiling` (the
    score of a full match, see BM25Index.match_ceiling) when given, so that a document matching one weak word
    of the query is not scaled up to 1 just because it is the only lexical hit; otherwise min-max scaled.
    """
    if lexical_ceiling:
        lex_norm = {d: min(1.0, s / lexical_ceiling) for d, s in lexical}
    else:
        lex_norm = _min_max(lexical)
    den_norm = _min_max(dense)
    # Ranks and scores in plain dicts and tuples, Hit objects only for the `limit` kept: a site search fuses
    # 600 + 600 candidates on every query, and this loop is on its critical path.
    big = 1 << 30
    lex_rank = {d: i for i, (d, _) in enumerate(lexical, 1)}
    den_rank = {d: i for i, (d, _) in enumerate(dense, 1)}
    lexical_weight = 1.0 - dense_weight
    keyed = []
    for doc_id in dict.fromkeys([d for d, _ in lexical] + [d for d, _ in dense]):
        lr = lex_rank.get(doc_id, big)
        dr = den_rank.get(doc_id, big)
        score = lexical_weight * lex_norm.get(doc_id, 0.0) + dense_weight * den_norm.get(doc_id, 0.0)
        keyed.append((-score, lr if lr < dr else dr, doc_id, lr, dr))
    best = heapq.nsmallest(limit, keyed) if limit is not None and limit < len(keyed) else sorted(keyed)
    return [
        Hit(doc_id, -neg, None if lr == big else lr, None if dr == big else dr)
        for neg, _, doc_id, lr, dr in best
    ]


def _min_max(results: list[tuple[str, float]]) -> dict[str, float]:
    """Scale a result list's scores to [0, 1]; the minimum of the list maps to 0 (as if absent)."""
    if not results:
        return {}
    values = [s for _, s in results]
    lo, hi = min(values), max(values)
    if hi <= lo:
        return {d: 1.0 for d, _ in results}
    return {d: (s - lo) / (hi - lo) for d, s in results}


def _sorted(hits: list[Hit]) -> list[Hit]:
    """Best first; ties by best rank in either list, then id, so results are deterministic."""
    big = 1 << 30
    return sorted(hits, key=lambda h: (-h.score, min(h.lexical_rank or big, h.dense_rank or big), h.doc_id))


class HybridIndex:
    """The search index of a set of records: BM25 plus dense vectors, fused, filtered, with snippets."""

    def __init__(
        self,
        embedder: Embedder | None,
        *,
        fusion: Fusion = DEFAULT_FUSION,
        dense_weight: float = CONVEX_DENSE_WEIGHT,
        query_cache_size: int = 256,
    ) -> None:
        if not 0.0 <= dense_weight <= 1.0:
            raise SearchError(f"dense_weight must be between 0 and 1, got {dense_weight}")
        self.dense_weight = dense_weight
        if fusion not in FUSIONS:
            raise SearchError(f"fusion must be one of {', '.join(FUSIONS)}, got {fusion!r}")
        self.embedder = embedder
        self.fusion: Fusion = fusion
        self.lexical = BM25Index()
        self.dense = DenseIndex(embedder.dim) if embedder is not None else None
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_cache_size = query_cache_size

    def __len__(self) -> int:
        return len(self.lexical)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.lexical

    def upsert(
        self,
        doc_id: str,
        text: str,
        *,
        vector: np.ndarray | None = None,
        tokens: list[str] | None = None,
    ) -> None:
        """Index or re-index one record; pass the stored tokens and vector to skip recomputing them."""
        _check_id(doc_id)
        if not isinstance(text, str):
            raise SearchError(f"document {doc_id}: text must be a string, got {type(text).__name__}")
        self.lexical.upsert(doc_id, tokens if tokens is not None else tokenize(text))
        if self.dense is None:
            if vector is not None:
                raise SearchError(f"document {doc_id}: a vector was given but the index has no embedder")
            return
        if vector is None:
            assert self.embedder is not None
            vector = self.embedder.embed_passages([text])[0]
        self.dense.upsert(doc_id, vector)

    def upsert_many(
        self,
        items: Sequence[tuple[str, str]],
        *,
        vectors: np.ndarray | None = None,
        tokens: Sequence[list[str]] | None = None,
    ) -> None:
        """Bulk-load (doc_id, text) pairs with optional stored vectors (n, dim) and token lists."""
        if vectors is not None and len(vectors) != len(items):
            raise SearchError(f"{len(items)} documents but {len(vectors)} vectors")
        if tokens is not None and len(tokens) != len(items):
            raise SearchError(f"{len(items)} documents but {len(tokens)} token lists")
        if self.dense is not None:
            self.dense.reserve(len(self.dense) + len(items))
            if vectors is None:
                assert self.embedder is not None
                vectors = self.embedder.embed_passages([t for _, t in items])
        for i, (doc_id, text) in enumerate(items):
            self.upsert(
                doc_id,
                text,
                vector=None if vectors is None else vectors[i],
                tokens=None if tokens is None else tokens[i],
            )

    def remove(self, doc_id: str) -> bool:
        """Forget a record; returns False if it was not indexed."""
        found = self.lexical.remove(doc_id)
        if self.dense is not None:
            found = self.dense.remove(doc_id) or found
        return found

    def embed_query(self, query: str) -> np.ndarray:
        """The query's vector, from a small LRU cache when the same query comes again."""
        if self.embedder is None:
            raise SearchError("dense search needs an embedder")
        cached = self._query_cache.get(query)
        if cached is not None:
            self._query_cache.move_to_end(query)
            return cached
        vector = self.embedder.embed_queries([query])[0]
        if self._query_cache_size > 0:
            self._query_cache[query] = vector
            if len(self._query_cache) > self._query_cache_size:
                self._query_cache.popitem(last=False)
        return vector

    def search(
        self,
        query: str,
        *,
        k: int = 20,
        mode: Mode = "hybrid",
        allowed: set[str] | None = None,
        predicate: Callable[[str], bool] | None = None,
        query_vector: np.ndarray | None = None,
        fusion: Fusion | None = None,
    ) -> list[Hit]:
        """Find the k best records for a query in either language, within the allowed ids / predicate."""
        if mode not in MODES:
            raise SearchError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if not isinstance(k, int) or k < 1:
            raise SearchError(f"k must be a positive integer, got {k!r}")
        fusion = fusion or self.fusion
        if fusion not in FUSIONS:
            raise SearchError(f"fusion must be one of {', '.join(FUSIONS)}, got {fusion!r}")
        if mode != "lexical" and self.dense is None:
            raise SearchError(f"{mode} search needs an embedder; this index is lexical only")
        if predicate is not None:
            chosen = {d for d in self.lexical.ids() if predicate(d)}
            allowed = chosen if allowed is None else allowed & chosen
        depth = k if mode != "hybrid" else max(CANDIDATES, 2 * k)
        lexical: list[tuple[str, float]] = []
        dense: list[tuple[str, float]] = []
        query_tokens = tokenize(query)
        if mode != "dense":
            mask = None if allowed is None else self.lexical.slot_mask(allowed)
            lexical = self.lexical.search(query_tokens, depth, mask=mask)
        if mode != "lexical":
            assert self.dense is not None
            vector = query_vector if query_vector is not None else self.embed_query(query)
            mask = None if allowed is None else self.dense.row_mask(allowed)
            dense = self.dense.search(vector, depth, mask=mask)
        if mode == "lexical":
            return [Hit(d, s, i + 1, None) for i, (d, s) in enumerate(lexical)]
        if mode == "dense":
            return [Hit(d, s, None, i + 1) for i, (d, s) in enumerate(dense)]
        if fusion == "rrf":
            return rrf_fuse(lexical, dense)[:k]
        ceiling = self.lexical.match_ceiling(query_tokens)
        return convex_fuse(lexical, dense, dense_weight=self.dense_weight, lexical_ceiling=ceiling)[:k]

    def snippet(self, text: str, query: str, width: int = 80) -> str:
        """An HTML-escaped excerpt of about `width` characters around the query's words, each in <mark>."""
        return snippet(text, query, width)


def _fold_aligned(text: str) -> str:
    """Fold width, script and case character by character, so positions match the original text."""
    nfkc = "".join(c if len(n := unicodedata.normalize("NFKC", c)) != 1 else n for c in text)
    simple = to_simplified(nfkc)
    if len(simple) != len(nfkc):
        simple = "".join(s if len(s := to_simplified(c)) == 1 else c for c in nfkc)
    return simple.lower()


_LATIN_TOKEN = re.compile(r"[a-z0-9]")


def _match_spans(folded: str, query: str) -> list[tuple[int, int]]:
    """Non-overlapping spans of the folded text that match a query token (longest match first)."""
    terms = sorted(set(tokenize(query)), key=len, reverse=True)
    taken = np.zeros(len(folded) + 1, dtype=bool)
    spans: list[tuple[int, int]] = []
    for term in terms:
        if _LATIN_TOKEN.match(term):
            pattern = re.compile(rf"(?<![a-z0-9]){re.escape(term)}[a-z]*", re.IGNORECASE)
        else:
            pattern = re.compile(re.escape(term))
        for m in pattern.finditer(folded):
            if not taken[m.start() : m.end()].any():
                taken[m.start() : m.end()] = True
                spans.append((m.start(), m.end()))
    return sorted(spans)


def snippet(text: str, query: str, width: int = 80) -> str:
    """An HTML-escaped excerpt of about `width` characters around the query's words, each in <mark>."""
    if width < 10:
        raise SearchError(f"snippet width must be at least 10 characters, got {width}")
    flat = re.sub(r"\s+", " ", text).strip()
    spans = _match_spans(_fold_aligned(flat), query)
    start = 0
    if spans and len(flat) > width:
        best, best_count = spans[0][0], 0
        for i, (s, _) in enumerate(spans):
            count = sum(1 for s2, e2 in spans[i:] if e2 <= s + width)
            if count > best_count:
                best, best_count = s, count
        start = max(0, min(best - width // 4, len(flat) - width))
    end = min(len(flat), start + width)
    parts: list[str] = ["…" if start > 0 else ""]
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        parts.append(html.escape(flat[pos:s]))
        parts.append(f"<mark>{html.escape(flat[s:e])}</mark>")
        pos = e
    parts.append(html.escape(flat[pos:end]))
    if end < len(flat):
        parts.append("…")
    return "".join(parts)
