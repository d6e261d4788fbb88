"""An affinity in words: the explained result (`Affinity` and its `Part`s), the reason of each part in
Chinese and English, and `explain`, which says why two profiles match. Pure: profiles and values in, words
out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from duijie.matching import taxonomy
from duijie.matching.parts import PART_NAMES
from duijie.matching.profile import MatchingError, Profile, en_name, en_names, format_amount, range_text


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


def industry_reason(left: Profile, right: Profile, known: bool) -> tuple[str, str]:
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


def preference_reason(
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
        return f"偏好{place}", f"Prefers {en_name(place, names)}"
    wanted = wants(chooser)
    return (
        f"不在偏好范围（{place}；偏好{'、'.join(wanted)}）",
        f"{en_name(place, names)} is outside the preferred {en_noun} ({en_names(wanted, names)})",
    )


def amount_reason(left: Profile, right: Profile, known: bool) -> tuple[str, str]:
    """Words for the ticket-range part."""
    if not known:
        return "金额或投资区间未说明", "Amount or ticket range not stated"
    has_ticket = left.ticket_min is not None or left.ticket_max is not None
    investor, project = (left, right) if has_ticket and right.amount is not None else (right, left)
    amount = project.amount
    assert amount is not None
    low, high = investor.ticket_min, investor.ticket_max
    span_zh, span_en = range_text(low, high, "zh"), range_text(low, high, "en")
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


def overlap_reason(
    left: list[str], right: list[str], known: bool, names: Mapping[str, str], noun: str, en_noun: str
) -> tuple[str, str]:
    """Words for a category or stage part."""
    if not known:
        return f"{noun}未说明", f"{en_noun} not stated"
    shared = [x for x in left if x in right]
    if shared:
        return (
            f"{noun}相符：{'、'.join(shared)}",
            f"{en_noun} matches: {', '.join(en_name(x, names) for x in shared)}",
        )
    return (
        f"{noun}不符（{'、'.join(left)} / {'、'.join(right)}）",
        f"{en_noun} differs ({en_names(left, names)} / {en_names(right, names)})",
    )


def conflict_reason(left: Profile, right: Profile) -> tuple[str, str]:
    """Words for a hard exclusion."""
    if left.organisation and left.organisation == right.organisation:
        return (
            f"同一机构（{left.organisation}），需回避",
            f"Same organisation ({left.organisation}): conflict of interest",
        )
    return "已声明回避", "Declared conflict or exclusion"
