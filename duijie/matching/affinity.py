"""Affinity between the two sides of a match, decomposed into named, explained parts.

This module owns the matching record (`Profile`), the per-pair-kind feature weights, the engine that turns
two profiles into an `Affinity` (semantic similarity of their documents, lexical overlap of domain terms,
industry fit, district and country preference, amount within a ticket range, category and stage fit,
declared conflicts and declined suggestions), the batch forms (`score_matrix`, `top_k`) and `explain`.
Everything here is pure: profiles in, numbers and words out.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from scipy import sparse

from duijie.directory.reference import DISTRICT_EN
from duijie.matching import taxonomy

Progress = Callable[[int, int], None]
Tokenizer = Callable[[str], list[str]]


class MatchingError(ValueError):
    """Bad matching input; the message names the record and field at fault."""


PART_NAMES: tuple[str, ...] = (
    "semantic",
    "lexical",
    "industry",
    "district",
    "country",
    "amount",
    "category",
    "stage",
)

PAIR_KINDS: dict[str, dict[str, float]] = {
    "investor_project": {
        "semantic": 0.22,
        "lexical": 0.22,
        "industry": 0.20,
        "district": 0.08,
        "country": 0.02,
        "amount": 0.12,
        "category": 0.08,
        "stage": 0.06,
    },
    "demand_offer": {
        "semantic": 0.33,
        "lexical": 0.32,
        "industry": 0.20,
        "district": 0.05,
        "country": 0.02,
        "amount": 0.05,
        "category": 0.03,
    },
    "enterprise_enterprise": {
        "semantic": 0.28,
        "lexical": 0.27,
        "industry": 0.25,
        "district": 0.10,
        "country": 0.05,
        "category": 0.05,
    },
    "participant_participant": {
        "semantic": 0.30,
        "lexical": 0.30,
        "industry": 0.25,
        "district": 0.05,
        "country": 0.10,
    },
    "judge_entry": {"semantic": 0.40, "lexical": 0.40, "industry": 0.20},
    "enterprise_policy": {
        "semantic": 0.23,
        "lexical": 0.22,
        "industry": 0.25,
        "district": 0.15,
        "amount": 0.05,
        "category": 0.05,
        "stage": 0.05,
    },
}
"""Default weights per pair kind; an event's settings override them part by part.

Semantic and lexical evidence weigh the same: on the expert and investor benchmarks (bench_matching.py)
the even hybrid beats either alone, and embeddings carry the cross-language matches that terms cannot.
"""

NEUTRAL: dict[str, float] = {
    "semantic": 0.3,
    "lexical": 0.1,
    "industry": 0.2,
    "district": 0.5,
    "country": 0.5,
    "amount": 0.5,
    "category": 0.5,
    "stage": 0.5,
}
"""Value of a part a side does not state: its expected value, so silence is neither punished nor paid."""

DECLINE_PENALTY = 0.5
SEMANTIC_RANGES: dict[str, tuple[float, float]] = {
    "multilingual-e5-small-q4": (0.70, 0.92),
    "multilingual-e5-small-q4+lc1": (0.0, 0.65),
}
"""Cosine similarities mapped to 0 and 1 by model, for when the corpus is too small to measure them."""
DEFAULT_SEMANTIC_RANGE = SEMANTIC_RANGES["multilingual-e5-small-q4+lc1"]
DEFAULT_LEXICAL_HIGH = 0.30
COMMON_TERM_SHARE = 0.1
"""A term in more than this share of the profiles (企业, 面向, technology) is not named as a reason: it weighs
little in the lexical score already, and saying two records share it tells a reader nothing."""
MIN_DOCS_FOR_COMMON = 20
"""Below this many profiles the share is too rough to call any term common."""
# fmt: off
GENERIC_TERMS: frozenset[str] = frozenset({
    "面向", "主要", "从事", "基于", "相关", "提供", "拥有", "正在", "进行", "开展", "实现", "具有", "通过", "包括",
    "用于", "方向", "领域", "企业", "公司", "有限公司", "项目", "产品", "行业", "客户", "团队", "已在", "多家",
    "寻求", "新一轮", "来自", "重点", "投资", "等方向",
    "company", "companies", "working", "based", "provides", "project", "projects", "products", "industry",
    "customers", "team", "focus", "invests", "investing", "looking", "several", "new", "round",
})
# fmt: on
"""Words of how profiles are written, not of what they are about: never named as a shared term (they still
count in the lexical score, where their low weight already says little)."""
AGGREGATIONS = ("max", "mean", "topm", "centroid", "blend")

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


def _en(name: str, table: Mapping[str, str]) -> str:
    """English name from a table, falling back to the name itself."""
    return table.get(name, name)


def _en_list(names: Iterable[str], table: Mapping[str, str]) -> str:
    """English names joined with commas."""
    return ", ".join(_en(n, table) for n in names)


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


def _range_text(low: Decimal | None, high: Decimal | None, lang: str) -> str:
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


@dataclass(frozen=True)
class Part:
    """One named component of an affinity: its value in [0, 1], weight, share of the score and reasons."""

    name: str
    value: float
    weight: float
    contribution: float
    reason_zh: str
    reason_en: str
    known: bool = True


@dataclass(frozen=True)
class Affinity:
    """How well two profiles fit: a score in [0, 1] that is exactly the sum of its parts' contributions."""

    left_id: str
    right_id: str
    score: float
    parts: list[Part]

    def part(self, name: str) -> Part:
        """Return the part with this name."""
        for part in self.parts:
            if part.name == name:
                return part
        raise KeyError(name)


def explain(affinity: Affinity, lang: str = "zh") -> str:
    """Say in words why two profiles match: conflicts first, then the parts that weigh most."""
    if lang not in ("zh", "en"):
        raise MatchingError(f"language {lang!r}: use 'zh' or 'en'")
    penalties = [p for p in affinity.parts if p.contribution < 0]
    positives = sorted(
        (p for p in affinity.parts if p.contribution >= 0 and p.known and p.weight > 0),
        key=lambda p: (-p.contribution, PART_NAMES.index(p.name) if p.name in PART_NAMES else 99),
    )
    reasons = [p.reason_zh if lang == "zh" else p.reason_en for p in [*penalties, *positives]]
    if lang == "zh":
        return f"匹配度{affinity.score:.2f}：" + "；".join(reasons)
    return f"Affinity {affinity.score:.2f}: " + "; ".join(reasons)


@dataclass
class EngineOptions:
    """How the engine aggregates a profile's documents and treats feedback.

    The default aggregation, the mean of the best and the average document similarity, ranks experts
    nearly as well as the plain average on the benchmark while still crediting a strong minor subject.
    """

    aggregation: str = "blend"
    top_m: int = 3
    decline_penalty: float = DECLINE_PENALTY
    candidates: int = 200
    block_size: int = 512
    min_calibration_pairs: int = 200
    embed_processes: int = 1


