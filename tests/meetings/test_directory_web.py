"""The participant directory through the real app: who may read it, the "request meeting" action by role (never
on one's own card, "already requested" once sent), the request form that proposes the sessions both sides are
free in and comes back filled in when refused, the action on project and organisation pages, the API, and a
fixed number of queries whatever the directory's size."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.events.models import Event
from duijie.meetings.models import MeetingRequest
from tests import factories
from tests.conftest import StatementCounter, csrf_of, in_english
from tests.marketplace import factories as market
from tests.meetings import factories as mf
from tests.meetings import factories_directory as fd


def _base(event: Event) -> str:
    return f"/events/{event.slug}/meetings/people"


def _cards(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-participant="(\d+)" data-kind=', html)]


def _card(html: str, participant_id: int) -> str:
    return html.split(f'data-participant="{participant_id}" data-kind=', 1)[1].split("</article>", 1)[0]


def test_directory_is_for_the_events_participants_and_organisers(client: TestClient, db: Session) -> None:
    event, other = factories.event(db), factories.event(db)
    me = fd.member(db, event)
    stranger = fd.member(db, other)
    organiser = factories.account(db, role="organiser", event=event)
    others_organiser = factories.account(db, role="organiser", event=other)
    db.commit()
    base = _base(event)
    api = f"/api/v1/events/{event.slug}/meetings/people"
    for path in (base, f"{base}/{me.participant.id}", f"{base}/{me.participant.id}/request"):
        answer = client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, f"/login?next={path}")
    assert client.get(api).status_code == 401
    fd.sign_in(client, db, stranger.account)
    assert client.get(base).status_code == 403
    assert client.get(f"{base}/{me.participant.id}").status_code == 403
    assert client.get(api).status_code == 403
    fd.sign_in(client, db, others_organiser)
    assert client.get(base).status_code == 403
    fd.sign_in(client, db, organiser)
    page = client.get(base)
    assert page.status_code == 200 and _cards(page.text) == [me.participant.id]
    # The organiser reads the directory but does not request meetings in it.
    assert 'data-testid="request-meeting"' not in page.text
    assert client.get(f"{base}/{me.participant.id}/request").status_code == 403
    assert client.get(f"{api}/{me.participant.id}/common-slots").status_code == 403
    fd.sign_in(client, db, me.account)
    assert client.get(base).status_code == 200
    # Another event's participant is not found in this one.
    assert client.get(f"{base}/{stranger.participant.id}").status_code == 404
    assert client.get(f"{api}/{stranger.participant.id}").status_code == 404


def test_cards_offer_the_action_to_participants_not_on_their_own_card(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    me = fd.member(db, event, name_zh="我方科技有限公司")
    investor = fd.member(db, event, role="investor", organisation=fd.investor(db, name_zh="远景资本"))
    asked_me = fd.member(db, event, name_zh="来访企业有限公司")
    mf.request(db, event, asked_me.participant, me.participant)
    fd.sign_in(client, db, me.account)
    page = client.get(_base(event)).text
    mine = _card(page, me.participant.id)
    assert 'data-testid="own-card"' in mine and 'data-testid="request-meeting"' not in mine
    theirs = _card(page, investor.participant.id)
    link = f'href="/events/{event.slug}/meetings/people/{investor.participant.id}/request"'
    assert 'data-testid="request-meeting"' in theirs and link in theirs and ">约见</a>" in theirs
    assert "投资：单笔5000万元–5亿元" in theirs and "关注行业：人工智能、集成电路" in theirs
    assert 'data-testid="asked-you"' in _card(page, asked_me.participant.id)
    # No contact details anywhere in the directory.
    for m in (me, investor, asked_me):
        assert m.account.person is not None and m.account.person.email
        assert m.account.person.email not in page
    # Sent through the directory's form: the card then says so, with the state.
    form = client.get(f"{_base(event)}/{investor.participant.id}/request").text
    token = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    sent = client.post(
        f"/events/{event.slug}/meetings/requests",
        data={"csrf": token, "recipient": str(investor.participant.id), "message": "想介绍我们的项目", "origin": "people"},
        follow_redirects=False,
    )
    assert (sent.status_code, sent.headers["location"]) == (303, f"/events/{event.slug}/meetings#outgoing")
    after = _card(client.get(_base(event)).text, investor.participant.id)
    assert "已申请（待回复）" in after and 'data-testid="request-meeting"' not in after
    with in_english(client):
        english = client.get(_base(event)).text
        assert "Already requested (Requested)" in _card(english, investor.participant.id)
        assert "Capital: tickets of CNY 50 M – CNY 500 M" in english and ">Answer</a>" in english
    # The profile carries the same state, and its form is not offered again.
    again = client.get(f"{_base(event)}/{investor.participant.id}/request").text
    assert 'data-testid="already-requested"' in again and 'data-testid="request-form"' not in again


def test_filters_on_the_page_and_a_bad_one_named_beside_its_field(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    me = fd.member(db, event, district="海淀区", industries=["医药健康"])
    investor = fd.member(db, event, role="investor", organisation=fd.investor(db, name_en="Vista Capital"))
    chip = fd.member(db, event, district="朝阳区", industries=["集成电路"], name_zh="芯片公司")
    fd.sign_in(client, db, me.account)
    base = _base(event)
    assert _cards(client.get(base + "?kind=investor").text) == [investor.participant.id]
    assert _cards(client.get(base + "?industry=集成电路").text) == [investor.participant.id, chip.participant.id]
    assert _cards(client.get(base + "?district=海淀区").text) == [me.participant.id]
    assert _cards(client.get(base + "?district=朝阳区").text) == [investor.participant.id, chip.participant.id]
    assert _cards(client.get(base + "?q=vista").text) == [investor.participant.id]
    bad = client.get(base + "?kind=pirate&q=芯片")
    assert bad.status_code == 422
    assert '<span class="field-error" id="err-kind" role="alert">未知的参会方类型：pirate</span>' in bad.text
    # The rest of the filters still apply, and the directory is still there.
    assert _cards(bad.text) == [chip.participant.id] and 'value="芯片"' in bad.text
    with in_english(client):
        english = client.get(base + "?page=x")
        assert english.status_code == 422
        assert "The page number must be a whole number from 1: x" in english.text
    nothing = client.get(base + "?q=不存在的名字").text
    assert 'data-testid="people-empty"' in nothing and "没有符合筛选条件的参会方。" in nothing


def test_request_form_proposes_the_sessions_both_are_free_in(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    am, tables = mf.grid(db, event, slots=3)
    pm = fd.slots(db, event, session="pm", first=mf.FIRST_SLOT + dt.timedelta(hours=5), count=2)
    me = fd.member(db, event)
    them = fd.member(db, event, role="investor")
    busy_with = fd.member(db, event)
    fd.free_in(db, me.participant, [am[0], am[1], pm[1]])
    mf.meeting(db, event, am[1], tables[0], them.participant, busy_with.participant)
    project = market.project(db, event, owner_org_id=them.organisation.id, title_zh="他方的项目")
    fd.sign_in(client, db, me.account)
    url = f"{_base(event)}/{them.participant.id}/request?opportunity={project.id}"
    page = client.get(url).text
    choices = page.split('data-testid="session-choices"', 1)[1].split("</fieldset>", 1)[0]
    assert re.findall(r'name="session" value="([^"]+)"', choices) == ["am", "pm"]
    assert re.findall(r'class="slot-time">([^<]+)<', choices) == ["09:00–09:30", "14:30–15:00"]
    assert f'<option value="{project.id}" selected>他方的项目</option>' in page
    assert f'name="recipient" value="{them.participant.id}"' in page
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    sent = client.post(
        f"/events/{event.slug}/meetings/requests",
        data={
            "csrf": token,
            "recipient": str(them.participant.id),
            "session": ["am", "pm"],
            "opportunity": str(project.id),
            "message": "",
            "origin": "people",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    row = db.scalars(select(MeetingRequest).where(MeetingRequest.requester_id == me.participant.id)).one()
    assert (row.recipient_id, row.sessions, row.opportunity_id) == (them.participant.id, ["am", "pm"], project.id)


def test_no_common_slot_is_said_plainly_and_the_request_still_goes(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    am, _tables = mf.grid(db, event, slots=2)
    me, them = fd.member(db, event), fd.member(db, event)
    fd.free_in(db, me.participant, [am[0]])
    fd.free_in(db, them.participant, [am[1]])
    fd.sign_in(client, db, me.account)
    page = client.get(f"{_base(event)}/{them.participant.id}/request").text
    assert 'data-testid="no-common-slot"' in page and "你们目前没有共同的空闲时段" in page
    assert 'name="session"' not in page
    profile = client.get(f"{_base(event)}/{them.participant.id}").text
    assert 'data-testid="no-common-slot"' in profile
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    sent = client.post(
        f"/events/{event.slug}/meetings/requests",
        data={"csrf": token, "recipient": str(them.participant.id), "origin": "people"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert db.scalars(select(MeetingRequest.sessions).where(MeetingRequest.requester_id == me.participant.id)).one() is None


def test_a_refused_request_comes_back_to_the_form_filled_in(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    mf.grid(db, event, slots=2)
    me, them = fd.member(db, event), fd.member(db, event)
    fd.sign_in(client, db, me.account)
    form = f"{_base(event)}/{them.participant.id}/request"
    token = csrf_of(client, form)
    data = {"csrf": token, "recipient": str(them.participant.id), "session": "am", "origin": "people"}
    long = client.post(f"/events/{event.slug}/meetings/requests", data={**data, "message": "谈" * 1001})
    assert long.status_code == 422
    assert 'data-testid="request-form"' in long.text and 'data-testid="recipient"' in long.text
    assert '<span class="field-error" role="alert">留言过长：最多 1000 个字符。</span>' in long.text
    assert "谈" * 1001 + "</textarea>" in long.text
    assert 'name="session" value="am" checked' in long.text
    with in_english(client):
        unknown = client.post(
            f"/events/{event.slug}/meetings/requests", data={**data, "session": "evening", "message": "hi"}
        )
        assert unknown.status_code == 422
        assert "Unknown session: evening" in unknown.text and ">hi</textarea>" in unknown.text
    bad_project = client.get(form + "?opportunity=999999")
    assert bad_project.status_code == 422 and "未找到项目：999999" in bad_project.text
    assert db.scalars(select(MeetingRequest).where(MeetingRequest.event_id == event.id)).all() == []
    # Oneself: refused with a message in the page's language.
    own = client.get(f"{_base(event)}/{me.participant.id}/request")
    assert own.status_code == 422 and "不能向自己发起洽谈申请" in own.text


def test_project_and_organisation_pages_offer_a_meeting_with_the_owner(client: TestClient, db: Session) -> None:
    event, elsewhere = factories.event(db), factories.event(db)
    owner = fd.member(db, event, name_zh="项目方有限公司")
    mf.participant(db, elsewhere, organisation=owner.organisation)
    reader = fd.member(db, event, role="investor")
    outsider = factories.account(db, role="investor", organisation=factories.organisation(db, kind="investor"))
    project = market.project(db, event, owner_org_id=owner.organisation.id)
    offer = market.project(db, event, kind="tech_offer", category=None, owner_org_id=owner.organisation.id)
    db.commit()
    link = f"/events/{event.slug}/meetings/people/{owner.participant.id}/request"
    assert 'data-testid="meet-section"' not in client.get(f"/projects/{project.id}").text
    fd.sign_in(client, db, outsider)
    assert 'data-testid="meet-section"' not in client.get(f"/projects/{project.id}").text
    fd.sign_in(client, db, reader.account)
    for opp in (project, offer):
        page = client.get(f"/projects/{opp.id}").text
        section = page.split('data-testid="meet-section"', 1)[1].split("</section>", 1)[0]
        assert f'href="{link}?opportunity={opp.id}"' in section and "在活动中约见项目方" in section
        # Only the event both take part in.
        assert f'data-event="{elsewhere.slug}"' not in section
    org_page = client.get(f"/organisations/{owner.organisation.slug}").text
    assert f'href="{link}"' in org_page and "在活动中约见该机构" in org_page
    # The owner's own people are not offered a meeting with themselves.
    fd.sign_in(client, db, owner.account)
    assert 'data-testid="meet-section"' not in client.get(f"/projects/{project.id}").text
    # The form reached from the project names it.
    fd.sign_in(client, db, reader.account)
    form = client.get(f"{link}?opportunity={project.id}").text
    assert f'<option value="{project.id}" selected>' in form


def test_meetings_page_points_to_the_directory_instead_of_a_dropdown(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    me = fd.member(db, event)
    for _k in range(3):
        fd.member(db, event)
    fd.sign_in(client, db, me.account)
    page = client.get(f"/events/{event.slug}/meetings").text
    assert 'name="recipient"' not in page and 'name="opportunity"' not in page
    assert f'href="/events/{event.slug}/meetings/people"' in page and 'data-testid="people-search"' in page


def test_api_lists_filters_and_computes_common_slots(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    am, tables = mf.grid(db, event, slots=3)
    me = fd.member(db, event)
    investor = fd.member(db, event, role="investor", organisation=fd.investor(db))
    other = fd.member(db, event)
    mf.meeting(db, event, am[0], tables[0], investor.participant, other.participant)
    fd.sign_in(client, db, me.account)
    api = f"/api/v1/events/{event.slug}/meetings/people"
    listed = client.get(api, params={"kind": "investor"}).json()
    assert [i["participant_id"] for i in listed["items"]] == [investor.participant.id]
    item = listed["items"][0]
    assert item["offers"][0] == {"kind": "capital", "text": "投资：单笔5000万元–5亿元", "opportunity_id": None}
    assert "email" not in item and "phone" not in item and item["request"] is None and not item["own"]
    assert (listed["total"], listed["page"], listed["pages"]) == (1, 1, 1)
    paged = client.get(api, params={"page_size": 2, "page": 2}).json()
    assert (paged["total"], paged["pages"], len(paged["items"])) == (3, 2, 1)
    bad = client.get(api, params={"kind": "pirate"})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "kind"
    common = client.get(f"{api}/{investor.participant.id}/common-slots").json()
    assert common["count"] == 2 and [s["session"] for s in common["sessions"]] == ["am"]
    assert [x["slot_id"] for x in common["sessions"][0]["slots"]] == [am[1].id, am[2].id]
    own = client.get(f"{api}/{me.participant.id}/common-slots")
    assert own.status_code == 422
    profile = client.get(f"{api}/{investor.participant.id}", headers={"Accept-Language": "en"}).json()
    assert profile["participant_id"] == investor.participant.id and profile["kind"] == "investor"
    # What the API proposes is what a request may prefer.
    created = client.post(
        f"/api/v1/events/{event.slug}/meetings/requests",
        json={"recipient_id": investor.participant.id, "sessions": [common["sessions"][0]["session"]]},
    )
    assert created.status_code in (200, 201), created.text
    marked = client.get(f"{api}/{investor.participant.id}").json()
    assert marked["request"] == {"request_id": created.json()["id"], "state": "requested", "outgoing": True}


def test_directory_page_runs_a_fixed_number_of_queries(
    client: TestClient, db: Session, count_statements: StatementCounter
) -> None:
    event = factories.event(db)
    me = fd.member(db, event)
    fd.sign_in(client, db, me.account)

    def grow(n: int) -> None:
        for _k in range(n):
            m = fd.member(db, event, industries=["人工智能"], district="海淀区")
            market.project(db, event, owner_org_id=m.organisation.id)
            mf.request(db, event, me.participant, m.participant)
        db.commit()

    def count(path: str) -> int:
        with count_statements:
            assert client.get(path).status_code == 200
        return count_statements.count

    grow(2)
    small = count(_base(event))
    small_api = count(f"/api/v1/events/{event.slug}/meetings/people")
    grow(15)
    assert count(_base(event)) == small
    assert count(f"/api/v1/events/{event.slug}/meetings/people") == small_api
    assert count(_base(event) + "?industry=人工智能&district=海淀区") == small
