"""The organiser's hand on the grid page: moving a placed meeting (its calendar UID kept, its SEQUENCE raised),
unpinning it, the question asked before a meeting is placed outside someone's free time, the names of people in
the reader's language, and the last run's figures in an organiser's words."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.models import AuditEntry
from duijie.directory.models import Person
from duijie.meetings import requests, runs
from duijie.meetings import service as meeting_service
from duijie.meetings.models import Availability, Meeting, MeetingParticipant, MeetingRequest, MeetingTable
from tests import factories
from tests.conftest import csrf_of, login
from tests.meetings import factories as mf
from tests.meetings.test_feeds import Pair, _feed, _pair, _pin, _uid, _utc


def _sign_in_organiser(client: TestClient, db: Session, pair: Pair) -> None:
    account = factories.account(db, role="organiser", event=pair.event)
    db.commit()
    login(client, account.username, factories.PASSWORD)


def _grid(pair: Pair) -> str:
    return f"/events/{pair.event.slug}/meetings/grid"


def _move_page(pair: Pair, meeting: Meeting) -> str:
    return f"/events/{pair.event.slug}/meetings/m/{meeting.id}/move"


def _free_only(db: Session, participant_id: int, *slots: int, pair: Pair) -> None:
    """The participant marks only these slots (by index) free."""
    db.add_all([Availability(participant_id=participant_id, slot_id=pair.slots[k].id) for k in slots])
    db.flush()


def _where(db: Session, pair: Pair) -> tuple[int, int, bool]:
    """Where the pair's meeting is: (slot id, table number, pinned)."""
    db.expire_all()
    meeting = db.scalar(select(Meeting).where(Meeting.request_id == pair.request.id))
    assert meeting is not None
    table = db.get(MeetingTable, meeting.table_id)
    assert table is not None
    return meeting.slot_id, table.number, meeting.pinned


def _section(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">(.*?)</table>', page, re.S)
    assert found, testid
    return found.group(1)


def _name_en(db: Session, participant_id: int) -> str:
    participant = db.get(MeetingParticipant, participant_id)
    assert participant is not None
    person = db.get(Person, participant.person_id)
    assert person is not None and person.name_en
    return person.name_en


def test_each_meeting_on_the_grid_opens_its_move_page_with_both_free_slots_first(
    client: TestClient, db: Session
) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=0)
    # The investor is free in the first two slots only; the enterprise never said (free throughout).
    _free_only(db, pair.request.requester_id, 0, 1, pair=pair)
    _sign_in_organiser(client, db, pair)
    grid = client.get(_grid(pair), params={"lang": "en"}).text
    assert f'href="{_move_page(pair, meeting)}"' in grid
    page = client.get(_move_page(pair, meeting), params={"lang": "en"})
    assert page.status_code == 200
    both, outside = _section(page.text, "both-free"), _section(page.text, "outside")
    # Its own slot offers the other table only; the second slot both tables; the third is outside the investor's time.
    assert re.findall(r'data-slot="(\d+)"', both) == [str(pair.slots[0].id), str(pair.slots[1].id)]
    first = both.split(f'data-slot="{pair.slots[1].id}"')[0]
    assert re.findall(r'<option value="(\d+)">', first) == ["2"]
    assert re.findall(r'data-slot="(\d+)"', outside) == [str(pair.slots[2].id)]
    assert _name_en(db, pair.request.requester_id) in outside
    # It is pinned, so the page offers to unpin it; the labels read in Chinese on a Chinese page.
    assert 'data-testid="unpin-form"' in page.text
    chinese = client.get(_move_page(pair, meeting)).text
    assert "改期/换桌" in chinese and "解除锁定" in chinese and "双方都有空的时段" in chinese


