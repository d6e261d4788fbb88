"""iCalendar (RFC 5545) files, written by hand: one VEVENT per meeting or session with a stable UID, times in
UTC, text escaped (section 3.3.11) and lines folded at 75 octets (section 3.1) with CRLF ends. It serves the
1:1 meetings' files and feeds and the programme's sessions and starred-sessions feed alike.

The same writer serves the one-off download (`METHOD:PUBLISH`, a snapshot) and the subscribed feed (no METHOD:
RFC 5545 section 3.7.2 and 3.8.7.2 read DTSTAMP as the time the event was last revised in the store, which is
what lets a client holding an older copy tell, together with SEQUENCE, that the event changed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

PRODID = "-//duijie//ZH"
FOLD_AT = 75
# Control characters other than tab are not allowed in TEXT values (RFC 5545 section 3.3.11, 3.1 "CONTROL").
_CONTROL = MappingProxyType(
    dict.fromkeys((*range(0x00, 0x09), *range(0x0B, 0x0D), *range(0x0E, 0x20), 0x7F))
)


@dataclass(frozen=True)
class CalendarEvent:
    """What one VEVENT says: a stable id, the time, a title, the place and a description."""

    uid: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    location: str
    description: str = ""
    status: str = "CONFIRMED"  # TENTATIVE, CONFIRMED or CANCELLED
    sequence: int = 0
    # When the event was last revised (DTSTAMP and LAST-MODIFIED); None: the calendar's own stamp.
    updated_at: dt.datetime | None = None
    url: str = ""


def escape(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines; other control characters are dropped."""
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
    """Split a content line into chunks of at most 75 octets, never inside a UTF-8 character; each
    continuation line starts with one space (which counts towards its 75)."""
    out: list[str] = []
    current = ""
    size = 0
    limit = FOLD_AT
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = "", 0, FOLD_AT - 1
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def utc_stamp(moment: dt.datetime) -> str:
    """A DATE-TIME in UTC form: 20240425T010000Z. A naive time is UTC (the database's clock, as SQLite returns
    it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def duration(span: dt.timedelta) -> str:
    """A DURATION value of whole minutes: PT1H, PT90M, P1D."""
    minutes = int(span.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"P{minutes // (24 * 60)}D"
    if minutes % 60 == 0:
        return f"PT{minutes // 60}H"
    return f"PT{minutes}M"


def calendar(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    stamp: dt.datetime,
    method: str | None = "PUBLISH",
    refresh: dt.timedelta | None = None,
) -> str:
    """The whole VCALENDAR as text with CRLF line ends.

    `method=None` for a subscribed feed (no iTIP method); `refresh` tells clients how often to poll it
    (REFRESH-INTERVAL of RFC 7986, and the older X-PUBLISHED-TTL that Outlook reads)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    lines.append(f"X-WR-CALNAME:{escape(name)}")
    if refresh is not None:
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{duration(refresh)}", f"X-PUBLISHED-TTL:{duration(refresh)}"]
    for e in events:
        revised = utc_stamp(e.updated_at or stamp)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}",
            f"DTSTAMP:{revised}",
            f"DTSTART:{utc_stamp(e.starts_at)}",
            f"DTEND:{utc_stamp(e.ends_at)}",
            f"SUMMARY:{escape(e.summary)}",
            f"LOCATION:{escape(e.location)}",
        ]
        if e.description:
            lines.append(f"DESCRIPTION:{escape(e.description)}")
        if e.url:
            lines.append(f"URL:{e.url}")
        if e.updated_at is not None:
            lines.append(f"LAST-MODIFIED:{revised}")
        lines += [f"STATUS:{e.status}", f"SEQUENCE:{e.sequence}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
