"""SearchDocument rows follow every write to a searchable record, and a re-index only touches what changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.directory.models import Organisation
from duijie.marketplace.models import Opportunity
from duijie.policies.models import Policy
from duijie.search import registry
from duijie.search.indexing import MODEL_NAME, extract, reindex, split_title
from duijie.text.embed import content_hash
from duijie.text.models import SearchDocument


@pytest.fixture(autouse=True)
def _no_background_embedding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUIJIE_SEARCH_EMBED", "off")


def _doc(db: Session, kind: str, record_id: int) -> SearchDocument | None:
    return db.scalar(
        select(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.record_id == record_id)
    )


def _project(db: Session, **kw: object) -> Opportunity:
    data: dict[str, object] = {
        "kind": "project",
        "title_zh": "怀柔量子计算中试基地项目",
        "title_en": "Huairou quantum computing pilot base",
        "summary_zh": "建设量子计算中试平台。",
        "summary_en": "A pilot platform for quantum computing.",
        "category": "park",
        "industry": "人工智能",
        "district": "怀柔区",
        "amount": Decimal("300000000"),
        "status": "published",
    }
    data.update(kw)
    row = Opportunity(**data)
    db.add(row)
    db.flush()
    return row


def _vectored_project(db: Session) -> Opportunity:
    """A demo project whose document already has its vector."""
    rid = db.scalar(
        select(SearchDocument.record_id)
        .where(SearchDocument.kind == "opportunity", SearchDocument.vector.is_not(None))
        .order_by(SearchDocument.record_id)
        .limit(1)
    )
    row = db.get(Opportunity, rid)
    assert row is not None
    return row


def test_demo_is_indexed_with_shipped_vectors_for_its_sourced_records(db: Session) -> None:
    counts = dict(db.execute(select(SearchDocument.kind, func.count()).group_by(SearchDocument.kind)).all())
    assert counts["opportunity"] == db.scalar(select(func.count(Opportunity.id)))
    assert counts["organisation"] == db.scalar(select(func.count(Organisation.id)))
    assert counts["policy"] == db.scalar(select(func.count(Policy.id)))
    assert set(counts) <= set(registry.kinds())
    # Generated records may drift from the shipped file (they are embedded later); the sourced ones do not.
    missing = db.scalars(
        select(SearchDocument.kind).where(
            SearchDocument.vector.is_(None), SearchDocument.kind.in_(["package", "policy", "achievement"])
        )
    ).all()
    assert missing == [], "demo text changed: run `python -m duijie.search.demo DEMO.db` to refresh the vectors"
    assert db.scalar(select(func.count(SearchDocument.id)).where(SearchDocument.model != MODEL_NAME)) == 0


def test_reindex_of_current_demo_changes_nothing(db: Session) -> None:
    report = reindex(db)
    assert (report.added, report.changed, report.removed) == (0, 0, 0)
    assert report.unchanged == report.records == db.scalar(select(func.count(SearchDocument.id)))


def test_created_record_is_indexed_at_flush_in_both_languages(db: Session) -> None:
    row = _project(db)
    doc = _doc(db, "opportunity", row.id)
    assert doc is not None
    assert split_title(doc.title) == ("怀柔量子计算中试基地项目", "Huairou quantum computing pilot base")
    assert {"量子", "quantum", "pilot", "怀柔区"} <= set(doc.tokens.split())
    assert doc.content_hash == content_hash(doc.text)
    assert doc.vector is None


def test_text_change_rehashes_and_drops_the_stale_vector(db: Session) -> None:
    row = _vectored_project(db)
    before = _doc(db, "opportunity", row.id)
    assert before is not None and before.vector is not None
    old_hash = before.content_hash
    row.summary_en = "Now about hydrogen fuel cells."
    db.flush()
    db.refresh(before)
    assert before.content_hash != old_hash
    assert "hydrogen" in before.tokens.split()
    assert before.vector is None


def test_change_outside_the_text_keeps_the_vector(db: Session) -> None:
    row = _vectored_project(db)
    doc = _doc(db, "opportunity", row.id)
    assert doc is not None
    vector, digest = doc.vector, doc.content_hash
    row.contact_phone = "010-12345678"
    db.flush()
    db.refresh(doc)
    assert (doc.vector, doc.content_hash) == (vector, digest)


def test_deleted_record_loses_its_document(db: Session) -> None:
    row = _project(db)
    rid = row.id
    db.delete(row)
    db.flush()
    assert _doc(db, "opportunity", rid) is None


def test_new_policy_version_reindexes_the_policy(db: Session) -> None:
    policy = db.scalars(select(Policy).order_by(Policy.id)).first()
    assert policy is not None
    version = policy.versions[-1]
    version.clauses_en = "Clause rewritten for photonics start-ups."
    version.valid_to = None
    version.valid_from = dt.date(2000, 1, 1)
    db.flush()
    doc = _doc(db, "policy", policy.id)
    assert doc is not None
    assert "photonic" in doc.tokens.split()
    assert doc.text == extract(policy).text


def test_reindex_repairs_documents_changed_behind_its_back(db: Session) -> None:
    row = _vectored_project(db)
    doc = _doc(db, "opportunity", row.id)
    assert doc is not None
    doc.content_hash = "0" * 64
    doc.tokens = ""
    stray = SearchDocument(
        kind="opportunity", record_id=999_999, title="x\nx", text="x", tokens="x", content_hash="1"
    )
    db.add(stray)
    db.flush()
    report = reindex(db)
    assert (report.added, report.changed, report.removed) == (0, 1, 1)
    db.refresh(doc)
    assert doc.tokens and doc.content_hash == content_hash(doc.text)
    assert doc.vector is not None  # the shipped vector of the unchanged text
