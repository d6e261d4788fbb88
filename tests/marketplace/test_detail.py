"""An opportunity's page: a technology offer's or demand's readiness level, IP status and terms, in both languages."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.marketplace.models import Opportunity
from duijie.marketplace.views import licensing_terms
from tests.conftest import login
from tests.marketplace import factories as market_factories


def _opp(db: Session, external_id: str) -> Opportunity:
    return db.scalars(select(Opportunity).where(Opportunity.external_id == external_id)).one()


def _fact(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"><dt>([^<]*)</dt><dd>([^<]*)</dd>', html)
    assert found is not None, testid
    return f"{found.group(1)}: {found.group(2)}"


def _offer(db: Session) -> Opportunity:
    offer = _opp(db, "zgc-forum-2024-T001")
    offer.trl, offer.ip_status, offer.licensing_terms = 7, "已授权发明专利", "许可、合作开发"
    db.flush()
    return offer


def test_offer_page_shows_technology_facts_in_chinese(client: TestClient, db: Session) -> None:
    page = client.get(f"/projects/{_offer(db).id}").text
    assert _fact(page, "trl") == "技术成熟度: 7级"
    assert _fact(page, "ip-status") == "知识产权状态: 已授权发明专利"
    assert _fact(page, "terms") == "交易方式: 许可 · 合作开发"
    assert "成果简介" in page and ">技术成果</a>" in page


def test_offer_page_shows_technology_facts_in_english(client: TestClient, db: Session) -> None:
    client.cookies.set("lang", "en")
    page = client.get(f"/projects/{_offer(db).id}").text
    assert _fact(page, "trl") == "Technology readiness level: TRL 7"
    assert _fact(page, "ip-status") == "IP status: Granted invention patent"
    assert _fact(page, "terms") == "Licensing terms: Licence · Joint development"
    assert "About this technology" in page


def test_demand_page_shows_required_level_and_budget(client: TestClient, db: Session) -> None:
    demand = _opp(db, "zgc-forum-2024-D001")
    demand.trl, demand.licensing_terms = 6, "转让"
    db.flush()
    page = client.get(f"/projects/{demand.id}").text
    assert _fact(page, "trl") == "技术成熟度要求: 6级及以上"
    assert _fact(page, "terms") == "期望合作方式: 转让"
    assert 'data-testid="ip-status"' not in page
    assert "预算金额" in page and "需求描述" in page
    client.cookies.set("lang", "en")
    english = client.get(f"/projects/{demand.id}").text
    assert _fact(english, "trl") == "Required readiness level: TRL 6 or above"
    assert _fact(english, "terms") == "Cooperation sought: Transfer"


def test_offer_without_a_price_says_it_is_negotiated(client: TestClient, db: Session) -> None:
    offer = _offer(db)
    offer.amount = None
    db.flush()
    assert "<dt>意向价格</dt><dd>面议</dd>" in client.get(f"/projects/{offer.id}").text


def test_investment_project_page_has_no_technology_facts(client: TestClient, db: Session) -> None:
    project = db.scalars(select(Opportunity).where(Opportunity.kind == "investment_project")).first()
    assert project is not None
    page = client.get(f"/projects/{project.id}").text
    assert 'data-testid="trl"' not in page and "<dt>类别</dt>" in page


def test_licensing_terms_split_any_separator_and_keep_unknown_words() -> None:
    assert licensing_terms("转让；许可/作价入股", zh=True) == ["转让", "许可", "作价入股"]
    assert licensing_terms("独占许可，按年收费", zh=False) == ["Exclusive licence", "按年收费"]
    assert licensing_terms(None, zh=False) == []


def test_project_page_shows_the_sections_deals_and_matching_add(client: TestClient, db: Session) -> None:
    """The deals on a project and the investors who may fit it come from the modules above marketplace."""
    from duijie.deals.models import Deal

    deal = db.scalars(select(Deal).where(Deal.opportunity_id.is_not(None)).order_by(Deal.id)).first()
    assert deal is not None
    # Signed and announced, so that every visitor may see it (deals.permissions).
    deal.stage, deal.signed_amount, deal.signed_on, deal.announced = "signed", Decimal(10**8), date(2024, 4, 25), True
    db.flush()
    anonymous = client.get(f"/projects/{deal.opportunity_id}").text
    assert "本项目的洽谈与签约" in anonymous and f'href="/deals/{deal.id}"' in anonymous
    assert 'data-testid="project-matches"' not in anonymous
    login(client, "organiser", "organiser-demo")
    organiser = client.get(f"/projects/{deal.opportunity_id}").text
    assert organiser.index("本项目的洽谈与签约") < organiser.index('data-testid="project-matches"')
    assert "可能匹配的投资机构" in organiser
    without = market_factories.project(db, None)
    assert "本项目的洽谈与签约" not in client.get(f"/projects/{without.id}").text
