"""Calendar files of the programme: one session (`/events/{slug}/sessions/{id}.ics`, "add to calendar") and the
personal agenda's feed of starred sessions (`/agenda/calendar/{token}.ics`, subscribed to and polled).

What lets a calendar follow changes: a stable UID per session (`session-<id>@<host>`, the same in the one-off
file and the feed, so adding a session both ways never shows it twice), SEQUENCE from `agenda_session.sequence`
(raised by the programme's writes when a reader-visible field changes), DTSTAMP and LAST-MODIFIED from
`updated_at`, and a cancelled session kept with STATUS:CANCELLED so a client removes it from its copy.

The iCalendar text (RFC 5545: escaped TEXT values, lines folded at 75 octets, CRLF) is written here rather than
borrowed from the meetings' writer, which sits on a higher floor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from duijie.agenda import queries
from duijie.agenda.models import AgendaSession
from duijie.core.i18n import bilingual
from duijie.core.i18n import gettext as _
from duijie.events.models import Event

PRODID = "-//duijie//agenda//ZH"
REFRESH = dt.timedelta(hours=1)
_CONTROL = MappingProxyType(dict.fromkeys((*range(0x00, 0x09), *range(0x0B, 0x0D), *range(0x0E, 0x20), 0x7F)))


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newlines escaped, other control characters dropped."""
    return (
        text.translate(_CONTROL)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines of at most 75 octets, never cut inside a UTF-8 character; continuations start with a space."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = "", 0, 74
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def stamp(moment: dt.datetime) -> str:
    """A UTC DATE-TIME; naive values are UTC (as SQLite returns them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


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


def vevent(session: AgendaSession, event: Event, *, host: str, url: str) -> list[str]:
    """The VEVENT lines of a timed session."""
    assert session.starts_at is not None and session.ends_at is not None
    revised = stamp(session.updated_at)
    return [
        "BEGIN:VEVENT",
        f"UID:{session_uid(session, host)}",
        f"DTSTAMP:{revised}",
        f"LAST-MODIFIED:{revised}",
        f"DTSTART:{stamp(session.starts_at)}",
        f"DTEND:{stamp(session.ends_at)}",
        f"SUMMARY:{escape(summary(session))}",
        f"LOCATION:{escape(location(session, event))}",
        f"DESCRIPTION:{escape(description(session, event, url))}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if session.cancelled_at else 'CONFIRMED'}",
        f"SEQUENCE:{session.sequence}",
        "END:VEVENT",
    ]


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
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if not feed:
        lines.append("METHOD:PUBLISH")
    lines.append(f"X-WR-CALNAME:{escape(name)}")
    if feed:
        lines += ["REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
    for s in sessions:
        if s.starts_at is None or s.ends_at is None:
            continue
        event = events[s.event_id]
        lines += vevent(s, event, host=host, url=f"{base_url}/events/{event.slug}/sessions/{s.id}")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def last_modified(sessions: Iterable[AgendaSession], default: dt.datetime) -> dt.datetime:
    """When anything in the calendar last changed (for Last-Modified), aware UTC, whole seconds."""
    stamps = [s.updated_at for s in sessions] or [default]
    latest = max(x.replace(tzinfo=dt.UTC) if x.tzinfo is None else x.astimezone(dt.UTC) for x in stamps)
    return latest.replace(microsecond=0)
