"""Records the badge and check-in routes act on: a confirmed registration of event A (its badge signed once,
so A has a key), its manage-link token, and one synced scan of its badge."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from duijie.directory.accounts import actor_for_account
from duijie.registration import badges, checkin
from duijie.registration.mails import manage_token
from tests.registration import factories_checkin as f


def extend(db: Session, w: Any) -> None:
    event = w.events["a"]
    registration = f.registration(db, event, name="矩阵参会者")
    token = badges.badge_token(db, registration)
    checkin.record_scans(
        db,
        event=event,
        actor=actor_for_account(w.accounts["organiser_a"]),
        device="matrix",
        scans=[checkin.Scan(str(uuid.uuid4()), token, "A", dt.datetime(2026, 4, 25, 9, tzinfo=dt.UTC))],
    )
    w.extra["checkin_registration"] = registration.id
    w.extra["checkin_badge_token"] = token
    w.extra["checkin_link"] = manage_token(db, registration)
