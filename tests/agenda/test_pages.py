"""The programme's public pages: timetable, session list with filters, session and speaker pages, in both
languages, for a published event only, with cancelled sessions struck through and the phone layout's CSS."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.agenda import factories as af
from tests.conftest import StatementCounter, in_english

STATIC = Path(__file__).resolve().parents[2] / "duijie" / "static"


def _programme(db: Session) -> dict[str, object]:
    event = af.forum(db, slug="zgc-forum", name_zh="中关村论坛", name_en="Zhongguancun Forum")
    hall = af.room(db, event, name_zh="主会场", name_en="Main Hall", interpretation=True, floor_zh="一层", floor_en="Level 1")
    side = af.room(db, event, name_zh="第二会议室", name_en=None)
    ai = af.track(db, event, name_zh="人工智能", name_en="Artificial intelligence")
    org = factories.organisation(db, name_zh="北京大学", name_en="Peking University")
    li = factories.person(db, name_zh="李明", name_en="Li Ming", organisation_id=org.id, bio="李明是人工智能学者。")
    af.profile(db, event, li, title_zh="教授", title_en="Professor", bio_zh="李明，北京大学教授。", bio_en=None)
    plenary = af.session(
        db, event, start="2026-04-25 09:00", end="2026-04-25 10:30", room=hall, track=ai, people=[li],
        kind="plenary", title_zh="开幕式", title_en="Opening plenary", language="zh+en",
        description_zh="论坛开幕。", description_en="The forum opens.", industry="人工智能",
        mode="hybrid", stream_url="https://live.example.org/opening",
    )  # fmt: skip
    chinese_only = af.session(
        db, event, start="2026-04-25 09:00", end="2026-04-25 11:00", room=side, kind="panel",
        title_zh="集成电路圆桌", title_en=None, language="zh", industry="集成电路",
    )  # fmt: skip
    cancelled = af.session(
        db, event, start="2026-04-26 14:00", end="2026-04-26 15:00", room=hall, kind="release",
        title_zh="成果发布", title_en="Results release",
    )  # fmt: skip
    cancelled.cancelled_at = cancelled.created_at
    db.flush()
    return {"event": event, "hall": hall, "side": side, "ai": ai, "li": li, "plenary": plenary,
            "chinese_only": chinese_only, "cancelled": cancelled}  # fmt: skip


def test_timetable_groups_by_day_and_room_in_both_languages(client: TestClient, db: Session) -> None:
    p = _programme(db)
    page = client.get("/events/zgc-forum/agenda?day=2026-04-25")
    assert page.status_code == 200
    assert 'data-testid="timetable"' in page.text
    assert "主会场" in page.text and "第二会议室" in page.text
    assert "开幕式" in page.text and "集成电路圆桌" in page.text
    assert "成果发布" not in page.text  # another day
    assert "北京时间 (UTC+8)" in page.text
    assert "4月25日 周六" in page.text and "4月26日 周日" in page.text
    # Both sessions start at 09:00: one time block, two columns.
    assert len(re.findall(r'class="tt-time"', page.text)) == 1
    with in_english(client):
        english = client.get("/events/zgc-forum/agenda?day=2026-04-25")
    assert "Opening plenary" in english.text and "Main Hall" in english.text
    # No English title or room name: the Chinese, marked as Chinese.
    assert '<span lang="zh-CN">集成电路圆桌</span>' in english.text
    assert '<span lang="zh-CN">第二会议室</span>' in english.text
    assert "Beijing time (UTC+8)" in english.text and "Sat 25 Apr" in english.text
    assert p["plenary"]


def test_pages_carry_hreflang_alternates_and_a_share_link(client: TestClient, db: Session) -> None:
    _programme(db)
    page = client.get("/events/zgc-forum/sessions?type=plenary&tz=Europe/London")
    assert '<link rel="alternate" hreflang="en" href="http://testserver/events/zgc-forum/sessions?type=plenary&amp;lang=en">' in page.text
    assert 'hreflang="zh-CN" href="http://testserver/events/zgc-forum/sessions?type=plenary&amp;lang=zh_CN"' in page.text
    # The share link keeps the filters and drops the reader's own zone.
    assert 'id="ag-share-url" type="text" readonly value="http://testserver/events/zgc-forum/sessions?type=plenary"' in page.text


def test_cancelled_session_is_struck_through_and_labelled(client: TestClient, db: Session) -> None:
    p = _programme(db)
    page = client.get("/events/zgc-forum/agenda?day=2026-04-26")
    assert "<s>成果发布</s>" in page.text and "已取消" in page.text
    with in_english(client):
        english = client.get(f"/events/zgc-forum/sessions/{p['cancelled'].id}")  # type: ignore[attr-defined]
    assert "<s>Results release</s>" in english.text and "Cancelled" in english.text


def test_session_page_shows_time_room_interpretation_stream_and_people(client: TestClient, db: Session) -> None:
    p = _programme(db)
    sid = p["plenary"].id  # type: ignore[attr-defined]
    page = client.get(f"/events/zgc-forum/sessions/{sid}")
    assert page.status_code == 200
    text = page.text
    assert "09:00–10:30" in text and "北京时间 (UTC+8)" in text
    assert "主会场" in text and "一层" in text
    assert "同声传译" in text or "Simultaneous interpretation" in text
    assert 'href="https://live.example.org/opening"' in text
    assert "李明" in text and "北京大学" in text
    assert f'href="/events/zgc-forum/sessions/{sid}.ics"' in text
    assert "论坛开幕。" in text
    with in_english(client):
        english = client.get(f"/events/zgc-forum/sessions/{sid}").text
    assert "Li Ming" in english and "Peking University" in english and "The forum opens." in english
    assert "Chinese and English" in english


def test_session_of_another_event_or_unknown_is_404(client: TestClient, db: Session) -> None:
    _programme(db)
    other = af.forum(db, slug="other-forum")
    foreign = af.session(db, other)
    assert client.get(f"/events/zgc-forum/sessions/{foreign.id}").status_code == 404
    assert client.get("/events/zgc-forum/sessions/99999999").status_code == 404
    assert client.get("/events/zgc-forum/sessions/abc").status_code == 404


def test_draft_event_programme_is_404_everywhere(client: TestClient, db: Session) -> None:
    draft = af.forum(db, slug="draft-forum", is_published=False)
    s = af.session(db, draft)
    person = factories.person(db)
    af.speaker(db, s, person)
    for path in (
        "/events/draft-forum/agenda",
        "/events/draft-forum/sessions",
        f"/events/draft-forum/sessions/{s.id}",
        f"/events/draft-forum/sessions/{s.id}.ics",
        "/events/draft-forum/speakers",
        f"/events/draft-forum/speakers/{person.id}",
    ):
        assert client.get(path).status_code == 404, path


def test_session_list_filters_by_topic_industry_language_type_day_room_and_words(
    client: TestClient, db: Session
) -> None:
    p = _programme(db)
    ai, side = p["ai"].id, p["side"].id  # type: ignore[attr-defined]

    def titles(query: str) -> list[str]:
        page = client.get("/events/zgc-forum/sessions?" + query)
        assert page.status_code == 200, (query, page.text)
        return re.findall(r'<a href="/events/zgc-forum/sessions/\d+">(?:<s>)?([^<]+)', page.text)

    assert titles("") == ["开幕式", "集成电路圆桌", "成果发布"]
    assert titles(f"topic={ai}") == ["开幕式"]
    assert titles("industry=集成电路") == ["集成电路圆桌"]
    assert titles("language=en") == ["开幕式"]  # the bilingual session suits an English reader
    assert titles("type=release") == ["成果发布"]
    assert titles("day=2026-04-26") == ["成果发布"]
    assert titles(f"room={side}") == ["集成电路圆桌"]
    assert titles("q=圆桌") == ["集成电路圆桌"]
    assert titles("q=opens") == ["开幕式"]


def test_filter_form_keeps_its_values(client: TestClient, db: Session) -> None:
    p = _programme(db)
    page = client.get(f"/events/zgc-forum/sessions?topic={p['ai'].id}&q=开幕").text  # type: ignore[attr-defined]
    assert f'<option value="{p["ai"].id}" selected>人工智能</option>' in page  # type: ignore[attr-defined]
    assert 'name="q" value="开幕"' in page


def test_bad_filter_values_get_a_message_beside_the_field_in_the_page_language(
    client: TestClient, db: Session
) -> None:
    _programme(db)
    page = client.get("/events/zgc-forum/sessions?topic=999999&type=dance&day=25/04&language=fr&tz=Mars/Olympus")
    assert page.status_code == 422
    assert 'id="f-topic-error"' in page.text and 'id="f-type-error"' in page.text
    assert 'id="f-day-error"' in page.text and 'id="f-language-error"' in page.text
    assert 'id="ag-tz-error"' in page.text
    # The other filters still apply (none here): every session is listed.
    assert "开幕式" in page.text
    with in_english(client):
        english = client.get("/events/zgc-forum/sessions?type=dance&day=25/04")
    assert "No such session type; choose one from the list." in english.text
    assert "Write the day as 2026-04-25." in english.text
    assert 'value="dance" selected' in english.text
    # A link shared from here carries only the filters that hold.
    assert 'id="ag-share-url" type="text" readonly value="http://testserver/events/zgc-forum/sessions"' in english.text


def test_session_list_pages_through_many_sessions(client: TestClient, db: Session) -> None:
    event = af.forum(db, slug="big-forum")
    for hour in range(9, 9 + 25):
        af.session(
            db, event, start=f"2026-04-25 {hour % 24:02d}:00" if hour < 24 else f"2026-04-26 {hour - 24:02d}:00",
            end=f"2026-04-25 {hour % 24:02d}:30" if hour < 24 else f"2026-04-26 {hour - 24:02d}:30",
            title_zh=f"场次{hour:02d}",
        )  # fmt: skip
    first = client.get("/events/big-forum/sessions").text
    count = first.split('data-testid="result-count">', 1)[1].split("</p>", 1)[0]
    assert count.split(" · ")[0] in ("共 25 场", "25 sessions")  # until the catalogue has this page's Chinese
    assert first.count("<li class=\"ag-item") == 20 and 'rel="next"' in first
    second = client.get("/events/big-forum/sessions?page=2").text
    assert second.count("<li class=\"ag-item") == 5 and "场次33" in second


def test_timetable_query_count_does_not_grow_with_sessions(
    client: TestClient, db: Session, count_statements: StatementCounter
) -> None:
    event = af.forum(db, slug="n-forum")
    rooms = [af.room(db, event) for _ in range(3)]

    def add(n: int) -> None:
        for i in range(n):
            s = af.session(db, event, room=rooms[i % 3], start=f"2026-04-25 {9 + i % 8:02d}:00",
                           end=f"2026-04-25 {10 + i % 8:02d}:00")  # fmt: skip
            af.speaker(db, s)

    add(3)
    with count_statements:
        client.get("/events/n-forum/agenda?day=2026-04-25")
    few = count_statements.count
    add(20)
    with count_statements:
        client.get("/events/n-forum/agenda?day=2026-04-25")
    assert count_statements.count == few


def test_speakers_list_and_page_show_bio_in_the_page_language(client: TestClient, db: Session) -> None:
    p = _programme(db)
    li = p["li"]
    listing = client.get("/events/zgc-forum/speakers").text
    assert f'href="/events/zgc-forum/speakers/{li.id}"' in listing and "教授" in listing  # type: ignore[attr-defined]
    page = client.get(f"/events/zgc-forum/speakers/{li.id}").text  # type: ignore[attr-defined]
    assert "李明，北京大学教授。" in page and "开幕式" in page
    with in_english(client):
        english = client.get(f"/events/zgc-forum/speakers/{li.id}").text  # type: ignore[attr-defined]
    # No English bio: the Chinese one, marked as Chinese.
    assert '<p class="ag-bio" lang="zh-CN" data-testid="bio">李明，北京大学教授。</p>' in english
    assert "Professor" in english and "Opening plenary" in english
    # Someone not on this event's programme.
    stranger = factories.person(db)
    assert client.get(f"/events/zgc-forum/speakers/{stranger.id}").status_code == 404


def test_timetable_css_turns_the_grid_into_a_list_on_a_phone(client: TestClient) -> None:
    css = client.get("/static/agenda.css").text
    phone = css.split("@media (max-width: 720px)", 1)[1]
    assert ".tt-grid { display: block;" in phone
    assert ".tt-room { display: none; }" in phone or ".tt-corner, .tt-room { display: none; }" in phone
    assert ".tt-room-name { display: block; }" in phone
    desktop = css.split("@media", 1)[0]
    assert "position: sticky; top: 0" in desktop and "position: sticky; left: 0" in desktop
    assert "overflow: auto" in desktop


def test_twenty_parallel_rooms_get_one_column_each(client: TestClient, db: Session) -> None:
    event = af.forum(db, slug="wide-forum")
    for i in range(20):
        r = af.room(db, event, name_zh=f"分会场{i + 1:02d}")
        af.session(db, event, room=r, start="2026-04-25 14:00", end="2026-04-25 16:00")
    page = client.get("/events/wide-forum/agenda?day=2026-04-25").text
    assert "--rooms: 20" in page
    assert page.count('class="tt-room"') == 20
    assert 'style="grid-column: 21; grid-row: 2 / 3"' in page


def test_speakers_are_listed_by_pages_of_sixty(client: TestClient, db: Session) -> None:
    event = af.forum(db, slug="crowd-forum")
    everyone = [factories.person(db, name_zh=f"嘉宾{i:03d}") for i in range(65)]
    af.session(db, event, people=everyone)
    first = client.get("/events/crowd-forum/speakers").text
    assert first.split('class="result-count">', 1)[1].split("</p>", 1)[0] in ("共 65 位嘉宾", "65 speakers")
    assert first.count('class="ag-person"') == 60 and "嘉宾000" in first and "嘉宾060" not in first
    second = client.get("/events/crowd-forum/speakers?page=2").text
    assert second.count('class="ag-person"') == 5 and "嘉宾064" in second
