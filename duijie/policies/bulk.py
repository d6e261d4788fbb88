"""Bulk evaluation: many policies for many enterprises at once, and 政策找企业 over a set of enterprises.

Each rule is compiled once into numpy column predicates over a `FactTable` (exact scaled integers, choice codes
and set bit masks), so thousands of enterprises are decided in a few vector operations; the enterprises found
are then explained one by one with the single evaluator (`evaluator.decide`), so a bulk decision reads exactly
like a single one. Pure: plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from duijie.policies.catalogue import Benefit, Policy
from duijie.policies.evaluator import Decision, Outcome, decide
from duijie.policies.facts import FACTS, SCALE, FactType, normalise_facts, plain
from duijie.policies.rules import AllOf, Condition, Not, Rule


@dataclass
class FactTable:
    """Enterprises' facts as numpy columns: exact scaled integers, choice codes and set bit masks."""

    ids: list[str]
    values: dict[str, np.ndarray] = field(default_factory=dict)
    known: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, enterprises: Mapping[str, Mapping[str, Any]]) -> FactTable:
        """Normalise each enterprise's facts (errors name the enterprise) and lay them out by column."""
        ids = list(enterprises)
        n = len(ids)
        table = cls(ids)
        typed = [normalise_facts(enterprises[eid], where=f"enterprises[{eid}]") for eid in ids]
        for name, fact in FACTS.items():
            known = np.zeros(n, dtype=bool)
            dtype: Any = np.int64
            column = np.zeros(n, dtype=dtype)
            codes = {c: i for i, c in enumerate(fact.choices)}
            for row, facts in enumerate(typed):
                value = facts.get(name)
                if value is None:
                    continue
                known[row] = True
                column[row] = _encode(fact.type, value, codes)
            table.values[name] = column
            table.known[name] = known
            if fact.type == FactType.DATE:
                years = np.zeros(n, dtype=np.int64)
                month_days = np.zeros(n, dtype=np.int64)
                for row, facts in enumerate(typed):
                    value = facts.get(name)
                    if isinstance(value, date):
                        years[row] = value.year
                        month_days[row] = value.month * 100 + value.day
                table.values[f"{name}:year"] = years
                table.values[f"{name}:md"] = month_days
        return table


def _encode(kind: FactType, value: Any, codes: Mapping[str, int]) -> int:
    if kind == FactType.BOOL:
        return int(bool(value))
    if kind == FactType.DATE:
        return int(value.toordinal())
    if kind == FactType.ENUM:
        return codes[value]
    if kind == FactType.SET:
        return sum(1 << codes[item] for item in value)
    return _scaled(kind, value)


def _scaled(kind: FactType, value: Any) -> int:
    return int(Decimal(value).scaleb(SCALE.get(kind, 0)))


def _choices(value: Any) -> tuple[Any, ...]:
    """A condition's value as the choices it names (`in` and set conditions hold a tuple, others one value)."""
    return value if isinstance(value, tuple) else (value,)


def _compile_condition(cond: Condition, table: FactTable, on: date) -> tuple[np.ndarray, np.ndarray]:
    """Return (condition holds, fact known) as boolean columns."""
    subject = cond.subject
    fact = FACTS[cond.fact]
    known = table.known[cond.fact]
    codes = {c: i for i, c in enumerate(fact.choices)}
    if cond.fn == "age_years":
        years = table.values[f"{cond.fact}:year"]
        md = table.values[f"{cond.fact}:md"]
        column = on.year - years - (on.month * 100 + on.day < md)
        target: Any = int(cond.value)  # type: ignore[arg-type]
    else:
        column = table.values[cond.fact]
        target = None
    op = cond.op
    if fact.type == FactType.SET:
        bits = sum(1 << codes[str(v)] for v in _choices(cond.value))
        if op == "contains":
            return (column & bits) == bits, known
        return (column & bits) != 0, known
    if op == "in":
        return np.isin(column, [codes[str(v)] for v in _choices(cond.value)]), known
    if target is None:
        target = _encode(subject.type, cond.value, codes)
    ops = {
        "==": np.equal,
        "!=": np.not_equal,
        "<": np.less,
        "<=": np.less_equal,
        ">": np.greater,
        ">=": np.greater_equal,
    }
    return ops[op](column, target), known


