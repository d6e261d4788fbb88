"""The demo data set, built deterministically from the facts file of the source documents.

Every named organisation, project, policy package, achievement and award is real and carries the seed file it
comes from as its provenance. What the published figures need beyond that (the other released projects, the
rest of the signed deals, investors, amounts the reports give only as totals) is generated with a fixed seed,
marked `synthetic` (示例数据), and sized so that the platform's own statistics reproduce the published totals
exactly: amounts are allocated in units of 0.01 亿元 and the last unit of rounding goes to the largest item.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from duijie.contest.models import Award, ContestEntry, ContestField, ContestRegion
from duijie.core.auth import hash_password
from duijie.core.db import SYNTHETIC
from duijie.deals.models import Deal, DealHistory, DealParty
from duijie.demo import names as N
from duijie.directory.models import Account, Organisation, Person, RoleAssignment
from duijie.events.models import Event, PublishedFigure
from duijie.exhibition.models import Achievement
from duijie.marketplace.models import Opportunity
from duijie.policies.models import PolicyPackage

FACTS_FILE = Path(__file__).with_name("seed_facts.yaml")
SRC_2023 = "000_41e0bd28c136a3b5.txt"
SRC_2024 = "001_6293e60d3791e49e.txt"
SRC_FORUM_2023 = "002_0d3dc82d5ef89841.txt"
PHASES_ZH = ("一期", "二期", "三期", "四期", "五期", "六期")
UNIT = Decimal(1_000_000)  # 0.01 亿元 in yuan: the resolution of every generated amount
YI = Decimal(100_000_000)
DEMO_SEED = 20230526
# Modules whose `demo.py` adds to the demo, in this order (later ones may use what earlier ones made).
DEMO_EXTENSIONS = (
    "policies",
    "exhibition",
    "agenda",
    "deals",
    "meetings",
    "contest",
    "marketplace",
    "text",
    "matching",
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    who: str


DEMO_ACCOUNTS = (
    DemoAccount("organiser", "organiser-demo", "organiser", "北京市投资促进服务中心 · 主办方"),
    DemoAccount("haidian", "district-demo", "district", "海淀区人民政府 · 区政府"),
    DemoAccount("enterprise", "enterprise-demo", "enterprise", "星河智能科技（示例） · 企业"),
    DemoAccount("investor", "investor-demo", "investor", "京华创新投资（示例） · 投资机构"),
    DemoAccount("judge", "judge-demo", "judge", "第七届前沿科技大赛 · 评委（示例）"),
)


@dataclass
class DemoSummary:
    events: int = 0
    organisations: int = 0
    opportunities: int = 0
    deals: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)


def load_facts() -> dict[str, Any]:
    with FACTS_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def allocate(
    total_yi: Decimal, fixed: list[Decimal | None], rng: random.Random, *, sigma: float = 0.9
) -> list[Decimal]:
    """Split `total_yi` (亿元) into len(fixed) yuan amounts in 0.01 亿元 units that add up exactly.

    Entries given in `fixed` keep their amount; the others get lognormal shares of what is left, each at least
    one unit, the rounding remainder going to the largest share.
    """
    total_units = int((total_yi * 100).to_integral_value())
    fixed_units = [None if f is None else int((f / UNIT).to_integral_value()) for f in fixed]
    free = [i for i, f in enumerate(fixed_units) if f is None]
    remaining = total_units - sum(f for f in fixed_units if f is not None)
    if remaining < len(free):
        raise ValueError(
            f"cannot split {total_yi} 亿元: fixed amounts leave {remaining} units for {len(free)} items"
        )
    weights = [rng.lognormvariate(0.0, sigma) for _ in free]
    scale = (remaining - len(free)) / sum(weights) if free else 0
    units = [1 + int(w * scale) for w in weights]
    if free:
        largest = max(range(len(free)), key=lambda k: units[k])
        units[largest] += remaining - sum(units)
    result = list(fixed_units)
    for k, i in enumerate(free):
        result[i] = units[k]
    return [Decimal(u) * UNIT for u in result]  # type: ignore[operator]


class DemoBuilder:
    """Builds the demo into an empty database inside the caller's transaction."""

    def __init__(self, db: Session, *, seed: int = DEMO_SEED) -> None:
        self.db = db
        self.seed = seed
        self.rng = random.Random(seed)
        self.facts = load_facts()
        self.orgs: dict[str, Organisation] = {}
        self.events: dict[str, Event] = {}
        self.summary = DemoSummary()
        self._used_names: set[str] = set()

    # -- helpers -----------------------------------------------------------------------------------------
    def org(self, slug: str, **kwargs: Any) -> Organisation:
        if slug in self.orgs:
            return self.orgs[slug]
        org = Organisation(slug=slug, **kwargs)
        self.db.add(org)
        self.orgs[slug] = org
        self.summary.organisations += 1
        return org

    def figure(
        self,
        event: Event,
        key: str,
        value: str,
        unit: str,
        zh: str,
        en: str,
        source: str,
        q: str | None = None,
    ) -> None:
        event.figures.append(
            PublishedFigure(
                key=key,
                value=Decimal(value),
                unit=unit,
                qualifier=q,
                label_zh=zh,
                label_en=en,
                provenance=source,
            )
        )

    def company_name(self, industry: str) -> tuple[str, str]:
        """A plausible, unused synthetic company name for the industry, with its English form.

        Picks among the stems not yet used with this trade; when all are taken, joins two stems, so the demo
        never runs out of names however many companies a module asks for.
        """
        trade_zh, trade_en = N.INDUSTRY_TRADE.get(industry, ("科技", "Technology"))
        stems = list(zip(N.NAME_STEMS, N.NAME_STEMS_EN, strict=True))
        for pool in (stems, [(a + b, f"{ae}{be.lower()}") for a, ae in stems for b, be in stems if a != b]):
            free = [(zh, en) for zh, en in pool if f"{zh}{trade_zh}有限公司" not in self._used_names]
            if free:
                zh, en = free[self.rng.randrange(len(free))]
                self._used_names.add(f"{zh}{trade_zh}有限公司")
                return f"{zh}{trade_zh}有限公司", f"{en} {trade_en} Co., Ltd."
        raise RuntimeError("ran out of synthetic company names")

    # -- the parts ---------------------------------------------------------------------------------------
    def build(self) -> DemoSummary:
        self.governments()
        self.build_events()
        self.named_organisations()
        self.investors()
        self.released_projects("invest-beijing-2023", SRC_2023, negotiating=24)
        self.released_projects("invest-beijing-2024", SRC_2024, negotiating=35)
        self.signed_deals_2023()
        self.signed_deals_2024()
        self.policy_packages()
        self.achievements()
        self.contest_awards()
        self.accounts()
        self.describe_profiles()
        self.db.flush()
        self.extensions()
        self.db.flush()
        return self.summary

    def describe_profiles(self) -> None:
        """Give each generated (synthetic) enterprise and investor without a description a short one in both languages,
        from its industries: matching and search compare these texts, and an empty profile matches on
        structure alone. A generator of its own keeps every other generated figure where it was."""
        rng = self.module_rng("profiles")
        for slug in sorted(self.orgs):
            org = self.orgs[slug]
            # Real organisations named in the reports keep what the reports say of them, which is nothing here.
            if (
                org.description_zh
                or org.kind not in ("enterprise", "investor")
                or org.provenance != SYNTHETIC
            ):
                continue
            if org.kind == "enterprise":
                industry = next((i for i in org.industries or [] if i in N.FOCUS), None)
                if industry is None:
                    continue
                (f1, e1), (f2, e2) = rng.sample(N.FOCUS[industry], 2)
                close, close_en = rng.choice(N.STANDING)
                org.description_zh = f"{industry}领域企业，主要从事{f1}和{f2}，{close}。"
                org.description_en = (
                    f"A company in {N.INDUSTRY_EN.get(industry, industry).lower()} working on {e1} and {e2}; "
                    f"{close_en}."
                )
            else:
                wanted = [i for i in (org.preferences or {}).get("industries") or [] if i in N.FOCUS][:2]
                if not wanted:
                    continue
                picks = [rng.choice(N.FOCUS[i]) for i in wanted]
                org.description_zh = (
                    "重点投资"
                    + "、".join(f"{i}（{zh}）" for i, (zh, _en) in zip(wanted, picks, strict=True))
                    + "等方向的科技企业。"
                )
                org.description_en = (
                    "Invests in technology companies in "
                    + " and ".join(
                        f"{N.INDUSTRY_EN.get(i, i).lower()} ({en})"
                        for i, (_zh, en) in zip(wanted, picks, strict=True)
                    )
                    + "."
                )

    def module_rng(self, module: str) -> random.Random:
        """A generator of its own per module, so one module's demo data does not shift another's."""
        return random.Random(f"{self.seed}-{module}")

    def extensions(self) -> None:
        """Let each feature module add its part of the demo (`duijie/<module>/demo.py: extend_demo(builder)`)."""
        for module in DEMO_EXTENSIONS:
            name = f"duijie.{module}.demo"
            if importlib.util.find_spec(name) is not None:
                importlib.import_module(name).extend_demo(self)

    def governments(self) -> None:
        self.org(
            "gov-beijing",
            kind="government",
            name_zh="北京市人民政府",
            name_en="Beijing Municipal People's Government",
            district=None,
            provenance=SRC_2023,
        )
        self.org(
            "bipsc",
            kind="government",
            name_zh="北京市投资促进服务中心",
            name_en="Beijing Investment Promotion Service Center",
            provenance=SYNTHETIC,
            description_zh="示例：负责投资北京大会组织与项目对接的主办方账户。",
        )
        for district in self.facts["districts_beijing"]:
            slug = N.DISTRICT_SLUG[district]
            if district == "北京经济技术开发区":
                zh, en = (
                    "北京经济技术开发区管理委员会",
                    "Beijing Economic-Technological Development Area Administrative Committee",
                )
            else:
                zh, en = f"{district}人民政府", f"{N.DISTRICT_EN[district]} People's Government"
            self.org(
                f"gov-{slug}",
                kind="government",
                name_zh=zh,
                name_en=en,
                district=district,
                provenance=SYNTHETIC,
            )
        for park in ("中关村科学城", "怀柔科学城", "未来科学城", "创新型产业集群示范区"):
            self.org(
                f"park-{len(self.orgs)}",
                kind="park",
                name_zh=park,
                name_en={
                    "中关村科学城": "Zhongguancun Science City",
                    "怀柔科学城": "Huairou Science City",
                    "未来科学城": "Future Science City",
                    "创新型产业集群示范区": "Innovative Industrial Cluster Demonstration Zone",
                }[park],
                district={
                    "中关村科学城": "海淀区",
                    "怀柔科学城": "怀柔区",
                    "未来科学城": "昌平区",
                    "创新型产业集群示范区": None,
                }[park],
                provenance="004_09d51b0d93aa0b61.txt",
            )

    def build_events(self) -> None:
        facts = self.facts
        forum23 = next(f for f in facts["forums"] if f["id"] == "zgc-forum-2023")
        forum24 = next(f for f in facts["forums"] if f["id"] == "zgc-forum-2024")
        e = self.events
        e["zgc-forum-2023"] = Event(
            slug="zgc-forum-2023",
            kind="forum",
            name_zh="2023中关村论坛",
            name_en="2023 Zhongguancun Forum",
            theme_zh=forum23["theme"],
            theme_en="Open Cooperation for a Shared Future",
            starts_on=dt.date(2023, 5, 25),
            ends_on=dt.date(2023, 5, 30),
            provenance=SRC_FORUM_2023,
            description_zh="论坛会议、展览展示、技术交易、成果发布、前沿大赛以及配套活动六大板块。",
            description_en="Six pillars: conference sessions, exhibition, technology trading, achievement releases, "
            "the frontier technology contest, and side events.",
        )
        e["zgc-forum-2024"] = Event(
            slug="zgc-forum-2024",
            kind="forum",
            name_zh="2024中关村论坛年会",
            name_en="2024 Zhongguancun Forum Annual Conference",
            theme_zh=forum24["theme"],
            theme_en="Innovation: Building a Better World",
            starts_on=dt.date(2024, 4, 25),
            ends_on=dt.date(2024, 4, 29),
            provenance=SRC_2024,
        )
        for spec in facts["events"]:
            year = 2023 if spec["id"].endswith("2023") else 2024
            date = dt.date.fromisoformat(str(spec["date"]))
            e[spec["id"]] = Event(
                slug=spec["id"],
                kind="summit",
                parent=e[f"zgc-forum-{year}"],
                name_zh="投资北京全球峰会" if year == 2023 else "2024年投资北京大会",
                name_en="Invest Beijing Global Summit 2023"
                if year == 2023
                else "Invest Beijing Conference 2024",
                starts_on=date,
                ends_on=date,
                format=spec.get("format"),
                provenance=spec["source"],
                description_zh=(
                    "由北京市政府主办，首次在中关村论坛期间举办：发布招商引资项目，签约重大项目，发布10个招商引资“政策服务包”。"
                    if year == 2023
                    else "首次设置企业展示与投资咨询洽谈，就项目投融资、空间资源对接、技术和渠道合作等进行深入交流。"
                ),
                description_en=(
                    "Hosted by the Beijing Municipal Government, for the first time during the Zhongguancun Forum: "
                    "investment projects released, major projects signed, ten policy service packages."
                    if year == 2023
                    else "For the first time with company showcases and investment consultations on project financing, "
                    "space resources, technology and channel cooperation."
                ),
            )
            ev = e[spec["id"]]
            rel, sig = spec["projects_released"], spec["projects_signed"]
            src = spec["source"]
            self.figure(
                ev, "released_count", str(rel["count"]), "个", "发布招商项目", "Projects released", src
            )
            self.figure(
                ev,
                "released_amount",
                str(rel["total_yi_yuan"]),
                "亿元",
                "招商总额",
                "Total of released projects",
                src,
            )
            self.figure(ev, "signed_count", str(sig["count"]), "个", "签约项目", "Projects signed", src)
            signed_total = sig.get("total_yi_yuan", sig.get("total_yi_yuan_min"))
            self.figure(
                ev,
                "signed_amount",
                str(signed_total),
                "亿元",
                "签约金额",
                "Amount signed",
                src,
                q="超" if year == 2024 or "超过" in str(sig.get("note", "")) else None,
            )
        c7 = next(c for c in facts["competitions"] if c["id"] == "frontier-contest-7")
        e["frontier-contest-7"] = Event(
            slug="frontier-contest-7",
            kind="contest",
            parent=e["zgc-forum-2024"],
            name_zh="第七届中关村国际前沿科技大赛",
            name_en="7th Zhongguancun International Frontier Technology Contest",
            theme_zh=c7["theme"],
            theme_en="Opening new frontier tracks, fostering new drivers of growth",
            starts_on=dt.date(2023, 3, 1),
            ends_on=dt.date(2024, 4, 25),
            provenance=c7["source"],
        )
        ev = e["frontier-contest-7"]
        self.figure(ev, "entries", "3164", "个", "参赛项目", "Entries", c7["source"])
        self.figure(ev, "countries", "75", "个", "国家和地区", "Countries and regions", c7["source"])
        self.figure(
            ev,
            "preliminary_contests",
            "59",
            "场",
            "区域赛和领域赛",
            "Regional and field contests",
            c7["source"],
        )
        self.figure(ev, "finalists", "22", "个", "总决赛项目", "Finalists", c7["source"])
        f23 = e["zgc-forum-2023"]
        self.figure(f23, "countries", "86", "个", "国家和地区", "Countries and regions", SRC_FORUM_2023)
        self.figure(
            f23, "participants", "5000", "名", "现场参会嘉宾", "On-site participants", SRC_FORUM_2023, q="余"
        )
        self.figure(f23, "speakers", "1160", "名", "演讲嘉宾", "Speakers", SRC_FORUM_2023, q="余")
        self.figure(f23, "exhibitors", "650", "家", "参展企业机构", "Exhibitors", SRC_FORUM_2023, q="约")
        self.figure(
            f23, "trading_events", "26", "场", "技术交易活动", "Technology trading events", SRC_FORUM_2023
        )
        self.figure(
            f23,
            "trading_agreements",
            "129",
            "项",
            "签约技术交易项目",
            "Technology agreements signed",
            SRC_FORUM_2023,
        )
        self.figure(
            f23,
            "trading_amount",
            "810",
            "亿元",
            "技术交易签约金额",
            "Technology trading amount",
            SRC_FORUM_2023,
            q="超",
        )
        for ev in e.values():
            self.db.add(ev)
        self.summary.events = len(e)

    def named_organisations(self) -> None:
        s3, s4 = SRC_2023, SRC_2024
        spec: list[tuple[str, str, str, str, list[str], list[str], str | None, str]] = [
            # slug, zh, en, country, industries, flags, district, source
            ("lvzhu-bio", "绿竹生物", "Lvzhu Biotechnology", "CN", ["生物科技"], ["specialised"], None, s3),
            ("sinocelltech", "神州细胞", "Sinocelltech", "CN", ["生物科技"], ["specialised"], None, s3),
            ("hainachuan", "海纳川", "Hainachuan", "CN", ["智能网联汽车"], ["specialised"], None, s3),
            (
                "zhongji-lianhe",
                "中际联合",
                "Zhongji Lianhe",
                "CN",
                ["绿色能源与节能环保"],
                ["specialised"],
                None,
                s3,
            ),
            (
                "hyperstrong",
                "海博思创",
                "HyperStrong",
                "CN",
                ["绿色能源与节能环保"],
                ["specialised"],
                None,
                s3,
            ),
            ("cmg", "中央广播电视总台", "China Media Group", "CN", ["新一代信息技术"], [], None, s3),
            (
                "xiaomi-robotics",
                "小米机器人公司",
                "Xiaomi Robotics",
                "CN",
                ["机器人"],
                [],
                "北京经济技术开发区",
                s3,
            ),
            (
                "rge",
                "新加坡金鹰集团",
                "Royal Golden Eagle (Singapore)",
                "SG",
                [],
                ["foreign_invested"],
                None,
                s3,
            ),
            ("kuaishou", "快手集团", "Kuaishou Group", "CN", ["软件和信息服务"], [], None, s3),
            (
                "linewell",
                "南威软件集团",
                "Linewell Software Group",
                "CN",
                ["软件和信息服务"],
                ["headquarters"],
                None,
                s3,
            ),
            ("norbo", "挪宝能源", "Norbo Energy", "CN", ["绿色能源与节能环保"], ["headquarters"], None, s3),
            (
                "goldwind-zc",
                "金风零碳能源",
                "Goldwind Zero-Carbon Energy",
                "CN",
                ["绿色能源与节能环保"],
                ["headquarters"],
                None,
                s3,
            ),
            (
                "weilai-heikeji",
                "未来黑科技",
                "Weilai Heikeji",
                "CN",
                ["新一代信息技术"],
                ["headquarters"],
                None,
                s3,
            ),
            ("kunpeng-gene", "鲲鹏基因", "Kunpeng Genetics", "CN", ["医药健康"], ["headquarters"], None, s3),
            (
                "genertec",
                "通用技术集团",
                "China General Technology (Group)",
                "CN",
                ["医药健康"],
                [],
                None,
                s3,
            ),
            ("jd", "京东", "JD.com", "CN", ["软件和信息服务"], [], None, s3),
            ("glp", "普洛斯", "GLP", "SG", ["智能制造与装备"], ["foreign_invested"], "顺义区", s4),
            (
                "bfda",
                "北京福田戴姆勒",
                "Beijing Foton Daimler Automotive",
                "CN",
                ["智能制造与装备"],
                [],
                "怀柔区",
                s4,
            ),
            (
                "ranli",
                "北京燃力能源科技有限公司",
                "Beijing Ranli Energy Technology Co., Ltd.",
                "CN",
                ["绿色能源与节能环保"],
                ["specialised", "little_giant"],
                "通州区",
                s4,
            ),
            (
                "xsky",
                "北京星辰天合科技股份有限公司",
                "XSKY Beijing Data Technology Co., Ltd.",
                "CN",
                ["软件和信息服务"],
                ["specialised", "little_giant"],
                None,
                s4,
            ),
            (
                "mranti",
                "马来西亚科技与创新研究加速器",
                "MRANTI (Malaysian Research Accelerator for Technology and Innovation)",
                "MY",
                ["科技服务"],
                [],
                None,
                s4,
            ),
        ]
        for slug, zh, en, country, industries, flags, district, source in spec:
            kind = "institute" if slug == "mranti" else "enterprise"
            self.org(
                slug,
                kind=kind,
                name_zh=zh,
                name_en=en,
                country=country,
                industries=industries,
                flags=flags,
                district=district,
                provenance=source,
            )
        # The demo enterprise account's company: synthetic, with facts for the policy self-check.
        self.org(
            "demo-xinghe",
            kind="enterprise",
            name_zh="星河智能科技（示例）",
            name_en="Xinghe Intelligent Technology (sample)",
            industries=["人工智能", "软件和信息服务"],
            flags=["high_tech", "specialised"],
            district="海淀区",
            park="中关村科学城",
            provenance=SYNTHETIC,
            description_zh="示例企业：面向工业质检的视觉大模型与边缘智能设备。",
            description_en="Sample company: vision foundation models and edge AI devices for industrial inspection.",
            facts={
                "founded_on": "2018-06-12",
                "revenue": "180000000",
                "rd_spend": "32000000",
                "headcount": 260,
            },
        )

    def investors(self) -> None:
        industries = self.facts["industries_beijing"]
        districts = self.facts["districts_beijing"]
        for k, (zh, en) in enumerate(N.INVESTOR_STEMS):
            foreign = zh.isascii()
            lo = self.rng.choice(
                [Decimal(10_000_000), Decimal(50_000_000), Decimal(100_000_000), Decimal(300_000_000)]
            )
            self.org(
                f"investor-{k + 1:02d}",
                kind="investor",
                name_zh=zh if foreign else f"{zh}（示例）",
                name_en=f"{en} (sample)",
                country=self.rng.choice(["GB", "US", "SG", "DE"]) if foreign else "CN",
                industries=self.rng.sample(industries, 3),
                provenance=SYNTHETIC,
                preferences={
                    "industries": self.rng.sample(industries, 3),
                    "districts": self.rng.sample(districts, 2),
                    "categories": self.rng.sample(
                        [
                            "enterprise_financing",
                            "park_cooperation",
                            "building_cooperation",
                            "land_financing",
                        ],
                        2,
                    ),
                    "stages": self.rng.sample(["seed", "early", "growth", "mature"], 2),
                    "ticket_min": str(lo),
                    "ticket_max": str(lo * 10),
                },
            )

    def released_projects(self, slug: str, source: str, *, negotiating: int) -> None:
        spec = next(s for s in self.facts["events"] if s["id"] == slug)
        event = self.events[slug]
        count = spec["projects_released"]["count"]
        total = Decimal(str(spec["projects_released"]["total_yi_yuan"]))
        industries = [
            "新一代信息技术",
            "医药健康",
            "智能制造与装备",
            "科技服务",
            "集成电路",
            "人工智能",
            "绿色能源与节能环保",
        ] + (["软件和信息服务"] if slug.endswith("2023") else [])
        districts = self.facts["districts_beijing"]
        categories = ["enterprise_financing", "park_cooperation", "building_cooperation", "land_financing"]
        cat_zh = {
            "enterprise_financing": "企业融资",
            "park_cooperation": "园区合作",
            "building_cooperation": "楼宇合作",
            "land_financing": "土地融资",
        }
        amounts = allocate(total, [None] * count, self.rng)
        negotiating_idx = set(self.rng.sample(range(count), negotiating))
        year = event.starts_on.year
        used_titles: dict[str, int] = {}
        for i in range(count):
            category = categories[i % 4] if i < 8 else self.rng.choices(categories, weights=[4, 3, 2, 2])[0]
            industry = self.rng.choice(industries)
            district = self.rng.choice(districts)
            short = district.removesuffix("区") if district != "北京经济技术开发区" else "经开区"
            dist_en = N.DISTRICT_EN[district].removesuffix(" District")
            ind_en = N.INDUSTRY_EN[industry]
            owner: Organisation
            if category == "enterprise_financing":
                company_zh, company_en = self.company_name(industry)
                rnd_zh, rnd_en = self.rng.choice(N.FINANCING_ROUNDS)
                title_zh, title_en = (
                    f"{company_zh.removesuffix('有限公司')}{rnd_zh}融资",
                    f"{company_en.removesuffix(' Co., Ltd.')} {rnd_en} financing",
                )
                owner = self.org(
                    f"ent-{year}-{i:03d}",
                    kind="enterprise",
                    name_zh=company_zh,
                    name_en=company_en,
                    industries=[industry],
                    district=district,
                    provenance=SYNTHETIC,
                )
                summary_zh = f"{short}{industry}企业{rnd_zh}股权融资，资金用于研发投入与产能建设。"
                summary_en = (
                    f"{rnd_en} equity round of a {ind_en.lower()} company in {dist_en}, for R&D and capacity."
                )
                stage = {
                    "天使轮": "seed",
                    "A轮": "early",
                    "B轮": "growth",
                    "C轮": "growth",
                    "Pre-IPO轮": "mature",
                }[rnd_zh]
            else:
                owner = self.orgs[f"gov-{N.DISTRICT_SLUG[district]}"]
                stage = None
                if category == "park_cooperation":
                    title_zh, title_en = (
                        f"{short}{industry}产业园合作项目",
                        f"{dist_en} {ind_en} industrial park cooperation",
                    )
                    summary_zh = (
                        f"面向{industry}企业的专业园区，提供研发、中试和生产空间，园区运营方寻求共建合作。"
                    )
                    summary_en = f"A specialised park for {ind_en.lower()} firms with R&D, pilot and production space, seeking co-development partners."
                elif category == "building_cooperation":
                    b_zh, b_en = self.rng.choice(N.BUILDINGS)
                    title_zh, title_en = f"{short}{b_zh}楼宇招商项目", f"{dist_en} {b_en} tenancy"
                    summary_zh = f"{short}甲级写字楼整层招租，重点引进{industry}领域总部及研发中心。"
                    summary_en = f"Grade-A office floors in {dist_en} for {ind_en.lower()} headquarters and R&D centres."
                else:
                    plot = f"{short[:2]}-{year % 100:02d}-{i + 1:03d}"
                    title_zh, title_en = (
                        f"{short}{industry}产业用地项目（{plot}地块）",
                        f"{dist_en} {ind_en} industrial land (plot {N.DISTRICT_SLUG[district].upper()}{plot[len(short[:2]) :]})",
                    )
                    summary_zh = f"{short}规划工业用地，适宜{industry}项目落地，可按“标准地”方式出让。"
                    summary_en = f"Zoned industrial land in {dist_en} suited to {ind_en.lower()} projects, offered as ready-to-build plots."
            # A district offering a second park or building of the same kind calls it a later phase (二期).
            phase = used_titles[title_zh] = used_titles.get(title_zh, 0) + 1
            if phase > 1:
                title_zh = f"{title_zh}（{PHASES_ZH[min(phase, len(PHASES_ZH)) - 1]}）"
                title_en = f"{title_en} (phase {phase})"
            opp = Opportunity(
                external_id=f"{slug}-P{i + 1:03d}",
                event=event,
                kind="investment_project",
                title_zh=title_zh,
                title_en=title_en,
                summary_zh=summary_zh,
                summary_en=summary_en,
                category=category,
                industry=industry,
                district=district,
                amount=amounts[i],
                stage=stage,
                owner=owner,
                status="negotiating" if i in negotiating_idx else "published",
                published_at=dt.datetime.combine(event.starts_on, dt.time(9, 0), tzinfo=dt.UTC),
                contact_name=f"{cat_zh[category]}项目联系人（示例）",
                contact_phone="010-6000" + f"{i:04d}"[-4:],
                provenance=SYNTHETIC,
            )
            self.db.add(opp)
            self.summary.opportunities += 1
            if i in negotiating_idx:
                investor = self.orgs[f"investor-{self.rng.randrange(len(N.INVESTOR_STEMS)) + 1:02d}"]
                deal = Deal(
                    external_id=f"{slug}-L{i + 1:03d}",
                    event=event,
                    opportunity=opp,
                    title_zh=title_zh,
                    title_en=title_en,
                    stage=self.rng.choice(["negotiating", "negotiating", "agreed", "contacted"]),
                    category=category,
                    industry=industry,
                    district=district,
                    planned_amount=amounts[i],
                    provenance=SYNTHETIC,
                )
                deal.parties = [
                    DealParty(
                        organisation=owner,
                        role="district_government" if owner.kind == "government" else "enterprise",
                    ),
                    DealParty(organisation=investor, role="investor"),
                ]
                deal.history = [DealHistory(action="create", after={"stage": deal.stage}, note="示例数据")]
                self.db.add(deal)
                self.summary.deals += 1

    def _deal(
        self,
        event: Event,
        ext: str,
        title_zh: str,
        title_en: str,
        amount: Decimal,
        *,
        industry: str | None,
        district: str | None,
        parties: list[tuple[Organisation, str]],
        source: str,
        estimated: bool,
        description: str | None = None,
        category: str | None = None,
    ) -> Deal:
        deal = Deal(
            external_id=ext,
            event=event,
            title_zh=title_zh,
            title_en=title_en,
            stage="signed",
            industry=industry,
            district=district,
            category=category,
            planned_amount=amount,
            signed_amount=amount,
            amount_estimated=estimated,
            signed_on=event.starts_on,
            on_stage=True,
            provenance=source,
            description_zh=description,
        )
        deal.parties = [DealParty(organisation=o, role=r) for o, r in parties]
        deal.history = [
            DealHistory(
                action="create",
                after={"stage": "signed", "signed_amount": format(amount, "f")},
                note=f"来源 {source}" if source != SYNTHETIC else "示例数据",
            )
        ]
        self.db.add(deal)
        self.summary.deals += 1
        return deal

    def signed_deals_2023(self) -> None:
        event = self.events["invest-beijing-2023"]
        o = self.orgs
        gov = lambda d: o[f"gov-{N.DISTRICT_SLUG[d]}"]  # noqa: E731
        named: list[dict[str, Any]] = [
            dict(t=("绿竹生物项目", "Lvzhu Biotechnology project"), org="lvzhu-bio", ind="生物科技"),
            dict(t=("神州细胞项目", "Sinocelltech project"), org="sinocelltech", ind="生物科技"),
            dict(t=("海纳川项目", "Hainachuan project"), org="hainachuan", ind="智能网联汽车"),
            dict(
                t=("中际联合项目", "Zhongji Lianhe project"), org="zhongji-lianhe", ind="绿色能源与节能环保"
            ),
            dict(t=("海博思创项目", "HyperStrong project"), org="hyperstrong", ind="绿色能源与节能环保"),
            dict(
                t=("中央广播电视总台超高清示范园项目", "CMG ultra-high-definition demonstration park"),
                org="cmg",
                dist="门头沟区",
                gov=True,
                ind="新一代信息技术",
                note="全国首创项目，与门头沟区政府签约",
            ),
            dict(
                t=("小米机器人公司项目", "Xiaomi Robotics project"),
                org="xiaomi-robotics",
                dist="北京经济技术开发区",
                ind="机器人",
                note="研发制造可支持定制开发和使用的机器人通用平台型产品",
            ),
            dict(
                t=("国际开放合作区项目", "International Open Cooperation Zone"),
                org="rge",
                dist="石景山区",
                gov=True,
                amount=Decimal(100) * YI,
                note="新加坡金鹰集团与石景山区政府联手打造，项目总投资已超过100亿元",
            ),
            dict(
                t=("快星云平台", "Kuaixing Cloud Platform"),
                org="kuaishou",
                ind="软件和信息服务",
                note="用于“短视频+直播”新业务的探索",
            ),
            dict(
                t=("智能电网研究所示范项目", "Smart Grid Research Institute demonstration project"),
                ind="绿色能源与节能环保",
            ),
            dict(
                t=("通用技术集团健康管理科技项目", "Genertec health management technology project"),
                org="genertec",
                ind="医药健康",
            ),
            dict(
                t=(
                    "国家清洁能源与安全应急科技产业园项目",
                    "National clean energy and emergency technology industrial park",
                ),
                ind="绿色能源与节能环保",
                cat="park_cooperation",
            ),
            dict(
                t=("京东电商产业园项目", "JD e-commerce industrial park"),
                org="jd",
                ind="软件和信息服务",
                cat="park_cooperation",
            ),
        ]
        hq = [
            (
                "南威软件集团研发总部",
                "Linewell Software Group R&D headquarters",
                "linewell",
                "软件和信息服务",
            ),
            ("挪宝能源总部", "Norbo Energy headquarters", "norbo", "绿色能源与节能环保"),
            (
                "金风零碳能源总部",
                "Goldwind Zero-Carbon Energy headquarters",
                "goldwind-zc",
                "绿色能源与节能环保",
            ),
            ("未来黑科技总部", "Weilai Heikeji headquarters", "weilai-heikeji", "新一代信息技术"),
            ("鲲鹏基因北京总部", "Kunpeng Genetics Beijing headquarters", "kunpeng-gene", "医药健康"),
        ]
        hq_amounts = allocate(Decimal(148), [None] * 8, self.rng, sigma=0.4)
        for k, (zh, en, org_slug, ind) in enumerate(hq):
            self._deal(
                event,
                f"invest-beijing-2023-S-HQ{k + 1}",
                zh,
                en,
                hq_amounts[k],
                industry=ind,
                district=None,
                parties=[(o[org_slug], "enterprise")],
                source=SRC_2023,
                estimated=True,
                description="8个科技类总部项目之一，8个项目合计148亿元；单项金额为示例估算",
            )
        for k in range(3):
            ind = self.rng.choice(["新一代信息技术", "医药健康", "智能制造与装备"])
            zh, en = self.company_name(ind)
            ent = self.org(
                f"hq-2023-{k}",
                kind="enterprise",
                name_zh=zh,
                name_en=en,
                industries=[ind],
                flags=["headquarters"],
                provenance=SYNTHETIC,
            )
            self._deal(
                event,
                f"invest-beijing-2023-S-HQ{6 + k}",
                f"{zh.removesuffix('有限公司')}科技总部项目",
                f"{en.removesuffix(' Co., Ltd.')} technology headquarters",
                hq_amounts[5 + k],
                industry=ind,
                district=self.rng.choice(self.facts["districts_beijing"]),
                parties=[(ent, "enterprise")],
                source=SYNTHETIC,
                estimated=True,
            )
        n_synthetic = 39 - len(named) - 8
        fixed: list[Decimal | None] = [spec.get("amount") for spec in named] + [None] * n_synthetic
        amounts = allocate(Decimal(608) - Decimal(148), fixed, self.rng)
        for k, spec in enumerate(named):
            parties: list[tuple[Organisation, str]] = []
            if "org" in spec:
                parties.append((o[spec["org"]], "enterprise"))
            if spec.get("gov"):
                parties.append((gov(spec["dist"]), "district_government"))
            self._deal(
                event,
                f"invest-beijing-2023-S{k + 1:02d}",
                *spec["t"],
                amounts[k],
                industry=spec.get("ind"),
                district=spec.get("dist"),
                parties=parties,
                source=SRC_2023,
                estimated="amount" not in spec,
                description=spec.get("note"),
                category=spec.get("cat"),
            )
        self._synthetic_signed(event, amounts[len(named) :], start=len(named) + 1)

    def _synthetic_signed(self, event: Event, amounts: list[Decimal], *, start: int) -> None:
        industries = self.facts["industries_beijing"]
        for k, amount in enumerate(amounts):
            ind = self.rng.choice(industries)
            district = self.rng.choice(self.facts["districts_beijing"])
            zh, en = self.company_name(ind)
            ent = self.org(
                f"signed-{event.slug}-{k}",
                kind="enterprise",
                name_zh=zh,
                name_en=en,
                industries=[ind],
                district=district,
                provenance=SYNTHETIC,
            )
            kind_zh, kind_en = self.rng.choice(
                [
                    ("研发中心", "R&D centre"),
                    ("产业化基地", "manufacturing base"),
                    ("创新中心", "innovation centre"),
                    ("总部及研发基地", "headquarters and R&D base"),
                ]
            )
            self._deal(
                event,
                f"{event.slug}-S{start + k:02d}",
                f"{zh.removesuffix('有限公司')}{kind_zh}项目",
                f"{en.removesuffix(' Co., Ltd.')} {kind_en}",
                amount,
                industry=ind,
                district=district,
                parties=[
                    (ent, "enterprise"),
                    (self.orgs[f"gov-{N.DISTRICT_SLUG[district]}"], "district_government"),
                ],
                source=SYNTHETIC,
                estimated=False,
            )

    def signed_deals_2024(self) -> None:
        event = self.events["invest-beijing-2024"]
        o = self.orgs
        gov = lambda d: o[f"gov-{N.DISTRICT_SLUG[d]}"]  # noqa: E731
        pair = allocate(Decimal("10.2"), [None, None], self.rng, sigma=0.2)
        named: list[dict[str, Any]] = [
            dict(
                t=("新能源汽车零部件智慧化组装项目", "New-energy vehicle parts smart assembly"),
                org="glp",
                dist="顺义区",
                ind="智能制造与装备",
                amount=pair[0],
                est=True,
                note="外资企业普洛斯建设；与福田戴姆勒项目合计投资额10.2亿元",
            ),
            dict(
                t=("北京福田戴姆勒布局优化建设项目", "Beijing Foton Daimler layout optimisation"),
                org="bfda",
                dist="怀柔区",
                ind="智能制造与装备",
                amount=pair[1],
                est=True,
                note="与普洛斯项目合计投资额10.2亿元",
            ),
            dict(
                t=("坝河北岸8号项目", "Bahe North Bank No. 8"),
                dist="朝阳区",
                gov=True,
                note="区域内首个示范性消费场景的科技园区产业商业融合体",
                cat="park_cooperation",
            ),
            dict(
                t=("中关村领航科技园项目", "Zhongguancun Linghang Science Park"),
                dist="延庆区",
                gov=True,
                ind="低空经济",
                note="以无人机产业为主导的综合创新中心",
                cat="park_cooperation",
            ),
            dict(
                t=(
                    "新能源电力设备智能化生产组装项目",
                    "New-energy power equipment smart production and assembly",
                ),
                org="ranli",
                dist="通州区",
                gov=True,
                ind="绿色能源与节能环保",
                note="专精特新“小巨人”企业与通州区签约，建设新能源相关设备制造及组装产线",
            ),
        ]
        fixed: list[Decimal | None] = [spec.get("amount") for spec in named] + [None] * (23 - len(named))
        amounts = allocate(Decimal(610), fixed, self.rng)
        for k, spec in enumerate(named):
            parties: list[tuple[Organisation, str]] = []
            if "org" in spec:
                parties.append((o[spec["org"]], "enterprise"))
            if spec.get("gov"):
                parties.append((gov(spec["dist"]), "district_government"))
            self._deal(
                event,
                f"invest-beijing-2024-S{k + 1:02d}",
                *spec["t"],
                amounts[k],
                industry=spec.get("ind"),
                district=spec.get("dist"),
                parties=parties,
                source=SRC_2024,
                estimated=True,
                description=spec.get("note"),
                category=spec.get("cat"),
            )
        self._synthetic_signed(event, amounts[len(named) :], start=len(named) + 1)

    def policy_packages(self) -> None:
        spec = next(s for s in self.facts["events"] if s["id"] == "invest-beijing-2023")
        english = [
            "International Science and Technology Innovation Centre package",
            "Global Digital Economy Benchmark City package",
            "International Consumption Centre City package",
            "Headquarters Economy package",
            "Unicorn Enterprise package",
            "Next-Generation Information Technology Industry package",
            "Intelligent Manufacturing and Equipment Industry package",
            "Artificial Intelligence Industry package",
            "Green Energy and Environmental Protection Industry package",
            "Technology Services Industry package",
        ]
        for k, name in enumerate(spec["policy_service_packages"]):
            self.db.add(
                PolicyPackage(
                    slug=f"ib2023-pkg-{k + 1:02d}",
                    event=self.events["invest-beijing-2023"],
                    name_zh=name,
                    name_en=english[k],
                    description_zh="2023年投资北京全球峰会发布的招商引资“政策服务包”之一，为企业掌握和使用政策提供“说明书”。",
                    description_en="One of the ten policy service packages released at the 2023 Invest Beijing Global Summit.",
                    provenance=SRC_2023,
                )
            )

    def achievements(self) -> None:
        forum = self.events["zgc-forum-2024"]
        spec = next(f for f in self.facts["forums"] if f["id"] == "zgc-forum-2024")
        for k, text in enumerate(spec["major_achievements_released"]):
            title, _, who = str(text).partition(" (")
            self.db.add(
                Achievement(
                    event=forum,
                    title_zh=title.strip(),
                    description_zh=who.rstrip(")") or None,
                    rank=k + 1,
                    released_on=dt.date(2024, 4, 25),
                    provenance=SRC_2024,
                )
            )

    def contest_awards(self) -> None:
        event = self.events["frontier-contest-7"]
        spec = next(c for c in self.facts["competitions"] if c["id"] == "frontier-contest-7")
        region = ContestRegion(event=event, code="global", name_zh="全球总决赛", name_en="Global final")
        self.db.add(region)
        field_ = ContestField(event=event, code="final", name_zh="全球总决赛", name_en="Global final")
        self.db.add(field_)
        awards = spec["awards"]
        ranked = [(awards["champion"]["org"], 1, "总冠军", "Champion", "百万奖金")]
        ranked += [(name, 2, "亚军", "Runner-up", None) for name in awards["runners_up"]]
        ranked += [(name, 3, "季军", "Third place", None) for name in awards["third"]]
        for k, (name, rank, zh, en, prize) in enumerate(ranked):
            org = self.org(
                f"contest7-winner-{k + 1}", kind="enterprise", name_zh=name, provenance=spec["source"]
            )
            entry = ContestEntry(
                event=event,
                code=f"FC7-W{k + 1}",
                organisation=org,
                title_zh=f"{name}参赛项目",
                state="awarded",
                field_id=None,
                region=region,
                provenance=spec["source"],
            )
            self.db.add(entry)
            self.db.add(
                Award(
                    event=event,
                    entry=entry,
                    rank=rank,
                    name_zh=zh,
                    name_en=en,
                    prize_zh=prize,
                    support=list(spec["services_for_winners"]),
                    provenance=spec["source"],
                )
            )

    def accounts(self) -> None:
        o = self.orgs
        scope = {
            "organiser": (o["bipsc"], None, None),
            "district": (o["gov-haidian"], "海淀区", None),
            "enterprise": (o["demo-xinghe"], None, None),
            "investor": (o["investor-01"], None, None),
            "judge": (None, None, self.events["frontier-contest-7"]),
        }
        self.db.flush()
        people = {
            "organiser": "王敏（示例）",
            "district": "李娜（示例）",
            "enterprise": "张伟（示例）",
            "investor": "陈静（示例）",
            "judge": "刘洋（示例）",
        }
        for acc in DEMO_ACCOUNTS:
            org, district, event = scope[acc.role]
            person = Person(
                name_zh=people[acc.role],
                organisation=org,
                provenance=SYNTHETIC,
                email=f"{acc.username}@demo.duijie.invalid",
            )
            account = Account(username=acc.username, password_hash=hash_password(acc.password), person=person)
            account.roles = [
                RoleAssignment(
                    role=acc.role,
                    organisation=org,
                    district=district,
                    event_id=None if event is None else event.id,
                )
            ]
            self.db.add(account)
        self.summary.accounts = list(DEMO_ACCOUNTS)


def build_demo(db: Session, *, seed: int = DEMO_SEED) -> DemoSummary:
    """Fill an empty, migrated database with the demo data set; the caller commits."""
    if db.query(Event).first() is not None:
        raise RuntimeError("the database already holds events; the demo is built only into an empty database")
    return DemoBuilder(db, seed=seed).build()
