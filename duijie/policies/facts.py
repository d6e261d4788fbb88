"""The typed fact vocabulary an enterprise is described by, value parsing and bilingual formatting.

Eligibility rules may only speak of the facts named here; each fact has one type, a unit, a domain and a
label in Chinese and English, so that rules can be checked when saved and reasons can be written in words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from duijie.core.errors import DomainError
from duijie.core.i18n import chinese_amount


class FactType(StrEnum):
    """The kinds of value a fact can hold."""

    BOOL = "bool"
    INT = "int"
    MONEY = "money"
    RATIO = "ratio"
    NUMBER = "number"
    DATE = "date"
    ENUM = "enum"
    SET = "set"


NUMERIC_TYPES = frozenset({FactType.INT, FactType.MONEY, FactType.RATIO, FactType.NUMBER, FactType.DATE})

# Decimal places kept for each numeric type: money to the fen, ratios to a millionth, quantities to 0.01.
SCALE: dict[FactType, int] = {FactType.MONEY: 2, FactType.RATIO: 6, FactType.NUMBER: 2, FactType.INT: 0}

DISTRICTS: tuple[str, ...] = (
    "东城区",
    "西城区",
    "朝阳区",
    "海淀区",
    "丰台区",
    "石景山区",
    "门头沟区",
    "房山区",
    "通州区",
    "顺义区",
    "昌平区",
    "大兴区",
    "怀柔区",
    "平谷区",
    "密云区",
    "延庆区",
    "北京经济技术开发区",
)

INDUSTRIES: tuple[str, ...] = (
    "新一代信息技术",
    "集成电路",
    "人工智能",
    "软件和信息服务",
    "医药健康",
    "智能制造与装备",
    "科技服务",
    "绿色能源与节能环保",
    "新能源智能汽车",
    "智能网联汽车",
    "生物科技",
    "新材料",
    "商业航天",
    "低空经济",
    "量子信息",
    "机器人",
)

# 三城一区 and the Zhongguancun bonded zone; 其他 marks an enterprise located outside these parks.
PARKS: tuple[str, ...] = (
    "中关村科学城",
    "怀柔科学城",
    "未来科学城",
    "创新型产业集群示范区",
    "北京中关村综合保税区",
    "其他",
)

FLAGS: tuple[str, ...] = (
    "high_tech",
    "specialised",
    "little_giant",
    "unicorn",
    "foreign_invested",
    "headquarters",
    "rd_centre",
    "listed",
    "first_store",
)


class FactError(DomainError):
    """An enterprise fact that is unknown to the vocabulary or has a value of the wrong kind."""


@dataclass(frozen=True)
class FactDef:
    """One fact of the vocabulary: its type, unit, domain and labels."""

    name: str
    type: FactType
    label_zh: str
    label_en: str
    unit_zh: str = ""
    unit_en: str = ""
    choices: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    changeable: bool = True
    # A date that has happened (a founding date): one after today is a typing slip, not a plan.
    past_only: bool = False

    def label(self, lang: str) -> str:
        """Give the label in the requested language so reasons read naturally."""
        return self.label_zh if lang == "zh" else self.label_en


_ZERO = Decimal(0)
_ONE = Decimal(1)


def _defs() -> dict[str, FactDef]:
    items = [
        FactDef("registered_district", FactType.ENUM, "注册地", "registered district", choices=DISTRICTS),
        FactDef("park", FactType.ENUM, "所在园区", "park", choices=PARKS),
        FactDef("industries", FactType.SET, "所属产业", "industries", choices=INDUSTRIES),
        FactDef("founded_on", FactType.DATE, "成立日期", "founding date", changeable=False, past_only=True),
        FactDef("revenue", FactType.MONEY, "上年营业收入", "last year's revenue", "元", "CNY", minimum=_ZERO),
        FactDef(
            "rd_spend", FactType.MONEY, "上年研发投入", "last year's R&D spend", "元", "CNY", minimum=_ZERO
        ),
        FactDef(
            "rd_ratio",
            FactType.RATIO,
            "研发投入强度",
            "R&D intensity",
            minimum=_ZERO,
            maximum=_ONE,
        ),
        FactDef("headcount", FactType.INT, "从业人数", "headcount", "人", "employees", minimum=_ZERO),
        FactDef("rd_staff", FactType.INT, "研发人员数", "R&D staff", "人", "people", minimum=_ZERO),
        FactDef(
            "tax_paid", FactType.MONEY, "上年纳税额", "last year's taxes paid", "元", "CNY", minimum=_ZERO
        ),
        FactDef("valuation", FactType.MONEY, "最新估值", "latest valuation", "元", "CNY", minimum=_ZERO),
        FactDef(
            "fixed_asset_investment",
            FactType.MONEY,
            "固定资产投资额",
            "fixed-asset investment",
            "元",
            "CNY",
            minimum=_ZERO,
        ),
        FactDef(
            "compute_spend", FactType.MONEY, "算力采购额", "compute purchases", "元", "CNY", minimum=_ZERO
        ),
        FactDef(
            "tech_contract_value",
            FactType.MONEY,
            "技术合同成交额",
            "technology contract turnover",
            "元",
            "CNY",
            minimum=_ZERO,
        ),
        FactDef(
            "retail_sales",
            FactType.MONEY,
            "上年零售额",
            "last year's retail sales",
            "元",
            "CNY",
            minimum=_ZERO,
        ),
        FactDef(
            "office_area", FactType.NUMBER, "办公用房面积", "office floor area", "平方米", "m²", minimum=_ZERO
        ),
        FactDef(
            "energy_saved",
            FactType.NUMBER,
            "年节能量",
            "annual energy saved",
            "吨标准煤",
            "t of coal equivalent",
            minimum=_ZERO,
        ),
        FactDef("high_tech", FactType.BOOL, "高新技术企业", "high-tech enterprise"),
        FactDef("specialised", FactType.BOOL, "专精特新企业", "specialised and innovative enterprise"),
        FactDef("little_giant", FactType.BOOL, "专精特新“小巨人”企业", "“little giant” enterprise"),
        FactDef("unicorn", FactType.BOOL, "独角兽企业", "unicorn"),
        FactDef(
            "foreign_invested", FactType.BOOL, "外资企业", "foreign-invested enterprise", changeable=False
        ),
        FactDef("headquarters", FactType.BOOL, "总部企业", "headquarters enterprise"),
        FactDef("rd_centre", FactType.BOOL, "独立研发中心", "stand-alone R&D centre"),
        FactDef("listed", FactType.BOOL, "上市企业", "listed company"),
        FactDef("first_store", FactType.BOOL, "在京开设首店", "first store opened in Beijing"),
    ]
    return {d.name: d for d in items}


FACTS: dict[str, FactDef] = _defs()

# English names of the enumerated values, so English text does not show Chinese names.
CHOICE_EN: dict[str, str] = {
    "东城区": "Dongcheng",
    "西城区": "Xicheng",
    "朝阳区": "Chaoyang",
    "海淀区": "Haidian",
    "丰台区": "Fengtai",
    "石景山区": "Shijingshan",
    "门头沟区": "Mentougou",
    "房山区": "Fangshan",
    "通州区": "Tongzhou",
    "顺义区": "Shunyi",
    "昌平区": "Changping",
    "大兴区": "Daxing",
    "怀柔区": "Huairou",
    "平谷区": "Pinggu",
    "密云区": "Miyun",
    "延庆区": "Yanqing",
    "北京经济技术开发区": "Beijing Economic-Technological Development Area",
    "新一代信息技术": "new-generation information technology",
    "集成电路": "integrated circuits",
    "人工智能": "artificial intelligence",
    "软件和信息服务": "software and information services",
    "医药健康": "medicine and health",
    "智能制造与装备": "intelligent manufacturing and equipment",
    "科技服务": "technology services",
    "绿色能源与节能环保": "green energy and environmental protection",
    "新能源智能汽车": "new-energy smart vehicles",
    "智能网联汽车": "intelligent connected vehicles",
    "生物科技": "biotechnology",
    "新材料": "new materials",
    "商业航天": "commercial space",
    "低空经济": "low-altitude economy",
    "量子信息": "quantum information",
    "机器人": "robotics",
    "中关村科学城": "Zhongguancun Science City",
    "怀柔科学城": "Huairou Science City",
    "未来科学城": "Future Science City",
    "创新型产业集群示范区": "Innovative Industrial Cluster Demonstration Zone",
    "北京中关村综合保税区": "Zhongguancun Comprehensive Bonded Zone",
    "其他": "other",
}


def choice_label(value: str, lang: str) -> str:
    """Name an enumerated value in the requested language."""
    return value if lang == "zh" else CHOICE_EN.get(value, value)


Value = bool | int | Decimal | date | str | frozenset[str]

_MONEY_RE = re.compile(r"^\s*(?:CNY|RMB|¥|￥)?\s*([+-]?[0-9][0-9,]*(?:\.[0-9]+)?)\s*(亿|万)?\s*(元)?\s*$")
_RATIO_RE = re.compile(r"^\s*([+-]?[0-9]+(?:\.[0-9]+)?)\s*(%)?\s*$")


def quantize(kind: FactType, value: Decimal) -> Decimal:
    """Round a numeric value to the precision its type keeps, so single and bulk evaluation agree exactly."""
    places = SCALE.get(kind, 0)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def parse_money(raw: Any) -> Decimal:
    """Read an amount in 元 from a number or a string such as "2亿元", "500万", "1,200,000" or 两亿 (as the
    organisation editor and the sheets read it, so the same words mean the same amount everywhere)."""
    if isinstance(raw, bool):
        raise ValueError("a yes/no value is not an amount")
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(str(raw))
    if isinstance(raw, str):
        match = _MONEY_RE.match(raw)
        if match:
            number = Decimal(match.group(1).replace(",", ""))
            unit = match.group(2)
            if unit == "亿":
                number *= Decimal(100_000_000)
            elif unit == "万":
                number *= Decimal(10_000)
            return number
        spelt = chinese_amount(raw)
        if spelt is not None:
            return spelt
    raise ValueError(f"{raw!r} is not an amount (write 200000000, 2亿元 or 500万元)")


def parse_ratio(raw: Any) -> Decimal:
    """Read a ratio from 0.05 or "5%"."""
    if isinstance(raw, bool):
        raise ValueError("a yes/no value is not a ratio")
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(str(raw))
    if isinstance(raw, str):
        match = _RATIO_RE.match(raw)
        if match:
            number = Decimal(match.group(1))
            return number / 100 if match.group(2) else number
    raise ValueError(f"{raw!r} is not a ratio (write 0.05 or 5%)")


def parse_number(raw: Any) -> Decimal:
    """Read a plain quantity."""
    if isinstance(raw, bool):
        raise ValueError("a yes/no value is not a number")
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(str(raw))
    if isinstance(raw, str):
        try:
            return Decimal(raw.replace(",", "").strip())
        except InvalidOperation:
            pass
    raise ValueError(f"{raw!r} is not a number")


def parse_int(raw: Any) -> int:
    """Read a whole number, refusing fractions rather than silently truncating them."""
    if isinstance(raw, bool):
        raise ValueError("a yes/no value is not a whole number")
    if isinstance(raw, int):
        return raw
    number = parse_number(raw)
    if number != number.to_integral_value():
        raise ValueError(f"{raw!r} is not a whole number")
    return int(number)


def parse_date(raw: Any) -> date:
    """Read a date from a date object or an ISO string such as 2019-03-01."""
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise ValueError(f"{raw!r} is not a date (write YYYY-MM-DD)")


def parse_bool(raw: Any) -> bool:
    """Read a yes/no value, accepting the spellings spreadsheets use."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in {"true", "yes", "y", "1", "是"}:
            return True
        if text in {"false", "no", "n", "0", "否"}:
            return False
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    raise ValueError(f"{raw!r} is not yes/no (write true or false)")


