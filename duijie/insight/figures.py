"""Whether a published figure and the same figure summed from the records agree, reading its qualifier as the
organiser printed it: "超610" (over 610) holds for 610 and more, never below (the press prints the figure rounded
down, so records summing to 610.00 bear out "超过610亿元" as well as 613 do); "5000余" (5000-odd) for 5000 to 5999;
"约650" (about 650) within 5 %; "近100" (nearly 100) from 95 up to 100; no qualifier means the same number."""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType

OVER = frozenset({"超", "超过", "逾", "多于", "高于"})
ODD = frozenset({"余", "多", "余个", "有余"})
ABOUT = frozenset({"约", "大约", "左右", "上下"})
NEARLY = frozenset({"近", "将近", "接近"})
TOLERANCE = Decimal("0.05")

# How an English page says each kind of qualifier.
ENGLISH = MappingProxyType({"over": "over", "odd": "more than", "about": "about", "nearly": "nearly"})


def kind_of(qualifier: str | None) -> str | None:
    """`over`, `odd`, `about`, `nearly`, or None for a plain figure (an unknown qualifier reads as `about`)."""
    text = (qualifier or "").strip()
    if not text:
        return None
    for kind, words in (("over", OVER), ("odd", ODD), ("about", ABOUT), ("nearly", NEARLY)):
        if text in words:
            return kind
    return "about"


def _odd_step(published: Decimal) -> Decimal:
    """The span "N余" covers: the place of N's last non-zero digit (5000余 → up to 5999, 86余 → up to 95)."""
    if published != published.to_integral_value():
        return Decimal(1)
    digits = str(int(published))
    zeros = len(digits) - len(digits.rstrip("0"))
    return Decimal(10) ** max(zeros, 1)


def agrees(qualifier: str | None, published: Decimal, computed: Decimal) -> bool:
    """The records bear the printed figure out."""
    kind = kind_of(qualifier)
    if kind is None:
        return computed == published
    if kind == "over":
        return computed >= published
    if kind == "odd":
        return published <= computed < published + _odd_step(published)
    if kind == "nearly":
        return published * (1 - TOLERANCE) <= computed <= published
    return abs(computed - published) <= abs(published) * TOLERANCE


def english(qualifier: str | None) -> str:
    """The English word before the number ("over 610"), or nothing."""
    kind = kind_of(qualifier)
    return ENGLISH[kind] if kind else ""
