"""The eligibility evaluator: decisions with a reason per condition, estimated benefits and counterfactuals.

`evaluate` explains one policy for one enterprise in three-valued logic (a missing fact makes a condition
unknown); `rank_packages` orders packages by total estimated benefit; `run_tests` runs a policy's test cases.
Many enterprises at once (`evaluate_many`, `match_enterprises`) are in `bulk.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import product
from typing import Any

from duijie.policies.catalogue import BENEFIT_KIND_LABELS, Benefit, Package, Policy, PolicyVersion, TestCase
from duijie.policies.facts import (
    FACTS,
    NUMERIC_TYPES,
    FactType,
    Value,
    age_years,
    choice_label,
    format_money,
    format_value,
    money_unit,
    normalise_facts,
    plain,
)
from duijie.policies.rules import NEGATED, AllOf, Condition, Not, Rule, render_condition

FEN = Decimal("0.01")


class Outcome(StrEnum):
    """The three answers a policy can give an enterprise."""

    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNDETERMINED = "undetermined"


OUTCOME_LABELS = {
    Outcome.ELIGIBLE: ("符合", "eligible"),
    Outcome.NOT_ELIGIBLE: ("不符合", "not eligible"),
    Outcome.UNDETERMINED: ("待确定", "undetermined"),
}


@dataclass(frozen=True)
class Reason:
    """Why one condition is met, missed (and by how much) or cannot be checked."""

    path: str
    fact: str
    status: str
    text_zh: str
    text_en: str
    gap: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        """Give the reason as JSON-able data."""
        data: dict[str, Any] = {
            "path": self.path,
            "fact": self.fact,
            "status": self.status,
            "zh": self.text_zh,
            "en": self.text_en,
        }
        if self.gap is not None:
            data["gap"] = plain(self.gap)
        return data


@dataclass(frozen=True)
class Counterfactual:
    """A change of facts that would make the enterprise eligible, and which missing facts it needs."""

    facts: tuple[str, ...]
    missing: tuple[str, ...]
    text_zh: str
    text_en: str

    def to_dict(self) -> dict[str, Any]:
        """Give the counterfactual as JSON-able data."""
        return {
            "facts": list(self.facts),
            "missing": list(self.missing),
            "zh": self.text_zh,
            "en": self.text_en,
        }


@dataclass(frozen=True)
class BenefitEstimate:
    """The benefit an enterprise could expect: its kind and, when it can be computed, the amount in 元."""

    kind: str
    amount: Decimal | None
    capped: bool
    text_zh: str
    text_en: str

    def to_dict(self) -> dict[str, Any]:
        """Give the estimate as JSON-able data."""
        return {
            "kind": self.kind,
            "amount": None if self.amount is None else plain(self.amount),
            "capped": self.capped,
            "zh": self.text_zh,
            "en": self.text_en,
        }


@dataclass(frozen=True)
class Decision:
    """One policy version's answer for one enterprise on one date, with everything needed to explain it."""

    policy_id: str
    version: int | None
    on: date
    outcome: Outcome
    reasons: tuple[Reason, ...]
    benefit: BenefitEstimate | None
    counterfactuals: tuple[Counterfactual, ...] = ()
    missing_facts: tuple[str, ...] = ()
    policy_name_zh: str = ""
    policy_name_en: str = ""

    @property
    def amount(self) -> Decimal:
        """The amount that counts towards totals: only an eligible outcome's known estimate."""
        if self.outcome != Outcome.ELIGIBLE or self.benefit is None or self.benefit.amount is None:
            return Decimal(0)
        return self.benefit.amount

    def to_dict(self) -> dict[str, Any]:
        """Give the decision as JSON-able data, as kept for the record and returned by the API."""
        return {
            "policy": self.policy_id,
            "name_zh": self.policy_name_zh,
            "name_en": self.policy_name_en,
            "version": self.version,
            "on": self.on.isoformat(),
            "outcome": self.outcome.value,
            "reasons": [r.to_dict() for r in self.reasons],
            "benefit": None if self.benefit is None else self.benefit.to_dict(),
            "counterfactuals": [c.to_dict() for c in self.counterfactuals],
            "missing_facts": list(self.missing_facts),
        }


# ---------------------------------------------------------------- single evaluation


