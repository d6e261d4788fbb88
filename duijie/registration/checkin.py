"""Check-in at the door: what a door device downloads to work offline, the scans it syncs, and the counts.

Every scan is kept (`CheckIn`, one row per scan, found again by the id the device gave it, so a sync sent twice
stores nothing twice). The rule is the server's, whatever each device concluded offline:

- a valid badge of a confirmed registration admits on the first scan of its day (the event's own day, in its
  time zone); every later scan of that badge on that day, from this device or another, is kept with
  `admitted = False`, `reason = "duplicate"` and `duplicate_of_id` pointing at the admission;
- "first" is the first to reach the server: an admission already recorded stands, so a device that was
  offline longer learns at its next sync that its own admission was the second one (the person came in once
  either way, and nothing the door staff already saw changes behind their back);
- an invalid, revoked, cancelled or foreign badge is kept with `admitted = False` and the reason.

Two devices syncing the same badge at the same moment are serialised by a lock on the registration row
(PostgreSQL), and by SQLite's single writer, so one admission is recorded, never two.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.events.models import Event
from duijie.registration import badges
from duijie.registration.badges import BadgeRefused
from duijie.registration.models import CheckIn, Registration, RegistrationCategory

DUPLICATE = "duplicate"
CLIENT_ID_TAKEN = "client_id_taken"
# A device clock ahead of the server by more than this is not believed: the scan is dated when it arrives.
CLOCK_SLACK = dt.timedelta(minutes=10)

REASONS: dict[str, str] = {
    **badges.REASONS,
    DUPLICATE: _l("Already admitted today."),
    CLIENT_ID_TAKEN: _l("This scan id was already used by another event's device; the scan was not stored."),
}


def reason_text(reason: str | None) -> str:
    """The reason in the request's language ('' for an admission)."""
    return _(REASONS[reason]) if reason in REASONS else (reason or "")


@dataclass(frozen=True)
class Scan:
    """One scan as a device sends it."""

    client_id: str
    token: str
    gate: str
    scanned_at: dt.datetime


@dataclass(frozen=True)
class Outcome:
    """What the server made of one scan; `replayed` when the scan had been stored by an earlier sync."""

    client_id: str
    admitted: bool
    reason: str | None
    registration_id: int | None
    name: str | None
    day: dt.date | None
    duplicate_of: str | None  # the client id of the admission this scan repeats
    replayed: bool = False


def event_day(event: Event, moment: dt.datetime) -> dt.date:
    """The date of `moment` in the event's time zone: a scan at 00:30 Beijing time belongs to that day even
    though it is the day before in UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo(event.timezone)).date()


def _outcome(db: Session, row: CheckIn, *, replayed: bool) -> Outcome:
    registration = db.get(Registration, row.registration_id) if row.registration_id else None
    first = db.get(CheckIn, row.duplicate_of_id) if row.duplicate_of_id else None
    return Outcome(
        client_id=row.client_id,
        admitted=row.admitted,
        reason=row.reason,
        registration_id=row.registration_id,
        name=registration.name if registration is not None else None,
        day=row.day,
        duplicate_of=first.client_id if first is not None else None,
        replayed=replayed,
    )


def _admission(db: Session, *, event_id: int, registration_id: int, day: dt.date) -> CheckIn | None:
    return db.scalars(
        select(CheckIn)
        .where(
            CheckIn.event_id == event_id,
            CheckIn.registration_id == registration_id,
            CheckIn.day == day,
            CheckIn.admitted.is_(True),
        )
        .order_by(CheckIn.id)
        .limit(1)
    ).first()


def record_scan(db: Session, *, event: Event, actor: Actor, device: str, scan: Scan) -> Outcome:
    """Stores one scan (once, by its client id) and says whether it admitted. Side effects: one `CheckIn` row;
    the registration row is locked until the request commits, so a concurrent scan of the same badge waits."""
    stored = db.scalar(select(CheckIn).where(CheckIn.client_id == scan.client_id))
    if stored is not None:
        if stored.event_id != event.id:
            return Outcome(scan.client_id, False, CLIENT_ID_TAKEN, None, None, None, None)
        return _outcome(db, stored, replayed=True)

    now = utcnow()
    scanned_at = scan.scanned_at if scan.scanned_at.tzinfo else scan.scanned_at.replace(tzinfo=dt.UTC)
    if scanned_at > now + CLOCK_SLACK:
        scanned_at = now
    day = event_day(event, scanned_at)
    row = CheckIn(
        event_id=event.id,
        client_id=scan.client_id,
        device=device,
        gate=scan.gate,
        day=day,
        scanned_at=scanned_at,
        received_at=now,
        checked_by_id=actor.account_id,
    )
    try:
        registration = badges.verify(db, event_id=event.id, token=scan.token)
    except BadgeRefused as refused:
        row.admitted, row.reason, row.registration_id = False, refused.reason, refused.registration_id
    else:
        # Serialise the scans of this badge: the admission check and the insert happen under the lock.
        db.execute(select(Registration.id).where(Registration.id == registration.id).with_for_update())
        row.registration_id = registration.id
        first = _admission(db, event_id=event.id, registration_id=registration.id, day=day)
        if first is None:
            row.admitted, row.reason = True, None
        else:
            row.admitted, row.reason, row.duplicate_of_id = False, DUPLICATE, first.id
    db.add(row)
    db.flush()
    return _outcome(db, row, replayed=False)


def record_scans(db: Session, *, event: Event, actor: Actor, device: str, scans: list[Scan]) -> list[Outcome]:
    """A device's batch, in the order it scanned (oldest first), so its own repeated scans follow its first."""
    ordered = sorted(scans, key=lambda s: s.scanned_at)
    by_id = {s.client_id: record_scan(db, event=event, actor=actor, device=device, scan=s) for s in ordered}
    return [by_id[s.client_id] for s in scans]


