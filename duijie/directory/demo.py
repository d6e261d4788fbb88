"""The directory part of the demo: the organisations the sources name, the generated investors, the demo's
accounts, and short profiles of the generated companies.

`org` is how every module's demo adds an organisation: it keeps it in the kit under its slug, so the other
modules find it (`kit.get(Organisation, slug)`) and the summary counts it once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from duijie.core.auth import hash_password
from duijie.core.db import SYNTHETIC
from duijie.core.demo_kit import SRC_2023, SRC_2024, DemoAccount, DemoKit
from duijie.core.demo_kit import names as N
from duijie.core.demo_kit.pinyin import english_name
from duijie.directory.models import Account, Organisation, Person, RoleAssignment
from duijie.directory.reference import DISTRICT_EN, DISTRICT_SLUG, INDUSTRY_EN

DEMO_ACCOUNTS = (
    DemoAccount("organiser", "organiser-demo", "organiser", "北京市投资促进服务中心 · 主办方"),
    DemoAccount("haidian", "district-demo", "district", "海淀区人民政府 · 区政府"),
    DemoAccount("enterprise", "enterprise-demo", "enterprise", "星河智能科技（示例） · 企业"),
    DemoAccount("investor", "investor-demo", "investor", "京华创新投资（示例） · 投资机构"),
    # Scoped to the contest edition by the contest's demo, which owns that event.
    DemoAccount("judge", "judge-demo", "judge", "第七届前沿科技大赛 · 评委（示例）"),
    # Verifies the landings the organiser records (four eyes), for every summit.
    DemoAccount("verifier", "verifier-demo", "verifier", "北京市投资促进服务中心 · 落地核实（示例）"),
)
# Each account's organisation (by slug), district scope and person.
ACCOUNT_SCOPE: dict[str, tuple[str | None, str | None, str]] = {
    "organiser": ("bipsc", None, "王敏（示例）"),
    "district": ("gov-haidian", "海淀区", "李娜（示例）"),
    "enterprise": ("demo-xinghe", None, "张伟（示例）"),
    "investor": ("investor-01", None, "陈静（示例）"),
    "judge": (None, None, "刘洋（示例）"),
    "verifier": ("bipsc", None, "赵磊（示例）"),
}
PARKS: tuple[tuple[str, str, str | None], ...] = (
    ("中关村科学城", "Zhongguancun Science City", "海淀区"),
    ("怀柔科学城", "Huairou Science City", "怀柔区"),
    ("未来科学城", "Future Science City", "昌平区"),
    ("创新型产业集群示范区", "Innovative Industrial Cluster Demonstration Zone", None),
)
ETDZ_COMMITTEE = (
    "北京经济技术开发区管理委员会",
    "Beijing Economic-Technological Development Area Administrative Committee",
)
S3, S4 = SRC_2023, SRC_2024
# The organisations the summit reports name: slug, zh, en, country, industries, flags, district, source.
NAMED: tuple[tuple[str, str, str, str, list[str], list[str], str | None, str], ...] = (
    ("lvzhu-bio", "绿竹生物", "Lvzhu Biotechnology", "CN", ["生物科技"], ["specialised"], None, S3),
    ("sinocelltech", "神州细胞", "Sinocelltech", "CN", ["生物科技"], ["specialised"], None, S3),
    ("hainachuan", "海纳川", "Hainachuan", "CN", ["智能网联汽车"], ["specialised"], None, S3),
    ("zhongji-lianhe", "中际联合", "Zhongji Lianhe", "CN", ["绿色能源与节能环保"], ["specialised"], None, S3),
    ("hyperstrong", "海博思创", "HyperStrong", "CN", ["绿色能源与节能环保"], ["specialised"], None, S3),
    ("cmg", "中央广播电视总台", "China Media Group", "CN", ["新一代信息技术"], [], None, S3),
    ("xiaomi-robotics", "小米机器人公司", "Xiaomi Robotics", "CN", ["机器人"], [], "北京经济技术开发区", S3),
    ("rge", "新加坡金鹰集团", "Royal Golden Eagle (Singapore)", "SG", [], ["foreign_invested"], None, S3),
    ("kuaishou", "快手集团", "Kuaishou Group", "CN", ["软件和信息服务"], [], None, S3),
    ("linewell", "南威软件集团", "Linewell Software Group", "CN", ["软件和信息服务"], ["headquarters"], None, S3),
    ("norbo", "挪宝能源", "Norbo Energy", "CN", ["绿色能源与节能环保"], ["headquarters"], None, S3),
    ("goldwind-zc", "金风零碳能源", "Goldwind Zero-Carbon Energy", "CN", ["绿色能源与节能环保"],
     ["headquarters"], None, S3),
    ("weilai-heikeji", "未来黑科技", "Weilai Heikeji", "CN", ["新一代信息技术"], ["headquarters"], None, S3),
    ("kunpeng-gene", "鲲鹏基因", "Kunpeng Genetics", "CN", ["医药健康"], ["headquarters"], None, S3),
    ("genertec", "通用技术集团", "China General Technology (Group)", "CN", ["医药健康"], [], None, S3),
    ("jd", "京东", "JD.com", "CN", ["软件和信息服务"], [], None, S3),
    ("glp", "普洛斯", "GLP", "SG", ["智能制造与装备"], ["foreign_invested"], "顺义区", S4),
    ("bfda", "北京福田戴姆勒", "Beijing Foton Daimler Automotive", "CN", ["智能制造与装备"], [], "怀柔区", S4),
    ("ranli", "北京燃力能源科技有限公司", "Beijing Ranli Energy Technology Co., Ltd.", "CN",
     ["绿色能源与节能环保"], ["specialised", "little_giant"], "通州区", S4),
    ("xsky", "北京星辰天合科技股份有限公司", "XSKY Beijing Data Technology Co., Ltd.", "CN",
     ["软件和信息服务"], ["specialised", "little_giant"], None, S4),
    ("mranti", "马来西亚科技与创新研究加速器",
     "MRANTI (Malaysian Research Accelerator for Technology and Innovation)", "MY", ["科技服务"], [], None, S4),
)  # fmt: skip
PROJECT_CATEGORIES = ["enterprise_financing", "park_cooperation", "building_cooperation", "land_financing"]


def org(kit: DemoKit, slug: str, **kwargs: Any) -> Organisation:
    """The demo's organisation `slug`, added (with `kwargs`) the first time it is asked for."""
    found = kit.find(Organisation, slug)
    if found is not None:
        return found
    kit.summary.organisations += 1
    made = Organisation(slug=slug, **kwargs)
    kit.db.add(made)
    return kit.keep(slug, made)