def _subject_value(cond: Condition, facts: Mapping[str, Value], on: date) -> Value | None:
    value = facts.get(cond.fact)
    if value is None:
        return None
    if cond.fn == "age_years":
        return age_years(value, on)  # type: ignore[arg-type]
    return value


def _holds(op: str, value: Any, target: Any) -> bool:
    if op == "==":
        return bool(value == target)
    if op == "!=":
        return bool(value != target)
    if op == "<":
        return bool(value < target)
    if op == "<=":
        return bool(value <= target)
    if op == ">":
        return bool(value > target)
    if op == ">=":
        return bool(value >= target)
    if op == "in":
        return value in target
    if op == "contains":
        return target in value
    if op == "intersects":
        return bool(set(value) & set(target))
    raise ValueError(op)


def check_condition(cond: Condition, facts: Mapping[str, Value], on: date) -> bool | None:
    """Evaluate one condition: True, False, or None when its fact is missing."""
    value = _subject_value(cond, facts, on)
    if value is None:
        return None
    return _holds(cond.op, value, cond.value)


def _truth(rule: Rule, leaf: Mapping[str, bool | None]) -> bool | None:
    if isinstance(rule, Condition):
        return leaf[rule.path]
    if isinstance(rule, Not):
        inner = _truth(rule.item, leaf)
        return None if inner is None else not inner
    values = [_truth(item, leaf) for item in rule.items]
    if isinstance(rule, AllOf):
        if False in values:
            return False
        return None if None in values else True
    if True in values:
        return True
    return None if None in values else False


def _leaves(rule: Rule, negated: bool = False) -> list[tuple[Condition, bool]]:
    if isinstance(rule, Condition):
        return [(rule, negated)]
    if isinstance(rule, Not):
        return _leaves(rule.item, not negated)
    return [pair for item in rule.items for pair in _leaves(item, negated)]


def _gap_text(cond: Condition, gap: Decimal, lang: str) -> str:
    subject = cond.subject
    if subject.type == FactType.MONEY:
        return format_money(gap, lang, money_unit(Decimal(cond.value)) or None)  # type: ignore[arg-type]
    if subject.type == FactType.RATIO:
        points = plain(gap * 100)
        return f"{points}个百分点" if lang == "zh" else f"{points} percentage points"
    return format_value(subject, gap, lang)


def _actual_text(cond: Condition, value: Value, lang: str) -> str:
    subject = cond.subject
    if subject.type == FactType.ENUM:
        return choice_label(str(value), lang)
    return format_value(subject, value, lang)


