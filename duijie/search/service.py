"""The search service: the lexical index in the database, the vectors in a file every process shares.

The lexical part is kept by the database from each SearchDocument's tokens (FTS5 on SQLite, a GIN-indexed
tsvector on PostgreSQL; `duijie.search.lexical`) and queried in the request's own transaction, so it sees the
request's writes and nothing rolled back, and no process holds a copy. The vectors are a memory-mapped snapshot
file shared through the page cache plus the few documents written since (`duijie.search.vectors`); before each
search a process reads the index's data version (one row) and, when it changed, reloads only those. Both parts
rank every document of the kinds taking part; what the reader may see under the structured filters is then
asked of each kind about the best candidates only (`duijie.search.visibility`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.searchable import Searchable, SearchFilters
from duijie.events.models import Event
from duijie.events.service import find_event
from duijie.search import lexical, registry
from duijie.search.indexing import DOCUMENTS, MODEL_NAME, doc_key, embed_missing, split_title
from duijie.search.vectors import VectorStore, settings_view
from duijie.search.visibility import Gate, Ranked, first_window, top_visible
from duijie.text.search import CANDIDATES as FUSION_CANDIDATES
from duijie.text.search import CONVEX_DENSE_WEIGHT, MODES, Hit, Mode, convex_fuse, snippet
from duijie.text.tokenize import tokenize

log = logging.getLogger(__name__)

DIM = 384
CANDIDATES = 300
MAX_LIMIT = 100
SNIPPET_WIDTH = 140
# A hit found by meaning alone is kept above this cosine similarity (of language-centred e5 vectors, where
# related demo records score 0.2-0.35 and unrelated ones 0.1-0.25) and within DENSE_BAND of the best one.
DENSE_FLOOR = 0.2
DENSE_BAND = 0.1
QUERY_CACHE = 256


class _LazyEmbedder:
    """Loads the model only when a query must be embedded, so lexical searches and start-up stay instant."""

    name = MODEL_NAME
    dim = DIM

    def _model(self) -> Any:
        from duijie.text.embed import get_embedder

        return get_embedder()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._model().embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._model().embed_queries(texts)


def check_filters(filters: SearchFilters) -> None:
    """Reject unknown kinds and inverted amount ranges with a message naming the field."""
    kinds = registry.kinds()
    if filters.kind and filters.kind not in kinds:
        raise DomainError(
            _("Unknown kind: choose one of %(kinds)s.") % {"kinds": ", ".join(kinds)}, field="kind"
        )
    low, high = filters.amount_min, filters.amount_max
    if low is not None and high is not None and low > high:
        raise DomainError(_("The minimum amount is larger than the maximum."), field="amount_min")


@dataclass
class SearchHit:
    """One result as the page, the API and the command line show it."""

    kind: str
    record_id: int
    title: str
    title_zh: str
    title_en: str
    snippet: str
    url: str
    score: float
    lexical_rank: int | None
    dense_rank: int | None
    event: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.record_id,
            "title": self.title,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "snippet": self.snippet,
            "url": self.url,
            "score": round(self.score, 4),
            "lexical_rank": self.lexical_rank,
            "dense_rank": self.dense_rank,
            "event": self.event,
        }


@dataclass
class SearchResults:
    """Hits grouped by kind (in the declared order of kinds), with how many each kind had among the candidates."""

    query: str
    mode: str
    groups: dict[str, list[SearchHit]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    # how many candidate ids the kinds were asked about, and whether they listed their visible records instead
    # (narrow filters): what the visibility gate cost, for the benchmark
    asked: int = 0
    listed: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "total": self.total,
            "counts": self.counts,
            "groups": [
                {"kind": kind, "count": self.counts[kind], "hits": [h.as_dict() for h in hits]}
                for kind, hits in self.groups.items()
            ],
        }


class IndexHolder:
    """What one process keeps of a database's search index: its view of the shared vectors and the vectors
    of recent queries."""

    def __init__(self, engine: Engine) -> None:
        self.vectors = VectorStore(engine, model=MODEL_NAME, dim=DIM, kinds=registry.kinds())
        self.embedder = _LazyEmbedder()
        self.lock = threading.RLock()
        self.embedding = False
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        # One thread embeds the query and scores the vectors while the calling thread runs the lexical query:
        # the model, SQLite and numpy all release the GIL, so on two cores the two parts overlap.
        self._beside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duijie-search-dense")

    def close(self) -> None:
        """Let the side thread end (a holder is dropped when the indexes are reset)."""
        self._beside.shutdown(wait=False)

    def sync(self, db: Session) -> None:
        """Catch up with the writes this session sees (one row read when nothing changed)."""
        self.vectors.sync(db)

    def embed_query(self, query: str) -> np.ndarray:
        """The query's vector, from a small LRU when the same query comes again."""
        cached = self._queries.get(query)
        if cached is not None:
            self._queries.move_to_end(query)
            return cached
        vector = self.embedder.embed_queries([query])[0]
        self._remember(query, vector)
        return vector

    def _remember(self, query: str, vector: np.ndarray) -> None:
        self._queries[query] = vector
        if len(self._queries) > QUERY_CACHE:
            self._queries.popitem(last=False)

    def dense_beside(
        self, query: str, window: int, kinds: Sequence[str] | None
    ) -> Future[tuple[np.ndarray, list[Ranked]]]:
        """Embed the query (unless cached) and rank the first window of vectors on the side thread.

        The caller holds `lock` until it has the result, so the vectors do not change meanwhile; the LRU is
        only read here and written by the caller (`take_dense`).
        """
        cached = self._queries.get(query)

        def run() -> tuple[np.ndarray, list[Ranked]]:
            vector = cached if cached is not None else self.embedder.embed_queries([query])[0]
            return vector, self.vectors.search(vector, window, kinds)

        return self._beside.submit(run)

    def take_dense(self, query: str, pending: Future[tuple[np.ndarray, list[Ranked]]]) -> tuple[np.ndarray, list[Ranked]]:
        """The side thread's result, the query's vector remembered."""
        vector, first = pending.result()
        if query in self._queries:
            self._queries.move_to_end(query)
        else:
            self._remember(query, vector)
        return vector, first


