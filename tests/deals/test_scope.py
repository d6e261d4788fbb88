"""Deals stay inside their event: an organiser scoped to one event manages only that event's deals, and a
second event's deals never show in the first's list, board, export or figures. Refusals speak the request's
language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.core.errors import PermissionDenied
from duijie.deals import service as deal_service
from duijie.deals.models import Deal, DealParty
from duijie.events.models import Event
from duijie.insight.queries import event_stats
from tests import factories
from tests.conftest import csrf_of, login
from tests.deals import factories as deal_factories


def _two_events(db: Session) -> tuple[Event, Event, Deal, Deal]:
    """Two events with a lead each, each with the enterprise it is talking to (what contacting it needs)."""
    first, second = factories.event(db), factories.event(db)
    leads = deal_factories.deal(db, first), deal_factories.deal(db, second)
    for lead in leads:
        db.add(DealParty(deal_id=lead.id, organisation_id=factories.organisation(db).id, role="enterprise"))
    db.flush()
    for lead in leads:
        db.refresh(lead, ["parties"])
    return first, second, *leads


def test_an_organiser_of_one_event_moves_only_that_events_deals(db: Session) -> None:
    first, _second, own, other = _two_events(db)
    scoped = factories.actor(db, role="organiser", event=first)
    deal_service.move_deal_to_stage(db, actor=scoped, deal=own, to="contacted", note=None)
    with pytest.raises(PermissionDenied):
        deal_service.move_deal_to_stage(db, actor=scoped, deal=other, to="contacted", note=None)
    assert (own.stage, other.stage) == ("contacted", "lead")


def test_an_organiser_of_one_event_cannot_see_nor_edit_another_events_deal_on_the_web(
    client: TestClient, db: Session
) -> None:
    first, _second, own, other = _two_events(db)
    account = factories.account(db, role="organiser", event=first)
    login(client, account.username, factories.PASSWORD)
    assert f'action="/deals/{own.id}/stage"' in client.get(f"/deals/{own.id}").text
    # Another event's lead is not even visible to this organiser.
    assert client.get(f"/deals/{other.id}").status_code == 404
    token = csrf_of(client, f"/deals/{own.id}")
    refused = client.post(f"/deals/{other.id}/stage", data={"csrf": token, "to": "contacted"})
    task = client.post(f"/deals/{other.id}/tasks", data={"csrf": token, "title": "跟进"})
    moved = client.post(
        f"/deals/{own.id}/stage", data={"csrf": token, "to": "contacted"}, follow_redirects=False
    )
    assert (refused.status_code, task.status_code, moved.status_code) == (404, 404, 303)
    db.expire_all()
    assert (db.get(Deal, own.id).stage, db.get(Deal, other.id).stage) == ("contacted", "lead")  # type: ignore[union-attr]


def test_a_second_events_deals_never_show_in_the_firsts_lists_board_export_and_figures(
    client: TestClient, db: Session
) -> None:
    first, second, own, other = _two_events(db)
    signed_here = deal_factories.deal(db, first, stage="signed")
    signed_there = deal_factories.deal(db, second, stage="signed")
    login(client, "organiser", "organiser-demo")
    api = client.get("/api/v1/deals", params={"event": first.slug}).json()
    assert sorted(d["id"] for d in api["items"]) == sorted([own.id, signed_here.id])
    listed = client.get("/deals", params={"event": first.slug}).text
    board = client.get("/deals/board", params={"event": first.slug}).text
    export = client.get("/export/deals.csv", params={"event": first.slug}).content.decode("utf-8-sig")
    for text in (listed, board, export):
        assert own.title_zh in text and signed_here.title_zh in text
        assert other.title_zh not in text and signed_there.title_zh not in text
    signed = event_stats(db, first).signed
    assert (signed.count, signed.amount) == (1, signed_here.signed_amount)


def test_a_refused_move_names_the_stages_in_the_requests_language(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    deal = deal_factories.deal(db, event, stage="negotiating")
    login(client, "organiser", "organiser-demo")
    chinese = client.post(f"/api/v1/deals/{deal.id}/stage", json={"to": "landed"})
    client.cookies.set("lang", "en")
    english = client.post(f"/api/v1/deals/{deal.id}/stage", json={"to": "landed"})
    assert (chinese.status_code, english.status_code) == (422, 422)
    assert chinese.json()["error"]["details"][0]["message"] == "签约项目须填写签约金额。"
    assert [d["message"] for d in english.json()["error"]["details"]] == [
        "A signed deal needs the amount signed.",
        "A signed deal needs the date of signing.",
        "A contract needs the date it was concluded.",
        "A landed deal needs the actual landing date.",
        "A landed deal needs the site where it landed.",
    ]
    refused = client.post(f"/api/v1/deals/{deal.id}/stage", json={"to": "verified"})
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "A deal is verified only through verification, with evidence."
