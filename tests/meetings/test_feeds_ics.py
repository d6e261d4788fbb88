"""The iCalendar writer read back by a strict parser of RFC 5545's content lines: CRLF line ends only, no physical
line over 75 octets, folds that never cut a UTF-8 character, and TEXT values whose escapes (section 3.3.11) all
round-trip, whatever the text (long Chinese, commas, semicolons, backslashes, newlines, four-byte characters).

The `icalendar` package is not a dependency of the project, so the parser is written here: it refuses what a
lenient one would let through, which is the point."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from duijie.core import ics

LINE = re.compile(r"^(?P<name>[A-Z][A-Z0-9-]*)(?P<params>(?:;[A-Z0-9-]+=[^;:\"]*)*):(?P<value>.*)$", re.S)
UTC_TIME = re.compile(r"^\d{8}T\d{6}Z$")
ESCAPES = {"\\": "\\", ";": ";", ",": ",", "n": "\n", "N": "\n"}


@dataclass
class Component:
    """A parsed component: its properties (name → raw values, in order) and its sub-components."""

    name: str
    props: dict[str, list[str]] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    children: list[Component] = field(default_factory=list)

    def one(self, name: str) -> str:
        values = self.props.get(name, [])
        assert len(values) == 1, f"{self.name}: {name} appears {len(values)} times"
        return values[0]

    def text(self, name: str) -> str:
        return unescape(self.one(name))

    def has(self, name: str) -> bool:
        return name in self.props


def unescape(value: str) -> str:
    """A TEXT value, refusing an unknown escape and a bare comma or semicolon (which would split the value)."""
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            assert nxt in ESCAPES, f"invalid escape \\{nxt!r} in {value!r}"
            out.append(ESCAPES[nxt])
        else:
            assert char not in ",;", f"unescaped {char!r} in {value!r}"
            out.append(char)
    return "".join(out)


def unfold(data: bytes) -> list[str]:
    """The logical lines of a calendar, checking every physical line on the way."""
    assert data.endswith(b"\r\n"), "the last line must end with CRLF"
    logical: list[bytes] = []
    for physical in data[:-2].split(b"\r\n"):
        assert b"\n" not in physical and b"\r" not in physical, f"a bare line break in {physical!r}"
        assert len(physical) <= 75, f"{len(physical)} octets: {physical!r}"
        physical.decode("utf-8")  # strict: a fold inside a character fails here
        if physical[:1] == b" ":
            assert logical, "a continuation line first"
            logical[-1] += physical[1:]
        else:
            assert physical, "an empty line"
            logical.append(physical)
    return [line.decode("utf-8") for line in logical]


def parse(data: bytes | str) -> Component:
    """The VCALENDAR of a calendar file, every BEGIN matched by its END."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    stack: list[Component] = [Component("ROOT")]
    for line in unfold(raw):
        match = LINE.match(line)
        assert match, f"not a content line: {line!r}"
        name, value = match["name"], match["value"]
        if name == "BEGIN":
            child = Component(value)
            stack[-1].children.append(child)
            stack.append(child)
        elif name == "END":
            assert stack[-1].name == value, f"END:{value} closes {stack[-1].name}"
            stack.pop()
        else:
            stack[-1].props.setdefault(name, []).append(value)
            if match["params"]:
                stack[-1].params[name] = match["params"]
    assert len(stack) == 1, f"{stack[-1].name} not closed"
    (calendar,) = stack[0].children
    assert calendar.name == "VCALENDAR"
    assert calendar.one("VERSION") == "2.0" and calendar.has("PRODID")
    for event in calendar.children:
        assert event.name == "VEVENT"
        for required in ("UID", "DTSTAMP", "DTSTART"):
            event.one(required)
        for moment in ("DTSTAMP", "DTSTART", "DTEND", "LAST-MODIFIED"):
            if event.has(moment):
                assert UTC_TIME.match(event.one(moment)), event.one(moment)
    return calendar


START = dt.datetime(2026, 4, 25, 1, 0, tzinfo=dt.UTC)


