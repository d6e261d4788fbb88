"""The investment projects the Invest Beijing summits released, generated to their published count and total.

The 2023 summit released 152 projects worth 1,434 亿元, the 2024 one 231 worth 902.21 亿元; the demo makes
that many (enterprise financings, park and building cooperations, industrial land), each marked synthetic,
whose amounts add up to the published total exactly. Some are already in talks with an investor: the draw of
who and how far is made here, in the shared generator's order, and recorded as a `Negotiation` from which the
deals' demo makes the leads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from duijie.core.db import SYNTHETIC
from duijie.core.demo_kit import SRC_2023, SRC_2024, DemoKit, allocate
from duijie.core.demo_kit import names as N
from duijie.directory.demo import PROJECT_CATEGORIES, org
from duijie.directory.models import Organisation
from duijie.directory.reference import DISTRICT_EN, DISTRICT_SLUG, INDUSTRY_EN
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity

PHASES_ZH = ("一期", "二期", "三期", "四期", "五期", "六期")
# Per summit: its source, and how many of its released projects the demo shows in talks.
SUMMITS = (("invest-beijing-2023", SRC_2023, 24), ("invest-beijing-2024", SRC_2024, 35))
INDUSTRIES = ["新一代信息技术", "医药健康", "智能制造与装备", "科技服务", "集成电路", "人工智能", "绿色能源与节能环保"]
CATEGORY_ZH = {
    "enterprise_financing": "企业融资",
    "park_cooperation": "园区合作",
    "building_cooperation": "楼宇合作",
    "land_financing": "土地融资",
}
STAGE_OF_ROUND = {"天使轮": "seed", "A轮": "early", "B轮": "growth", "C轮": "growth", "Pre-IPO轮": "mature"}
# How far the talks on a project have come (the stage of its lead in the deal pipeline), drawn with these odds.
TALKS = ("negotiating", "negotiating", "intention", "contacted")


@dataclass
class Negotiation:
    """A released project in talks: its owner, with which investor, and how far (a deal stage)."""

    opportunity: Opportunity
    owner: Organisation
    investor: Organisation
    stage: str


@dataclass
class Released:
    """What the released projects leave for a later step: the projects in talks, in the order drawn."""

    negotiations: list[Negotiation] = field(default_factory=list)


@dataclass
class _Project:
    title_zh: str
    title_en: str
    summary_zh: str
    summary_en: str
    owner: Organisation
    stage: str | None = None


def seed_demo(kit: DemoKit) -> None:
    """Both summits' released projects."""
    for slug, source, negotiating in SUMMITS:
        released_projects(kit, slug, source, negotiating=negotiating)


def released_projects(kit: DemoKit, slug: str, source: str, *, negotiating: int) -> None:
    """A summit's released projects: as many as published, adding up to the published amount."""
    rng = kit.rng
    spec = kit.event_facts(slug)
    event = kit.get(Event, slug)
    count = spec["projects_released"]["count"]
    total = Decimal(str(spec["projects_released"]["total_yi_yuan"]))
    industries = INDUSTRIES + (["软件和信息服务"] if slug.endswith("2023") else [])
    districts = kit.facts["districts_beijing"]
    amounts = allocate(total, [None] * count, rng)
    negotiating_idx = set(rng.sample(range(count), negotiating))
    used_titles: dict[str, int] = {}
    for i in range(count):
        category = (
            PROJECT_CATEGORIES[i % 4] if i < 8 else rng.choices(PROJECT_CATEGORIES, weights=[4, 3, 2, 2])[0]
        )
        industry = rng.choice(industries)
        district = rng.choice(districts)
        if category == "enterprise_financing":
            project = _financing(kit, f"ent-{event.starts_on.year}-{i:03d}", industry, district)
        else:
            project = _space(kit, category, industry, district, event.starts_on.year, i)
        # A district offering a second park or building of the same kind calls it a later phase (二期).
        phase = used_titles[project.title_zh] = used_titles.get(project.title_zh, 0) + 1
        if phase > 1:
            project.title_zh = f"{project.title_zh}（{PHASES_ZH[min(phase, len(PHASES_ZH)) - 1]}）"
            project.title_en = f"{project.title_en} (phase {phase})"
        opp = Opportunity(
            external_id=f"{slug}-P{i + 1:03d}",
            event=event,
            kind="investment_project",
            title_zh=project.title_zh,
            title_en=project.title_en,
            summary_zh=project.summary_zh,
            summary_en=project.summary_en,
            category=category,
            industry=industry,
            district=district,
            amount=amounts[i],
            stage=project.stage,
            owner=project.owner,
            status="negotiating" if i in negotiating_idx else "published",
            published_at=dt.datetime.combine(event.starts_on, dt.time(9, 0), tzinfo=dt.UTC),
            contact_name=f"{CATEGORY_ZH[category]}项目联系人（示例）",
            contact_phone="010-6000" + f"{i:04d}"[-4:],
            provenance=SYNTHETIC,
        )
        kit.db.add(opp)
        kit.summary.opportunities += 1
        if i in negotiating_idx:
            investor = kit.get(Organisation, f"investor-{rng.randrange(len(N.INVESTOR_STEMS)) + 1:02d}")
            talk = Negotiation(opp, project.owner, investor, rng.choice(TALKS))
            kit.part(Released).negotiations.append(talk)


