"""Who sees which deal, and how much of it: announced signings for everyone; the whole deal (planned amounts,
tasks, history) for the organiser of its event or of the city, its district and its parties; nothing else.

One world, every reader, every place a deal shows: the list page, the board, a deal's page, the API list and
detail, the tasks, the export, the organisation page and the project page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.deals.models import Deal, DealParty, DealTask
from duijie.directory.models import Organisation
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from tests import factories
from tests.conftest import login
from tests.deals import factories as deal_factories
from tests.marketplace import factories as market_factories


@dataclass
class World:
    event: Event
    other_event: Event
    party_enterprise: Organisation
    party_investor: Organisation
    public_party: Organisation
    project: Opportunity
    negotiating: Deal  # event, 海淀区, parties: the enterprise and the investor, a task
    announced: Deal  # event, 朝阳区, signed and announced, a task
    unannounced: Deal  # event, 朝阳区, signed but not announced

    def deals(self) -> dict[str, Deal]:
        return {"negotiating": self.negotiating, "announced": self.announced, "unannounced": self.unannounced}


def _world(db: Session) -> World:
    event, other_event = factories.event(db), factories.event(db)
    enterprise = factories.organisation(db, kind="enterprise")
    investor = factories.organisation(db, kind="investor")
    public_party = factories.organisation(db, kind="enterprise")
    project = market_factories.project(db, event)
    negotiating = deal_factories.deal(
        db, event, stage="negotiating", district="海淀区", planned_amount=Decimal("310000000.00"),
        opportunity_id=project.id,
    )
    announced = deal_factories.deal(
        db, event, stage="signed", district="朝阳区", planned_amount=Decimal("320000000.00"), announced=True,
        opportunity_id=project.id,
    )
    unannounced = deal_factories.deal(
        db, event, stage="signed", district="朝阳区", planned_amount=Decimal("330000000.00")
    )
    db.add_all(
        [
            DealParty(deal_id=negotiating.id, organisation_id=enterprise.id, role="enterprise"),
            DealParty(deal_id=negotiating.id, organisation_id=investor.id, role="investor"),
            DealParty(deal_id=announced.id, organisation_id=public_party.id, role="enterprise"),
            DealTask(deal_id=negotiating.id, title="内部跟进甲", due_on=dt.date(2026, 5, 1)),
            DealTask(deal_id=announced.id, title="内部跟进乙", due_on=dt.date(2026, 5, 2)),
        ]
    )
    db.flush()
    return World(event, other_event, enterprise, investor, public_party, project, negotiating, announced, unannounced)


ALL = {"negotiating", "announced", "unannounced"}
# reader -> (deals they see, deals they see whole)
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "anonymous": ({"announced"}, set()),
    "investor_unrelated": ({"announced"}, set()),
    "investor_party": ({"negotiating", "announced"}, {"negotiating"}),
    "enterprise_party": ({"negotiating", "announced"}, {"negotiating"}),
    "district_own": ({"negotiating", "announced"}, {"negotiating"}),
    "district_other": ({"announced", "unannounced"}, {"announced", "unannounced"}),
    "organiser_of_the_event": (ALL, ALL),
    "organiser_of_another_event": ({"announced"}, set()),
    "organiser_citywide": (ALL, ALL),
    "judge": ({"announced"}, set()),
}


def _sign_in(client: TestClient, db: Session, world: World, reader: str) -> None:
    grants = {
        "anonymous": None,
        "investor_unrelated": {"role": "investor", "organisation": factories.organisation(db, kind="investor")},
        "investor_party": {"role": "investor", "organisation": world.party_investor},
        "enterprise_party": {"role": "enterprise", "organisation": world.party_enterprise},
        "district_own": {"role": "district", "district": "海淀区"},
        "district_other": {"role": "district", "district": "朝阳区"},
        "organiser_of_the_event": {"role": "organiser", "event": world.event},
        "organiser_of_another_event": {"role": "organiser", "event": world.other_event},
        "organiser_citywide": {"role": "organiser"},
        "judge": {"role": "judge"},
    }[reader]
    if grants is not None:
        account = factories.account(db, **grants)
        login(client, account.username, factories.PASSWORD)


@pytest.mark.parametrize("reader", sorted(EXPECTED))
def test_each_reader_sees_the_deals_the_rule_gives_everywhere_they_show(
    client: TestClient, db: Session, reader: str
) -> None:
    world = _world(db)
    _sign_in(client, db, world, reader)
    visible, whole = EXPECTED[reader]
    deals = world.deals()
    hidden = ALL - visible
    event = {"event": world.event.slug}

    api = client.get("/api/v1/deals", params=event).json()
    assert {d["id"] for d in api["items"]} == {deals[k].id for k in visible}
    assert api["total"] == len(visible)
    planned_by_id = {d["id"]: d["planned_amount"] for d in api["items"]}
    for key in visible:
        expected = format(deals[key].planned_amount, "f") if key in whole else None
        assert planned_by_id[deals[key].id] == expected, key

    listed = client.get("/deals", params=event).text
    board = client.get("/deals/board", params=event).text
    export = client.get("/export/deals.csv", params=event).content.decode("utf-8-sig")
    xlsx = client.get("/export/deals.xlsx", params=event)
    organisations = "".join(
        client.get(f"/organisations/{o.slug}").text for o in (world.party_enterprise, world.public_party)
    )
    project_page = client.get(f"/projects/{world.project.id}").text
    assert xlsx.status_code == 200
    for key, deal in deals.items():
        shown = key in visible
        for where, text in (("list", listed), ("board", board), ("export", export)):
            assert (deal.title_zh in text) is shown, (key, where)
        if deal.opportunity_id:
            assert (f'href="/deals/{deal.id}"' in project_page) is shown, (key, "project page")
        if key != "unannounced":
            assert (f'href="/deals/{deal.id}"' in organisations) is shown, (key, "organisation page")
        # Planned amounts of a deal leave the export only for those who see it whole.
        assert (format(deal.planned_amount, "f") in export) is (key in whole), (key, "export planned")

    for key, deal in deals.items():
        page = client.get(f"/deals/{deal.id}")
        detail = client.get(f"/api/v1/deals/{deal.id}")
        tasks = client.get(f"/api/v1/deals/{deal.id}/tasks")
        if key in hidden:
            # The task list asks an anonymous visitor to log in first, for every id alike: nothing is revealed.
            hidden_tasks = 401 if reader == "anonymous" else 404
            assert (page.status_code, detail.status_code, tasks.status_code) == (404, 404, hidden_tasks), key
            continue
        assert (page.status_code, detail.status_code) == (200, 200), key
        has_whole = key in whole
        assert ('id="tasks"' in page.text) is has_whole, key
        assert ("内部跟进" in page.text) is (has_whole and key != "unannounced"), key
        assert (detail.json()["planned_amount"] is not None) is has_whole, key
        if has_whole:
            assert tasks.status_code == 200, key
        else:
            assert tasks.status_code == (401 if reader == "anonymous" else 403), key


def test_the_public_reads_an_announced_deals_public_facts_only(client: TestClient, db: Session) -> None:
    world = _world(db)
    deal = world.announced
    deal.invested_amount, deal.status_reason = Decimal("50000000.00"), "合同约定分期到位"
    deal.source_kind, deal.source_label = "other", "区招商局走访"
    db.flush()
    body = client.get(f"/api/v1/deals/{deal.id}").json()
    assert (body["signed_amount"], body["signed_on"], body["event_id"], body["opportunity_id"]) == (
        "200000000.00",
        "2026-04-25",
        world.event.id,
        world.project.id,
    )
    assert body["parties"] == [{"organisation_id": world.public_party.id, "role": "enterprise"}]
    internal = ("planned_amount", "invested_amount", "status_reason", "lost_to", "source_kind", "source_label")
    assert [body[k] for k in internal] == [None] * len(internal)
    page = client.get(f"/deals/{deal.id}").text
    assert world.public_party.name_zh in page and "计划金额" not in page and 'id="tasks"' not in page
    for hidden in ("合同约定分期到位", "区招商局走访", 'id="next-stage"', 'id="evidence"', 'id="status"'):
        assert hidden not in page, hidden


def test_a_deal_that_leaves_the_signed_figures_is_no_longer_public(client: TestClient, db: Session) -> None:
    world = _world(db)
    login(client, "organiser", "organiser-demo")
    lost = client.put(f"/api/v1/deals/{world.announced.id}/status", json={"to": "lost", "reason": "撤资"})
    assert lost.status_code == 200 and lost.json()["status"] == "lost"
    client.cookies.clear()
    assert client.get(f"/api/v1/deals/{world.announced.id}").status_code == 404
    login(client, "organiser", "organiser-demo")
    reopened = client.put(f"/api/v1/deals/{world.announced.id}/status", json={"to": "ongoing", "note": "恢复"})
    assert reopened.status_code == 200
    back = client.post(f"/api/v1/deals/{world.announced.id}/stage", json={"to": "intention", "note": "重新谈判"})
    assert back.status_code == 200
    client.cookies.clear()
    assert client.get(f"/api/v1/deals/{world.announced.id}").status_code == 404


def test_the_organiser_of_the_event_announces_a_signed_deal_and_no_one_else(
    client: TestClient, db: Session
) -> None:
    world = _world(db)
    deal, lead = world.unannounced, world.negotiating
    assert client.get(f"/api/v1/deals/{deal.id}").status_code == 404
    district = factories.account(db, role="district", district="朝阳区")
    login(client, district.username, factories.PASSWORD)
    assert client.put(f"/api/v1/deals/{deal.id}/announced", json={"announced": True}).status_code == 403
    organiser = factories.account(db, role="organiser", event=world.event)
    login(client, organiser.username, factories.PASSWORD)
    refused = client.put(f"/api/v1/deals/{lead.id}/announced", json={"announced": True})
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "announced"
    page = client.get(f"/deals/{deal.id}").text
    assert 'data-testid="announce-form"' in page
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    done = client.post(f"/deals/{deal.id}/announce", data={"csrf": token, "announced": "1"}, follow_redirects=False)
    assert done.status_code == 303
    db.expire_all()
    assert db.get(Deal, deal.id).announced is True  # type: ignore[union-attr]
    assert [h.action for h in db.get(Deal, deal.id).history][-1] == "announce"  # type: ignore[union-attr]
    client.cookies.clear()
    assert client.get(f"/api/v1/deals/{deal.id}").status_code == 200
    login(client, organiser.username, factories.PASSWORD)
    taken_back = client.put(f"/api/v1/deals/{deal.id}/announced", json={"announced": False})
    assert taken_back.status_code == 200
    client.cookies.clear()
    assert client.get(f"/api/v1/deals/{deal.id}").status_code == 404


def test_a_new_deal_is_not_announced(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    login(client, "organiser", "organiser-demo")
    made = client.post(
        "/api/v1/deals",
        json={"title_zh": "新签约", "event_id": event.id, "stage": "signed", "signed_amount": "1亿",
              "signed_on": "2026-04-25"},
    )
    assert made.status_code == 201
    assert db.get(Deal, made.json()["id"]).announced is False  # type: ignore[union-attr]
    client.cookies.clear()
    assert client.get(f"/api/v1/deals/{made.json()['id']}").status_code == 404


def test_anonymous_writes_to_the_api_ask_for_a_login(client: TestClient, db: Session) -> None:
    world = _world(db)
    deal = world.announced
    assert client.post("/api/v1/deals", json={"title_zh": "匿名"}).status_code == 401
    assert client.post(f"/api/v1/deals/{deal.id}/stage", json={"to": "landed"}).status_code == 401
    assert client.put(f"/api/v1/deals/{deal.id}/announced", json={"announced": False}).status_code == 401
