"""Calendar feeds: each person's meetings as a subscribable iCalendar feed behind a secret, resettable token.

- `GET /me/calendar` ("My calendar / 我的日程"): the feed's address to copy or subscribe to, the button that
  resets it, the one-off downloads per event, and what the feed holds now. Signed-in accounts.
- `POST /me/calendar/reset`: a new address; the old one answers 404 at once.
- `GET /calendar/{token}.ics`: the feed itself, public on purpose: calendar applications poll it without a
  session, so the token in the address is the only key (404 for a wrong or reset one). It answers
  `Cache-Control: private, no-cache` with an ETag and Last-Modified, so clients revalidate cheaply (304).
- `GET /api/v1/me/calendar` and `POST /api/v1/me/calendar/reset`: the same address and reset for other systems.

Why the token is computed rather than stored: see `feeds.py`.
"""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime, parsedate_to_datetime
from hashlib import sha256
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import NotFound
from duijie.core.i18n import bilingual, get_locale
from duijie.core.i18n import gettext as _
from duijie.core.schemas import ErrorBody
from duijie.core.web import csrf_form, get_db, render, require_login
from duijie.directory.models import Account
from duijie.events.models import Event
from duijie.meetings import feeds
from duijie.meetings import service as meeting_service
from duijie.meetings.enums import MeetingState
from duijie.meetings.models import MeetingParticipant

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/me/calendar", tags=["calendar"], responses={401: {"model": ErrorBody}})


def _secret(request: Request, db: Session) -> str:
    return feeds.site_key(db, request.app.state.settings.secret_key)


def _account(db: Session, actor: Actor) -> Account:
    account = db.get(Account, actor.account_id) if actor.account_id is not None else None
    if account is None:
        raise NotFound(_("No such account."))
    return account


def _address(request: Request, db: Session, account: Account) -> feeds.CalendarFeedRead:
    """The feed's https address as this site is reached, and the same for calendar applications (webcal)."""
    token = feeds.feed_token(db, account_id=account.id, secret=_secret(request, db))
    url = str(request.url_for("calendar_feed", token=token))
    return feeds.CalendarFeedRead(
        url=url,
        webcal="webcal://" + url.split("://", 1)[1],
        reset_at=feeds.reset_at(db, account_id=account.id),
    )


def _events_of(db: Session, account: Account) -> list[Event]:
    """The events whose meetings the account's person takes part in, latest first (for the one-off downloads)."""
    if account.person_id is None:
        return []
    return list(
        db.scalars(
            select(Event)
            .join(MeetingParticipant, MeetingParticipant.event_id == Event.id)
            .where(MeetingParticipant.person_id == account.person_id)
            .order_by(Event.starts_on.desc(), Event.id)
        )
    )


def _when(item: feeds.FeedItem) -> str:
    start, end = item.local(item.starts_at), item.local(item.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _reset_when(moment: dt.datetime | None) -> str:
    """When the address was last reset, on Beijing time as every page of the site shows times."""
    return f"{meeting_service.local(moment):%Y-%m-%d %H:%M}" if moment else ""


@router.get("/me/calendar")
def my_calendar_page(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(require_login)
) -> Response:
    account = _account(db, actor)
    items = feeds.items_for(db, account=account)
    now = utcnow()
    context_feed = _address(request, db, account)
    context: dict[str, Any] = {
        "feed": context_feed,
        "events": _events_of(db, account),
        "upcoming": [i for i in items if i.ends_at >= now],
        "past": [i for i in reversed(items) if i.ends_at < now],
        "when": _when,
        "where": feeds.location,
        "summary": feeds.summary,
        "zone": lambda item: feeds.event_zone(item.event).key,
        "zones": sorted({feeds.event_zone(i.event).key for i in items}),
        "event_name": lambda e: bilingual(e.name_zh, e.name_en),
        "state": lambda item: meeting_service.state_label(MeetingState, item.state),
        "reset_when": _reset_when(context_feed.reset_at),
        "done": request.query_params.get("done") == "reset",
    }
    return render(request, "meetings/calendar.html", context)


@router.post("/me/calendar/reset")
def reset_calendar_page(
    request: Request,
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> Response:
    _account(db, actor)
    feeds.reset(db, actor=actor, secret=_secret(request, db))
    return RedirectResponse("/me/calendar?done=reset#address", status_code=303)


def _not_modified(request: Request, etag: str, last_modified: dt.datetime) -> bool:
    """A conditional GET the client's copy already answers: If-None-Match decides when sent (RFC 9110
    13.2.2), else If-Modified-Since."""
    match = request.headers.get("if-none-match")
    if match is not None:
        return any(tag.strip().removeprefix("W/") == etag for tag in match.split(",")) or match.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


@router.get("/calendar/{token}.ics", name="calendar_feed")
def calendar_feed(token: str, request: Request, db: Session = Depends(get_db)) -> Response:
    """Public on purpose: the token is the key (see the module docstring)."""
    account = feeds.account_for_token(db, token=token, secret=_secret(request, db))
    if account is None:
        raise NotFound(_("No such calendar feed: the address is wrong or was reset."))
    feed = feeds.render_feed(db, account=account, locale=feeds.account_locale(account, get_locale()))
    etag = '"' + sha256(feed.body.encode()).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(feed.last_modified.astimezone(dt.UTC), usegmt=True),
        "Cache-Control": "private, no-cache",
    }
    if _not_modified(request, etag, feed.last_modified):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="duijie-meetings.ics"'
    return Response(feed.body, media_type="text/calendar; charset=utf-8", headers=headers)


@api.get("", response_model=feeds.CalendarFeedRead)
def my_calendar_api(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(require_login)
) -> feeds.CalendarFeedRead:
    """The address of my calendar feed (every event's meetings I take part in); subscribe to `webcal`."""
    return _address(request, db, _account(db, actor))


@api.post("/reset", response_model=feeds.CalendarFeedRead)
def reset_calendar_api(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(require_login)
) -> feeds.CalendarFeedRead:
    """A new address for my calendar feed; the old one stops working at once."""
    account = _account(db, actor)
    feeds.reset(db, actor=actor, secret=_secret(request, db))
    return _address(request, db, account)
