"""Policy rows and the rules engine's objects: loading packages and policies (with every dated version) as the
engine's `Package`/`Policy`, writing a catalogue's policies as rows, the lookups by slug, and a stored rule or
benefit in words. Reads only, except `import_policy`, which adds rows and leaves the flush to the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.policies import catalogue as cat
from duijie.policies.evaluator import OUTCOME_LABELS, CaseResult, Outcome, run_tests
from duijie.policies.facts import FACTS, format_money, plain
from duijie.policies.models import Policy, PolicyPackage, PolicyVersion
from duijie.policies.rules import parse_rule, render_rule

# The pseudo-package that holds policies authored without a package, so the self-check still shows them.
UNPACKAGED = "unpackaged"


def version_data(row: PolicyVersion) -> dict[str, Any]:
    """A version row as the catalogue parser reads it (authoring compares and plans versions in this form)."""
    return {
        "version": row.version,
        "valid_from": row.valid_from.isoformat(),
        "valid_to": None if row.valid_to is None else row.valid_to.isoformat(),
        "clause_zh": row.clauses_zh or "",
        "clause_en": row.clauses_en or "",
        "rule": row.rule,
        "benefit": row.benefit,
        "tests": list(row.test_cases or []),
    }


def policy_data(row: Policy, versions: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Write a policy row (or the row with other versions) as the data the catalogue parser reads."""
    return {
        "id": row.slug,
        "name_zh": row.name_zh,
        "name_en": row.name_en or row.name_zh,
        "issuer_zh": row.issuer_zh or "",
        "issuer_en": row.issuer_en or "",
        "provenance": row.provenance,
        "versions": list(versions) if versions is not None else [version_data(v) for v in row.versions],
    }


def parse_policy(row: Policy) -> cat.Policy:
    """Load the engine's Policy (every dated version, rule, benefit and test case) from its rows."""
    package = row.package.slug if row.package is not None else None
    return cat.parse_policy(policy_data(row), "policy", package_id=package)


def to_package(row: PolicyPackage) -> cat.Package:
    """Load a package and its policies as the engine's Package."""
    return cat.Package(
        id=row.slug,
        name_zh=row.name_zh,
        name_en=row.name_en or row.name_zh,
        policies=tuple(parse_policy(p) for p in row.policies if p.versions),
        provenance=row.provenance,
    )


def _loaded_packages(db: Session) -> list[PolicyPackage]:
    return list(
        db.scalars(
            select(PolicyPackage)
            .options(selectinload(PolicyPackage.policies).selectinload(Policy.versions))
            .order_by(PolicyPackage.slug)
        )
    )


def _unpackaged(db: Session) -> list[Policy]:
    return list(
        db.scalars(
            select(Policy)
            .where(Policy.package_id.is_(None))
            .options(selectinload(Policy.versions))
            .order_by(Policy.slug)
        )
    )


def list_packages(db: Session) -> list[PolicyPackage]:
    """Every package with its policies and their versions, loaded in three queries."""
    return _loaded_packages(db)


def list_unpackaged(db: Session) -> list[Policy]:
    """Policies that belong to no package."""
    return _unpackaged(db)


def engine_packages(db: Session) -> list[cat.Package]:
    """Every package (and the policies outside any package) as the engine's objects."""
    packages = [to_package(p) for p in _loaded_packages(db)]
    loose = tuple(parse_policy(p) for p in _unpackaged(db) if p.versions)
    if loose:
        packages.append(cat.Package(UNPACKAGED, "其他政策", "Other policies", loose, provenance="manual"))
    return packages


def get_package(db: Session, *, slug: str) -> PolicyPackage:
    """One package by slug, with its policies and their versions."""
    row = db.scalar(
        select(PolicyPackage)
        .where(PolicyPackage.slug == slug)
        .options(selectinload(PolicyPackage.policies).selectinload(Policy.versions))
    )
    if row is None:
        raise NotFound(_("No such policy package: %(slug)s") % {"slug": slug})
    return row


def get_policy(db: Session, *, slug: str) -> Policy:
    """One policy by slug, with its versions and package."""
    row = db.scalar(
        select(Policy)
        .where(Policy.slug == slug)
        .options(selectinload(Policy.versions), selectinload(Policy.package))
    )
    if row is None:
        raise NotFound(_("No such policy: %(slug)s") % {"slug": slug})
    return row


