"""The programme of the 2023 and 2024 Zhongguancun Forums in the demo: the venue's rooms with their hours, the
tracks, the sessions the reports name (with the people they quote, citing the report), and around them a
generated programme at the forums' real scale (示例数据): parallel forums filling up to 20 rooms on the busiest
day, each a half day of opening, keynotes, a panel and a release, signing or roadshow, with ~1,000 generated
speakers (Chinese and foreign, bilingual names, titles and bios, stated availability).

Why it is built in the finish phase. The speakers need organisations, and the programme must not change what
the lower phases built: the meetings' demo samples the directory's enterprises in its activity phase and
matching scores every investor in the finish phase (on floors above this one), so this programme adds only
universities, institutes, associations and the named speakers' organisations, after the meetings are made,
and keeps none of them in the kit (the marketplace's finish step reads the kit's enterprises). Its generator is
its own (`kit.module_rng("agenda")`), so the rest of the demo draws the same numbers as without it.

The generated programme is free of what the conflict checker refuses (nobody in two places, no room booked
twice or used while closed) by construction, and keeps a handful of what it only warns about, as real
programmes do: a few sessions expecting more people than the room seats, a few speakers booked outside the
hours they gave. Times are the forum's wall-clock times (Asia/Shanghai), stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from duijie.agenda.demo_data import sources as S
from duijie.agenda.demo_data import vocabulary as V
from duijie.agenda.models import AgendaSession, Room, RoomHours, SessionSpeaker, SpeakerProfile, Track
from duijie.core.db import SYNTHETIC
from duijie.core.demo_kit import DemoKit
from duijie.core.demo_kit.pinyin import SAMPLE_EN, SAMPLE_ZH, english_name
from duijie.directory.models import Organisation, Person
from duijie.events.models import Event

FORUMS: dict[int, str] = {2023: "zgc-forum-2023", 2024: "zgc-forum-2024"}
# Rooms in use per day of each forum (the first N of the venue's rooms); 2024's second day is the busiest.
ROOMS_PER_DAY: dict[int, tuple[int, ...]] = {2023: (8, 16, 14, 12, 10, 6), 2024: (12, 20, 16, 10, 6)}
HALVES = (("09:00", "12:00"), ("14:00", "17:30"))
OPEN_HOURS = ("08:00", "18:30")
POOL = 1060  # generated speakers, shared by both years (many speak at both)
FOREIGN_SHARE = 0.15
# Per event: sessions expecting more than the room seats, speakers booked outside their stated hours.
OVER_CAPACITY = 3
OUTSIDE_AVAILABILITY = 3
STREAM = "https://live.demo.duijie.invalid"


@dataclass
class Speaker:
    """A generated speaker of the pool: who they are and what they do, before they are written."""

    name_zh: str
    name_en: str
    org: Organisation
    title_zh: str
    title_en: str
    field_zh: str
    field_en: str
    foreign: bool
    id: int = 0


@dataclass
class Plan:
    """One forum's programme as generated, before it is written: sessions as column dicts, who is on each,
    and each person's busy half-days."""

    event: Event
    year: int
    rooms: dict[str, Room]
    tracks: dict[str, Track]
    sessions: list[dict[str, Any]] = field(default_factory=list)
    people: list[list[tuple[int, str]]] = field(default_factory=list)  # per session: (person id, role)
    busy: dict[int, set[tuple[int, int]]] = field(default_factory=dict)  # person id -> {(day, half)}
    days: dict[int, set[int]] = field(default_factory=dict)  # person id -> days on stage


def finish_demo(kit: DemoKit) -> None:
    """Both forums' venues, tracks, named sessions and generated programme, and their speakers' profiles."""
    rng = kit.module_rng("agenda")
    named_orgs = _named_organisations(kit)
    named_people = _named_people(kit, named_orgs)
    pool = _speaker_pool(kit, rng)
    for year, slug in FORUMS.items():
        event = kit.get(Event, slug)
        plan = Plan(event, year, _rooms(kit, event, year), _tracks(kit, event))
        _place_named(plan, named_people)
        _generate(plan, pool, rng)
        _write(kit, plan)
        _profiles(kit, plan, named_people, {s.id: s for s in pool}, rng)


