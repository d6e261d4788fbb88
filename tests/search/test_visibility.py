"""A search asks each kind about the best-ranked candidates only, reads deeper when the reader may see too few of
them, and lists the visible records only when the filters let few through; whatever the path, the reader gets
exactly the records they may find, best first."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session

from duijie.core.auth import ANONYMOUS, Actor
from duijie.core.searchable import SearchFilters
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.search import lexical, registry
from duijie.search.vectors import KIND_SHIFT, Snapshot, rows_of_kinds
from duijie.search.visibility import Gate, top_visible
from duijie.text.tokenize import tokenize
from tests import factories

WORD = "zorvexium"


@pytest.fixture(autouse=True)
def _no_background_embedding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUIJIE_SEARCH_EMBED", "off")


def _projects(
    db: Session, n: int, *, status: str = "published", event: Event | None = None, repeat: int = 1
) -> list[int]:
    """`n` projects holding WORD `repeat` times more in their text (more often ranks higher)."""
    rows = [
        Opportunity(
            kind="project",
            title_zh=f"{WORD}项目{i}{status}",
            title_en=f"{WORD} project {i} {status}",
            summary_en=" ".join([WORD] * (repeat - 1)) or None,
            category="park",
            industry="人工智能",
            district="海淀区",
            amount=Decimal("100000000"),
            status=status,
            event_id=event.id if event is not None else None,
        )
        for i in range(n)
    ]
    db.add_all(rows)
    db.flush()
    return [r.id for r in rows]


def _gate(db: Session, actor: Actor | None = ANONYMOUS, event: Event | None = None) -> Gate:
    f = SearchFilters(kind="opportunity", event=event.slug if event is not None else None)
    event_id = event.id if event is not None else None
    return Gate(db, actor, f, event_id, [registry.source_of_kind("opportunity")])


def _lexical(db: Session) -> lexical.Fetch:
    fetch, _ = lexical.ranking(db, tokenize(WORD), ["opportunity"])
    assert fetch is not None
    return fetch


def test_only_a_window_of_the_best_candidates_is_asked_about(db: Session) -> None:
    published = _projects(db, 40)
    gate = _gate(db)
    found = top_visible(gate, _lexical(db), 4)
    assert len(found) == 4 and {rid for _, rid, _ in found} <= set(published)
    assert gate.asked == 5  # 4 and a quarter more, not the 40 visible records
    assert gate.listed is None


def test_hidden_candidates_make_the_window_deeper_and_never_reach_the_reader(db: Session) -> None:
    drafts = _projects(db, 30, status="draft", repeat=4)  # ranked above every published one
    published = _projects(db, 6)
    gate = _gate(db)
    found = top_visible(gate, _lexical(db), 6)
    assert sorted(rid for _, rid, _ in found) == sorted(published)
    scores = [s for _, _, s in found]
    assert scores == sorted(scores, reverse=True)
    assert gate.asked == 36 and gate.listed is None
    # an organiser sees the drafts among the same candidates
    organiser = factories.actor(db, role="organiser")
    seen = top_visible(_gate(db, organiser), _lexical(db), 36)
    assert sorted(rid for _, rid, _ in seen) == sorted(drafts + published)


def test_narrow_filters_list_the_few_visible_records_instead_of_widening_forever(db: Session) -> None:
    _projects(db, 30)
    event = factories.event(db)
    ours = _projects(db, 2, event=event)
    gate = _gate(db, event=event)
    found = top_visible(gate, _lexical(db), 5, window_max=10)
    assert sorted(rid for _, rid, _ in found) == sorted(ours)
    assert gate.listed == {"opportunity": set(ours)}


def test_nothing_visible_under_the_filters_finds_nothing(db: Session) -> None:
    _projects(db, 10)
    event = factories.event(db)
    gate = _gate(db, event=event)
    assert top_visible(gate, _lexical(db), 5, window_max=4) == []


def test_dense_rows_of_some_kinds_are_their_key_ranges() -> None:
    kinds = ("achievement", "opportunity", "session")
    keys = np.array(
        [(0 << KIND_SHIFT) | 3, (1 << KIND_SHIFT) | 1, (1 << KIND_SHIFT) | 7, (2 << KIND_SHIFT) | 2], dtype=np.int64
    )
    matrix = np.eye(4, 8, dtype=np.float32)
    snapshot = Snapshot(Path("x.vec"), "g", 1, kinds, keys, matrix, None, None)
    assert rows_of_kinds(snapshot, ["opportunity"]).tolist() == [1, 2]
    assert rows_of_kinds(snapshot, ["session", "achievement"]).tolist() == [0, 3]
    assert rows_of_kinds(snapshot, None).tolist() == [0, 1, 2, 3]
    assert rows_of_kinds(snapshot, ["policy"]).tolist() == []
