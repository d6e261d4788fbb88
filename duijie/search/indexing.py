"""Keeping each searchable record's SearchDocument in step with it, after every write and on a full re-index.

The records are those every module declares in its `searchable.py` (see `core.searchable`). Every write to one
of them (or to a row its text depends on, such as a policy's version) is seen by a session event after the
flush: the record's bilingual text is extracted, tokenised and stored in the same transaction, so the lexical
part is current at once. The vector is kept when the text did not change (same content hash), taken from the
shipped demo vectors when the hash is known, and otherwise left empty for the background embedder or
`reindex(embed=True)` to fill.

Every write of a document's text or vector takes the next data version (`next_seq`) and every removal is
logged in `search_removed` with it, in the same transaction: the database keeps the lexical index itself, and
a process holding the vectors sees from one row that something changed and reloads only the documents
written since the version its shared vector file was made at (`duijie.search.vectors`).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, event, insert, select, tuple_, update
from sqlalchemy.orm import Session

from duijie.core.searchable import Extract, Follow
from duijie.search import registry
from duijie.text.embed import (
    DEMO_VECTORS_MODEL,
    Embedder,
    EmbeddingCache,
    content_hash,
    demo_vectors,
    embed_with_cache,
    to_bytes,
)
from duijie.text.models import SearchDocument, SearchRemoved, SearchState
from duijie.text.tokenize import tokenize

ProgressCallback = Callable[[int, int], None]
# The model whose vectors the documents store: the one the shipped demo vectors were computed with.
MODEL_NAME = DEMO_VECTORS_MODEL
DOCUMENTS = cast(Table, SearchDocument.__table__)
REMOVED = cast(Table, SearchRemoved.__table__)
STATE = cast(Table, SearchState.__table__)


def next_seq(db: Session) -> int:
    """Advance the index's data version (with a fresh token) and return it; the write that follows carries it.

    On PostgreSQL the row lock this takes is held until the transaction ends, so writers of search documents
    commit in the order of their versions: a reader that has seen version n has seen every write before it.
    """
    seq = db.execute(
        update(STATE)
        .where(STATE.c.id == 1)
        .values(seq=STATE.c.seq + 1, token=secrets.token_hex(16))
        .returning(STATE.c.seq)
    ).scalar_one_or_none()
    if seq is None:
        # A schema made without the migrations (create_all) has no state row yet: the first write makes it.
        db.execute(insert(STATE).values(id=1, seq=1, token=secrets.token_hex(16), generation=secrets.token_hex(16)))
        return 1
    return int(seq)


def _log_removed(db: Session, keys: list[tuple[str, int]], seq: int) -> None:
    """Remember removed documents at `seq` (one row per key: a later removal replaces the earlier one)."""
    if not keys:
        return
    _unlog_removed(db, keys)
    db.execute(insert(REMOVED), [{"kind": k, "record_id": r, "seq": seq} for k, r in keys])


def _unlog_removed(db: Session, keys: list[tuple[str, int]]) -> None:
    """A record indexed anew is no longer removed (keeps search_removed to the records that are gone)."""
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        db.execute(delete(REMOVED).where(tuple_(REMOVED.c.kind, REMOVED.c.record_id).in_(chunk)))


def doc_key(kind: str, record_id: int) -> str:
    """The id of a record in the in-memory index."""
    return f"{kind}:{record_id}"


def split_title(title: str) -> tuple[str, str]:
    """The Chinese and English titles of a stored SearchDocument title."""
    zh, _, en = title.partition("\n")
    return zh, en or zh


def extract(record: Any) -> Extract:
    """The searchable text of any indexed record, as its module declares it."""
    source = registry.source_of_model(type(record))
    if source is None:
        raise TypeError(f"{type(record).__name__} is not declared searchable")
    return source.extract(record)


def _known_vector(digest: str) -> bytes | None:
    """A vector for this exact text if one is already known without running the model."""
    vector = demo_vectors().get(digest)
    return None if vector is None else to_bytes(vector)


def sync_record(db: Session, record: Any) -> bool:
    """Bring the record's SearchDocument in step with it; returns True if the stored text changed."""
    item = record if isinstance(record, Extract) else extract(record)
    digest = content_hash(item.text)
    table = DOCUMENTS
    row = db.execute(
        select(table.c.id, table.c.content_hash, table.c.title, table.c.event_id).where(
            table.c.kind == item.kind, table.c.record_id == item.record_id
        )
    ).first()
    if row is not None and row.content_hash == digest:
        if row.title != item.title or row.event_id != item.event_id:
            db.execute(
                update(table).where(table.c.id == row.id).values(title=item.title, event_id=item.event_id)
            )
        return False
    values = _values(item)
    values["seq"] = next_seq(db)
    if row is None:
        _unlog_removed(db, [(item.kind, item.record_id)])
        db.execute(insert(table).values(kind=item.kind, record_id=item.record_id, **values))
    else:
        db.execute(update(table).where(table.c.id == row.id).values(**values))
    return True