_holders: dict[str, IndexHolder] = {}
_holders_lock = threading.Lock()


def _holder(db: Session) -> IndexHolder:
    """This process's holder of the index of the database this session is bound to.

    One per engine (a worker has one): two applications in one process over the same database behave as two
    workers, each with its own view of the version (the holder keeps its engine, so the id is never reused).
    """
    engine = db.get_bind().engine
    key = f"{engine.url.render_as_string(hide_password=True)}#{id(engine)}"
    with _holders_lock:
        holder = _holders.get(key)
        if holder is None:
            holder = _holders[key] = IndexHolder(engine)
        return holder


def index_status(db: Session) -> dict[str, Any]:
    """What this process holds of the index after catching up: the mapped vector file, how many documents
    were written since it, and how many files this process has written."""
    holder = _holder(db)
    with holder.lock:
        holder.sync(db)
        return settings_view(holder.vectors) | {"files_written": holder.vectors.snapshots_built}


def reset_indexes() -> None:
    """Forget what this process holds (the vectors are mapped again, and the database is read, on next use)."""
    with _holders_lock:
        for holder in _holders.values():
            holder.close()
        _holders.clear()


# ---------------------------------------------------------------- filters


def _taking_part(filters: SearchFilters) -> list[Searchable]:
    """The kinds a search looks in: the one asked for, and only those that know every filter that is set (an
    industry search finds no policy packages)."""
    given = filters.given()
    return [
        source
        for source in registry.sources()
        if not (filters.kind and source.kind != filters.kind) and given <= source.filters
    ]


def _gate(db: Session, actor: Actor | None, filters: SearchFilters) -> Gate | None:
    """What decides which candidates this reader may find; None when nothing can be found (an event asked for
    that does not exist, or no kind knows the filters)."""
    event_id = None
    if filters.event is not None:
        event = find_event(db, slug=filters.event)
        if event is None:
            return None
        event_id = event.id
    sources = _taking_part(filters)
    return Gate(db, actor, filters, event_id, sources) if sources else None


