"""Registration for the 2024 Zhongguancun Forum in the demo (示例数据): the seven categories with their
capacities, approval and visibility, about 1,200 registrations in every state the waiting list knows, and
places in the sessions that take registrations.

What it shows. The investors' category is full: its last freed place is offered to the first person waiting,
with a claim deadline, and the others wait in the order they registered (ids follow arrival, as the waiting
list reads them); media and VIP registrations wait for the organiser's approval, some were declined, some
people cancelled. The demo's investor and enterprise accounts hold confirmed registrations, so their badges can
be printed. One roadshow is full with a waiting list of its own.

The build is deterministic (its own generator, badge nonces drawn from it) except for one thing: the open
offer's claim deadline is two days after the build, since an offer past its deadline is expired on the next
read and the demo would never show one. The registration window is left open (no closing time) so that a
visitor of the demo can register for the forum.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from duijie.agenda.models import AgendaSession, SpeakerProfile
from duijie.core.db import utcnow
from duijie.core.demo_kit import DemoKit
from duijie.core.demo_kit.names import JOB_TITLES_EN
from duijie.core.demo_kit.pinyin import english_name
from duijie.directory.models import Account, Organisation, Person
from duijie.events.models import Event
from duijie.registration.models import Registration, RegistrationCategory, SessionRegistration

EVENT = "zgc-forum-2024"
# code -> (name_zh, name_en, capacity, requires approval, public, claim hours)
CATEGORIES: dict[str, tuple[str, str, int | None, bool, bool, int]] = {
    "guest": ("参会嘉宾", "Guest", 3000, False, True, 48),
    "speaker": ("演讲嘉宾", "Speaker", 1200, False, True, 48),
    "media": ("媒体记者", "Media", 200, True, True, 48),
    "exhibitor": ("参展商", "Exhibitor", 800, False, True, 48),
    "investor": ("投资机构", "Investor", 150, False, True, 48),
    "government": ("政府部门", "Government", 300, False, False, 48),
    "vip": ("特邀贵宾", "VIP", 100, True, False, 24),
}
# How many registrations of each category end in each state (the investors' 150 places are all held).
STATES: dict[str, dict[str, int]] = {
    "guest": {"confirmed": 600, "cancelled": 25},
    "speaker": {"confirmed": 120},
    "media": {"confirmed": 40, "pending": 12, "declined": 3, "cancelled": 2},
    "exhibitor": {"confirmed": 150, "cancelled": 6},
    "investor": {"confirmed": 149, "offered": 1, "waiting": 14, "expired": 1, "cancelled": 3},
    "government": {"confirmed": 60},
    "vip": {"confirmed": 30, "pending": 5},
}
OPENS = dt.datetime(2024, 3, 1, 1, 0, tzinfo=dt.UTC)
LAST = dt.datetime(2024, 4, 22, 10, 0, tzinfo=dt.UTC)
MEDIA = (("京华科技报（示例）", "Jinghua Science Daily (sample)"), ("中关村观察（示例）", "Zhongguancun Observer (sample)"),
         ("创新周刊（示例）", "Innovation Weekly (sample)"), ("Global Tech Review (sample)", "Global Tech Review (sample)"),
         ("亚洲财经频道（示例）", "Asia Finance Channel (sample)"))  # fmt: skip
FOREIGN = (("Anna Schmidt", "DE"), ("James Miller", "US"), ("Sophie Martin", "FR"), ("Luca Rossi", "IT"),
           ("Priya Sharma", "IN"), ("Lars Nielsen", "DK"), ("Maria Garcia", "ES"), ("David Cohen", "IL"))  # fmt: skip
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静磊洋勇艳杰娟涛明超秀霞平刚桂英华玲丹萍鹏辉宇浩凯健俊帆帅旭宁琳雪晨阳欣怡睿哲嘉子涵思远博文"
TITLES = {"guest": ("工程师", "产品经理", "市场总监", "博士研究生", "副教授"), "media": ("记者", "编辑"),
          "exhibitor": ("市场总监", "总经理", "产品经理"), "investor": ("投资经理", "投资总监", "合伙人"),
          "government": ("处长", "科员"), "vip": ("董事长", "首席执行官", "院长")}  # fmt: skip
DECLINED = "所填单位不是新闻媒体，请以参会嘉宾身份报名。"


@dataclass
class Who:
    """A registrant before the row is written."""

    name: str
    name_en: str
    organisation: str
    job_title: str
    country: str
    locale: str
    account_id: int | None = None
    email: str | None = None


def finish_demo(kit: DemoKit) -> None:
    """The 2024 forum's categories, registrations and session places (after the programme, a floor below)."""
    rng = kit.module_rng("registration")
    event = kit.get(Event, EVENT)
    categories = _categories(kit, event)
    ids = _registrations(kit, event, categories, rng)
    _session_places(kit, event, ids, rng)


def _categories(kit: DemoKit, event: Event) -> dict[str, RegistrationCategory]:
    out = {}
    for position, (code, (zh, en, capacity, approval, public, claim)) in enumerate(CATEGORIES.items()):
        out[code] = RegistrationCategory(event_id=event.id, code=code, name_zh=zh, name_en=en, capacity=capacity,
                                         requires_approval=approval, is_public=public, claim_hours=claim,
                                         opens_at=OPENS, position=position)  # fmt: skip
    kit.db.add_all(out.values())
    kit.db.flush()
    return out


