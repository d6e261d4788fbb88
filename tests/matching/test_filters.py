"""Industry and district filters on the recommendations page: every list narrowed the way the API narrows it,
an emptied list offering to clear the filter, and no extra queries."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.directory.accounts import load_actor
from duijie.directory.models import Account, Organisation
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.matching import service
from tests.conftest import StatementCounter, csrf_of, login

EVENT = "invest-beijing-2024"


def _event(db: Session) -> Event:
    return db.scalars(select(Event).where(Event.slug == EVENT)).one()


def _org(db: Session, username: str, role: str) -> Organisation:
    account = db.scalars(select(Account).where(Account.username == username)).one()
    org = db.get(Organisation, min(load_actor(db, account.id).organisations(role)))
    assert org is not None
    return org


def _sections(html: str) -> dict[str, list[int]]:
    """Each recommendation section's suggestion ids, keyed by its first words (the title)."""
    out: dict[str, list[int]] = {}
    for part in html.split('data-testid="recommendations"')[1:]:
        title = re.search(r"<h2>(.*?)</h2>", part, re.S)
        assert title is not None
        out[title.group(1)] = [int(x) for x in re.findall(r'class="suggestion" data-id="(\d+)"', part)]
    return out


def _expected(db: Session, kind: str, record_id: int, want: str, limit: int, keep: object) -> list[int]:
    """The unfiltered candidates, best first, narrowed here by hand."""
    everything = service.recommendations(
        db, event=_event(db), kind=kind, record_id=record_id, want=want, limit=10_000
    )
    return [s.record.id for s in everything if keep(s.record)][:limit]  # type: ignore[operator]


def test_industry_filter_narrows_the_investors_projects(client: TestClient, db: Session) -> None:
    investor = _org(db, "investor", "investor")
    industry = "绿色能源与节能环保"
    login(client, "investor", "investor-demo")
    page = client.get(f"/recommendations?industry={quote(industry)}").text
    ids = next(iter(_sections(page).values()))
    expected = _expected(db, "investor", investor.id, "project", 10, lambda r: r.industry == industry)
    assert ids == expected and len(ids) == 10
    assert ids != next(iter(_sections(client.get("/recommendations").text).values()))
    assert f'<option value="{industry}" selected>' in page
    api = client.get(
        "/api/v1/recommendations",
        params={"kind": "investor", "id": investor.id, "want": "project", "industry": industry},
    ).json()
    assert [i["id"] for i in api["items"]] == ids


def test_district_filter_narrows_the_investors_projects(client: TestClient, db: Session) -> None:
    investor = _org(db, "investor", "investor")
    login(client, "investor", "investor-demo")
    ids = next(iter(_sections(client.get(f"/recommendations?district={quote('海淀区')}").text).values()))
    assert ids == _expected(db, "investor", investor.id, "project", 10, lambda r: r.district == "海淀区")
    assert len(ids) >= 3


def test_a_parent_industry_keeps_its_sub_industries() -> None:
    biotech = Opportunity(kind="investment_project", title_zh="抗体平台", industry="生物科技")
    assert service.in_industry(biotech, "医药健康") and service.in_industry(biotech, "生物科技")
    assert not service.in_industry(biotech, "人工智能")


def test_filters_narrow_each_section_of_an_enterprise(client: TestClient, db: Session) -> None:
    enterprise = _org(db, "enterprise", "enterprise")
    login(client, "enterprise", "enterprise-demo")
    plain = list(_sections(client.get("/recommendations").text).values())
    ai = "人工智能"
    investors, partners = list(_sections(client.get(f"/recommendations?industry={quote(ai)}").text).values())[
        :2
    ]
    assert investors == _expected(
        db, "enterprise", enterprise.id, "investor", 8, lambda r: ai in service._industries(r)
    )
    assert partners == _expected(
        db, "enterprise", enterprise.id, "enterprise", 5, lambda r: ai in service._industries(r)
    )
    # The filter narrows the investors (some invest elsewhere) and keeps the partners, all in AI like the enterprise.
    assert 0 < len(investors) < len(plain[0]) and partners == plain[1] != []
    page = client.get(f"/recommendations?district={quote('海淀区')}").text
    sections = list(_sections(page).values())
    assert sections[0] == plain[0]
    assert page.count('data-testid="district-not-applied"') == 2
    assert sections[1] == _expected(
        db, "enterprise", enterprise.id, "enterprise", 5, lambda r: r.district == "海淀区"
    )
    assert len(sections[1]) == 1
    offers = [
        int(i)
        for part in page.split('data-left="demand"')[1:]
        for i in re.findall(r'class="suggestion" data-id="(\d+)"', part.split("</section>")[0])
    ]
    assert offers
    assert {db.get(Opportunity, i).district for i in offers} == {"海淀区"}  # type: ignore[union-attr]


def test_filter_that_empties_a_list_says_so_and_offers_to_clear_it(client: TestClient) -> None:
    login(client, "investor", "investor-demo")
    page = client.get(
        f"/recommendations?event={EVENT}&industry={quote('商业航天')}&district={quote('延庆区')}"
    )
    assert page.status_code == 200
    assert next(iter(_sections(page.text).values())) == []
    assert "本栏推荐中没有符合筛选条件的结果。" in page.text
    assert f'<a href="/recommendations?event={EVENT}">清除筛选条件</a>' in page.text


def test_unknown_filter_values_show_the_whole_list(client: TestClient) -> None:
    login(client, "investor", "investor-demo")
    page = client.get("/recommendations?industry=charm&district=Atlantis").text
    assert len(next(iter(_sections(page).values()))) == 10
    assert 'data-testid="clear-filters"' not in page


def test_not_interested_keeps_the_filter(client: TestClient, db: Session) -> None:
    investor = _org(db, "investor", "investor")
    login(client, "investor", "investor-demo")
    path = f"/recommendations?event={EVENT}&industry={quote('绿色能源与节能环保')}"
    first = next(iter(_sections(client.get(path).text).values()))[0]
    response = client.post(
        "/recommendations/not-interested",
        data={
            "csrf": csrf_of(client, path),
            "event": EVENT,
            "left_kind": "investor",
            "left_id": str(investor.id),
            "right_kind": "project",
            "right_id": str(first),
            "industry": "绿色能源与节能环保",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == path


def _selects(client: TestClient, counter: StatementCounter, path: str) -> int:
    with counter:
        assert client.get(path).status_code == 200
    return sum(1 for s in counter.statements if s.lstrip().upper().startswith("SELECT"))


def test_filtered_page_runs_as_many_queries_as_the_unfiltered_one(
    client: TestClient, count_statements: StatementCounter
) -> None:
    login(client, "enterprise", "enterprise-demo")
    _selects(client, count_statements, "/recommendations")  # fills the per-process caches first
    plain = _selects(client, count_statements, "/recommendations")
    narrowed = _selects(
        client, count_statements, f"/recommendations?industry={quote('人工智能')}&district={quote('海淀区')}"
    )
    assert narrowed == plain
