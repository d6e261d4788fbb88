"""What each searchable record contributes to the search index, and keeping SearchDocument rows in step.

Every write to an opportunity, organisation, policy package, policy (or one of its versions), achievement,
exhibitor or agenda session is seen by a session event after the flush: the record's bilingual text is
extracted, tokenised and stored in the same transaction, so the lexical part is current at once. The vector
is kept when the text did not change (same content hash), taken from the shipped demo vectors when the hash
is known, and otherwise left empty for the background embedder or `reindex(embed=True)` to fill.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from sqlalchemy import bindparam, delete, event, insert, select, tuple_, update
from sqlalchemy.orm import Session, selectinload

from duijie.agenda.models import AgendaSession
from duijie.directory.models import Organisation
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.exhibition.models import Achievement, Exhibitor
from duijie.marketplace.models import Opportunity
from duijie.policies.models import Policy, PolicyPackage, PolicyVersion
from duijie.text.embed import Embedder, content_hash, to_bytes
from duijie.text.models import SearchDocument
from duijie.text.tokenize import tokenize

KINDS: tuple[str, ...] = (
    "opportunity",
    "organisation",
    "package",
    "policy",
    "achievement",
    "exhibitor",
    "session",
)
MODEL_NAME = "multilingual-e5-small-q4+lc1"
DEMO_VECTORS_FILE = "demo_vectors.npz"
TITLE_MAX = 149

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Extract:
    """The searchable part of one record: both titles and the text that is tokenised and embedded."""

    kind: str
    record_id: int
    event_id: int | None
    title_zh: str
    title_en: str
    text: str

    @property
    def doc_id(self) -> str:
        return doc_key(self.kind, self.record_id)

    @property
    def title(self) -> str:
        """Stored as two lines, Chinese then English, so results can be shown in either language."""
        return f"{self.title_zh[:TITLE_MAX]}\n{self.title_en[:TITLE_MAX]}"

    @property
    def hash(self) -> str:
        return content_hash(self.text)


def doc_key(kind: str, record_id: int) -> str:
    """The id of a record in the in-memory index."""
    return f"{kind}:{record_id}"


def split_title(title: str) -> tuple[str, str]:
    """The Chinese and English titles of a stored SearchDocument title."""
    zh, _, en = title.partition("\n")
    return zh, en or zh


def _join(*parts: str | None) -> str:
    """Non-empty parts, one a line, each once."""
    return "\n".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def _opportunity(row: Opportunity) -> Extract:
    facets = _join(
        row.industry,
        INDUSTRY_EN.get(row.industry or ""),
        row.district,
        DISTRICT_EN.get(row.district or ""),
    ).replace("\n", " ")
    text = _join(row.title_zh, row.title_en, row.summary_zh, row.summary_en, row.licensing_terms, facets)
    return Extract("opportunity", row.id, row.event_id, row.title_zh, row.title_en or row.title_zh, text)


def _organisation(row: Organisation) -> Extract:
    industries = " ".join(f"{i} {INDUSTRY_EN.get(i, '')}" for i in row.industries or [])
    facets = _join(row.park, row.district, DISTRICT_EN.get(row.district or ""), industries).replace("\n", " ")
    text = _join(row.name_zh, row.name_en, row.description_zh, row.description_en, facets)
    return Extract("organisation", row.id, None, row.name_zh, row.name_en or row.name_zh, text)


def _package(row: PolicyPackage) -> Extract:
    text = _join(row.name_zh, row.name_en, row.description_zh, row.description_en)
    return Extract("package", row.id, row.event_id, row.name_zh, row.name_en or row.name_zh, text)


def _policy(row: Policy) -> Extract:
    from duijie.policies.service import current_version

    version = current_version(row)
    clauses = (version.clauses_zh, version.clauses_en) if version is not None else (None, None)
    text = _join(row.name_zh, row.name_en, row.issuer_zh, row.issuer_en, *clauses)
    event_id = row.package.event_id if row.package is not None else None
    return Extract("policy", row.id, event_id, row.name_zh, row.name_en or row.name_zh, text)


def _achievement(row: Achievement) -> Extract:
    text = _join(row.title_zh, row.title_en, row.field, row.description_zh, row.description_en)
    return Extract("achievement", row.id, row.event_id, row.title_zh, row.title_en or row.title_zh, text)


def _exhibitor(row: Exhibitor) -> Extract:
    org = row.organisation
    zh, en = org.name_zh, org.name_en or org.name_zh
    text = _join(zh, en, row.showcase_zh, row.showcase_en, row.hall, row.booth)
    return Extract("exhibitor", row.id, row.event_id, zh, en, text)


def _session(row: AgendaSession) -> Extract:
    text = _join(row.title_zh, row.title_en, row.description_zh, row.description_en)
    return Extract("session", row.id, row.event_id, row.title_zh, row.title_en or row.title_zh, text)


@dataclass(frozen=True)
class Source:
    """One searchable model: its kind, how to extract its text, and what to load with it in bulk."""

    kind: str
    model: type[Any]
    extract: Callable[[Any], Extract]
    load: tuple[Any, ...] = ()


SOURCES: tuple[Source, ...] = (
    Source("opportunity", Opportunity, _opportunity),
    Source("organisation", Organisation, _organisation),
    Source("package", PolicyPackage, _package),
    Source("policy", Policy, _policy, (selectinload(Policy.versions), selectinload(Policy.package))),
    Source("achievement", Achievement, _achievement),
    Source("exhibitor", Exhibitor, _exhibitor, (selectinload(Exhibitor.organisation),)),
    Source("session", AgendaSession, _session),
)
SOURCE_OF_MODEL: dict[type[Any], Source] = {s.model: s for s in SOURCES}
SOURCE_OF_KIND: dict[str, Source] = {s.kind: s for s in SOURCES}


def extract(record: Any) -> Extract:
    """The searchable text of any indexed record."""
    return SOURCE_OF_MODEL[type(record)].extract(record)


@cache
def demo_vectors() -> dict[str, np.ndarray]:
    """Vectors of the demo's texts by content hash, shipped with the package so the demo needs no embedding."""
    ref = resources.files("duijie.text").joinpath(f"data/{DEMO_VECTORS_FILE}")
    if not ref.is_file():
        return {}
    with ref.open("rb") as fh, np.load(fh) as data:
        if str(data["model"]) != MODEL_NAME:
            return {}
        return dict(zip(data["keys"].tolist(), np.asarray(data["vectors"], dtype=np.float32), strict=True))


