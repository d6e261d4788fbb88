"""The recommendation pages and API: investor and enterprise home panels, a project's investors, the organiser."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from duijie.core.jobs import run_queued
from duijie.directory.models import Account, Organisation
from duijie.events.models import Event, EventSetting
from duijie.matching.models import MatchFeedback, MatchScore
from tests import factories
from tests.conftest import StatementCounter, csrf_of, login

EVENT = "invest-beijing-2024"


def _investor_id(db: Session) -> int:
    account = db.scalars(select(Account).where(Account.username == "investor")).one()
    return next(r.organisation_id for r in account.roles if r.role == "investor")


def _top_project(db: Session) -> int:
    event = db.scalars(select(Event).where(Event.slug == EVENT)).one()
    return db.scalars(
        select(MatchScore.right_id)
        .where(MatchScore.event_id == event.id, MatchScore.right_kind == "project")
        .order_by(MatchScore.score.desc(), MatchScore.id)
    ).first()


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'class="suggestion" data-id="(\d+)"', html)]


def _sections(html: str) -> list[str]:
    """The recommendation sections of a page, in order, each with its opening tag."""
    return [
        'data-testid="recommendations"' + part for part in html.split('data-testid="recommendations"')[1:]
    ]


def test_investor_home_lists_projects_with_reasons(client: TestClient, db: Session) -> None:
    login(client, "investor", "investor-demo")
    page = client.get("/recommendations")
    assert page.status_code == 200
    assert "可能与" in page.text and "匹配的项目" in page.text
    assert len(_ids(_sections(page.text)[0])) == 10
    assert "同属" in page.text and "亿元区间内" in page.text
    assert "不感兴趣" in page.text


def test_investor_home_in_english(client: TestClient) -> None:
    login(client, "investor", "investor-demo")
    client.cookies.set("lang", "en")
    page = client.get("/recommendations")
    assert "Projects that may fit" in page.text
    assert "Both in" in page.text and "Not interested" in page.text


def test_not_interested_removes_the_project_from_the_list(client: TestClient, db: Session) -> None:
    login(client, "investor", "investor-demo")
    first = _ids(_sections(client.get("/recommendations").text)[0])[0]
    response = client.post(
        "/recommendations/not-interested",
        data={
            "csrf": csrf_of(client, "/recommendations"),
            "event": EVENT,
            "left_kind": "investor",
            "left_id": str(_investor_id(db)),
            "right_kind": "project",
            "right_id": str(first),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert first not in _ids(_sections(client.get("/recommendations").text)[0])
    assert db.scalars(select(MatchFeedback.response).where(MatchFeedback.right_id == first)).all() == [
        "not_interested"
    ]


def test_enterprise_home_lists_investors_and_partners(client: TestClient) -> None:
    login(client, "enterprise", "enterprise-demo")
    page = client.get("/recommendations")
    assert page.status_code == 200
    assert "匹配的投资机构" in page.text and "可能合作的企业" in page.text
    investors, partners = _sections(page.text)[:2]
    assert len(_ids(investors)) >= 5
    assert len(_ids(partners)) == 5


def test_enterprise_home_lists_policies_that_may_apply_and_investor_home_does_not(client: TestClient) -> None:
    login(client, "enterprise", "enterprise-demo")
    page = client.get("/recommendations").text
    block = page[page.index('data-testid="policy-suggestions"') :]
    assert "您可能适用的政策" in block
    assert 1 <= block.count("data-policy=") <= 5
    assert 'href="/policies/suggest"' in block
    client.cookies.clear()
    login(client, "investor", "investor-demo")
    assert 'data-testid="policy-suggestions"' not in client.get("/recommendations").text


def test_project_fragment_shows_investors_to_the_organiser_only(client: TestClient, db: Session) -> None:
    project = _top_project(db)
    assert client.get(f"/projects/{project}/matches").text.strip() == ""
    login(client, "organiser", "organiser-demo")
    fragment = client.get(f"/projects/{project}/matches").text
    assert "可能匹配的投资机构" in fragment
    assert fragment.count('class="suggestion"') == 5


def test_organiser_sees_matching_page_and_recomputes_in_the_background(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    login(client, "organiser", "organiser-demo")
    page = client.get(f"/events/{EVENT}/matching")
    assert page.status_code == 200
    assert "尚无理想匹配的参与方" in page.text and "匹配度最高的推荐" in page.text
    assert 'data-testid="job"' not in page.text
    response = client.post(
        f"/events/{EVENT}/matching/recompute",
        data={"csrf": csrf_of(client, f"/events/{EVENT}/matching")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    queued = client.get(f"/events/{EVENT}/matching").text
    assert '<meta http-equiv="refresh" content="2">' in queued
    assert re.search(r'data-testid="job-state">已排队<', queued)
    again = client.post(
        f"/events/{EVENT}/matching/recompute",
        data={"csrf": csrf_of(client, f"/events/{EVENT}/matching")},
        follow_redirects=False,
    )
    assert again.status_code == 409 and "该活动的匹配计算正在进行中" in again.text
    assert client.get(f"/api/v1/events/{EVENT}/matching/job").json()["state"] == "queued"
    assert len(run_queued(session_factory)) == 1
    done = client.get(f"/events/{EVENT}/matching").text
    assert 'http-equiv="refresh"' not in done
    assert re.search(r'data-testid="job-state">完成<', done)
    assert "自上次计算以来无变化" in done
    status = client.get(f"/api/v1/events/{EVENT}/matching/job").json()
    assert (status["event"], status["state"], status["running"], status["error"]) == (
        EVENT,
        "done",
        False,
        None,
    )
    assert status["written"] == 0 and status["kept"] > 0


def test_failed_job_shows_its_message(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    event = db.scalars(select(Event).where(Event.slug == EVENT)).one()
    db.add(EventSetting(event_id=event.id, key="matching.weights", value={"investor_project": {"charm": 1}}))
    db.commit()
    login(client, "organiser", "organiser-demo")
    client.post(
        f"/events/{EVENT}/matching/recompute",
        data={"csrf": csrf_of(client, f"/events/{EVENT}/matching")},
        follow_redirects=False,
    )
    assert len(run_queued(session_factory)) == 1
    client.cookies.set("lang", "en")
    page = client.get(f"/events/{EVENT}/matching").text
    assert re.search(r'data-testid="job-state">Failed<', page)
    assert "weight &#39;charm&#39;: unknown part" in page
    status = client.get(f"/api/v1/events/{EVENT}/matching/job").json()
    assert status["state"] == "failed" and status["error"].startswith("weight 'charm': unknown part")


def test_job_status_api_is_for_the_organiser(client: TestClient) -> None:
    login(client, "investor", "investor-demo")
    response = client.get(f"/api/v1/events/{EVENT}/matching/job")
    assert response.status_code == 403


def test_matching_page_is_refused_to_an_investor(client: TestClient) -> None:
    login(client, "investor", "investor-demo")
    assert client.get(f"/events/{EVENT}/matching").status_code == 403


def test_api_lists_recommendations_with_parts(client: TestClient, db: Session) -> None:
    login(client, "investor", "investor-demo")
    investor = _investor_id(db)
    body = client.get(
        "/api/v1/recommendations", params={"kind": "investor", "id": investor, "want": "project", "limit": 3}
    ).json()
    assert (body["event"], body["kind"], body["want"], len(body["items"])) == (
        EVENT,
        "investor",
        "project",
        3,
    )
    item = body["items"][0]
    assert abs(sum(p["contribution"] for p in item["parts"]) - item["score"]) < 1e-3
    assert {p["name"] for p in item["parts"]} >= {"industry", "district", "amount", "category", "stage"}


def test_api_feedback_hides_the_suggestion(client: TestClient, db: Session) -> None:
    login(client, "investor", "investor-demo")
    investor = _investor_id(db)
    params = {"kind": "investor", "id": investor, "want": "project"}
    first = client.get("/api/v1/recommendations", params=params).json()["items"][0]["id"]
    response = client.post(
        "/api/v1/recommendations/feedback",
        json={
            "event": EVENT,
            "left_kind": "investor",
            "left_id": investor,
            "right_kind": "project",
            "right_id": first,
        },
    )
    assert response.status_code == 201
    assert response.json()["response"] == "not_interested"
    items = client.get("/api/v1/recommendations", params=params).json()["items"]
    assert first not in [i["id"] for i in items]


def test_api_refuses_another_organisations_list(client: TestClient, db: Session) -> None:
    login(client, "enterprise", "enterprise-demo")
    other = db.scalars(select(Organisation.id).where(Organisation.kind == "investor")).first()
    response = client.get(
        "/api/v1/recommendations", params={"kind": "investor", "id": other, "want": "project"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "只能查看本机构的推荐结果。"


def test_investor_home_runs_a_fixed_number_of_queries(
    client: TestClient, count_statements: StatementCounter
) -> None:
    login(client, "investor", "investor-demo")
    with count_statements as counted:
        client.get("/recommendations")
    selects = [s for s in counted.statements if s.lstrip().upper().startswith("SELECT")]
    # Two sections (projects, people to meet) of four reads each, whatever their length, the event's, and the
    # signed-in visitor's (session, account, person, roles).
    assert 3 <= len(selects) <= 16


def test_an_organiser_of_another_event_cannot_run_this_ones_matching(client: TestClient, db: Session) -> None:
    other = db.scalars(select(Event).where(Event.slug == "invest-beijing-2023")).one()
    scoped = factories.account(db, role="organiser", event=other)
    db.commit()
    login(client, scoped.username, factories.PASSWORD)
    assert client.get(f"/events/{EVENT}/matching").status_code == 403
    assert client.get(f"/api/v1/events/{EVENT}/matching/weights").status_code == 403
    assert client.get(f"/api/v1/events/{EVENT}/matching/job").status_code == 403
    refused = client.post(
        f"/events/{EVENT}/matching/recompute",
        data={"csrf": csrf_of(client, "/recommendations")},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert client.get("/events/invest-beijing-2023/matching").status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client: TestClient) -> None:
    page = client.get("/recommendations?event=invest-beijing-2024", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (
        303,
        "/login?next=/recommendations%3Fevent%3Dinvest-beijing-2024",
    )
    matching = client.get(f"/events/{EVENT}/matching", follow_redirects=False)
    assert (matching.status_code, matching.headers["location"]) == (303, f"/login?next=/events/{EVENT}/matching")
    api = client.get("/api/v1/recommendations", params={"kind": "investor", "id": 1, "want": "project"})
    assert api.status_code == 401