def _people(kit: DemoKit, event: Event, code: str, count: int, rng: random.Random, used: set[str]) -> list[Who]:
    """Who registers in a category: the forum's speakers for `speaker`, the demo's accounts first for
    investors and exhibitors, generated people (one in ten from abroad) for the rest."""
    db = kit.db
    if code == "speaker":
        speakers = db.scalars(
            select(Person).join(SpeakerProfile, SpeakerProfile.person_id == Person.id)
            .where(SpeakerProfile.event_id == event.id).order_by(Person.id).limit(count)
        ).all()  # fmt: skip
        out: list[Who] = []
        for p in speakers:
            country = (p.organisation.country if p.organisation else None) or "CN"
            out.append(Who(p.name_zh, p.name_en or p.name_zh, p.organisation.name_zh if p.organisation else "",
                           p.title or "", country, "zh_CN" if country == "CN" else "en"))  # fmt: skip
        return out
    out = []
    own = {"investor": "investor", "exhibitor": "enterprise"}.get(code)
    if own:
        account = db.scalars(select(Account).where(Account.username == own)).one()
        person = account.person
        assert person is not None and person.organisation is not None
        out.append(Who(person.name_zh, person.name_en or person.name_zh, person.organisation.name_zh,
                       TITLES[code][-1], "CN", "zh_CN", account.id, person.email))  # fmt: skip
    kinds = {"investor": "investor", "exhibitor": "enterprise", "government": "government"}
    orgs = list(db.scalars(select(Organisation.name_zh).where(Organisation.kind == kinds.get(code, "enterprise"))
                           .order_by(Organisation.id)))  # fmt: skip
    while len(out) < count:
        foreign = code in ("guest", "investor", "media", "vip") and rng.random() < 0.1
        title = rng.choice(TITLES[code])
        org = rng.choice(MEDIA)[0] if code == "media" else rng.choice(orgs)
        if foreign:
            name, country = rng.choice(FOREIGN)
            out.append(Who(name, name, org, JOB_TITLES_EN[title], country, "en"))
            continue
        name = rng.choice(FAMILY) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
        if name in used:
            continue
        used.add(name)
        out.append(Who(name, english_name(name), org, title, "CN", "zh_CN"))
    return out


def _registrations(
    kit: DemoKit, event: Event, categories: dict[str, RegistrationCategory], rng: random.Random
) -> dict[str, list[int]]:
    """Every category's registrations, written in the order they arrived; returns the confirmed ids by
    category. The waiting and offered investors arrived last (after the places were gone), the offer going to
    the first of them."""
    rows: list[dict[str, Any]] = []
    used: set[str] = set()
    span = int((LAST - OPENS).total_seconds())
    for code, states in STATES.items():
        people = _people(kit, event, code, sum(states.values()), rng, used)
        late = {"offered", "waiting"}
        order = [s for s in states if s not in late] + [s for s in ("offered", "waiting") if s in states]
        stamps = sorted(rng.randrange(int(span * 0.8)) for _ in people)
        k = 0
        for state in order:
            for _ in range(states[state]):
                at = OPENS + dt.timedelta(seconds=stamps[k] if state not in late else int(span * 0.8) + k * 3600)
                rows.append(_row(event, categories[code], people[k], state, at, len(rows), rng))
                k += 1
    rows.sort(key=lambda r: r["created_at"])
    ids = kit.db.scalars(insert(Registration).returning(Registration.id, sort_by_parameter_order=True), rows).all()
    confirmed: dict[str, list[int]] = {}
    code_of = {c.id: code for code, c in categories.items()}
    for row, rid in zip(rows, ids, strict=True):
        if row["state"] == "confirmed":
            confirmed.setdefault(code_of[row["category_id"]], []).append(rid)
    return confirmed


def _row(
    event: Event, category: RegistrationCategory, who: Who, state: str, at: dt.datetime, n: int, rng: random.Random
) -> dict[str, Any]:
    offered = None
    if state == "offered":
        offered = utcnow().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=category.claim_hours)
    return {
        "event_id": event.id, "category_id": category.id, "account_id": who.account_id, "name": who.name,
        "name_en": who.name_en, "email": who.email or f"reg{n + 1:04d}@demo.duijie.invalid",
        "phone": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}", "organisation": who.organisation,
        "job_title": who.job_title, "country": who.country, "locale": who.locale, "state": state,
        "offered_until": offered, "consent_at": at, "answers": {},
        "decline_reason": DECLINED if state == "declined" else None, "badge_nonce": rng.randbytes(16).hex(),
        "created_at": at, "updated_at": at if state in ("confirmed", "pending", "waiting") else LAST,
    }  # fmt: skip


def _session_places(kit: DemoKit, event: Event, confirmed: dict[str, list[int]], rng: random.Random) -> None:
    """Places in the sessions that take registrations: the first one full with six people waiting in order,
    the others a third to four fifths taken, from the guests, investors and exhibitors confirmed."""
    sessions = list(kit.db.scalars(
        select(AgendaSession).where(AgendaSession.event_id == event.id, AgendaSession.capacity.is_not(None))
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ))  # fmt: skip
    people = [rid for code in ("guest", "investor", "exhibitor") for rid in confirmed.get(code, [])]
    rows: list[dict[str, Any]] = []
    for k, session in enumerate(sessions):
        capacity = session.capacity or 0
        taken = capacity if k == 0 else int(capacity * rng.uniform(0.33, 0.8))
        chosen = rng.sample(people, taken + (6 if k == 0 else 0))
        for n, rid in enumerate(chosen):
            at = LAST - dt.timedelta(days=10) + dt.timedelta(minutes=7 * n)
            state = "confirmed" if n < taken else "waiting"
            rows.append({"session_id": session.id, "registration_id": rid, "state": state, "created_at": at,
                         "updated_at": at})  # fmt: skip
    if rows:
        kit.db.execute(insert(SessionRegistration), rows)
