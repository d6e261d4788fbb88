"""The 1:1 meetings of the 2024 Invest Beijing conference (2024-04-25), generated: the demo's investors, district
governments and a sample of its enterprises as participants, a morning and an afternoon of 30-minute slots at
40 tables in two areas, partial availability, a few hundred requests, and the schedule computed, published and
partly checked in. A handful of requests accepted after publication wait for the organiser's re-plan.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from duijie.core.db import SYNTHETIC
from duijie.core.demo_kit import DemoKit
from duijie.directory.accounts import actor_for_account
from duijie.directory.models import Account, Organisation, Person
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.meetings import runs, service
from duijie.meetings.models import (
    Availability,
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
)

EVENT = "invest-beijing-2024"
DAY = dt.date(2024, 4, 25)
SESSIONS = (("am", dt.time(9, 0), dt.time(12, 0)), ("pm", dt.time(14, 0), dt.time(17, 30)))
SLOT_MINUTES = 30
AREAS = (("投资咨询洽谈区", 12), ("项目对接区", 12))
ENTERPRISES = 64
LATE_REQUESTS = 10
# Enough for the solver to prove both the heaviest schedule and its fewest idle gaps on the demo; the work budget
# (the solver's deterministic time) rather than the clock decides when it stops, so the demo's grid shows an
# optimal, compact plan that is the same every build, however busy the machine.
TIME_LIMIT = 30.0
WORK_LIMIT = 2.5
LAST_ANSWER = dt.datetime(2024, 4, 24, 4, 0, tzinfo=dt.UTC)

SURNAMES = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("赵", "Zhao"), ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"),
    ("胡", "Hu"), ("朱", "Zhu"), ("高", "Gao"), ("林", "Lin"), ("何", "He"), ("郭", "Guo"),
    ("马", "Ma"), ("罗", "Luo"),
)  # fmt: skip
GIVEN = (
    ("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("磊", "Lei"),
    ("洋", "Yang"), ("婷", "Ting"), ("强", "Qiang"), ("军", "Jun"), ("杰", "Jie"), ("涛", "Tao"),
    ("明", "Ming"), ("超", "Chao"), ("丽", "Li"), ("鹏", "Peng"), ("华", "Hua"), ("欣", "Xin"),
    ("宇", "Yu"), ("晨", "Chen"), ("思远", "Siyuan"), ("嘉怡", "Jiayi"), ("子涵", "Zihan"), ("浩然", "Haoran"),
)  # fmt: skip
TITLES = {
    "investor": ("投资总监", "合伙人", "投资经理"),
    "government": ("投资促进局副局长", "招商服务中心主任", "投资促进局处长"),
    "enterprise": ("董事长", "总经理", "副总裁", "董事会秘书", "融资负责人"),
}
MESSAGES = {
    "enterprise": (
        "我们正在进行新一轮融资，希望介绍公司业务与融资计划。",
        "希望就产品落地与渠道合作进行交流。",
        "拟在京扩大研发中心，想了解贵方的投资方向。",
        "希望探讨技术合作与产业链协同的机会。",
    ),
    "investor": (
        "关注贵公司所在赛道，希望进一步了解经营情况与融资需求。",
        "希望了解贵公司的技术路线和商业化进展。",
        "我方基金重点布局该领域，期待当面交流。",
    ),
    "government": (
        "诚邀了解本区产业空间与配套政策，欢迎来区落地。",
        "本区有适配的园区空间资源，希望对接项目投融资需求。",
        "希望介绍本区招商项目，探讨合作可能。",
    ),
}


def _name(rng: random.Random, used: set[str]) -> tuple[str, str]:
    """A synthetic person's name in Chinese (marked as a sample) and in English, family name first as names
    from the mainland are written in English (Zhang Wei)."""
    while True:
        (s_zh, s_en), (g_zh, g_en) = rng.choice(SURNAMES), rng.choice(GIVEN)
        if s_zh + g_zh not in used:
            used.add(s_zh + g_zh)
            return f"{s_zh}{g_zh}（示例）", f"{s_en} {g_en} (sample)"


def _at(day: dt.date, moment: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, moment, tzinfo=service.EVENT_TZ).astimezone(dt.UTC)


def _grid(kit: DemoKit, event: Event) -> list[MeetingSlot]:
    db = kit.db
    slots = []
    for code, start, end in SESSIONS:
        moment = _at(DAY, start)
        while moment < _at(DAY, end):
            nxt = moment + dt.timedelta(minutes=SLOT_MINUTES)
            slots.append(
                MeetingSlot(
                    event_id=event.id,
                    starts_at=moment,
                    ends_at=nxt,
                    session=f"{DAY.isoformat()} {code}",
                    table_count=sum(n for _a, n in AREAS),
                )
            )
            moment = nxt
    db.add_all(slots)
    number = 0
    for area, count in AREAS:
        for _ in range(count):
            number += 1
            db.add(MeetingTable(event_id=event.id, number=number, area=area))
    db.flush()
    return slots


def _participants(
    kit: DemoKit, event: Event, rng: random.Random
) -> tuple[dict[str, list[MeetingParticipant]], dict[str, MeetingParticipant]]:
    """Participants by side (investor, government, enterprise), and the demo accounts' own by username."""
    db = kit.db
    accounts = {
        a.username: a
        for a in db.scalars(
            select(Account).where(Account.username.in_(("enterprise", "investor", "haidian")))
        )
    }
    own_person = {a.person.organisation_id: a.person for a in accounts.values() if a.person}
    orgs = list(db.scalars(select(Organisation).order_by(Organisation.id)))
    investors = [o for o in orgs if o.kind == "investor"]
    governments = [o for o in orgs if o.kind == "government" and o.district]
    enterprises = [o for o in orgs if o.kind == "enterprise" and o.slug != "demo-xinghe"]
    enterprises = [kit.get(Organisation, "demo-xinghe"), *rng.sample(enterprises, ENTERPRISES - 1)]
    used: set[str] = set()
    sides: dict[str, list[MeetingParticipant]] = {"investor": [], "government": [], "enterprise": []}
    for side, group in (("investor", investors), ("government", governments), ("enterprise", enterprises)):
        for org in group:
            person = own_person.get(org.id)
            if person is None:
                zh, en = _name(rng, used)
                person = Person(
                    name_zh=zh,
                    name_en=en,
                    title=rng.choice(TITLES[side]),
                    email=f"contact{org.id}@demo.duijie.invalid",
                    phone=f"010-{rng.randrange(6000_0000, 6999_9999)}",
                    organisation_id=org.id,
                    provenance=SYNTHETIC,
                )
                db.add(person)
                db.flush()
            participant = MeetingParticipant(
                event_id=event.id,
                person_id=person.id,
                organisation_id=org.id,
                max_meetings=12 if side == "investor" else None,
                provenance=SYNTHETIC,
            )
            db.add(participant)
            sides[side].append(participant)
    db.flush()
    by_org = {p.organisation_id: p for group in sides.values() for p in group}
    own = {name: by_org[a.person.organisation_id] for name, a in accounts.items() if a.person}
    return sides, own