# --------------------------------------------------------------------------------------------- time and place


def _at(event: Event, year: int, day: int, hhmm: str) -> dt.datetime:
    """The UTC instant of a forum day's wall-clock time (day 1 is the forum's first day)."""
    date = event.starts_on + dt.timedelta(days=day - 1)
    hour, minute = (int(x) for x in hhmm.split(":"))
    local = dt.datetime.combine(date, dt.time(hour, minute), tzinfo=ZoneInfo(event.timezone or "Asia/Shanghai"))
    return local.astimezone(dt.UTC)


def _days(year: int) -> int:
    return len(ROOMS_PER_DAY[year])


def _open_rooms(year: int, day: int) -> list[str]:
    """The rooms in use on a day: the first N of the venue, plus any a named session needs that day."""
    onsite = [k for k in V.ROOMS if k not in V.OFFSITE]
    wanted = onsite[: ROOMS_PER_DAY[year][day - 1]]
    wanted += [n.room for n in S.NAMED if n.year == year and n.day == day and n.room not in wanted]
    return wanted


def _rooms(kit: DemoKit, event: Event, year: int) -> dict[str, Room]:
    """The venue's rooms, each open 08:00-18:30 on the days it is used (a room without hours is always open,
    so a room never used has none and is left out)."""
    used: dict[str, list[int]] = {}
    for day in range(1, _days(year) + 1):
        for key in _open_rooms(year, day):
            used.setdefault(key, []).append(day)
    rooms: dict[str, Room] = {}
    for position, (key, (zh, en, capacity, interpretation, floor_zh, floor_en)) in enumerate(V.ROOMS.items()):
        if key not in used:
            continue
        room = Room(event_id=event.id, name_zh=zh, name_en=en, capacity=capacity, interpretation=interpretation,
                    floor_zh=floor_zh, floor_en=floor_en, position=position)  # fmt: skip
        room.hours = [
            RoomHours(starts_at=_at(event, year, day, OPEN_HOURS[0]), ends_at=_at(event, year, day, OPEN_HOURS[1]))
            for day in used[key]
        ]
        kit.db.add(room)
        rooms[key] = room
    kit.db.flush()
    return rooms


def _tracks(kit: DemoKit, event: Event) -> dict[str, Track]:
    tracks = {zh: Track(event_id=event.id, name_zh=zh, name_en=en, position=k) for k, (zh, en, _i) in
              enumerate(V.TRACKS)}  # fmt: skip
    kit.db.add_all(tracks.values())
    kit.db.flush()
    return tracks


# --------------------------------------------------------------------------------------------------- the people


def _named_organisations(kit: DemoKit) -> dict[str, Organisation]:
    """The named speakers' organisations: the directory's where it has them, otherwise made here (not kept in
    the kit, see the module's docstring), citing the report that names them."""
    out: dict[str, Organisation] = {}
    for key, (slug, zh, en, kind, country, source) in S.ORGS.items():
        found = kit.find(Organisation, slug) if slug else None
        if found is None:
            found = Organisation(slug=f"forum-{key}", kind=kind, name_zh=zh, name_en=en, country=country,
                                 provenance=source, industries=[])  # fmt: skip
            kit.db.add(found)
            kit.summary.organisations += 1
        out[key] = found
    for slug, zh, en, kind, country in V.SPEAKER_ORGS:
        out[slug] = Organisation(slug=slug, kind=kind, name_zh=zh, name_en=en, country=country,
                                 provenance=SYNTHETIC, industries=[])  # fmt: skip
        kit.db.add(out[slug])
        kit.summary.organisations += 1
    kit.db.flush()
    return out


def _named_people(kit: DemoKit, orgs: dict[str, Organisation]) -> dict[str, Person]:
    """The people the reports quote, with the title of their latest forum."""
    people: dict[str, Person] = {}
    for key, (zh, en, org_key, source) in S.PEOPLE.items():
        latest = S.ROLES[2024].get(key) or S.ROLES[2023][key]
        people[key] = Person(name_zh=zh, name_en=en or english_name(zh), title=latest.title_zh,
                             organisation_id=orgs[org_key].id, provenance=source)  # fmt: skip
    kit.db.add_all(people.values())
    kit.db.flush()
    return people


