"""What meetings adds to the pages of lower packages: on a project's (or technology's) page, the action to
request a meeting with its owner, for a reader who takes part in an event's meetings where the owner does too.

Marketplace sits below meetings and cannot ask it; its page offers `PROJECT_PAGE_SECTIONS`, filled here.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from sqlalchemy.orm import Session

from duijie.agenda.service import event_zone
from duijie.core.auth import Actor
from duijie.deals.sources import SOURCE_READERS, SourceReader
from duijie.directory.models import Organisation, Person
from duijie.events.models import DEFAULT_TIMEZONE, Event
from duijie.marketplace.models import Opportunity
from duijie.marketplace.sections import PROJECT_PAGE_SECTIONS, PageSection
from duijie.meetings import directory
from duijie.meetings.models import Meeting, MeetingParticipant, MeetingRequest, MeetingSlot


def project_meetings(db: Session, actor: Actor, opportunity: Opportunity) -> dict[str, Any] | None:
    """The owner's participants at the reader's events, each with "request a meeting" naming this project."""
    offers = directory.meeting_offers(db, actor=actor, organisation_ids=[opportunity.owner_org_id])
    if not offers:
        return None
    return {"meeting_offers": offers, "meeting_opportunity": opportunity.id}


PROJECT_PAGE_SECTIONS.register(
    PageSection("meetings/people/_meet_section.html", project_meetings),
    key="meetings.project_meetings",
    order=5,
)
from duijie.meetings import extends_agenda as extends_agenda  # noqa: E402  (the programme's personal agenda and feed)


def read_meeting(db: Session, meeting_id: int) -> tuple[str, str | None] | None:
    """A meeting as a deal cites its source: the two organisations (or people) and the slot."""
    meeting = db.get(Meeting, meeting_id)
    if meeting is None:
        return None
    request = db.get(MeetingRequest, meeting.request_id)
    slot = db.get(MeetingSlot, meeting.slot_id)
    names: list[tuple[str, str]] = []
    for pid in (request.requester_id, request.recipient_id) if request else ():
        participant = db.get(MeetingParticipant, pid)
        org = (
            db.get(Organisation, participant.organisation_id)
            if participant and participant.organisation_id
            else None
        )
        person = db.get(Person, participant.person_id) if participant else None
        if org is not None:
            names.append((org.name_zh, org.name_en or org.name_zh))
        elif person is not None:
            names.append((person.name_zh, person.name_en or person.name_zh))
    event = db.get(Event, meeting.event_id)
    zone = event_zone(event) if event else zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)
    when = ""
    if slot is not None:
        start = slot.starts_at if slot.starts_at.tzinfo else slot.starts_at.replace(tzinfo=dt.UTC)
        when = start.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    zh = "一对一洽谈：" + "与".join(n[0] for n in names) + (f"（{when}）" if when else "")
    en = "1:1 meeting: " + " and ".join(n[1] for n in names) + (f" ({when})" if when else "")
    return zh, en


SOURCE_READERS.register(SourceReader("meeting", read_meeting), key="meetings.meeting")