class _Compiler:
    """Compiles rules to column predicates, sharing identical conditions across all policies of a run."""

    def __init__(self, table: FactTable, on: date) -> None:
        self.table = table
        self.on = on
        self.cache: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = {}

    def truth(self, rule: Rule) -> tuple[np.ndarray, np.ndarray]:
        """Return (certainly true, certainly false) columns; rows in neither are undetermined."""
        if isinstance(rule, Condition):
            key = (rule.fact, rule.fn, rule.op, rule.value)
            if key not in self.cache:
                holds, known = _compile_condition(rule, self.table, self.on)
                self.cache[key] = (holds & known, ~holds & known)
            return self.cache[key]
        if isinstance(rule, Not):
            true, false = self.truth(rule.item)
            return false, true
        parts = [self.truth(item) for item in rule.items]
        if isinstance(rule, AllOf):
            return np.logical_and.reduce([p[0] for p in parts]), np.logical_or.reduce([p[1] for p in parts])
        return np.logical_or.reduce([p[0] for p in parts]), np.logical_and.reduce([p[1] for p in parts])

    def amount_fen(self, benefit: Benefit) -> tuple[np.ndarray, np.ndarray]:
        """Return (amount in fen, amount known) columns, rounding exactly as the single evaluator does."""
        n = len(self.table.ids)
        if benefit.fixed is not None:
            return np.full(n, _scaled(FactType.MONEY, benefit.fixed), dtype=np.int64), np.ones(n, dtype=bool)
        if benefit.base is None or benefit.rate is None:
            return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
        fact = FACTS[benefit.base]
        base = self.table.values[benefit.base]
        ratio = Fraction(benefit.rate) * 100 / 10 ** SCALE.get(fact.type, 0)
        num, den = ratio.numerator, ratio.denominator
        if (max(int(base.max()), 1) if base.size else 1) * (num * 2 + den) >= 2**62:
            values = np.array([(int(b) * num * 2 + den) // (2 * den) for b in base], dtype=object)
        else:
            values = (base * (num * 2) + den) // (2 * den)
        if benefit.cap is not None:
            values = np.minimum(values, _scaled(FactType.MONEY, benefit.cap))
        return values.astype(np.int64), self.table.known[benefit.base].copy()


ELIGIBLE_CODE = 1
NOT_ELIGIBLE_CODE = 0
UNDETERMINED_CODE = -1


@dataclass
class BulkResult:
    """Outcomes of many policies for many enterprises: codes 1 eligible, 0 not eligible, -1 undetermined."""

    enterprise_ids: list[str]
    policy_ids: list[str]
    versions: list[int | None]
    outcomes: np.ndarray
    benefit_fen: np.ndarray
    benefit_known: np.ndarray

    def outcome(self, enterprise_id: str, policy_id: str) -> Outcome:
        """Read one outcome by ids."""
        code = int(self.outcomes[self.enterprise_ids.index(enterprise_id), self.policy_ids.index(policy_id)])
        return _CODES[code]

    def eligible_for(self, policy_id: str) -> list[str]:
        """List the enterprises that qualify for a policy."""
        column = self.outcomes[:, self.policy_ids.index(policy_id)]
        return [self.enterprise_ids[i] for i in np.flatnonzero(column == ELIGIBLE_CODE)]

    def totals(self) -> dict[str, Decimal]:
        """Sum each enterprise's known estimated benefits over the policies it qualifies for, in 元."""
        counted = np.where((self.outcomes == ELIGIBLE_CODE) & self.benefit_known, self.benefit_fen, 0)
        sums = counted.sum(axis=1)
        return {eid: Decimal(int(s)).scaleb(-2) for eid, s in zip(self.enterprise_ids, sums, strict=True)}


_CODES = {
    ELIGIBLE_CODE: Outcome.ELIGIBLE,
    NOT_ELIGIBLE_CODE: Outcome.NOT_ELIGIBLE,
    UNDETERMINED_CODE: Outcome.UNDETERMINED,
}


def evaluate_many(
    policies: Sequence[Policy], enterprises: Mapping[str, Mapping[str, Any]] | FactTable, *, on: date
) -> BulkResult:
    """Evaluate every policy for every enterprise (id -> facts) at once: outcome codes and amounts."""
    table = enterprises if isinstance(enterprises, FactTable) else FactTable.build(enterprises)
    n, m = len(table.ids), len(policies)
    outcomes = np.zeros((n, m), dtype=np.int8)
    fen = np.zeros((n, m), dtype=np.int64)
    fen_known = np.zeros((n, m), dtype=bool)
    compiler = _Compiler(table, on)
    versions: list[int | None] = []
    for j, policy in enumerate(policies):
        version = policy.version_on(on)
        versions.append(None if version is None else version.version)
        if version is None:
            continue
        true, false = compiler.truth(version.rule)
        outcomes[:, j] = np.where(true, ELIGIBLE_CODE, np.where(false, NOT_ELIGIBLE_CODE, UNDETERMINED_CODE))
        amount, known = compiler.amount_fen(version.benefit)
        fen[:, j] = amount
        fen_known[:, j] = known
    return BulkResult(table.ids, [p.id for p in policies], versions, outcomes, fen, fen_known)


@dataclass(frozen=True)
class Match:
    """An enterprise a policy fits (or may fit once facts are filled), with the full decision."""

    enterprise_id: str
    decision: Decision

    def to_row(self) -> dict[str, str]:
        """Give one flat row for export to a spreadsheet."""
        decision = self.decision
        amount = decision.benefit.amount if decision.benefit else None
        return {
            "enterprise": self.enterprise_id,
            "policy": decision.policy_id,
            "version": "" if decision.version is None else str(decision.version),
            "outcome": decision.outcome.value,
            "benefit_yuan": "" if amount is None else plain(amount),
            "missing_facts": " ".join(decision.missing_facts),
            "reasons_zh": "；".join(r.text_zh for r in decision.reasons),
        }


def match_enterprises(
    policy: Policy,
    enterprises: Mapping[str, Mapping[str, Any]],
    *,
    on: date,
    include_undetermined: bool = True,
    table: FactTable | None = None,
) -> list[Match]:
    """Find the enterprises a policy fits (政策找企业): most benefit first, then those to follow up.

    Pass the `table` built once from the same enterprises to match several policies without rebuilding it.
    """
    table = table if table is not None else FactTable.build(enterprises)
    bulk = evaluate_many([policy], table, on=on)
    version = policy.version_on(on)
    if version is None:
        return []
    wanted = {ELIGIBLE_CODE, UNDETERMINED_CODE} if include_undetermined else {ELIGIBLE_CODE}
    matches = []
    for row, eid in enumerate(table.ids):
        if int(bulk.outcomes[row, 0]) in wanted:
            typed = normalise_facts(enterprises[eid])
            matches.append(Match(eid, decide(policy, version, typed, on)))
    order = {Outcome.ELIGIBLE: 0, Outcome.UNDETERMINED: 1}

    def key(match: Match) -> tuple[int, Decimal, str]:
        benefit = match.decision.benefit
        amount = benefit.amount if benefit and benefit.amount is not None else Decimal(0)
        return (order[match.decision.outcome], -amount, match.enterprise_id)

    return sorted(matches, key=key)