def _plain(name: str) -> str:
    """An organisation's name without the sample mark, inside a person's title (the person carries the mark)."""
    return name.replace(SAMPLE_ZH, "").replace(SAMPLE_EN, "").strip()


def _chinese_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(V.FAMILY) + "".join(rng.sample(V.GIVEN, rng.choice((1, 2, 2))))
        if name not in used:
            used.add(name)
            return name


def _speaker_pool(kit: DemoKit, rng: random.Random) -> list[Speaker]:
    """POOL generated speakers: a seventh from abroad, the others from the demo's companies and investors and
    the universities, institutes and associations made for the forum, each with a title and a field."""
    orgs = {
        kind: [o for o in kit.all(Organisation) if o.kind == kind and o.provenance == SYNTHETIC]
        for kind in ("enterprise", "investor")
    }
    made = [o for o in kit.db.scalars(select(Organisation).where(Organisation.slug.like("forum-%"))
                                      .order_by(Organisation.id)) if o.provenance == SYNTHETIC]  # fmt: skip
    for kind in ("university", "institute", "association"):
        orgs[kind] = [o for o in made if o.kind == kind and o.country == "CN"]
    abroad = [o for o in made if o.country != "CN"]
    kinds = ("enterprise",) * 9 + ("investor",) * 2 + ("university",) * 4 + ("institute",) * 4 + ("association",)
    used: set[str] = set()
    pool: list[Speaker] = []
    for _ in range(POOL):
        foreign = rng.random() < FOREIGN_SHARE
        if foreign:
            (g_en, g_zh), (f_en, f_zh) = rng.choice(V.FOREIGN_GIVEN), rng.choice(V.FOREIGN_FAMILY)
            zh, en, org = f"{g_zh}·{f_zh}", f"{g_en} {f_en}", rng.choice(abroad)
        else:
            zh = _chinese_name(rng, used)
            en, org = english_name(zh), rng.choice(orgs[rng.choice(kinds)])
        title_zh, title_en = rng.choice(V.TITLES_BY_KIND[org.kind])
        track = rng.choice(V.TRACKS)
        field_zh, field_en = rng.choice(V.SUBJECTS[track[0]])
        pool.append(Speaker(zh, en, org, title_zh, title_en, field_zh, field_en, foreign))
    rows = [{"name_zh": s.name_zh, "name_en": s.name_en, "title": s.title_zh, "organisation_id": s.org.id,
             "provenance": SYNTHETIC} for s in pool]  # fmt: skip
    ids = kit.db.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), rows).all()
    for speaker, pid in zip(pool, ids, strict=True):
        speaker.id = pid
    return pool


# ------------------------------------------------------------------------------------------------- the sessions


def _half(hhmm: str) -> int:
    return 0 if hhmm < "13:00" else 1


def _session(plan: Plan, room: str, day: int, start: str, end: str, **values: Any) -> dict[str, Any]:
    """A session's columns (times from the forum's wall clock, the room's, a stream for a hybrid one)."""
    room_row = plan.rooms[room]
    mode = values.pop("mode", "offline")
    number = len(plan.sessions) + 1
    return {
        "event_id": plan.event.id, "room_id": room_row.id, "mode": mode, "capacity": None,
        "starts_at": _at(plan.event, plan.year, day, start), "ends_at": _at(plan.event, plan.year, day, end),
        "stream_url": f"{STREAM}/{plan.event.slug}/{number}" if mode != "offline" else None, **values,
    }  # fmt: skip


def _book(plan: Plan, row: dict[str, Any], people: list[tuple[int, str]], day: int, half: int) -> None:
    plan.sessions.append(row)
    plan.people.append(people)
    for pid, _role in people:
        plan.busy.setdefault(pid, set()).add((day, half))
        plan.days.setdefault(pid, set()).add(day)


