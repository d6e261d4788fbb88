"""Calendar feeds: each person's meetings, across every event they take part in, as an iCalendar feed that their
calendar application subscribes to (`webcal://…/calendar/<token>.ics`) and polls for changes.

What a subscriber's calendar needs to follow changes, and where it comes from:

- **A stable UID per meeting.** Moving a meeting deletes its row and writes a new one (the grid's unique
  constraints cover every row), so the meeting id changes; the request it was scheduled for does not. The UID is
  `meeting-<request id>@<event slug>.duijie`, the same the one-off download has always used.
- **SEQUENCE raised on every change of time, table or state.** `Meeting.sequence` is raised by `touch` (state
  changes, in `service.set_meeting_state`); a row about to be deleted leaves a `MeetingTombstone` one higher
  (`retire`), and a row written for the same request later continues from it (`carry`), so a move counts once.
  Those three live in `feed_changes.py`, which the meeting writes import (this module reads the pages' queries,
  which import the service).
- **Cancelled and removed meetings stay in the feed** as `STATUS:CANCELLED` for `KEEP_CANCELLED`: a client drops
  an event from its copy only when told. A tombstone shows only if the meeting was on the published schedule
  and no published meeting of the same request exists now.
- **Only the schedule as published counts.** The organiser's scheduling runs write `planned` meetings (drafts);
  publication confirms them (`service.publish`). Feeds show confirmed, held and no-show meetings only, so a draft
  never reaches a calendar, while a published meeting the organiser moves shows its new time at once.

The secret address. The token is `<account id>-<HMAC-SHA256(key, "calendar-feed:<account id>:<nonce>")>`, the
key being the installation's secret (`DUIJIE_SECRET_KEY`, or the one kept in the database), the nonce a random
value kept in `calendar_feed` and drawn anew by `reset`, which is why an old address stops working at once. The
token itself is stored nowhere, and the page can show it again at any time; the database alone does not give
it away when the key is configured outside it. Before a person's first reset the nonce is empty.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from duijie.core import audit, i18n, ics
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.i18n import bilingual
from duijie.core.i18n import gettext as _
from duijie.core.models import SiteSecret
from duijie.core.site_secret import SESSION_KEY
from duijie.directory.models import Account
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.meetings import queries
from duijie.meetings.feed_changes import KEEP_CANCELLED, VISIBLE
from duijie.meetings.models import (
    CalendarFeed,
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingSeat,
    MeetingSlot,
    MeetingTable,
    MeetingTombstone,
)

# How often clients are asked to poll.
REFRESH = dt.timedelta(hours=1)
DEFAULT_TIMEZONE = "Asia/Shanghai"
MAC_CHARS = 43  # the whole HMAC-SHA256, base64url without padding


class CalendarFeedRead(BaseModel):
    """Where a person's calendar feed is: the https address, the same for calendar applications (webcal), and
    when it was last reset (None: never)."""

    url: str
    webcal: str
    reset_at: dt.datetime | None


# -- the secret address -------------------------------------------------------------------------------------


def site_key(db: Session, configured: str | None) -> str:
    """The installation's secret: `DUIJIE_SECRET_KEY` when set, else the key kept in the database (made when
    the application starts; made here if a command runs before that ever happened)."""
    if configured:
        return configured
    stored = db.scalar(select(SiteSecret.value).where(SiteSecret.name == SESSION_KEY))
    if stored:
        return stored
    value = secrets.token_urlsafe(48)
    db.add(SiteSecret(name=SESSION_KEY, value=value))
    db.flush()
    return value


def _mac(secret: str, account_id: int, nonce: str) -> str:
    digest = hmac.new(
        secret.encode(), f"calendar-feed:{account_id}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _nonce(db: Session, account_id: int) -> CalendarFeed | None:
    return db.get(CalendarFeed, account_id)


def feed_token(db: Session, *, account_id: int, secret: str) -> str:
    """The account's current feed token (computed, never stored)."""
    row = _nonce(db, account_id)
    return f"{account_id}-{_mac(secret, account_id, row.nonce if row else '')}"


def reset_at(db: Session, *, account_id: int) -> dt.datetime | None:
    """When the account last reset its feed address (None: never)."""
    row = _nonce(db, account_id)
    return row.reset_at if row else None