def _availability(
    kit: DemoKit, people: list[MeetingParticipant], slots: list[MeetingSlot], rng: random.Random
) -> None:
    """Each participant is free in 60-100 % of the slots: a late start, an early end or an hour away."""
    for p in people:
        share = rng.uniform(0.6, 1.0)
        busy = len(slots) - max(1, round(share * len(slots)))
        free = list(range(len(slots)))
        while busy > 0:
            k = rng.choice(("start", "end", "middle"))
            if k == "start":
                free.pop(0)
            elif k == "end":
                free.pop()
            else:
                free.pop(rng.randrange(len(free)))
            busy -= 1
        kit.db.add_all(Availability(participant_id=p.id, slot_id=slots[i].id) for i in free)


def _wanted(
    sides: dict[str, list[MeetingParticipant]], rng: random.Random
) -> list[tuple[MeetingParticipant, MeetingParticipant, str]]:
    """Who wants to meet whom (requester, recipient, the requester's side), with a popularity skew: a few
    investors are wanted by many."""
    investors, governments, enterprises = sides["investor"], sides["government"], sides["enterprise"]
    popularity = [1.0 / (k + 1) ** 0.8 for k in range(len(investors))]
    wanted: list[tuple[MeetingParticipant, MeetingParticipant, str]] = []
    for e in enterprises:
        # Each investor once, in the order drawn (a set would order them by memory address, differently
        # from one build to the next).
        for inv in dict.fromkeys(rng.choices(investors, weights=popularity, k=rng.randint(1, 3))):
            wanted.append((e, inv, "enterprise"))
        if rng.random() < 0.3:
            wanted.append((e, rng.choice(governments), "enterprise"))
    for inv in investors:
        for e in rng.sample(enterprises, rng.randint(3, 5)):
            wanted.append((inv, e, "investor"))
    for g in governments:
        for inv in rng.sample(investors, rng.randint(2, 3)):
            wanted.append((g, inv, "government"))
        for e in rng.sample(enterprises, 1):
            wanted.append((g, e, "government"))
    return wanted


def _specials(
    sides: dict[str, list[MeetingParticipant]], own: dict[str, MeetingParticipant]
) -> list[tuple[MeetingParticipant, MeetingParticipant, str]]:
    """The demo accounts' own requests: one accepted each way of the pair (the first), and some waiting for
    their answer (the others)."""
    investors, enterprises = sides["investor"], sides["enterprise"]
    xinghe, jinghua = own["enterprise"], own["investor"]
    specials = [(xinghe, jinghua, "enterprise")]
    specials += [(investors[k], xinghe, "investor") for k in (0, 3) if investors[k].id != jinghua.id]
    specials += [(enterprises[k], jinghua, "enterprise") for k in (5, 9)]
    return specials


