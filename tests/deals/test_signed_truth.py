"""One truth for "signed" on the demo: the home page, the event page, the dashboard, the deals list (page, API
and export) and the statistics report give the same count of signed deals for each summit, and a released
project whose deal is signed shows as signed in the project list. A deal counts as signed once signed at the
forum (or further), unless lost or abandoned (`deals.enums.counts_as_signed`)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor, Grant
from duijie.deals import service as deal_service
from duijie.deals.enums import DealStatus
from duijie.deals.models import Deal, signed_clause
from duijie.deals.schemas import StatusChange
from duijie.events.service import get_event
from duijie.marketplace.models import Opportunity

ORGANISER = Actor(account_id=None, username="t", grants=(Grant(role="organiser"),))


def _figures(client: TestClient, slug: str) -> dict[str, int]:
    """Every place a visitor (signed out) meets the signed count of the summit `slug`."""
    home = client.get("/").text
    event = client.get(f"/events/{slug}").text
    dashboard = client.get("/dashboard", params={"event": slug}).text
    listed = client.get("/deals", params={"event": slug, "stage": "signed"}).text
    api = client.get("/api/v1/deals", params={"event": slug, "stage": "signed"}).json()
    export = client.get("/export/deals.csv", params={"event": slug, "stage": "signed"}).content.decode(
        "utf-8-sig"
    )
    stats = client.get("/api/v1/stats", params={"event": slug}).json()

    def testid(html: str, name: str) -> int:
        found = re.search(rf'data-testid="{name}">(\d+)<', html)
        assert found, name
        return int(found.group(1))

    count = re.search(r'class="result-count">[^<\d]*(\d+)', listed)
    assert count
    return {
        "home": testid(home, f"signed-count-{slug}"),
        "event page": testid(event, "signed-count"),
        "dashboard": testid(dashboard, "signed-count"),
        "deals list": int(count.group(1)),
        "deals API": api["total"],
        "deals export": len(list(csv.reader(io.StringIO(export)))) - 1,
        "statistics API": stats["signed"]["count"],
    }


@pytest.mark.parametrize(("slug", "signed"), [("invest-beijing-2023", 39), ("invest-beijing-2024", 23)])
def test_every_signed_figure_of_a_summit_agrees(client: TestClient, slug: str, signed: int) -> None:
    figures = _figures(client, slug)
    assert set(figures.values()) == {signed}, figures


def test_a_signed_deal_lost_later_leaves_every_figure_at_once(client: TestClient, db: Session) -> None:
    event = get_event(db, slug="invest-beijing-2024")
    deal = db.scalar(select(Deal).where(Deal.event_id == event.id, signed_clause()).order_by(Deal.id))
    assert deal is not None
    deal_service.set_status(
        db, actor=ORGANISER, deal=deal, change=StatusChange(to=DealStatus.ABANDONED, reason="企业撤回投资")
    )
    figures = _figures(client, event.slug)
    assert set(figures.values()) == {22}, figures


def test_a_released_project_whose_deal_is_signed_shows_as_signed(client: TestClient, db: Session) -> None:
    signed_projects = set(
        db.scalars(select(Deal.opportunity_id).where(Deal.opportunity_id.is_not(None), signed_clause()))
    )
    assert len(signed_projects) == 2  # the demo's two released 2024 projects signed at the summit
    statuses = {
        o.id: o.status for o in db.scalars(select(Opportunity).where(Opportunity.id.in_(signed_projects)))
    }
    assert set(statuses.values()) == {"signed"}
    listed = client.get("/api/v1/opportunities", params={"status": "signed"}).json()
    assert {p["id"] for p in listed["items"]} == signed_projects