def seed_demo(kit: DemoKit) -> None:
    """The governments, parks and companies the sources name, the generated investors, and the accounts."""
    governments(kit)
    named_organisations(kit)
    investors(kit)
    accounts(kit)


def extend_demo(kit: DemoKit) -> None:
    """Profiles for the generated companies and investors every module's seed made."""
    describe_profiles(kit)


def governments(kit: DemoKit) -> None:
    """The city, the organiser, every district's government and the science parks."""
    org(kit, "gov-beijing", kind="government", name_zh="北京市人民政府",
        name_en="Beijing Municipal People's Government", district=None, provenance=SRC_2023)  # fmt: skip
    org(kit, "bipsc", kind="government", name_zh="北京市投资促进服务中心",
        name_en="Beijing Investment Promotion Service Center", provenance=SYNTHETIC,
        description_zh="示例：负责投资北京大会组织与项目对接的主办方账户。")  # fmt: skip
    for district in kit.facts["districts_beijing"]:
        if district == "北京经济技术开发区":
            zh, en = ETDZ_COMMITTEE
        else:
            zh, en = f"{district}人民政府", f"{DISTRICT_EN[district]} People's Government"
        org(kit, f"gov-{DISTRICT_SLUG[district]}", kind="government", name_zh=zh, name_en=en,
            district=district, provenance=SYNTHETIC)  # fmt: skip
    for park, park_en, district in PARKS:
        org(kit, f"park-{len(kit.keys(Organisation))}", kind="park", name_zh=park, name_en=park_en,
            district=district, provenance="004_09d51b0d93aa0b61.txt")  # fmt: skip


def named_organisations(kit: DemoKit) -> None:
    """The companies and institutions the summit reports name, and the demo enterprise account's company."""
    for slug, zh, en, country, industries, flags, district, source in NAMED:
        kind = "institute" if slug == "mranti" else "enterprise"
        org(kit, slug, kind=kind, name_zh=zh, name_en=en, country=country, industries=industries,
            flags=flags, district=district, provenance=source)  # fmt: skip
    # Synthetic, with facts for the policy self-check.
    org(
        kit,
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
        facts={"founded_on": "2018-06-12", "revenue": "180000000", "rd_spend": "32000000", "headcount": 260},
    )


