"""The demo's forum programme: its scale, the sessions and people the reports name (citing them), a programme
the conflict checker accepts while exercising it, and English names for everyone and everything shown publicly.

These read the demo the session's database holds (built once per backend by tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from duijie.agenda import conflicts as C
from duijie.agenda.models import AgendaSession, Room, SessionSpeaker, SpeakerProfile, Track
from duijie.contest.models import Award, ContestEntry
from duijie.core.db import SYNTHETIC
from duijie.core.demo_kit import SRC_2023, SRC_2024, SRC_FORUM_2023
from duijie.core.demo_kit.names import JOB_TITLES_EN
from duijie.core.demo_kit.pinyin import english_name
from duijie.directory.models import Organisation, Person
from duijie.events.models import Event
from duijie.events.service import get_event

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORUMS = ("zgc-forum-2023", "zgc-forum-2024")


def _sessions(db: Session, event: Event) -> list[AgendaSession]:
    return list(db.scalars(select(AgendaSession).where(AgendaSession.event_id == event.id)))


def _checker_input(db: Session, event: Event) -> tuple[list[C.Room], list[C.Person], list[C.ScheduledSession]]:
    """The event's programme as the conflict checker reads it (rooms with hours, people with availability)."""
    rooms = [
        C.Room(r.id, r.capacity, tuple((h.starts_at, h.ends_at) for h in r.hours) or None)
        for r in db.scalars(select(Room).where(Room.event_id == event.id))
    ]
    people = [
        C.Person(p.person_id, None if p.available is None else tuple(
            (dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)) for a, b in p.available))
        for p in db.scalars(select(SpeakerProfile).where(SpeakerProfile.event_id == event.id))
    ]  # fmt: skip
    sessions = [
        C.ScheduledSession(s.id, s.starts_at, s.ends_at, s.room_id, tuple(x.person_id for x in s.speakers),
                           s.expected)
        for s in db.scalars(select(AgendaSession).where(AgendaSession.event_id == event.id)
                            .options(selectinload(AgendaSession.speakers)))
        if s.starts_at is not None and s.ends_at is not None
    ]
    return rooms, people, sessions


@pytest.mark.parametrize("slug", FORUMS)
def test_each_forum_has_a_programme_at_the_real_scale(db: Session, slug: str) -> None:
    event = get_event(db, slug=slug)
    sessions = _sessions(db, event)
    speakers = db.scalar(
        select(func.count(func.distinct(SessionSpeaker.person_id)))
        .join(AgendaSession, AgendaSession.id == SessionSpeaker.session_id)
        .where(AgendaSession.event_id == event.id)
    )
    assert 400 <= len(sessions) <= 900
    assert 900 <= (speakers or 0) <= 1200  # the 2023 forum reported 1,160 speakers
    kinds = Counter(s.kind for s in sessions)
    assert {"plenary", "parallel_forum", "keynote", "panel", "release", "roadshow", "signing",
            "contest_final"} <= set(kinds)  # fmt: skip
    assert kinds["keynote"] > kinds["parallel_forum"] > 50
    days = {s.starts_at.astimezone(SHANGHAI).date() for s in sessions if s.starts_at}
    assert min(days) == event.starts_on and max(days) == event.ends_on
    # Every session within its day's opening hours, on the forum's wall clock.
    for s in sessions:
        assert s.starts_at is not None and s.ends_at is not None and s.starts_at.tzinfo is not None
        start, end = s.starts_at.astimezone(SHANGHAI), s.ends_at.astimezone(SHANGHAI)
        assert dt.time(8, 0) <= start.time() and end.time() <= dt.time(18, 30) and start < end
    tracks = set(db.scalars(select(Track.name_zh).where(Track.event_id == event.id)))
    assert {"人工智能", "生命健康", "集成电路", "先进制造", "绿色低碳"} <= tracks


def test_the_busiest_day_runs_twenty_rooms_in_parallel(db: Session) -> None:
    event = get_event(db, slug="zgc-forum-2024")
    sessions = _sessions(db, event)
    busiest = 0
    for day in range(5):
        for hour in (10, 15):
            moment = dt.datetime.combine(event.starts_on + dt.timedelta(days=day), dt.time(hour), SHANGHAI)
            rooms = {s.room_id for s in sessions if s.starts_at and s.ends_at and s.starts_at <= moment < s.ends_at}
            busiest = max(busiest, len(rooms))
    assert busiest == 20
    interpreted = db.scalar(select(func.count()).where(Room.event_id == event.id, Room.interpretation.is_(True)))
    assert interpreted and interpreted >= 8


