"""The records an audit entry is about, described in words with a link to their page where one exists.

An entry keeps only `entity_type` and `entity_id`; a page of entries names dozens of records of a dozen kinds.
Each kind has one describer that loads all the ids of that kind on the page in one statement, so a page costs
one statement per kind present, whatever its length (the N+1 guard in the tests holds it to that).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from duijie.contest.models import (
    Award,
    Conflict,
    ContestEntry,
    ContestField,
    ContestRegion,
    ContestRound,
    Judge,
    ReviewAssignment,
    Score,
)
from duijie.core.i18n import bilingual
from duijie.core.i18n import gettext as _
from duijie.deals.models import Deal
from duijie.directory.models import Organisation, Person
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.meetings.models import Meeting, MeetingParticipant, MeetingRequest
from duijie.policies.models import Policy


@dataclass(frozen=True)
class Described:
    """A record in words, and the path of its page (None where it has none or is gone)."""

    text: str
    url: str | None = None


def event_url(slug: str, kind: str) -> str:
    """Contest editions have their own pages; every other event has the event page."""
    return f"/contests/{slug}" if kind == "contest" else f"/events/{slug}"


def _name(zh: str | None, en: str | None) -> str:
    return bilingual(zh, en) or "—"


def _deals(db: Session, ids: set[int]) -> dict[int, Described]:
    rows = db.execute(select(Deal.id, Deal.title_zh, Deal.title_en).where(Deal.id.in_(ids)))
    return {i: Described(_name(zh, en), f"/deals/{i}") for i, zh, en in rows}


def _opportunities(db: Session, ids: set[int]) -> dict[int, Described]:
    rows = db.execute(
        select(Opportunity.id, Opportunity.title_zh, Opportunity.title_en).where(Opportunity.id.in_(ids))
    )
    return {i: Described(_name(zh, en), f"/projects/{i}") for i, zh, en in rows}


def _policies(db: Session, ids: set[int]) -> dict[int, Described]:
    rows = db.execute(select(Policy.id, Policy.slug, Policy.name_zh, Policy.name_en).where(Policy.id.in_(ids)))
    return {i: Described(_name(zh, en), f"/policies/{slug}") for i, slug, zh, en in rows}


def _organisations(db: Session, ids: set[int]) -> dict[int, Described]:
    rows = db.execute(
        select(Organisation.id, Organisation.slug, Organisation.name_zh, Organisation.name_en).where(
            Organisation.id.in_(ids)
        )
    )
    return {i: Described(_name(zh, en), f"/organisations/{slug}") for i, slug, zh, en in rows}


def _events(db: Session, ids: set[int]) -> dict[int, Described]:
    rows = db.execute(select(Event.id, Event.slug, Event.kind, Event.name_zh, Event.name_en).where(Event.id.in_(ids)))
    return {i: Described(_name(zh, en), event_url(slug, kind)) for i, slug, kind, zh, en in rows}


def _contest_parts(model: type[ContestField] | type[ContestRegion] | type[ContestRound]) -> Describer:
    """Fields, regions and rounds of an edition: their name, linked to the edition's page."""

    def describe(db: Session, ids: set[int]) -> dict[int, Described]:
        rows = db.execute(
            select(model.id, model.name_zh, model.name_en, Event.slug, Event.kind)
            .join(Event, Event.id == model.event_id)
            .where(model.id.in_(ids))
        )
        return {i: Described(_name(zh, en), event_url(slug, kind)) for i, zh, en, slug, kind in rows}

    return describe


def _entries(db: Session, ids: set[int]) -> dict[int, Described]:
    rows = db.execute(
        select(ContestEntry.id, ContestEntry.title_zh, ContestEntry.title_en, Event.slug, Event.kind)
        .join(Event, Event.id == ContestEntry.event_id)
        .where(ContestEntry.id.in_(ids))
    )
    return {i: Described(_name(zh, en), event_url(slug, kind)) for i, zh, en, slug, kind in rows}


def _judges(db: Session, ids: set[int]) -> dict[int, Described]:
    rows = db.execute(
        select(Judge.id, Person.name_zh, Person.name_en, Event.slug, Event.kind)
        .join(Person, Person.id == Judge.person_id)
        .join(Event, Event.id == Judge.event_id)
        .where(Judge.id.in_(ids))
    )
    return {i: Described(_name(zh, en), event_url(slug, kind)) for i, zh, en, slug, kind in rows}


def _judge_and_entry(judge: str, entry: str) -> str:
    return _("%(judge)s on %(entry)s") % {"judge": judge, "entry": entry}


def _scores(db: Session, ids: set[int]) -> dict[int, Described]:
    rows = db.execute(
        select(Score.id, Person.name_zh, Person.name_en, ContestEntry.title_zh, ContestEntry.title_en, Event.slug)
        .join(ReviewAssignment, ReviewAssignment.id == Score.assignment_id)
        .join(Judge, Judge.id == ReviewAssignment.judge_id)
        .join(Person, Person.id == Judge.person_id)
        .join(ContestEntry, ContestEntry.id == ReviewAssignment.entry_id)
        .join(Event, Event.id == ContestEntry.event_id)
        .where(Score.id.in_(ids))
    )
    return {
        i: Described(_judge_and_entry(_name(pzh, pen), _name(ezh, een)), f"/contests/{slug}")
        for i, pzh, pen, ezh, een, slug in rows
    }


