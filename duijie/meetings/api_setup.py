"""`/api/v1/events/{slug}/meetings/setup/...`: the meeting set-up (sessions, slots, tables, participants,
availability, the participant sheet) for other systems of the organiser. Included by `meetings.api` under its
prefix; every route is the event organiser's (`allow(can_run_grid)`: 401 without a login, 403 for anyone else).

Refusals are the services' DomainErrors, answered as JSON with the same wording as the pages (422 for bad
values, 409 for a removal that would break meetings, 404 for another event's records)."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import DomainError, ErrorDetail
from duijie.core.i18n import gettext as _
from duijie.core.validation import PathId
from duijie.core.web import allow, get_db
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.meetings import service, setup, setup_people, setup_sheets
from duijie.meetings.models import MeetingSlot, MeetingTable
from duijie.meetings.permissions import can_run_grid
from duijie.meetings.schemas_setup import (
    AreaRename,
    AvailabilityPut,
    ImportRead,
    ImportRowRead,
    ImportWrite,
    ParticipantCreate,
    ParticipantRemoved,
    ParticipantSetupRead,
    ParticipantUpdate,
    Removed,
    SessionCreate,
    SessionRead,
    SetupRead,
    SlotSetupRead,
    SlotWrite,
    TableRead,
    TablesCreate,
)

router = APIRouter(prefix="/setup")
organiser = allow(can_run_grid, on=event_from_slug)
MAX_IMPORT = 20 * 1024 * 1024


def _slot(event: Event, slot: MeetingSlot, meetings: int) -> SlotSetupRead:
    start, end = setup.local(event, slot.starts_at), setup.local(event, slot.ends_at)
    return SlotSetupRead(
        id=slot.id,
        session=slot.session,
        day=start.date(),
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        table_count=slot.table_count,
        meetings=meetings,
    )


def _slots(db: Session, event: Event, slots: list[MeetingSlot]) -> list[SlotSetupRead]:
    counts = setup.meetings_per_slot(db, event=event)
    return [_slot(event, s, counts.get(s.id, 0)) for s in slots]


def _tables(db: Session, event: Event) -> list[TableRead]:
    return [
        TableRead(id=t.id, number=t.number, area=t.area, meetings=a.meetings.get(t.id, 0))
        for a in setup.areas(db, event=event)
        for t in a.tables
    ]


@router.get("", response_model=SetupRead)
def get_setup(
    event: Event = Depends(event_from_slug), db: Session = Depends(get_db), actor: Actor = Depends(organiser)
) -> SetupRead:
    """The event's sessions with their slots, its tables and how many participants it has."""
    counts = setup.meetings_per_slot(db, event=event)
    return SetupRead(
        event=event.slug,
        timezone=setup.zone_name(event),
        sessions=[
            SessionRead(
                session=s.key,
                day=s.day,
                label=s.label,
                meetings=s.meetings,
                slots=[_slot(event, x, counts.get(x.id, 0)) for x in s.slots],
            )
            for s in setup.sessions(db, event=event)
        ],
        tables=_tables(db, event),
        participants=service.summary(db, event=event).participants,
    )


