"""A draft event is seen by its organisers only: anonymous readers and other accounts meet the same 404 as for
an event that does not exist, in the list, on its page, in the API and among search records."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.agenda.models import AgendaSession
from duijie.core.auth import ANONYMOUS
from duijie.core.errors import NotFound
from duijie.directory.accounts import actor_for_account
from duijie.events.searchable import in_visible_events
from duijie.events.service import find_visible_event, visible_events
from tests import factories
from tests.conftest import login
from tests.events import factories as ev


def _slugs(client: TestClient) -> set[str]:
    body = client.get("/api/v1/events", params={"page_size": 200}).json()
    return {e["slug"] for e in body["items"]}


def test_an_anonymous_reader_finds_no_draft_anywhere(client: TestClient, db: Session) -> None:
    draft = ev.draft(db, name_zh="未发布的峰会")
    ev.figure(db, draft)
    db.commit()
    assert draft.slug not in _slugs(client)
    for path in (f"/api/v1/events/{draft.slug}", f"/api/v1/events/{draft.slug}/figures", f"/events/{draft.slug}"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "未发布的峰会" not in answer.text
    assert client.get(f"/api/v1/events/{draft.slug}").json()["error"]["message"] == f"没有名为“{draft.slug}”的活动。"
    assert "未发布的峰会" not in client.get("/").text


def test_a_signed_in_account_that_does_not_organise_it_does_not_see_it_either(client: TestClient, db: Session) -> None:
    draft = ev.draft(db)
    other = factories.event(db)
    outsider = ev.organiser(db, other)
    db.commit()
    login(client, outsider.username, factories.PASSWORD)
    assert draft.slug not in _slugs(client)
    assert client.get(f"/api/v1/events/{draft.slug}").status_code == 404


def test_its_organisers_see_the_draft_with_its_state(client: TestClient, db: Session) -> None:
    forum = ev.forum(db, is_published=False)
    summit = ev.inside(db, forum, is_published=False)
    scoped = ev.organiser(db, forum)
    db.commit()
    login(client, scoped.username, factories.PASSWORD)
    assert {forum.slug, summit.slug} <= _slugs(client)
    body = client.get(f"/api/v1/events/{summit.slug}").json()
    assert (body["state"], body["parent"]) == ("draft", forum.slug)
    assert client.get(f"/events/{summit.slug}").status_code == 200


def test_publishing_shows_the_event_to_everyone(client: TestClient, db: Session) -> None:
    draft = ev.draft(db)
    city = ev.organiser(db)
    db.commit()
    login(client, city.username, factories.PASSWORD)
    assert client.post(f"/api/v1/events/{draft.slug}/publish").json()["state"] == "published"
    client.cookies.clear()  # signed out: an anonymous reader again
    assert draft.slug in _slugs(client)
    assert client.get(f"/events/{draft.slug}").status_code == 200


def test_the_filters_for_other_lists_leave_drafts_to_their_organisers(db: Session) -> None:
    """`visible_events` and `in_visible_events` are what the other modules' lists and search kinds filter with."""
    published = factories.event(db)
    draft = ev.draft(db)
    session = AgendaSession(event_id=draft.id, title_zh="草稿活动的议程", starts_at=None)
    db.add(session)
    db.flush()
    public_ids = {e.id for e in visible_events(db, ANONYMOUS)}
    assert published.id in public_ids and draft.id not in public_ids
    found = db.scalars(
        select(AgendaSession.id).where(AgendaSession.id == session.id, in_visible_events(AgendaSession.event_id, ANONYMOUS))
    ).all()
    assert found == []
    organiser = actor_for_account(ev.organiser(db, draft))
    assert draft.id in {e.id for e in visible_events(db, organiser)}
    assert db.scalars(
        select(AgendaSession.id).where(AgendaSession.id == session.id, in_visible_events(AgendaSession.event_id, organiser))
    ).all() == [session.id]


def test_a_public_filter_naming_a_draft_is_the_404_of_an_unknown_event(db: Session) -> None:
    draft = ev.draft(db)
    with pytest.raises(NotFound) as hidden:
        find_visible_event(db, slug=draft.slug, actor=ANONYMOUS)
    assert hidden.value.message == f"没有名为“{draft.slug}”的活动。"
    assert find_visible_event(db, slug=None, actor=ANONYMOUS) is None
    organiser = actor_for_account(ev.organiser(db, draft))
    assert find_visible_event(db, slug=draft.slug, actor=organiser) is draft


def test_a_drafts_slug_in_other_modules_filters_is_the_unknown_event_404(client: TestClient, db: Session) -> None:
    summit = ev.draft(db, name_zh="筹备中的峰会")
    contest = ev.draft(db, kind="contest", name_zh="筹备中的大赛")
    db.commit()
    for path in (
        f"/deals?event={summit.slug}",
        f"/projects?event={summit.slug}",
        f"/dashboard?event={summit.slug}",
        f"/api/v1/stats?event={summit.slug}",
        f"/contests/{contest.slug}",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "筹备中的" not in answer.text, path
    assert "筹备中的峰会" not in client.get("/deals").text
