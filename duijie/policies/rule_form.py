"""What the structured rule editor needs: the facts a rule may speak of, in the reader's words, and a rule
written back with the values as an author types them.

Bureau staff build a rule from rows (a fact, a comparison in words, a value) and groups (all of, any of, none
of, not all of) instead of writing YAML; the editor in the browser turns the rows into the same rule data the
text form takes, and the server checks it exactly as before. These two functions are the server's half: the
vocabulary is derived from `facts.FACTS` and `rules.OPS_BY_TYPE`, so a fact or operator added there appears in
the editor without a second list to keep in step.
"""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType
from typing import Any

import yaml

from duijie.policies.facts import FACTS, WAN, YI, FactDef, FactType, choice_label, grouped, plain
from duijie.policies.rules import (
    AGE,
    DATE_OP_EN,
    DATE_OP_ZH,
    OP_EN,
    OP_ZH,
    OPS_BY_TYPE,
    AllOf,
    AnyOf,
    Not,
    Rule,
    RuleError,
    check_document,
    check_document_text,
    parse_rule,
)

# Words for the operators that are not comparisons of quantities, (zh, en).
_CHOICE_OPS = MappingProxyType(
    {
        FactType.BOOL: {"==": ("是", "is"), "!=": ("不是", "is not")},
        FactType.ENUM: {"==": ("为", "is"), "!=": ("不为", "is not"), "in": ("属于以下之一", "is one of")},
        FactType.SET: {"contains": ("包含", "includes"), "intersects": ("包含以下任一", "includes any of")},
    }
)

_HINTS = MappingProxyType(
    {
        FactType.MONEY: ("如 2亿元、500万元", "e.g. 200,000,000 or 2亿元"),
        FactType.RATIO: ("如 5%", "e.g. 5%"),
        FactType.INT: ("整数", "a whole number"),
        FactType.NUMBER: ("数值", "a number"),
        FactType.DATE: ("年-月-日", "YYYY-MM-DD"),
    }
)


def _op_words(subject: FactDef, op: str, lang: str) -> str:
    zh = lang == "zh"
    if subject.type in _CHOICE_OPS:
        words = _CHOICE_OPS[subject.type][op]
        return words[0] if zh else words[1]
    if subject.type == FactType.DATE:
        return (DATE_OP_ZH if zh else DATE_OP_EN)[op]
    return (OP_ZH if zh else OP_EN)[op]


def _subject(key: str, fact: FactDef, subject: FactDef, fn: str | None, lang: str) -> dict[str, Any]:
    zh = lang == "zh"
    hint = _HINTS.get(subject.type)
    return {
        "key": key,
        "fact": fact.name,
        "fn": fn,
        "type": subject.type.value,
        "label": subject.label(lang),
        "unit": subject.unit_zh if zh else subject.unit_en,
        "hint": (hint[0] if zh else hint[1]) if hint else "",
        "ops": [{"op": op, "label": _op_words(subject, op, lang)} for op in OPS_BY_TYPE[subject.type]],
        "choices": [{"value": c, "label": choice_label(c, lang)} for c in subject.choices],
    }


def vocabulary(lang: str) -> list[dict[str, Any]]:
    """The subjects a row may compare, each with its operators in words and its choices: every fact, and a
    date fact's age in whole years (成立年限) as a subject of its own, since that is how authors think of it."""
    subjects = []
    for fact in FACTS.values():
        subjects.append(_subject(fact.name, fact, fact, None, lang))
        if fact.type == FactType.DATE:
            subjects.append(_subject(f"{fact.name}|age_years", fact, AGE, "age_years", lang))
    return subjects


def _typed_value(subject: FactDef, value: Any, lang: str) -> Any:
    """A value as an author would type it: 2亿元 rather than 200000000 (200,000,000 in English), 5% rather
    than 0.05. Exact: the text reads back to the same value."""
    if isinstance(value, tuple):
        return list(value)
    if subject.type == FactType.MONEY:
        amount = Decimal(value)
        if lang != "zh":
            return grouped(amount)
        # Dividing by a power of ten is exact in Decimal, so the text reads back to the same amount.
        if abs(amount) >= YI:
            return f"{plain(amount / YI)}亿元"
        if abs(amount) >= WAN:
            return f"{plain(amount / WAN)}万元"
        return f"{plain(amount)}元"
    if subject.type == FactType.RATIO:
        return f"{plain(Decimal(value) * 100)}%"
    if isinstance(value, Decimal):
        return plain(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def rule_to_form(rule: Rule, lang: str) -> dict[str, Any]:
    """Write a parsed rule as the editor's rows read it: the rule's own shape, a yes/no fact always compared
    with "yes" (是 / 不是), and values as typed."""
    if isinstance(rule, AllOf):
        return {"all": [rule_to_form(item, lang) for item in rule.items]}
    if isinstance(rule, AnyOf):
        return {"any": [rule_to_form(item, lang) for item in rule.items]}
    if isinstance(rule, Not):
        return {"not": rule_to_form(rule.item, lang)}
    data: dict[str, Any] = {"fact": rule.fact}
    if rule.fn:
        data["fn"] = rule.fn
    if rule.subject.type == FactType.BOOL:
        holds = (rule.value is True) == (rule.op == "==")
        data["op"] = "==" if holds else "!="
        data["value"] = True
        return data
    data["op"] = rule.op
    data["value"] = _typed_value(rule.subject, rule.value, lang)
    return data


def editable_rule(text: str, lang: str) -> dict[str, Any] | None:
    """The rule of the form's text as the editor loads it: values as typed when the rule is sound, the document
    as written when it is not (the server's errors then point into it), None when the text is empty or is not
    a rule-shaped document at all (the editor then starts empty and the text stays the author's)."""
    if not text.strip():
        return None
    try:
        check_document_text(text)
        data = yaml.safe_load(text)
        check_document(data)
    except (yaml.YAMLError, RuleError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        return rule_to_form(parse_rule(data), lang)
    except RuleError:
        return _json_safe(data)


def _json_safe(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _json_safe(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_json_safe(v) for v in data]
    if isinstance(data, str | int | float | bool) or data is None:
        return data
    return str(data)