def explain_condition(cond: Condition, negated: bool, facts: Mapping[str, Value], on: date) -> Reason:
    """Say whether a condition (read with its polarity under `not`) is met, missed by how much, or unknown."""
    subject = cond.subject
    requirement_zh = render_condition(cond, "zh", negate=negated)
    requirement_en = render_condition(cond, "en", negate=negated)
    value = _subject_value(cond, facts, on)
    fact = FACTS[cond.fact]
    if value is None:
        return Reason(
            cond.path,
            cond.fact,
            "missing",
            f"未提供“{fact.label_zh}”信息，无法判断是否满足“{requirement_zh}”",
            f"“{fact.label_en}” not given: cannot check “{requirement_en}”",
        )
    met = _holds(cond.op, value, cond.value) != negated
    status = "met" if met else "missed"
    op = NEGATED[cond.op] if negated and cond.op in NEGATED else cond.op
    actual_zh = _actual_text(cond, value, "zh")
    actual_en = _actual_text(cond, value, "en")
    numeric = subject.type in NUMERIC_TYPES and op in ("<", "<=", ">", ">=", "==", "!=")
    if not numeric:
        if subject.type == FactType.BOOL:
            return Reason(
                cond.path,
                cond.fact,
                status,
                f"{'符合' if met else '不符合'}要求：{requirement_zh}",
                f"{'meets' if met else 'does not meet'}: {requirement_en}",
            )
        verdict_en = "meets" if met else "does not meet"
        return Reason(
            cond.path,
            cond.fact,
            status,
            f"{subject.label_zh}为{actual_zh}，{'符合' if met else '不符合'}要求：{requirement_zh}",
            f"{subject.label_en} is {actual_en}, which {verdict_en}: {requirement_en}",
        )
    target_zh = _actual_text(cond, cond.value, "zh")  # type: ignore[arg-type]
    target_en = _actual_text(cond, cond.value, "en")  # type: ignore[arg-type]
    head_zh = f"{subject.label_zh}{actual_zh}"
    head_en = f"{subject.label_en} is {actual_en}"
    if met:
        words_zh = {"<": "低于", "<=": "不超过", ">": "高于", ">=": "不低于", "==": "等于", "!=": "不等于"}[
            op
        ]
        words_en = {
            "<": "below",
            "<=": "within the maximum of",
            ">": "above",
            ">=": "meeting the minimum of",
            "==": "equal to",
            "!=": "other than",
        }[op]
        if subject.type == FactType.DATE:
            words_zh = {"<": "早于", "<=": "不晚于", ">": "晚于", ">=": "不早于"}.get(op, words_zh)
            words_en = {"<": "before", "<=": "on or before", ">": "after", ">=": "on or after"}.get(
                op, words_en
            )
        return Reason(
            cond.path,
            cond.fact,
            status,
            f"{head_zh}，{words_zh}{target_zh}",
            f"{head_en}, {words_en} {target_en}",
        )
    if subject.type == FactType.DATE or op in ("==", "!="):
        return Reason(
            cond.path,
            cond.fact,
            status,
            f"{head_zh}，不符合要求：{requirement_zh}",
            f"{head_en}, which does not meet: {requirement_en}",
        )
    gap = abs(Decimal(value) - Decimal(cond.value))  # type: ignore[arg-type]
    if gap == 0:
        word_zh, word_en = ("高于", "above") if op == ">" else ("低于", "below")
        return Reason(
            cond.path,
            cond.fact,
            status,
            f"{head_zh}，需{word_zh}{target_zh}",
            f"{head_en}, but must be {word_en} {target_en}",
        )
    gap_zh = _gap_text(cond, gap, "zh")
    gap_en = _gap_text(cond, gap, "en")
    if op in (">", ">="):
        return Reason(
            cond.path,
            cond.fact,
            status,
            f"{head_zh}，低于要求的{target_zh}，差{gap_zh}",
            f"{head_en}, below the required {target_en}, short by {gap_en}",
            gap,
        )
    return Reason(
        cond.path,
        cond.fact,
        status,
        f"{head_zh}，超过上限{target_zh}，超出{gap_zh}",
        f"{head_en}, above the limit of {target_en} by {gap_en}",
        gap,
    )


Option = frozenset[tuple[str, bool]]
MAX_OPTIONS = 64


def _minimal(options: Iterable[Option]) -> list[Option]:
    ordered = sorted(set(options), key=lambda o: (len(o), sorted(o)))
    kept: list[Option] = []
    for option in ordered:
        if not any(k <= option for k in kept):
            kept.append(option)
    return kept[:MAX_OPTIONS]


def _repairs(rule: Rule, want: bool, leaf: Mapping[str, bool | None]) -> list[Option]:
    """List minimal sets of (condition, required truth) that would make `rule` evaluate to `want`."""
    if isinstance(rule, Condition):
        if leaf[rule.path] is want:
            return [frozenset()]
        return [frozenset({(rule.path, want)})]
    if isinstance(rule, Not):
        return _repairs(rule.item, not want, leaf)
    conjunctive = isinstance(rule, AllOf) == want
    children = [_repairs(item, want, leaf) for item in rule.items]
    if not conjunctive:
        return _minimal(o for options in children for o in options)
    combined: list[Option] = [frozenset()]
    for options in children:
        combined = _minimal(a | b for a, b in product(combined, options))
    return combined


