"""The matching record (`Profile`) and the vocabulary it is read in: canonical districts, countries,
categories and stages (Chinese and English spellings alike), amounts in 亿元 with their units, and the
checked reading of JSON records. Pure: no database, no model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from duijie.directory.reference import DISTRICT_EN
from duijie.matching import taxonomy


class MatchingError(ValueError):
    """Bad matching input; the message names the record and field at fault."""


DISTRICTS: dict[str, str] = DISTRICT_EN

CATEGORIES: dict[str, str] = {
    "企业融资": "enterprise financing",
    "园区合作": "park cooperation",
    "楼宇合作": "building cooperation",
    "土地融资": "land financing",
}

STAGES: dict[str, str] = {
    "种子期": "seed",
    "天使轮": "angel",
    "A轮": "Series A",
    "B轮": "Series B",
    "C轮": "Series C",
    "成长期": "growth",
    "成熟期": "mature",
    "Pre-IPO": "pre-IPO",
    "已上市": "listed",
}

COUNTRIES: dict[str, str] = {
    "中国": "China",
    "美国": "United States",
    "英国": "United Kingdom",
    "法国": "France",
    "德国": "Germany",
    "日本": "Japan",
    "新加坡": "Singapore",
    "韩国": "South Korea",
    "以色列": "Israel",
    "中国香港": "Hong Kong, China",
}


def _fold(text: str) -> str:
    """Fold case, width and spacing for name lookups."""
    chars = [chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text.strip()]
    return " ".join("".join(chars).casefold().replace("-", " ").replace("_", " ").split())


def _alias_table(names: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """Map folded Chinese names, English names and extra aliases to the canonical Chinese name."""
    table: dict[str, str] = {}
    for zh, en in names.items():
        table[_fold(zh)] = zh
        table[_fold(en)] = zh
    for alias, zh in extra.items():
        table[_fold(alias)] = zh
    return table


_DISTRICT_ALIASES = _alias_table(
    DISTRICTS,
    {
        **{zh[:-1]: zh for zh in DISTRICTS if zh.endswith("区") and len(zh) <= 4},
        **{en.removesuffix(" District"): zh for zh, en in DISTRICTS.items() if en.endswith(" District")},
        "经开区": "北京经济技术开发区",
        "亦庄": "北京经济技术开发区",
        "北京经开区": "北京经济技术开发区",
        "E-Town": "北京经济技术开发区",
        "Yizhuang": "北京经济技术开发区",
        "BDA": "北京经济技术开发区",
    },
)
_CATEGORY_ALIASES = _alias_table(CATEGORIES, {})
_STAGE_ALIASES = _alias_table(
    STAGES,
    {
        "种子轮": "种子期",
        "天使": "天使轮",
        "天使期": "天使轮",
        "A": "A轮",
        "B": "B轮",
        "C": "C轮",
        "成长阶段": "成长期",
        "growth stage": "成长期",
        "expansion": "成长期",
        "mature stage": "成熟期",
        "上市": "已上市",
        "IPO": "Pre-IPO",
    },
)
_COUNTRY_ALIASES = _alias_table(
    COUNTRIES,
    {
        "CN": "中国",
        "PRC": "中国",
        "China (mainland)": "中国",
        "US": "美国",
        "USA": "美国",
        "UK": "英国",
        "Great Britain": "英国",
        "SG": "新加坡",
        "JP": "日本",
        "DE": "德国",
        "FR": "法国",
        "Korea": "韩国",
        "IL": "以色列",
        "香港": "中国香港",
        "Hong Kong": "中国香港",
    },
)


def canonical_district(name: str) -> str:
    """Return the canonical Chinese district name (海淀, Haidian and 海淀区 are the same), else the input."""
    return _DISTRICT_ALIASES.get(_fold(name), name.strip())


def canonical_category(name: str) -> str:
    """Return the canonical category name for Chinese or English spellings, else the input."""
    return _CATEGORY_ALIASES.get(_fold(name), name.strip())


def canonical_stage(name: str) -> str:
    """Return the canonical stage name (A, Series A and A轮 are the same), else the input."""
    return _STAGE_ALIASES.get(_fold(name), name.strip())


def canonical_country(name: str) -> str:
    """Return the canonical country name (China, CN and 中国 are the same), else the input."""
    return _COUNTRY_ALIASES.get(_fold(name), name.strip())


def en_name(name: str, table: Mapping[str, str]) -> str:
    """English name from a table, falling back to the name itself."""
    return table.get(name, name)


def en_names(names: Iterable[str], table: Mapping[str, str]) -> str:
    """English names joined with commas."""
    return ", ".join(en_name(n, table) for n in names)


_AMOUNT = re.compile(
    r"^\s*(?:cny|rmb|¥|￥)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(亿元|亿|万元|万|元|m|million|bn|billion)?\s*$"
)
_UNIT_IN_YI: dict[str, Decimal] = {
    "亿元": Decimal(1),
    "亿": Decimal(1),
    "万元": Decimal("0.0001"),
    "万": Decimal("0.0001"),
    "元": Decimal("0.00000001"),
    "m": Decimal("0.01"),
    "million": Decimal("0.01"),
    "bn": Decimal(10),
    "billion": Decimal(10),
}


def parse_amount(value: Any, *, where: str) -> Decimal | None:
    """Read an amount in 亿元: a number means 亿元, a string may carry a unit (5000万元, 3亿, CNY 200m)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MatchingError(f"{where}: expected an amount, got {value!r}")
    if isinstance(value, int | float | Decimal):
        try:
            amount = Decimal(str(value))
        except InvalidOperation as exc:
            raise MatchingError(f"{where}: {value!r} is not a number") from exc
    elif isinstance(value, str):
        match = _AMOUNT.match(value.casefold())
        if not match:
            raise MatchingError(f"{where}: {value!r} is not an amount (write e.g. 3, '3亿元', '5000万元')")
        amount = Decimal(match.group(1).replace(",", "")) * _UNIT_IN_YI[match.group(2) or "亿元"]
    else:
        raise MatchingError(f"{where}: expected an amount, got {type(value).__name__}")
    if not amount.is_finite() or amount < 0:
        raise MatchingError(f"{where}: {value!r} must be a non-negative amount")
    return amount