def door_data(db: Session, *, event: Event) -> dict[str, Any]:
    """What a door device keeps to work offline: the event's public keys (retired ones too), and per confirmed
    registration its name, organisation, category and the digest of its current badge nonce (a badge with any
    other nonce was revoked). No private key and no nonce leaves the server."""
    categories = {c.id: c for c in db.scalars(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id))}
    rows = db.execute(
        select(
            Registration.id,
            Registration.name,
            Registration.name_en,
            Registration.organisation,
            Registration.category_id,
            Registration.badge_nonce,
        )
        .where(Registration.event_id == event.id, Registration.state == "confirmed")
        .order_by(Registration.id)
    ).all()
    return {
        "event": {
            "id": event.id,
            "slug": event.slug,
            "name_zh": event.name_zh,
            "name_en": event.name_en,
            "timezone": event.timezone,
            "starts_on": event.starts_on.isoformat(),
            "ends_on": event.ends_on.isoformat(),
        },
        "keys": [
            {"key_id": k.key_id, "jwk": badges.public_jwk(k), "retired": k.retired_at is not None}
            for k in badges.event_keys(db, event_id=event.id)
        ],
        "categories": {
            c.code: {"name_zh": c.name_zh, "name_en": c.name_en} for c in categories.values()
        },
        "registrations": [
            {
                "id": r.id,
                "name": r.name,
                "name_en": r.name_en,
                "organisation": r.organisation,
                "category": categories[r.category_id].code if r.category_id in categories else "",
                "badge": badges.nonce_digest(r.badge_nonce),
            }
            for r in rows
        ],
        "generated_at": utcnow().isoformat(),
    }


@dataclass(frozen=True)
class Count:
    """Scans of one day (and gate, in the per-gate table)."""

    day: dt.date
    gate: str | None
    admitted: int
    duplicates: int
    refused: int

    @property
    def scans(self) -> int:
        return self.admitted + self.duplicates + self.refused


def counts(db: Session, *, event: Event) -> tuple[list[Count], list[Count]]:
    """(per day, per day and gate), days in order, gates by name: admissions, repeated scans of an admitted
    badge, and refused badges. An admission is one person let in on that day."""
    rows = db.execute(
        select(CheckIn.day, CheckIn.gate, CheckIn.admitted, CheckIn.reason, func.count())
        .where(CheckIn.event_id == event.id)
        .group_by(CheckIn.day, CheckIn.gate, CheckIn.admitted, CheckIn.reason)
    ).all()
    per_gate: dict[tuple[dt.date, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for day, gate, admitted, reason, n in rows:
        slot = 0 if admitted else (1 if reason == DUPLICATE else 2)
        per_gate[(day, gate)][slot] += n
    per_day: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (day, _gate), values in per_gate.items():
        for i, v in enumerate(values):
            per_day[day][i] += v
    days = [Count(day, None, *values) for day, values in sorted(per_day.items())]
    gates = [Count(day, gate, *values) for (day, gate), values in sorted(per_gate.items())]
    return days, gates


def _scans(event: Event, day: dt.date | None, gate: str | None) -> Select[CheckIn]:
    stmt = select(CheckIn).where(CheckIn.event_id == event.id)
    if day is not None:
        stmt = stmt.where(CheckIn.day == day)
    if gate:
        stmt = stmt.where(CheckIn.gate == gate)
    return stmt


def count_scans(db: Session, *, event: Event, day: dt.date | None = None, gate: str | None = None) -> int:
    return db.scalar(select(func.count()).select_from(_scans(event, day, gate).subquery())) or 0


def list_scans(
    db: Session, *, event: Event, day: dt.date | None = None, gate: str | None = None, offset: int = 0, limit: int = 50
) -> list[CheckIn]:
    """The event's scans, newest first, of one day and gate if asked."""
    stmt = _scans(event, day, gate).order_by(CheckIn.scanned_at.desc(), CheckIn.id.desc())
    return list(db.scalars(stmt.offset(offset).limit(limit)))