def resolve_weights(kind: str, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Default weights of a pair kind with an event's overrides applied, checked part by part."""
    if kind not in PAIR_KINDS:
        raise MatchingError(f"pair kind {kind!r}: use one of {', '.join(PAIR_KINDS)}")
    weights = {name: 0.0 for name in PART_NAMES}
    weights.update(PAIR_KINDS[kind])
    for name, value in (overrides or {}).items():
        if name not in weights:
            raise MatchingError(f"weight {name!r}: unknown part (parts are {', '.join(PART_NAMES)})")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise MatchingError(f"weight {name!r}: {value!r} must be a non-negative number")
        weights[name] = float(value)
    if sum(weights.values()) <= 0:
        raise MatchingError("weights: at least one part must have a positive weight")
    return weights


def lexical_tokens(text: str, tokenizer: Tokenizer) -> list[str]:
    """Domain terms of a text: the tokenizer's words without bare numbers or single characters."""
    return [t for t in tokenizer(text) if len(t) >= 2 and not t.replace(".", "").isdigit()]


class _Vocab:
    """A growing map from names to column numbers, shared by both sides of a match."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def id(self, name: str) -> int:
        return self.index.setdefault(name, len(self.index))

    def get(self, name: str | None) -> int:
        return -1 if name is None else self.index.get(name, -1)


@dataclass
class Side:
    """One side of a match encoded as arrays, reusable across requests: a snapshot, re-encode after edits."""

    profiles: list[Profile]
    ids: list[str]
    position: dict[str, int]
    docs: np.ndarray
    doc_mask: np.ndarray
    centroids: np.ndarray
    tfidf: sparse.csr_matrix
    cache: dict[Any, Any] = field(default_factory=dict)


class AffinityEngine:
    """Scores pairs of profiles of one pair kind, with corpus statistics learned by `fit`."""

    def __init__(
        self,
        kind: str = "investor_project",
        *,
        weights: Mapping[str, float] | None = None,
        options: EngineOptions | None = None,
        tokenizer: Tokenizer | None = None,
        embedder: Any = None,
        embedding_cache: Any = None,
    ) -> None:
        self.kind = kind
        self.weights = resolve_weights(kind, weights)
        self.options = options or EngineOptions()
        if self.options.aggregation not in AGGREGATIONS:
            raise MatchingError(
                f"aggregation {self.options.aggregation!r}: use one of {', '.join(AGGREGATIONS)}"
            )
        self._tokenizer = tokenizer
        self._embedder = embedder
        self._cache = embedding_cache
        self.idf: dict[str, float] = {}
        self.default_idf = 1.0
        self.n_docs = 0
        self.semantic_range = DEFAULT_SEMANTIC_RANGE
        self._calibrated = False
        self.lexical_high = DEFAULT_LEXICAL_HIGH
        self.dim: int | None = None
        self._token_cache: dict[str, Counter[str]] = {}
        self._industries = _Vocab()
        self._districts = _Vocab()
        self._countries = _Vocab()
        self._categories = _Vocab()
        self._stages = _Vocab()
        self._orgs = _Vocab()
        self._terms = _Vocab()
        self._table = np.zeros((0, 0), dtype=np.float32)
        for industry in taxonomy.INDUSTRIES:
            self._industries.id(industry.name)

    @property
    def active(self) -> list[str]:
        """Parts with a positive weight, in their fixed order."""
        return [name for name in PART_NAMES if self.weights[name] > 0]

    def _tokenize(self, text: str) -> Counter[str]:
        """Token counts of one document, computed once per distinct text."""
        counts = self._token_cache.get(text)
        if counts is None:
            if self._tokenizer is None:
                from duijie.text.tokenize import tokenize

                self._tokenizer = tokenize
            counts = Counter(lexical_tokens(text, self._tokenizer))
            self._token_cache[text] = counts
        return counts

    def _profile_terms(self, profile: Profile) -> Counter[str]:
        """Token counts of a whole profile: its documents pooled, as one bag of domain terms."""
        total: Counter[str] = Counter()
        for text in profile.texts:
            total.update(self._tokenize(text))
        return total

    def embed(self, profiles: Sequence[Profile], progress: Progress | None = None) -> None:
        """Attach document vectors to profiles that have texts but no vectors yet."""
        missing = [p for p in profiles if p.embeddings is None and p.texts]
        if not missing:
            return
        from duijie.text.embed import EmbeddingCache, embed_with_cache, get_embedder

        if self._embedder is None:
            self._embedder = get_embedder()
        if not self._calibrated:
            self.semantic_range = SEMANTIC_RANGES.get(self._embedder.name, self.semantic_range)
        if self._cache is None:
            self._cache = EmbeddingCache(self._embedder.dim)
        texts = [t for p in missing for t in p.texts]
        vectors = embed_with_cache(
            self._embedder, texts, self._cache, progress, processes=self.options.embed_processes
        )
        start = 0
        for profile in missing:
            profile.embeddings = vectors[start : start + len(profile.texts)]
            start += len(profile.texts)

    def fit(
        self, left: Sequence[Profile], right: Sequence[Profile], progress: Progress | None = None
    ) -> AffinityEngine:
        """Learn term weights (IDF) and the similarity scale from both sides, embedding missing vectors."""
        _check_unique(left, "left")
        _check_unique(right, "right")
        if self.weights["semantic"] > 0:
            self.embed([*left, *right], progress)
        if self.weights["lexical"] > 0:
            df: Counter[str] = Counter()
            n_docs = 0
            for profile in [*left, *right]:
                if profile.texts:
                    df.update(self._profile_terms(profile).keys())
                    n_docs += 1
            self.idf = {t: math.log(1 + (n_docs - c + 0.5) / (c + 0.5)) for t, c in df.items()}
            self.default_idf = math.log(1 + (n_docs + 0.5) / 0.5)
            self.n_docs = n_docs
        self._calibrate(left, right)
        return self

    def _calibrate(self, left: Sequence[Profile], right: Sequence[Profile]) -> None:
        """Set the similarity scale from random pairs: the lowest 1 % maps to 0, the top 0.5 % to 1."""
        n_pairs = len(left) * len(right)
        if n_pairs < self.options.min_calibration_pairs:
            return
        lside, rside = self.encode(left), self.encode(right)
        rng = np.random.default_rng(0)
        size = min(4000, n_pairs)
        li = rng.integers(0, len(left), size)
        ri = rng.integers(0, len(right), size)
        if self.weights["semantic"] > 0 and lside.docs.shape[2] and rside.docs.shape[2]:
            sims, known = self._semantic_raw(lside, rside, li, ri)
            sims = sims[known]
            if sims.size >= self.options.min_calibration_pairs // 2:
                low = float(np.quantile(sims, 0.01))
                high = float(np.quantile(sims, 0.995))
                self.semantic_range = (low, max(high, low + 0.02))
                self._calibrated = True
        if self.weights["lexical"] > 0:
            cos, known = self._lexical_raw(lside, rside, li, ri)
            cos = cos[known]
            if cos.size >= self.options.min_calibration_pairs // 2:
                self.lexical_high = max(float(np.quantile(cos, 0.995)), 0.05)

    def encode(self, profiles: Sequence[Profile]) -> Side:
        """Encode profiles as arrays for batch scoring (vectors must be attached already to count)."""
        n = len(profiles)
        dims = {p.embeddings.shape[1] for p in profiles if p.embeddings is not None}
        if self.dim is not None:
            dims.add(self.dim)
        if len(dims) > 1:
            raise MatchingError(f"embeddings: records mix dimensions {sorted(dims)}")
        dim = dims.pop() if dims else 0
        self.dim = dim or self.dim
        m_max = max([p.embeddings.shape[0] for p in profiles if p.embeddings is not None] or [1])
        docs = np.zeros((n, m_max, dim), dtype=np.float32)
        mask = np.zeros((n, m_max), dtype=bool)
        centroids = np.zeros((n, dim), dtype=np.float32)
        for i, p in enumerate(profiles):
            if p.embeddings is not None and dim:
                m = p.embeddings.shape[0]
                docs[i, :m] = p.embeddings
                mask[i, :m] = True
                mean = p.embeddings.mean(axis=0)
                norm = float(np.linalg.norm(mean))
                centroids[i] = mean / norm if norm > 0 else mean
        return Side(
            profiles=list(profiles),
            ids=[p.id for p in profiles],
            position={p.id: i for i, p in enumerate(profiles)},
            docs=docs,
            doc_mask=mask,
            centroids=centroids,
            tfidf=self._tfidf(profiles),
        )

    def _tfidf(self, profiles: Sequence[Profile]) -> sparse.csr_matrix:
        """Sublinear TF-IDF rows over a term index shared with the other side, L2-normalised."""
        if self.weights["lexical"] <= 0:
            return sparse.csr_matrix((len(profiles), 1), dtype=np.float32)
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, p in enumerate(profiles):
            counts = self._profile_terms(p)
            weights = {t: (1 + math.log(c)) * self.idf.get(t, self.default_idf) for t, c in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for term, w in weights.items():
                rows.append(i)
                cols.append(self._terms.id(term))
                vals.append(w / norm)
        width = max(len(self._terms.index), 1)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(profiles), width), dtype=np.float32)

    def _semantic_raw(
        self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Aggregated cosine similarity of two profiles' documents for each pair, and where it is known."""
        known = left.doc_mask[li].any(axis=1) & right.doc_mask[ri].any(axis=1)
        out = np.zeros(len(li), dtype=np.float32)
        if not left.docs.shape[2] or not right.docs.shape[2]:
            return out, np.zeros(len(li), dtype=bool)
        method = self.options.aggregation
        if method == "centroid" or (left.docs.shape[1] == 1 and right.docs.shape[1] == 1):
            for start in range(0, len(li), 8192):
                a, b = li[start : start + 8192], ri[start : start + 8192]
                out[start : start + len(a)] = np.einsum("pd,pd->p", left.centroids[a], right.centroids[b])
            return np.where(known, out, 0.0).astype(np.float32), known
        m, n, d = left.docs.shape[1], right.docs.shape[1], left.docs.shape[2]
        if m == 1 or n == 1:
            out = (
                self._semantic_one_sided(left, right, li, ri)
                if n == 1
                else self._semantic_one_sided(right, left, ri, li)
            )
            return np.where(known, out, 0.0).astype(np.float32), known
        chunk = max(1, (1 << 22) // (m * n + (m + n) * d))
        for start in range(0, len(li), chunk):
            a, b = li[start : start + chunk], ri[start : start + chunk]
            sims = np.einsum("pmd,pnd->pmn", left.docs[a], right.docs[b]).reshape(len(a), m * n)
            valid = (left.doc_mask[a][:, :, None] & right.doc_mask[b][:, None, :]).reshape(len(a), m * n)
            out[start : start + len(a)] = _aggregate(sims, valid, method, self.options.top_m)
        return np.where(known, out, 0.0).astype(np.float32), known

    def _semantic_one_sided(self, many: Side, single: Side, mi: np.ndarray, si: np.ndarray) -> np.ndarray:
        """Pairs where only one side has several documents: one matrix product per profile of that side."""
        vectors = single.docs[:, 0, :]
        out = np.zeros(len(mi), dtype=np.float32)
        order = np.argsort(mi, kind="stable")
        bounds = np.flatnonzero(np.diff(mi[order])) + 1
        for group in np.split(order, bounds):
            if not len(group):
                continue
            k = mi[group[0]]
            docs = many.docs[k][many.doc_mask[k]]
            if not len(docs):
                continue
            sims = (vectors[si[group]] @ docs.T).astype(np.float32)
            out[group] = _aggregate(
                sims, np.ones(sims.shape, dtype=bool), self.options.aggregation, self.options.top_m
            )
        return out

    def _lexical_raw(
        self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cosine of the two profiles' TF-IDF vectors for each pair, and where both have terms."""
        lnnz = np.diff(left.tfidf.indptr) > 0
        rnnz = np.diff(right.tfidf.indptr) > 0
        known = lnnz[li] & rnnz[ri]
        out = np.zeros(len(li), dtype=np.float32)
        width = max(left.tfidf.shape[1], right.tfidf.shape[1])
        lt = _widen(left.tfidf, width)
        rt = _widen(right.tfidf, width)
        for start in range(0, len(li), 65536):
            a, b = li[start : start + 65536], ri[start : start + 65536]
            out[start : start + len(a)] = np.asarray(lt[a].multiply(rt[b]).sum(axis=1)).ravel()
        return out, known

    def part_values(
        self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each active part's value in [0, 1] for pairs (li[p], ri[p]) and whether it is known for them."""
        values: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        li = np.asarray(li, dtype=np.int64)
        ri = np.asarray(ri, dtype=np.int64)
        if self.weights["semantic"] > 0:
            raw, known = self._semantic_raw(left, right, li, ri)
            low, high = self.semantic_range
            values["semantic"] = (np.clip((raw - low) / (high - low), 0.0, 1.0), known)
        if self.weights["lexical"] > 0:
            raw, known = self._lexical_raw(left, right, li, ri)
            values["lexical"] = (np.clip(raw / self.lexical_high, 0.0, 1.0), known)
        if self.weights["industry"] > 0:
            values["industry"] = self._industry_values(left, right, li, ri)
        if self.weights["district"] > 0:
            values["district"] = _preference_values(
                left, right, li, ri, self._districts, "district", _district_of, _preferred_districts
            )
        if self.weights["country"] > 0:
            values["country"] = _preference_values(
                left, right, li, ri, self._countries, "country", _country_of, _preferred_countries
            )
        if self.weights["amount"] > 0:
            values["amount"] = _amount_values(left, right, li, ri)
        if self.weights["category"] > 0:
            values["category"] = _overlap_values(
                left, right, li, ri, self._categories, "category", _categories_of
            )
        if self.weights["stage"] > 0:
            values["stage"] = _overlap_values(left, right, li, ri, self._stages, "stage", _stages_of)
        return values

    def _industry_values(
        self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Best taxonomy fit between any industry of the left and any of the right."""
        rhot = _hot(right, "industry", self._industries, _industries_of)
        reach, lhas = self._industry_reach(left)
        rhot = _pad(rhot, reach.shape[1])
        out = np.zeros(len(li), dtype=np.float32)
        for start in range(0, len(li), 65536):
            a, b = li[start : start + 65536], ri[start : start + 65536]
            out[start : start + len(a)] = (reach[a] * rhot[b]).max(axis=1)
        return out, lhas[li] & _has(right, "industry")[ri]

    def _industry_reach(self, side: Side) -> tuple[np.ndarray, np.ndarray]:
        """For each profile, its best fit with every industry known so far, and whether it states any."""
        lhot = _hot(side, "industry", self._industries, _industries_of)
        k = len(self._industries.index)
        reach = side.cache.get(("industry.reach", k))
        if reach is None:
            table = self._industry_table(k)
            lhot = _pad(lhot, k)
            reach = np.zeros((lhot.shape[0], k), dtype=np.float32)
            for i in np.flatnonzero(_has(side, "industry")):
                reach[i] = table[lhot[i]].max(axis=0)
            side.cache[("industry.reach", k)] = reach
        return reach, _has(side, "industry")

    def _industry_table(self, k: int) -> np.ndarray:
        """Fit between every two industries known so far, rebuilt only when new industries appear."""
        if self._table.shape[0] != k:
            names = list(self._industries.index)
            table = np.zeros((k, k), dtype=np.float32)
            for a, na in enumerate(names):
                for b, nb in enumerate(names):
                    table[a, b] = taxonomy.industry_fit(na, nb)[0]
            self._table = table
        return self._table

    def pair_scores(
        self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray
    ) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
        """Scores of pairs with the values behind them: (score, part values, conflicted, declined)."""
        li = np.asarray(li, dtype=np.int64)
        ri = np.asarray(ri, dtype=np.int64)
        values = self.part_values(left, right, li, ri)
        total = sum(self.weights[name] for name in values)
        base = np.zeros(len(li), dtype=np.float64)
        for name, (value, known) in values.items():
            base += self.weights[name] / total * np.where(known, value, NEUTRAL[name])
        conflicted = self._conflicts(left, right, li, ri)
        declined = _flag_pairs(left, right, li, ri, _declined_of, both=False)
        score = np.where(declined, base * (1 - self.options.decline_penalty), base)
        score = np.where(conflicted, 0.0, score)
        return np.clip(score, 0.0, 1.0), values, conflicted, declined

    def _conflicts(self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
        """Pairs excluded by either side or belonging to the same organisation."""
        excluded = _flag_pairs(left, right, li, ri, _exclusions_of, both=True)
        lorg = _place(left, "organisation", self._orgs, _organisation_of)
        rorg = _place(right, "organisation", self._orgs, _organisation_of)
        if len(li) and (lorg >= 0).any() and (rorg >= 0).any():
            same = (lorg[li] >= 0) & (lorg[li] == rorg[ri])
            excluded = excluded | same
        return excluded

    def score_pair(self, left: Profile, right: Profile) -> Affinity:
        """Score one pair with every part explained in Chinese and English."""
        if self.weights["semantic"] > 0:
            self.embed([left, right])
        zero = np.zeros(1, dtype=np.int64)
        return self.affinities(self.encode([left]), self.encode([right]), zero, zero)[0]

    def affinities(self, left: Side, right: Side, li: np.ndarray, ri: np.ndarray) -> list[Affinity]:
        """Explained affinities of many pairs (li[p], ri[p]): values computed at once, words pair by pair."""
        li = np.asarray(li, dtype=np.int64)
        ri = np.asarray(ri, dtype=np.int64)
        score, values, conflicted, declined = self.pair_scores(left, right, li, ri)
        raw_sem = self._semantic_raw(left, right, li, ri)[0] if "semantic" in values else np.zeros(len(li))
        total = sum(self.weights[name] for name in values)
        out: list[Affinity] = []
        for n in range(len(li)):
            lp, rp = left.profiles[li[n]], right.profiles[ri[n]]
            parts: list[Part] = []
            base = 0.0
            for name, (value, known) in values.items():
                v = float(value[n]) if known[n] else NEUTRAL[name]
                w = self.weights[name] / total
                base += w * v
                zh, en = self._reason(name, lp, rp, bool(known[n]), v, float(raw_sem[n]))
                parts.append(Part(name, v, w, w * v, zh, en, bool(known[n])))
            if declined[n] and not conflicted[n]:
                cut = base * self.options.decline_penalty
                parts.append(
                    Part("declined", 1.0, 0.0, -cut, "曾婉拒此推荐", "Declined this suggestion before")
                )
                base -= cut
            if conflicted[n]:
                zh, en = _conflict_reason(lp, rp)
                parts.append(Part("conflict", 1.0, 0.0, -base, zh, en))
            out.append(Affinity(lp.id, rp.id, float(score[n]), parts))
        return out

    def _reason(
        self, name: str, left: Profile, right: Profile, known: bool, value: float, raw_sem: float
    ) -> tuple[str, str]:
        """The words for one part of one pair."""
        if name == "semantic":
            if not known:
                return "无文本可比", "No text to compare"
            return f"语义相似度{raw_sem:.2f}", f"Semantic similarity {raw_sem:.2f}"
        if name == "lexical":
            return self._lexical_reason(left, right, known)
        if name == "industry":
            return _industry_reason(left, right, known)
        if name == "district":
            return _preference_reason(
                left,
                right,
                known,
                value,
                lambda p: p.district,
                lambda p: p.preferred_districts,
                DISTRICTS,
                "区",
            )
        if name == "country":
            return _preference_reason(
                left,
                right,
                known,
                value,
                lambda p: p.country,
                lambda p: p.preferred_countries,
                COUNTRIES,
                "国家",
            )
        if name == "amount":
            return _amount_reason(left, right, known)
        if name == "category":
            return _overlap_reason(left.categories, right.categories, known, CATEGORIES, "类别", "Category")
        return _overlap_reason(left.stages, right.stages, known, STAGES, "阶段", "Stage")

    def _lexical_reason(self, left: Profile, right: Profile, known: bool) -> tuple[str, str]:
        """Name the shared terms that weigh most."""
        if not known:
            return "无文本可比", "No text to compare"
        lterms, rterms = self._profile_terms(left), self._profile_terms(right)
        common = set(lterms) & set(rterms)
        # A compound's pieces (自动, 驾驶 inside 自动驾驶) add nothing to the words shown.
        whole = {t for t in common if not any(t != o and t in o for o in common)}
        ranked = sorted(whole - GENERIC_TERMS, key=lambda t: (-self.idf.get(t, self.default_idf), t))
        if whole and not ranked:
            return "仅有常见词相同", "Only common words shared"
        if self.n_docs >= MIN_DOCS_FOR_COMMON:
            common_idf = math.log(1 + (1 - COMMON_TERM_SHARE) / COMMON_TERM_SHARE)
            rare = [t for t in ranked if self.idf.get(t, self.default_idf) >= common_idf]
            if ranked and not rare:
                return "仅有常见词相同", "Only common words shared"
            ranked = rare
        shared = ranked[:5]
        if not shared:
            return "无共同术语", "No shared terms"
        return "共同术语：" + "、".join(shared), "Shared terms: " + ", ".join(shared)

    def score_matrix(
        self,
        left: Sequence[Profile] | Side,
        right: Sequence[Profile] | Side,
        progress: Progress | None = None,
    ) -> np.ndarray:
        """Scores of every left × right pair as a dense matrix (rows: left)."""
        lside, rside = self.as_side(left), self.as_side(right)
        nl, nr = len(lside.ids), len(rside.ids)
        out = np.zeros((nl, nr), dtype=np.float32)
        rows = max(1, (1 << 18) // max(nr, 1))
        for start in range(0, nl, rows):
            stop = min(nl, start + rows)
            li = np.repeat(np.arange(start, stop), nr)
            ri = np.tile(np.arange(nr), stop - start)
            out[start:stop] = self.pair_scores(lside, rside, li, ri)[0].reshape(stop - start, nr)
            if progress is not None:
                progress(stop, nl)
        return out

    def as_side(self, profiles: Sequence[Profile] | Side) -> Side:
        """Encode profiles (embedding what is missing), or pass an already encoded side through."""
        if isinstance(profiles, Side):
            return profiles
        if self.weights["semantic"] > 0:
            self.embed(profiles)
        return self.encode(profiles)

    def candidates(self, left: Side, right: Side, rows: np.ndarray, count: int) -> np.ndarray:
        """The most promising right profiles for each left row, by `rough_scores` over all of them."""
        count = min(count, len(right.ids))
        if count == len(right.ids):
            return np.tile(np.arange(len(right.ids)), (len(rows), 1))
        rough = self.rough_scores(left, right, rows)
        return np.argpartition(-rough, count - 1, axis=1)[:, :count]

    def rough_scores(self, left: Side, right: Side, rows: np.ndarray) -> np.ndarray:
        """Scores of left rows against every right profile from two matrix products, for candidate generation.

        The semantic part compares centroid vectors; every structured part is written as a product of a
        left and a right factor (see `rough_factors`). It equals the exact score except that the lexical
        part and feedback are left out, industries and shared categories are summed rather than capped,
        amounts are read on a log scale of `AMOUNT_BINS` steps, and a preference stated only by the right
        side counts only when the left states none.
        """
        rows = np.asarray(rows, dtype=np.int64)
        factors = self.rough_factors(left, right)
        lfac, rfac, const = factors
        out = lfac[rows] @ rfac.T
        out += np.float32(const)
        total = sum(self.weights[n] for n in self.active) or 1.0
        if self.weights["semantic"] > 0 and left.centroids.shape[1] and right.centroids.shape[1]:
            low, high = self.semantic_range
            sims = left.centroids[rows] @ right.centroids.T
            sims -= np.float32(low)
            sims *= np.float32(self.weights["semantic"] / total / (high - low))
            np.clip(sims, 0.0, np.float32(self.weights["semantic"] / total), out=sims)
            out += sims
        return out

    def rough_factors(self, left: Side, right: Side) -> tuple[np.ndarray, np.ndarray, float]:
        """Left and right factor matrices and a constant whose product gives the structured rough scores.

        A part with value v where both sides state it and the neutral value n elsewhere is
        n + known * (v - n); with v a product of one-hot and preference rows, and `known` a product of
        has-it flags, the whole is bilinear and all parts stack into one matrix product. Each side's
        factor is kept with the side, so a request for one participant reuses the opportunities' factor.
        """
        for side in (left, right):
            self._register(side)
        vocabs = (self._industries, self._districts, self._countries, self._categories, self._stages)
        signature = (tuple(len(v.index) for v in vocabs), tuple(self.weights.values()))
        factors = []
        for side, role in ((left, "left"), (right, "right")):
            key = ("rough", role, signature)
            if key not in side.cache:
                side.cache[key] = self._side_factor(side, role)
            factors.append(side.cache[key])
        total = sum(self.weights[n] for n in self.active) or 1.0
        const = sum(self.weights[n] / total * NEUTRAL[n] for n in self.active if n != "lexical")
        return factors[0], factors[1], const

    def _register(self, side: Side) -> None:
        """Put every name a side uses into the vocabularies, so both factors have the same columns."""
        _hot(side, "industry", self._industries, _industries_of)
        for name, vocab, where, wants in (
            ("district", self._districts, _district_of, _preferred_districts),
            ("country", self._countries, _country_of, _preferred_countries),
        ):
            _place(side, f"{name}.at", vocab, where)
            _hot(side, f"{name}.wants", vocab, wants)
        _hot(side, "category", self._categories, _categories_of)
        _hot(side, "stage", self._stages, _stages_of)

    def _side_factor(self, side: Side, role: str) -> np.ndarray:
        """One side's columns of the rough-score factors (see `rough_factors`), in a fixed order."""
        total = sum(self.weights[n] for n in self.active) or 1.0
        is_left = role == "left"
        cols: list[np.ndarray] = []
        n = len(side.ids)

        def add(name: str, values: list[np.ndarray], known: list[np.ndarray]) -> None:
            w, neutral = self.weights[name] / total, NEUTRAL[name]
            for value in values:
                cols.append((w * value if is_left else value).astype(np.float32))
            for flag in known:
                cols.append(((-w * neutral * flag) if is_left else flag)[:, None].astype(np.float32))

        if self.weights["semantic"] > 0:
            has = np.linalg.norm(side.centroids, axis=1) > 0 if side.centroids.shape[1] else np.zeros(n, bool)
            add("semantic", [], [has])
        if self.weights["industry"] > 0:
            if is_left:
                reach, has = self._industry_reach(side)
                add("industry", [reach], [has])
            else:
                hot = _pad(
                    _hot(side, "industry", self._industries, _industries_of), len(self._industries.index)
                )
                add("industry", [hot], [hot.any(axis=1)])
        for name, vocab, where, wants in (
            ("district", self._districts, _district_of, _preferred_districts),
            ("country", self._countries, _country_of, _preferred_countries),
        ):
            if self.weights[name] > 0:
                width = max(len(vocab.index), 1)
                place = _place(side, f"{name}.at", vocab, where)
                pref = _pad(_hot(side, f"{name}.wants", vocab, wants), width)
                self._directional(add, name, is_left, pref, _one_hot(place, width), place >= 0)
        if self.weights["amount"] > 0:
            low, high, amount = _ticket_arrays(side)
            ticket = ~(np.isnan(low) & np.isnan(high))
            fit = np.where(ticket[:, None], _dense_fit(low, high, AMOUNT_CENTRES), 0.0)
            bins = _amount_bins(amount)
            self._directional(add, "amount", is_left, fit, _one_hot(bins, AMOUNT_BINS), bins >= 0)
        for name, vocab, get in (
            ("category", self._categories, _categories_of),
            ("stage", self._stages, _stages_of),
        ):
            if self.weights[name] > 0:
                hot = _pad(_hot(side, name, vocab, get), max(len(vocab.index), 1))
                add(name, [hot], [hot.any(axis=1)])
        if not cols:
            return np.zeros((n, 0), dtype=np.float32)
        return np.ascontiguousarray(np.hstack(cols), dtype=np.float32)

    @staticmethod
    def _directional(
        add: Callable[[str, list[np.ndarray], list[np.ndarray]], None],
        name: str,
        is_left: bool,
        wants: np.ndarray,
        one: np.ndarray,
        placed: np.ndarray,
    ) -> None:
        """Factor columns of a part read from the left's wishes, or from the right's when the left has none.

        Forward: left wishes x right placed; backward: left placed but silent x right wishes.
        """
        states = wants.any(axis=1)
        if is_left:
            back = ~states & placed
            add(name, [wants, one * back[:, None]], [states, back])
        else:
            add(name, [one, wants], [placed, states])

    def top_k(
        self,
        left: Sequence[Profile] | Side,
        right: Sequence[Profile] | Side,
        k: int,
        *,
        progress: Progress | None = None,
        candidates: int | None = None,
    ) -> list[list[tuple[str, float]]]:
        """The k best right profiles for each left one: nearest-neighbour candidates, then exact scores."""
        if k < 1:
            raise MatchingError(f"top-k: k must be at least 1, got {k}")
        lside, rside = self.as_side(left), self.as_side(right)
        pool = max(candidates or self.options.candidates, k)
        results: list[list[tuple[str, float]]] = []
        block = self.options.block_size
        nl = len(lside.ids)
        for start in range(0, nl, block):
            rows = np.arange(start, min(nl, start + block))
            cand = self.candidates(lside, rside, rows, pool)
            li = np.repeat(rows, cand.shape[1])
            ri = cand.reshape(-1)
            scores = self.pair_scores(lside, rside, li, ri)[0].reshape(cand.shape)
            for row in range(len(rows)):
                results.append(_best(scores[row], cand[row], rside.ids, k))
            if progress is not None:
                progress(int(rows[-1]) + 1, nl)
        return results


def _industries_of(p: Profile) -> list[str]:
    return p.industries


def _district_of(p: Profile) -> str | None:
    return p.district


def _preferred_districts(p: Profile) -> list[str]:
    return p.preferred_districts


def _country_of(p: Profile) -> str | None:
    return p.country


def _preferred_countries(p: Profile) -> list[str]:
    return p.preferred_countries


def _categories_of(p: Profile) -> list[str]:
    return p.categories


def _stages_of(p: Profile) -> list[str]:
    return p.stages


def _organisation_of(p: Profile) -> str | None:
    return p.organisation


def _declined_of(p: Profile) -> list[str]:
    return p.declined


def _exclusions_of(p: Profile) -> list[str]:
    return p.exclusions


def _best(scores: np.ndarray, cand: np.ndarray, ids: list[str], k: int) -> list[tuple[str, float]]:
    """The k highest positive scores, ties broken by position for reproducibility."""
    order = np.lexsort((cand, -scores))
    out: list[tuple[str, float]] = []
    for j in order:
        if scores[j] <= 0:
            break
        out.append((ids[cand[j]], float(scores[j])))
        if len(out) == k:
            break
    return out


def _aggregate(sims: np.ndarray, valid: np.ndarray, method: str, top_m: int) -> np.ndarray:
    """Reduce each row of document-pair similarities to one number by the chosen aggregation."""
    masked = np.where(valid, sims, -np.inf)
    count = valid.sum(axis=1)
    safe = np.maximum(count, 1)
    best = masked.max(axis=1)
    mean = np.where(valid, sims, 0.0).sum(axis=1) / safe
    if method == "max":
        out = best
    elif method == "mean":
        out = mean
    elif method == "blend":
        out = 0.5 * best + 0.5 * mean
    else:
        m = min(top_m, sims.shape[1])
        top = -np.sort(-masked, axis=1)[:, :m]
        taken = np.minimum(count, m)
        out = np.where(np.isfinite(top), top, 0.0).sum(axis=1) / np.maximum(taken, 1)
    return np.where(count > 0, out, 0.0)


def _widen(matrix: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    """Give a TF-IDF matrix the full term width (terms seen after it was built are absent from it)."""
    if matrix.shape[1] == width:
        return matrix
    return sparse.csr_matrix((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], width))


def _check_unique(profiles: Sequence[Profile], side: str) -> None:
    """Refuse two records with the same id on one side, naming the id."""
    seen: set[str] = set()
    for p in profiles:
        if p.id in seen:
            raise MatchingError(f"{side} records: id {p.id!r} appears more than once")
        seen.add(p.id)


def _listed(side: Side, key: str, get: Callable[[Profile], list[str]]) -> list[tuple[int, list[str]]]:
    """The profiles of a side that list other ids (exclusions, declined), found once per side."""
    cached = side.cache.get(key)
    if cached is None:
        cached = [(i, get(p)) for i, p in enumerate(side.profiles) if get(p)]
        side.cache[key] = cached
    return cached


def _flag_pairs(
    left: Side,
    right: Side,
    li: np.ndarray,
    ri: np.ndarray,
    get: Callable[[Profile], list[str]],
    *,
    both: bool,
) -> np.ndarray:
    """Mark pairs where the left lists the right's id (and, with both, the right lists the left's)."""
    codes: set[int] = set()
    nr = len(right.ids)
    key = f"listed.{get.__name__}"
    for i, others in _listed(left, key, get):
        for other in others:
            j = right.position.get(other)
            if j is not None:
                codes.add(i * nr + j)
    if both:
        for j, others in _listed(right, key, get):
            for other in others:
                i = left.position.get(other)
                if i is not None:
                    codes.add(i * nr + j)
    if not codes or not len(li):
        return np.zeros(len(li), dtype=bool)
    return np.isin(li * nr + ri, np.fromiter(codes, dtype=np.int64))


def _pad(matrix: np.ndarray, width: int) -> np.ndarray:
    """Widen a one-hot matrix to the vocabulary's current size (new names only ever get new columns)."""
    if matrix.shape[1] >= width:
        return matrix
    out = np.zeros((matrix.shape[0], width), dtype=matrix.dtype)
    out[:, : matrix.shape[1]] = matrix
    return out


def _hot(side: Side, key: str, vocab: _Vocab, get: Callable[[Profile], Iterable[str]]) -> np.ndarray:
    """A side's one-hot matrix over a vocabulary, computed once per side and widened as it grows."""
    cached = side.cache.get(key)
    if cached is None:
        lists = [list(get(p)) for p in side.profiles]
        for names in lists:
            for name in names:
                vocab.id(name)
        cached = np.zeros((len(lists), max(len(vocab.index), 1)), dtype=bool)
        for i, names in enumerate(lists):
            for name in names:
                cached[i, vocab.index[name]] = True
        side.cache[key] = cached
        side.cache[f"{key}.has"] = np.array([bool(names) for names in lists], dtype=bool)
    return cached


def _has(side: Side, key: str) -> np.ndarray:
    """Which profiles of a side state anything under `key` (computed with the side's `_hot` matrix)."""
    return side.cache[f"{key}.has"]


def _place(side: Side, key: str, vocab: _Vocab, where: Callable[[Profile], str | None]) -> np.ndarray:
    """A side's single-valued attribute (district, country) as vocabulary ids, -1 where absent."""
    cached = side.cache.get(key)
    if cached is None:
        cached = np.array([vocab.id(w) if (w := where(p)) else -1 for p in side.profiles], dtype=np.int64)
        side.cache[key] = cached
    return cached


def _preference_values(
    left: Side,
    right: Side,
    li: np.ndarray,
    ri: np.ndarray,
    vocab: _Vocab,
    name: str,
    where: Callable[[Profile], str | None],
    wants: Callable[[Profile], list[str]],
) -> tuple[np.ndarray, np.ndarray]:
    """1 where the left prefers where the right is (or, when the left states nothing, the reverse)."""
    lplace, rplace = _place(left, f"{name}.at", vocab, where), _place(right, f"{name}.at", vocab, where)
    lpref = _hot(left, f"{name}.wants", vocab, wants)
    rpref = _hot(right, f"{name}.wants", vocab, wants)
    width = max(len(vocab.index), 1)
    lpref, rpref = _pad(lpref, width), _pad(rpref, width)
    lhas, rhas = _has(left, f"{name}.wants"), _has(right, f"{name}.wants")
    forward = lhas[li] & (rplace[ri] >= 0)
    backward = ~forward & rhas[ri] & (lplace[li] >= 0)
    value = np.zeros(len(li), dtype=np.float32)
    if forward.any():
        value[forward] = lpref[li[forward], rplace[ri[forward]]]
    if backward.any():
        value[backward] = rpref[ri[backward], lplace[li[backward]]]
    return value, forward | backward


def _ticket_arrays(side: Side) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ticket bounds and amounts as floats (nan where absent), computed once per side."""
    cached = side.cache.get("amount")
    if cached is None:
        profiles = side.profiles
        low = np.array([float(p.ticket_min) if p.ticket_min is not None else np.nan for p in profiles])
        high = np.array([float(p.ticket_max) if p.ticket_max is not None else np.nan for p in profiles])
        amount = np.array([float(p.amount) if p.amount is not None else np.nan for p in profiles])
        cached = (low, high, amount)
        side.cache["amount"] = cached
    return cached


def _amount_fit(low: np.ndarray, high: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """1 inside the range; outside, the ratio of amount and nearer bound (half the minimum gives 0.5)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        below = np.where(~np.isnan(low) & (amount < low), amount / low, 1.0)
        above = np.where(~np.isnan(high) & (amount > high), high / amount, 1.0)
    return np.nan_to_num(np.minimum(below, above), nan=0.0).clip(0.0, 1.0)


AMOUNT_BINS = 40
AMOUNT_EDGES = np.logspace(-3, 4, AMOUNT_BINS + 1)
AMOUNT_CENTRES = np.sqrt(AMOUNT_EDGES[:-1] * AMOUNT_EDGES[1:])
"""Log-spaced amount steps (亿元, 0.001 to 10,000) on which candidate generation reads ticket fit."""


def _amount_bins(amount: np.ndarray) -> np.ndarray:
    """The step of each amount (clamped to the ends), -1 where absent."""
    with np.errstate(invalid="ignore"):
        index = np.searchsorted(AMOUNT_EDGES, amount, side="right") - 1
    index = np.clip(index, 0, AMOUNT_BINS - 1)
    return np.where(np.isnan(amount), -1, index)


def _one_hot(index: np.ndarray, width: int) -> np.ndarray:
    """Rows with a single 1 at the given column (none where the index is -1)."""
    out = np.zeros((len(index), width), dtype=np.float32)
    has = index >= 0
    out[np.flatnonzero(has), index[has]] = 1.0
    return out


def _dense_fit(low: np.ndarray, high: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """`_amount_fit` for every range (rows) against every amount (columns), in float32 without nan checks.

    fmin ignores the nan that an absent bound produces, so an open end never limits the fit.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_low = (np.float32(1) / low.astype(np.float32))[:, None]
        inv_amount = (np.float32(1) / amount.astype(np.float32))[None, :]
        out = np.fmin(amount.astype(np.float32)[None, :] * inv_low, np.float32(1))
        np.fmin(out, high.astype(np.float32)[:, None] * inv_amount, out=out)
    return out


def _amount_values(left: Side, right: Side, li: np.ndarray, ri: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether the right's amount falls in the left's ticket range (or the reverse when the left has none)."""
    llow, lhigh, lamount = _ticket_arrays(left)
    rlow, rhigh, ramount = _ticket_arrays(right)
    lticket = ~(np.isnan(llow) & np.isnan(lhigh))
    rticket = ~(np.isnan(rlow) & np.isnan(rhigh))
    forward = lticket[li] & ~np.isnan(ramount[ri])
    backward = ~forward & rticket[ri] & ~np.isnan(lamount[li])
    value = np.zeros(len(li), dtype=np.float32)
    value[forward] = _amount_fit(llow[li[forward]], lhigh[li[forward]], ramount[ri[forward]])
    value[backward] = _amount_fit(rlow[ri[backward]], rhigh[ri[backward]], lamount[li[backward]])
    return value, forward | backward


def _overlap_values(
    left: Side,
    right: Side,
    li: np.ndarray,
    ri: np.ndarray,
    vocab: _Vocab,
    name: str,
    get: Callable[[Profile], list[str]],
) -> tuple[np.ndarray, np.ndarray]:
    """1 where the two sides share a value (category, stage), known when both state some."""
    lhot, rhot = _hot(left, name, vocab, get), _hot(right, name, vocab, get)
    width = max(len(vocab.index), 1)
    lhot, rhot = _pad(lhot, width), _pad(rhot, width)
    known = _has(left, name)[li] & _has(right, name)[ri]
    value = np.zeros(len(li), dtype=np.float32)
    for start in range(0, len(li), 65536):
        a, b = li[start : start + 65536], ri[start : start + 65536]
        value[start : start + len(a)] = (lhot[a] & rhot[b]).any(axis=1)
    return value, known


def _industry_reason(left: Profile, right: Profile, known: bool) -> tuple[str, str]:
    """Words for the industry part."""
    if not known:
        return "行业未说明", "Industry not stated"
    _, kind, a, b = taxonomy.best_industry_fit(left.industries, right.industries)
    if kind == "exact":
        return f"同属{a}", f"Both in {taxonomy.english_name(a)}"
    if kind == "parent":
        child, parent = (a, b) if taxonomy.BY_NAME[a].parent == b else (b, a)
        return (
            f"{child}属于{parent}",
            f"{taxonomy.english_name(child)} is part of {taxonomy.english_name(parent)}",
        )
    if kind == "related":
        return f"{a}与{b}相关", f"{taxonomy.english_name(a)} is related to {taxonomy.english_name(b)}"
    la, ra = "、".join(left.industries), "、".join(right.industries)
    le = ", ".join(taxonomy.english_name(i) for i in left.industries)
    re_ = ", ".join(taxonomy.english_name(i) for i in right.industries)
    return f"行业不同（{la} / {ra}）", f"Different industries ({le} / {re_})"


def _preference_reason(
    left: Profile,
    right: Profile,
    known: bool,
    value: float,
    where: Callable[[Profile], str | None],
    wants: Callable[[Profile], list[str]],
    names: Mapping[str, str],
    noun: str,
) -> tuple[str, str]:
    """Words for a district or country preference."""
    en_noun = "district" if noun == "区" else "country"
    if not known:
        return f"未说明{'地区' if noun == '区' else '国家'}偏好", f"No {en_noun} preference stated"
    chooser, place = (left, where(right)) if wants(left) and where(right) else (right, where(left))
    assert place is not None
    if value >= 1.0:
        return f"偏好{place}", f"Prefers {_en(place, names)}"
    wanted = wants(chooser)
    return (
        f"不在偏好范围（{place}；偏好{'、'.join(wanted)}）",
        f"{_en(place, names)} is outside the preferred {en_noun} ({_en_list(wanted, names)})",
    )


def _amount_reason(left: Profile, right: Profile, known: bool) -> tuple[str, str]:
    """Words for the ticket-range part."""
    if not known:
        return "金额或投资区间未说明", "Amount or ticket range not stated"
    has_ticket = left.ticket_min is not None or left.ticket_max is not None
    investor, project = (left, right) if has_ticket and right.amount is not None else (right, left)
    amount = project.amount
    assert amount is not None
    low, high = investor.ticket_min, investor.ticket_max
    span_zh, span_en = _range_text(low, high, "zh"), _range_text(low, high, "en")
    if low is not None and amount < low:
        return (
            f"金额{format_amount(amount, 'zh')}低于{format_amount(low, 'zh')}下限",
            f"Amount {format_amount(amount, 'en')} is below the {format_amount(low, 'en')} minimum",
        )
    if high is not None and amount > high:
        return (
            f"金额{format_amount(amount, 'zh')}高于{format_amount(high, 'zh')}上限",
            f"Amount {format_amount(amount, 'en')} is above the {format_amount(high, 'en')} maximum",
        )
    if low is not None and high is not None:
        return f"金额在{span_zh}区间内", f"Amount within the {span_en} range"
    if high is not None:
        return f"金额在{span_zh}", f"Amount within the {format_amount(high, 'en')} limit"
    return f"金额在{span_zh}", f"Amount above the {format_amount(low or Decimal(0), 'en')} minimum"


def _overlap_reason(
    left: list[str], right: list[str], known: bool, names: Mapping[str, str], noun: str, en_noun: str
) -> tuple[str, str]:
    """Words for a category or stage part."""
    if not known:
        return f"{noun}未说明", f"{en_noun} not stated"
    shared = [x for x in left if x in right]
    if shared:
        return (
            f"{noun}相符：{'、'.join(shared)}",
            f"{en_noun} matches: {', '.join(_en(x, names) for x in shared)}",
        )
    return (
        f"{noun}不符（{'、'.join(left)} / {'、'.join(right)}）",
        f"{en_noun} differs ({_en_list(left, names)} / {_en_list(right, names)})",
    )


def _conflict_reason(left: Profile, right: Profile) -> tuple[str, str]:
    """Words for a hard exclusion."""
    if left.organisation and left.organisation == right.organisation:
        return (
            f"同一机构（{left.organisation}），需回避",
            f"Same organisation ({left.organisation}): conflict of interest",
        )
    return "已声明回避", "Declared conflict or exclusion"


def score_pair(
    left: Profile,
    right: Profile,
    *,
    kind: str = "investor_project",
    weights: Mapping[str, float] | None = None,
    engine: AffinityEngine | None = None,
) -> Affinity:
    """Score and explain one pair; pass a fitted engine to use a whole corpus's statistics."""
    engine = engine or AffinityEngine(kind, weights=weights).fit([left], [right])
    return engine.score_pair(left, right)


def score_matrix(
    left: Sequence[Profile],
    right: Sequence[Profile],
    *,
    kind: str = "investor_project",
    weights: Mapping[str, float] | None = None,
    engine: AffinityEngine | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Scores of all left × right pairs (rows: left), fitting an engine on the two sides if none is given."""
    engine = engine or AffinityEngine(kind, weights=weights).fit(left, right)
    return engine.score_matrix(left, right, progress)


def top_k(
    left: Sequence[Profile],
    right: Sequence[Profile],
    k: int,
    *,
    kind: str = "investor_project",
    weights: Mapping[str, float] | None = None,
    engine: AffinityEngine | None = None,
    progress: Progress | None = None,
) -> list[list[tuple[str, float]]]:
    """The k best right ids with scores for each left profile (conflicted pairs never appear)."""
    engine = engine or AffinityEngine(kind, weights=weights).fit(left, right)
    return engine.top_k(left, right, k, progress=progress)


def profiles_from_json(records: Iterable[Mapping[str, Any]], *, source: str = "record") -> list[Profile]:
    """Build profiles from JSON objects, naming the position of a bad one."""
    return [Profile.from_json(r, where=f"{source} #{i + 1}") for i, r in enumerate(records)]