def _values(item: Extract) -> dict[str, Any]:
    """The stored columns of a document whose text is new or changed."""
    digest = content_hash(item.text)
    vector = _known_vector(digest)
    return {
        "title": item.title,
        "event_id": item.event_id,
        "text": item.text,
        "tokens": " ".join(tokenize(item.text)),
        "content_hash": digest,
        "model": MODEL_NAME if vector is not None else None,
        "vector": vector,
    }


def remove_record(db: Session, kind: str, record_id: int) -> bool:
    """Drop a deleted record's SearchDocument; returns True if there was one."""
    table = DOCUMENTS
    result = db.execute(delete(table).where(table.c.kind == kind, table.c.record_id == record_id))
    if not getattr(result, "rowcount", 0):
        return False
    _log_removed(db, [(kind, record_id)], next_seq(db))
    return True


# ---------------------------------------------------------------- following every write

# What a flush changed: records to index again, documents to drop, and rows other records' text depends on.
Pending = tuple[
    dict[tuple[str, int], bool], set[tuple[str, int]], dict[tuple[int, int], tuple[str, Follow, Any]]
]


def _changed(session: Session, pending: Pending) -> None:
    """Add to `pending` the records to re-index, the (kind, id) documents to drop and the rows whose writes
    change other records' text (resolved after the flush, when their records can be read)."""
    sync, drop, follow = pending
    for obj in list(session.new) + list(session.dirty):
        source = registry.source_of_model(type(obj))
        if source is not None and obj.id is not None:
            sync[source.kind, obj.id] = True
        for owner, rule in registry.follows_of(type(obj)):
            follow[id(rule), id(obj)] = (owner.kind, rule, obj)
    for obj in session.deleted:
        source = registry.source_of_model(type(obj))
        if source is not None and obj.id is not None:
            drop.add((source.kind, obj.id))
        for owner, rule in registry.follows_of(type(obj)):
            follow[id(rule), id(obj)] = (owner.kind, rule, obj)


def _after_flush(session: Session, _context: Any) -> None:
    """Remember what this flush changed; the documents are written once the flush has finished."""
    if session.info.get("search_syncing"):
        return
    pending: Pending = session.info.get("search_pending") or ({}, set(), {})
    _changed(session, pending)
    if any(pending):
        session.info["search_pending"] = pending


def _after_flush_postexec(session: Session, _context: Any) -> None:
    """Write the SearchDocuments of the records changed by the flush, in the same transaction."""
    pending: Pending | None = session.info.pop("search_pending", None)
    if not pending or session.info.get("search_syncing"):
        return
    sync, drop, follow = pending
    session.info["search_syncing"] = True
    try:
        with session.no_autoflush:
            for kind, record_id in drop:
                remove_record(session, kind, record_id)
            keys = list(sync)
            for kind, rule, obj in follow.values():
                keys += [(kind, rid) for rid in rule.record_ids(session, obj)]
            for kind, record_id in dict.fromkeys(keys):
                if (kind, record_id) in drop:
                    continue
                record = session.get(registry.source_of_kind(kind).model, record_id)
                if record is None:
                    remove_record(session, kind, record_id)
                else:
                    sync_record(session, record)
    finally:
        session.info.pop("search_syncing", None)


_installed = False
_install_lock = threading.Lock()


def install() -> None:
    """Follow every session's writes; idempotent, done once when this module is first imported."""
    global _installed
    with _install_lock:
        if _installed:
            return
        registry.sources()  # every module's declarations, read once, before the first flush needs them
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_flush_postexec", _after_flush_postexec)
        _installed = True


install()


# ---------------------------------------------------------------- full, incremental re-index


@dataclass
class ReindexReport:
    """What a re-index did, by document."""

    records: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    embedded: int = 0
    missing_vectors: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def iter_extracts(db: Session, kinds: Iterable[str] | None = None) -> Iterator[Extract]:
    """Every indexed record's text, kind by kind (all declared kinds by default)."""
    for kind in registry.kinds() if kinds is None else kinds:
        source = registry.source_of_kind(kind)
        stmt = select(source.model).order_by(source.model.id)
        if source.load:
            stmt = stmt.options(*source.load)
        for record in db.scalars(stmt):
            yield source.extract(record)