def account_for_token(db: Session, *, token: str, secret: str) -> Account | None:
    """The active account whose current feed token this is; None for a malformed, reset or unknown token."""
    head, sep, mac = token.partition("-")
    if not sep or not head.isdigit() or len(head) > 12 or len(mac) != MAC_CHARS:
        return None
    account = db.get(Account, int(head))
    if account is None or not account.is_active:
        return None
    row = _nonce(db, account.id)
    expected = _mac(secret, account.id, row.nonce if row else "")
    return account if hmac.compare_digest(expected, mac) else None


def reset(db: Session, *, actor: Actor, secret: str) -> str:
    """Draw a new nonce for the acting account's feed: the old address answers 404 from now on. Returns the
    new token. Side effects: the `calendar_feed` row written, an audit entry `calendar_feed_reset`."""
    assert actor.account_id is not None
    row = _nonce(db, actor.account_id)
    if row is None:
        row = CalendarFeed(account_id=actor.account_id, nonce="")
        db.add(row)
    row.nonce = secrets.token_urlsafe(24)
    row.reset_at = utcnow()
    db.flush()
    audit.record(db, actor=actor, entity_type="account", entity_id=actor.account_id, action="calendar_feed_reset")
    return feed_token(db, account_id=actor.account_id, secret=secret)


# -- what a feed holds --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    """One event of a person's feed: a published meeting, or one cancelled or taken off the schedule."""

    event: Event
    request_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    table_number: int | None
    area: str | None
    other: queries.Who | None
    opportunity: Opportunity | None
    state: str  # the meeting's state, or "cancelled" for a tombstone
    sequence: int
    updated_at: dt.datetime

    @property
    def cancelled(self) -> bool:
        return self.state == "cancelled"

    @property
    def uid(self) -> str:
        return meeting_uid(self.event, self.request_id)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """A time of this meeting on the wall clock of its event."""
        return moment.astimezone(event_zone(self.event))


def meeting_uid(event: Event, request_id: int) -> str:
    """The UID of the meeting of a request: stable across moves (the request stays), the same in the one-off
    download and the feed."""
    return f"meeting-{request_id}@{event.slug}.duijie"