def investors(kit: DemoKit) -> None:
    """Generated investors with their preferences (industries, districts, kinds of project, ticket sizes)."""
    rng = kit.rng
    industries = kit.facts["industries_beijing"]
    districts = kit.facts["districts_beijing"]
    tickets = [Decimal(10_000_000), Decimal(50_000_000), Decimal(100_000_000), Decimal(300_000_000)]
    for k, (zh, en) in enumerate(N.INVESTOR_STEMS):
        foreign = zh.isascii()
        lo = rng.choice(tickets)
        org(
            kit,
            f"investor-{k + 1:02d}",
            kind="investor",
            name_zh=zh if foreign else f"{zh}（示例）",
            name_en=f"{en} (sample)",
            country=rng.choice(["GB", "US", "SG", "DE"]) if foreign else "CN",
            industries=rng.sample(industries, 3),
            provenance=SYNTHETIC,
            preferences={
                "industries": rng.sample(industries, 3),
                "districts": rng.sample(districts, 2),
                "categories": rng.sample(PROJECT_CATEGORIES, 2),
                "stages": rng.sample(["seed", "early", "growth", "mature"], 2),
                "ticket_min": str(lo),
                "ticket_max": str(lo * 10),
            },
        )


def accounts(kit: DemoKit) -> None:
    """The demo's logins, each with its person and role (the judge's is scoped to its contest later)."""
    for acc in DEMO_ACCOUNTS:
        org_slug, district, name = ACCOUNT_SCOPE[acc.role]
        organisation = None if org_slug is None else kit.get(Organisation, org_slug)
        person = Person(
            name_zh=name,
            name_en=english_name(name),
            organisation=organisation,
            provenance=SYNTHETIC,
            email=f"{acc.username}@demo.duijie.invalid",
        )
        account = Account(username=acc.username, password_hash=hash_password(acc.password), person=person)
        account.roles = [RoleAssignment(role=acc.role, organisation=organisation, district=district)]
        kit.db.add(account)
        kit.keep(acc.username, account)
    kit.summary.accounts = list(DEMO_ACCOUNTS)


def describe_profiles(kit: DemoKit) -> None:
    """Give each generated (synthetic) enterprise and investor without a description a short one in both
    languages, from its industries: matching and search compare these texts, and an empty profile matches on
    structure alone. A generator of its own keeps every other generated figure where it was."""
    rng = kit.module_rng("profiles")
    for slug in sorted(kit.keys(Organisation)):
        organisation = kit.get(Organisation, slug)
        # Real organisations named in the reports keep what the reports say of them, which is nothing here.
        if (
            organisation.description_zh
            or organisation.kind not in ("enterprise", "investor")
            or organisation.provenance != SYNTHETIC
        ):
            continue
        if organisation.kind == "enterprise":
            industry = next((i for i in organisation.industries or [] if i in N.FOCUS), None)
            if industry is None:
                continue
            (f1, e1), (f2, e2) = rng.sample(N.FOCUS[industry], 2)
            close, close_en = rng.choice(N.STANDING)
            organisation.description_zh = f"{industry}领域企业，主要从事{f1}和{f2}，{close}。"
            organisation.description_en = (
                f"A company in {INDUSTRY_EN.get(industry, industry).lower()} working on {e1} and {e2}; "
                f"{close_en}."
            )
        else:
            wanted = [i for i in (organisation.preferences or {}).get("industries") or [] if i in N.FOCUS][:2]
            if not wanted:
                continue
            picks = [rng.choice(N.FOCUS[i]) for i in wanted]
            organisation.description_zh = (
                "重点投资" + "、".join(f"{i}（{zh}）" for i, (zh, _en) in zip(wanted, picks, strict=True))
                + "等方向的科技企业。"
            )  # fmt: skip
            organisation.description_en = (
                "Invests in technology companies in "
                + " and ".join(
                    f"{INDUSTRY_EN.get(i, i).lower()} ({en})" for i, (_zh, en) in zip(wanted, picks, strict=True)
                )
                + "."
            )
