"""The industry taxonomy used by matching: Beijing's 高精尖 industries, their groups and related links.

It owns the canonical industry names (Chinese, with English names), the synonyms people actually type
("AI", "semiconductors", "biotech", "自动驾驶"), and how close two industries are for matchmaking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FitKind = Literal["exact", "parent", "related", "none"]

EXACT_SCORE = 1.0
PARENT_SCORE = 0.7
RELATED_SCORE = 0.4


@dataclass(frozen=True)
class Industry:
    """One industry of the taxonomy, named in both languages."""

    name: str
    name_en: str
    parent: str | None = None
    related: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = field(default_factory=tuple)


INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "新一代信息技术",
        "next-generation information technology",
        related=("集成电路", "人工智能", "软件和信息服务", "量子信息"),
        synonyms=(
            "信息技术",
            "ICT",
            "IT",
            "information technology",
            "new generation IT",
            "next-gen IT",
            "新一代IT",
        ),
    ),
    Industry(
        "集成电路",
        "integrated circuits",
        related=("新一代信息技术", "人工智能"),
        synonyms=(
            "芯片",
            "半导体",
            "semiconductor",
            "semiconductors",
            "chips",
            "chip",
            "IC",
            "microelectronics",
            "微电子",
        ),
    ),
    Industry(
        "人工智能",
        "artificial intelligence",
        related=("机器人", "软件和信息服务", "新一代信息技术", "集成电路"),
        synonyms=(
            "AI",
            "A.I.",
            "machine learning",
            "深度学习",
            "deep learning",
            "大模型",
            "large language models",
            "机器学习",
        ),
    ),
    Industry(
        "软件和信息服务",
        "software and information services",
        related=("人工智能", "新一代信息技术", "科技服务"),
        synonyms=(
            "软件",
            "software",
            "SaaS",
            "IT services",
            "信息服务",
            "云计算",
            "cloud computing",
            "大数据",
            "big data",
        ),
    ),
    Industry(
        "医药健康",
        "medicine and health",
        related=("生物科技",),
        synonyms=(
            "生物医药",
            "医药",
            "医疗器械",
            "healthcare",
            "health",
            "pharmaceuticals",
            "pharma",
            "medical devices",
            "biomedicine",
            "life sciences",
        ),
    ),
    Industry(
        "生物科技",
        "biotechnology",
        parent="医药健康",
        synonyms=(
            "生物技术",
            "biotech",
            "biotechnology",
            "合成生物",
            "synthetic biology",
            "基因",
            "genomics",
        ),
    ),
    Industry(
        "智能制造与装备",
        "intelligent manufacturing and equipment",
        related=("机器人", "新材料"),
        synonyms=(
            "智能制造",
            "高端装备",
            "装备制造",
            "smart manufacturing",
            "advanced manufacturing",
            "intelligent manufacturing",
            "industrial equipment",
            "工业互联网",
            "industrial internet",
        ),
    ),
    Industry(
        "机器人",
        "robotics",
        parent="智能制造与装备",
        related=("人工智能",),
        synonyms=("robot", "robots", "robotics", "人形机器人", "humanoid robots", "具身智能", "embodied AI"),
    ),
    Industry(
        "科技服务",
        "technology services",
        related=("软件和信息服务",),
        synonyms=(
            "科技服务业",
            "technology services",
            "tech services",
            "技术转移",
            "technology transfer",
            "检验检测",
            "testing and certification",
            "孵化",
            "incubation",
        ),
    ),
    Industry(
        "绿色能源与节能环保",
        "green energy and environmental protection",
        related=("新能源智能汽车", "新材料"),
        synonyms=(
            "绿色能源",
            "新能源",
            "节能环保",
            "环保",
            "清洁能源",
            "储能",
            "氢能",
            "光伏",
            "clean energy",
            "green energy",
            "renewable energy",
            "renewables",
            "cleantech",
            "energy storage",
            "hydrogen",
            "environmental protection",
            "climate tech",
        ),
    ),
    Industry(
        "新能源智能汽车",
        "new energy and intelligent vehicles",
        related=("绿色能源与节能环保", "人工智能"),
        synonyms=(
            "新能源汽车",
            "电动汽车",
            "汽车",
            "electric vehicles",
            "EV",
            "EVs",
            "new energy vehicles",
            "NEV",
            "automotive",
            "智能汽车",
            "smart vehicles",
        ),
    ),
    Industry(
        "智能网联汽车",
        "intelligent connected vehicles",
        parent="新能源智能汽车",
        related=("人工智能",),
        synonyms=(
            "自动驾驶",
            "车联网",
            "无人驾驶",
            "autonomous driving",
            "self-driving",
            "connected vehicles",
            "autonomous vehicles",
            "ICV",
        ),
    ),
    Industry(
        "新材料",
        "new materials",
        related=("集成电路", "智能制造与装备"),
        synonyms=(
            "先进材料",
            "advanced materials",
            "materials",
            "new materials",
            "材料",
            "石墨烯",
            "graphene",
        ),
    ),
    Industry(
        "商业航天",
        "commercial space",
        related=("低空经济",),
        synonyms=(
            "航天",
            "卫星",
            "commercial aerospace",
            "space",
            "aerospace",
            "satellites",
            "satellite",
            "rockets",
            "火箭",
            "space tech",
        ),
    ),
    Industry(
        "低空经济",
        "low-altitude economy",
        related=("商业航天", "机器人"),
        synonyms=(
            "无人机",
            "drones",
            "drone",
            "UAV",
            "UAVs",
            "eVTOL",
            "低空飞行",
            "low altitude economy",
            "urban air mobility",
        ),
    ),
    Industry(
        "量子信息",
        "quantum information",
        related=("新一代信息技术", "集成电路"),
        synonyms=(
            "量子",
            "量子计算",
            "量子通信",
            "quantum",
            "quantum computing",
            "quantum communication",
            "quantum tech",
        ),
    ),
)

BY_NAME: dict[str, Industry] = {industry.name: industry for industry in INDUSTRIES}


def _fold(text: str) -> str:
    """Fold case, width and spacing so that 'A.I.', 'ai' and 'Ａｉ' look the same to the lookup."""
    out = []
    for ch in text.strip():
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        out.append(ch)
    return " ".join("".join(out).casefold().replace("_", " ").replace("-", " ").split())


def _build_aliases() -> dict[str, str]:
    """Map every folded name, English name and synonym to its canonical Chinese name."""
    aliases: dict[str, str] = {}
    for industry in INDUSTRIES:
        for alias in (industry.name, industry.name_en, *industry.synonyms):
            aliases.setdefault(_fold(alias), industry.name)
    return aliases


ALIASES: dict[str, str] = _build_aliases()


def canonical_industry(name: str) -> str | None:
    """Return the canonical Chinese name for an industry name or synonym, or None when it is unknown."""
    folded = _fold(name)
    if not folded:
        return None
    if folded in ALIASES:
        return ALIASES[folded]
    if folded.endswith("产业") and folded[:-2] in ALIASES:
        return ALIASES[folded[:-2]]
    if folded.endswith(" industry") and folded[: -len(" industry")] in ALIASES:
        return ALIASES[folded[: -len(" industry")]]
    return None


def normalize_industry(name: str) -> str:
    """Return the canonical name, else the trimmed input, so unknown industries still match exactly."""
    return canonical_industry(name) or name.strip()


def english_name(name: str) -> str:
    """Return the English name of an industry (the input itself when the taxonomy does not know it)."""
    canonical = canonical_industry(name)
    return BY_NAME[canonical].name_en if canonical else name


def _related(a: str, b: str) -> bool:
    """Whether a and b are linked, declared from either side or as children of the same group."""
    ia, ib = BY_NAME[a], BY_NAME[b]
    if b in ia.related or a in ib.related:
        return True
    if ia.parent is not None and ia.parent == ib.parent:
        return True
    # A child inherits its group's links: 智能网联汽车 is close to what 新能源智能汽车 is close to.
    return (ia.parent is not None and b in BY_NAME[ia.parent].related) or (
        ib.parent is not None and a in BY_NAME[ib.parent].related
    )


def industry_fit(a: str, b: str) -> tuple[float, FitKind]:
    """Score how close two industries are: exact, parent/child, related, or none."""
    ca, cb = normalize_industry(a), normalize_industry(b)
    if not ca or not cb:
        return 0.0, "none"
    if ca == cb:
        return EXACT_SCORE, "exact"
    if ca not in BY_NAME or cb not in BY_NAME:
        return 0.0, "none"
    if BY_NAME[ca].parent == cb or BY_NAME[cb].parent == ca:
        return PARENT_SCORE, "parent"
    if _related(ca, cb):
        return RELATED_SCORE, "related"
    return 0.0, "none"


def best_industry_fit(left: list[str], right: list[str]) -> tuple[float, FitKind, str, str]:
    """Return the closest pair of industries of two lists: (score, kind, left industry, right industry)."""
    best: tuple[float, FitKind, str, str] = (0.0, "none", "", "")
    for a in left:
        for b in right:
            score, kind = industry_fit(a, b)
            if score > best[0]:
                best = (score, kind, normalize_industry(a), normalize_industry(b))
    return best