def _known_vector(digest: str) -> bytes | None:
    """A vector for this exact text if one is already known without running the model."""
    vector = demo_vectors().get(digest)
    return None if vector is None else to_bytes(vector)


def sync_record(db: Session, record: Any) -> bool:
    """Bring the record's SearchDocument in step with it; returns True if the stored text changed."""
    item = record if isinstance(record, Extract) else extract(record)
    digest = item.hash
    table = SearchDocument.__table__
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
    if row is None:
        db.execute(insert(table).values(kind=item.kind, record_id=item.record_id, **values))
    else:
        db.execute(update(table).where(table.c.id == row.id).values(**values))
    return True


def _values(item: Extract) -> dict[str, Any]:
    """The stored columns of a document whose text is new or changed."""
    digest = item.hash
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
    table = SearchDocument.__table__
    result = db.execute(delete(table).where(table.c.kind == kind, table.c.record_id == record_id))
    return bool(getattr(result, "rowcount", 0))


# ---------------------------------------------------------------- following every write


def _changed_keys(session: Session) -> tuple[set[tuple[type[Any], int]], set[tuple[str, int]]]:
    """The records to re-index and the (kind, id) documents to drop after this flush."""
    sync: set[tuple[type[Any], int]] = set()
    drop: set[tuple[str, int]] = set()
    for obj in list(session.new) + list(session.dirty):
        cls = type(obj)
        if cls in SOURCE_OF_MODEL and obj.id is not None:
            sync.add((cls, obj.id))
        elif cls is PolicyVersion and obj.policy_id is not None:
            sync.add((Policy, obj.policy_id))
    for obj in session.deleted:
        cls = type(obj)
        if cls in SOURCE_OF_MODEL and obj.id is not None:
            drop.add((SOURCE_OF_MODEL[cls].kind, obj.id))
        elif cls is PolicyVersion and obj.policy_id is not None:
            sync.add((Policy, obj.policy_id))
    return sync, drop


def _after_flush(session: Session, _context: Any) -> None:
    """Remember what this flush changed; the documents are written once the flush has finished."""
    if session.info.get("search_syncing"):
        return
    sync, drop = _changed_keys(session)
    if sync or drop:
        pending = session.info.setdefault("search_pending", ({}, set()))
        for key in sync:
            pending[0][key] = True
        pending[1].update(drop)


def _after_flush_postexec(session: Session, _context: Any) -> None:
    """Write the SearchDocuments of the records changed by the flush, in the same transaction."""
    pending = session.info.pop("search_pending", None)
    if not pending or session.info.get("search_syncing"):
        return
    sync, drop = pending
    session.info["search_syncing"] = True
    try:
        with session.no_autoflush:
            for kind, record_id in drop:
                remove_record(session, kind, record_id)
            for cls, record_id in sync:
                if (SOURCE_OF_MODEL[cls].kind, record_id) in drop:
                    continue
                record = session.get(cls, record_id)
                if record is None:
                    remove_record(session, SOURCE_OF_MODEL[cls].kind, record_id)
                else:
                    sync_record(session, record)
                    if cls is Organisation:
                        for exhibitor in session.scalars(
                            select(Exhibitor).where(Exhibitor.organisation_id == record_id)
                        ):
                            sync_record(session, exhibitor)
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


def iter_extracts(db: Session, kinds: Iterable[str] = KINDS) -> Iterator[Extract]:
    """Every indexed record's text, kind by kind."""
    for kind in kinds:
        source = SOURCE_OF_KIND[kind]
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
    table = SearchDocument.__table__
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
            if row is not None and row.content_hash == item.hash:
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
        if added:
            db.execute(insert(table), added)
        if changed:
            db.execute(update(table).where(table.c.id == bindparam("_id")), changed)
        if retitled:
            db.execute(update(table).where(table.c.id == bindparam("_id")), retitled)
        report.added, report.changed = len(added), len(changed)
        gone = [row.id for key, row in existing.items() if key not in seen]
        for start in range(0, len(gone), 500):
            db.execute(delete(table).where(table.c.id.in_(gone[start : start + 500])))
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
    table = SearchDocument.__table__
    rows = db.execute(select(table.c.id, table.c.content_hash).where(table.c.vector.is_(None))).all()
    found = [(r.id, r.content_hash) for r in rows if r.content_hash in known]
    for row_id, digest in found:
        db.execute(
            update(table).where(table.c.id == row_id).values(vector=to_bytes(known[digest]), model=MODEL_NAME)
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
    from duijie.text.embed import EmbeddingCache, embed_with_cache

    table = SearchDocument.__table__
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
    for r, vector in zip(rows, vectors, strict=True):
        db.execute(
            update(table)
            .where(table.c.id == r.id, table.c.content_hash == r.content_hash)
            .values(vector=to_bytes(vector), model=embedder.name)
        )
    return len(rows)
