"""The registration's mails, in the registrant's language, and the manage link they carry.

One mail per state a registration (or a session place) reaches: received for approval, confirmed, waiting
(with the position), a place offered (the claim link and the deadline in the event's time zone), declined
(with the organiser's reason), cancelled. They are queued in the caller's transaction (`core.mail.queue_mail`)
and leave after the commit; the key `registration:<id>:<state>` sends each at most once.

The manage link needs no stored token: it is the registration's id and an HMAC of its `badge_nonce` with the
site's secret key, so it can be computed again for every mail and checked without a table of tokens. A new
nonce (a re-issued badge) replaces the link as well.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import zoneinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from duijie.config import get_settings
from duijie.core.mail import queue_mail
from duijie.core.models import SiteSecret
from duijie.core.site_secret import SESSION_KEY, check_configured
from duijie.events.models import Event
from duijie.registration.models import Registration, RegistrationCategory

TEMPLATES = {
    "pending": "registration_pending",
    "confirmed": "registration_confirmed",
    "waiting": "registration_waiting",
    "offered": "registration_offered",
    "declined": "registration_declined",
    "cancelled": "registration_cancelled",
    "expired": "registration_expired",
}


def _secret(db: Session) -> bytes:
    """The site's secret key: the configured one, or the installation's own (made here if it is not yet)."""
    configured = get_settings().secret_key
    if configured:
        check_configured(configured)
        return configured.encode()
    found = db.scalar(select(SiteSecret.value).where(SiteSecret.name == SESSION_KEY))
    if found is None:
        try:
            with db.begin_nested():
                db.add(SiteSecret(name=SESSION_KEY, value=secrets.token_urlsafe(48)))
        except IntegrityError:
            pass
        found = db.scalar(select(SiteSecret.value).where(SiteSecret.name == SESSION_KEY))
    assert found is not None
    return found.encode()


def _mac(db: Session, nonce: str) -> str:
    digest = hmac.new(_secret(db), f"registration-manage:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def manage_token(db: Session, registration: Registration) -> str:
    """The token of the registration's manage page: `<id>-<hmac of its badge nonce>`."""
    return f"{registration.id}-{_mac(db, registration.badge_nonce)}"


def check_token(db: Session, token: str) -> int | None:
    """The registration id a token names, if its HMAC is right for that registration's current nonce."""
    head, _sep, mac = token.partition("-")
    if not head.isdigit() or not mac or len(head) > 12:
        return None
    nonce = db.scalar(select(Registration.badge_nonce).where(Registration.id == int(head)))
    if nonce is None or not hmac.compare_digest(mac, _mac(db, nonce)):
        return None
    return int(head)


def manage_link(db: Session, registration: Registration) -> str:
    """The absolute address of the registration's manage page."""
    return get_settings().base_url.rstrip("/") + f"/registrations/{manage_token(db, registration)}"


def local_time(moment: dt.datetime | None, event: Event) -> str:
    """`2026-04-25 18:00 (Asia/Shanghai)`: a time as the event's visitors read it, with its zone named."""
    if moment is None:
        return ""
    try:
        zone = zoneinfo.ZoneInfo(event.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") + f" ({zone.key})"


def send(
    db: Session,
    *,
    registration: Registration,
    state: str,
    position: int | None = None,
    session: Any = None,
    session_place: Any = None,
) -> None:
    """Queue the mail for the state `registration` (or its place in `session`) reached, in its language.

    `session_place` is the SessionRegistration when the mail is about a session's place (its deadline and key
    are the place's)."""
    template = TEMPLATES.get(state)
    if template is None:
        return
    event = db.get(Event, registration.event_id)
    category = db.get(RegistrationCategory, registration.category_id)
    assert event is not None and category is not None
    subject_row = session_place if session_place is not None else registration
    context = {
        "name": registration.name,
        "event": (event.name_zh, event.name_en),
        "category": (category.name_zh, category.name_en),
        "session": (session.title_zh, session.title_en) if session is not None else None,
        "session_time": local_time(session.starts_at, event) if session is not None else "",
        "position": position,
        "deadline": local_time(subject_row.offered_until, event),
        "reason": registration.decline_reason,
        "link": manage_link(db, registration),
    }
    key = (
        f"session-registration:{session_place.id}:{state}"
        if session_place is not None
        else f"registration:{registration.id}:{state}"
    )
    queue_mail(
        db,
        to=registration.email,
        template=template,
        locale=registration.locale,
        context=context,
        account_id=registration.account_id,
        key=key,
    )
