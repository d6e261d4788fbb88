"""People to meet at an event: reciprocal suggestions among the 2024 summit's meeting participants."""

from __future__ import annotations

import re

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.i18n import set_locale
from duijie.directory.models import Organisation
from duijie.events.models import Event
from duijie.matching import service
from duijie.matching.affinity import AffinityEngine
from duijie.matching.profiles import participant_profiles
from duijie.meetings.models import MeetingParticipant
from tests.conftest import login

SUMMIT = "invest-beijing-2024"


def _summit(db: Session) -> Event:
    return db.scalars(select(Event).where(Event.slug == SUMMIT)).one()


def _xinghe_participant(db: Session) -> MeetingParticipant:
    org = db.scalars(select(Organisation).where(Organisation.slug == "demo-xinghe")).one()
    return db.scalars(
        select(MeetingParticipant).where(
            MeetingParticipant.event_id == _summit(db).id, MeetingParticipant.organisation_id == org.id
        )
    ).one()


def test_participant_profiles_come_from_their_organisations(db: Session) -> None:
    profiles = participant_profiles(db, _summit(db))
    count = len(
        db.scalars(select(MeetingParticipant.id).where(MeetingParticipant.event_id == _summit(db).id)).all()
    )
    assert len(profiles) == count
    mine = next(p for p in profiles if p.id == str(_xinghe_participant(db).id))
    assert mine.industries == ["人工智能", "软件和信息服务"]
    assert mine.texts[0] == "示例企业：面向工业质检的视觉大模型与边缘智能设备。"
    # A district government states no industry; the projects it brings to the summit do.
    governments = [p for p in profiles if p.name and p.name.endswith("人民政府")]
    assert governments and all(p.industries for p in governments)


def test_people_to_meet_are_reciprocal_and_explained(db: Session) -> None:
    set_locale("zh_CN")
    me = _xinghe_participant(db)
    people = service.people_to_meet(db, event=_summit(db), participant_id=me.id, limit=5)
    assert 1 <= len(people) <= 5
    assert all(p.kind == "participant" and p.record.id != me.id for p in people)
    assert all(p.record.organisation.id != me.organisation_id for p in people)
    assert all(p.reasons for p in people)
    # Reciprocal: each suggested participant also ranks this one among its own best 30 (the engine's depth).
    profiles = participant_profiles(db, _summit(db))
    engine = AffinityEngine("participant_participant", weights={"semantic": 0.0}).fit(profiles, profiles)
    matrix = engine.score_matrix(profiles, profiles)
    np.fill_diagonal(matrix, 0.0)
    position = {p.id: i for i, p in enumerate(profiles)}
    for person in people:
        row = matrix[position[str(person.record.id)]]
        assert int((row > row[position[str(me.id)]]).sum()) < 30


def test_people_to_meet_stay_within_the_event(db: Session) -> None:
    forum = db.scalars(select(Event).where(Event.slug == "zgc-forum-2024")).one()
    me = _xinghe_participant(db)
    assert service.people_to_meet(db, event=forum, participant_id=me.id) == []


def test_enterprise_home_shows_people_to_meet_with_a_link_to_meetings(client: TestClient) -> None:
    login(client, "enterprise", "enterprise-demo")
    page = client.get("/recommendations").text
    section = page.split('data-left="participant">', 1)[1].split("</section>", 1)[0]
    assert "2024年投资北京大会值得约见的参会方" in section
    assert f'href="/events/{SUMMIT}/meetings"' in section
    assert 1 <= len(re.findall(r'class="suggestion"', section)) <= 5


def test_investor_home_shows_people_to_meet_in_english(client: TestClient) -> None:
    login(client, "investor", "investor-demo")
    client.cookies.set("lang", "en")
    page = client.get("/recommendations").text
    assert "People to meet at Invest Beijing Conference 2024" in page
    assert "Request meetings" in page


def test_api_lists_people_to_meet_for_ones_own_participant_only(client: TestClient, db: Session) -> None:
    me = _xinghe_participant(db)
    login(client, "enterprise", "enterprise-demo")
    params = {"kind": "participant", "id": me.id, "want": "participant"}
    body = client.get("/api/v1/recommendations", params=params).json()
    assert body["event"] == SUMMIT and body["items"]
    assert all("（" in item["name_zh"] for item in body["items"])
    other = next(p for p in body["items"])["id"]
    refused = client.get("/api/v1/recommendations", params={**params, "id": other})
    assert refused.status_code == 403
