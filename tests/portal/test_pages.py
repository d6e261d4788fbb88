"""The portal's pages: the event page with its figures, the organisation page, the home page's summits, the
language switch, and the links each page shows only to those the linked page lets in."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.events.models import Event
from tests import factories
from tests.agenda import factories as agenda_factories
from tests.conftest import login
from tests.registration import factories as registration_factories

IMPORT_LINK = '<a href="/import"'


def test_event_page_shows_the_published_totals_and_that_records_match(client: TestClient) -> None:
    html = client.get("/events/invest-beijing-2024").text
    assert re.search(r'data-testid="released-count">231<', html)
    assert re.search(r'data-testid="released-amount">902.21亿元<', html)
    assert re.search(r'data-testid="signed-count">23<', html)
    assert re.search(r'data-testid="signed-amount">610亿元<', html)
    assert html.count("✓") == 4 and "≠" not in html


def test_pages_are_chinese_by_default_and_english_on_request(client: TestClient) -> None:
    zh = client.get("/events/invest-beijing-2023").text
    assert "发布项目" in zh and "投资北京全球峰会" in zh and 'lang="zh-CN"' in zh
    en = client.get("/events/invest-beijing-2023", params={"lang": "en"}).text
    assert "Projects released" in en and "Invest Beijing Global Summit 2023" in en and 'lang="en"' in en
    assert "CNY 143.4 bn" in en


def test_language_switch_sets_a_cookie_and_returns_to_the_page(client: TestClient) -> None:
    response = client.get("/lang/en", params={"next": "/projects?industry=人工智能"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/projects")
    assert "Investment projects" in client.get("/projects").text


def test_language_switch_refuses_to_redirect_off_site(client: TestClient) -> None:
    response = client.get("/lang/en", params={"next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_home_lists_both_summits_with_their_figures(client: TestClient) -> None:
    html = client.get("/").text
    assert "投资北京全球峰会" in html and "2024年投资北京大会" in html
    assert "1434亿元" in html and "902.21亿元" in html and "608亿元" in html and "610亿元" in html


def test_unknown_pages_get_a_readable_404(client: TestClient) -> None:
    response = client.get("/events/no-such-event")
    assert response.status_code == 404 and "no-such-event" in response.text


def test_deal_and_organisation_pages_render(client: TestClient) -> None:
    deals = client.get("/deals", params={"event": "invest-beijing-2023", "stage": "signed"})
    assert (deals.status_code == 200 and "小米机器人公司项目" in deals.text) or "共 39 项" in deals.text
    org = client.get("/organisations/hyperstrong")
    assert org.status_code == 200 and "海博思创" in org.text and "专精特新" in org.text


def test_event_page_of_an_event_without_figures_renders(client: TestClient, db: Session) -> None:
    made = factories.event(db, slug="quiet-summit", kind="summit", is_published=True)
    factories.event(db, slug="quiet-side-event", kind="forum", parent_id=made.id)
    db.commit()
    html = client.get("/events/quiet-summit").text
    assert 'data-testid="released-count">0<' in html and "✓" not in html and "≠" not in html
    assert 'href="/events/quiet-side-event"' in html  # the events within


def test_a_slug_of_digits_is_a_slug_not_an_id(client: TestClient, db: Session) -> None:
    first = db.scalars(select(Event).order_by(Event.id)).first()
    assert first is not None
    assert client.get(f"/events/{first.id}").status_code == 404
    factories.event(db, slug=str(first.id), name_zh="数字活动")
    db.commit()
    page = client.get(f"/events/{first.id}")
    assert page.status_code == 200 and "数字活动" in page.text


def test_matchmaking_link_shows_to_the_organisers_of_this_event_only(client: TestClient, db: Session) -> None:
    link = 'href="/events/invest-beijing-2024/matching"'
    assert link not in client.get("/events/invest-beijing-2024").text
    login(client, "organiser", "organiser-demo")  # an organiser of every event
    assert link in client.get("/events/invest-beijing-2024").text
    other = db.scalar(select(Event).where(Event.slug == "invest-beijing-2023"))
    this = db.scalar(select(Event).where(Event.slug == "invest-beijing-2024"))
    factories.account(db, role="organiser", event=other, username="organiser-of-2023")
    factories.account(db, role="organiser", event=this, username="organiser-of-2024")
    factories.account(db, role="investor", username="plain-investor")
    db.commit()
    login(client, "organiser-of-2023", factories.PASSWORD)
    assert link not in client.get("/events/invest-beijing-2024").text
    assert 'href="/events/invest-beijing-2023/matching"' in client.get("/events/invest-beijing-2023").text
    login(client, "organiser-of-2024", factories.PASSWORD)
    assert link in client.get("/events/invest-beijing-2024").text
    login(client, "plain-investor", factories.PASSWORD)
    assert link not in client.get("/events/invest-beijing-2024").text


def test_import_entry_shows_to_the_organiser_and_districts_only(client: TestClient) -> None:
    assert IMPORT_LINK not in client.get("/").text
    for username, password, shown in (
        ("investor", "investor-demo", False),
        ("enterprise", "enterprise-demo", False),
        ("haidian", "district-demo", True),
        ("organiser", "organiser-demo", True),
    ):
        login(client, username, password)
        assert (IMPORT_LINK in client.get("/events/invest-beijing-2024").text) is shown, username


def test_policy_check_is_offered_to_the_enterprise_itself_and_the_organiser(client: TestClient) -> None:
    check = 'href="/policies/check?org=demo-xinghe"'
    assert check not in client.get("/organisations/demo-xinghe").text
    login(client, "investor", "investor-demo")
    assert check not in client.get("/organisations/demo-xinghe").text
    login(client, "enterprise", "enterprise-demo")
    assert check in client.get("/organisations/demo-xinghe").text
    assert "/policies/check?org=hyperstrong" not in client.get("/organisations/hyperstrong").text
    login(client, "organiser", "organiser-demo")
    assert "/policies/check?org=hyperstrong" in client.get("/organisations/hyperstrong").text


def test_unknown_organisation_gets_a_readable_404(client: TestClient) -> None:
    response = client.get("/organisations/no-such-org")
    assert response.status_code == 404 and "未找到机构：no-such-org" in response.text


def test_a_forum_page_leads_to_its_programme_and_its_registration(client: TestClient, db: Session) -> None:
    forum = agenda_factories.forum(db)
    speaker = factories.person(db)
    agenda_factories.session(db, forum, people=[speaker], kind="parallel_forum")
    agenda_factories.session(db, forum, start="2026-04-26 09:00", end="2026-04-26 10:00", people=[speaker])
    agenda_factories.session(db, forum, cancelled_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    registration_factories.category(db, forum)
    bare = factories.event(db)
    db.commit()
    html = client.get(f"/events/{forum.slug}").text
    programme = html.split('data-testid="programme"', 1)[1].split("</section>", 1)[0]
    assert "共 2 场" in programme and "1 场平行论坛" in programme and "共 1 位嘉宾" in programme
    assert "会期 2 天" in programme
    for path in ("agenda", "sessions", "speakers", "register"):
        assert f'href="/events/{forum.slug}/{path}"' in programme
    assert 'data-testid="programme"' not in client.get(f"/events/{bare.slug}").text
    assert f'hreflang="en" href="/events/{forum.slug}?lang=en"' in html
    assert "Programme" in client.get(f"/events/{forum.slug}?lang=en").text
