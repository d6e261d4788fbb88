"""Each module declares its own searchable records; search finds every declared kind, links each hit to its
own page, and never lets a search scoped to one event return another event's records."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.core.searchable import SearchFilters
from duijie.events.models import Event
from duijie.search import registry, service
from tests import factories
from tests.search.factories import records_of_event


@pytest.fixture(autouse=True)
def _no_background_embedding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUIJIE_SEARCH_EMBED", "off")


def _page_of(db: Session, kind: str, row: Any) -> str:
    """Where a record of this kind is shown, written out here independently of the declarations."""
    if kind == "opportunity":
        return f"/projects/{row.id}"
    if kind == "organisation":
        return f"/organisations/{row.slug}"
    if kind == "package":
        return f"/policies/packages/{row.slug}"
    if kind == "policy":
        return f"/policies/{row.slug}"
    if kind == "achievement":  # on its own page, not on an event page that does not show it
        return f"/achievements/{row.id}"
    event = db.get(Event, row.event_id)
    assert event is not None
    return f"/events/{event.slug}"


def test_every_module_declares_its_own_kinds_in_its_searchable_file() -> None:
    owners = {s.kind: (s.model.__module__, s.extract.__module__, s.visible.__module__) for s in registry.sources()}
    assert owners == {
        "opportunity": ("duijie.marketplace.models", "duijie.marketplace.searchable", "duijie.marketplace.searchable"),
        "organisation": ("duijie.directory.models", "duijie.directory.searchable", "duijie.directory.searchable"),
        "package": ("duijie.policies.models", "duijie.policies.searchable", "duijie.policies.searchable"),
        "policy": ("duijie.policies.models", "duijie.policies.searchable", "duijie.policies.searchable"),
        "achievement": ("duijie.exhibition.models", "duijie.exhibition.searchable", "duijie.exhibition.searchable"),
        "exhibitor": ("duijie.exhibition.models", "duijie.exhibition.searchable", "duijie.exhibition.searchable"),
        "session": ("duijie.agenda.models", "duijie.agenda.searchable", "duijie.agenda.searchable"),
    }
    assert registry.kinds() == (
        "opportunity",
        "organisation",
        "package",
        "policy",
        "achievement",
        "exhibitor",
        "session",
    )


def test_a_record_of_each_declared_kind_is_found_and_links_to_its_page(
    db: Session, client: TestClient
) -> None:
    words = "zyxquorbite"
    created = records_of_event(db, factories.event(db), words)
    created["organisation"] = factories.organisation(db, name_zh=f"{words}公司").id
    assert set(created) == set(registry.kinds())
    for kind, record_id in created.items():
        results = service.search(db, query=words, filters=SearchFilters(kind=kind), mode="lexical")
        assert [h.record_id for h in results.groups[kind]] == [record_id], kind
        row = db.get(registry.source_of_kind(kind).model, record_id)
        url = results.groups[kind][0].url
        assert url == _page_of(db, kind, row)
        assert client.get(url).status_code == 200, url


def test_a_search_scoped_to_one_event_never_returns_another_events_records(db: Session) -> None:
    first, second = factories.event(db), factories.event(db)
    words = "qwvelarion"
    ours = records_of_event(db, first, words)
    theirs = records_of_event(db, second, words)
    everywhere = service.search(db, query=words, mode="lexical", limit=100)
    for kind in ours:
        found = {h.record_id for h in everywhere.groups[kind]}
        assert {ours[kind], theirs[kind]} <= found, kind
    for event, own, other in ((first, ours, theirs), (second, theirs, ours)):
        scoped = service.search(
            db, query=words, filters=SearchFilters(event=event.slug), mode="lexical", limit=100
        )
        assert {kind: [h.record_id for h in hits] for kind, hits in scoped.groups.items()} == {
            kind: [rid] for kind, rid in own.items()
        }
        assert all(h.event == event.name_zh for hits in scoped.groups.values() for h in hits)
        # Records of different kinds may share an id number: compare (kind, id) pairs.
        found = {(kind, h.record_id) for kind, hits in scoped.groups.items() for h in hits}
        assert not set(other.items()) & found


def test_a_filter_a_kind_does_not_know_leaves_that_kind_out(db: Session) -> None:
    """An industry search asks only the kinds that carry an industry (projects, organisations, exhibitors)."""
    results = service.search(
        db, query="人工智能", filters=SearchFilters(industry="人工智能"), mode="lexical", limit=5
    )
    assert set(results.groups) <= {"opportunity", "organisation", "exhibitor"}
    assert "opportunity" in results.groups
