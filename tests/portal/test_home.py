"""The home page: a participant's "recommended for you" card, the page as before for everyone else, and a
welcoming page on a database that holds no event yet."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from duijie.app import create_app
from duijie.config import Settings
from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from tests import factories
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


@pytest.fixture(scope="module")
def empty_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The application over a freshly migrated SQLite file with no event at all, and one investor account
    (what a new installation looks like before the organiser publishes anything)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('empty') / 'db.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    with sessionmaker(bind=engine)() as db:
        investor = factories.organisation(db, kind="investor")
        factories.account(db, role="investor", organisation=investor, username="first-investor")
        db.commit()
    engine.dispose()
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield client


def test_home_on_an_empty_database_welcomes_the_visitor(empty_site: TestClient) -> None:
    empty_site.cookies.clear()
    page = empty_site.get("/")
    assert page.status_code == 200
    assert 'data-testid="welcome"' in page.text and "欢迎使用对接平台" in page.text and "尚未发布任何活动" in page.text
    assert "全部活动" not in page.text  # no empty list of events
    empty_site.cookies.set("lang", "en")
    english = empty_site.get("/").text
    assert "Welcome to duijie" in english and "No event has been published yet" in english
    empty_site.cookies.clear()


def test_home_on_an_empty_database_for_an_investor_shows_no_card_and_no_error(empty_site: TestClient) -> None:
    empty_site.cookies.clear()
    login(empty_site, "first-investor", factories.PASSWORD)
    page = empty_site.get("/")
    assert page.status_code == 200
    assert 'data-testid="welcome"' in page.text and 'data-testid="for-you"' not in page.text
    assert 'href="/login"' not in page.text.split('data-testid="welcome"')[1].split("</section>")[0]
    empty_site.cookies.clear()


def test_navigation_entries_lead_home_when_there_is_no_contest_or_grid(empty_site: TestClient) -> None:
    for path in ("/contests", "/meetings"):
        response = empty_site.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (307, "/")


def test_home_with_events_shows_no_welcome(client: TestClient) -> None:
    assert 'data-testid="welcome"' not in client.get("/").text


def test_navigation_entries_lead_to_the_latest_contest_and_meeting_grid(client: TestClient) -> None:
    contest = client.get("/contests", follow_redirects=False)
    meetings = client.get("/meetings", follow_redirects=False)
    assert (contest.status_code, contest.headers["location"]) == (307, "/contests/frontier-contest-7")
    assert meetings.status_code == 307
    assert meetings.headers["location"] == "/events/invest-beijing-2024/meetings"