def format_amount(amount: Decimal, lang: str) -> str:
    """Format an amount in 亿元 as people write it: 亿元/万元 in Chinese, CNY millions in English."""
    if lang == "zh":
        if amount >= 1:
            return f"{_plain(amount)}亿元"
        return f"{_plain(amount * 10000)}万元"
    millions = amount * 100
    if millions >= 1000:
        return f"CNY {_plain(millions / 1000)}bn"
    return f"CNY {_plain(millions)}m"


def _plain(value: Decimal) -> str:
    """Print a Decimal without exponent or trailing zeros, rounded to two places."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def range_text(low: Decimal | None, high: Decimal | None, lang: str) -> str:
    """A ticket range as words: 1-5亿元 / CNY 100m–500m, open ends included."""
    if lang == "zh":
        if low is not None and high is not None:
            if low >= 1 and high >= 1:
                return f"{_plain(low)}-{_plain(high)}亿元"
            return f"{format_amount(low, 'zh')}-{format_amount(high, 'zh')}"
        if low is not None:
            return f"{format_amount(low, 'zh')}以上"
        return f"{format_amount(high or Decimal(0), 'zh')}以下"
    if low is not None and high is not None:
        return f"{format_amount(low, 'en')}–{format_amount(high, 'en')}"
    if low is not None:
        return f"at least {format_amount(low, 'en')}"
    return f"at most {format_amount(high or Decimal(0), 'en')}"


def _str_list(value: Any, *, where: str) -> list[str]:
    """Read a list of strings (a single string counts as a list of one)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if not isinstance(value, list | tuple):
        raise MatchingError(f"{where}: expected a list of strings, got {type(value).__name__}")
    out: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, int) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str):
            raise MatchingError(f"{where}[{i}]: expected a string, got {type(item).__name__}")
        if item.strip():
            out.append(item.strip())
    return out