def _conflicts(db: Session, ids: set[int]) -> dict[int, Described]:
    rows = db.execute(
        select(Conflict.id, Person.name_zh, Person.name_en, ContestEntry.title_zh, ContestEntry.title_en, Event.slug)
        .join(Judge, Judge.id == Conflict.judge_id)
        .join(Person, Person.id == Judge.person_id)
        .join(ContestEntry, ContestEntry.id == Conflict.entry_id)
        .join(Event, Event.id == ContestEntry.event_id)
        .where(Conflict.id.in_(ids))
    )
    return {
        i: Described(_judge_and_entry(_name(pzh, pen), _name(ezh, een)), f"/contests/{slug}")
        for i, pzh, pen, ezh, een, slug in rows
    }


def _awards(db: Session, ids: set[int]) -> dict[int, Described]:
    rows = db.execute(
        select(Award.id, Award.name_zh, Award.name_en, ContestEntry.title_zh, ContestEntry.title_en, Event.slug)
        .join(ContestEntry, ContestEntry.id == Award.entry_id)
        .join(Event, Event.id == Award.event_id)
        .where(Award.id.in_(ids))
    )
    return {
        i: Described(f"{_name(azh, aen)} · {_name(ezh, een)}", f"/contests/{slug}/winners")
        for i, azh, aen, ezh, een, slug in rows
    }


_Requester = aliased(MeetingParticipant)
_Recipient = aliased(MeetingParticipant)
_RequesterPerson = aliased(Person)
_RecipientPerson = aliased(Person)


def _pairs(db: Session, ids: set[int], *, meetings: bool) -> dict[int, Described]:
    """Meetings and meeting requests: who asked whom, linked to the event's meeting pages."""
    key = Meeting.id if meetings else MeetingRequest.id
    stmt = select(
        key,
        _RequesterPerson.name_zh,
        _RequesterPerson.name_en,
        _RecipientPerson.name_zh,
        _RecipientPerson.name_en,
        Event.slug,
    )
    if meetings:
        stmt = stmt.select_from(Meeting).join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
    else:
        stmt = stmt.select_from(MeetingRequest)
    rows = db.execute(
        stmt.join(_Requester, _Requester.id == MeetingRequest.requester_id)
        .join(_Recipient, _Recipient.id == MeetingRequest.recipient_id)
        .join(_RequesterPerson, _RequesterPerson.id == _Requester.person_id)
        .join(_RecipientPerson, _RecipientPerson.id == _Recipient.person_id)
        .join(Event, Event.id == MeetingRequest.event_id)
        .where(key.in_(ids))
    )
    return {
        i: Described(f"{_name(azh, aen)} → {_name(bzh, ben)}", f"/events/{slug}/meetings/grid")
        for i, azh, aen, bzh, ben, slug in rows
    }


def _participants(db: Session, ids: set[int]) -> dict[int, Described]:
    rows = db.execute(
        select(MeetingParticipant.id, Person.name_zh, Person.name_en, Event.slug)
        .join(Person, Person.id == MeetingParticipant.person_id)
        .join(Event, Event.id == MeetingParticipant.event_id)
        .where(MeetingParticipant.id.in_(ids))
    )
    return {i: Described(_name(zh, en), f"/events/{slug}/meetings/grid") for i, zh, en, slug in rows}


Describer = Callable[[Session, set[int]], dict[int, Described]]

DESCRIBERS: dict[str, Describer] = {
    "deal": _deals,
    "opportunity": _opportunities,
    "policy": _policies,
    "organisation": _organisations,
    "event": _events,
    "contest": _events,
    "contest_field": _contest_parts(ContestField),
    "contest_region": _contest_parts(ContestRegion),
    "contest_round": _contest_parts(ContestRound),
    "contest_entry": _entries,
    "judge": _judges,
    "score": _scores,
    "conflict": _conflicts,
    "award": _awards,
    "meeting": lambda db, ids: _pairs(db, ids, meetings=True),
    "meeting_request": lambda db, ids: _pairs(db, ids, meetings=False),
    "meeting_participant": _participants,
}


def describe(db: Session, refs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Described]:
    """Every (kind, id) in words: one statement per kind present. Records that are gone, and kinds with no
    record of their own (a sheet import), are left out; the caller names them by kind and number."""
    by_kind: dict[str, set[int]] = {}
    for kind, entity_id in refs:
        if kind in DESCRIBERS:
            by_kind.setdefault(kind, set()).add(entity_id)
    out: dict[tuple[str, int], Described] = {}
    for kind, ids in sorted(by_kind.items()):
        for entity_id, described in DESCRIBERS[kind](db, ids).items():
            out[kind, entity_id] = described
    return out