def _counterfactuals(
    policy: Policy, rule: Rule, leaf: Mapping[str, bool | None], facts: Mapping[str, Value], limit: int = 3
) -> tuple[Counterfactual, ...]:
    conds = {c.path: c for c, _ in _leaves(rule)}
    result: list[Counterfactual] = []
    for option in _repairs(rule, True, leaf):
        if not option:
            continue
        changes = sorted(option, key=lambda pair: list(conds).index(pair[0]))
        frozen = [p for p, _ in changes if not FACTS[conds[p].fact].changeable and conds[p].fact in facts]
        if frozen:
            continue
        parts_zh: list[str] = []
        parts_en: list[str] = []
        missing: list[str] = []
        names: list[str] = []
        for path, want in changes:
            cond = conds[path]
            names.append(cond.fact)
            text_zh = render_condition(cond, "zh", negate=not want)
            text_en = render_condition(cond, "en", negate=not want)
            if cond.fact not in facts:
                missing.append(cond.fact)
                text_zh += "（尚未提供）"
                text_en += " (not yet given)"
            parts_zh.append(text_zh)
            parts_en.append(text_en)
        result.append(
            Counterfactual(
                facts=tuple(dict.fromkeys(names)),
                missing=tuple(dict.fromkeys(missing)),
                text_zh=_if_zh(parts_zh, policy.name_zh),
                text_en=f"would qualify for “{policy.name_en}” with: {'; '.join(parts_en)}",
            )
        )
        if len(result) >= limit:
            break
    return tuple(result)


def _if_zh(parts: list[str], name: str) -> str:
    if len(parts) == 1:
        return f"若{parts[0]}，即可符合“{name}”"
    return f"若同时满足：{'；'.join(parts)}，即可符合“{name}”"


def estimate_benefit(benefit: Benefit, facts: Mapping[str, Value]) -> BenefitEstimate:
    """Compute the benefit exactly in Decimal, rounded to the fen: fixed, or rate × fact up to the cap."""
    kind_zh, kind_en = BENEFIT_KIND_LABELS[benefit.kind]
    desc_zh = f"{kind_zh}：{benefit.description_zh}" if benefit.description_zh else kind_zh
    desc_en = f"{kind_en}: {benefit.description_en}" if benefit.description_en else kind_en
    if benefit.fixed is not None:
        amount = benefit.fixed
        return BenefitEstimate(
            benefit.kind.value,
            amount,
            False,
            f"{desc_zh}，{format_money(amount, 'zh')}",
            f"{desc_en}, {format_money(amount, 'en')}",
        )
    if benefit.base is None or benefit.rate is None:
        return BenefitEstimate(benefit.kind.value, None, False, desc_zh, desc_en)
    fact = FACTS[benefit.base]
    base = facts.get(benefit.base)
    if base is None:
        return BenefitEstimate(
            benefit.kind.value,
            None,
            False,
            f"{desc_zh}（需提供{fact.label_zh}以估算金额）",
            f"{desc_en} (give {fact.label_en} to estimate the amount)",
        )
    amount = (Decimal(base) * benefit.rate).quantize(FEN, rounding=ROUND_HALF_UP)  # type: ignore[arg-type]
    capped = benefit.cap is not None and amount > benefit.cap
    if capped:
        amount = benefit.cap  # type: ignore[assignment]
    suffix_zh = "（已达上限）" if capped else ""
    suffix_en = " (the maximum)" if capped else ""
    if benefit.cap is not None and not capped:
        full_at = (benefit.cap / benefit.rate).quantize(FEN, rounding=ROUND_CEILING)
        cap_zh, cap_en = format_money(benefit.cap, "zh"), format_money(benefit.cap, "en")
        suffix_zh = f"（{fact.label_zh}达到{format_value(fact, full_at, 'zh')}可获上限{cap_zh}）"
        suffix_en = (
            f" ({fact.label_en} of {format_value(fact, full_at, 'en')} would reach the maximum {cap_en})"
        )
    return BenefitEstimate(
        benefit.kind.value,
        amount,
        capped,
        f"{desc_zh}，预计{format_money(amount, 'zh')}{suffix_zh}",
        f"{desc_en}, about {format_money(amount, 'en')}{suffix_en}",
    )


def _not_in_force(policy: Policy, on: date) -> Decision:
    spans = "、".join(f"{v.valid_from}～{v.valid_to or ''}" for v in policy.versions)
    spans_en = ", ".join(f"{v.valid_from} to {v.valid_to or 'open'}" for v in policy.versions)
    reason = Reason(
        "",
        "",
        "not_in_force",
        f"{on}不在政策有效期内（{spans}）",
        f"the policy is not in force on {on} (valid {spans_en})",
    )
    return Decision(
        policy.id, None, on, Outcome.NOT_ELIGIBLE, (reason,), None, (), (), policy.name_zh, policy.name_en
    )


def evaluate(policy: Policy, facts: Mapping[str, Any], *, on: date) -> Decision:
    """Decide whether an enterprise qualifies for a policy, using the version in force on that date."""
    return _evaluate_typed(policy, normalise_facts(facts), on)


