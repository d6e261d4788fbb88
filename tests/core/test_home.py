"""The home page: a participant's "recommended for you" card, and the page as before for everyone else."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import login


def _card(html: str) -> str:
    start = html.index('data-testid="for-you"')
    return html[start : html.index("</section>", start)]


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'class="suggestion" data-id="(\d+)"', html)]


def _first_section(client: TestClient) -> list[int]:
    page = client.get("/recommendations").text
    return _ids(page.split('data-testid="recommendations"')[1])


def test_investor_sees_its_top_three_projects_with_one_reason_each(client: TestClient) -> None:
    login(client, "investor", "investor-demo")
    page = client.get("/")
    assert page.status_code == 200
    card = _card(page.text)
    assert "为您推荐" in card and 'href="/recommendations"' in card
    assert "可能与京华创新投资（示例）匹配的项目" in card
    assert _ids(card) == _first_section(client)[:3]
    # One reason each, a stated fact before text similarity: the industry, else the amount.
    assert re.findall(r'<li class="reason good">(.*?)</li>', card) == [
        "同属绿色能源与节能环保",
        "金额在5000万元-5亿元区间内",
        "金额在5000万元-5亿元区间内",
    ]
    assert card.count('href="/projects/') == 3
    assert "2024年投资北京大会" in page.text[page.text.index("summit") :]


def test_enterprise_sees_its_top_three_investors(client: TestClient) -> None:
    login(client, "enterprise", "enterprise-demo")
    card = _card(client.get("/").text)
    assert "可能与星河智能科技（示例）匹配的投资机构" in card
    assert _ids(card) == _first_section(client)[:3]
    assert card.count('class="reason ') == 3 and card.count('href="/organisations/') == 3


def test_card_speaks_english(client: TestClient) -> None:
    login(client, "investor", "investor-demo")
    client.cookies.set("lang", "en")
    card = _card(client.get("/").text)
    assert "Recommended for you" in card and "All recommendations" in card


def test_anonymous_visitor_and_organiser_see_no_card(client: TestClient) -> None:
    anonymous = client.get("/")
    assert anonymous.status_code == 200 and 'data-testid="for-you"' not in anonymous.text
    assert "Invest Beijing" in anonymous.text or "投资北京" in anonymous.text
    login(client, "organiser", "organiser-demo")
    assert 'data-testid="for-you"' not in client.get("/").text