def _urls(db: Session, hits: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """Where each hit is shown on the site, as each kind's module says (one query per kind at most)."""
    ids: dict[str, list[int]] = defaultdict(list)
    for kind, rid in hits:
        ids[kind].append(rid)
    out: dict[tuple[str, int], str] = {}
    for kind, rids in ids.items():
        for rid, url in registry.source_of_kind(kind).urls(db, rids).items():
            out[kind, rid] = url
    return out


# ---------------------------------------------------------------- search


def search(
    db: Session,
    *,
    query: str,
    actor: Actor | None = None,
    filters: SearchFilters | None = None,
    mode: Mode = "hybrid",
    limit: int = 10,
) -> SearchResults:
    """Search every kind of record in both languages; `limit` hits per kind, best first."""
    filters = filters or SearchFilters()
    check_filters(filters)
    query = query.strip()
    if mode not in MODES:
        raise DomainError(
            _("Unknown search mode: choose one of %(modes)s.") % {"modes": ", ".join(MODES)}, field="mode"
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(_("The limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT}, field="limit")
    if not query:
        return SearchResults(query=query, mode=mode)
    holder = _holder(db)
    with holder.lock:
        holder.sync(db)
        effective: Mode = mode if len(holder.vectors) > 0 else "lexical"
        gate = _gate(db, actor, filters)
        hits = _ranked(db, holder, query, effective, gate) if gate is not None else []
    _start_background_embedding(db, holder)
    results = SearchResults(query=query, mode=effective)
    if gate is not None:
        results.asked, results.listed = gate.asked, gate.listed is not None
    grouped: dict[str, list[Any]] = defaultdict(list)
    for h in hits:
        grouped[h.doc_id.partition(":")[0]].append(h)
    kinds = registry.kinds()
    docs = _documents(db, [h for k in kinds for h in grouped.get(k, [])[:limit]])
    for kind in kinds:  # a document removed since the vectors were read (its record is no longer allowed either)
        grouped[kind] = [h for h in grouped.get(kind, []) if h.doc_id in docs or h not in grouped[kind][:limit]]
    chosen = [(k, int(h.doc_id.partition(":")[2])) for k in kinds for h in grouped.get(k, [])[:limit]]
    urls = _urls(db, chosen)
    zh = is_zh()
    event_ids = {docs[doc_key(k, rid)][2] for k, rid in chosen} - {None}
    event_names = {
        e.id: e.name_zh if zh else (e.name_en or e.name_zh)
        for e in db.execute(select(Event.id, Event.name_zh, Event.name_en).where(Event.id.in_(event_ids)))
    }
    for kind in kinds:
        if not grouped.get(kind):
            continue
        results.counts[kind] = len(grouped[kind])
        out = []
        for h in grouped[kind][:limit]:
            title, text, event_id = docs[h.doc_id]
            title_zh, title_en = split_title(title)
            rid = int(h.doc_id.partition(":")[2])
            out.append(
                SearchHit(
                    kind=kind,
                    record_id=rid,
                    title=title_zh if zh else title_en,
                    title_zh=title_zh,
                    title_en=title_en,
                    snippet=_snippet(text, title_zh, title_en, query, zh),
                    url=urls.get((kind, rid), "/"),
                    score=h.score,
                    lexical_rank=h.lexical_rank,
                    dense_rank=h.dense_rank,
                    event=event_names.get(event_id) if event_id is not None else None,
                )
            )
        results.groups[kind] = out
    return results


def _ranked(db: Session, holder: IndexHolder, query: str, mode: Mode, gate: Gate) -> list[Hit]:
    """The CANDIDATES best documents the reader may find: lexical, by meaning, or both fused (convex
    combination). Each part ranks every document of the kinds taking part; the gate keeps the visible ones.

    A hit found by meaning alone is kept only if it is close enough (DENSE_FLOOR, DENSE_BAND): below that the
    nearest vectors of an unrelated query are noise.
    """
    depth = CANDIDATES if mode != "hybrid" else max(FUSION_CANDIDATES, 2 * CANDIDATES)
    kinds = gate.kinds if len(gate.kinds) < len(registry.kinds()) else None
    lexical_hits: list[tuple[str, float]] = []
    dense_hits: list[tuple[str, float]] = []
    ceiling = 0.0
    window = first_window(depth)
    pending = holder.dense_beside(query, window, kinds) if mode != "lexical" else None
    if mode != "dense":
        fetch, ceiling = lexical.ranking(db, tokenize(query), kinds)
        if fetch is not None:
            found = top_visible(gate, fetch, depth)
            lexical_hits = [(doc_key(k, rid), score) for k, rid, score in found]
    if pending is not None:
        vector, first = holder.take_dense(query, pending)
        vectors = holder.vectors

        def dense_window(size: int, listed: dict[str, set[int]] | None) -> list[Ranked]:
            if listed is None:
                return first if size == window else vectors.search(vector, size, kinds)
            return vectors.search(vector, size, allowed=vectors.allowed_keys(listed))

        found_dense = top_visible(gate, dense_window, depth)
        dense_hits = [(doc_key(k, rid), score) for k, rid, score in found_dense]
    if mode == "lexical":
        return [Hit(d, s, i + 1, None) for i, (d, s) in enumerate(lexical_hits)]
    if mode == "dense":
        return [Hit(d, s, None, i + 1) for i, (d, s) in enumerate(dense_hits)]
    fused = convex_fuse(
        lexical_hits, dense_hits, dense_weight=CONVEX_DENSE_WEIGHT, lexical_ceiling=ceiling, limit=CANDIDATES
    )
    close_list = dense_hits[:CANDIDATES]
    floor = max(DENSE_FLOOR, close_list[0][1] - DENSE_BAND) if close_list else DENSE_FLOOR
    close = {d for d, score in close_list if score >= floor}
    return [h for h in fused[:CANDIDATES] if h.lexical_rank is not None or h.doc_id in close]


def _documents(db: Session, hits: list[Hit]) -> dict[str, tuple[str, str, int | None]]:
    """Title, text and event of the shown hits' documents, read from the database (no process keeps them);
    one statement per kind, through the (kind, record_id) index."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for h in hits:
        kind, _, rid = h.doc_id.partition(":")
        by_kind[kind].append(int(rid))
    t = DOCUMENTS
    out: dict[str, tuple[str, str, int | None]] = {}
    for kind, ids in by_kind.items():
        for r in db.execute(
            select(t.c.record_id, t.c.title, t.c.text, t.c.event_id).where(
                t.c.kind == kind, t.c.record_id.in_(ids)
            )
        ):
            out[doc_key(kind, r.record_id)] = (r.title, r.text, r.event_id)
    return out


def _snippet(text: str, title_zh: str, title_en: str, query: str, zh: bool) -> str:
    """Quote the body where the query's words are; the titles too when only they hold the words."""
    quoted = snippet(_body(text, title_zh, title_en, zh), query, SNIPPET_WIDTH)
    if "<mark>" in quoted:
        return quoted
    whole = snippet(text.replace("\n", " "), query, SNIPPET_WIDTH)
    return whole if "<mark>" in whole else quoted


def _body(text: str, title_zh: str, title_en: str, zh: bool) -> str:
    """The text to quote from: the record's text without its titles, the reader's language first."""
    lines = [ln for ln in text.split("\n") if ln not in (title_zh, title_en)]
    if not zh:
        lines.sort(key=lambda ln: sum(1 for c in ln if "\u4e00" <= c <= "\u9fff") > len(ln) / 3)
    return " ".join(lines) or title_zh


# ---------------------------------------------------------------- background embedding


def _start_background_embedding(db: Session, holder: IndexHolder) -> None:
    """Embed documents that have no vector yet in a daemon thread, in small committed batches.

    Set DUIJIE_SEARCH_EMBED=off to leave this to `duijie search --reindex --embed` (tests, batch imports).
    """
    if os.environ.get("DUIJIE_SEARCH_EMBED", "background") == "off" or holder.embedding:
        return
    if not holder.vectors.missing_vectors:
        return
    bind = db.get_bind()
    engine: Engine | None = getattr(bind, "engine", None)
    if engine is None:
        return
    holder.embedding = True
    threading.Thread(target=_embed_worker, args=(engine, holder), daemon=True, name="duijie-embed").start()


def _embed_worker(engine: Engine, holder: IndexHolder) -> None:
    """Embed 32 documents at a time until none is missing; the next search picks the vectors up."""
    from duijie.core.db import make_sessionmaker, unit_of_work
    from duijie.text.embed import get_embedder

    try:
        embedder = get_embedder()
        factory = make_sessionmaker(engine)
        while True:
            with unit_of_work(factory) as db:
                db.info["search_syncing"] = True
                done = embed_missing(db, embedder, limit=32)
            if not done:
                break
    except Exception:  # the searches still work lexically; say why vectors are missing
        log.exception("background embedding of search documents stopped")
    finally:
        holder.embedding = False