def parse_scalar(fact: FactDef, raw: Any) -> Value:
    """Parse one value of a fact's element type (raises ValueError with a plain message)."""
    kind = fact.type
    if kind == FactType.BOOL:
        return parse_bool(raw)
    if kind == FactType.INT:
        return parse_int(raw)
    if kind == FactType.MONEY:
        return parse_money(raw)
    if kind == FactType.RATIO:
        return parse_ratio(raw)
    if kind == FactType.NUMBER:
        return parse_number(raw)
    if kind == FactType.DATE:
        return parse_date(raw)
    if not isinstance(raw, str):
        raise ValueError(f"{raw!r} is not text")
    value = raw.strip()
    if fact.choices and value not in fact.choices:
        raise ValueError(f"{value!r} is not one of: {'、'.join(fact.choices)}")
    return value


def parse_value(fact: FactDef, raw: Any) -> Value:
    """Parse and range-check a fact value (raises ValueError with a plain message)."""
    if fact.type == FactType.SET:
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple | set | frozenset):
            raise ValueError(f"{raw!r} is not a list")
        return frozenset(str(parse_scalar(fact, item)) for item in items)
    value = parse_scalar(fact, raw)
    if fact.past_only and isinstance(value, date) and value > date.today():
        raise ValueError(f"{value.isoformat()} is after today; a {fact.label_en} has already happened")
    if isinstance(value, Decimal):
        value = quantize(fact.type, value)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        if fact.minimum is not None and value < fact.minimum:
            raise ValueError(f"{value} is below the smallest possible value {fact.minimum}")
        if fact.maximum is not None and value > fact.maximum:
            raise ValueError(f"{value} is above the largest possible value {fact.maximum}")
    return value


