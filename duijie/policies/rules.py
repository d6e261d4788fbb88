"""Eligibility rules as data: a small typed expression language over enterprise facts.

A rule is JSON-able data — `{"all": [...]}`, `{"any": [...]}`, `{"not": rule}` or a condition
`{"fact": "revenue", "op": ">=", "value": "2亿元"}` (with `"fn": "age_years"` on a date fact). This module
parses it into typed nodes, refuses unknown facts, type errors, unknown choices and comparisons that can never
hold (each error pointing at its path, e.g. `all[2].value`), and renders a rule as one readable line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import yaml

from duijie.core.errors import DomainError, ErrorDetail
from duijie.policies.facts import (
    FACTS,
    NUMERIC_TYPES,
    SCALE,
    FactDef,
    FactType,
    Value,
    choice_label,
    format_choices,
    format_value,
    parse_scalar,
    plain,
)

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
ORDERINGS = ("<", "<=", ">", ">=")
OPS_BY_TYPE: dict[FactType, tuple[str, ...]] = {
    FactType.BOOL: ("==", "!="),
    FactType.INT: COMPARISONS,
    FactType.MONEY: COMPARISONS,
    FactType.RATIO: COMPARISONS,
    FactType.NUMBER: COMPARISONS,
    FactType.DATE: COMPARISONS,
    FactType.ENUM: ("==", "!=", "in"),
    FactType.SET: ("contains", "intersects"),
}
FUNCTIONS = ("age_years",)
AGE = FactDef("age_years", FactType.INT, "成立年限", "company age", "年", "years", minimum=Decimal(0))


class RuleError(DomainError):
    """A rule that cannot be saved: where it is wrong (a path such as `all[2].value`) and why, zh and en."""

    def __init__(self, path: str, message_zh: str, message_en: str, *, errors: list[RuleError] | None = None):
        self.path = path
        self.message_zh = message_zh
        self.message_en = message_en
        self.errors = errors or [self]
        where = path or "rule"
        text = "; ".join(f"{e.path or 'rule'}: {e.message_zh} / {e.message_en}" for e in self.errors)
        details = [ErrorDetail(message=f"{e.message_zh} / {e.message_en}", field=e.path) for e in self.errors]
        super().__init__(
            text if errors else f"{where}: {message_zh} / {message_en}", field=path, details=details
        )

    def as_dict(self) -> dict[str, str]:
        """Give the error as plain data for JSON output."""
        return {"path": self.path, "zh": self.message_zh, "en": self.message_en}


@dataclass(frozen=True)
class Condition:
    """A comparison of one fact (or a function of it) with a constant."""

    path: str
    fact: str
    op: str
    value: Value | tuple[str, ...]
    fn: str | None = None

    @property
    def subject(self) -> FactDef:
        """The thing compared: the fact itself or the derived quantity."""
        return AGE if self.fn == "age_years" else FACTS[self.fact]


@dataclass(frozen=True)
class AllOf:
    """Holds when every item holds."""

    path: str
    items: tuple[Rule, ...]


@dataclass(frozen=True)
class AnyOf:
    """Holds when at least one item holds."""

    path: str
    items: tuple[Rule, ...]


@dataclass(frozen=True)
class Not:
    """Holds when its item does not."""

    path: str
    item: Rule


Rule = Condition | AllOf | AnyOf | Not


def _join(prefix: str, part: str) -> str:
    return f"{prefix}.{part}" if prefix else part


class _Parser:
    """Walks rule data once, building nodes and collecting every error rather than stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[RuleError] = []

    def error(self, path: str, zh: str, en: str) -> None:
        self.errors.append(RuleError(path, zh, en))

    def node(self, data: Any, prefix: str, *, in_all: bool = False) -> Rule | None:
        if not isinstance(data, Mapping):
            self.error(
                prefix,
                "规则应为对象（all/any/not 或条件）",
                "a rule must be an object (all/any/not or a condition)",
            )
            return None
        keys = set(data)
        for key in ("all", "any"):
            if key in keys:
                if keys != {key}:
                    extra = ", ".join(sorted(keys - {key}))
                    self.error(prefix, f"“{key}”不能与{extra}并列", f"“{key}” cannot stand beside {extra}")
                return self.group(key, data[key], prefix, in_all=in_all)
        if "not" in keys:
            if keys != {"not"}:
                extra = ", ".join(sorted(keys - {"not"}))
                self.error(prefix, f"“not”不能与{extra}并列", f"“not” cannot stand beside {extra}")
            path = _join(prefix, "not")
            item = self.node(data["not"], path)
            return None if item is None else Not(path, item)
        if "fact" in keys:
            return self.condition(data, prefix)
        self.error(
            prefix,
            "缺少 all、any、not 或 fact",
            "expected one of all, any, not or fact",
        )
        return None

    def group(self, key: str, items: Any, prefix: str, *, in_all: bool = False) -> Rule | None:
        path = _join(prefix, key)
        if not isinstance(items, list) or not items:
            self.error(path, f"“{key}”需要一个非空列表", f"“{key}” needs a non-empty list")
            return None
        nodes = [self.node(item, f"{path}[{i}]", in_all=key == "all") for i, item in enumerate(items)]
        built = tuple(n for n in nodes if n is not None)
        if key == "all" and not in_all:
            self.check_all(path, built)
        if len(built) < len(nodes):
            return None
        return AllOf(path, built) if key == "all" else AnyOf(path, built)

    def condition(self, data: Mapping[str, Any], prefix: str) -> Condition | None:
        known = {"fact", "op", "value", "fn"}
        for key in sorted(set(data) - known):
            self.error(_join(prefix, key), f"未知字段“{key}”", f"unknown field “{key}”")
        name = data.get("fact")
        fact = FACTS.get(name) if isinstance(name, str) else None
        if fact is None:
            self.error(
                _join(prefix, "fact"),
                f"未知事实“{name}”（可用：{'、'.join(sorted(FACTS))}）",
                f"unknown fact “{name}” (known: {', '.join(sorted(FACTS))})",
            )
            return None
        fn = data.get("fn")
        subject = fact
        if fn is not None:
            if fn not in FUNCTIONS:
                self.error(_join(prefix, "fn"), f"未知函数“{fn}”", f"unknown function “{fn}”")
                return None
            if fact.type != FactType.DATE:
                self.error(
                    _join(prefix, "fn"),
                    f"age_years 只能用于日期，{fact.label_zh}不是日期",
                    f"age_years applies to dates; {fact.label_en} is not a date",
                )
                return None
            subject = AGE
        op = data.get("op")
        allowed = OPS_BY_TYPE[subject.type]
        if op not in allowed:
            self.error(
                _join(prefix, "op"),
                f"{subject.label_zh}不能使用运算“{op}”（可用：{' '.join(allowed)}）",
                f"operator “{op}” does not apply to {subject.label_en} (allowed: {' '.join(allowed)})",
            )
            return None
        if "value" not in data:
            self.error(_join(prefix, "value"), "缺少比较值", "missing value")
            return None
        value = self.value(subject, str(op), data["value"], _join(prefix, "value"))
        if value is None:
            return None
        cond = Condition(prefix, fact.name, str(op), value, fn)
        self.check_possible(cond)
        return cond

    def value(self, subject: FactDef, op: str, raw: Any, path: str) -> Value | tuple[str, ...] | None:
        if op in ("in", "intersects"):
            if isinstance(raw, str):
                raw = [raw]
            if not isinstance(raw, list) or not raw:
                self.error(path, f"“{op}”需要一个非空列表", f"“{op}” needs a non-empty list")
                return None
            items = [self.scalar(subject, item, f"{path}[{i}]") for i, item in enumerate(raw)]
            if any(item is None for item in items):
                return None
            return tuple(dict.fromkeys(str(item) for item in items))
        return self.scalar(subject, raw, path)

    def scalar(self, subject: FactDef, raw: Any, path: str) -> Value | None:
        if subject.type in (FactType.ENUM, FactType.SET) and raw not in subject.choices:
            self.error(
                path,
                f"“{raw}”不是{subject.label_zh}的可选值（可选：{'、'.join(subject.choices)}）",
                f"“{raw}” is not a known value of {subject.label_en} (known: {', '.join(subject.choices)})",
            )
            return None
        try:
            value = parse_scalar(subject, raw)
        except ValueError as exc:
            kind_zh = _TYPE_ZH[subject.type]
            self.error(
                path,
                f"{subject.label_zh}是{kind_zh}，不能与“{raw}”比较",
                f"{subject.label_en} is a {subject.type.value}: {exc}",
            )
            return None
        if isinstance(value, Decimal):
            places = SCALE[subject.type]
            if value != value.quantize(Decimal(1).scaleb(-places)):
                self.error(
                    path,
                    f"{subject.label_zh}最多保留{places}位小数",
                    f"{subject.label_en} takes at most {places} decimal places",
                )
                return None
        return value

    def check_possible(self, cond: Condition) -> None:
        """Refuse a comparison that no value of the fact's domain can satisfy."""
        if cond.op not in COMPARISONS or cond.subject.type not in NUMERIC_TYPES:
            return
        lo, lo_incl, hi, hi_incl = _domain(cond.subject)
        box = _intersect((lo, lo_incl, hi, hi_incl), _interval(cond), cond.subject.type)
        if box is None:
            subject = cond.subject
            value = format_value(subject, cond.value, "zh")  # type: ignore[arg-type]
            value_en = format_value(subject, cond.value, "en")  # type: ignore[arg-type]
            range_en = _range_text(subject, "en")
            self.error(
                _join(cond.path, "value"),
                f"{subject.label_zh}不可能{OP_ZH[cond.op]}{value}（{_range_text(subject, 'zh')}）",
                f"{subject.label_en} can never be {OP_EN[cond.op]} {value_en} ({range_en})",
            )

    def check_all(self, path: str, items: tuple[Rule, ...]) -> None:
        """Refuse an `all` whose conditions on one fact (in it or nested `all`s) can never hold together."""
        groups: dict[tuple[str, str | None], list[Condition]] = {}
        pending = list(items)
        while pending:
            item = pending.pop(0)
            if isinstance(item, AllOf):
                pending.extend(item.items)
            elif isinstance(item, Condition):
                groups.setdefault((item.fact, item.fn), []).append(item)
        for conds in groups.values():
            if len(conds) < 2:
                continue
            subject = conds[0].subject
            if _conflict(subject, conds):
                names = "、".join(c.path for c in conds)
                names_en = ", ".join(c.path for c in conds)
                self.error(
                    path,
                    f"{names}：对{subject.label_zh}的条件不可能同时成立",
                    f"{names_en} can never hold together for {subject.label_en}",
                )


