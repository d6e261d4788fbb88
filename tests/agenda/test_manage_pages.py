"""The organiser's programme pages through the real app: the overview with its reports, the session editor with
its people, rooms, tracks, speaker profiles and conflict rules; a refused change comes back filled in with the
message beside its field (naming both sessions for a clash) in the page's language, and writes nothing."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.agenda.models import AgendaSession, Room, Track
from duijie.directory.models import Person
from duijie.events.models import Event
from tests import factories
from tests.agenda import factories as af
from tests.conftest import csrf_of, in_english, login
from tests.factories import PASSWORD


def _organiser_of(client: TestClient, db: Session, event: Event) -> None:
    account = factories.account(db, role="organiser", event=event)
    db.commit()
    login(client, account.username, PASSWORD)


def _base(event: Event) -> str:
    return f"/events/{event.slug}/programme/manage"


def test_every_page_draws_for_the_events_organiser(client: TestClient, db: Session) -> None:
    event = af.forum(db)
    room = af.room(db, event, hours=[("2026-04-25 08:00", "2026-04-25 18:00")])
    track = af.track(db, event)
    who = factories.person(db, name_zh="张三", name_en="Zhang San")
    session = af.session(db, event, room=room, track=track, people=[who])
    af.profile(db, event, who, available=[("2026-04-25 08:00", "2026-04-25 12:00")])
    _organiser_of(client, db, event)
    base = _base(event)
    for path in ("", "/sessions/new", f"/sessions/{session.id}", "/rooms", "/tracks", "/speakers",
                 f"/speakers/{who.id}", "/settings"):
        page = client.get(base + path)
        assert page.status_code == 200, (path, page.text[-2000:])
        assert "Asia/Shanghai (UTC+08:00)" in page.text
    with in_english(client):
        for path in ("", f"/sessions/{session.id}?q=Zhang", "/rooms", "/speakers", "/settings"):
            page = client.get(base + path)
            assert page.status_code == 200, (path, page.text[-2000:])
    assert client.get("/organise/programme").status_code == 200


def _session_form(**values: str) -> dict[str, str]:
    form = {
        "title_zh": "人工智能分论坛", "title_en": "AI Forum", "kind": "parallel_forum", "track_id": "",
        "day": "2026-04-25", "start": "09:00", "end": "10:30", "room_id": "", "mode": "offline", "stream_url": "",
        "language": "zh+en", "industry": "人工智能", "expected": "120", "capacity": "", "description_zh": "",
        "description_en": "",
    }
    form.update(values)
    return form


def _sessions(db: Session, event: Event) -> list[AgendaSession]:
    db.expire_all()
    return list(db.scalars(select(AgendaSession).where(AgendaSession.event_id == event.id)
                           .order_by(AgendaSession.id)))


def test_a_session_is_created_in_the_events_zone_then_edited(client: TestClient, db: Session) -> None:
    event = af.forum(db)
    room = af.room(db, event, name_zh="一号厅", name_en="Hall 1", capacity=100)
    _organiser_of(client, db, event)
    base = _base(event)
    token = csrf_of(client, base + "/sessions/new")
    done = client.post(base + "/sessions/new", data={**_session_form(room_id=str(room.id)), "csrf": token},
                       follow_redirects=False)
    assert done.status_code == 303, done.text[-3000:]
    [made] = _sessions(db, event)
    assert made.title_zh == "人工智能分论坛" and made.room_id == room.id
    assert made.starts_at == dt.datetime(2026, 4, 25, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    page = client.get(done.headers["location"])
    # Saved with the warning it leaves: 120 expected in a room of 100 seats.
    assert "「人工智能分论坛」预计 120 人，超出一号厅的 100 个座位" in page.text or "expects 120" in page.text
    assert 'name="start" value="09:00"' in page.text

    token = csrf_of(client, f"{base}/sessions/{made.id}")
    edited = client.post(f"{base}/sessions/{made.id}",
                         data={**_session_form(room_id=str(room.id), start="14:00", end="15:00", expected="80"),
                               "csrf": token}, follow_redirects=False)
    assert edited.status_code == 303
    [made] = _sessions(db, event)
    assert made.starts_at == dt.datetime(2026, 4, 25, 6, 0, tzinfo=dt.UTC) and made.sequence == 1
    overview = client.get(base).text
    assert "14:00–15:00" in overview and "人工智能分论坛" in overview


def test_a_clash_is_refused_naming_both_sessions_beside_the_field_in_the_pages_language(
    client: TestClient, db: Session
) -> None:
    event = af.forum(db)
    room = af.room(db, event, name_zh="二号厅", name_en="Hall 2")
    af.session(db, event, room=room, title_zh="开幕式", title_en="Opening", start="2026-04-25 09:00",
               end="2026-04-25 10:00")
    _organiser_of(client, db, event)
    base = _base(event)
    form = _session_form(title_zh="新药研发论坛", title_en="Drug Discovery", room_id=str(room.id), start="09:30",
                         end="11:00", expected="")
    refused = client.post(base + "/sessions/new", data={**form, "csrf": csrf_of(client, base + "/sessions/new")})
    assert refused.status_code == 422
    error = refused.text.split('data-testid="error-room_id">', 1)[1].split("</span>", 1)[0]
    assert "二号厅同时安排了「开幕式」和「新药研发论坛」（时间重叠）" in error, error
    assert 'name="title_zh" value="新药研发论坛"' in refused.text and 'name="start" value="09:30"' in refused.text
    with in_english(client):
        refused = client.post(base + "/sessions/new", data={**form, "csrf": csrf_of(client, base + "/sessions/new")})
        assert refused.status_code == 422
        error = refused.text.split('data-testid="error-room_id">', 1)[1].split("</span>", 1)[0]
        assert "Hall 2 is booked for &#39;Opening&#39; and &#39;Drug Discovery&#39; at the same time" in error, error
    assert len(_sessions(db, event)) == 1


def test_a_speaker_in_two_sessions_at_once_is_refused_beside_the_person(client: TestClient, db: Session) -> None:
    event = af.forum(db)
    who = factories.person(db, name_zh="李四", name_en="Li Si")
    af.session(db, event, people=[who], title_zh="主旨演讲", title_en="Keynote", start="2026-04-25 09:00",
               end="2026-04-25 10:00")
    other = af.session(db, event, title_zh="圆桌对话", title_en="Round table", start="2026-04-25 09:30",
                       end="2026-04-25 10:30")
    _organiser_of(client, db, event)
    page = f"{_base(event)}/sessions/{other.id}"
    found = client.get(page + "?q=li si")
    assert f'<option value="{who.id}"' in found.text
    refused = client.post(page + "/people", data={"person_id": str(who.id), "role": "speaker", "position": "",
                                                  "q": "li si", "csrf": csrf_of(client, page)})
    assert refused.status_code == 422
    error = refused.text.split('data-testid="error-person_id">', 1)[1].split("</span>", 1)[0]
    assert "李四" in error and "主旨演讲" in error and "圆桌对话" in error, error
    db.expire_all()
    assert db.get(AgendaSession, other.id).speakers == []  # type: ignore[union-attr]


def test_a_published_session_is_cancelled_and_a_never_published_one_deleted(client: TestClient, db: Session) -> None:
    event = af.forum(db)  # published: readers may have seen its sessions
    shown = af.session(db, event, title_zh="已公布的论坛")
    draft_event = af.forum(db, is_published=False)
    hidden = af.session(db, draft_event, title_zh="草稿论坛")
    hidden_id = hidden.id
    account = factories.account(db, role="organiser")
    db.commit()
    login(client, account.username, PASSWORD)
    page = f"{_base(event)}/sessions/{shown.id}"
    assert "取消该场次" in client.get(page).text or "Cancel the session" in client.get(page).text
    done = client.post(page + "/cancel", data={"csrf": csrf_of(client, page)}, follow_redirects=False)
    assert done.status_code == 303
    db.expire_all()
    assert db.get(AgendaSession, shown.id).cancelled_at is not None  # type: ignore[union-attr]
    assert 'data-testid="cancelled"' in client.get(page).text
    back = client.post(page + "/restore", data={"csrf": csrf_of(client, page)}, follow_redirects=False)
    assert back.status_code == 303
    db.expire_all()
    assert db.get(AgendaSession, shown.id).cancelled_at is None  # type: ignore[union-attr]
    hidden_page = f"{_base(draft_event)}/sessions/{hidden.id}"
    done = client.post(hidden_page + "/delete", data={"csrf": csrf_of(client, hidden_page)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=deleted")
    db.expunge_all()
    assert db.scalar(select(AgendaSession.id).where(AgendaSession.id == hidden_id)) is None


def test_another_events_organiser_is_refused_and_changes_nothing(client: TestClient, db: Session) -> None:
    event, other = af.forum(db), af.forum(db)
    session = af.session(db, event, title_zh="原标题")
    _organiser_of(client, db, other)
    base = _base(event)
    assert client.get(base).status_code == 403
    token = csrf_of(client, _base(other))
    refused = client.post(f"{base}/sessions/{session.id}", data={**_session_form(title_zh="改了"), "csrf": token})
    assert refused.status_code == 403
    assert _sessions(db, event)[0].title_zh == "原标题"


def test_publishing_shows_what_changes_and_how_many_were_told(client: TestClient, db: Session) -> None:
    event = af.forum(db)
    speaker = factories.account(db, role="enterprise")
    assert speaker.person is not None
    session = af.session(db, event, people=[speaker.person], title_zh="发布会", title_en="Launch",
                         start="2026-04-25 09:00", end="2026-04-25 10:00")
    bystander = af.session(db, event, title_zh="旁听场", title_en="Side room", start="2026-04-25 11:00", end="2026-04-25 12:00")
    _organiser_of(client, db, event)
    base = _base(event)
    with in_english(client):
        page = client.get(base).text
    assert "New: “Launch”" in page and "New: “Side room”" in page, page.split('id="publish"', 1)[1][:1500]
    first = client.post(base + "/publish", data={"csrf": csrf_of(client, base)}, follow_redirects=False)
    assert first.status_code == 303
    page = client.get(first.headers["location"]).text
    assert 'data-testid="no-changes"' in page  # nothing changed since release 1
    assert 'data-testid="published"' in page

    session_page = f"{base}/sessions/{session.id}"
    moved = client.post(session_page, data={**_session_form(title_zh="发布会", title_en="Launch", start="14:00",
                                                            end="15:00", expected=""),
                                            "csrf": csrf_of(client, session_page)}, follow_redirects=False)
    assert moved.status_code == 303
    with in_english(client):
        page = client.get(base).text
        changes = page.split('data-testid="changes">', 1)[1].split("</ul>", 1)[0]
        assert "Changed: “Launch” (time" in changes and "Side room" not in changes, changes
        second = client.post(base + "/publish", data={"csrf": csrf_of(client, base)}, follow_redirects=False)
        told = client.get(second.headers["location"]).text
        # Exactly the speaker of the moved session, not the bystander session's nobody.
        assert "Release 2 is published; 1 person was told of the changes." in told, told[:3000]
    assert bystander.id


def test_rooms_tracks_profiles_and_rules_are_edited_and_a_bad_row_is_named(client: TestClient, db: Session) -> None:
    event = af.forum(db)
    who = factories.person(db, name_zh="王五", name_en="Wang Wu")
    af.session(db, event, people=[who], title_zh="下午场", start="2026-04-25 14:00", end="2026-04-25 15:00")
    _organiser_of(client, db, event)
    base = _base(event)
    rooms = base + "/rooms"
    bad = client.post(rooms, data={"name_zh": "三号厅", "name_en": "Hall 3", "capacity": "三百", "position": "",
                                   "floor_zh": "", "floor_en": "", "interpretation": "1",
                                   "hours_day": ["2026-04-25", "2026-04-26"], "hours_start": ["08:00", ""],
                                   "hours_end": ["18:00", "12:00"], "csrf": csrf_of(client, rooms)})
    assert bad.status_code == 422
    assert 'data-testid="error-capacity"' in bad.text and 'data-testid="error-hours-1"' in bad.text
    assert 'value="三号厅"' in bad.text and 'value="三百"' in bad.text
    made = client.post(rooms, data={"name_zh": "三号厅", "name_en": "Hall 3", "capacity": "300", "position": "1",
                                    "floor_zh": "", "floor_en": "", "interpretation": "1",
                                    "hours_day": ["2026-04-25", ""], "hours_start": ["08:00", ""],
                                    "hours_end": ["24:00", ""], "csrf": csrf_of(client, rooms)},
                       follow_redirects=False)
    assert made.status_code == 303, made.text[-2000:]
    room = db.scalar(select(Room).where(Room.event_id == event.id))
    assert room is not None and room.interpretation and room.capacity == 300
    assert [(h.starts_at, h.ends_at) for h in room.hours] == [
        (dt.datetime(2026, 4, 25, 0, 0, tzinfo=dt.UTC), dt.datetime(2026, 4, 25, 16, 0, tzinfo=dt.UTC))
    ]

    tracks = base + "/tracks"
    assert client.post(tracks, data={"name_zh": "生命健康", "name_en": "Life sciences", "position": "",
                                     "csrf": csrf_of(client, tracks)}, follow_redirects=False).status_code == 303
    assert db.scalar(select(Track.name_en).where(Track.event_id == event.id)) == "Life sciences"

    profile = f"{base}/speakers/{who.id}"
    saved = client.post(profile, data={"title_zh": "教授", "title_en": "Professor", "bio_zh": "", "bio_en": "",
                                       "photo": "", "available_day": ["2026-04-25"], "available_start": ["09:00"],
                                       "available_end": ["12:00"], "csrf": csrf_of(client, profile)})
    # Saved, with the warning that the afternoon session lies outside the morning they are free.
    assert saved.status_code == 200 and 'data-testid="warnings"' in saved.text
    assert "下午场" in saved.text.split('data-testid="warnings"', 1)[1]

    assert db.get(Person, who.id).name_en == "Wang Wu"  # type: ignore[union-attr]  # the form had no name field
    renamed = client.post(profile, data={"name_en": "  Wang  Wuxian ", "title_zh": "教授", "title_en": "Professor",
                                         "bio_zh": "", "bio_en": "", "photo": "", "available_day": ["2026-04-25"],
                                         "available_start": ["09:00"], "available_end": ["12:00"],
                                         "csrf": csrf_of(client, profile)})  # fmt: skip
    assert renamed.status_code == 200 and 'value="Wang Wuxian"' in renamed.text  # saved, the warning again
    db.expire_all()
    assert db.get(Person, who.id).name_en == "Wang Wuxian"  # type: ignore[union-attr]
    stranger = factories.person(db, name_zh="路人", name_en="Passer-by")
    db.commit()
    refused = client.post(f"{base}/speakers/{stranger.id}", data={"name_en": "Someone Else", "title_zh": "",
                          "title_en": "", "bio_zh": "", "bio_en": "", "photo": "",
                          "csrf": csrf_of(client, profile)})  # fmt: skip
    assert refused.status_code == 422 and 'value="Someone Else"' in refused.text
    db.expire_all()
    assert db.get(Person, stranger.id).name_en == "Passer-by"  # type: ignore[union-attr]

    settings = base + "/settings"
    done = client.post(settings, data={"person_unavailable": "refuse", "over_capacity": "off",
                                       "csrf": csrf_of(client, settings)}, follow_redirects=False)
    assert done.status_code == 303
    page = client.get(settings).text
    assert 'name="person_unavailable" value="refuse" checked' in page
    assert 'name="over_capacity" value="off" checked' in page
    overview = client.get(base).text
    assert 'class="prog-refuse"' in overview and "王五" in overview


def test_people_are_added_from_the_directory_reordered_given_a_role_and_removed(
    client: TestClient, db: Session
) -> None:
    event = af.forum(db)
    first = factories.person(db, name_zh="赵六", name_en="Zhao Liu")
    second = factories.person(db, name_zh="孙七", name_en="Sun Qi")
    session = af.session(db, event, people=[first])
    _organiser_of(client, db, event)
    page = f"{_base(event)}/sessions/{session.id}"
    assert "孙七" in client.get(page + "?q=孙").text
    bad = client.post(page + "/people", data={"person_id": str(second.id), "role": "moderator", "position": "第一",
                                              "q": "孙", "csrf": csrf_of(client, page)})
    assert bad.status_code == 422 and 'data-testid="error-position"' in bad.text
    assert 'value="第一"' in bad.text and f'<option value="{second.id}" selected' in bad.text
    added = client.post(page + "/people", data={"person_id": str(second.id), "role": "moderator", "position": "1",
                                                "csrf": csrf_of(client, page)}, follow_redirects=False)
    assert added.status_code == 303
    db.expire_all()
    people = sorted(db.get(AgendaSession, session.id).speakers, key=lambda s: s.position)  # type: ignore[union-attr]
    assert [(p.person_id, p.role) for p in people] == [(second.id, "moderator"), (first.id, "speaker")]
    changed = client.post(f"{page}/people/{first.id}", data={"role": "host", "position": "1",
                                                              "csrf": csrf_of(client, page)}, follow_redirects=False)
    assert changed.status_code == 303
    db.expire_all()
    roles = {p.person_id: p.role for p in db.get(AgendaSession, session.id).speakers}  # type: ignore[union-attr]
    assert roles == {first.id: "host", second.id: "moderator"}
    removed = client.post(f"{page}/people/{second.id}/remove", data={"csrf": csrf_of(client, page)},
                          follow_redirects=False)
    assert removed.status_code == 303
    db.expire_all()
    assert [p.person_id for p in db.get(AgendaSession, session.id).speakers] == [first.id]  # type: ignore[union-attr]
