"""The check-in API: a door device's public keys and registrations, its offline scans synced, the scans and
their counts, and the organiser's badge operations (a badge's token, a new badge that revokes the old one, a
new signing key).

Everything here is for the event's organisers (`can_manage_event`): the door page signs in as one. The sync is
idempotent by each scan's `client_id`, so a device that lost the answer simply sends the same batch again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.core.schemas import ErrorBody, Page, paginate_params
from duijie.core.web import allow, get_db
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.events.permissions import can_manage_event
from duijie.registration import badges, checkin
from duijie.registration.models import CheckIn, Registration

router = APIRouter(
    tags=["check-in"],
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)

door_staff = allow(can_manage_event, on=event_from_slug)
# Served under `/api/v1` by `api.router`, which includes this router.
BASE = "/events/{slug}"


class ScanIn(BaseModel):
    client_id: str = Field(min_length=8, max_length=64, description="The scan's id made on the device (a UUID).")
    token: str = Field(max_length=1000, description="What the scanner read: the badge's token.")
    gate: str = Field("", max_length=80)
    scanned_at: dt.datetime = Field(description="When the device scanned, ISO 8601 with its UTC offset.")


class SyncIn(BaseModel):
    device: str = Field(min_length=1, max_length=80, description="A name the device keeps (shown in the lists).")
    scans: list[ScanIn] = Field(max_length=1000)


class ScanResult(BaseModel):
    client_id: str
    admitted: bool
    reason: str | None
    message: str = Field(description="The reason in the request's language ('' for an admission).")
    registration_id: int | None
    name: str | None
    day: dt.date | None
    duplicate_of: str | None = Field(description="The client id of the admission this scan repeats.")
    replayed: bool = Field(description="Stored by an earlier sync of the same scan.")


class SyncOut(BaseModel):
    results: list[ScanResult]


class CheckInRead(BaseModel):
    id: int
    client_id: str
    registration_id: int | None
    device: str
    gate: str
    day: dt.date
    scanned_at: dt.datetime
    received_at: dt.datetime
    admitted: bool
    reason: str | None
    duplicate_of_id: int | None

    @classmethod
    def of(cls, row: CheckIn) -> CheckInRead:
        return cls.model_validate(row, from_attributes=True)


class DayCount(BaseModel):
    day: dt.date
    admitted: int
    duplicates: int
    refused: int
    scans: int


class GateCount(DayCount):
    gate: str


class CountsOut(BaseModel):
    days: list[DayCount]
    gates: list[GateCount]


class BadgeOut(BaseModel):
    registration_id: int
    token: str
    pdf: str = Field(description="The printable badge (organisers).")


class KeyOut(BaseModel):
    key_id: str
    retired: bool


def _result(o: checkin.Outcome) -> ScanResult:
    return ScanResult(
        client_id=o.client_id,
        admitted=o.admitted,
        reason=o.reason,
        message=checkin.reason_text(o.reason),
        registration_id=o.registration_id,
        name=o.name,
        day=o.day,
        duplicate_of=o.duplicate_of,
        replayed=o.replayed,
    )


@router.get(BASE + "/checkin/door-data")
def door_data(event: Event = Depends(event_from_slug), actor: Actor = Depends(door_staff), db: Session = Depends(get_db)) -> dict[str, Any]:
    """What a door device keeps to check badges offline: the event's public keys as JWK (retired ones too) and
    the confirmed registrations with the digest of their current badge nonce."""
    return checkin.door_data(db, event=event)


@router.post(BASE + "/checkins", response_model=SyncOut)
def sync(
    body: SyncIn, event: Event = Depends(event_from_slug), actor: Actor = Depends(door_staff), db: Session = Depends(get_db)
) -> SyncOut:
    """Records a device's scans (every one, once by `client_id`) and answers, per scan, whether the server
    admits it: a later scan of a badge already admitted that day, on any device, comes back `duplicate`."""
    scans = [checkin.Scan(s.client_id, s.token, s.gate.strip(), s.scanned_at) for s in body.scans]
    outcomes = checkin.record_scans(db, event=event, actor=actor, device=body.device.strip(), scans=scans)
    return SyncOut(results=[_result(o) for o in outcomes])


@router.get(BASE + "/checkins", response_model=Page[CheckInRead])
def list_checkins(
    day: dt.date | None = None,
    gate: str | None = Query(None, max_length=80),
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=500),
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(door_staff),
    db: Session = Depends(get_db),
) -> Page[CheckInRead]:
    """The event's scans, newest first, of one day and gate if asked."""
    total = checkin.count_scans(db, event=event, day=day, gate=gate)
    page, offset, pages = paginate_params(page, page_size, total)
    rows = checkin.list_scans(db, event=event, day=day, gate=gate, offset=offset, limit=page_size)
    return Page[CheckInRead](
        items=[CheckInRead.of(r) for r in rows], total=total, page=page, page_size=page_size, pages=pages
    )


@router.get(BASE + "/checkins/counts", response_model=CountsOut)
def checkin_counts(
    event: Event = Depends(event_from_slug), actor: Actor = Depends(door_staff), db: Session = Depends(get_db)
) -> CountsOut:
    """Admissions, repeated scans and refused badges per day, and per day and gate."""
    days, gates = checkin.counts(db, event=event)
    return CountsOut(
        days=[DayCount(day=c.day, admitted=c.admitted, duplicates=c.duplicates, refused=c.refused, scans=c.scans) for c in days],
        gates=[
            GateCount(day=c.day, gate=c.gate or "", admitted=c.admitted, duplicates=c.duplicates, refused=c.refused, scans=c.scans)
            for c in gates
        ],
    )


def _registration(db: Session, event: Event, registration_id: int) -> Registration:
    found = db.get(Registration, registration_id)
    if found is None or found.event_id != event.id:
        raise NotFound(_("There is no such registration."), field="registration")
    return found


@router.get(BASE + "/registrations/{registration_id}/badge", response_model=BadgeOut)
def badge(
    registration_id: int,
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(door_staff),
    db: Session = Depends(get_db),
) -> BadgeOut:
    """A confirmed registration's badge token (what its QR code carries) and where its PDF is."""
    registration = _registration(db, event, registration_id)
    badges.require_badge(registration)
    return BadgeOut(
        registration_id=registration.id,
        token=badges.badge_token(db, registration),
        pdf=f"/events/{event.slug}/registrations/{registration.id}/badge.pdf",
    )


@router.post(BASE + "/registrations/{registration_id}/badge/reissue", response_model=BadgeOut)
def reissue_badge(
    registration_id: int,
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(door_staff),
    db: Session = Depends(get_db),
) -> BadgeOut:
    """A new badge for a lost or passed-on one: every badge printed before is refused at the door once the
    devices have fetched the door data again. The registrant's manage link changes with it."""
    registration = _registration(db, event, registration_id)
    token = badges.reissue(db, registration=registration, actor=actor)
    return BadgeOut(
        registration_id=registration.id,
        token=token,
        pdf=f"/events/{event.slug}/registrations/{registration.id}/badge.pdf",
    )


@router.post(BASE + "/badge-keys/rotate", response_model=list[KeyOut])
def rotate_badge_key(
    event: Event = Depends(event_from_slug), actor: Actor = Depends(door_staff), db: Session = Depends(get_db)
) -> list[KeyOut]:
    """Retires the event's signing key and makes a new one; badges signed before keep verifying."""
    badges.rotate_key(db, event_id=event.id, actor=actor)
    return [KeyOut(key_id=k.key_id, retired=k.retired_at is not None) for k in badges.event_keys(db, event_id=event.id)]