def _state(rng: random.Random, *, pending: bool, vip: bool) -> str:
    """A request's state: waiting for the demo accounts, accepted for their own pair, else mostly accepted."""
    roll = rng.random()
    if pending:
        return "requested"
    if vip:
        return "accepted"
    return "accepted" if roll < 0.8 else "requested" if roll < 0.88 else "declined" if roll < 0.96 else "cancelled"


def _requests(
    kit: DemoKit,
    event: Event,
    sides: dict[str, list[MeetingParticipant]],
    own: dict[str, MeetingParticipant],
    rng: random.Random,
) -> list[MeetingRequest]:
    """The requests, the demo accounts' first, then the wanted ones in a random order, each pair once."""
    projects: dict[str | None, list[int | None]] = {}
    for opp_id, district in kit.db.execute(
        select(Opportunity.id, Opportunity.district).where(Opportunity.event_id == event.id).order_by(Opportunity.id)
    ):
        projects.setdefault(district, []).append(opp_id)
    district_of = {o.id: o.district for o in kit.all(Organisation)}
    wanted = _wanted(sides, rng)
    specials = _specials(sides, own)
    vip = (specials[0][0].id, specials[0][1].id)
    pending_pairs = {(a.id, b.id) for a, b, _s in specials[1:]}
    seen: set[tuple[int, int]] = set()
    requests: list[MeetingRequest] = []
    start = dt.datetime(2024, 4, 8, 9, 0, tzinfo=dt.UTC)
    for a, b, side in specials + rng.sample(wanted, len(wanted)):
        if (a.id, b.id) in seen or a.id == b.id or (b.id, a.id) in pending_pairs:
            # A request waiting for the demo accounts' answer has no counterpart the other way, so answering
            # it shows a pair that does not meet yet.
            continue
        seen.add((a.id, b.id))
        created = start + dt.timedelta(minutes=rng.randrange(0, 16 * 24 * 60))
        state = _state(rng, pending=(a.id, b.id) in pending_pairs, vip=(a.id, b.id) == vip)
        priority = 2 if side == "government" else (3 if rng.random() < 0.03 else 1)
        if (a.id, b.id) == vip:
            priority = 3  # the organiser flagged the demo accounts' meeting as a VIP one
        opportunity: int | None = None
        if side == "government":
            district = district_of.get(a.organisation_id) if a.organisation_id is not None else None
            opportunity = rng.choice(projects.get(district, [None]))
        message = rng.choice(MESSAGES[side])
        answered = (
            min(created + dt.timedelta(hours=rng.randint(1, 48)), LAST_ANSWER)
            if state in ("accepted", "declined")
            else None
        )
        requests.append(
            MeetingRequest(
                event_id=event.id,
                requester_id=a.id,
                recipient_id=b.id,
                opportunity_id=opportunity,
                message=message,
                state=state,
                priority=priority,
                created_at=created,
                answered_at=answered,
                provenance=SYNTHETIC,
            )
        )
    kit.db.add_all(requests)
    kit.db.flush()
    return requests


def activity_demo(kit: DemoKit) -> None:
    """Add the 2024 conference's participants, slot grid, tables, requests and schedule.

    Its participants are sampled from every enterprise the seeds and extensions made (the policy catalogue's
    among them), before the contest adds its entrants."""
    db = kit.db
    rng = kit.module_rng("meetings")
    event = kit.get(Event, EVENT)
    slots = _grid(kit, event)
    sides, own = _participants(kit, event, rng)
    people = [p for group in sides.values() for p in group]
    _availability(kit, [p for p in people if p not in own.values()], slots, rng)
    requests = _requests(kit, event, sides, own, rng)
    # Requests still unanswered at publication and accepted afterwards, so the grid has something to re-plan.
    ours = {p.id for p in own.values()}
    late = rng.sample(
        [r for r in requests if r.state == "requested" and not {r.requester_id, r.recipient_id} & ours],
        LATE_REQUESTS,
    )
    organiser = db.scalar(select(Account).where(Account.username == "organiser"))
    assert organiser is not None
    actor = actor_for_account(organiser)
    runs.schedule_event(db, event=event, actor=actor, time_limit=TIME_LIMIT, work_limit=WORK_LIMIT)
    service.publish(db, event=event, actor=actor)
    for r in late:
        service.set_request_state(
            db, actor=actor, request=r, to="accepted", note="accepted after publication"
        )
        r.answered_at = dt.datetime(2024, 4, 24, 12, 0, tzinfo=dt.UTC)
    # The morning's first hour has happened: most pairs came, a few did not.
    # Every tenth of them (at least one) is a no-show, whatever schedule the solver chose.
    first = {slots[0].id, slots[1].id}
    early = [
        m
        for m in db.scalars(select(Meeting).where(Meeting.event_id == event.id).order_by(Meeting.id))
        if m.slot_id in first
    ]
    for k, meeting in enumerate(early):
        if k % 10 == 9 or (k == len(early) - 1 and len(early) < 10):
            service.record_no_show(db, event=event, actor=actor, meeting=meeting)
        else:
            service.check_in(db, event=event, actor=actor, meeting=meeting)
    db.flush()