def normalise_facts(raw: Mapping[str, Any], *, where: str = "facts") -> dict[str, Value]:
    """Check an enterprise's facts against the vocabulary and return them typed; missing facts stay absent.

    A `flags` list (e.g. ["high_tech", "specialised"]) sets every flag fact: listed flags true, others false.
    When R&D intensity is absent it is derived from R&D spend and revenue.
    """
    facts: dict[str, Value] = {}
    for name, raw_value in raw.items():
        if name == "flags":
            if not isinstance(raw_value, list | tuple | set | frozenset):
                raise FactError(f"{where}.flags: expected a list of flags", field=f"{where}.flags")
            unknown = sorted(str(f) for f in raw_value if f not in FLAGS)
            if unknown:
                raise FactError(
                    f"{where}.flags: unknown flag {', '.join(unknown)} (known: {', '.join(FLAGS)})",
                    field=f"{where}.flags",
                )
            for flag in FLAGS:
                facts.setdefault(flag, flag in raw_value)
            continue
        fact = FACTS.get(name)
        if fact is None:
            raise FactError(
                f"{where}.{name}: unknown fact (known: {', '.join(sorted(FACTS))})", field=f"{where}.{name}"
            )
        if raw_value is None:
            continue
        try:
            facts[name] = parse_value(fact, raw_value)
        except ValueError as exc:
            raise FactError(f"{where}.{name}: {exc}", field=f"{where}.{name}") from exc
    if "rd_ratio" not in facts and "rd_spend" in facts and facts.get("revenue"):
        ratio = quantize(FactType.RATIO, Decimal(facts["rd_spend"]) / Decimal(facts["revenue"]))  # type: ignore[arg-type]
        facts["rd_ratio"] = min(ratio, _ONE)
    return facts