def _place_named(plan: Plan, people: dict[str, Person]) -> None:
    """The sessions the reports name, in the rooms and on the days the programme gives them, citing the report."""
    for n in (n for n in S.NAMED if n.year == plan.year):
        capacity = plan.rooms[n.room].capacity or 0
        track = plan.tracks[n.track] if n.track else None
        industries = next((i for zh, _en, i in V.TRACKS if zh == n.track), (None,))
        row = _session(plan, n.room, n.day, n.start, n.end, kind=n.kind, title_zh=n.title_zh, title_en=n.title_en,
                       description_zh=n.description_zh, description_en=n.description_en, mode=n.mode,
                       track_id=track.id if track else None, language=n.language, industry=industries[0],
                       expected=int(capacity * 0.9), provenance=n.source)  # fmt: skip
        _book(plan, row, [(people[key].id, role) for key, role in n.people], n.day, _half(n.start))


class _Picker:
    """Hands out speakers of a group in turn, never one already on stage in the same half-day: each speaker
    once before anyone speaks twice, as a programme committee spreads its invitations."""

    def __init__(self, plan: Plan, pool: list[Speaker], rng: random.Random) -> None:
        self.plan = plan
        groups: dict[str, list[Speaker]] = {"academic": [], "business": [], "investor": []}
        for s in pool:
            group = "investor" if s.org.kind == "investor" else "business" if s.org.kind == "enterprise" else "academic"
            groups[group].append(s)
        for members in groups.values():
            rng.shuffle(members)
        self.queues = {g: deque(m) for g, m in groups.items()}

    def __call__(self, group: str, day: int, half: int, taken: set[int]) -> Speaker:
        queue = self.queues[group]
        for _ in range(len(queue)):
            s = queue.popleft()
            queue.append(s)
            if s.id not in taken and (day, half) not in self.plan.busy.get(s.id, set()):
                taken.add(s.id)
                return s
        raise RuntimeError(f"no free {group} speaker on day {day}")


# The shape of a forum's half day after its opening: (kind, minutes); keynotes fill what is left.
SHAPES: tuple[tuple[tuple[str, int], ...], ...] = (
    (("keynote", 25), ("keynote", 25), ("keynote", 25), ("panel", 50)),
    (("keynote", 25), ("keynote", 25), ("release", 20), ("panel", 45)),
    (("keynote", 25), ("keynote", 25), ("roadshow", 75)),
    (("keynote", 20), ("keynote", 20), ("keynote", 20), ("signing", 20), ("panel", 45)),
    (("keynote", 30), ("keynote", 30), ("panel", 60)),
)
# Who each kind of session has on stage: (group, role) per person; a panel adds 3-5, a roadshow 5-7.
CAST: dict[str, tuple[tuple[str, str], ...]] = {
    "parallel_forum": (("investor", "host"), ("academic", "speaker")),
    "keynote": (("academic", "speaker"),),
    "panel": (("academic", "moderator"), ("business", "speaker"), ("academic", "speaker"), ("investor", "speaker")),
    "release": (("academic", "speaker"), ("business", "speaker")),
    "signing": (("business", "speaker"), ("business", "speaker"), ("business", "speaker")),
    "roadshow": (("investor", "moderator"), *(("business", "speaker"),) * 5),
}


def _minutes(hhmm: str) -> int:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return hour * 60 + minute


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _generate(plan: Plan, pool: list[Speaker], rng: random.Random) -> None:
    """A parallel forum in every free half-day of every room in use (the first morning belongs to the
    plenary), each on a subject of its track not used before in this forum."""
    pick = _Picker(plan, pool, rng)
    taken_halves = {(plan.rooms[n.room].id, n.day, _half(n.start)) for n in S.NAMED if n.year == plan.year}
    used_titles: set[str] = set()
    generated: list[int] = []
    for day in range(1, _days(plan.year) + 1):
        for key in _open_rooms(plan.year, day):
            if key in V.OFFSITE:
                continue
            for half, (start, end) in enumerate(HALVES):
                if (day == 1 and half == 0) or (plan.rooms[key].id, day, half) in taken_halves:
                    continue
                first = len(plan.sessions)
                _forum(plan, pick, rng, key, day, half, (start, end), used_titles)
                generated.extend(range(first, len(plan.sessions)))
    for k in rng.sample(generated, OVER_CAPACITY):
        row = plan.sessions[k]
        room = next(r for r in plan.rooms.values() if r.id == row["room_id"])
        row["expected"] = (room.capacity or 0) + rng.randint(20, 120)