def test_moving_on_the_page_keeps_the_calendar_uid_and_raises_its_sequence(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=0)
    meeting_service.publish(db, event=pair.event, actor=pair.organiser)
    before = _feed(db, pair.investor)[_uid(pair)]
    _sign_in_organiser(client, db, pair)
    page = _move_page(pair, meeting)
    moved = client.post(
        page, data={"slot": pair.slots[1].id, "table": "2", "csrf": csrf_of(client, page)}, follow_redirects=False
    )
    assert moved.status_code == 303 and moved.headers["location"].endswith("/grid?done=move#grid")
    assert _where(db, pair) == (pair.slots[1].id, 2, True)
    for account in (pair.investor, pair.enterprise):
        after = _feed(db, account)[_uid(pair)]
        assert after.one("DTSTART") == _utc(pair.slots[1].starts_at) != before.one("DTSTART")
        assert int(after.one("SEQUENCE")) == int(before.one("SEQUENCE")) + 1
        assert after.one("STATUS") == "CONFIRMED"
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "meeting_pinned").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None
    assert entry.before == {"slot_id": pair.slots[0].id, "table": 1}
    assert entry.after == {"slot_id": pair.slots[1].id, "table": 2}
    assert "洽谈已调整并锁定" in client.get(_grid(pair), params={"done": "move"}).text


def test_a_move_outside_someones_time_asks_first_naming_who_and_moves_only_when_confirmed(
    client: TestClient, db: Session
) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=0)
    _free_only(db, pair.request.recipient_id, 0, 1, pair=pair)
    _sign_in_organiser(client, db, pair)
    page = _move_page(pair, meeting) + "?lang=en"
    asked = client.post(page, data={"slot": pair.slots[2].id, "table": "1", "csrf": csrf_of(client, page)})
    assert asked.status_code == 409
    when = meeting_service.slot_label(pair.slots[2])
    assert f"{_name_en(db, pair.request.recipient_id)} (Nanshan Tech) is not available at {when}." in unescape(
        asked.text
    )
    assert _where(db, pair) == (pair.slots[0].id, 1, True)
    # The question carries the same choice back with the override; sending it moves the meeting.
    form = re.search(r'<form class="actions" method="post" action="([^"]+)" data-testid="confirm-form">(.*?)</form>',
                     asked.text, re.S)
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    assert fields["slot"] == str(pair.slots[2].id) and fields["table"] == "1"
    assert fields["override_availability"] == "1"
    done = client.post(form.group(1), data=fields, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert _where(db, pair) == (pair.slots[2].id, 1, True)
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "meeting_pinned").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.after["outside_availability"] == [pair.request.recipient_id]
    # The same question in Chinese names the person in Chinese (the other table of that slot: still outside).
    moved = db.scalar(select(Meeting).where(Meeting.request_id == pair.request.id))
    assert moved is not None
    chinese = client.post(
        _move_page(pair, moved),
        data={"slot": pair.slots[2].id, "table": "2", "csrf": csrf_of(client, _grid(pair))},
    )
    assert chinese.status_code == 409
    assert "（南山科技） 在" in unescape(chinese.text) and "没有空" in chinese.text


def test_pinning_and_arranging_on_the_grid_ask_before_placing_outside_someones_time(
    client: TestClient, db: Session
) -> None:
    pair = _pair(db)
    _free_only(db, pair.request.requester_id, 1, pair=pair)
    _sign_in_organiser(client, db, pair)
    token = csrf_of(client, _grid(pair))
    pin = {"request": str(pair.request.id), "slot": str(pair.slots[0].id), "table": "1", "csrf": token}
    asked = client.post(_grid(pair) + "/pin", data=pin)
    assert asked.status_code == 409 and 'data-testid="confirm-form"' in asked.text
    # Leaving the question goes back to the grid (a GET of the form's address would not be a page).
    assert f'<a href="{_grid(pair)}">另选时间</a>' in asked.text
    assert db.scalar(select(Meeting).where(Meeting.request_id == pair.request.id)) is None
    placed = client.post(_grid(pair) + "/pin", data={**pin, "override_availability": "1"}, follow_redirects=False)
    assert placed.status_code == 303
    assert _where(db, pair) == (pair.slots[0].id, 1, True)
    # Arranging a meeting between two others asks the same, and a refusal writes no request.
    other = mf.participant(db, pair.event)
    _free_only(db, other.id, 2, pair=pair)
    db.commit()
    arrange = {"a": str(other.id), "b": str(pair.request.recipient_id), "slot": str(pair.slots[1].id), "table": "1"}
    asked = client.post(_grid(pair) + "/arrange", data={**arrange, "csrf": token})
    assert asked.status_code == 409 and 'data-testid="confirm-form"' in asked.text
    assert db.scalar(select(MeetingRequest).where(MeetingRequest.requester_id == other.id)) is None