_TYPE_ZH = {
    FactType.BOOL: "是否型",
    FactType.INT: "整数",
    FactType.MONEY: "金额",
    FactType.RATIO: "比例",
    FactType.NUMBER: "数值",
    FactType.DATE: "日期",
    FactType.ENUM: "可选值",
    FactType.SET: "集合",
}

Bound = Decimal | None
Interval = tuple[Bound, bool, Bound, bool]


def _number(value: Any) -> Decimal:
    if isinstance(value, date):
        return Decimal(value.toordinal())
    return Decimal(value)


def _domain(subject: FactDef) -> Interval:
    return (subject.minimum, True, subject.maximum, True)


def _interval(cond: Condition) -> Interval:
    v = _number(cond.value)
    return {
        "==": (v, True, v, True),
        "<": (None, True, v, False),
        "<=": (None, True, v, True),
        ">": (v, False, None, True),
        ">=": (v, True, None, True),
    }.get(cond.op, (None, True, None, True))


def _intersect(a: Interval, b: Interval, kind: FactType) -> Interval | None:
    lo, lo_incl = a[0], a[1]
    if b[0] is not None and (lo is None or b[0] > lo or (b[0] == lo and not b[1])):
        lo, lo_incl = b[0], b[1]
    hi, hi_incl = a[2], a[3]
    if b[2] is not None and (hi is None or b[2] < hi or (b[2] == hi and not b[3])):
        hi, hi_incl = b[2], b[3]
    if kind in (FactType.INT, FactType.DATE):
        if lo is not None and not lo_incl:
            lo, lo_incl = lo + 1, True
        if hi is not None and not hi_incl:
            hi, hi_incl = hi - 1, True
    if lo is not None and hi is not None and (lo > hi or (lo == hi and not (lo_incl and hi_incl))):
        return None
    return (lo, lo_incl, hi, hi_incl)


