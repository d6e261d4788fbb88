"""The participants of an event's 1:1 meetings as the organiser sets them up: adding a person of the
directory, their maximum number of meetings, removing them (cancelling their meetings only when the organiser
confirms) and marking their free slots. The sessions, slots and tables are `setup.py`; the sheet import is
`setup_sheets.py`. Services flush; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, InvalidTransition, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.i18n import ngettext
from duijie.directory.models import Organisation, Person
from duijie.events.models import Event
from duijie.meetings import availability, service
from duijie.meetings.models import Availability, Meeting, MeetingParticipant, MeetingRequest, MeetingSeat
from duijie.meetings.setup import Problems, require_organiser

MAX_MEETINGS = (1, 100)
# Meetings that took place stay on record: a participant with one of these cannot be removed.
HAPPENED = ("held", "no_show")


# -- participants --------------------------------------------------------------------------------------------


@dataclass
class ParticipantInfo:
    """A participant as the set-up page lists them."""

    participant: MeetingParticipant
    person: Person
    organisation: Organisation | None
    meetings: int
    free: int | None  # slots marked free; None = never said (free throughout)


def participants(db: Session, *, event: Event) -> list[ParticipantInfo]:
    """The event's participants by organisation and name, with their meetings and marked slots (4 queries)."""
    rows = db.execute(
        select(MeetingParticipant, Person, Organisation)
        .join(Person, Person.id == MeetingParticipant.person_id)
        .outerjoin(Organisation, Organisation.id == MeetingParticipant.organisation_id)
        .where(MeetingParticipant.event_id == event.id)
        .order_by(Organisation.name_zh, Person.name_zh, MeetingParticipant.id)
    ).all()
    meetings: dict[int, int] = defaultdict(int)
    for (pid,) in db.execute(
        select(MeetingSeat.participant_id).join(Meeting, Meeting.id == MeetingSeat.meeting_id).where(
            Meeting.event_id == event.id
        )
    ):
        meetings[pid] += 1
    free: dict[int, int] = dict(
        db.execute(
            select(Availability.participant_id, func.count())
            .join(MeetingParticipant, MeetingParticipant.id == Availability.participant_id)
            .where(MeetingParticipant.event_id == event.id)
            .group_by(Availability.participant_id)
        ).all()
    )
    return [ParticipantInfo(p, person, org, meetings[p.id], free.get(p.id)) for p, person, org in rows]


def find_person(db: Session, text: str | None, field: str = "person") -> Person:
    """A person of the directory by e-mail or by name (a name shared by several people asks for the e-mail)."""
    s = (text or "").strip()
    if not s:
        raise DomainError(_("Choose a person from the directory (name or e-mail)."), field=field)
    # The picker offers "name · organisation · e-mail"; the e-mail identifies, else the name within the org.
    parts = [p.strip() for p in s.split("·") if p.strip()]
    email = next((p for p in parts if "@" in p), None)
    if email:
        found = list(db.scalars(select(Person).where(func.lower(Person.email) == email.lower()).limit(2)))
    else:
        stmt = select(Person).where(or_(Person.name_zh == parts[0], Person.name_en == parts[0]))
        if len(parts) > 1:
            stmt = stmt.join(Organisation, Organisation.id == Person.organisation_id).where(
                Organisation.name_zh == parts[1]
            )
        found = list(db.scalars(stmt.limit(2)))
    if not found:
        raise DomainError(
            _("Nobody in the directory is called %(v)s or has that e-mail; import them from a sheet.") % {"v": s},
            field=field,
        )
    if len(found) > 1:
        raise DomainError(_("Several people are called %(v)s; write their e-mail instead.") % {"v": s}, field=field)
    return found[0]


def _check_max(value: int | None, problems: Problems) -> None:
    if value is not None and not MAX_MEETINGS[0] <= value <= MAX_MEETINGS[1]:
        problems.add("max_meetings", _("The maximum is from %(a)s to %(b)s meetings.") % {"a": MAX_MEETINGS[0], "b": MAX_MEETINGS[1]})


def add_participant(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    person: Person,
    organisation: Organisation | None = None,
    max_meetings: int | None = None,
    note: str | None = None,
) -> MeetingParticipant:
    """Make a person of the directory a participant of the event's meetings (with their organisation unless
    another is given)."""
    require_organiser(actor, event)
    problems = Problems()
    _check_max(max_meetings, problems)
    existing = db.scalar(
        select(MeetingParticipant).where(
            MeetingParticipant.event_id == event.id, MeetingParticipant.person_id == person.id
        )
    )
    if existing is not None:
        problems.add("person", _("%(who)s already takes part in this event's meetings.") % {"who": person.name_zh})
    problems.check()
    row = MeetingParticipant(
        event_id=event.id,
        person_id=person.id,
        organisation_id=organisation.id if organisation else person.organisation_id,
        max_meetings=max_meetings,
        provenance=note or "organiser",
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="meeting_participant",
        entity_id=row.id,
        action="participant_added",
        after={"person_id": person.id, "organisation_id": row.organisation_id, "max_meetings": max_meetings},
        event_id=event.id,
        note=note,
    )
    return row


def update_participant(
    db: Session, *, event: Event, actor: Actor, participant: MeetingParticipant, max_meetings: int | None
) -> MeetingParticipant:
    """Change a participant's maximum number of meetings (not below the meetings they already have)."""
    require_organiser(actor, event)
    problems = Problems()
    _check_max(max_meetings, problems)
    held = count_meetings(db, participant=participant)
    if max_meetings is not None and not problems.details and max_meetings < held:
        problems.add(
            "max_meetings",
            _("This participant already has %(n)s meetings; cancel some before lowering the maximum to %(m)s.")
            % {"n": held, "m": max_meetings},
        )
    problems.check()
    audit.apply(
        db,
        actor=actor,
        obj=participant,
        changes={"max_meetings": max_meetings},
        entity_type="meeting_participant",
        action="participant_updated",
        event_id=event.id,
    )
    return participant


