"""The meetings module's mails, received by the SMTP server on loopback after a real worker run: a request
received, an answer, the published schedule (one message per participant with all their meetings), a published
meeting moved or cancelled; in each recipient's language, and not to whoever turned the topic off."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from duijie.core import mail
from duijie.core.db import unit_of_work
from duijie.core.jobs import run_queued
from duijie.directory.accounts import actor_for_account
from duijie.events.models import Event
from duijie.meetings import placement, requests, service
from duijie.meetings.models import Meeting, MeetingRequest
from tests import factories
from tests.fixtures.smtp import SmtpServer
from tests.mail.factories import member
from tests.meetings import factories as mf


def _sent(factory: sessionmaker[Session], server: SmtpServer, count: int) -> dict[str, list[str]]:
    """Run the queue; address -> subjects received (exactly `count` messages in all)."""
    run_queued(factory)
    received = server.wait_for(count)
    assert len(received) == count, [(m.rcpt_tos, m.subject) for m in received]
    out: dict[str, list[str]] = {}
    for m in received:
        for to in m.rcpt_tos:
            out.setdefault(to, []).append(m.subject)
    return out


def test_request_received_and_answered(session_factory: sessionmaker[Session], mail_to: SmtpServer) -> None:
    with unit_of_work(session_factory) as db:
        event = factories.event(db)
        investor, asker = member(db, event, email="inv@example.org", name=("王投资", "Wang Invest"))
        founder, asked = member(db, event, email="ent@example.org", locale="en", name=("李创业", "Li Found"))
        request = requests.request_meeting(
            db, event=event, actor=actor_for_account(investor), requester=asker, recipient_id=asked.id,
            message="关于融资",
        )
        name_en, slug = event.name_en, event.slug
    # To the recipient only, in their language (English), naming the requester in English.
    assert _sent(session_factory, mail_to, 1) == {"ent@example.org": [f"Wang Invest asks to meet you at {name_en}"]}
    body = mail_to.messages[0].text
    assert "关于融资" in body
    assert f"http://127.0.0.1:8000/events/{slug}/meetings" in body and "/account#notifications" in body
    with unit_of_work(session_factory) as db:
        req = db.get(MeetingRequest, request.id)
        assert req is not None
        requests.answer(
            db, event=_event(db, req.event_id), actor=actor_for_account(db.merge(founder)), request=req,
            participant=db.merge(asked),
            accept=True,
        )
    # To the requester, in Chinese (no language chosen), naming the other side in Chinese.
    run_queued(session_factory)
    received = mail_to.wait_for(2)
    assert [(m.rcpt_tos, m.subject) for m in received[1:]] == [(["inv@example.org"], "李创业 接受了您的洽谈邀约")]


def _event(db: Session, event_id: int) -> Event:
    event = db.get(Event, event_id)
    assert event is not None
    return event


def test_request_topic_turned_off_sends_nothing(session_factory: sessionmaker[Session], mail_to: SmtpServer) -> None:
    with unit_of_work(session_factory) as db:
        event = factories.event(db)
        investor, asker = member(db, event, email="inv@example.org")
        founder, asked = member(db, event, email="ent@example.org")
        mail.set_choices(db, account_id=founder.id, values={"meeting_requests": False})
        requests.request_meeting(
            db, event=event, actor=actor_for_account(investor), requester=asker, recipient_id=asked.id
        )
    run_queued(session_factory)
    assert mail_to.messages == []


def test_publication_sends_each_participant_one_message_with_their_meetings(
    session_factory: sessionmaker[Session], mail_to: SmtpServer
) -> None:
    with unit_of_work(session_factory) as db:
        event = factories.event(db)
        slots, tables = mf.grid(db, event, slots=3, tables=2)
        _a, a = member(db, event, email="a@example.org", locale="en", name=("甲", "Alpha"))
        _b, b = member(db, event, email="b@example.org", name=("乙", "Beta"))
        _c, c = member(db, event, email="c@example.org", locale="en", name=("丙", "Gamma"))
        mf.meeting(db, event, slots[0], tables[0], a, b, state="planned")
        mf.meeting(db, event, slots[1], tables[1], a, c, state="planned")
        service.publish(db, event=event, actor=mf.organiser(db, event))
    sent = _sent(session_factory, mail_to, 3)
    assert sorted(sent) == ["a@example.org", "b@example.org", "c@example.org"]
    [alpha] = mail_to.to("a@example.org")
    lines = [line for line in alpha.text.splitlines() if line.startswith("- ")]
    assert len(lines) == 2
    assert lines[0].endswith("· table 1 · Beta") and lines[1].endswith("· table 2 · Gamma")
    [beta] = mail_to.to("b@example.org")
    assert beta.subject.startswith("您在") and beta.text.count("\n- ") == 1 and "甲" in beta.text


def test_published_meeting_moved_and_cancelled(session_factory: sessionmaker[Session], mail_to: SmtpServer) -> None:
    with unit_of_work(session_factory) as db:
        event = factories.event(db)
        slots, tables = mf.grid(db, event, slots=3, tables=2)
        _a, a = member(db, event, email="a@example.org", locale="en", name=("甲", "Alpha"))
        _b, b = member(db, event, email="b@example.org", locale="en", name=("乙", "Beta"))
        meeting = mf.meeting(db, event, slots[0], tables[0], a, b, state="planned")
        organiser = mf.organiser(db, event)
        service.publish(db, event=event, actor=organiser)
        request = db.get(MeetingRequest, meeting.request_id)
        assert request is not None
        placement.pin_meeting(
            db, event=event, actor=organiser, request=request, slot_id=slots[2].id, table_number=2
        )
    sent = _sent(session_factory, mail_to, 4)
    assert sent["a@example.org"][1] == "Your meeting with Beta has moved"
    moved = mail_to.to("b@example.org")[1]
    assert "table 2" in moved.text and service.slot_label(slots[2]) in moved.text
    with unit_of_work(session_factory) as db:
        event = db.get(Event, event.id)
        assert event is not None
        current = db.query(Meeting).filter(Meeting.event_id == event.id).one()
        assert current.state == "confirmed"
        service.set_meeting_state(db, actor=mf.organiser(db, event), meeting=current, to="cancelled")
    run_queued(session_factory)
    received = mail_to.wait_for(6)
    assert sorted((m.rcpt_tos[0], m.subject) for m in received[4:]) == [
        ("a@example.org", "Your meeting with Beta is cancelled"),
        ("b@example.org", "Your meeting with Alpha is cancelled"),
    ]


def test_unpublished_changes_send_nothing(session_factory: sessionmaker[Session], mail_to: SmtpServer) -> None:
    with unit_of_work(session_factory) as db:
        event = factories.event(db)
        slots, tables = mf.grid(db, event, slots=2, tables=1)
        _a, a = member(db, event, email="a@example.org")
        _b, b = member(db, event, email="b@example.org")
        meeting = mf.meeting(db, event, slots[0], tables[0], a, b, state="planned")
        service.set_meeting_state(db, actor=mf.organiser(db, event), meeting=meeting, to="cancelled")
    run_queued(session_factory)
    assert mail_to.messages == []
