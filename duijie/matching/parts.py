"""The parts of an affinity score and how they are weighed: part names, default weights per pair kind,
the neutral value of an unstated part, the similarity scales, the words never named as shared terms, and
the engine's options. Pure configuration and checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from duijie.matching.profile import MatchingError

Progress = Callable[[int, int], None]
Tokenizer = Callable[[str], list[str]]


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
