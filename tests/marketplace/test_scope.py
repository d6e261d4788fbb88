"""Projects stay inside their event: an organiser scoped to one event edits only that event's projects (and
sees only its drafts), and a second event's projects never show in the first's lists, exports or figures.
Refusals speak the request's language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.core import i18n
from duijie.core.auth import Actor, Grant
from duijie.core.errors import InvalidTransition, NotFound
from duijie.insight.queries import compute_stats, make_scope
from duijie.marketplace import service as opportunity_service
from duijie.marketplace.models import Opportunity
from duijie.marketplace.schemas import OpportunityFilters
from tests import factories
from tests.conftest import csrf_of, login
from tests.marketplace import factories as market_factories

ORGANISER = Actor(username="t", grants=(Grant(role="organiser"),))


def test_an_organiser_of_one_event_edits_only_that_events_projects(client: TestClient, db: Session) -> None:
    first, second = factories.event(db), factories.event(db)
    own, other = market_factories.project(db, first), market_factories.project(db, second)
    account = factories.account(db, role="organiser", event=first)
    login(client, account.username, factories.PASSWORD)
    assert f'href="/projects/{own.id}/edit"' in client.get(f"/projects/{own.id}").text
    assert f'href="/projects/{other.id}/edit"' not in client.get(f"/projects/{other.id}").text
    assert client.get(f"/projects/{other.id}/edit").status_code == 403
    token = csrf_of(client, f"/projects/{own.id}")
    answers = [
        client.post(
            f"/projects/{opp.id}/edit",
            data={
                "csrf": token,
                "title_zh": "改名",
                "category": opp.category,
                "industry": opp.industry,
                "district": opp.district,
                "amount": "1亿",
            },
            follow_redirects=False,
        ).status_code
        for opp in (own, other)
    ]
    assert answers == [303, 403]
    db.expire_all()
    assert [db.get(Opportunity, o.id).title_zh for o in (own, other)] == ["改名", other.title_zh]  # type: ignore[union-attr]


def test_an_organiser_of_one_event_sees_only_that_events_drafts(db: Session) -> None:
    first, second = factories.event(db), factories.event(db)
    own = market_factories.project(db, first, status="draft", published_at=None)
    other = market_factories.project(db, second, status="draft", published_at=None)
    scoped = factories.actor(db, role="organiser", event=first)
    seen = {
        o.id
        for event in (first, second)
        for o in opportunity_service.list_opportunities(
            db, actor=scoped, filters=OpportunityFilters(event=event.slug)
        )[0]
    }
    assert seen == {own.id}
    assert opportunity_service.get(db, id=own.id, actor=scoped) is own
    with pytest.raises(NotFound):
        opportunity_service.get(db, id=other.id, actor=scoped)


def test_a_second_events_projects_never_show_in_the_firsts_lists_export_and_figures(
    client: TestClient, db: Session
) -> None:
    first, second = factories.event(db), factories.event(db)
    own = market_factories.project(db, first)
    other = market_factories.project(db, second)
    api = client.get("/api/v1/opportunities", params={"event": first.slug}).json()
    assert [o["id"] for o in api["items"]] == [own.id]
    listed = client.get("/projects", params={"event": first.slug}).text
    export = client.get("/export/projects.csv", params={"event": first.slug}).content.decode("utf-8-sig")
    for text in (listed, export):
        assert own.title_zh in text and other.title_zh not in text
    released = compute_stats(db, make_scope(db, event=first.slug)).released
    assert (released.count, released.amount) == (1, own.amount)


@pytest.mark.parametrize(
    ("locale", "message"),
    [("zh_CN", "项目不能从“已落地”直接变为“已发布”。"), ("en", "A project cannot go from Landed to Published.")],
)
def test_a_refused_state_change_names_the_states_in_the_requests_language(
    db: Session, locale: str, message: str
) -> None:
    project = market_factories.project(db, factories.event(db), status="landed")
    token = i18n.set_locale(locale)
    try:
        with pytest.raises(InvalidTransition) as refused:
            opportunity_service.set_opportunity_state(
                db, actor=ORGANISER, opportunity=project, to="published"
            )
    finally:
        i18n.reset_locale(token)
    assert refused.value.message == message