def _opt_str(value: Any, *, where: str) -> str | None:
    """Read an optional string."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MatchingError(f"{where}: expected a string, got {type(value).__name__}")
    return value.strip() or None


@dataclass
class Profile:
    """One side of a match: an investor, project, demand, offer, participant, judge, entry or policy."""

    id: str
    texts: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    district: str | None = None
    country: str | None = None
    preferred_districts: list[str] = field(default_factory=list)
    preferred_countries: list[str] = field(default_factory=list)
    ticket_min: Decimal | None = None
    ticket_max: Decimal | None = None
    amount: Decimal | None = None
    categories: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)
    organisation: str | None = None
    name: str | None = None
    embeddings: np.ndarray | None = None

    KNOWN_FIELDS = frozenset(
        {
            "id",
            "text",
            "texts",
            "industries",
            "industry",
            "district",
            "country",
            "preferred_districts",
            "preferred_countries",
            "ticket_min",
            "ticket_max",
            "amount",
            "categories",
            "category",
            "stages",
            "stage",
            "exclusions",
            "conflicts",
            "declined",
            "organisation",
            "organization",
            "name",
        }
    )

    def __post_init__(self) -> None:
        self.industries = [taxonomy.normalize_industry(i) for i in self.industries]
        self.district = canonical_district(self.district) if self.district else None
        self.country = canonical_country(self.country) if self.country else None
        self.preferred_districts = [canonical_district(d) for d in self.preferred_districts]
        self.preferred_countries = [canonical_country(c) for c in self.preferred_countries]
        self.categories = [canonical_category(c) for c in self.categories]
        self.stages = [canonical_stage(s) for s in self.stages]
        self.exclusions = [str(x) for x in self.exclusions]
        self.declined = [str(x) for x in self.declined]
        if self.ticket_min is not None and self.ticket_max is not None and self.ticket_min > self.ticket_max:
            raise MatchingError(
                f"record {self.id}: ticket_min {self.ticket_min} is above ticket_max {self.ticket_max}"
            )
        if self.embeddings is not None:
            vectors = np.asarray(self.embeddings, dtype=np.float32)
            if vectors.ndim == 1:
                vectors = vectors[None, :]
            if vectors.ndim != 2 or vectors.shape[0] == 0:
                raise MatchingError(f"record {self.id}: embeddings must be a (documents, dim) matrix")
            self.embeddings = vectors

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, where: str = "record") -> Profile:
        """Build a profile from a JSON object; every error names `where` and the field."""
        if not isinstance(data, Mapping):
            raise MatchingError(f"{where}: expected a JSON object, got {type(data).__name__}")
        unknown = sorted(set(data) - cls.KNOWN_FIELDS)
        if unknown:
            raise MatchingError(f"{where}: unknown field(s) {', '.join(unknown)}")
        raw_id = data.get("id")
        if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or str(raw_id).strip() == "":
            raise MatchingError(f"{where}: field 'id' is required (a string or an integer)")
        pid = str(raw_id).strip()
        at = f"{where} (id {pid})"
        if "text" in data and "texts" in data:
            raise MatchingError(f"{at}: give either 'text' or 'texts', not both")
        texts = _str_list(data.get("texts", data.get("text")), where=f"{at}: field 'texts'")

        def one_or_many(plural: str, singular: str) -> list[str]:
            if plural in data and singular in data:
                raise MatchingError(f"{at}: give either '{plural}' or '{singular}', not both")
            key = plural if plural in data else singular
            return _str_list(data.get(key), where=f"{at}: field '{key}'")

        org_key = "organisation" if "organisation" in data else "organization"
        try:
            return cls(
                id=pid,
                texts=texts,
                industries=one_or_many("industries", "industry"),
                district=_opt_str(data.get("district"), where=f"{at}: field 'district'"),
                country=_opt_str(data.get("country"), where=f"{at}: field 'country'"),
                preferred_districts=_str_list(
                    data.get("preferred_districts"), where=f"{at}: field 'preferred_districts'"
                ),
                preferred_countries=_str_list(
                    data.get("preferred_countries"), where=f"{at}: field 'preferred_countries'"
                ),
                ticket_min=parse_amount(data.get("ticket_min"), where=f"{at}: field 'ticket_min'"),
                ticket_max=parse_amount(data.get("ticket_max"), where=f"{at}: field 'ticket_max'"),
                amount=parse_amount(data.get("amount"), where=f"{at}: field 'amount'"),
                categories=one_or_many("categories", "category"),
                stages=one_or_many("stages", "stage"),
                exclusions=one_or_many("exclusions", "conflicts"),
                declined=_str_list(data.get("declined"), where=f"{at}: field 'declined'"),
                organisation=_opt_str(data.get(org_key), where=f"{at}: field '{org_key}'"),
                name=_opt_str(data.get("name"), where=f"{at}: field 'name'"),
            )
        except MatchingError as exc:
            if str(exc).startswith(f"record {pid}:"):
                raise MatchingError(f"{at}:{str(exc).split(':', 1)[1]}") from exc
            raise


def profiles_from_json(records: Iterable[Mapping[str, Any]], *, source: str = "record") -> list[Profile]:
    """Build profiles from JSON objects, naming the position of a bad one."""
    return [Profile.from_json(r, where=f"{source} #{i + 1}") for i, r in enumerate(records)]
