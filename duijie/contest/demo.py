"""The 7th Zhongguancun frontier technology contest in the demo, with its published figures and named winners.

From the source: 3,164 entries from 75 countries and regions, 8 regions, 10 fields (four named: 生物医药,
人工智能, 集成电路, 大数据与云计算), 59 preliminary contests, a TOP10 per field, 22 finalists, an international
share above 40 %, and the champion, runners-up and third places with the support they received (the builder
creates those award rows; they are reused here). Everything else is generated and marked synthetic: the six
other fields, the region names, the entries, the judge pool, the reviews and the scores.

Reviews are stored for the ten field TOP10 rounds and the final (assigned by the optimal assignment and scored
so that the published winners come out on top), and for one preliminary contest left open so that the
assignment can be re-run and the demo judge has entries to score. The other 58 preliminary contests are
stored as structure and as their outcome (entry states), without their reviews, to keep the build fast.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from duijie.contest import scoring
from duijie.contest import service as contest_service
from duijie.contest.enums import EntryState, RoundKind
from duijie.contest.models import (
    Award,
    Conflict,
    ContestEntry,
    ContestField,
    ContestRegion,
    ContestRound,
    Judge,
    ReviewAssignment,
    Score,
)
from duijie.core.auth import Actor, Grant
from duijie.core.db import SYNTHETIC
from duijie.demo import names as N
from duijie.directory.models import Account, Organisation, Person
from duijie.events.models import EventSetting

if TYPE_CHECKING:
    from duijie.demo.builder import DemoBuilder

SYSTEM = Actor(username="demo", display_name="demo", grants=(Grant(role="organiser"),))

# code, 中文, English, named in the source, technology terms (zh, en), products (zh, en)
FIELDS: list[tuple[str, str, str, bool, list[tuple[str, str]], list[tuple[str, str]]]] = [
    (
        "biomed",
        "生物医药",
        "Biomedicine",
        True,
        [
            ("基因编辑", "gene-editing"),
            ("细胞治疗", "cell-therapy"),
            ("脑机接口", "brain-computer interface"),
            ("合成生物", "synthetic-biology"),
            ("mRNA", "mRNA"),
            ("抗体药物", "antibody"),
            ("医学影像", "medical-imaging"),
            ("神经调控", "neuromodulation"),
        ],
        [
            ("创新药", "drug candidate"),
            ("诊断试剂", "diagnostic kit"),
            ("医疗器械", "medical device"),
            ("治疗平台", "therapy platform"),
        ],
    ),
    (
        "ai",
        "人工智能",
        "Artificial intelligence",
        True,
        [
            ("大模型", "large-model"),
            ("多模态", "multimodal"),
            ("具身智能", "embodied-AI"),
            ("知识图谱", "knowledge-graph"),
            ("强化学习", "reinforcement-learning"),
            ("计算机视觉", "computer-vision"),
            ("语音识别", "speech-recognition"),
            ("智能体", "agent"),
        ],
        [
            ("推理引擎", "inference engine"),
            ("行业平台", "industry platform"),
            ("开发框架", "development framework"),
            ("智能助手", "assistant"),
        ],
    ),
    (
        "ic",
        "集成电路",
        "Integrated circuits",
        True,
        [
            ("存算一体", "compute-in-memory"),
            ("碳化硅", "silicon-carbide"),
            ("先进封装", "advanced-packaging"),
            ("射频", "RF"),
            ("光刻", "lithography"),
            ("EDA", "EDA"),
            ("硅光", "silicon-photonics"),
            ("真空", "vacuum"),
        ],
        [("芯片", "chip"), ("晶圆", "wafer"), ("工艺装备", "process equipment"), ("设计工具", "design tool")],
    ),
    (
        "bigdata",
        "大数据与云计算",
        "Big data and cloud computing",
        True,
        [
            ("隐私计算", "privacy-computing"),
            ("云原生", "cloud-native"),
            ("数据库", "database"),
            ("数据要素", "data-asset"),
            ("边缘计算", "edge-computing"),
            ("区块链", "blockchain"),
            ("数据治理", "data-governance"),
            ("算力调度", "compute-scheduling"),
        ],
        [
            ("数据平台", "data platform"),
            ("云服务", "cloud service"),
            ("分布式系统", "distributed system"),
            ("安全网关", "security gateway"),
        ],
    ),
    (
        "quantum",
        "量子信息与光电",
        "Quantum information and photonics",
        False,
        [
            ("量子计算", "quantum-computing"),
            ("量子通信", "quantum-communication"),
            ("量子精密测量", "quantum-sensing"),
            ("光波导", "optical-waveguide"),
            ("超表面", "metasurface"),
            ("激光雷达", "lidar"),
            ("单光子", "single-photon"),
            ("衍射光学", "diffractive-optics"),
        ],
        [
            ("原型机", "prototype"),
            ("光学模组", "optical module"),
            ("传感器", "sensor"),
            ("光芯片", "photonic chip"),
        ],
    ),
    (
        "materials",
        "新材料",
        "New materials",
        False,
        [
            ("光子晶体", "photonic-crystal"),
            ("石墨烯", "graphene"),
            ("钙钛矿", "perovskite"),
            ("高温合金", "superalloy"),
            ("碳纤维", "carbon-fibre"),
            ("固态电解质", "solid-electrolyte"),
            ("纳米涂层", "nano-coating"),
            ("生物基材料", "bio-based"),
        ],
        [
            ("薄膜", "film"),
            ("复合材料", "composite"),
            ("功能涂层", "functional coating"),
            ("新型材料", "material"),
        ],
    ),
    (
        "robotics",
        "智能制造与机器人",
        "Intelligent manufacturing and robotics",
        False,
        [
            ("人形机器人", "humanoid-robot"),
            ("工业视觉", "machine-vision"),
            ("数字孪生", "digital-twin"),
            ("协作机器人", "collaborative-robot"),
            ("灵巧手", "dexterous-hand"),
            ("柔性制造", "flexible-manufacturing"),
            ("精密减速器", "precision-reducer"),
            ("3D打印", "3D-printing"),
        ],
        [
            ("机器人", "robot"),
            ("产线系统", "production line"),
            ("控制器", "controller"),
            ("检测设备", "inspection system"),
        ],
    ),
    (
        "energy",
        "新能源与碳中和",
        "New energy and carbon neutrality",
        False,
        [
            ("氢能", "hydrogen"),
            ("储能", "energy-storage"),
            ("钠离子电池", "sodium-ion"),
            ("光伏", "photovoltaic"),
            ("碳捕集", "carbon-capture"),
            ("核聚变", "fusion"),
            ("智能电网", "smart-grid"),
            ("燃料电池", "fuel-cell"),
        ],
        [
            ("电池", "battery"),
            ("电站系统", "power system"),
            ("电解槽", "electrolyser"),
            ("能源管理平台", "energy platform"),
        ],
    ),
    (
        "space",
        "空天科技",
        "Aerospace technology",
        False,
        [
            ("商业航天", "commercial-space"),
            ("卫星互联网", "satellite-internet"),
            ("遥感", "remote-sensing"),
            ("可复用火箭", "reusable-rocket"),
            ("电推进", "electric-propulsion"),
            ("低空飞行", "low-altitude"),
            ("星载计算", "on-orbit computing"),
            ("无人机", "drone"),
        ],
        [("卫星", "satellite"), ("发动机", "engine"), ("飞行器", "aircraft"), ("测控系统", "ground system")],
    ),
    (
        "mobility",
        "智能网联汽车",
        "Intelligent connected vehicles",
        False,
        [
            ("自动驾驶", "autonomous-driving"),
            ("车路协同", "vehicle-road"),
            ("线控底盘", "drive-by-wire"),
            ("高精地图", "HD-map"),
            ("车规芯片", "automotive-chip"),
            ("毫米波雷达", "mmWave-radar"),
            ("智能座舱", "smart-cockpit"),
            ("换电", "battery-swap"),
        ],
        [
            ("域控制器", "domain controller"),
            ("解决方案", "solution"),
            ("感知系统", "perception system"),
            ("出行平台", "mobility platform"),
        ],
    ),
]

# code, 中文, English, international, entries from China, countries (non-China) with entries there
REGIONS: list[tuple[str, str, str, int, tuple[str, ...], int]] = [
    ("bj", "北京赛区", "Beijing", 700, (), 0),
    ("yrd", "长三角赛区", "Yangtze River Delta", 520, (), 0),
    ("gba", "粤港澳大湾区赛区", "Greater Bay Area", 380, ("HK", "MO", "TW"), 90),
    ("cw", "中西部赛区", "Central and Western China", 254, (), 0),
    ("na", "北美赛区", "Americas", 0, ("US", "CA", "MX", "BR", "AR", "CL", "CO", "PE"), 330),
    (
        "eu",
        "欧洲赛区",
        "Europe",
        0,
        (
            "GB",
            "DE",
            "FR",
            "IT",
            "ES",
            "NL",
            "BE",
            "CH",
            "AT",
            "SE",
            "NO",
            "DK",
            "FI",
            "IE",
            "PL",
            "CZ",
            "PT",
            "GR",
            "HU",
            "RO",
            "UA",
            "RU",
            "EE",
            "LT",
            "LU",
            "SK",
            "SI",
            "HR",
            "RS",
            "BG",
            "IS",
        ),
        470,
    ),
    (
        "ap",
        "亚太赛区",
        "Asia-Pacific",
        0,
        (
            "JP",
            "KR",
            "SG",
            "MY",
            "TH",
            "VN",
            "ID",
            "PH",
            "IN",
            "PK",
            "BD",
            "LK",
            "AU",
            "NZ",
            "KZ",
            "UZ",
            "MN",
            "KH",
            "NP",
        ),
        300,
    ),
    (
        "mea",
        "中东及非洲赛区",
        "Middle East and Africa",
        0,
        ("IL", "AE", "SA", "TR", "EG", "QA", "ZA", "NG", "KE", "MA", "IR", "JO", "ET"),
        120,
    ),
]
# Preliminary contests: every domestic region holds one per field; the overseas regions hold these.
OVERSEAS_FIELDS = {
    "na": ("ai", "biomed", "ic", "quantum", "space", "bigdata"),
    "eu": ("biomed", "ai", "materials", "energy", "robotics", "quantum"),
    "ap": ("ai", "robotics", "materials", "bigdata"),
    "mea": ("energy", "ai", "biomed"),
}
# The published winners (created by the builder): field and region of each, by Chinese name.
WINNERS = {
    "新硅联合半导体有限公司": ("ic", "yrd"),
    "博睿康科技（北京）有限公司": ("biomed", "bj"),
    "深圳光子晶体科技有限公司": ("materials", "gba"),
    "北京智谱华章科技有限公司": ("ai", "bj"),
    "北京通嘉宏瑞科技有限公司": ("ic", "bj"),
    "上海鲲游光电科技有限公司": ("quantum", "yrd"),
}
FINALISTS_PER_FIELD = {"ic": 3, "ai": 3}  # two from every other field: 22 in all
TOP10_ROUND_SIZE = 30  # entries per field reaching the field TOP10 round
OPEN_ROUND = ("bj", "ai")  # the preliminary contest left open for the demo's assignment and scoring
JUDGES = 300
CRITERIA = [
    {"code": "tech", "name_zh": "技术先进性", "name_en": "Technical advancement", "weight": 30},
    {"code": "innovation", "name_zh": "创新性", "name_en": "Innovation", "weight": 25},
    {"code": "market", "name_zh": "市场前景", "name_en": "Market prospects", "weight": 25},
    {"code": "team", "name_zh": "团队", "name_en": "Team", "weight": 20},
]
FINAL_CRITERIA = [
    {"code": "tech", "name_zh": "技术先进性", "name_en": "Technical advancement", "weight": 30},
    {"code": "innovation", "name_zh": "创新性", "name_en": "Innovation", "weight": 20},
    {"code": "market", "name_zh": "市场前景", "name_en": "Market prospects", "weight": 20},
    {"code": "team", "name_zh": "团队", "name_en": "Team", "weight": 15},
    {"code": "impact", "name_zh": "产业带动", "name_en": "Industrial impact", "weight": 15},
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静磊洋勇艳杰娟涛明超秀霞平刚桂英华玲丹萍鹏辉宇浩凯健俊帆帅旭宁琳雪晨阳欣怡睿哲"
FOREIGN_NAMES = [
    "Anna Schmidt",
    "James Miller",
    "Sophie Martin",
    "Luca Rossi",
    "Hiroshi Tanaka",
    "Min-jun Kim",
    "Priya Sharma",
    "David Cohen",
    "Olga Ivanova",
    "Lars Nielsen",
    "Maria Garcia",
    "Ahmed Hassan",
    "Emma Wilson",
    "Noah Levi",
    "Chloé Dubois",
    "Jonas Berg",
    "Aisha Bello",
    "Carlos Silva",
    "Yuki Sato",
    "Ethan Brown",
]
INSTITUTES = [
    ("contest7-inst-1", "京华理工大学（示例）", "Jinghua Institute of Technology (sample)", "university"),
    (
        "contest7-inst-2",
        "北方前沿技术研究院（示例）",
        "Northern Frontier Technology Institute (sample)",
        "institute",
    ),
    ("contest7-inst-3", "东海大学（示例）", "Donghai University (sample)", "university"),
    (
        "contest7-inst-4",
        "中关村量子科学研究中心（示例）",
        "Zhongguancun Quantum Science Centre (sample)",
        "institute",
    ),
    (
        "contest7-inst-5",
        "华南先进制造研究院（示例）",
        "South China Advanced Manufacturing Institute (sample)",
        "institute",
    ),
    (
        "contest7-inst-6",
        "西部生命科学研究院（示例）",
        "Western Life Sciences Institute (sample)",
        "institute",
    ),
]
SECOND = [
    ("创", "tron"),
    ("联", "link"),
    ("芯", "core"),
    ("智", "mind"),
    ("源", "gen"),
    ("微", "micro"),
    ("达", "tech"),
    ("维", "dim"),
    ("新", "nova"),
    ("科", "sci"),
    ("光", "lux"),
    ("辰", "star"),
]
DEMO_JUDGE_EXPERTISE = (
    "人工智能：大模型、多模态、智能体、具身智能、知识图谱、计算机视觉、强化学习、推理引擎、行业平台、开发框架"
)


def _marks(
    rng: random.Random, quality: float, bias: float, criteria: list[dict[str, object]]
) -> dict[str, float]:
    """A judge's marks for an entry of this quality: the judge's leniency plus noise, in half points."""
    out = {}
    for c in criteria:
        value = quality + bias + rng.gauss(0.0, 0.25)
        out[str(c["code"])] = min(10.0, max(0.0, round(value * 2) / 2))
    return out


def extend_demo(builder: DemoBuilder) -> None:
    """Add the contest's structure, entries, judge pool, reviews and scores to the demo."""
    db = builder.db
    rng = builder.module_rng("contest")
    event = builder.events["frontier-contest-7"]

    # -- structure --------------------------------------------------------------------------------------
    fields = {
        code: ContestField(event_id=event.id, code=code, name_zh=zh, name_en=en)
        for code, zh, en, *_ in FIELDS
    }
    regions = {
        code: ContestRegion(event_id=event.id, code=code, name_zh=zh, name_en=en)
        for code, zh, en, *_ in REGIONS
    }
    db.add_all([*fields.values(), *regions.values()])
    synthetic = [c for c, _zh, _en, named, *_ in FIELDS if not named] + [c for c, *_ in REGIONS]
    db.add(EventSetting(event_id=event.id, key=contest_service.SYNTHETIC_STRUCTURE_KEY, value=synthetic))
    spec = next(c for c in builder.facts["competitions"] if c["id"] == "frontier-contest-7")
    builder.figure(event, "regions", str(spec["regions"]), "个", "赛区", "Regions", spec["source"])
    builder.figure(event, "fields", str(spec["fields"]), "个", "领域", "Fields", spec["source"])
    share = str(spec["international_share"]).removeprefix("超").removesuffix("%")
    builder.figure(
        event,
        "international_share",
        share,
        "%",
        "国际项目占比",
        "International entries",
        spec["source"],
        q="超",
    )
    db.flush()
    prelims: list[ContestRound] = []
    for r_code, r_zh, r_en, *_ in REGIONS:
        for f_code in OVERSEAS_FIELDS.get(r_code, [c for c, *_ in FIELDS]):
            f = fields[f_code]
            start = dt.date(2023, 6, 1) + dt.timedelta(days=2 * len(prelims))
            prelims.append(
                ContestRound(
                    event_id=event.id,
                    kind=RoundKind.PRELIMINARY.value,
                    name_zh=f"{r_zh}·{f.name_zh}",
                    name_en=f"{r_en} · {f.name_en}",
                    field_id=f.id,
                    region_id=regions[r_code].id,
                    sequence=1,
                    starts_on=start,
                    ends_on=start + dt.timedelta(days=1),
                    advance_count=3,
                    criteria=CRITERIA,
                    judges_per_entry=5,
                    max_per_judge=30,
                )
            )
    top10 = {
        code: ContestRound(
            event_id=event.id,
            kind=RoundKind.FIELD_TOP10.value,
            name_zh=f"{f.name_zh}领域TOP10",
            name_en=f"{f.name_en} TOP10",
            field_id=f.id,
            sequence=2,
            starts_on=dt.date(2024, 1, 8) + dt.timedelta(days=3 * k),
            ends_on=dt.date(2024, 1, 9) + dt.timedelta(days=3 * k),
            advance_count=FINALISTS_PER_FIELD.get(code, 2),
            criteria=CRITERIA,
            judges_per_entry=5,
            max_per_judge=12,
        )
        for k, (code, f) in enumerate(fields.items())
    }
    final = ContestRound(
        event_id=event.id,
        kind=RoundKind.FINAL.value,
        name_zh="全球总决赛",
        name_en="Global final",
        sequence=3,
        starts_on=dt.date(2024, 4, 24),
        ends_on=dt.date(2024, 4, 25),
        advance_count=6,
        criteria=FINAL_CRITERIA,
        judges_per_entry=9,
        max_per_judge=22,
    )
    db.add_all([*prelims, *top10.values(), final])
    db.flush()
    assert len(prelims) == source_figure(builder, "preliminary_contests")

    # -- the named winners: moved from the builder's placeholder final field and region into real ones -----
    winners = {
        e.organisation.name_zh: e
        for e in db.scalars(select(ContestEntry).where(ContestEntry.event_id == event.id))
        if e.organisation is not None
    }
    for name, (f_code, r_code) in WINNERS.items():
        entry = winners[name]
        entry.field_id = fields[f_code].id
        entry.region_id = regions[r_code].id
        entry.submitted_at = dt.datetime(2023, 4, 20, 9, 0, tzinfo=dt.UTC)
        entry.state = EntryState.ADVANCED.value  # it re-earns its award below, round by round
    db.flush()
    db.execute(delete(ContestField).where(ContestField.event_id == event.id, ContestField.code == "final"))
    db.execute(
        delete(ContestRegion).where(ContestRegion.event_id == event.id, ContestRegion.code == "global")
    )

    # -- entries --------------------------------------------------------------------------------------
    rounds_of: dict[str, list[ContestRound]] = {}
    for rnd in prelims:
        r_code = next(c for c, reg in regions.items() if reg.id == rnd.region_id)
        rounds_of.setdefault(r_code, []).append(rnd)
    field_spec = {code: (terms, products) for code, _zh, _en, _n, terms, products in FIELDS}
    code_of_field = {f.id: code for code, f in fields.items()}
    rows: list[dict[str, object]] = []
    quality: dict[str, float] = {}
    n = 0

    def make(r_code: str, country: str) -> None:
        """Generate one entry of a region, in one of its preliminary contests."""
        nonlocal n
        rnd = rng.choice(rounds_of[r_code])
        f_code = code_of_field[rnd.field_id]  # type: ignore[index]
        terms, products = field_spec[f_code]
        (t1, t1e), (t2, t2e) = rng.sample(terms, 2)
        prod, prod_e = rng.choice(products)
        n += 1
        code = f"FC7-{n:04d}"
        quality[code] = rng.gauss(6.2, 0.9)
        rows.append(
            {
                "event_id": event.id,
                "code": code,
                "title_zh": f"基于{t1}的{t2}{prod}",
                "title_en": f"{t2e} {prod_e} based on {t1e}",
                "description": f"项目融合{t1}与{t2}技术，研发{prod}，面向{fields[f_code].name_zh}领域的产业化应用。",
                "country": country,
                "field_id": rnd.field_id,
                "region_id": rnd.region_id,
                "trl": rng.randint(3, 8),
                "attachments": [
                    {"name": "商业计划书.pdf", "kind": "business_plan", "pages": rng.randint(12, 40)}
                ],
                "state": EntryState.ELIMINATED.value,
                "submitted_at": dt.datetime(2023, 3, 1, tzinfo=dt.UTC)
                + dt.timedelta(minutes=rng.randrange(60 * 24 * 75)),
                "provenance": SYNTHETIC,
            }
        )

    for r_code, _zh, _en, domestic, countries, abroad in REGIONS:
        domestic -= sum(1 for f, r in WINNERS.values() if r == r_code)
        for _ in range(domestic):
            make(r_code, "CN")
        if countries:
            weights = [1.0 / (k + 1) ** 0.9 for k in range(len(countries))]
            picks = list(countries) + rng.choices(countries, weights=weights, k=abroad - len(countries))
            for country in picks:
                make(r_code, country)
    assert len(rows) + len(WINNERS) == source_figure(builder, "entries")

    # Who reaches the field TOP10 round: the best of each field (the named winners among them, on top).
    by_field: dict[int, list[dict[str, object]]] = {}
    for row in rows:
        by_field.setdefault(row["field_id"], []).append(row)  # type: ignore[arg-type]
    top10_codes: dict[str, list[str]] = {}
    for f_code, f in fields.items():
        n_winners = sum(1 for fc, _r in WINNERS.values() if fc == f_code)
        best = sorted(by_field[f.id], key=lambda r: -quality[str(r["code"])])[: TOP10_ROUND_SIZE - n_winners]
        for row in best:
            row["state"] = EntryState.ADVANCED.value
        top10_codes[f_code] = [str(r["code"]) for r in best]
    open_rnd = next(r for r in rounds_of[OPEN_ROUND[0]] if r.field_id == fields[OPEN_ROUND[1]].id)
    for row in rows:
        if (
            row["region_id"] == open_rnd.region_id
            and row["field_id"] == open_rnd.field_id
            and row["state"] != EntryState.ADVANCED.value
        ):
            row["state"] = EntryState.ELIGIBLE.value
    open_rnd.name_zh += "（进行中）"
    open_rnd.name_en = f"{open_rnd.name_en} (in progress)"
    open_rnd.starts_on, open_rnd.ends_on = dt.date(2023, 7, 1), dt.date(2023, 7, 2)

    # Entrants of the TOP10 round and of the open contest are named (sample) organisations; a few are institutes.
    institutes = [
        Organisation(slug=slug, kind=kind, name_zh=zh, name_en=en, provenance=SYNTHETIC, industries=[])
        for slug, zh, en, kind in INSTITUTES
    ]
    db.add_all(institutes)
    db.flush()
    named = [r for r in rows if r["state"] in (EntryState.ADVANCED.value, EntryState.ELIGIBLE.value)]
    used: set[str] = set(db.scalars(select(Organisation.name_zh)))
    org_rows = []
    for k, row in enumerate(named):
        f_code = code_of_field[row["field_id"]]  # type: ignore[index]
        industry = next(zh for c, zh, *_ in FIELDS if c == f_code)
        zh, en = _company_name(rng, industry, used)
        if row["country"] != "CN":
            zh = f"{zh.removesuffix('有限公司')}（{row['country']}）"
        org_rows.append(
            {
                "slug": f"contest7-entrant-{k + 1:03d}",
                "kind": "enterprise",
                "name_zh": zh,
                "name_en": en,
                "country": row["country"],
                "industries": [industry],
                "provenance": SYNTHETIC,
            }
        )
    db.execute(insert(Organisation), org_rows)
    org_ids = dict(
        db.execute(
            select(Organisation.slug, Organisation.id).where(Organisation.slug.like("contest7-entrant-%"))
        ).all()
    )
    for k, row in enumerate(named):
        row["organisation_id"] = org_ids[f"contest7-entrant-{k + 1:03d}"]
        if k % 23 == 5:
            row["organisation_id"] = institutes[k % len(institutes)].id
    for row in rows:
        row.setdefault("organisation_id", None)
    db.execute(insert(ContestEntry), rows)
    builder.summary.organisations += len(org_rows) + len(institutes)
    entry_ids = dict(
        db.execute(select(ContestEntry.code, ContestEntry.id).where(ContestEntry.event_id == event.id)).all()
    )

    # -- judges ---------------------------------------------------------------------------------------
    investors = [o for o in builder.orgs.values() if o.kind == "investor"]
    people = []
    judge_rows = []
    for k in range(JUDGES):
        f_code, f_zh, _en, _n, terms, products = FIELDS[k % len(FIELDS)]
        foreign = k % 6 == 5
        name = (
            rng.choice(FOREIGN_NAMES)
            if foreign
            else rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
        )
        org = rng.choice(institutes + investors[:12]) if k % 4 else None
        picked = "、".join(t for t, _ in rng.sample(terms, 4) + rng.sample(products, 1))
        second = FIELDS[(k * 7 + 3) % len(FIELDS)]
        expertise = f"{f_zh}：{picked}"
        if k % 3 == 0:
            expertise += f"；{second[1]}：{'、'.join(t for t, _ in rng.sample(second[4], 2))}"
        people.append(
            {
                "name_zh": name,
                "name_en": name if foreign else None,
                "title": "评委",
                "organisation_id": org.id if org else None,
                "provenance": SYNTHETIC,
            }
        )
        judge_rows.append(
            {
                "event_id": event.id,
                "organisation_id": org.id if org else None,
                "expertise": expertise,
                "country": ["US", "DE", "GB", "JP", "SG", "IL"][k % 6] if foreign else "CN",
                "languages": ["en"] if foreign else ["zh", "en"],
                "active": True,
                "provenance": SYNTHETIC,
            }
        )
    person_ids = list(db.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), people))
    for row, pid in zip(judge_rows, person_ids, strict=True):
        row["person_id"] = pid
    judge_person = db.scalar(select(Account.person_id).where(Account.username == "judge"))
    judge_rows.append(
        {
            "event_id": event.id,
            "person_id": judge_person,
            "organisation_id": None,
            "expertise": DEMO_JUDGE_EXPERTISE,
            "country": "CN",
            "languages": ["zh", "en"],
            "active": True,
            "provenance": SYNTHETIC,
        }
    )
    # Employment and investment history: two recent employments at entrants, a recent investment in one, and
    # an employment that ended before the look-back window (so it does not count).
    history = {
        1: ("employment", org_rows[0]["name_zh"], "2019-03-01", "2022-08-31"),
        2: ("employment", org_rows[1]["name_zh"], "2021-07-01", None),
        4: ("investment", org_rows[2]["name_zh"], "2022-01-15", None),
        7: ("employment", org_rows[3]["name_zh"], "2012-09-01", "2016-06-30"),
    }
    for k, row in enumerate(judge_rows):
        tie = history.get(k)
        row["ties"] = (
            [{"kind": tie[0], "organisation": tie[1], "start": tie[2], "end": tie[3]}] if tie else []
        )
    db.execute(insert(Judge), judge_rows)
    judges = {j.id: j for j in db.scalars(select(Judge).where(Judge.event_id == event.id))}
    bias = {jid: rng.gauss(0.0, 0.6) for jid in sorted(judges)}

    # -- conflicts: detected (same organisation, employment, investment) and a few declared -----------------------------------------
    contest_service.detect_conflicts(db, actor=SYSTEM, event=event, as_of=dt.date(2023, 6, 1))
    some_judges = sorted(judges)[:3]
    for jid, code in zip(
        some_judges, [top10_codes["ai"][0], top10_codes["ic"][0], top10_codes["biomed"][0]], strict=True
    ):
        db.add(
            Conflict(
                judge_id=jid,
                entry_id=entry_ids[code],
                reason="declared: 曾担任该项目技术顾问",
                source="declared",
            )
        )
    db.flush()

    # -- field TOP10 rounds, then the final: assigned, scored, closed ------------------------------------
    winner_codes = {str(e.code): name for name, e in winners.items()}
    for code in winner_codes:
        quality[code] = 9.0
    finalists: set[str] = set(winner_codes)
    for f_code in fields:
        field_winners = [c for c, nm in winner_codes.items() if WINNERS[nm][0] == f_code]
        extra = FINALISTS_PER_FIELD.get(f_code, 2) - len(field_winners)
        for k, code in enumerate(top10_codes[f_code]):
            quality[code] = (8.3 - 0.2 * k) if k < extra else min(quality[code], 7.4 - 0.04 * k)
            if k < extra:
                finalists.add(code)
    by_id = {entry_ids[c]: c for c in quality if c in entry_ids}
    for rnd in top10.values():
        contest_service.run_assignment(db, actor=SYSTEM, rnd=rnd)
        _score_round(db, rng, rnd, by_id, quality, bias, CRITERIA)
        contest_service.close_round(db, actor=SYSTEM, rnd=rnd)
    final_quality = {code: 6.8 + 0.9 * rng.random() for code in sorted(finalists)}
    tiers = {1: 9.4, 2: 8.95, 3: 8.5}
    ranks = {a.entry_id: a.rank for a in db.scalars(select(Award).where(Award.event_id == event.id))}
    for code in winner_codes:
        final_quality[code] = tiers[ranks[entry_ids[code]]] - 0.02 * sorted(winner_codes).index(code)
    contest_service.run_assignment(db, actor=SYSTEM, rnd=final)
    _score_round(db, rng, final, by_id, final_quality, bias, FINAL_CRITERIA)
    advanced = contest_service.close_round(db, actor=SYSTEM, rnd=final)
    result = contest_service.ranking(db, rnd=final)
    if {by_id[i] for i in advanced} != set(winner_codes) or [
        ranks.get(r.entry.id, 0) for r in result.rows()[:6]
    ] != [1, 2, 2, 3, 3, 3]:
        raise RuntimeError(
            "the generated final scores do not reproduce the published awards: "
            + ", ".join(f"{r.entry.code}:{r.normalised:.2f}/{r.raw_mean:.2f}" for r in result.rows()[:8])
            + f" winners {sorted(winner_codes)} advanced {sorted(by_id.get(i, str(i)) for i in advanced)}"
        )
    for entry_id in advanced:
        entry = db.get(ContestEntry, entry_id)
        assert entry is not None
        contest_service.set_entry_state(
            db, actor=SYSTEM, entry=entry, to=EntryState.AWARDED.value, note="award"
        )

    # -- the open preliminary contest: assigned, waiting for scores -----------------------------------------
    contest_service.run_assignment(db, actor=SYSTEM, rnd=open_rnd)
    demo_judge = next(j for j in judges.values() if j.person_id == judge_person)
    mine = db.scalar(
        select(ReviewAssignment.id).where(
            ReviewAssignment.round_id == open_rnd.id, ReviewAssignment.judge_id == demo_judge.id
        )
    )
    if mine is None:
        raise RuntimeError("the demo judge got no entry of the open preliminary contest")
    db.flush()