def _short(district: str) -> str:
    return district.removesuffix("区") if district != "北京经济技术开发区" else "经开区"


def _financing(kit: DemoKit, slug: str, industry: str, district: str) -> _Project:
    """An equity round of a new (generated) company of the industry in the district."""
    company_zh, company_en = kit.company_name(industry)
    rnd_zh, rnd_en = kit.rng.choice(N.FINANCING_ROUNDS)
    owner = org(kit, slug, kind="enterprise", name_zh=company_zh, name_en=company_en, industries=[industry],
                district=district, provenance=SYNTHETIC)  # fmt: skip
    dist_en = DISTRICT_EN[district].removesuffix(" District")
    return _Project(
        title_zh=f"{company_zh.removesuffix('有限公司')}{rnd_zh}融资",
        title_en=f"{company_en.removesuffix(' Co., Ltd.')} {rnd_en} financing",
        summary_zh=f"{_short(district)}{industry}企业{rnd_zh}股权融资，资金用于研发投入与产能建设。",
        summary_en=f"{rnd_en} equity round of a {INDUSTRY_EN[industry].lower()} company in {dist_en}, "
        "for R&D and capacity.",
        owner=owner,
        stage=STAGE_OF_ROUND[rnd_zh],
    )


def _space(kit: DemoKit, category: str, industry: str, district: str, year: int, i: int) -> _Project:
    """A district government's park, building or land offered for the industry."""
    short = _short(district)
    dist_en = DISTRICT_EN[district].removesuffix(" District")
    ind_en = INDUSTRY_EN[industry]
    owner = kit.get(Organisation, f"gov-{DISTRICT_SLUG[district]}")
    if category == "park_cooperation":
        return _Project(
            f"{short}{industry}产业园合作项目",
            f"{dist_en} {ind_en} industrial park cooperation",
            f"面向{industry}企业的专业园区，提供研发、中试和生产空间，园区运营方寻求共建合作。",
            f"A specialised park for {ind_en.lower()} firms with R&D, pilot and production space, "
            "seeking co-development partners.",
            owner,
        )
    if category == "building_cooperation":
        b_zh, b_en = kit.rng.choice(N.BUILDINGS)
        return _Project(
            f"{short}{b_zh}楼宇招商项目",
            f"{dist_en} {b_en} tenancy",
            f"{short}甲级写字楼整层招租，重点引进{industry}领域总部及研发中心。",
            f"Grade-A office floors in {dist_en} for {ind_en.lower()} headquarters and R&D centres.",
            owner,
        )
    plot = f"{short[:2]}-{year % 100:02d}-{i + 1:03d}"
    return _Project(
        f"{short}{industry}产业用地项目（{plot}地块）",
        f"{dist_en} {ind_en} industrial land (plot {DISTRICT_SLUG[district].upper()}{plot[len(short[:2]) :]})",
        f"{short}规划工业用地，适宜{industry}项目落地，可按“标准地”方式出让。",
        f"Zoned industrial land in {dist_en} suited to {ind_en.lower()} projects, offered as ready-to-build plots.",
        owner,
    )
