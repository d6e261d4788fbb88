"""The search service: one in-memory hybrid index per database, kept in step with its SearchDocument rows.

The index is built from the stored tokens and vector bytes (no re-embedding on restart). Before each search a
one-row signature of the table (count, sum of ids, latest update) is compared with the one the index was last
synced at; when it differs, only rows whose content hash or vector changed are reloaded, so the index sees
this transaction's own writes, other workers' writes, and rolled-back ones. Structured filters are applied in
SQL on the records themselves and handed to the index as the set of allowed documents.

On PostgreSQL the same in-process BM25 is used: PostgreSQL has no Chinese parser without extensions
(zhparser), its `ts_rank` is not BM25, and pg_trgm ranks by character overlap; re-using our own tokens gives
one results contract on both databases at ~10 ms p95 for 100,000 documents (bench/bench_search.py).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.searchable import SearchFilters
from duijie.events.models import Event
from duijie.events.service import find_event
from duijie.search import registry
from duijie.search.indexing import DOCUMENTS, MODEL_NAME, doc_key, embed_missing, split_title
from duijie.text.embed import from_bytes
from duijie.text.search import MODES, HybridIndex, Mode, snippet

log = logging.getLogger(__name__)

DIM = 384
CANDIDATES = 300
MAX_LIMIT = 100
SNIPPET_WIDTH = 140
# A hit found by meaning alone is kept above this cosine similarity (of language-centred e5 vectors, where
# related demo records score 0.2-0.35 and unrelated ones 0.1-0.25) and within DENSE_BAND of the best one.
DENSE_FLOOR = 0.2
DENSE_BAND = 0.1


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
    """The process-wide index of one database and what it was last synced at."""

    def __init__(self) -> None:
        self.index = HybridIndex(_LazyEmbedder())
        self.signature: tuple[Any, ...] | None = None
        self.state: dict[str, tuple[str, bool]] = {}  # doc id -> (content hash, has vector)
        self.docs: dict[str, tuple[str, str, int | None]] = {}  # doc id -> (title, text, event id)
        self.lock = threading.RLock()
        self.embedding = False

    def sync(self, db: Session) -> None:
        """Reload the rows that changed since the last sync (all of them the first time)."""
        t = DOCUMENTS
        signature = tuple(
            db.execute(
                select(func.count(t.c.id), func.coalesce(func.sum(t.c.id), 0), func.max(t.c.updated_at))
            ).one()
        )
        if signature == self.signature:
            return
        current = {
            doc_key(r.kind, r.record_id): (r.content_hash, bool(r.has_vector))
            for r in db.execute(
                select(t.c.kind, t.c.record_id, t.c.content_hash, t.c.vector.is_not(None).label("has_vector"))
            )
        }
        for doc_id in set(self.state) - set(current):
            self.index.remove(doc_id)
            self.state.pop(doc_id, None)
            self.docs.pop(doc_id, None)
        changed = [d for d, s in current.items() if self.state.get(d) != s]
        by_kind: dict[str, list[int]] = defaultdict(list)
        for doc_id in changed:
            kind, _, rid = doc_id.partition(":")
            by_kind[kind].append(int(rid))
        for kind, ids in by_kind.items():
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = db.execute(
                    select(
                        t.c.kind,
                        t.c.record_id,
                        t.c.event_id,
                        t.c.title,
                        t.c.text,
                        t.c.tokens,
                        t.c.model,
                        t.c.vector,
                    ).where(t.c.kind == kind, t.c.record_id.in_(chunk))
                )
                for r in rows:
                    self._load(r)
        self.state = {d: current[d] for d in current if d in self.docs}
        self.signature = signature

    def _load(self, r: Any) -> None:
        """Put one stored document into the index: its tokens always, its vector when it has one."""
        doc_id = doc_key(r.kind, r.record_id)
        self.index.lexical.upsert(doc_id, r.tokens.split())
        assert self.index.dense is not None
        if r.vector is not None and r.model == MODEL_NAME:
            self.index.dense.upsert(doc_id, from_bytes(r.vector, DIM))
        else:
            self.index.dense.remove(doc_id)
        self.docs[doc_id] = (r.title, r.text, r.event_id)


_holders: dict[str, IndexHolder] = {}
_holders_lock = threading.Lock()


def _holder(db: Session) -> IndexHolder:
    """The index of the database this session is bound to."""
    bind = db.get_bind()
    key = bind.engine.url.render_as_string(hide_password=True) if hasattr(bind, "engine") else str(id(bind))
    with _holders_lock:
        holder = _holders.get(key)
        if holder is None:
            holder = _holders[key] = IndexHolder()
        return holder


def reset_indexes() -> None:
    """Forget every in-memory index (they are rebuilt from the database on the next search)."""
    with _holders_lock:
        _holders.clear()


# ---------------------------------------------------------------- filters


def _allowed(db: Session, actor: Actor | None, filters: SearchFilters) -> set[str]:
    """The documents the filters and the actor's rights let through, as each kind's module decides.

    A kind takes part only if it knows every filter that is set: an industry search finds no policy packages.
    """
    event = find_event(db, slug=filters.event)
    event_id = event.id if event is not None else None
    given = filters.given()
    allowed: set[str] = set()
    for source in registry.sources():
        if (filters.kind and source.kind != filters.kind) or not given <= source.filters:
            continue
        allowed.update(doc_key(source.kind, rid) for rid in source.visible_ids(db, actor, filters, event_id))
    return allowed


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
        has_vectors = holder.index.dense is not None and len(holder.index.dense) > 0
        effective: Mode = mode if has_vectors else "lexical"
        allowed = _allowed(db, actor, filters)
        hits = holder.index.search(query, k=CANDIDATES, mode=effective, allowed=allowed) if allowed else []
        if effective != "lexical" and hits:
            close = _close_by_meaning(holder, query, allowed)
            hits = [h for h in hits if h.lexical_rank is not None or h.doc_id in close]
        docs = {h.doc_id: holder.docs[h.doc_id] for h in hits}
    _start_background_embedding(db, holder)
    results = SearchResults(query=query, mode=effective)
    grouped: dict[str, list[Any]] = defaultdict(list)
    for h in hits:
        grouped[h.doc_id.partition(":")[0]].append(h)
    kinds = registry.kinds()
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


def _close_by_meaning(holder: IndexHolder, query: str, allowed: set[str]) -> set[str]:
    """Documents whose cosine similarity to the query clears the floor: dense-only hits below it are noise."""
    dense = holder.index.dense
    assert dense is not None
    found = dense.search(holder.index.embed_query(query), CANDIDATES, mask=dense.row_mask(allowed))
    floor = max(DENSE_FLOOR, found[0][1] - DENSE_BAND) if found else DENSE_FLOOR
    return {doc_id for doc_id, score in found if score >= floor}


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
    if all(has for _, has in holder.state.values()):
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
