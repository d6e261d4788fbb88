from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.auth import ANONYMOUS
from duijie.marketplace import service as opportunity_service
from duijie.marketplace.models import Opportunity
from duijie.marketplace.schemas import OpportunityFilters
from tests.conftest import StatementCounter


def test_list_filters_return_exactly_the_matching_projects(db: Session) -> None:
    filters = OpportunityFilters(event="invest-beijing-2024", industry="人工智能", district="海淀区")
    items, total, _, _ = opportunity_service.list_opportunities(
        db, actor=ANONYMOUS, filters=filters, page_size=200
    )
    expected = db.scalar(
        select(func.count()).where(
            Opportunity.industry == "人工智能",
            Opportunity.district == "海淀区",
            Opportunity.event.has(slug="invest-beijing-2024"),
        )
    )
    assert total == expected == len(items)
    assert {(o.industry, o.district, o.event.slug) for o in items} <= {
        ("人工智能", "海淀区", "invest-beijing-2024")
    }


def test_list_sorts_by_amount_and_pages_through_everything(db: Session) -> None:
    filters = OpportunityFilters(event="invest-beijing-2023", sort="-amount")
    seen = []
    page, pages = 1, 1
    while page <= pages:
        items, total, page, pages = opportunity_service.list_opportunities(
            db, actor=ANONYMOUS, filters=filters, page=page, page_size=40
        )
        seen.extend(items)
        page += 1
    assert total == 152 and len({o.id for o in seen}) == 152
    amounts = [o.amount for o in seen]
    assert amounts == sorted(amounts, reverse=True)


def test_drafts_are_hidden_from_visitors_and_visible_to_the_organiser(db: Session) -> None:
    from duijie.core.auth import Actor, Grant

    opp = db.scalar(select(Opportunity).order_by(Opportunity.id))
    assert opp is not None
    opp.status = "draft"
    db.flush()
    filters = OpportunityFilters(event=opp.event.slug if opp.event else None)
    _, visitor_total, _, _ = opportunity_service.list_opportunities(
        db, actor=ANONYMOUS, filters=filters, page_size=500
    )
    organiser = Actor(account_id=1, username="o", grants=(Grant(role="organiser"),))
    _, organiser_total, _, _ = opportunity_service.list_opportunities(
        db, actor=organiser, filters=filters, page_size=500
    )
    assert organiser_total == visitor_total + 1


def test_project_list_page_shows_the_filtered_rows(client: TestClient) -> None:
    response = client.get(
        "/projects", params={"industry": "集成电路", "district": "大兴区", "event": "invest-beijing-2023"}
    )
    assert response.status_code == 200
    rows = re.findall(r'<tr data-industry="([^"]*)" data-district="([^"]*)">', response.text)
    assert rows and set(rows) == {("集成电路", "大兴区")}


def test_project_list_page_runs_a_constant_number_of_queries(
    client: TestClient, count_statements: StatementCounter
) -> None:
    """N+1 guard: 20 rows or 5 rows, the page issues the same number of statements."""
    counts = []
    for page_size_query in (
        {"event": "invest-beijing-2023"},
        {"event": "invest-beijing-2023", "category": "land_financing", "district": "平谷区"},
    ):
        with count_statements:
            assert client.get("/projects", params=page_size_query).status_code == 200
        counts.append(count_statements.count)
        # the industries present are read once for the filter menu, not once per industry it lists
        facets = [s for s in count_statements.statements if "DISTINCT opportunity.industry" in s]
        assert len(facets) == 1, facets
    assert counts[0] == counts[1]
