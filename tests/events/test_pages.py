from __future__ import annotations

import re

from fastapi.testclient import TestClient


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
    assert client.get("/api/v1/events/no-such-event").json()["error"]["status"] == 404


def test_deal_and_organisation_pages_render(client: TestClient) -> None:
    deals = client.get("/deals", params={"event": "invest-beijing-2023", "stage": "signed"})
    assert (deals.status_code == 200 and "小米机器人公司项目" in deals.text) or "共 39 项" in deals.text
    org = client.get("/organisations/hyperstrong")
    assert org.status_code == 200 and "海博思创" in org.text and "专精特新" in org.text
