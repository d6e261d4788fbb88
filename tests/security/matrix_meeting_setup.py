"""Permission-matrix entries for the meeting_setup routes (collected into `matrix.ENTRIES`): every page and API
route of the set-up is the event organiser's (the city-wide organiser and A's own; B's organiser is refused), and a
refused write changes nothing (the probes count A's slots, tables and participants)."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.meetings.models import Availability, MeetingParticipant, MeetingSlot, MeetingTable
from tests.security.matrix import EVENT_ORGANISERS, Entry, empty, only
from tests.security.world import World

ORG = only(*EVENT_ORGANISERS)
BASE = "/events/{slug}/meetings/setup"
API = "/api/v1/events/{slug}/meetings/setup"
AT_SLOT = {"slot_id": "slot"}
AT_OTHER = {"participant_id": "participant_other"}
AT_ENTERPRISE = {"participant_id": "participant_enterprise"}


def setup_state(db: Session, w: World) -> Any:
    """What any set-up write of A would change: its slots with their times, tables, participants and marks."""
    slots = db.execute(
        select(MeetingSlot.id, MeetingSlot.starts_at, MeetingSlot.session, MeetingSlot.table_count)
        .where(MeetingSlot.event_id == w.event_a_id)
        .order_by(MeetingSlot.id)
    ).all()
    tables = db.execute(
        select(MeetingTable.number, MeetingTable.area).where(MeetingTable.event_id == w.event_a_id).order_by(MeetingTable.number)
    ).all()
    people = db.execute(
        select(MeetingParticipant.id, MeetingParticipant.max_meetings)
        .where(MeetingParticipant.event_id == w.event_a_id)
        .order_by(MeetingParticipant.id)
    ).all()
    marks = db.scalar(
        select(func.count())
        .select_from(Availability)
        .join(MeetingParticipant, MeetingParticipant.id == Availability.participant_id)
        .where(MeetingParticipant.event_id == w.event_a_id)
    )
    return (slots, tables, people, marks)


def _session(w: World) -> dict[str, str]:
    return {"label": "加场", "day": "2026-04-26", "start": "14:00", "end": "15:00", "slot_minutes": "30"}


def _slot(w: World) -> dict[str, str]:
    return {"label": "加场", "day": "2026-04-26", "start": "16:00", "end": "16:30"}


def _sheet_file(w: World) -> dict[str, Any]:
    return {"file": ("p.csv", "姓名,邮箱\n矩阵,matrix@example.com\n".encode(), "text/csv")}


ENTRIES: tuple[Entry, ...] = (
    Entry("GET", BASE, ORG),
    Entry("POST", BASE + "/sessions", ORG, form=_session, probe=setup_state),
    Entry("POST", BASE + "/sessions/remove", ORG, form=lambda w: {"session": "am"}, probe=setup_state, also_ok=(409,)),
    Entry("POST", BASE + "/slots", ORG, form=_slot, probe=setup_state),
    Entry("GET", BASE + "/slots/{slot_id}", ORG, at=AT_SLOT),
    Entry("POST", BASE + "/slots/{slot_id}", ORG, at=AT_SLOT, form=_slot, probe=setup_state),
    Entry("POST", BASE + "/slots/{slot_id}/remove", ORG, at=AT_SLOT, form=empty, probe=setup_state),
    Entry("GET", BASE + "/tables", ORG),
    Entry("POST", BASE + "/tables", ORG, form=lambda w: {"count": "2", "first": "50", "area": "B"}, probe=setup_state),
    Entry("POST", BASE + "/tables/remove", ORG, form=lambda w: {"number": "2"}, probe=setup_state),
    Entry("POST", BASE + "/areas/rename", ORG, form=lambda w: {"old": "", "new": "A区"}, probe=setup_state),
    Entry("GET", BASE + "/participants", ORG),
    Entry(
        "POST", BASE + "/participants", ORG, form=lambda w: {"person": "nobody@example.com"}, probe=setup_state,
        also_ok=(422,),
    ),
    Entry("GET", BASE + "/participants/{participant_id}", ORG, at=AT_ENTERPRISE),
    Entry("POST", BASE + "/participants/{participant_id}", ORG, at=AT_ENTERPRISE, form=lambda w: {"max_meetings": "7"}, probe=setup_state),
    Entry(
        "POST", BASE + "/participants/{participant_id}/availability", ORG, at=AT_ENTERPRISE,
        form=lambda w: {"slot": [str(s) for s in w.slots[1:]]}, probe=setup_state,
    ),
    Entry("POST", BASE + "/participants/{participant_id}/remove", ORG, at=AT_OTHER, form=empty, probe=setup_state, also_ok=(409,)),
    Entry("GET", BASE + "/import", ORG),
    Entry("GET", BASE + "/import/template.xlsx", ORG),
    Entry("POST", BASE + "/import", ORG, files=_sheet_file, probe=setup_state),
    Entry("POST", BASE + "/import/confirm", ORG, form=lambda w: {"token": "x" * 43}, probe=setup_state, also_ok=(422,)),
    # ---- the API
    Entry("GET", API, ORG),
    Entry("POST", API + "/sessions", ORG, json=lambda w: {**_session(w), "slot_minutes": 30}, probe=setup_state),
    Entry("DELETE", API + "/sessions", ORG, query="session=am", probe=setup_state, also_ok=(409,)),
    Entry("POST", API + "/slots", ORG, json=_slot, probe=setup_state),
    Entry("PUT", API + "/slots/{slot_id}", ORG, at=AT_SLOT, json=_slot, probe=setup_state),
    Entry("DELETE", API + "/slots/{slot_id}", ORG, at=AT_SLOT, probe=setup_state),
    Entry("GET", API + "/tables", ORG),
    Entry("POST", API + "/tables", ORG, json=lambda w: {"count": 2, "first": 50, "area": "B"}, probe=setup_state),
    Entry("DELETE", API + "/tables", ORG, query="number=2", probe=setup_state),
    Entry("POST", API + "/areas/rename", ORG, json=lambda w: {"old": None, "new": "A区"}, probe=setup_state),
    Entry("GET", API + "/participants", ORG),
    Entry("POST", API + "/participants", ORG, json=lambda w: {"email": "nobody@example.com"}, probe=setup_state, also_ok=(422,)),
    Entry("PATCH", API + "/participants/{participant_id}", ORG, at=AT_ENTERPRISE, json=lambda w: {"max_meetings": 7}, probe=setup_state),
    Entry("DELETE", API + "/participants/{participant_id}", ORG, at=AT_OTHER, probe=setup_state, also_ok=(409,)),
    Entry(
        "PUT", API + "/participants/{participant_id}/availability", ORG, at=AT_ENTERPRISE,
        json=lambda w: {"slot_ids": w.slots[1:]}, probe=setup_state,
    ),
    Entry(
        "POST", API + "/participants/import", ORG,
        json=lambda w: {
            "filename": "p.csv", "content_base64": base64.b64encode("姓名\n矩阵\n".encode()).decode(), "dry_run": True,
        },
        probe=setup_state,
    ),
)
