"""Technology demands and offers of the 2024 forum: the demo's trading, their stored matches and the pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.i18n import set_locale
from duijie.directory.accounts import load_actor
from duijie.directory.models import Account, Organisation
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.matching import service
from duijie.matching.demo import recompute_demo_event
from duijie.matching.models import MatchFeedback, MatchScore
from duijie.matching.permissions import can_see_matches
from duijie.matching.profiles import group_profiles
from tests.conftest import csrf_of, login

FORUM = "zgc-forum-2024"


def _forum(db: Session) -> Event:
    return db.scalars(select(Event).where(Event.slug == FORUM)).one()


def _opp(db: Session, external_id: str) -> Opportunity:
    return db.scalars(select(Opportunity).where(Opportunity.external_id == external_id)).one()


def _xinghe(db: Session) -> Organisation:
    return db.scalars(select(Organisation).where(Organisation.slug == "demo-xinghe")).one()


def test_demo_forum_has_offers_and_demands_with_technology_fields(db: Session) -> None:
    counts = dict(
        db.execute(
            select(Opportunity.kind, func.count())
            .where(Opportunity.event_id == _forum(db).id)
            .group_by(Opportunity.kind)
        ).all()
    )
    assert counts == {"tech_offer": 120, "tech_demand": 50}
    offers = db.scalars(select(Opportunity).where(Opportunity.kind == "tech_offer")).all()
    assert all(o.trl is not None and 1 <= o.trl <= 9 and o.ip_status and o.licensing_terms for o in offers)
    assert all(o.provenance == "synthetic" and o.title_en and o.owner is not None for o in offers)
    owners = {o.owner.kind for o in offers if o.owner is not None}
    assert owners == {"university", "institute", "enterprise"}
    demands = db.scalars(select(Opportunity).where(Opportunity.kind == "tech_demand")).all()
    assert {d.owner.kind for d in demands if d.owner is not None} == {"enterprise"}
    assert sum(1 for d in demands if d.owner_org_id == _xinghe(db).id) == 3


def test_batch_stores_each_demands_offers_with_reasons(db: Session) -> None:
    set_locale("zh_CN")
    demand = _opp(db, f"{FORUM}-D001")
    items = service.recommendations(db, event=_forum(db), kind="demand", record_id=demand.id, want="offer")
    assert len(items) == 10
    assert [s.score for s in items] == sorted((s.score for s in items), reverse=True)
    assert {s.record.kind for s in items} == {"tech_offer"}
    best = items[0]
    assert best.record.title_zh == "三维视觉测量与点云处理软件"
    good = [r.text for r in best.reasons if r.good]
    assert good[0] == "共同术语：cloud、dimensional、三维、尺寸、点云"
    assert "同属人工智能" in good
    assert any(t.startswith("语义相似度") for t in good)


def test_offer_reads_its_demands_from_the_same_rows(db: Session) -> None:
    demand = _opp(db, f"{FORUM}-D003")
    offers = service.recommendations(db, event=_forum(db), kind="demand", record_id=demand.id, want="offer")
    offer = offers[0].record
    assert offer.title_zh == "28纳米工艺高速SerDes接口IP"
    demands = service.recommendations(db, event=_forum(db), kind="offer", record_id=offer.id, want="demand")
    assert demand.id in [s.record.id for s in demands]
    assert {s.record.kind for s in demands} == {"tech_demand"}


def test_demand_never_gets_its_own_organisations_offer(db: Session) -> None:
    own = _opp(db, f"{FORUM}-T001")
    assert own.owner_org_id == _xinghe(db).id
    stored = db.scalars(
        select(MatchScore.left_id).where(
            MatchScore.left_kind == "demand", MatchScore.right_id == own.id, MatchScore.score > 0
        )
    ).all()
    mine = set(db.scalars(select(Opportunity.id).where(Opportunity.owner_org_id == _xinghe(db).id)))
    assert stored and not (set(stored) & mine)


def test_demand_budget_bounds_the_offers_price(db: Session) -> None:
    left, right = group_profiles(db, _forum(db), "demand_offer")
    assert (len(left), len(right)) == (50, 120)
    demand = _opp(db, f"{FORUM}-D001")
    profile = next(p for p in left if p.id == str(demand.id))
    assert profile.amount is None and profile.ticket_max is not None
    assert profile.ticket_max * 100_000_000 == demand.amount


def test_owner_acts_for_its_demand_and_others_do_not(db: Session) -> None:
    demand = _opp(db, f"{FORUM}-D001")
    enterprise = load_actor(db, db.scalars(select(Account.id).where(Account.username == "enterprise")).one())
    investor = load_actor(db, db.scalars(select(Account.id).where(Account.username == "investor")).one())
    assert can_see_matches(enterprise, ("demand", demand))
    assert not can_see_matches(investor, ("demand", demand))


def test_organiser_sees_lonely_demands_and_offers_only_at_the_forum(db: Session) -> None:
    forum = service.no_good_match_yet(db, event=_forum(db))
    assert sorted(forum) == ["demand", "enterprise", "offer"]
    for items in forum.values():
        assert all(item.best < item.threshold or item.best <= 0 for item in items)
    pairs = service.best_pairs(db, event=_forum(db), group="demand_offer", limit=3)
    assert [(p.left_kind, p.right_kind) for p in pairs] == [("demand", "offer")] * 3
    assert service.best_pairs(db, event=_forum(db), group="investor_project") == []


def test_rerun_at_the_forum_changes_nothing(db: Session) -> None:
    result = recompute_demo_event(db, _forum(db))
    assert all(g.skipped for g in result.groups)


def test_demand_page_shows_fitting_offers_to_its_owner(client: TestClient, db: Session) -> None:
    demand = _opp(db, f"{FORUM}-D001")
    assert 'data-testid="project-matches"' not in client.get(f"/projects/{demand.id}").text
    login(client, "enterprise", "enterprise-demo")
    page = client.get(f"/projects/{demand.id}").text
    assert "可能匹配的技术成果" in page
    assert page.count('class="suggestion"') == 5
    assert "同属人工智能" in page


def test_offer_page_shows_fitting_demands_in_english(client: TestClient, db: Session) -> None:
    offer = _opp(db, f"{FORUM}-T001")
    login(client, "enterprise", "enterprise-demo")
    client.cookies.set("lang", "en")
    page = client.get(f"/projects/{offer.id}").text
    assert "Technology demands that may fit" in page
    assert page.count('class="suggestion"') >= 1


def test_enterprise_home_shows_offers_for_each_demand(client: TestClient, db: Session) -> None:
    login(client, "enterprise", "enterprise-demo")
    page = client.get("/recommendations").text
    sections = re.findall(r'data-testid="recommendations" data-left="demand">\s*<h2>([^<]*)</h2>', page)
    assert sections == [
        "可能匹配的技术成果：工业零件三维视觉尺寸测量",
        "可能匹配的技术成果：视觉大模型边缘端量化部署",
        "可能匹配的技术成果：工业相机高速图像采集接口芯片",
    ]
    assert "可能匹配的技术需求：面向工业质检的小样本视觉缺陷检测算法" in page


def test_not_interested_in_an_offer_hides_it_for_the_demand(client: TestClient, db: Session) -> None:
    demand = _opp(db, f"{FORUM}-D001")
    first = service.recommendations(db, event=_forum(db), kind="demand", record_id=demand.id, want="offer")[0]
    login(client, "enterprise", "enterprise-demo")
    response = client.post(
        "/recommendations/not-interested",
        data={
            "csrf": csrf_of(client, "/recommendations"),
            "event": FORUM,
            "left_kind": "demand",
            "left_id": str(demand.id),
            "right_kind": "offer",
            "right_id": str(first.record.id),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert db.scalars(select(MatchFeedback.response).where(MatchFeedback.left_kind == "demand")).all() == [
        "not_interested"
    ]
    api = client.get("/api/v1/recommendations", params={"kind": "demand", "id": demand.id, "want": "offer"})
    assert api.status_code == 200
    assert first.record.id not in [item["id"] for item in api.json()["items"]]


def test_api_gives_an_offers_demands_at_its_own_event(client: TestClient, db: Session) -> None:
    offer = _opp(db, f"{FORUM}-T001")
    login(client, "enterprise", "enterprise-demo")
    body = client.get(
        "/api/v1/recommendations", params={"kind": "offer", "id": offer.id, "want": "demand"}
    ).json()
    assert body["event"] == FORUM and body["want"] == "demand"
    assert body["items"] and {item["kind"] for item in body["items"]} == {"demand"}
    assert all(item["parts"] and item["name_zh"] for item in body["items"])


def test_api_refuses_a_pair_that_is_never_matched(client: TestClient, db: Session) -> None:
    demand = _opp(db, f"{FORUM}-D001")
    login(client, "enterprise", "enterprise-demo")
    response = client.get(
        "/api/v1/recommendations", params={"kind": "demand", "id": demand.id, "want": "investor"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "want"


def test_organiser_matching_page_at_the_forum(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    page = client.get(f"/events/{FORUM}/matching").text
    assert 'data-group="demand_offer"' in page and 'data-group="investor_project"' not in page
    assert "技术需求与技术成果" in page
    assert 'data-kind="demand"' in page and 'data-kind="offer"' in page


def test_offers_below_the_required_readiness_say_so(client: TestClient, db: Session) -> None:
    demand = _opp(db, f"{FORUM}-D001")
    shown = service.recommendations(
        db, event=_forum(db), kind="demand", record_id=demand.id, want="offer", limit=5
    )
    short = [s.record.trl for s in shown if s.record.trl < (demand.trl or 0)]
    login(client, "enterprise", "enterprise-demo")
    page = client.get(f"/projects/{demand.id}").text
    assert page.count('data-testid="trl-short"') == len(short) > 0
    assert f"技术成熟度{short[0]}级，低于要求的{demand.trl}级" in page