def _evaluate_typed(policy: Policy, facts: Mapping[str, Value], on: date) -> Decision:
    version = policy.version_on(on)
    if version is None:
        return _not_in_force(policy, on)
    return decide(policy, version, facts, on)


def decide(policy: Policy, version: PolicyVersion, facts: Mapping[str, Value], on: date) -> Decision:
    """Decide one version of a policy on typed facts (`facts.normalise_facts`): the step the bulk evaluator
    repeats for the enterprises it found eligible or undetermined, so both explain a decision the same way."""
    pairs = _leaves(version.rule)
    leaf = {cond.path: check_condition(cond, facts, on) for cond, _ in pairs}
    truth = _truth(version.rule, leaf)
    outcome = (
        Outcome.ELIGIBLE
        if truth is True
        else Outcome.NOT_ELIGIBLE
        if truth is False
        else Outcome.UNDETERMINED
    )
    reasons = tuple(explain_condition(cond, negated, facts, on) for cond, negated in pairs)
    missing = tuple(dict.fromkeys(r.fact for r in reasons if r.status == "missing"))
    counterfactuals = () if truth is True else _counterfactuals(policy, version.rule, leaf, facts)
    return Decision(
        policy_id=policy.id,
        version=version.version,
        on=on,
        outcome=outcome,
        reasons=reasons,
        benefit=estimate_benefit(version.benefit, facts),
        counterfactuals=counterfactuals,
        missing_facts=missing,
        policy_name_zh=policy.name_zh,
        policy_name_en=policy.name_en,
    )


@dataclass(frozen=True)
class PackageResult:
    """One package's decisions for an enterprise and the total benefit of the policies it qualifies for."""

    package: Package
    decisions: tuple[Decision, ...]
    total: Decimal
    eligible: int
    undetermined: int

    def to_dict(self) -> dict[str, Any]:
        """Give the package result as JSON-able data."""
        return {
            "package": self.package.id,
            "name_zh": self.package.name_zh,
            "name_en": self.package.name_en,
            "total": plain(self.total),
            "eligible": self.eligible,
            "undetermined": self.undetermined,
            "decisions": [d.to_dict() for d in self.decisions],
        }


def rank_packages(packages: Sequence[Package], facts: Mapping[str, Any], *, on: date) -> list[PackageResult]:
    """Evaluate every policy of every package and rank packages by total estimated benefit, then by count."""
    typed = normalise_facts(facts)
    results = []
    for package in packages:
        decisions = tuple(_evaluate_typed(policy, typed, on) for policy in package.policies)
        results.append(
            PackageResult(
                package=package,
                decisions=decisions,
                total=sum((d.amount for d in decisions), Decimal(0)),
                eligible=sum(d.outcome == Outcome.ELIGIBLE for d in decisions),
                undetermined=sum(d.outcome == Outcome.UNDETERMINED for d in decisions),
            )
        )
    return sorted(results, key=lambda r: (-r.total, -r.eligible, -r.undetermined, r.package.id))


@dataclass(frozen=True)
class CaseResult:
    """The result of one policy test case: what was expected, what came out, and whether they agree."""

    policy_id: str
    name: str
    on: date
    expected_outcome: str
    outcome: str
    expected_benefit: Decimal | None
    benefit: Decimal | None
    expected_version: int | None
    version: int | None

    @property
    def passed(self) -> bool:
        """Agree on the outcome, and on the benefit and version where the case states them."""
        return (
            self.outcome == self.expected_outcome
            and (self.expected_benefit is None or self.benefit == self.expected_benefit)
            and (self.expected_version is None or self.version == self.expected_version)
        )


def run_case(policy: Policy, case: TestCase) -> CaseResult:
    """Run one test case of a policy."""
    decision = evaluate(policy, case.facts, on=case.on)
    amount = decision.benefit.amount if decision.benefit else None
    return CaseResult(
        policy.id,
        case.name,
        case.on,
        case.outcome,
        decision.outcome.value,
        case.benefit,
        amount,
        case.version,
        decision.version,
    )


def run_tests(policies: Iterable[Policy]) -> list[CaseResult]:
    """Run every test case of every policy, in order."""
    return [run_case(policy, case) for policy in policies for case in policy.tests]