def _conflict(subject: FactDef, conds: list[Condition]) -> bool:
    kind = subject.type
    if kind in NUMERIC_TYPES:
        box: Interval | None = _domain(subject)
        excluded: set[Decimal] = set()
        for cond in conds:
            if cond.op == "!=":
                excluded.add(_number(cond.value))
                continue
            if box is not None:
                box = _intersect(box, _interval(cond), kind)
        if box is None:
            return True
        return box[0] is not None and box[0] == box[2] and box[0] in excluded
    if kind in (FactType.ENUM, FactType.BOOL):
        allowed: set[Any] = set(subject.choices) if kind == FactType.ENUM else {True, False}
        for cond in conds:
            if cond.op == "==":
                allowed &= {cond.value}
            elif cond.op == "!=":
                allowed -= {cond.value}
            elif cond.op == "in":
                allowed &= set(cond.value)  # type: ignore[arg-type]
        return not allowed
    return False


def _range_text(subject: FactDef, lang: str) -> str:
    lo = subject.minimum
    hi = subject.maximum
    if lo is not None and hi is not None:
        a, b = format_value(subject, lo, lang), format_value(subject, hi, lang)
        return f"取值范围{a}～{b}" if lang == "zh" else f"possible values {a}–{b}"
    if lo is not None:
        a = format_value(subject, lo, lang)
        return f"最小为{a}" if lang == "zh" else f"the smallest possible value is {a}"
    return ""