def test_the_sessions_the_reports_name_cite_them_with_the_people_they_quote(db: Session) -> None:
    def named(title: str, slug: str) -> AgendaSession:
        event = get_event(db, slug=slug)
        found = db.scalars(select(AgendaSession).where(AgendaSession.event_id == event.id,
                                                       AgendaSession.title_zh == title)).one()  # fmt: skip
        return found

    def people(session: AgendaSession) -> dict[str, str | None]:
        ids = [x.person_id for x in session.speakers]
        return {p.name_zh: p.name_en for p in db.scalars(select(Person).where(Person.id.in_(ids)))}

    carbon = named("第二届碳达峰碳中和科技论坛", "zgc-forum-2023")
    assert carbon.provenance == SRC_2023 and carbon.kind == "parallel_forum"
    assert carbon.starts_at is not None and carbon.starts_at.astimezone(SHANGHAI).date() == dt.date(2023, 5, 26)
    assert people(carbon) == {"阴和俊": "Yin Hejun", "于军": "Yu Jun", "向海平": "Xiang Haiping",
                              "詹文龙": "Zhan Wenlong", "朱庆山": "Zhu Qingshan"}  # fmt: skip
    plenary = named("全体会议", "zgc-forum-2023")
    assert plenary.provenance == SRC_FORUM_2023 and plenary.kind == "plenary"
    assert people(plenary)["李彦宏"] == "Robin Li" and people(plenary)["阿德姆·帕塔普蒂安"] == "Ardem Patapoutian"
    release = named("十项重大科技成果发布", "zgc-forum-2024")
    assert release.provenance == SRC_2024 and release.kind == "release" and release.title_en
    assert release.starts_at is not None and release.starts_at.astimezone(SHANGHAI).date() == dt.date(2024, 4, 25)
    final = named("第七届中国国际前沿科技大赛全球总决赛", "zgc-forum-2024")
    assert final.kind == "contest_final" and set(people(final)) == {"杨建华", "于英杰"}
    # Yu Yingjie speaks at both forums, with the title each report gives him.
    yu = db.scalars(select(Person).where(Person.name_zh == "于英杰")).one()
    titles = set(db.scalars(select(SpeakerProfile.title_zh).where(SpeakerProfile.person_id == yu.id)))
    assert titles == {"北京市副市长", "北京市委常委、教育工委书记"}
    # Named sessions carry only named people; sourced rows cite a seed file; the rest is marked synthetic.
    seeds = {SRC_2023, SRC_2024, SRC_FORUM_2023}
    for slug in FORUMS:
        for s in _sessions(db, get_event(db, slug=slug)):
            assert s.provenance == SYNTHETIC or s.provenance in seeds
            if s.provenance != SYNTHETIC:
                ids = [x.person_id for x in s.speakers]
                assert all(p != SYNTHETIC for p in db.scalars(select(Person.provenance).where(Person.id.in_(ids))))


@pytest.mark.parametrize("slug", FORUMS)
def test_the_generated_programme_passes_the_conflict_checker_and_exercises_its_warnings(
    db: Session, slug: str
) -> None:
    rooms, people, sessions = _checker_input(db, get_event(db, slug=slug))
    refusals, warnings = C.triage(C.check(rooms, people, sessions))
    assert refusals == []
    assert Counter(c.rule for c in warnings) == {C.Rule.OVER_CAPACITY: 3, C.Rule.PERSON_UNAVAILABLE: 3}
    # Dense enough to matter: most people and rooms carry several sessions a day.
    assert len(sessions) > 400 and sum(1 for p in people if p.available) > 500


def test_everyone_and_everything_shown_publicly_has_an_english_name(db: Session) -> None:
    assert db.scalar(select(func.count()).select_from(Person).where(Person.name_en.is_(None))) == 0
    assert db.scalar(select(func.count()).select_from(Organisation).where(Organisation.name_en.is_(None))) == 0
    winners = db.scalars(
        select(Organisation).join(ContestEntry, ContestEntry.organisation_id == Organisation.id)
        .join(Award, Award.entry_id == ContestEntry.id)
    ).all()  # fmt: skip
    assert len(winners) == 6 and all(o.name_en for o in winners)
    assert "Neuracle Technology (Beijing) Co., Ltd." in {o.name_en for o in winners}
    for slug in FORUMS:
        event = get_event(db, slug=slug)
        for s in _sessions(db, event):
            assert s.title_en and (s.description_en or not s.description_zh), s.title_zh
        for p in db.scalars(select(SpeakerProfile).where(SpeakerProfile.event_id == event.id)):
            assert p.title_en and p.bio_en and p.title_zh and p.bio_zh
        assert all(r.name_en for r in db.scalars(select(Room).where(Room.event_id == event.id)))
        assert all(t.name_en for t in db.scalars(select(Track).where(Track.event_id == event.id)))
    # Chinese names are written in English family name first, in pinyin.
    sample = db.scalars(select(Person).where(Person.name_zh == "詹文龙")).one()
    assert sample.name_en == "Zhan Wenlong"


def test_every_job_title_the_demo_gives_has_its_english_form(db: Session) -> None:
    titles = set(db.scalars(select(Person.title).where(Person.provenance == SYNTHETIC, Person.title.is_not(None))))
    assert titles and titles <= set(JOB_TITLES_EN)


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("张伟", "Zhang Wei"),
        ("王敏（示例）", "Wang Min (sample)"),
        ("欧阳明远", "Ouyang Mingyuan"),
        ("曾国强", "Zeng Guoqiang"),
        ("单田芳", "Shan Tianfang"),
        ("吕先志", "Lyu Xianzhi"),
        ("王晓鸥", "Wang Xiao'ou"),
        ("Anna Schmidt", "Anna Schmidt"),
    ],
)
def test_chinese_names_in_english_family_name_first(zh: str, en: str) -> None:
    assert english_name(zh) == en


def test_a_transliterated_foreign_name_needs_its_english_form_given() -> None:
    with pytest.raises(ValueError, match="give its English form"):
        english_name("阿德姆·帕塔普蒂安")