def age_years(born: date, on: date) -> int:
    """Count whole years from a date to another, as a founding age is counted."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def plain(number: Decimal) -> str:
    """Write a decimal without exponent or trailing zeros."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def grouped(number: Decimal) -> str:
    """Write a decimal with thousands separators for English text."""
    text = plain(number)
    whole, _, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    whole = f"{int(whole):,}"
    return sign + whole + (f".{frac}" if frac else "")


YI = Decimal(100_000_000)
WAN = Decimal(10_000)
MILLION = Decimal(1_000_000)


def money_unit(amount: Decimal) -> str:
    """Pick the Chinese unit an amount is naturally written in."""
    magnitude = abs(amount)
    if magnitude >= YI:
        return "亿"
    if magnitude >= WAN:
        return "万"
    return ""


def format_money(amount: Decimal, lang: str, unit: str | None = None) -> str:
    """Write an amount as 1.2亿元 / 500万元 in Chinese or CNY 120 million in English."""
    if lang == "zh":
        unit = money_unit(amount) if unit is None else unit
        if unit == "亿":
            return f"{plain(amount / YI)}亿元"
        if unit == "万":
            return f"{plain(amount / WAN)}万元"
        return f"{plain(amount)}元"
    if abs(amount) >= MILLION:
        return f"CNY {grouped(amount / MILLION)} million"
    return f"CNY {grouped(amount)}"


def format_value(fact: FactDef, value: Value, lang: str, *, unit: str | None = None) -> str:
    """Write a fact value with its unit in the requested language."""
    kind = fact.type
    if kind == FactType.MONEY:
        return format_money(Decimal(str(value)), lang, unit)
    if kind == FactType.RATIO:
        # A ratio computed from two amounts (R&D spending over revenue) has many digits; two decimals of a
        # percent are what a reader compares with a threshold like 4%.
        percent = (Decimal(str(value)) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return f"{plain(percent)}%"
    if kind == FactType.BOOL:
        if lang == "zh":
            return "是" if value else "否"
        return "yes" if value else "no"
    if kind == FactType.DATE:
        return value.isoformat()  # type: ignore[union-attr]
    if kind == FactType.SET:
        return format_choices(sorted(value), lang)  # type: ignore[arg-type]
    if kind == FactType.ENUM:
        return choice_label(str(value), lang)
    if kind in (FactType.INT, FactType.NUMBER):
        text = plain(Decimal(value)) if lang == "zh" else grouped(Decimal(value))  # type: ignore[arg-type]
        suffix = fact.unit_zh if lang == "zh" else f" {fact.unit_en}"
        return f"{text}{suffix}" if fact.unit_zh else text
    return str(value)


def format_choices(values: list[str] | tuple[str, ...], lang: str) -> str:
    """Write a list of enumerated values joined the way each language joins them."""
    if not values:
        return "无" if lang == "zh" else "none"
    return "、".join(values) if lang == "zh" else ", ".join(choice_label(v, lang) for v in values)