def package_choices(db: Session) -> list[PolicyPackage]:
    """The packages a policy can be filed under, for the authoring form."""
    return list(db.scalars(select(PolicyPackage).order_by(PolicyPackage.slug)))


def rule_text(rule: Mapping[str, Any], locale: str | None = None) -> str:
    """Write a stored rule in words in the current (or given) language."""
    return render_rule(parse_rule(rule), "zh" if is_zh(locale) else "en")


def benefit_kind_label(kind: str, locale: str | None = None) -> str:
    """Name a benefit kind in the current language."""
    try:
        zh, en = cat.BENEFIT_KIND_LABELS[cat.BenefitKind(kind)]
    except ValueError:
        return kind
    return zh if is_zh(locale) else en


def benefit_text(data: Mapping[str, Any], locale: str | None = None) -> str:
    """Write a stored benefit in words: its kind, description and amount or formula with its cap."""
    zh = is_zh(locale)
    lang = "zh" if zh else "en"
    benefit = cat.parse_benefit(data, "benefit")
    kind_zh, kind_en = cat.BENEFIT_KIND_LABELS[benefit.kind]
    parts = [kind_zh if zh else kind_en]
    description = benefit.description_zh if zh else benefit.description_en
    if description:
        parts.append(description)
    if benefit.fixed is not None:
        parts.append(format_money(benefit.fixed, lang))
    elif benefit.base is not None and benefit.rate is not None:
        rate = f"{plain(benefit.rate * 100)}%" if benefit.rate < 1 else plain(benefit.rate)
        formula = f"{FACTS[benefit.base].label(lang)} × {rate}"
        if benefit.cap is not None:
            cap = format_money(benefit.cap, lang)
            formula += f"，最高{cap}" if zh else f", up to {cap}"
        parts.append(formula)
    return ("：" if zh else ": ").join(parts[:2]) + (
        "".join(f"（{p}）" for p in parts[2:]) if zh else "".join(f" ({p})" for p in parts[2:])
    )


def outcome_label(outcome: str, locale: str | None = None) -> str:
    """Name an outcome in the current language."""
    zh, en = OUTCOME_LABELS[Outcome(outcome)]
    return zh if is_zh(locale) else en


def current_version(row: Policy, on: dt.date | None = None) -> PolicyVersion | None:
    """The version in force on a date (today by default), else the latest."""
    day = on or dt.date.today()
    for version in row.versions:
        if version.valid_from <= day and (version.valid_to is None or day <= version.valid_to):
            return version
    return row.versions[-1] if row.versions else None


def run_policy_tests(row: Policy) -> list[CaseResult]:
    """Run the test cases stored with every version of a policy."""
    return run_tests([parse_policy(row)])


def import_policy(
    db: Session, *, policy: cat.Policy, package: PolicyPackage | None, district: str | None = None
) -> Policy:
    """Write an engine Policy as rows: the policy and each version, with its test cases kept by the version
    in force on the case's date (so each version carries the cases that speak of it)."""
    own = {id(t) for v in policy.versions for t in v.tests}
    by_version: dict[int, list[dict[str, Any]]] = {
        v.version: [t.to_data() for t in v.tests] for v in policy.versions
    }
    for case in policy.tests:
        if id(case) in own:
            continue
        version = policy.version_on(case.on) or policy.versions[-1]
        by_version[version.version].append(case.to_data())
    latest = policy.versions[-1]
    row = Policy(
        slug=policy.id,
        package=package,
        name_zh=policy.name_zh,
        name_en=policy.name_en,
        issuer_zh=policy.issuer_zh or None,
        issuer_en=policy.issuer_en or None,
        benefit_kind=latest.benefit.kind.value,
        district=district,
        provenance=policy.provenance,
    )
    for v in policy.versions:
        data = v.to_data()
        row.versions.append(
            PolicyVersion(
                version=v.version,
                valid_from=v.valid_from,
                valid_to=v.valid_to,
                clauses_zh=v.clause_zh or None,
                clauses_en=v.clause_en or None,
                rule=data["rule"],
                benefit=data["benefit"],
                test_cases=by_version[v.version],
            )
        )
    db.add(row)
    return row
