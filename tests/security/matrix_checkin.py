"""Permission-matrix entries for badges and check-in (collected into `matrix.ENTRIES`).

The door page, its data, the sync, the counts and the badge operations are for the organisers of the event
(`can_manage_event`: the city-wide organiser and A's own; B's organiser is refused). The registrant's badge is
public on purpose: the manage-link token in its path is the key."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.registration.models import BadgeKey, CheckIn, Registration
from tests.security.matrix import EVENT_ORGANISERS, PUBLIC, Entry, only
from tests.security.world import World

ORGANISERS_OF_A = only(*EVENT_ORGANISERS)
REG = {"registration_id": "checkin_registration"}


def checkin_count(db: Session, w: World) -> Any:
    return db.scalar(select(func.count()).select_from(CheckIn))


def badge_nonce(db: Session, w: World) -> Any:
    return db.scalar(select(Registration.badge_nonce).where(Registration.id == w.checkin_registration))


def badge_keys(db: Session, w: World) -> Any:
    return sorted(db.scalars(select(BadgeKey.key_id).where(BadgeKey.retired_at.is_(None))))


def _scan(w: World) -> dict[str, Any]:
    return {
        "device": "matrix-phone",
        "scans": [
            {
                "client_id": str(uuid.uuid4()),
                "token": w.checkin_badge_token,
                "gate": "B",
                "scanned_at": "2026-04-25T10:00:00+08:00",
            }
        ],
    }


ENTRIES: tuple[Entry, ...] = (
    # Pages
    Entry("GET", "/checkin-sw.js", PUBLIC, note="the door page's service worker: code, no data"),
    Entry("GET", "/events/{slug}/checkin", ORGANISERS_OF_A, query="gate=east"),
    Entry("GET", "/events/{slug}/checkin/counts", ORGANISERS_OF_A),
    Entry("GET", "/events/{slug}/registrations/{registration_id}/badge.pdf", ORGANISERS_OF_A, at=REG),
    Entry(
        "GET",
        "/registrations/{token}/badge.pdf",
        PUBLIC,
        at={"token": "checkin_link"},
        note="the manage-link token is the key",
    ),
    # API
    Entry("GET", "/api/v1/events/{slug}/checkin/door-data", ORGANISERS_OF_A),
    Entry("POST", "/api/v1/events/{slug}/checkins", ORGANISERS_OF_A, json=_scan, probe=checkin_count),
    Entry("GET", "/api/v1/events/{slug}/checkins", ORGANISERS_OF_A),
    Entry("GET", "/api/v1/events/{slug}/checkins/counts", ORGANISERS_OF_A),
    Entry("GET", "/api/v1/events/{slug}/registrations/{registration_id}/badge", ORGANISERS_OF_A, at=REG),
    Entry(
        "POST",
        "/api/v1/events/{slug}/registrations/{registration_id}/badge/reissue",
        ORGANISERS_OF_A,
        at=REG,
        probe=badge_nonce,
    ),
    Entry("POST", "/api/v1/events/{slug}/badge-keys/rotate", ORGANISERS_OF_A, probe=badge_keys),
)