def test_unpinning_from_the_move_page(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=0)
    _sign_in_organiser(client, db, pair)
    page = _move_page(pair, meeting)
    done = client.post(
        f"/events/{pair.event.slug}/meetings/m/{meeting.id}/unpin",
        data={"csrf": csrf_of(client, page)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "done=unpin" in done.headers["location"]
    assert _where(db, pair) == (pair.slots[0].id, 1, False)
    assert 'data-testid="unpin-form"' not in client.get(page).text
    assert "已解除锁定" in client.get(_grid(pair), params={"done": "unpin"}).text


def test_names_in_messages_follow_the_readers_language(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    a, b = pair.request.requester_id, pair.request.recipient_id
    assert meeting_service.display_names(db, [a, b], "en")[b] == f"{_name_en(db, b)} (Nanshan Tech)"
    participant = db.get(MeetingParticipant, b)
    assert participant is not None
    person = db.get(Person, participant.person_id)
    assert person is not None
    assert meeting_service.display_names(db, [b], "zh_CN")[b] == f"{person.name_zh}（南山科技）"
    # Without an English name, the Chinese one stands in on English pages.
    person.name_en = None
    db.flush()
    assert meeting_service.display_names(db, [b], "en")[b] == f"{person.name_zh} (Nanshan Tech)"
    # A notification written by a Chinese reader's request reads in English for an English reader.
    third = mf.participant(db, pair.event, organisation=factories.organisation(db, name_zh="东方资本", name_en="Orient Capital"))
    requests.request_meeting(
        db, event=pair.event, actor=pair.organiser, requester=third, recipient_id=a, message=None
    )
    db.commit()
    login(client, pair.investor.username, factories.PASSWORD)
    english = unescape(client.get(f"/events/{pair.event.slug}/meetings", params={"lang": "en"}).text)
    assert f"{_name_en(db, third.id)} (Orient Capital) asked you for a meeting." in english
    chinese = unescape(client.get(f"/events/{pair.event.slug}/meetings").text)
    assert "（东方资本） 向您发出了洽谈申请" in chinese


def test_the_last_run_reads_in_an_organisers_words_with_its_figures(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    runs.schedule_event(db, event=pair.event, actor=pair.organiser, time_limit=3)
    report = runs.last_run(db, event=pair.event)
    assert report is not None and report.upper_bound > 0
    _sign_in_organiser(client, db, pair)
    english = unescape(client.get(_grid(pair), params={"lang": "en"}).text)
    held, bound = f"{report.objective:g}", f"{report.upper_bound:g}"
    pct = f"{100 * report.objective / report.upper_bound:.0f}"
    assert (
        f"However the meetings are arranged, these requests can score at most {bound} points; "
        f"this plan scores {held} ({pct}%)." in english
    )
    chinese = unescape(client.get(_grid(pair)).text)
    assert f"无论怎样排，这些洽谈申请最多能得 {bound} 分；本次排期得 {held} 分（达到 {pct}%）。" in chinese
    for jargon in ("上界", "下界", "目标值"):
        assert jargon not in chinese