@router.post("/sessions", response_model=list[SlotSetupRead], status_code=201)
def create_session(
    body: SessionCreate,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> list[SlotSetupRead]:
    """Generate a session's slots (refused whole if one would overlap an existing slot)."""
    slots = setup.create_session(
        db,
        event=event,
        actor=actor,
        label=body.label,
        day=body.day,
        start=body.start,
        end=body.end,
        slot_minutes=body.slot_minutes,
        break_minutes=body.break_minutes,
    )
    return _slots(db, event, slots)


@router.delete("/sessions", response_model=Removed)
def remove_session(
    session: str = Query(max_length=40, description='The session key, e.g. "2024-04-25 上午场".'),
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Removed:
    """Remove a session's slots; refused (409) while any of them holds a meeting."""
    return Removed(removed=setup.remove_session(db, event=event, actor=actor, session=session))


@router.post("/slots", response_model=SlotSetupRead, status_code=201)
def add_slot(
    body: SlotWrite,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> SlotSetupRead:
    slot = setup.add_slot(db, event=event, actor=actor, label=body.label, day=body.day, start=body.start, end=body.end)
    return _slot(event, slot, 0)


@router.put("/slots/{slot_id}", response_model=SlotSetupRead)
def update_slot(
    slot_id: PathId,
    body: SlotWrite,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> SlotSetupRead:
    """Change a slot's session or times (the times of a slot holding meetings stay)."""
    slot = setup.get_slot(db, event=event, id=slot_id)
    setup.update_slot(
        db, event=event, actor=actor, slot=slot, label=body.label, day=body.day, start=body.start, end=body.end
    )
    return _slot(event, slot, setup.meetings_per_slot(db, event=event).get(slot.id, 0))


@router.delete("/slots/{slot_id}", response_model=Removed)
def remove_slot(
    slot_id: PathId,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Removed:
    """Remove a slot; refused (409) while it holds a meeting."""
    setup.remove_slot(db, event=event, actor=actor, slot=setup.get_slot(db, event=event, id=slot_id))
    return Removed(removed=1)


@router.get("/tables", response_model=list[TableRead])
def list_tables(
    event: Event = Depends(event_from_slug), db: Session = Depends(get_db), actor: Actor = Depends(organiser)
) -> list[TableRead]:
    return _tables(db, event)


@router.post("/tables", response_model=list[TableRead], status_code=201)
def add_tables(
    body: TablesCreate,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> list[TableRead]:
    """Add `count` tables numbered from `first` in an area."""
    tables: list[MeetingTable] = setup.add_tables(
        db, event=event, actor=actor, count=body.count, first=body.first, area=body.area
    )
    return [TableRead(id=t.id, number=t.number, area=t.area, meetings=0) for t in tables]


@router.delete("/tables", response_model=Removed)
def remove_table(
    number: int = Query(ge=1, le=setup.TABLE_NUMBERS[1]),
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Removed:
    """Remove table `number`; refused (409) while it holds a meeting."""
    setup.remove_table(db, event=event, actor=actor, number=number)
    return Removed(removed=1)


@router.post("/areas/rename", response_model=Removed)
def rename_area(
    body: AreaRename,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Removed:
    """Rename an area (its tables keep their numbers); `removed` counts the tables renamed."""
    return Removed(removed=setup.rename_area(db, event=event, actor=actor, old=body.old, new=body.new))


def _participant_read(info: setup_people.ParticipantInfo, free: set[int] | None) -> ParticipantSetupRead:
    return ParticipantSetupRead(
        id=info.participant.id,
        person_id=info.person.id,
        name=info.person.name_zh,
        organisation_id=info.organisation.id if info.organisation else None,
        organisation=info.organisation.name_zh if info.organisation else None,
        email=info.person.email,
        max_meetings=info.participant.max_meetings,
        meetings=info.meetings,
        free_slots=sorted(free) if free is not None else None,
    )


def _one(db: Session, event: Event, participant_id: int) -> ParticipantSetupRead:
    info = next(i for i in setup_people.participants(db, event=event) if i.participant.id == participant_id)
    return _participant_read(info, setup_people.free_slots(db, participant=info.participant))


@router.get("/participants", response_model=list[ParticipantSetupRead])
def list_participants(
    event: Event = Depends(event_from_slug), db: Session = Depends(get_db), actor: Actor = Depends(organiser)
) -> list[ParticipantSetupRead]:
    free = setup_people.free_by_participant(db, event=event)
    return [_participant_read(i, free.get(i.participant.id)) for i in setup_people.participants(db, event=event)]


@router.post("/participants", response_model=ParticipantSetupRead, status_code=201)
def add_participant(
    body: ParticipantCreate,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> ParticipantSetupRead:
    """Make a person of the directory (by `person_id` or `email`) a participant."""
    person = setup_people.person_by(db, person_id=body.person_id, email=body.email)
    organisation = setup_people.organisation_by(db, organisation_id=body.organisation_id)
    row = setup_people.add_participant(
        db, event=event, actor=actor, person=person, organisation=organisation, max_meetings=body.max_meetings
    )
    return _one(db, event, row.id)


@router.patch("/participants/{participant_id}", response_model=ParticipantSetupRead)
def update_participant(
    participant_id: PathId,
    body: ParticipantUpdate,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> ParticipantSetupRead:
    participant = service.get_participant(db, event=event, id=participant_id)
    setup_people.update_participant(
        db, event=event, actor=actor, participant=participant, max_meetings=body.max_meetings
    )
    return _one(db, event, participant.id)


@router.delete("/participants/{participant_id}", response_model=ParticipantRemoved)
def remove_participant(
    participant_id: PathId,
    cancel_meetings: bool = Query(False, description="Cancel the participant's planned and confirmed meetings."),
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> ParticipantRemoved:
    """Remove a participant; with scheduled meetings refused (409) unless `cancel_meetings`."""
    participant = service.get_participant(db, event=event, id=participant_id)
    cancelled = setup_people.remove_participant(
        db, event=event, actor=actor, participant=participant, cancel_meetings=cancel_meetings
    )
    return ParticipantRemoved(removed=1, meetings_cancelled=cancelled)


@router.put("/participants/{participant_id}/availability", response_model=ParticipantSetupRead)
def set_availability(
    participant_id: PathId,
    body: AvailabilityPut,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> ParticipantSetupRead:
    """Replace the participant's free slots (the same rules as the participant's own page)."""
    participant = service.get_participant(db, event=event, id=participant_id)
    setup_people.set_participant_availability(
        db, event=event, actor=actor, participant=participant, slot_ids=body.slot_ids
    )
    return _one(db, event, participant.id)


@router.post("/participants/import", response_model=ImportRead)
def import_participants(
    body: ImportWrite,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> ImportRead:
    """Import participants from a sheet, all rows or none; a refused file answers 422 with every bad cell."""
    try:
        data = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(_("The file content is not valid base64."), field="content_base64") from None
    if len(data) > MAX_IMPORT:
        raise DomainError(_("The file is larger than 20 MB; import it with the command line."), field="file")
    report = setup_sheets.import_participants(
        db, event=event, actor=actor, filename=body.filename, data=data, dry_run=body.dry_run
    )
    read = import_read(report)
    if report.refused:
        raise DomainError(
            _("Nothing was imported: %(n)s cells to fix.") % {"n": len(report.errors)},
            field="file",
            details=[ErrorDetail(message=e, field="file") for e in report.errors[:200]],
        )
    return read


def import_read(report: setup_sheets.ParticipantImport) -> ImportRead:
    s = report.summary
    return ImportRead(
        filename=report.filename,
        applied=report.applied,
        refused=report.refused,
        created=s["created"],
        updated=s["updated"],
        unchanged=s["unchanged"],
        new_people=s["new_people"],
        new_organisations=s["new_organisations"],
        errors=report.errors,
        rows=[
            ImportRowRead(
                sheet=p.sheet,
                row=p.row,
                action=p.action,
                name=p.values.get("name_zh"),
                email=p.values.get("email"),
                errors=p.errors,
            )
            for p in report.plans
        ],
    )

