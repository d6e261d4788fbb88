"""The search service on the demo: both languages, every filter, rights, and an index that follows writes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import ANONYMOUS, Actor, Grant
from duijie.core.errors import DomainError
from duijie.core.searchable import SearchFilters
from duijie.directory.accounts import load_actor
from duijie.directory.models import Account, Organisation
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.search import registry, service
from duijie.search.indexing import embed_missing
from duijie.text.embed import get_embedder
from tests import factories


@pytest.fixture(autouse=True)
def _no_background_embedding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUIJIE_SEARCH_EMBED", "off")


def _ids(results: service.SearchResults, kind: str) -> list[int]:
    return [h.record_id for h in results.groups.get(kind, [])]


def _project(db: Session, **kw: object) -> Opportunity:
    data: dict[str, object] = {
        "kind": "project",
        "title_zh": "怀柔量子计算中试基地项目",
        "title_en": "Huairou quantum computing pilot base",
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


def test_new_record_is_found_at_once_and_gone_after_rollback(db: Session) -> None:
    nested = db.begin_nested()
    row = _project(db, title_zh="昌平钙钛矿光伏中试线项目", title_en="Changping perovskite pilot line")
    found = service.search(db, query="钙钛矿", mode="lexical")
    assert _ids(found, "opportunity") == [row.id]
    assert found.groups["opportunity"][0].snippet.count("<mark>钙钛矿</mark>") == 1
    nested.rollback()
    assert service.search(db, query="钙钛矿", mode="lexical").groups == {}


def test_english_words_find_chinese_projects_lexically_through_their_english_text(db: Session) -> None:
    results = service.search(db, query="integrated circuits", mode="lexical", limit=10)
    titles = [h.title_zh for h in results.groups["opportunity"]]
    assert titles and all("集成电路" in t for t in titles)


def test_artificial_intelligence_park_finds_ai_parks_by_meaning(db: Session) -> None:
    results = service.search(db, query="artificial intelligence park", mode="dense", limit=5)
    top = [h.title_zh for h in results.groups["opportunity"]]
    assert len(top) == 5 and all("人工智能产业园" in t for t in top)


def test_queries_find_records_written_only_in_the_other_language_by_meaning(db: Session) -> None:
    english = Organisation(
        slug="test-helio-wafer",
        kind="enterprise",
        name_zh="Helio Wafer Works",
        description_en="A foundry that fabricates integrated circuits and chips on 12-inch wafers.",
    )
    chinese = Organisation(
        slug="test-hydrogen",
        kind="enterprise",
        name_zh="氢途动力",
        description_zh="研发氢燃料电池发动机和加氢站设备。",
    )
    db.add_all([english, chinese])
    db.flush()
    assert (
        embed_missing(
            db, get_embedder(), records=[("organisation", english.id), ("organisation", chinese.id)]
        )
        == 2
    )
    only_org = SearchFilters(kind="organisation")
    assert english.id not in _ids(
        service.search(db, query="芯片制造", mode="lexical", filters=only_org), "organisation"
    )
    assert (
        _ids(service.search(db, query="芯片制造", mode="dense", filters=only_org), "organisation")[0]
        == english.id
    )
    # Chinese chip makers match the query in words and meaning and come first; the English-only foundry, which
    # shares no word with it, still makes the list through its meaning alone.
    hybrid = _ids(service.search(db, query="芯片制造", filters=only_org, limit=20), "organisation")
    assert english.id in hybrid
    hydrogen = "hydrogen fuel cell engines"
    # Generated enterprises in "photovoltaic and hydrogen equipment" compete for the top; the Chinese-only
    # fuel-cell maker stays among the closest by meaning and in the hybrid list.
    dense = _ids(service.search(db, query=hydrogen, mode="dense", filters=only_org), "organisation")
    assert chinese.id in dense
    assert chinese.id in _ids(service.search(db, query=hydrogen, filters=only_org, limit=20), "organisation")


def test_structured_filters_narrow_projects(db: Session) -> None:
    event = db.scalar(select(Event).where(Event.slug == "invest-beijing-2024"))
    assert event is not None
    filters = SearchFilters(
        category="park_cooperation",
        district="海淀区",
        status="published",
        amount_min=Decimal("100000000"),
        amount_max=Decimal("500000000"),
        event="invest-beijing-2024",
    )
    results = service.search(db, query="产业园 park", filters=filters, mode="lexical", limit=100)
    assert set(results.groups) == {"opportunity"}
    rows = db.scalars(select(Opportunity).where(Opportunity.id.in_(_ids(results, "opportunity")))).all()
    assert rows
    for row in rows:
        assert (row.category, row.district, row.status, row.event_id) == (
            "park_cooperation",
            "海淀区",
            "published",
            event.id,
        )
        assert row.amount is not None and Decimal("100000000") <= row.amount <= Decimal("500000000")


def test_kind_and_industry_filters(db: Session) -> None:
    results = service.search(
        db,
        query="集成电路",
        filters=SearchFilters(kind="organisation", industry="集成电路"),
        mode="lexical",
        limit=100,
    )
    assert set(results.groups) == {"organisation"}
    orgs = db.scalars(select(Organisation).where(Organisation.id.in_(_ids(results, "organisation")))).all()
    assert orgs and all("集成电路" in o.industries for o in orgs)


def test_drafts_are_found_only_by_those_who_may_see_them(db: Session) -> None:
    row = _project(
        db, title_zh="密云氢能草稿项目", title_en="Miyun hydrogen draft", status="draft", district="密云区"
    )
    assert _ids(service.search(db, query="氢能草稿", actor=ANONYMOUS, mode="lexical"), "opportunity") == []
    organiser = db.scalar(select(Account.id).where(Account.username == "organiser"))
    actor = load_actor(db, organiser)
    assert _ids(service.search(db, query="氢能草稿", actor=actor, mode="lexical"), "opportunity") == [row.id]


def test_an_organiser_of_one_event_finds_that_events_drafts_only(db: Session) -> None:
    mine, other = factories.event(db), factories.event(db)
    own = _project(db, title_zh="延庆冰雪装备草稿项目", status="draft", district="延庆区", event_id=mine.id)
    theirs = _project(
        db, title_zh="延庆冰雪装备草稿项目（另一活动）", status="draft", district="延庆区", event_id=other.id
    )
    actor = Actor(account_id=1, username="scoped", grants=(Grant(role="organiser", event_id=mine.id),))
    for mode in ("lexical", "hybrid"):
        found = _ids(service.search(db, query="冰雪装备草稿", actor=actor, mode=mode), "opportunity")
        assert own.id in found and theirs.id not in found, mode


def test_results_are_grouped_in_kind_order_with_links(db: Session) -> None:
    results = service.search(db, query="人工智能", mode="lexical", limit=3)
    assert list(results.groups) == [k for k in registry.kinds() if k in results.groups]
    assert len(results.groups) >= 3
    for kind, hits in results.groups.items():
        assert 1 <= len(hits) <= 3 and results.counts[kind] >= len(hits)
        assert all(h.url.startswith("/") and h.url != "/" for h in hits)


def test_bad_filters_name_the_field(db: Session) -> None:
    with pytest.raises(DomainError) as bad_kind:
        service.search(db, query="x", filters=SearchFilters(kind="spaceship"))
    assert bad_kind.value.details[0].field == "kind"
    with pytest.raises(DomainError) as inverted:
        service.search(db, query="x", filters=SearchFilters(amount_min=Decimal(5), amount_max=Decimal(1)))
    assert inverted.value.details[0].field == "amount_min"
    with pytest.raises(DomainError) as no_event:
        service.search(db, query="x", filters=SearchFilters(event="nowhere"))
    assert no_event.value.details[0].field == "event"


def test_empty_query_returns_nothing(db: Session) -> None:
    assert service.search(db, query="   ").groups == {}
