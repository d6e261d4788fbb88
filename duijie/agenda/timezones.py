"""Showing the programme's times in a zone: the event's by default, the viewer's when they choose it.

Sessions are stored in UTC. A page is read in one zone, chosen in this order: the `tz` query parameter (the
switch's form), the `tz` cookie (the switch remembers the last choice), else the event's own zone. Every time
shown carries its zone's name and offset ("09:00–10:30 北京时间 (UTC+8)"), since a reader abroad cannot tell
which clock a bare "09:00" means. Days are the reader's days: a session from 23:00 to 01:00 in the reader's
zone belongs to the day it starts and its end is marked "+1" ("次日" in Chinese). Offsets are taken at the
moment shown, so a programme spanning a daylight-saving change shows both offsets correctly.

Pure: no database, no request; the views pass the chosen name and the event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.i18n import mark as _l

DEFAULT_ZONE = "Asia/Shanghai"
# The value of the switch that means "the event's own zone" (and clears the remembered choice).
EVENT_ZONE = "event"
COOKIE = "tz"

# The zones the switch offers without JavaScript (the browser's own zone is added by script), with the names a
# reader knows them by. Others are accepted from the query or cookie and named by their IANA city.
COMMON_ZONES: tuple[tuple[str, str], ...] = (
    ("Asia/Shanghai", _l("Beijing time")),
    ("Asia/Tokyo", _l("Tokyo time")),
    ("Asia/Singapore", _l("Singapore time")),
    ("Asia/Kolkata", _l("India time")),
    ("Asia/Dubai", _l("Gulf time (Dubai)")),
    ("Europe/Moscow", _l("Moscow time")),
    ("Europe/Berlin", _l("Central European time (Berlin, Paris)")),
    ("Europe/London", _l("UK time (London)")),
    ("UTC", _l("Coordinated Universal Time")),
    ("America/Sao_Paulo", _l("Brasília time")),
    ("America/New_York", _l("US Eastern time (New York)")),
    ("America/Chicago", _l("US Central time (Chicago)")),
    ("America/Los_Angeles", _l("US Pacific time (Los Angeles)")),
    ("Australia/Sydney", _l("Sydney time")),
    ("Pacific/Auckland", _l("New Zealand time")),
)
_NAMES = dict(COMMON_ZONES)
# Zones that are the same clock as a named one (a browser in Chongqing reports Asia/Chongqing).
_ALIASES = {
    "Asia/Chongqing": "Asia/Shanghai",
    "Asia/Harbin": "Asia/Shanghai",
    "PRC": "Asia/Shanghai",
    "Asia/Calcutta": "Asia/Kolkata",
    "Etc/UTC": "UTC",
    "Europe/Paris": "Europe/Berlin",
}


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def zone(name: str | None) -> ZoneInfo | None:
    """The zone of an IANA name, or None for an empty or unknown name (never raises: the name comes from a
    query parameter or a cookie)."""
    if not name or len(name) > 64 or name not in _known():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def event_zone_name(timezone: str | None) -> str:
    """The event's zone name, the default one when the stored name is empty or unknown."""
    return timezone if timezone and zone(timezone) is not None else DEFAULT_ZONE


def offset_text(moment: dt.datetime, tz: ZoneInfo) -> str:
    """The UTC offset at `moment` in `tz`: "UTC+8", "UTC−7", "UTC+5:30", "UTC±0" (a true minus sign)."""
    offset = moment.astimezone(tz).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC±0"
    sign = "+" if minutes > 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_name(name: str) -> str:
    """A zone's name for a reader, in the page's language: "北京时间" / "Beijing time", else its IANA city
    ("Denver" for America/Denver)."""
    known = _NAMES.get(_ALIASES.get(name, name))
    if known is not None:
        return _(known)
    return name.rsplit("/", 1)[-1].replace("_", " ")


def zone_label(name: str, moment: dt.datetime) -> str:
    """The zone's name with its offset at `moment`: "北京时间 (UTC+8)"."""
    tz = zone(name) or ZoneInfo(DEFAULT_ZONE)
    return f"{zone_name(name)} ({offset_text(moment, tz)})"


@dataclass(frozen=True)
class Choice:
    """The zone a page is read in: its name, whether it is the event's own, and what the reader asked for
    (`asked`: the switch's value to show selected; `error`: why the asked value was not used)."""

    name: str
    event_name: str
    asked: str
    error: str | None = None

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.name) or ZoneInfo(DEFAULT_ZONE)

    @property
    def is_event_zone(self) -> bool:
        return self.name == self.event_name

    def local(self, moment: dt.datetime) -> dt.datetime:
        """`moment` (aware, or naive UTC as SQLite returns it) on this zone's wall clock."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(self.tz)

    def day(self, moment: dt.datetime) -> dt.date:
        """The reader's calendar day of `moment`."""
        return self.local(moment).date()

    def label(self, moment: dt.datetime) -> str:
        return zone_label(self.name, moment)


def choose(asked: str | None, remembered: str | None, *, event_timezone: str | None) -> Choice:
    """The zone to show: the asked one (query), else the remembered one (cookie), else the event's. An asked
    value that names no zone falls back to the event's with a message for the switch's field; a bad cookie is
    ignored silently (the reader did not just type it)."""
    own = event_zone_name(event_timezone)
    if asked is not None and asked.strip():
        value = asked.strip()
        if value == EVENT_ZONE:
            return Choice(own, own, EVENT_ZONE)
        if zone(value) is None:
            return Choice(
                own,
                own,
                value[:64],
                _("“%(value)s” is not a time zone; choose one from the list.") % {"value": value[:64]},
            )
        return Choice(value, own, value)
    if remembered and remembered != EVENT_ZONE and zone(remembered) is not None:
        return Choice(remembered, own, remembered)
    return Choice(own, own, EVENT_ZONE)


@dataclass(frozen=True)
class Span:
    """A session's time as a reader sees it: its day, start and end on their clock, how many days later the end
    falls (0 most of the time), and the zone's label."""

    day: dt.date
    start: str
    end: str
    days_later: int
    zone: str

    @property
    def later_mark(self) -> str:
        """"+1" in English, "次日" in Chinese (and "+2" / "第3日" beyond)."""
        if self.days_later <= 0:
            return ""
        if is_zh():
            return "次日" if self.days_later == 1 else f"第{self.days_later + 1}日"
        return f"+{self.days_later}"

    @property
    def times(self) -> str:
        """"09:00–10:30", "23:00–次日 01:00" / "23:00–01:00 +1"."""
        if not self.days_later:
            return f"{self.start}–{self.end}"
        if is_zh():
            return f"{self.start}–{self.later_mark} {self.end}"
        return f"{self.start}–{self.end} {self.later_mark}"

    @property
    def text(self) -> str:
        """The times with their zone: "09:00–10:30 北京时间 (UTC+8)"."""
        return f"{self.times} {self.zone}"


def span(choice: Choice, starts_at: dt.datetime, ends_at: dt.datetime) -> Span:
    """The reader's view of [starts_at, ends_at)."""
    start, end = choice.local(starts_at), choice.local(ends_at)
    return Span(
        day=start.date(),
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
        days_later=(end.date() - start.date()).days,
        zone=choice.label(starts_at),
    )


def day_label(day: dt.date) -> str:
    """A day as a tab reads it: "4月25日 周六" / "Sat 25 Apr"."""
    if is_zh():
        return f"{day.month}月{day.day}日 周{'一二三四五六日'[day.weekday()]}"
    return f"{day:%a} {day.day} {day:%b}"
