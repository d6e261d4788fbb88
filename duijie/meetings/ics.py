"""iCalendar (RFC 5545) files of a participant's meetings, written by hand: one VEVENT per meeting with a stable
UID, times in UTC, text escaped (section 3.3.11) and lines folded at 75 octets (section 3.1) with CRLF ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

PRODID = "-//duijie//meetings//ZH"
FOLD_AT = 75


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


def escape(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\")
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
    """A DATE-TIME in UTC form: 20240425T010000Z."""
    if moment.tzinfo is None:
        raise ValueError("calendar times must carry a time zone")
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: Iterable[CalendarEvent], *, name: str, stamp: dt.datetime) -> str:
    """The whole VCALENDAR as text with CRLF line ends."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}",
            f"DTSTAMP:{utc_stamp(stamp)}",
            f"DTSTART:{utc_stamp(e.starts_at)}",
            f"DTEND:{utc_stamp(e.ends_at)}",
            f"SUMMARY:{escape(e.summary)}",
            f"LOCATION:{escape(e.location)}",
        ]
        if e.description:
            lines.append(f"DESCRIPTION:{escape(e.description)}")
        lines += [f"STATUS:{e.status}", f"SEQUENCE:{e.sequence}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