# A rule document's bounds: no real rule nests deeper than a few levels or runs to more than a few hundred
# conditions. Checked before anything walks the document recursively (YAML's parser, this module's), so a
# hostile document is refused with a message instead of exhausting the stack or the CPU.
MAX_DEPTH = 20
MAX_SIZE = 64 * 1024  # bytes of text (UTF-8)
MAX_NODES = 5_000  # lists, objects and values, counted as they are walked (YAML aliases count each time)
_EVENTS_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _too_deep() -> RuleError:
    return RuleError(
        "", f"规则嵌套超过 {MAX_DEPTH} 层", f"the rule is nested more than {MAX_DEPTH} levels deep"
    )


def _too_large() -> RuleError:
    return RuleError(
        "",
        f"规则过大（最多 {MAX_SIZE // 1024} KB、{MAX_NODES} 个元素）",
        f"the rule is too large (at most {MAX_SIZE // 1024} KB and {MAX_NODES} items)",
    )


def text_depth(text: str) -> int:
    """How deeply YAML or JSON `text` nests, read from the parser's event stream (a loop over a state machine,
    not a recursion) without building the document. libyaml's parser when PyYAML has it (linear time; the pure
Python scanner is quadratic in the number of open brackets, bounded here by MAX_SIZE)."""
    deepest = depth = 0
    try:
        for ev in yaml.parse(text, Loader=_EVENTS_LOADER):
            if isinstance(ev, yaml.CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > MAX_DEPTH:
                    return deepest
            elif isinstance(ev, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        if "nesting" in str(exc):  # libyaml's own limit ("exceeded maximum nesting depth"), hit while scanning
            return max(deepest, MAX_DEPTH + 1)
        return deepest  # what opened before the error: a loader reading this text would have nested as deep
    return deepest


def check_document_text(text: str) -> None:
    """Refuse rule text (YAML or JSON) larger or deeper than a rule may be, before a parser builds it; RuleError
    says which."""
    if len(text) > MAX_SIZE or len(text.encode("utf-8", "surrogatepass")) > MAX_SIZE:
        raise _too_large()
    if text_depth(text) > MAX_DEPTH:
        raise _too_deep()


def check_document(data: Any) -> None:
    """Refuse parsed rule data (or test cases, or facts) nested deeper than MAX_DEPTH or holding more than
    MAX_NODES items, walking it without recursion; RuleError says which."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise _too_large()
        if isinstance(node, Mapping):
            if depth > MAX_DEPTH:
                raise _too_deep()
            stack.extend((v, depth + 1) for v in node.values())
            stack.extend((k, depth + 1) for k in node)
        elif isinstance(node, list | tuple):
            if depth > MAX_DEPTH:
                raise _too_deep()
            stack.extend((v, depth + 1) for v in node)
        elif isinstance(node, str) and len(node) > MAX_SIZE:
            raise _too_large()


def check_rule(data: Any) -> list[RuleError]:
    """Validate rule data when it is saved; an empty list means the rule is sound."""
    try:
        check_document(data)
    except RuleError as exc:
        return [exc]
    parser = _Parser()
    parser.node(data, "")
    return parser.errors


def parse_rule(data: Any) -> Rule:
    """Build the typed rule from its data, raising RuleError (with every error found) if it is unsound."""
    check_document(data)
    parser = _Parser()
    node = parser.node(data, "")
    if parser.errors or node is None:
        errors = parser.errors
        first = errors[0]
        raise RuleError(first.path, first.message_zh, first.message_en, errors=errors)
    return node


def _scalar_data(subject: FactDef, value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def rule_to_data(rule: Rule) -> dict[str, Any]:
    """Write a typed rule back as canonical JSON-able data (amounts in 元 as strings, dates in ISO)."""
    if isinstance(rule, AllOf):
        return {"all": [rule_to_data(item) for item in rule.items]}
    if isinstance(rule, AnyOf):
        return {"any": [rule_to_data(item) for item in rule.items]}
    if isinstance(rule, Not):
        return {"not": rule_to_data(rule.item)}
    data: dict[str, Any] = {"fact": rule.fact}
    if rule.fn:
        data["fn"] = rule.fn
    data["op"] = rule.op
    if isinstance(rule.value, tuple):
        data["value"] = list(rule.value)
    else:
        data["value"] = _scalar_data(rule.subject, rule.value)
    return data


OP_ZH = {"==": "为", "!=": "不为", "<": "低于", "<=": "不超过", ">": "高于", ">=": "不低于"}
OP_EN = {
    "==": "equal to",
    "!=": "other than",
    "<": "less than",
    "<=": "at most",
    ">": "more than",
    ">=": "at least",
}
DATE_OP_ZH = {"==": "为", "!=": "不为", "<": "早于", "<=": "不晚于", ">": "晚于", ">=": "不早于"}
DATE_OP_EN = {
    "==": "on",
    "!=": "not on",
    "<": "before",
    "<=": "on or before",
    ">": "after",
    ">=": "on or after",
}
NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def render_condition(cond: Condition, lang: str, *, negate: bool = False) -> str:
    """Write one condition as a phrase, e.g. 上年营业收入不低于2亿元 (revenue at least CNY 200 million)."""
    subject = cond.subject
    op = cond.op
    if subject.type == FactType.BOOL:
        holds = (cond.value is True) == (op == "==")
        if negate:
            holds = not holds
        if lang == "zh":
            return f"{'是' if holds else '不是'}{subject.label_zh}"
        return f"{'is' if holds else 'is not'} a {subject.label_en}"
    if op in ("in", "intersects", "contains"):
        values = cond.value if isinstance(cond.value, tuple) else (str(cond.value),)
        if lang == "zh":
            listed = format_choices(values, lang)
            if op == "in":
                return f"{subject.label_zh}{'不' if negate else ''}属于{listed}"
            if op == "contains" or len(values) == 1:
                return f"{subject.label_zh}{'不' if negate else ''}包含{listed}"
            tail = "中任何一项" if negate else "之一"
            return f"{subject.label_zh}{'不含' if negate else '包含'}{listed}{tail}"
        names = [choice_label(v, lang) for v in values]
        verb = "is" if op == "in" else "include"
        if not negate:
            return f"{subject.label_en} {verb} {_either(names, 'or')}"
        if len(names) == 1:
            return f"{subject.label_en} {'is not' if op == 'in' else 'exclude'} {names[0]}"
        return f"{subject.label_en} {verb} neither {_either(names, 'nor')}"
    if negate:
        op = NEGATED[op]
    if subject.type == FactType.ENUM:
        value = choice_label(str(cond.value), lang)
    else:
        value = format_value(subject, cond.value, lang)  # type: ignore[arg-type]
    if lang == "zh":
        words = DATE_OP_ZH if subject.type == FactType.DATE else OP_ZH
        return f"{subject.label_zh}{words[op]}{value}"
    words = DATE_OP_EN if subject.type == FactType.DATE else OP_EN
    return f"{subject.label_en} {words[op]} {value}"


def _either(names: list[str], word: str) -> str:
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {word} {names[-1]}"


def render_rule(rule: Rule, lang: str = "zh") -> str:
    """Write a whole rule on one line, with parentheses around nested groups."""

    def inner(node: Rule, nested: bool) -> str:
        if isinstance(node, Condition):
            return render_condition(node, lang)
        if isinstance(node, Not):
            text = inner(node.item, True)
            return f"非（{text}）" if lang == "zh" else f"not ({text})"
        joiner = (
            (" 且 " if lang == "zh" else " and ")
            if isinstance(node, AllOf)
            else (" 或 " if lang == "zh" else " or ")
        )
        text = joiner.join(inner(item, True) for item in node.items)
        if nested and len(node.items) > 1:
            return f"（{text}）" if lang == "zh" else f"({text})"
        return text

    return inner(rule, False)


def conditions(rule: Rule) -> list[Condition]:
    """List the conditions of a rule in document order."""
    if isinstance(rule, Condition):
        return [rule]
    if isinstance(rule, Not):
        return conditions(rule.item)
    return [c for item in rule.items for c in conditions(item)]
