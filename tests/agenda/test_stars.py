"""Starring sessions (signed-in readers only, CSRF-checked, idempotent) and the personal agenda: starred sessions
of every event with the reader's 1:1 meetings in one chronological list, in the chosen zone."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.agenda.models import SessionStar
from duijie.directory.models import Account, Person
from tests import factories
from tests.agenda import factories as af
from tests.conftest import csrf_of, in_english, login
from tests.factories import PASSWORD
from tests.meetings import factories as mf


def _stars(db: Session, account: Account) -> list[int]:
    db.expire_all()
    return sorted(db.scalars(select(SessionStar.session_id).where(SessionStar.account_id == account.id)))


def test_anonymous_star_is_sent_to_login_and_writes_nothing(client: TestClient, db: Session) -> None:
    event = af.forum(db, slug="star-forum")
    s = af.session(db, event)
    response = client.post(f"/events/star-forum/sessions/{s.id}/star", data={"star": "1"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert db.scalar(select(SessionStar.id)) is None
    # The page offers a log-in link instead of the button.
    assert "/login?next=" in client.get(f"/events/star-forum/sessions/{s.id}").text


def test_star_and_unstar_with_the_form_button(client: TestClient, db: Session) -> None:
    event = af.forum(db, slug="star-forum")
    s = af.session(db, event, title_zh="开幕式")
    account = factories.account(db)
    login(client, account.username, PASSWORD)
    page = f"/events/star-forum/sessions/{s.id}"
    assert 'aria-pressed="false"' in client.get(page).text
    done = client.post(
        f"{page}/star", data={"star": "1", "next": "/events/star-forum/agenda", "csrf": csrf_of(client, page)},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/events/star-forum/agenda"
    assert _stars(db, account) == [s.id]
    # Twice (a double click): still one star.
    client.post(f"{page}/star", data={"star": "1", "csrf": csrf_of(client, page)})
    assert _stars(db, account) == [s.id]
    assert 'aria-pressed="true"' in client.get(page).text
    client.post(f"{page}/star", data={"star": "0", "csrf": csrf_of(client, page)})
    assert _stars(db, account) == []


def test_star_needs_the_csrf_token_and_refuses_an_outside_next(client: TestClient, db: Session) -> None:
    event = af.forum(db, slug="star-forum")
    s = af.session(db, event)
    account = factories.account(db)
    login(client, account.username, PASSWORD)
    refused = client.post(f"/events/star-forum/sessions/{s.id}/star", data={"star": "1", "csrf": "forged"})
    assert refused.status_code >= 400 and _stars(db, account) == []
    page = f"/events/star-forum/sessions/{s.id}"
    done = client.post(
        f"{page}/star", data={"star": "1", "next": "https://evil.example/", "csrf": csrf_of(client, page)},
        follow_redirects=False,
    )  # fmt: skip
    assert done.headers["location"] == page


def test_a_draft_events_session_cannot_be_starred(client: TestClient, db: Session) -> None:
    draft = af.forum(db, slug="draft-forum", is_published=False)
    s = af.session(db, draft)
    account = factories.account(db)
    login(client, account.username, PASSWORD)
    token = csrf_of(client, "/me/agenda")
    assert client.post(f"/events/draft-forum/sessions/{s.id}/star", data={"star": "1", "csrf": token}).status_code == 404
    assert _stars(db, account) == []


def test_personal_agenda_needs_login(client: TestClient) -> None:
    response = client.get("/me/agenda", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/me/agenda"


def test_personal_agenda_lists_stars_of_every_event_and_meetings_in_time_order(
    client: TestClient, db: Session
) -> None:
    forum = af.forum(db, slug="forum-one", name_zh="论坛一", name_en="Forum One")
    other = af.forum(db, slug="forum-two")
    account = factories.account(db)
    late = af.session(db, forum, start="2026-04-25 14:00", end="2026-04-25 15:00", title_zh="下午场", title_en="Afternoon")
    early = af.session(db, other, start="2026-04-25 08:00", end="2026-04-25 08:45", title_zh="早场", title_en="Early bird")
    gone = af.session(db, forum, start="2026-04-26 10:00", end="2026-04-26 11:00", title_zh="取消场", title_en="Dropped")
    gone.cancelled_at = gone.created_at
    unstarred = af.session(db, forum, title_zh="别人的场次")
    for s in (late, early, gone):
        af.star(db, account, s)
    af.star(db, factories.account(db), unstarred)
    # A 1:1 meeting at 09:30 Beijing time on the 25th, between the two starred sessions.
    slots, tables = mf.grid(db, forum, slots=2)
    me = mf.participant(db, forum, person=db.get(Person, account.person_id))
    them = mf.participant(db, forum, organisation=factories.organisation(db, name_zh="南山科技", name_en="Nanshan Tech"))
    mf.meeting(db, forum, slots[1], tables[0], me, them)
    db.flush()
    login(client, account.username, PASSWORD)
    page = client.get("/me/agenda").text
    flat = re.findall(r"早场|南山科技|下午场|取消场|别人的场次", page)
    assert flat.index("早场") < flat.index("南山科技") < flat.index("下午场") < flat.index("取消场")
    assert "别人的场次" not in page
    assert "<s>取消场</s>" in page
    with in_english(client):
        english = client.get("/me/agenda?tz=Europe/London").text
    assert "Early bird" in english and "Afternoon" in english and "Nanshan Tech" in english
    assert "01:00–01:45" in english and "UK time (London) (UTC+1)" in english
    client.cookies.delete("tz")


def test_a_star_on_an_event_taken_back_to_draft_is_not_shown(client: TestClient, db: Session) -> None:
    event = af.forum(db, slug="hidden-later")
    s = af.session(db, event, title_zh="将隐藏的场次")
    account = factories.account(db)
    af.star(db, account, s)
    event.is_published = False
    db.flush()
    login(client, account.username, PASSWORD)
    assert "将隐藏的场次" not in client.get("/me/agenda").text