def reindex(
    db: Session,
    *,
    embedder: Embedder | None = None,
    progress: ProgressCallback | None = None,
    embed_progress: ProgressCallback | None = None,
) -> ReindexReport:
    """Bring every SearchDocument in step with its record, touching only those whose text changed.

    With an embedder, documents without a vector are embedded too (each distinct text once, in batches).
    """
    report = ReindexReport()
    table = DOCUMENTS
    existing = {
        (r.kind, r.record_id): r
        for r in db.execute(
            select(
                table.c.id,
                table.c.kind,
                table.c.record_id,
                table.c.content_hash,
                table.c.title,
                table.c.event_id,
            )
        )
    }
    items = list(iter_extracts(db))
    report.records = len(items)
    seen: set[tuple[str, int]] = set()
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    retitled: list[dict[str, Any]] = []
    db.info["search_syncing"] = True
    try:
        for done, item in enumerate(items, 1):
            key = (item.kind, item.record_id)
            seen.add(key)
            report.by_kind[item.kind] = report.by_kind.get(item.kind, 0) + 1
            row = existing.get(key)
            if row is not None and row.content_hash == content_hash(item.text):
                report.unchanged += 1
                if row.title != item.title or row.event_id != item.event_id:
                    retitled.append({"_id": row.id, "title": item.title, "event_id": item.event_id})
            elif row is None:
                added.append({"kind": item.kind, "record_id": item.record_id, **_values(item)})
            else:
                changed.append({"_id": row.id, **_values(item)})
            if progress is not None and (done % 50 == 0 or done == len(items)):
                progress(done, len(items))
        # One statement per batch: a thousand single-row statements cost more than tokenising the text.
        gone = [(key, row.id) for key, row in existing.items() if key not in seen]
        seq = next_seq(db) if added or changed or gone else 0
        if added:
            _unlog_removed(db, [(a["kind"], a["record_id"]) for a in added])
            db.execute(insert(table), [{**a, "seq": seq} for a in added])
        if changed:
            db.execute(update(table).where(table.c.id == bindparam("_id")), [{**c, "seq": seq} for c in changed])
        if retitled:
            db.execute(update(table).where(table.c.id == bindparam("_id")), retitled)
        report.added, report.changed = len(added), len(changed)
        gone_ids = [row_id for _, row_id in gone]
        for start in range(0, len(gone_ids), 500):
            db.execute(delete(table).where(table.c.id.in_(gone_ids[start : start + 500])))
        _log_removed(db, [key for key, _ in gone], seq)
        report.removed = len(gone)
        attach_known_vectors(db)
        if embedder is not None:
            report.embedded = embed_missing(db, embedder, progress=embed_progress)
    finally:
        db.info.pop("search_syncing", None)
    report.missing_vectors = len(db.execute(select(table.c.id).where(table.c.vector.is_(None))).all())
    return report


def attach_known_vectors(db: Session) -> int:
    """Give documents without a vector the shipped vector of the same text, if there is one."""
    known = demo_vectors()
    if not known:
        return 0
    table = DOCUMENTS
    rows = db.execute(select(table.c.id, table.c.content_hash).where(table.c.vector.is_(None))).all()
    found = [(r.id, r.content_hash) for r in rows if r.content_hash in known]
    seq = next_seq(db) if found else 0
    for row_id, digest in found:
        db.execute(
            update(table)
            .where(table.c.id == row_id)
            .values(vector=to_bytes(known[digest]), model=MODEL_NAME, seq=seq)
        )
    return len(found)


def embed_missing(
    db: Session,
    embedder: Embedder,
    *,
    limit: int | None = None,
    records: Iterable[tuple[str, int]] | None = None,
    progress: ProgressCallback | None = None,
) -> int:
    """Embed the documents that have no vector yet (all, or those of the given (kind, id) records),
    reusing any vector stored for the same text."""
    table = DOCUMENTS
    stmt = (
        select(table.c.id, table.c.text, table.c.content_hash)
        .where(table.c.vector.is_(None))
        .order_by(table.c.id)
    )
    if records is not None:
        stmt = stmt.where(tuple_(table.c.kind, table.c.record_id).in_(list(records)))
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = db.execute(stmt).all()
    if not rows:
        return 0
    cache = EmbeddingCache(embedder.dim)
    hashes = {r.content_hash for r in rows}
    for digest, data in db.execute(
        select(table.c.content_hash, table.c.vector).where(
            table.c.content_hash.in_(hashes), table.c.vector.is_not(None), table.c.model == embedder.name
        )
    ):
        cache.put_bytes(digest, data)
    vectors = embed_with_cache(embedder, [r.text for r in rows], cache, progress)
    seq = next_seq(db)
    for r, vector in zip(rows, vectors, strict=True):
        db.execute(
            update(table)
            .where(table.c.id == r.id, table.c.content_hash == r.content_hash)
            .values(vector=to_bytes(vector), model=embedder.name, seq=seq)
        )
    return len(rows)
