"""Policy packages, policies, their dated versions, benefits and test cases as plain data, and their loader.

A policy file (YAML or JSON) holds a catalogue (`packages: [...]`), a list of policies, one policy, or a
bare rule; the bundled `catalogue.yaml` holds the demo packages of the 2023 Invest Beijing summit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from duijie.core.errors import DomainError, ErrorDetail
from duijie.policies.facts import (
    FACTS,
    FactError,
    FactType,
    normalise_facts,
    parse_date,
    parse_money,
    parse_ratio,
)
from duijie.policies.rules import Rule, RuleError, check_rule, parse_rule, rule_to_data

CATALOGUE_FILE = "catalogue.yaml"


class PolicyError(DomainError):
    """A policy or package definition that cannot be used, naming the item and field at fault."""


class BenefitKind(StrEnum):
    """What an enterprise receives from a policy."""

    SUBSIDY = "subsidy"
    TAX_RELIEF = "tax_relief"
    RENT_OR_LAND = "rent_or_land"
    TALENT = "talent"
    FINANCING = "financing"
    FAST_TRACK = "fast_track"


BENEFIT_KIND_LABELS: dict[BenefitKind, tuple[str, str]] = {
    BenefitKind.SUBSIDY: ("资金补贴", "subsidy"),
    BenefitKind.TAX_RELIEF: ("税收优惠", "tax relief"),
    BenefitKind.RENT_OR_LAND: ("房租与用地支持", "rent or land support"),
    BenefitKind.TALENT: ("人才支持", "talent support"),
    BenefitKind.FINANCING: ("融资支持", "financing support"),
    BenefitKind.FAST_TRACK: ("绿色通道服务", "fast-track service"),
}


@dataclass(frozen=True)
class Benefit:
    """A benefit: a fixed amount, a rate times a fact capped at a maximum, or a service without an amount."""

    kind: BenefitKind
    fixed: Decimal | None = None
    base: str | None = None
    rate: Decimal | None = None
    cap: Decimal | None = None
    description_zh: str = ""
    description_en: str = ""

    def to_data(self) -> dict[str, Any]:
        """Write the benefit back as JSON-able data."""
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.fixed is not None:
            data["amount"] = str(self.fixed)
        if self.base is not None:
            formula: dict[str, Any] = {"fact": self.base, "rate": str(self.rate)}
            if self.cap is not None:
                formula["cap"] = str(self.cap)
            data["formula"] = formula
        if self.description_zh:
            data["description_zh"] = self.description_zh
        if self.description_en:
            data["description_en"] = self.description_en
        return data


@dataclass(frozen=True)
class TestCase:
    """A worked example that the suite runs: facts on a date and the outcome and benefit they must give."""

    __test__ = False  # a data record, not a test class to collect

    name: str
    on: date
    facts: Mapping[str, Any]
    outcome: str
    benefit: Decimal | None = None
    version: int | None = None

    def to_data(self) -> dict[str, Any]:
        """Write the case back as JSON-able data."""
        expect: dict[str, Any] = {"outcome": self.outcome}
        if self.benefit is not None:
            expect["benefit"] = str(self.benefit)
        if self.version is not None:
            expect["version"] = self.version
        return {
            "name": self.name,
            "on": self.on.isoformat(),
            "facts": _jsonable(self.facts),
            "expect": expect,
        }


@dataclass(frozen=True)
class PolicyVersion:
    """The text, rule and benefit of a policy in force from one date to another (both inclusive)."""

    version: int
    valid_from: date
    valid_to: date | None
    rule: Rule
    rule_data: Any
    benefit: Benefit
    clause_zh: str = ""
    clause_en: str = ""
    tests: tuple[TestCase, ...] = ()

    def to_data(self) -> dict[str, Any]:
        """Write the version back as canonical JSON-able data, as stored with the policy."""
        return {
            "version": self.version,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": None if self.valid_to is None else self.valid_to.isoformat(),
            "clause_zh": self.clause_zh,
            "clause_en": self.clause_en,
            "rule": rule_to_data(self.rule),
            "benefit": self.benefit.to_data(),
            "tests": [t.to_data() for t in self.tests],
        }

    def in_force(self, on: date) -> bool:
        """Tell whether this version applies on a date."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class Policy:
    """A policy with its issuer and dated versions; decisions name the version they used.

    `tests` holds every test case, those written on the policy and those written on its versions.
    """

    id: str
    name_zh: str
    name_en: str
    issuer_zh: str
    issuer_en: str
    versions: tuple[PolicyVersion, ...]
    provenance: str = "synthetic"
    package_id: str | None = None
    tests: tuple[TestCase, ...] = ()

    def to_data(self) -> dict[str, Any]:
        """Write the policy back as JSON-able data that `parse_policy` reads again."""
        in_versions = {id(t) for v in self.versions for t in v.tests}
        return {
            "id": self.id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "issuer_zh": self.issuer_zh,
            "issuer_en": self.issuer_en,
            "provenance": self.provenance,
            "versions": [v.to_data() for v in self.versions],
            "tests": [t.to_data() for t in self.tests if id(t) not in in_versions],
        }

    def version_on(self, on: date) -> PolicyVersion | None:
        """Pick the version in force on a date, if any."""
        for version in self.versions:
            if version.in_force(on):
                return version
        return None

    def name(self, lang: str) -> str:
        """Give the name in the requested language."""
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Package:
    """A policy service package (政策服务包) as released at an event."""

    id: str
    name_zh: str
    name_en: str
    policies: tuple[Policy, ...]
    event: str | None = None
    source: str | None = None
    provenance: str = "source"
    summary_zh: str = ""
    summary_en: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def name(self, lang: str) -> str:
        """Give the name in the requested language."""
        return self.name_zh if lang == "zh" else self.name_en


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _text(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise PolicyError(f"{where}.{key}: required", field=f"{where}.{key}")
        return ""
    if not isinstance(value, str):
        raise PolicyError(f"{where}.{key}: expected text, got {value!r}", field=f"{where}.{key}")
    return value.strip()


def _date(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> date | None:
    value = data.get(key)
    if value is None:
        if required:
            raise PolicyError(f"{where}.{key}: required (YYYY-MM-DD)", field=f"{where}.{key}")
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise PolicyError(f"{where}.{key}: {exc}", field=f"{where}.{key}") from exc


def parse_benefit(data: Any, where: str) -> Benefit:
    """Build a benefit from its data: kind, and `amount` or `formula: {fact, rate, cap}` (or neither)."""
    if not isinstance(data, Mapping):
        raise PolicyError(f"{where}: expected an object with kind and amount or formula", field=where)
    kinds = ", ".join(k.value for k in BenefitKind)
    try:
        kind = BenefitKind(str(data.get("kind")))
    except ValueError as exc:
        raise PolicyError(
            f"{where}.kind: unknown benefit kind {data.get('kind')!r} (known: {kinds})", field=f"{where}.kind"
        ) from exc
    unknown = sorted(set(data) - {"kind", "amount", "formula", "description_zh", "description_en"})
    if unknown:
        raise PolicyError(f"{where}.{unknown[0]}: unknown field", field=f"{where}.{unknown[0]}")
    if "amount" in data and "formula" in data:
        raise PolicyError(f"{where}: give either amount or formula, not both", field=where)
    fixed = base = rate = cap = None
    if data.get("amount") is not None:
        fixed = _money(data["amount"], f"{where}.amount")
    formula = data.get("formula")
    if formula is not None:
        fwhere = f"{where}.formula"
        if not isinstance(formula, Mapping):
            raise PolicyError(f"{fwhere}: expected {{fact, rate, cap}}", field=fwhere)
        base = formula.get("fact")
        fact = FACTS.get(base) if isinstance(base, str) else None
        if fact is None or fact.type not in (FactType.MONEY, FactType.NUMBER, FactType.INT):
            raise PolicyError(
                f"{fwhere}.fact: {base!r} is not an amount or quantity fact", field=f"{fwhere}.fact"
            )
        try:
            rate = parse_ratio(formula.get("rate"))
        except ValueError as exc:
            raise PolicyError(f"{fwhere}.rate: {exc}", field=f"{fwhere}.rate") from exc
        if rate <= 0:
            raise PolicyError(f"{fwhere}.rate: must be positive", field=f"{fwhere}.rate")
        if formula.get("cap") is not None:
            cap = _money(formula["cap"], f"{fwhere}.cap")
    return Benefit(
        kind=kind,
        fixed=fixed,
        base=base,
        rate=rate,
        cap=cap,
        description_zh=_text(data, "description_zh", where, required=False),
        description_en=_text(data, "description_en", where, required=False),
    )


def _money(raw: Any, where: str) -> Decimal:
    try:
        amount = parse_money(raw)
    except ValueError as exc:
        raise PolicyError(f"{where}: {exc}", field=where) from exc
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise PolicyError(f"{where}: an amount must be positive and to the fen", field=where)
    return amount


def _rule(data: Any, where: str) -> Rule:
    try:
        return parse_rule(data)
    except RuleError as exc:
        first = exc.errors[0]
        path = f"{where}.{first.path}" if first.path else where
        details = []
        for e in exc.errors:
            at = f"{where}.{e.path}" if e.path else where
            details.append(ErrorDetail(message=f"{at}: {e.message_zh} / {e.message_en}", field=at))
        raise PolicyError("; ".join(d.message for d in details), field=path, details=details) from exc


def parse_version(data: Any, where: str, number: int) -> PolicyVersion:
    """Build one dated version of a policy (numbered by position unless it says otherwise)."""
    if not isinstance(data, Mapping):
        raise PolicyError(f"{where}: expected an object", field=where)
    valid_from = _date(data, "valid_from", where) or date.min
    valid_to = _date(data, "valid_to", where, required=False)
    if valid_to is not None and valid_to < valid_from:
        raise PolicyError(
            f"{where}.valid_to: ends before it starts ({valid_from})", field=f"{where}.valid_to"
        )
    if "rule" not in data:
        raise PolicyError(f"{where}.rule: required", field=f"{where}.rule")
    version = data.get("version", number)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise PolicyError(f"{where}.version: a positive whole number", field=f"{where}.version")
    return PolicyVersion(
        version=version,
        valid_from=valid_from,
        valid_to=valid_to,
        rule=_rule(data["rule"], f"{where}.rule"),
        rule_data=data["rule"],
        benefit=parse_benefit(data.get("benefit"), f"{where}.benefit"),
        clause_zh=_text(data, "clause_zh", where, required=False)
        or _text(data, "clauses_zh", where, required=False),
        clause_en=_text(data, "clause_en", where, required=False)
        or _text(data, "clauses_en", where, required=False),
        tests=tuple(
            parse_test_case(t, f"{where}.tests[{i}]", valid_from)
            for i, t in enumerate(data.get("tests") or data.get("test_cases") or [])
        ),
    )


def parse_test_case(data: Any, where: str, default_on: date) -> TestCase:
    """Build a test case: `facts`, `on` (defaults to the first version's start) and `expect`."""
    if not isinstance(data, Mapping):
        raise PolicyError(f"{where}: expected an object", field=where)
    expect = data.get("expect")
    if not isinstance(expect, Mapping) or expect.get("outcome") not in (
        "eligible",
        "not_eligible",
        "undetermined",
    ):
        raise PolicyError(
            f"{where}.expect.outcome: one of eligible, not_eligible, undetermined", field=f"{where}.expect"
        )
    facts = data.get("facts") or {}
    if not isinstance(facts, Mapping):
        raise PolicyError(f"{where}.facts: expected an object", field=f"{where}.facts")
    try:
        normalise_facts(facts, where=f"{where}.facts")
    except FactError as exc:
        raise PolicyError(exc.message, field=exc.field) from exc
    benefit = expect.get("benefit")
    if True in data and "on" not in data:
        # YAML 1.1 reads an unquoted `on:` key as the boolean true.
        data = {("on" if k is True else k): v for k, v in data.items()}
    on = _date(data, "on", where, required=False) or default_on
    return TestCase(
        name=_text(data, "name", where),
        on=on,
        facts=dict(facts),
        outcome=str(expect["outcome"]),
        benefit=None if benefit is None else _money(benefit, f"{where}.expect.benefit"),
        version=None if expect.get("version") is None else int(expect["version"]),
    )


def parse_policy(data: Any, where: str = "policy", *, package_id: str | None = None) -> Policy:
    """Build a policy from its data, refusing overlapping versions and broken rules with the path at fault."""
    if not isinstance(data, Mapping):
        raise PolicyError(f"{where}: expected an object", field=where)
    policy_id = _text(data, "id", where)
    where = f"{where}[{policy_id}]"
    raw_versions = data.get("versions")
    if raw_versions is None and "rule" in data:
        raw_versions = [{k: data[k] for k in data if k in _VERSION_KEYS}]
    if not isinstance(raw_versions, list) or not raw_versions:
        raise PolicyError(f"{where}.versions: at least one version is required", field=f"{where}.versions")
    versions = sorted(
        (parse_version(v, f"{where}.versions[{i}]", i + 1) for i, v in enumerate(raw_versions)),
        key=lambda v: v.valid_from,
    )
    for before, after in pairwise(versions):
        if before.valid_to is None or before.valid_to >= after.valid_from:
            raise PolicyError(
                f"{where}.versions: version {before.version} overlaps version {after.version}",
                field=f"{where}.versions",
            )
    if len({v.version for v in versions}) != len(versions):
        raise PolicyError(f"{where}.versions: version names repeat", field=f"{where}.versions")
    tests = tuple(
        parse_test_case(t, f"{where}.tests[{i}]", versions[0].valid_from)
        for i, t in enumerate(data.get("tests") or [])
    ) + tuple(t for v in versions for t in v.tests)
    return Policy(
        id=policy_id,
        name_zh=_text(data, "name_zh", where),
        name_en=_text(data, "name_en", where),
        issuer_zh=_text(data, "issuer_zh", where, required=False),
        issuer_en=_text(data, "issuer_en", where, required=False),
        versions=tuple(versions),
        provenance=_text(data, "provenance", where, required=False) or "synthetic",
        package_id=package_id,
        tests=tests,
    )


_VERSION_KEYS = {
    "version",
    "valid_from",
    "valid_to",
    "rule",
    "benefit",
    "clause_zh",
    "clause_en",
    "clauses_zh",
    "clauses_en",
}


def parse_package(data: Any, where: str, *, defaults: Mapping[str, Any] | None = None) -> Package:
    """Build a package and its policies."""
    if not isinstance(data, Mapping):
        raise PolicyError(f"{where}: expected an object", field=where)
    defaults = defaults or {}
    package_id = _text(data, "id", where)
    where = f"{where}[{package_id}]"
    policies = tuple(
        parse_policy(p, f"{where}.policies", package_id=package_id) for p in data.get("policies") or []
    )
    return Package(
        id=package_id,
        name_zh=_text(data, "name_zh", where),
        name_en=_text(data, "name_en", where),
        policies=policies,
        event=data.get("event", defaults.get("event")),
        source=data.get("source", defaults.get("source")),
        provenance=str(data.get("provenance", defaults.get("provenance", "source"))),
        summary_zh=_text(data, "summary_zh", where, required=False),
        summary_en=_text(data, "summary_en", where, required=False),
    )


def parse_catalogue(data: Any, where: str = "catalogue") -> list[Package]:
    """Build every package of a catalogue, refusing repeated package or policy ids."""
    if not isinstance(data, Mapping) or not isinstance(data.get("packages"), list):
        raise PolicyError(f"{where}: expected an object with a list of packages", field=where)
    defaults = {k: data[k] for k in ("event", "source", "provenance") if k in data}
    packages = [parse_package(p, f"{where}.packages", defaults=defaults) for p in data["packages"]]
    _unique([p.id for p in packages], f"{where}.packages")
    _unique([q.id for p in packages for q in p.policies], f"{where}.policies")
    return packages


def _unique(ids: list[str], where: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise PolicyError(f"{where}: id {item!r} is used twice", field=where)
        seen.add(item)


def read_data(path: str | Path) -> Any:
    """Read a YAML or JSON file (JSON is YAML), naming the file in any error."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{file}: cannot read ({exc.strerror})", field=str(file)) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{file}: not valid YAML/JSON ({exc})", field=str(file)) from exc


def policies_from_data(data: Any, where: str = "file") -> list[Policy]:
    """Read policies from a catalogue, a list of policies or one policy."""
    if isinstance(data, Mapping) and "packages" in data:
        return [q for p in parse_catalogue(data, where) for q in p.policies]
    if isinstance(data, Mapping) and "policies" in data:
        data = data["policies"]
    if isinstance(data, list):
        policies = [parse_policy(p, f"{where}.policies") for p in data]
        _unique([p.id for p in policies], f"{where}.policies")
        return policies
    if isinstance(data, Mapping) and "id" in data:
        return [parse_policy(data, where)]
    raise PolicyError(f"{where}: expected packages, a list of policies or one policy", field=where)


def check_data(data: Any, where: str = "file") -> list[str]:
    """Validate a catalogue, policies or a bare rule; return every error as `path: message` lines."""
    if isinstance(data, Mapping) and ({"all", "any", "not", "fact"} & set(data)):
        return [f"{e.path or 'rule'}: {e.message_zh} / {e.message_en}" for e in check_rule(data)]
    try:
        policies_from_data(data, where)
        if isinstance(data, Mapping) and "demo_enterprises" in data:
            parse_demo_enterprises(data["demo_enterprises"], f"{where}.demo_enterprises")
    except PolicyError as exc:
        return [d.message for d in exc.details]
    return []


@dataclass(frozen=True)
class DemoEnterprise:
    """An enterprise of the demo with its (illustrative) facts for the self-check."""

    id: str
    name_zh: str
    name_en: str
    facts: Mapping[str, Any]
    source: str | None = None
    provenance: str = "synthetic"


def parse_demo_enterprises(data: Any, where: str = "demo_enterprises") -> list[DemoEnterprise]:
    """Build the demo enterprises, checking each one's facts against the vocabulary."""
    if not isinstance(data, list):
        raise PolicyError(f"{where}: expected a list", field=where)
    result = []
    for i, item in enumerate(data):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("facts"), Mapping):
            raise PolicyError(f"{at}: expected an object with id, names and facts", field=at)
        enterprise_id = _text(item, "id", at)
        try:
            normalise_facts(item["facts"], where=f"{where}[{enterprise_id}].facts")
        except FactError as exc:
            raise PolicyError(exc.message, field=exc.field) from exc
        result.append(
            DemoEnterprise(
                id=enterprise_id,
                name_zh=_text(item, "name_zh", at),
                name_en=_text(item, "name_en", at),
                facts=dict(item["facts"]),
                source=item.get("source"),
                provenance=str(item.get("provenance", "synthetic")),
            )
        )
    _unique([e.id for e in result], where)
    return result


def _bundled() -> Any:
    return yaml.safe_load(
        resources.files("duijie.policies").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    )


def load_demo_enterprises() -> list[DemoEnterprise]:
    """Load the demo enterprises' facts bundled with the catalogue."""
    return parse_demo_enterprises(_bundled().get("demo_enterprises"), f"{CATALOGUE_FILE}.demo_enterprises")


def load_catalogue(path: str | Path | None = None) -> list[Package]:
    """Load the bundled demo catalogue (or another catalogue file) as packages."""
    if path is None:
        return parse_catalogue(_bundled(), CATALOGUE_FILE)
    return parse_catalogue(read_data(path), str(path))
