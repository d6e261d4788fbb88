"""Calendar files of the programme: one session (`/events/{slug}/sessions/{id}.ics`, "add to calendar") and the
personal agenda's feed of starred sessions (`/agenda/calendar/{token}.ics`, subscribed to and polled).

What lets a calendar follow changes: a stable UID per session (`session-<id>@<host>`, the same in the one-off
file and the feed, so adding a session both ways never shows it twice), SEQUENCE from `agenda_session.sequence`
(raised by the programme's writes when a reader-visible field changes), DTSTAMP and LAST-MODIFIED from
`updated_at`, and a cancelled session kept with STATUS:CANCELLED so a client removes it from its copy.

The iCalendar text itself (RFC 5545: escaped TEXT values, lines folded at 75 octets, CRLF) is `core.ics`, the
writer the 1:1 meetings' files use too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from duijie.agenda import queries
from duijie.agenda.models import AgendaSession
from duijie.core import ics
from duijie.core.i18n import bilingual
from duijie.core.i18n import gettext as _
from duijie.events.models import Event

REFRESH = dt.timedelta(hours=1)


def session_uid(session: AgendaSession, host: str) -> str:
    """The session's UID: stable across every change of time, room or title."""
    return f"session-{session.id}@{host}"


def location(session: AgendaSession, event: Event) -> str:
    """Room and floor, then the venue, in the current language."""
    parts: list[str] = []
    if session.room is not None:
        parts.append(bilingual(session.room.name_zh, session.room.name_en))
        if session.room.floor_zh:
            parts.append(bilingual(session.room.floor_zh, session.room.floor_en))
    if session.mode == "online":
        parts.append(_("Online"))
    if event.venue:
        parts.append(event.venue)
    return " · ".join(parts)


def summary(session: AgendaSession) -> str:
    title = bilingual(session.title_zh, session.title_en)
    return _("Cancelled: %(what)s") % {"what": title} if session.cancelled_at else title


def description(session: AgendaSession, event: Event, url: str) -> str:
    lines = [bilingual(event.name_zh, event.name_en)]
    kind = queries.label(queries.KINDS, session.kind)
    if kind:
        lines.append(kind)
    text = bilingual(session.description_zh, session.description_en)
    if text:
        lines.append(text)
    if session.stream_url and session.mode in ("online", "hybrid"):
        lines.append(_("Stream: %(url)s") % {"url": session.stream_url})
    lines.append(url)
    return "\n".join(lines)


def calendar_event(session: AgendaSession, event: Event, *, host: str, url: str) -> ics.CalendarEvent:
    """What the calendar says of a timed session."""
    assert session.starts_at is not None and session.ends_at is not None
    return ics.CalendarEvent(
        uid=session_uid(session, host),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=summary(session),
        location=location(session, event),
        description=description(session, event, url),
        status="CANCELLED" if session.cancelled_at else "CONFIRMED",
        sequence=session.sequence,
        updated_at=session.updated_at,
        url=url,
    )


def calendar(
    sessions: Iterable[AgendaSession],
    events: Mapping[int, Event],
    *,
    host: str,
    base_url: str,
    name: str,
    feed: bool,
) -> str:
    """A VCALENDAR of the timed sessions: a one-off file (`METHOD:PUBLISH`) or a subscribed feed (no METHOD,
    with the polling interval). `base_url` is the site's address ("https://host"), for each session's URL."""
    timed = [
        calendar_event(s, events[s.event_id], host=host,
                       url=f"{base_url}/events/{events[s.event_id].slug}/sessions/{s.id}")
        for s in sessions
        if s.starts_at is not None and s.ends_at is not None
    ]  # fmt: skip
    return ics.calendar(
        timed, name=name, stamp=dt.datetime.now(dt.UTC), method=None if feed else "PUBLISH",
        refresh=REFRESH if feed else None,
    )  # fmt: skip


def last_modified(sessions: Iterable[AgendaSession], default: dt.datetime) -> dt.datetime:
    """When anything in the calendar last changed (for Last-Modified), aware UTC, whole seconds."""
    stamps = [s.updated_at for s in sessions] or [default]
    latest = max(x.replace(tzinfo=dt.UTC) if x.tzinfo is None else x.astimezone(dt.UTC) for x in stamps)
    return latest.replace(microsecond=0)