def _company_name(rng: random.Random, industry: str, used: set[str]) -> tuple[str, str]:
    """An unused synthetic company name: a stem, a second syllable and the trade of the industry."""
    trade_zh, trade_en = N.INDUSTRY_TRADE.get(industry, ("科技", "Technology"))
    while True:
        k = rng.randrange(len(N.NAME_STEMS))
        s = rng.randrange(len(SECOND))
        zh = f"{N.NAME_STEMS[k]}{SECOND[s][0]}{trade_zh}有限公司"
        if zh not in used:
            used.add(zh)
            return zh, f"{N.NAME_STEMS_EN[k]}{SECOND[s][1]} {trade_en} Co., Ltd."


def source_figure(builder: DemoBuilder, key: str) -> int:
    """A published figure of the contest, as the builder recorded it."""
    event = builder.events["frontier-contest-7"]
    return int(next(f.value for f in event.figures if f.key == key))


def _score_round(
    db: Session,
    rng: random.Random,
    rnd: ContestRound,
    code_of: dict[int, str],
    quality: dict[str, float],
    bias: dict[int, float],
    criteria: list[dict[str, object]],
) -> None:
    """Every review of the round scored and submitted (locked) on the round's last day, in one insert."""
    at = dt.datetime.combine(rnd.ends_on or dt.date(2024, 1, 1), dt.time(17, 0), tzinfo=dt.UTC)
    weights = contest_service.criteria_of(rnd)
    reviews = db.execute(
        select(ReviewAssignment.id, ReviewAssignment.entry_id, ReviewAssignment.judge_id)
        .where(ReviewAssignment.round_id == rnd.id)
        .order_by(ReviewAssignment.id)
    ).all()
    rows = []
    for rid, entry_id, judge_id in reviews:
        marks = _marks(rng, quality.get(code_of.get(entry_id, ""), 6.0), bias[judge_id], criteria)
        total = Decimal(str(round(scoring.weighted_total(marks, weights), 2)))
        rows.append(
            {"assignment_id": rid, "values": marks, "total": total, "submitted_at": at, "locked": True}
        )
    db.execute(insert(Score), rows)


def demo_texts(db: Session) -> list[str]:
    """Every text judge assignment compares (entries' titles and descriptions, judges' expertise), each once,
    so that the vectors ship with the demo and its assignment runs count the semantic part without the model."""
    texts: dict[str, None] = {}
    for entry in db.scalars(select(ContestEntry).order_by(ContestEntry.id)):
        texts.update(dict.fromkeys(contest_service.entry_texts(entry)))
    for judge in db.scalars(select(Judge).order_by(Judge.id)):
        texts.update(dict.fromkeys(contest_service.judge_texts(judge)))
    return list(texts)