def _forum(
    plan: Plan, pick: _Picker, rng: random.Random, room: str, day: int, half: int, span: tuple[str, str],
    used_titles: set[str],
) -> None:
    """One generated parallel forum: its opening, then a shape of sessions, keynotes filling the rest."""
    track_zh, _track_en, industries = rng.choice(V.TRACKS)
    while True:
        subject_zh, subject_en = rng.choice(V.SUBJECTS[track_zh])
        form_zh, form_en = rng.choice(V.FORUM_FORMS)
        forum_zh, forum_en = form_zh.format(s=subject_zh), form_en.format(s=subject_en)
        if forum_zh not in used_titles:
            used_titles.add(forum_zh)
            break
    start, end = _minutes(span[0]), _minutes(span[1])
    items = [("parallel_forum", 20), *rng.choice(SHAPES)]
    while end - start - sum(m for _k, m in items) >= 25:
        items.insert(-1, ("keynote", 25))
    talks = rng.sample(V.TALK_FORMS, sum(1 for k, _m in items if k == "keynote"))
    room_row = plan.rooms[room]
    common = {"track_id": plan.tracks[track_zh].id, "industry": rng.choice(industries), "provenance": SYNTHETIC}
    host: Speaker | None = None
    t = start
    for kind, minutes in items:
        taken: set[int] = set()
        cast = list(CAST[kind]) + ([("business", "speaker")] * rng.randint(0, 2) if kind in ("panel", "roadshow")
                                   else [])  # fmt: skip
        people = [pick(group, day, half, taken) for group, _role in cast]
        if kind == "panel" and host is not None:
            people[0] = host  # the forum's host moderates its panel
        if kind == "parallel_forum":
            host = people[0]
        title = _title(kind, subject_zh, subject_en, forum_zh, forum_en, plan.year, talks, rng)
        foreign = any(p.foreign for p in people)
        language = ("en" if kind == "keynote" else "zh+en") if foreign and room_row.interpretation else (
            "zh+en" if room_row.interpretation and rng.random() < 0.4 else "zh")  # fmt: skip
        mode = "hybrid" if room in ("main", "hall", "intl") or rng.random() < 0.08 else "offline"
        if foreign and kind == "keynote" and rng.random() < 0.25:
            mode = "online"
        expected = int((room_row.capacity or 0) * rng.uniform(0.45, 0.95))
        capacity = min(room_row.capacity or 0, rng.choice((60, 80, 100, 120))) if (
            kind == "roadshow" or (form_zh.startswith("{s}闭门") and kind == "panel")) else None  # fmt: skip
        row = _session(plan, room, day, _clock(t), _clock(t + minutes), kind=kind, **title, **common,
                       mode=mode, language=language, expected=expected)  # fmt: skip
        row["capacity"] = capacity
        _book(plan, row, [(p.id, role) for p, (_g, role) in zip(people, cast, strict=True)], day, half)
        t += minutes


def _title(
    kind: str, s_zh: str, s_en: str, forum_zh: str, forum_en: str, year: int, talks: list[tuple[str, str]],
    rng: random.Random,
) -> dict[str, str]:
    """A session's title and description in both languages, from its kind and its forum's subject."""
    if kind == "parallel_forum":
        return {"title_zh": forum_zh, "title_en": forum_en, "description_zh": V.OPENING_ZH,
                "description_en": V.OPENING_EN}  # fmt: skip
    if kind == "keynote":
        zh, en = talks.pop()
        return {"title_zh": "主旨演讲：" + zh.format(s=s_zh), "title_en": "Keynote: " + en.format(s=s_en),
                "description_zh": f"{forum_zh}主旨演讲。", "description_en": f"A keynote of the {forum_en}."}
    forms = {"panel": V.PANEL_FORMS, "release": V.RELEASE_FORMS, "signing": V.SIGNING_FORMS,
             "roadshow": V.ROADSHOW_FORMS}[kind]  # fmt: skip
    zh, en = rng.choice(forms)
    words = {"panel": ("圆桌对话", "A panel"), "release": ("成果发布", "A release"),
             "signing": ("签约仪式", "A signing ceremony"), "roadshow": ("项目路演", "A project roadshow")}[kind]  # fmt: skip
    return {"title_zh": zh.format(s=s_zh, y=year), "title_en": en.format(s=s_en, y=year),
            "description_zh": f"{forum_zh}{words[0]}。", "description_en": f"{words[1]} of the {forum_en}."}  # fmt: skip