def _event(**values: object) -> ics.CalendarEvent:
    fields: dict[str, object] = {
        "uid": "meeting-1@event.duijie",
        "starts_at": START,
        "ends_at": START + dt.timedelta(minutes=30),
        "summary": "洽谈：测试",
        "location": "国家会议中心",
    }
    fields.update(values)
    return ics.CalendarEvent(**fields)  # type: ignore[arg-type]


LONG = (
    "北京市海淀区中关村科技园区管理委员会，拟与贵方就人工智能、集成电路；生物医药等重点产业方向开展深度对接\\"
    "并探讨设立产业引导基金的可行性。\n联系人：张三，电话：010-12345678；邮箱：zhang@example.org\r\n"
    "备注：请携带项目路演材料（约十页），现场提供投影设备🎤与同声传译服务。"
) * 3


def test_long_chinese_text_is_folded_at_75_octets_and_reads_back_exactly() -> None:
    body = ics.calendar([_event(description=LONG, location=LONG[:90])], name="我的洽谈", stamp=START)
    calendar = parse(body)
    (event,) = calendar.children
    assert event.text("DESCRIPTION") == LONG.replace("\r\n", "\n")
    assert event.text("LOCATION") == LONG[:90].replace("\r\n", "\n")
    assert event.text("SUMMARY") == "洽谈：测试"
    physical = body.encode("utf-8").split(b"\r\n")
    assert sum(1 for line in physical if line.startswith(b" ")) > 10
    # Folded as late as allowed: every full physical line has at least 72 octets (75 minus a 3-byte character).
    first = next(k for k, line in enumerate(physical) if line.startswith(b"DESCRIPTION:"))
    last = next(k for k in range(first + 1, len(physical)) if not physical[k].startswith(b" "))
    assert last - first > 5
    assert all(len(line) >= 72 for line in physical[first : last - 1])


def test_a_fold_falls_before_a_character_that_would_cross_the_75th_octet() -> None:
    line = "X-A:" + "a" * 70 + "中文"  # 74 octets, then a 3-byte character that does not fit
    folded = ics.fold(line).encode("utf-8").split(b"\r\n")
    assert folded == [("X-A:" + "a" * 70).encode(), " 中文".encode()]
    assert ics.fold("X-B:" + "a" * 71) == "X-B:" + "a" * 71  # exactly 75 octets stay on one line


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400))
def test_any_text_round_trips_through_escaping_and_folding(text: str) -> None:
    body = ics.calendar([_event(summary=text, description=text or "x")], name=text, stamp=START)
    calendar = parse(body)
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    expected = "".join(c for c in expected if c in "\t\n" or not (ord(c) < 32 or ord(c) == 127))
    (event,) = calendar.children
    assert event.text("SUMMARY") == expected
    assert calendar.text("X-WR-CALNAME") == expected


def test_a_feed_has_no_method_and_asks_clients_to_poll_hourly() -> None:
    stamp = START - dt.timedelta(days=3)
    body = ics.calendar(
        [_event(status="CANCELLED", sequence=4, updated_at=stamp)],
        name="我的洽谈",
        stamp=START,
        method=None,
        refresh=dt.timedelta(hours=1),
    )
    calendar = parse(body)
    assert not calendar.has("METHOD")
    assert calendar.one("REFRESH-INTERVAL") == "PT1H"
    assert calendar.params["REFRESH-INTERVAL"] == ";VALUE=DURATION"
    assert calendar.one("X-PUBLISHED-TTL") == "PT1H"
    (event,) = calendar.children
    assert event.one("STATUS") == "CANCELLED" and event.one("SEQUENCE") == "4"
    assert event.one("DTSTAMP") == event.one("LAST-MODIFIED") == "20260422T010000Z"
    snapshot = parse(ics.calendar([_event()], name="x", stamp=START))
    assert snapshot.one("METHOD") == "PUBLISH"
    assert snapshot.children[0].one("DTSTAMP") == "20260425T010000Z"
    assert not snapshot.children[0].has("LAST-MODIFIED")