def count_meetings(db: Session, *, participant: MeetingParticipant) -> int:
    return int(
        db.scalar(select(func.count()).select_from(MeetingSeat).where(MeetingSeat.participant_id == participant.id))
        or 0
    )


class ConfirmationNeeded(InvalidTransition):
    """A removal that would cancel meetings: the caller asks the organiser and repeats it with `confirm`."""


def remove_participant(
    db: Session, *, event: Event, actor: Actor, participant: MeetingParticipant, cancel_meetings: bool = False
) -> int:
    """Remove a participant with their requests and availability; returns how many meetings were cancelled.

    Planned or confirmed meetings are cancelled only when the organiser confirms (`cancel_meetings`), through
    `set_meeting_state`, so the other side is told; their open requests are cancelled the same way. A
    participant whose meetings already took place (held, no-show) stays on record."""
    require_organiser(actor, event)
    name = service.display_names(db, [participant.id]).get(participant.id, str(participant.id))
    meetings = list(
        db.scalars(
            select(Meeting)
            .join(MeetingSeat, MeetingSeat.meeting_id == Meeting.id)
            .where(MeetingSeat.participant_id == participant.id)
            .order_by(Meeting.id)
        )
    )
    happened = [m for m in meetings if m.state in HAPPENED]
    if happened:
        raise InvalidTransition(
            ngettext(
                "%(who)s took part in %(n)s meeting already; they stay on record.",
                "%(who)s took part in %(n)s meetings already; they stay on record.",
                len(happened),
            )
            % {"who": name, "n": len(happened)},
            field="participant",
        )
    if meetings and not cancel_meetings:
        raise ConfirmationNeeded(
            ngettext(
                "%(who)s has %(n)s scheduled meeting; confirm to cancel it and remove them.",
                "%(who)s has %(n)s scheduled meetings; confirm to cancel them and remove them.",
                len(meetings),
            )
            % {"who": name, "n": len(meetings)},
            field="confirm",
        )
    for meeting in meetings:
        service.set_meeting_state(db, actor=actor, meeting=meeting, to="cancelled", note="participant removed")
    requests = list(
        db.scalars(
            select(MeetingRequest).where(
                or_(MeetingRequest.requester_id == participant.id, MeetingRequest.recipient_id == participant.id)
            )
        )
    )
    for req in requests:
        if req.state in service.ACTIVE:
            service.set_request_state(db, actor=actor, request=req, to="cancelled", note="participant removed")
    db.execute(delete(Availability).where(Availability.participant_id == participant.id))
    for req in requests:
        db.delete(req)
    before = {"person_id": participant.person_id, "organisation_id": participant.organisation_id}
    db.delete(participant)
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="meeting_participant",
        entity_id=participant.id,
        action="participant_removed",
        before=before,
        after={"meetings_cancelled": len(meetings), "requests": len(requests)},
        event_id=event.id,
    )
    return len(meetings)


def set_participant_availability(
    db: Session, *, event: Event, actor: Actor, participant: MeetingParticipant, slot_ids: Sequence[int]
) -> set[int]:
    """The organiser marks a participant's free slots (the participant's own page uses the same service)."""
    require_organiser(actor, event)
    return availability.set_availability(
        db, event=event, actor=actor, participant=participant, slot_ids=slot_ids, own=None
    )


def free_slots(db: Session, *, participant: MeetingParticipant) -> set[int] | None:
    """The slots a participant marked free, or None when never said (free throughout)."""
    return availability.availability_of(db, participant=participant)


def free_by_participant(db: Session, *, event: Event) -> dict[int, set[int]]:
    """Every participant's marked slots in one query (participants never asked are absent)."""
    out: dict[int, set[int]] = defaultdict(set)
    for pid, sid in db.execute(
        select(Availability.participant_id, Availability.slot_id)
        .join(MeetingParticipant, MeetingParticipant.id == Availability.participant_id)
        .where(MeetingParticipant.event_id == event.id)
    ):
        out[pid].add(sid)
    return dict(out)


def person_by(db: Session, *, person_id: int | None, email: str | None) -> Person:
    """A person of the directory by id or e-mail (the API's way to name one)."""
    if person_id is not None:
        person = db.get(Person, person_id)
        if person is None:
            raise NotFound(_("No such person in the directory: %(id)s") % {"id": person_id}, field="person_id")
        return person
    if email:
        return find_person(db, email, field="email")
    raise DomainError(_("Name the person by person_id or email."), field="person_id")


def organisation_by(db: Session, *, organisation_id: int | None) -> Organisation | None:
    if organisation_id is None:
        return None
    org = db.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(
            _("No such organisation in the directory: %(id)s") % {"id": organisation_id}, field="organisation_id"
        )
    return org


def directory_choices(db: Session, *, event: Event, limit: int = 3000) -> list[str]:
    """What the add form's person picker offers: "name · organisation · e-mail" of people not yet taking part."""
    taken = select(MeetingParticipant.person_id).where(MeetingParticipant.event_id == event.id)
    rows = db.execute(
        select(Person.name_zh, Organisation.name_zh, Person.email)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .where(Person.id.not_in(taken))
        .order_by(Organisation.name_zh, Person.name_zh)
        .limit(limit)
    )
    return [" · ".join(x for x in (name, org, email) if x) for name, org, email in rows]