def _write(kit: DemoKit, plan: Plan) -> None:
    """The plan's sessions and who is on each, in two inserts (a forum has hundreds of sessions)."""
    ids = kit.db.scalars(
        insert(AgendaSession).returning(AgendaSession.id, sort_by_parameter_order=True), plan.sessions
    ).all()
    rows = [
        {"session_id": sid, "person_id": pid, "role": role, "position": k}
        for sid, people in zip(ids, plan.people, strict=True)
        for k, (pid, role) in enumerate(dict.fromkeys(people))
    ]
    kit.db.execute(insert(SessionSpeaker), rows)


# ------------------------------------------------------------------------------------------------- the profiles


def _lower(text: str) -> str:
    """A subject inside an English sentence: lower case, unless it starts with an acronym (AI, RISC-V, 6G)."""
    return text if text[:2].isupper() or text[:1].isdigit() else text[:1].lower() + text[1:]


def _window(plan: Plan, day: int, start: str, end: str) -> list[str]:
    return [_at(plan.event, plan.year, day, start).isoformat(), _at(plan.event, plan.year, day, end).isoformat()]


def _availability(plan: Plan, pid: int, rng: random.Random, outside: set[int]) -> list[list[str]] | None:
    """The hours a speaker said they can speak: the days they are on stage (and often the day after); a few
    give none (always), and the people in `outside` gave only the other half of their one day."""
    days = sorted(plan.days[pid])
    if pid in outside:
        ((day, half),) = plan.busy[pid]
        return [_window(plan, day, "12:30", "20:00") if half == 0 else _window(plan, day, "07:30", "13:30")]
    if rng.random() < 0.15:
        return None
    if rng.random() < 0.3 and days[-1] < _days(plan.year):
        days.append(days[-1] + 1)
    return [_window(plan, day, "08:00", "20:00") for day in days]


def _profiles(
    kit: DemoKit, plan: Plan, named: dict[str, Person], pool: dict[int, Speaker], rng: random.Random
) -> None:
    """A profile for everyone on this forum's stage: the report's title and words for the named (availability
    unknown: always), a generated title, bio and availability for the others."""
    roles = {named[key].id: role for key, role in S.ROLES[plan.year].items()}
    alone = sorted(pid for pid in plan.busy if len(plan.busy[pid]) == 1 and pid in pool)
    outside = set(rng.sample(alone, OUTSIDE_AVAILABILITY))
    rows: list[dict[str, Any]] = []
    for pid in sorted(plan.days):
        base = {"event_id": plan.event.id, "person_id": pid}
        if pid in roles:
            r = roles[pid]
            rows.append({**base, "title_zh": r.title_zh, "title_en": r.title_en, "bio_zh": r.bio_zh,
                         "bio_en": r.bio_en, "available": None})  # fmt: skip
            continue
        s = pool[pid]
        org_zh, org_en = _plain(s.org.name_zh), _plain(s.org.name_en or s.org.name_zh)
        close_zh, close_en = V.BIO_CLOSES[pid % len(V.BIO_CLOSES)]
        rows.append({
            **base,
            "title_zh": f"{org_zh}{s.title_zh}",
            "title_en": f"{s.title_en}, {org_en}",
            "bio_zh": f"{s.name_zh}，{org_zh}{s.title_zh}，长期从事{s.field_zh}领域的研究与产业化工作，{close_zh}。",
            "bio_en": f"{s.name_en}, {s.title_en} at {org_en}, works on {_lower(s.field_en)} and {close_en}.",
            "available": _availability(plan, pid, rng, outside),
        })
    kit.db.execute(insert(SpeakerProfile), rows)