def event_zone(event: Event) -> ZoneInfo:
    """The time zone an event is held in."""
    try:
        return ZoneInfo(getattr(event, "timezone", None) or DEFAULT_TIMEZONE)
    except (KeyError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def items_for(db: Session, *, account: Account, now: dt.datetime | None = None) -> list[FeedItem]:
    """The account's person's published meetings in every event, and those cancelled or removed within
    `KEEP_CANCELLED`, in time order."""
    if account.person_id is None:
        return []
    mine = set(
        db.scalars(select(MeetingParticipant.id).where(MeetingParticipant.person_id == account.person_id))
    )
    if not mine:
        return []
    rows = db.execute(
        select(Meeting, MeetingSlot, MeetingTable, MeetingRequest)
        .join(MeetingSeat, MeetingSeat.meeting_id == Meeting.id)
        .join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .join(MeetingTable, MeetingTable.id == Meeting.table_id)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .where(MeetingSeat.participant_id.in_(mine), Meeting.state.in_(VISIBLE))
    ).all()
    live = {m.request_id for m, *_rest in rows}
    since = (now or utcnow()) - KEEP_CANCELLED
    tombs = [
        t
        for t in db.scalars(
            select(MeetingTombstone).where(
                or_(MeetingTombstone.requester_id.in_(mine), MeetingTombstone.recipient_id.in_(mine)),
                MeetingTombstone.published.is_(True),
                MeetingTombstone.removed_at >= since,
            )
        )
        if t.request_id not in live
    ]

    def other(a: int | None, b: int | None) -> int | None:
        return b if a in mine else a

    others = queries.people(
        db,
        [x for x in [other(r.requester_id, r.recipient_id) for *_x, r in rows] if x is not None]
        + [x for x in [other(t.requester_id, t.recipient_id) for t in tombs] if x is not None],
    )
    event_ids = {m.event_id for m, *_rest in rows} | {t.event_id for t in tombs}
    events = {e.id: e for e in db.scalars(select(Event).where(Event.id.in_(event_ids)))} if event_ids else {}
    wanted = {r.opportunity_id for *_x, r in rows if r.opportunity_id}
    opportunities = (
        {o.id: o for o in db.scalars(select(Opportunity).where(Opportunity.id.in_(wanted)))} if wanted else {}
    )
    items = [
        FeedItem(
            event=events[m.event_id],
            request_id=m.request_id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            table_number=table.number,
            area=table.area,
            other=others.get(other(r.requester_id, r.recipient_id) or 0),
            opportunity=opportunities.get(r.opportunity_id) if r.opportunity_id else None,
            state=m.state,
            sequence=m.sequence,
            updated_at=m.updated_at,
        )
        for m, slot, table, r in rows
    ]
    items += [
        FeedItem(
            event=events[t.event_id],
            request_id=t.request_id,
            starts_at=t.starts_at,
            ends_at=t.ends_at,
            table_number=t.table_number,
            area=t.area,
            other=others.get(other(t.requester_id, t.recipient_id) or 0),
            opportunity=None,
            state="cancelled",
            sequence=t.sequence,
            updated_at=t.removed_at,
        )
        for t in tombs
    ]
    return sorted(items, key=lambda i: (i.starts_at, i.request_id))


def location(item: FeedItem) -> str:
    """Venue, area and table, in the current language."""
    zh = i18n.is_zh()
    venue = item.event.venue or bilingual(item.event.name_zh, item.event.name_en)
    table = _("Table %(n)s") % {"n": item.table_number} if item.table_number is not None else ""
    return " · ".join(x for x in (venue, queries.area_label(item.area, zh), table) if x)


def summary(item: FeedItem) -> str:
    """The event's title: whom one meets, marked when cancelled."""
    who = (item.other.org or item.other.name) if item.other else _("a participant who left")
    title = _("Meeting: %(who)s") % {"who": who}
    return _("Cancelled: %(what)s") % {"what": title} if item.cancelled else title


def description(item: FeedItem) -> str:
    """The other party (name, title, organisation, contacts), the project asked about and the event."""
    lines: list[str] = []
    if item.cancelled:
        lines.append(_("This meeting was cancelled or taken off the schedule."))
    if item.other is not None:
        lines.append(" · ".join(x for x in (item.other.name, item.other.title or "", item.other.org) if x))
        if not item.cancelled and (item.other.phone or item.other.email):
            lines.append(" / ".join(x for x in (item.other.phone, item.other.email) if x))
    if item.opportunity is not None:
        lines.append(
            _("About: %(title)s")
            % {"title": bilingual(item.opportunity.title_zh, item.opportunity.title_en)}
        )
    lines.append(bilingual(item.event.name_zh, item.event.name_en))
    return "\n".join(lines)


def calendar_event(item: FeedItem) -> ics.CalendarEvent:
    """The VEVENT of one feed item, in the current language."""
    return ics.CalendarEvent(
        uid=item.uid,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        summary=summary(item),
        location=location(item),
        description=description(item),
        status="CANCELLED" if item.cancelled else "CONFIRMED",
        sequence=item.sequence,
        updated_at=item.updated_at,
    )


def account_locale(account: Account, default: str) -> str:
    """The language the account reads its calendar in: its own choice, else the site's default."""
    return i18n.normalize_locale(account.locale or default)


@dataclass(frozen=True)
class Feed:
    """A rendered feed: the text, and when anything in it last changed (for Last-Modified)."""

    body: str
    last_modified: dt.datetime
    items: list[FeedItem]


def render_feed(db: Session, *, account: Account, locale: str, now: dt.datetime | None = None) -> Feed:
    """The account's feed as iCalendar text in `locale`: no METHOD (a subscription, not an iTIP message)."""
    now = now or utcnow()
    items = items_for(db, account=account, now=now)
    token = i18n.set_locale(locale)
    try:
        body = ics.calendar(
            [calendar_event(i) for i in items],
            name=_("My meetings · duijie"),
            stamp=now,
            method=None,
            refresh=REFRESH,
        )
    finally:
        i18n.reset_locale(token)
    changed = [i.updated_at for i in items]
    stamp = reset_at(db, account_id=account.id)
    if stamp is not None:
        changed.append(stamp)
    last = max(changed) if changed else account.created_at
    return Feed(body=body, last_modified=last.replace(microsecond=0), items=items)
