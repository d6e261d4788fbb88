"""Policies in the database: rows to engine objects, authoring new versions, evaluating organisations, 政策找企业.

The rules engine (`rules.py`, `evaluator.py`, `catalogue.py`) works on plain objects; this module loads them
from the rows, writes new versions only after their rule, benefit and test cases have been checked, keeps
eligibility decisions for the record, and exports the enterprises a policy fits. Services flush; the caller's
unit of work commits.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, ErrorDetail, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.permissions import require
from duijie.directory.models import Organisation
from duijie.policies import catalogue as cat
from duijie.policies.evaluator import (
    OUTCOME_LABELS,
    CaseResult,
    Decision,
    Match,
    Outcome,
    PackageResult,
    match_enterprises,
    rank_packages,
    run_tests,
)
from duijie.policies.facts import (
    DISTRICTS,
    FACTS,
    FLAGS,
    INDUSTRIES,
    PARKS,
    FactDef,
    FactType,
    format_money,
    parse_money,
    parse_ratio,
    parse_value,
    plain,
)
from duijie.policies.models import EligibilityDecision, Policy, PolicyPackage, PolicyVersion
from duijie.policies.permissions import (
    can_author_policies,
    can_edit_policy,
    can_match_enterprises,
    can_see_decisions,
)
from duijie.policies.rules import check_rule, parse_rule, render_rule, rule_to_data

# The pseudo-package that holds policies authored without a package, so the self-check still shows them.
UNPACKAGED = "unpackaged"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}$")


# ---------------------------------------------------------------- rows -> engine objects


def _version_data(row: PolicyVersion) -> dict[str, Any]:
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
        "versions": list(versions) if versions is not None else [_version_data(v) for v in row.versions],
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


# ---------------------------------------------------------------- organisations' facts


def _clean(fact: FactDef, raw: Any) -> Any | None:
    """Keep a stored value only if it is valid for its fact, as JSON-able data."""
    try:
        value = parse_value(fact, raw)
    except ValueError:
        return None
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def canonical_facts(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Facts as stored on a profile: JSON-able (amounts in 元 as text, dates in ISO), a `flags` list spelled
    out as one yes/no per flag, unknown or invalid values dropped."""
    facts: dict[str, Any] = {}
    flags = raw.get("flags")
    if isinstance(flags, list | tuple | set | frozenset):
        for flag in FLAGS:
            facts[flag] = flag in flags
    for name, value in raw.items():
        fact = FACTS.get(name)
        if fact is None or value is None:
            continue
        cleaned = _clean(fact, value)
        if cleaned is not None:
            facts[name] = cleaned
    return facts


def organisation_facts(org: Organisation) -> dict[str, Any]:
    """The facts an evaluation reads for an organisation: its profile (district, park, industries, flags) under
    the facts it stated; values outside the vocabulary are left out rather than failing the whole evaluation."""
    raw: dict[str, Any] = {}
    if org.district in DISTRICTS:
        raw["registered_district"] = org.district
    if org.park in PARKS:
        raw["park"] = org.park
    industries = [i for i in org.industries or [] if i in INDUSTRIES]
    if industries:
        raw["industries"] = industries
    profile_flags = set(org.flags or [])
    for flag in FLAGS:
        raw[flag] = flag in profile_flags
    stated = dict(org.facts or {})
    for flag in stated.pop("flags", None) or []:
        if flag in FLAGS:
            raw[flag] = True
    raw.update(stated)
    facts: dict[str, Any] = {}
    for name, value in raw.items():
        fact = FACTS.get(name)
        if fact is None or value is None:
            continue
        cleaned = _clean(fact, value)
        if cleaned is not None:
            facts[name] = cleaned
    return facts


def _l(message: str) -> str:
    """Mark a message for translation where it is defined; it is translated where it is shown."""
    return message


FACT_HINTS = {
    FactType.MONEY: _l("Write an amount such as 2亿元, 500万元 or 1200000."),
    FactType.RATIO: _l("Write a ratio such as 5% or 0.05."),
    FactType.INT: _l("Write a whole number that is not negative."),
    FactType.NUMBER: _l("Write a number that is not negative."),
    FactType.DATE: _l("Write a date as YYYY-MM-DD."),
    FactType.BOOL: _l("Choose yes or no."),
    FactType.ENUM: _l("Choose one of the listed values."),
    FactType.SET: _l("Choose among the listed values."),
}


def facts_from_form(
    form: Mapping[str, Any], industries: Sequence[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Read the self-check form: each filled fact checked on its own, errors by field, blanks left missing."""
    facts: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, fact in FACTS.items():
        if fact.type == FactType.SET:
            if industries:
                raw: Any = list(industries)
            else:
                continue
        else:
            raw = str(form.get(name) or "").strip()
            if raw == "":
                continue
            if fact.type == FactType.BOOL:
                raw = raw == "yes"
        cleaned = _clean(fact, raw)
        if cleaned is None:
            errors[name] = _(FACT_HINTS[fact.type])
            continue
        facts[name] = cleaned
    return facts, errors


def form_values(facts: Mapping[str, Any]) -> dict[str, str]:
    """Write facts as the self-check form shows them: amounts in 亿元/万元, ratios in %, yes/no."""
    values: dict[str, str] = {}
    for name, value in facts.items():
        fact = FACTS.get(name)
        if fact is None:
            continue
        if fact.type == FactType.MONEY:
            values[name] = format_money(Decimal(str(value)), "zh")
        elif fact.type == FactType.RATIO:
            values[name] = f"{plain(Decimal(str(value)) * 100)}%"
        elif fact.type == FactType.BOOL:
            values[name] = "yes" if value else "no"
        elif fact.type != FactType.SET:
            values[name] = str(value)
    return values


def get_organisation(db: Session, *, ref: str | int) -> Organisation:
    """An organisation by id or slug."""
    text = str(ref).strip()
    org = db.get(Organisation, int(text)) if text.isdigit() else None
    if org is None:
        org = db.scalar(select(Organisation).where(Organisation.slug == text))
    if org is None:
        raise NotFound(_("No such organisation: %(ref)s") % {"ref": text}, field="organisation")
    return org


def own_organisation(db: Session, actor: Actor) -> Organisation | None:
    """The enterprise an enterprise account acts for, if any."""
    ids = sorted(actor.organisations("enterprise"))
    return db.get(Organisation, ids[0]) if ids else None


def package_choices(db: Session) -> list[PolicyPackage]:
    """The packages a policy can be filed under, for the authoring form."""
    return list(db.scalars(select(PolicyPackage).order_by(PolicyPackage.slug)))


def organisations_with_facts(db: Session) -> list[Organisation]:
    """Enterprises that stated facts of their own, for the organiser's picker."""
    orgs = db.scalars(
        select(Organisation).where(Organisation.kind == "enterprise").order_by(Organisation.name_zh)
    )
    return [o for o in orgs if o.facts]


def save_facts(db: Session, *, actor: Actor, organisation: Organisation, facts: Mapping[str, Any]) -> None:
    """Store facts on an organisation's profile (the enterprise itself or the organiser), audited."""
    require(
        can_see_decisions,
        actor,
        organisation,
        message=_("Only the enterprise itself and the organiser may change its facts."),
    )
    new = dict(facts)
    old = dict(organisation.facts or {})
    if new != old:
        organisation.facts = new
        audit.record(
            db,
            actor=actor,
            entity_type="organisation",
            entity_id=organisation.id,
            action="facts",
            before=old,
            after=new,
        )
        db.flush()


# ---------------------------------------------------------------- evaluation


def evaluate_facts(db: Session, *, facts: Mapping[str, Any], on: dt.date) -> list[PackageResult]:
    """Rank every package for these facts by total estimated benefit."""
    return rank_packages(engine_packages(db), facts, on=on)


def _version_ids(db: Session) -> dict[tuple[str, int], int]:
    rows = db.execute(
        select(Policy.slug, PolicyVersion.version, PolicyVersion.id)
        .select_from(PolicyVersion)
        .join(Policy, PolicyVersion.policy_id == Policy.id)
    )
    return {(slug, number): vid for slug, number, vid in rows}


def evaluate_organisation(
    db: Session, *, actor: Actor, organisation: Organisation, on: dt.date, record: bool = True
) -> tuple[dict[str, Any], list[PackageResult]]:
    """Evaluate an organisation's own facts; keep one decision per policy version and date for the record."""
    require(
        can_see_decisions,
        actor,
        organisation,
        message=_("Only the enterprise itself and the organiser may see its eligibility decisions."),
    )
    facts = organisation_facts(organisation)
    results = evaluate_facts(db, facts=facts, on=on)
    if record:
        record_decisions(db, organisation=organisation, facts=facts, results=results, on=on)
    return facts, results


def record_decisions(
    db: Session,
    *,
    organisation: Organisation,
    facts: Mapping[str, Any],
    results: Sequence[PackageResult],
    on: dt.date,
) -> int:
    """Store the decisions (re-running on the same date replaces them rather than adding copies)."""
    ids = _version_ids(db)
    decisions = [d for r in results for d in r.decisions if d.version is not None]
    version_ids = [ids[(d.policy_id, d.version)] for d in decisions if (d.policy_id, d.version) in ids]  # type: ignore[index]
    if version_ids:
        db.execute(
            delete(EligibilityDecision).where(
                EligibilityDecision.organisation_id == organisation.id,
                EligibilityDecision.evaluated_on == on,
                EligibilityDecision.policy_version_id.in_(version_ids),
            )
        )
    stored = 0
    for decision in decisions:
        key = (decision.policy_id, decision.version)
        if key not in ids:
            continue
        db.add(
            EligibilityDecision(
                organisation_id=organisation.id,
                policy_version_id=ids[key],  # type: ignore[index]
                evaluated_on=on,
                outcome=decision.outcome.value,
                explanation=decision.to_dict(),
                facts=dict(facts),
            )
        )
        stored += 1
    db.flush()
    return stored


@dataclass(frozen=True)
class StoredDecision:
    """A kept decision with the policy and version it was made under."""

    row: EligibilityDecision
    policy: Policy
    version: PolicyVersion


def stored_decisions(db: Session, *, actor: Actor, organisation: Organisation) -> list[StoredDecision]:
    """The decisions kept for an organisation, newest date first; only for the enterprise and the organiser."""
    require(
        can_see_decisions,
        actor,
        organisation,
        message=_("Only the enterprise itself and the organiser may see its eligibility decisions."),
    )
    rows = db.execute(
        select(EligibilityDecision, PolicyVersion, Policy)
        .join(PolicyVersion, EligibilityDecision.policy_version_id == PolicyVersion.id)
        .join(Policy, PolicyVersion.policy_id == Policy.id)
        .where(EligibilityDecision.organisation_id == organisation.id)
        .order_by(EligibilityDecision.evaluated_on.desc(), Policy.slug)
    )
    return [StoredDecision(d, p, v) for d, v, p in rows]


# ---------------------------------------------------------------- 政策找企业


@dataclass(frozen=True)
class EnterpriseMatch:
    """An enterprise a policy fits (or may fit once it states the missing facts)."""

    organisation: Organisation
    decision: Decision
    district: str | None = None
    listed: str | None = None
    affinity: float | None = None
    parts: tuple[Any, ...] = ()

    @property
    def list_name(self) -> str:
        """Which list the enterprise is in: `eligible`, or `outreach` (close to the policy, facts missing)."""
        if self.listed is not None:
            return self.listed
        return "eligible" if self.decision.outcome == Outcome.ELIGIBLE else "outreach"

    @property
    def amount(self) -> Decimal | None:
        """The estimated benefit in 元, when it can be computed."""
        benefit = self.decision.benefit
        return None if benefit is None else benefit.amount


def match_organisations(
    db: Session, *, actor: Actor, policy: Policy, on: dt.date, include_undetermined: bool = False
) -> list[EnterpriseMatch]:
    """Which enterprises qualify for a policy (政策找企业): most benefit first, then those missing facts."""
    require(
        can_match_enterprises,
        actor,
        policy,
        message=_("Only the organiser may search enterprises for a policy."),
    )
    orgs = {str(o.id): o for o in db.scalars(select(Organisation).where(Organisation.kind == "enterprise"))}
    facts = {oid: organisation_facts(o) for oid, o in orgs.items()}
    found: list[Match] = match_enterprises(
        parse_policy(policy), facts, on=on, include_undetermined=include_undetermined
    )
    return [
        EnterpriseMatch(orgs[m.enterprise_id], m.decision, facts[m.enterprise_id].get("registered_district"))
        for m in found
    ]


def list_label(name: str) -> str:
    """Name an export list in the current language."""
    labels = {
        "eligible": _("Eligible on the facts given"),
        "outreach": _("May fit, facts missing: reach out"),
    }
    return labels.get(name, name)


def export_rows(matches: Sequence[EnterpriseMatch]) -> tuple[list[str], list[list[Any]]]:
    """The export's header (in the current language) and one row per enterprise; the last columns say which
    list it is in and, for enterprises to approach, how close they are to the policy and why."""
    zh = is_zh()
    header = [
        _("Enterprise"),
        _("Identifier"),
        _("District"),
        _("Outcome"),
        _("Estimated benefit (yuan)"),
        _("Missing facts"),
        _("Reasons"),
        _("List"),
        _("Affinity"),
        _("Why it may fit"),
    ]
    rows: list[list[Any]] = []
    for m in matches:
        d = m.decision
        org = m.organisation
        rows.append(
            [
                org.name_zh if zh else (org.name_en or org.name_zh),
                org.slug,
                m.district or "",
                outcome_label(d.outcome.value),
                None if m.amount is None else m.amount,
                ("、" if zh else ", ").join(FACTS[f].label("zh" if zh else "en") for f in d.missing_facts),
                ("；" if zh else "; ").join(r.text_zh if zh else r.text_en for r in d.reasons),
                list_label(m.list_name),
                None if m.affinity is None else round(m.affinity, 2),
                ("；" if zh else "; ").join(p.zh if zh else p.en for p in m.parts),
            ]
        )
    return header, rows


def export_csv(matches: Sequence[EnterpriseMatch]) -> bytes:
    """The match list as CSV with a byte-order mark, so Excel opens the Chinese text correctly."""
    header, rows = export_rows(matches)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else (plain(v) if isinstance(v, Decimal) else v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(matches: Sequence[EnterpriseMatch], *, title: str) -> bytes:
    """The match list as an Excel workbook: amounts as numbers in 元, the header frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = export_rows(matches)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31] or "policy"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        sheet.cell(row=sheet.max_row, column=5).number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJ", (34, 24, 16, 12, 18, 28, 80, 22, 10, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- authoring


@dataclass
class PolicyDraft:
    """The authoring form's values as typed by the author (rule and test cases as YAML or JSON text)."""

    slug: str = ""
    name_zh: str = ""
    name_en: str = ""
    issuer_zh: str = ""
    issuer_en: str = ""
    package: str = ""
    district: str = ""
    valid_from: str = ""
    valid_to: str = ""
    clauses_zh: str = ""
    clauses_en: str = ""
    rule: str = ""
    benefit_kind: str = "subsidy"
    benefit_amount: str = ""
    benefit_fact: str = ""
    benefit_rate: str = ""
    benefit_cap: str = ""
    benefit_description_zh: str = ""
    benefit_description_en: str = ""
    tests: str = ""

    FIELDS = (
        "slug",
        "name_zh",
        "name_en",
        "issuer_zh",
        "issuer_en",
        "package",
        "district",
        "valid_from",
        "valid_to",
        "clauses_zh",
        "clauses_en",
        "rule",
        "benefit_kind",
        "benefit_amount",
        "benefit_fact",
        "benefit_rate",
        "benefit_cap",
        "benefit_description_zh",
        "benefit_description_en",
        "tests",
    )

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> PolicyDraft:
        """Read the draft from a submitted form (or JSON object with the same names)."""
        values = {}
        for name in cls.FIELDS:
            raw = form.get(name)
            if raw is None:
                continue
            values[name] = raw if isinstance(raw, str) else _dump(raw)
        return cls(**values)

    @classmethod
    def from_row(cls, row: Policy) -> PolicyDraft:
        """Prefill the form from a policy's latest version."""
        version = row.versions[-1]
        benefit = version.benefit or {}
        formula = benefit.get("formula") or {}
        return cls(
            slug=row.slug,
            name_zh=row.name_zh,
            name_en=row.name_en or "",
            issuer_zh=row.issuer_zh or "",
            issuer_en=row.issuer_en or "",
            package=row.package.slug if row.package else "",
            district=row.district or "",
            valid_from=version.valid_from.isoformat(),
            valid_to=version.valid_to.isoformat() if version.valid_to else "",
            clauses_zh=version.clauses_zh or "",
            clauses_en=version.clauses_en or "",
            rule=_dump(version.rule),
            benefit_kind=str(benefit.get("kind", "subsidy")),
            benefit_amount=_money_text(benefit.get("amount")),
            benefit_fact=str(formula.get("fact", "")),
            benefit_rate=_rate_text(formula.get("rate")),
            benefit_cap=_money_text(formula.get("cap")),
            benefit_description_zh=str(benefit.get("description_zh", "")),
            benefit_description_en=str(benefit.get("description_en", "")),
            tests=_dump(version.test_cases) if version.test_cases else "",
        )


def _dump(data: Any) -> str:
    """Write data as readable YAML (block style, Chinese kept as is)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)


def _money_text(value: Any) -> str:
    if value in (None, ""):
        return ""
    return format_money(parse_money(value), "zh")


def _rate_text(value: Any) -> str:
    if value in (None, ""):
        return ""
    rate = parse_ratio(value)
    return f"{plain(rate * 100)}%" if rate < 1 else plain(rate)


@dataclass
class DraftCheck:
    """What the checks found in a draft: errors by field, the rule in words, and the test case results."""

    errors: list[ErrorDetail] = field(default_factory=list)
    rule_zh: str = ""
    rule_en: str = ""
    cases: list[CaseResult] = field(default_factory=list)
    rule: Any = None
    benefit: cat.Benefit | None = None
    tests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing stands in the way of saving."""
        return not self.errors

    def add(self, field_name: str, message: str) -> None:
        """Note an error against a form field (a dotted path for errors inside the rule)."""
        self.errors.append(ErrorDetail(message=message, field=field_name))

    def by_field(self) -> dict[str, list[str]]:
        """Group the messages by the form field they belong to (`rule.all[2].value` belongs to `rule`)."""
        grouped: dict[str, list[str]] = {}
        for error in self.errors:
            name = (error.field or "form").split(".", 1)[0].split("[", 1)[0]
            grouped.setdefault(name, []).append(error.message)
        return grouped

    def to_dict(self) -> dict[str, Any]:
        """Give the check as JSON-able data for the API."""
        return {
            "ok": self.ok,
            "errors": [e.as_dict() for e in self.errors],
            "rule_text": {"zh": self.rule_zh, "en": self.rule_en},
            "tests": [
                {
                    "name": c.name,
                    "on": c.on.isoformat(),
                    "expected": c.expected_outcome,
                    "outcome": c.outcome,
                    "expected_benefit": None if c.expected_benefit is None else plain(c.expected_benefit),
                    "benefit": None if c.benefit is None else plain(c.benefit),
                    "passed": c.passed,
                }
                for c in self.cases
            ],
        }


def _load_text(check: DraftCheck, name: str, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        check.add(
            name,
            _("Not valid YAML or JSON (line %(line)s): %(problem)s") % {"line": line, "problem": problem},
        )
        return None


def _parse_day(check: DraftCheck, name: str, text: str, *, required: bool) -> dt.date | None:
    text = text.strip()
    if not text:
        if required:
            check.add(name, _("Give the date from which this version applies (YYYY-MM-DD)."))
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        check.add(name, _("Write a date as YYYY-MM-DD."))
        return None


def check_rule_text(check: DraftCheck, text: str) -> None:
    """Check a rule written as YAML or JSON text, noting each error at its path and the rule in words."""
    example = _('Write the eligibility rule, e.g. {all: [{fact: revenue, op: ">=", value: 2亿元}]}.')
    if not text.strip():
        check.add("rule", example)
        return
    before = len(check.errors)
    data = _load_text(check, "rule", text)
    if data is None:
        if len(check.errors) == before:
            check.add("rule", example)
        return
    zh = is_zh()
    errors = check_rule(data)
    for err in errors:
        path = f"rule.{err.path}" if err.path else "rule"
        check.add(path, f"{err.path or 'rule'}: {err.message_zh if zh else err.message_en}")
    if not errors:
        rule = parse_rule(data)
        check.rule = rule_to_data(rule)
        check.rule_zh = render_rule(rule, "zh")
        check.rule_en = render_rule(rule, "en")


def _check_rule(check: DraftCheck, draft: PolicyDraft) -> None:
    check_rule_text(check, draft.rule)


def draft_from_data(
    *, rule: str, benefit: Mapping[str, Any], valid_from: dt.date, valid_to: dt.date | None, tests: Any
) -> PolicyDraft:
    """Build a draft from API data (a benefit object, test cases as a list or text) to check it as a form."""
    formula = benefit.get("formula") or {}
    if not isinstance(formula, Mapping):
        raise cat.PolicyError("benefit.formula: expected {fact, rate, cap}", field="benefit.formula")
    return PolicyDraft(
        valid_from=valid_from.isoformat(),
        valid_to=valid_to.isoformat() if valid_to else "",
        rule=rule,
        benefit_kind=str(benefit.get("kind", "")),
        benefit_amount=str(benefit.get("amount") or ""),
        benefit_fact=str(formula.get("fact") or ""),
        benefit_rate=str(formula.get("rate") or ""),
        benefit_cap=str(formula.get("cap") or ""),
        benefit_description_zh=str(benefit.get("description_zh") or ""),
        benefit_description_en=str(benefit.get("description_en") or ""),
        tests=tests if isinstance(tests, str) else (_dump(tests) if tests else ""),
    )


def _check_benefit(check: DraftCheck, draft: PolicyDraft) -> None:
    data: dict[str, Any] = {"kind": draft.benefit_kind.strip()}
    if data["kind"] not in {k.value for k in cat.BenefitKind}:
        check.add("benefit_kind", _("Choose what the enterprise receives."))
        return
    before = len(check.errors)
    amount = draft.benefit_amount.strip()
    fact = draft.benefit_fact.strip()
    if amount and fact:
        check.add("benefit_amount", _("Give either a fixed amount or a formula, not both."))
    if amount:
        try:
            value = parse_money(amount)
            if value < 0 or value != value.quantize(Decimal("0.01")):
                raise ValueError(amount)
            data["amount"] = plain(value)
        except ValueError:
            check.add("benefit_amount", _(FACT_HINTS[FactType.MONEY]))
    if fact:
        definition = FACTS.get(fact)
        if definition is None or definition.type not in (FactType.MONEY, FactType.NUMBER, FactType.INT):
            check.add("benefit_fact", _("Choose the amount or quantity the benefit is computed from."))
        formula: dict[str, Any] = {"fact": fact}
        try:
            rate = parse_ratio(draft.benefit_rate.strip())
            if rate <= 0:
                raise ValueError(rate)
            formula["rate"] = plain(rate)
        except ValueError:
            check.add(
                "benefit_rate", _("Write a positive rate such as 10% (or yuan per unit, such as 1095).")
            )
        cap = draft.benefit_cap.strip()
        if cap:
            try:
                formula["cap"] = plain(parse_money(cap))
            except ValueError:
                check.add("benefit_cap", _(FACT_HINTS[FactType.MONEY]))
        data["formula"] = formula
    elif draft.benefit_rate.strip() or draft.benefit_cap.strip():
        check.add("benefit_fact", _("Choose the amount or quantity the benefit is computed from."))
    for key in ("description_zh", "description_en"):
        text = getattr(draft, f"benefit_{key}").strip()
        if text:
            data[key] = text
    if len(check.errors) == before:
        try:
            check.benefit = cat.parse_benefit(data, "benefit")
        except cat.PolicyError as exc:
            check.add("benefit_kind", exc.message)


def _check_tests(check: DraftCheck, draft: PolicyDraft, default_on: dt.date | None) -> None:
    if not draft.tests.strip():
        return
    data = _load_text(check, "tests", draft.tests)
    if data is None:
        return
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list):
        check.add(
            "tests", _("Write the test cases as a list: name, on, facts and expect (outcome, benefit).")
        )
        return
    on = default_on or dt.date.today()
    for i, item in enumerate(data):
        try:
            case = cat.parse_test_case(item, f"tests[{i}]", on)
        except cat.PolicyError as exc:
            check.add(f"tests[{i}]", _("Test case %(n)s: %(message)s") % {"n": i + 1, "message": exc.message})
            continue
        check.tests.append(case.to_data())


def check_draft(db: Session, draft: PolicyDraft, *, policy: Policy | None = None) -> DraftCheck:
    """Check every part of a draft and run its test cases (with those of the policy's earlier versions)."""
    check = DraftCheck()
    _check_rule(check, draft)
    _check_benefit(check, draft)
    valid_from = _parse_day(check, "valid_from", draft.valid_from, required=True)
    valid_to = _parse_day(check, "valid_to", draft.valid_to, required=False)
    if valid_from and valid_to and valid_to < valid_from:
        check.add("valid_to", _("The version cannot end before it starts."))
    _check_tests(check, draft, valid_from)
    if check.errors or check.benefit is None or valid_from is None:
        return check
    versions = _planned_versions(check, policy, draft, valid_from, valid_to)
    if check.errors:
        return check
    data = {
        "id": policy.slug if policy is not None else (draft.slug.strip() or "draft"),
        "name_zh": draft.name_zh.strip() or "draft",
        "name_en": draft.name_en.strip() or draft.name_zh.strip() or "draft",
        "versions": versions,
    }
    try:
        engine_policy = cat.parse_policy(data, "policy")
    except cat.PolicyError as exc:
        check.add("valid_from", exc.message)
        return check
    check.cases = run_tests([engine_policy])
    for case in check.cases:
        if not case.passed:
            got = outcome_label(case.outcome)
            if case.benefit is not None:
                got += f" {format_money(case.benefit, 'zh' if is_zh() else 'en')}"
            wanted = outcome_label(case.expected_outcome)
            if case.expected_benefit is not None:
                wanted += f" {format_money(case.expected_benefit, 'zh' if is_zh() else 'en')}"
            check.add(
                "tests",
                _("Test case “%(name)s” (%(on)s) expects %(expected)s but gives %(got)s.")
                % {"name": case.name, "on": case.on.isoformat(), "expected": wanted, "got": got},
            )
    return check


def _new_version_data(
    check: DraftCheck, draft: PolicyDraft, number: int, start: dt.date, end: dt.date | None
) -> dict[str, Any]:
    assert check.benefit is not None
    return {
        "version": number,
        "valid_from": start.isoformat(),
        "valid_to": None if end is None else end.isoformat(),
        "clause_zh": draft.clauses_zh.strip(),
        "clause_en": draft.clauses_en.strip(),
        "rule": check.rule,
        "benefit": check.benefit.to_data(),
        "tests": check.tests,
    }


def _same_content(row: PolicyVersion, new: Mapping[str, Any]) -> bool:
    old = _version_data(row)
    keys = ("valid_from", "valid_to", "clause_zh", "clause_en", "tests")
    if any(old[k] != new[k] for k in keys):
        return False
    return (
        rule_to_data(parse_rule(old["rule"])) == new["rule"]
        and cat.parse_benefit(old["benefit"], "benefit").to_data() == new["benefit"]
    )


def _fresh_tests(policy: Policy, tests: Sequence[Mapping[str, Any]]) -> list[Any]:
    """The cases a new version brings: those already kept with an earlier version stay there only once."""
    kept = [t for v in policy.versions for t in v.test_cases or []]
    return [t for t in tests if t not in kept]


def _planned_versions(
    check: DraftCheck, policy: Policy | None, draft: PolicyDraft, start: dt.date, end: dt.date | None
) -> list[dict[str, Any]]:
    """The policy's versions as they will be after saving: earlier ones kept (the one running on closed the
    day before the new one starts), the new one appended; an unchanged draft keeps the versions as they are."""
    if policy is None or not policy.versions:
        return [_new_version_data(check, draft, 1, start, end)]
    latest = policy.versions[-1]
    new = _new_version_data(check, draft, latest.version + 1, start, end)
    if _same_content(latest, new):
        return [_version_data(v) for v in policy.versions]
    new["tests"] = _fresh_tests(policy, new["tests"])
    if start <= latest.valid_from:
        check.add(
            "valid_from",
            _("A new version must start after the current one (version %(n)s, from %(date)s).")
            % {"n": latest.version, "date": latest.valid_from.isoformat()},
        )
        return []
    kept = [_version_data(v) for v in policy.versions]
    if latest.valid_to is None or latest.valid_to >= start:
        kept[-1]["valid_to"] = (start - dt.timedelta(days=1)).isoformat()
    return [*kept, new]


def save_draft(
    db: Session, *, actor: Actor, draft: PolicyDraft, policy: Policy | None = None
) -> tuple[Policy, DraftCheck]:
    """Create a policy or give it a new version, refusing (DomainError with every error by field) a draft whose
    rule, benefit, dates or test cases do not hold; versions are never rewritten, only closed."""
    if policy is None:
        require(
            can_author_policies,
            actor,
            None,
            message=_("Only the organiser and district governments author policies."),
        )
    else:
        require(
            can_edit_policy, actor, policy, message=_("You may only edit the policies of your own district.")
        )
    check = check_draft(db, draft, policy=policy)
    _check_metadata(db, check, actor, draft, policy)
    if check.errors:
        first = check.errors[0]
        raise _DraftRefused(first.message, field=first.field, details=check.errors, check=check)
    package = (
        db.scalar(select(PolicyPackage).where(PolicyPackage.slug == draft.package)) if draft.package else None
    )
    district = draft.district.strip() or None
    if not actor.has_role("organiser"):
        district = district or sorted(actor.districts())[0]
    meta = {
        "name_zh": draft.name_zh.strip(),
        "name_en": draft.name_en.strip() or None,
        "issuer_zh": draft.issuer_zh.strip() or None,
        "issuer_en": draft.issuer_en.strip() or None,
        "package_id": package.id if package else None,
        "district": district,
        "benefit_kind": check.benefit.kind.value if check.benefit else "subsidy",
    }
    start = dt.date.fromisoformat(draft.valid_from.strip())
    end = dt.date.fromisoformat(draft.valid_to.strip()) if draft.valid_to.strip() else None
    if policy is None:
        policy = Policy(slug=draft.slug.strip(), provenance="manual", **meta)
        db.add(policy)
        db.flush()
        _append_version(db, actor, policy, _new_version_data(check, draft, 1, start, end))
        audit.record(db, actor=actor, entity_type="policy", entity_id=policy.id, action="create", after=meta)
        db.flush()
        return policy, check
    before, after = audit.diff(policy, meta)
    for key, value in meta.items():
        setattr(policy, key, value)
    latest = policy.versions[-1]
    new = _new_version_data(check, draft, latest.version + 1, start, end)
    if not _same_content(latest, new):
        new["tests"] = _fresh_tests(policy, new["tests"])
        if latest.valid_to is None or latest.valid_to >= start:
            after["closed_version"] = {"version": latest.version, "valid_to": start - dt.timedelta(days=1)}
            before["closed_version"] = {"version": latest.version, "valid_to": latest.valid_to}
            latest.valid_to = start - dt.timedelta(days=1)
        _append_version(db, actor, policy, new)
        after["new_version"] = new["version"]
    if after:
        audit.record(
            db,
            actor=actor,
            entity_type="policy",
            entity_id=policy.id,
            action="update",
            before=before,
            after=after,
        )
    db.flush()
    return policy, check


def _append_version(db: Session, actor: Actor, policy: Policy, data: Mapping[str, Any]) -> PolicyVersion:
    version = PolicyVersion(
        version=int(data["version"]),
        valid_from=dt.date.fromisoformat(data["valid_from"]),
        valid_to=None if data["valid_to"] is None else dt.date.fromisoformat(data["valid_to"]),
        clauses_zh=data["clause_zh"] or None,
        clauses_en=data["clause_en"] or None,
        rule=data["rule"],
        benefit=data["benefit"],
        test_cases=list(data["tests"]),
        created_by_id=actor.account_id,
    )
    policy.versions.append(version)
    db.flush()
    return version


def _check_metadata(
    db: Session, check: DraftCheck, actor: Actor, draft: PolicyDraft, policy: Policy | None
) -> None:
    if not draft.name_zh.strip():
        check.add("name_zh", _("Give the policy's name in Chinese."))
    if policy is None:
        slug = draft.slug.strip()
        if not SLUG_RE.match(slug):
            check.add("slug", _("Use 2 to 80 lower-case letters, digits and hyphens, e.g. hd-ai-compute."))
        elif db.scalar(select(Policy.id).where(Policy.slug == slug)) is not None:
            check.add("slug", _("Another policy already uses this identifier."))
    if (
        draft.package
        and db.scalar(select(PolicyPackage.id).where(PolicyPackage.slug == draft.package)) is None
    ):
        check.add("package", _("Choose one of the packages."))
    district = draft.district.strip()
    if district and district not in DISTRICTS:
        check.add("district", _("Choose one of the districts."))
    elif not actor.has_role("organiser") and district and district not in actor.districts():
        check.add("district", _("You may only author policies of your own district."))


class _DraftRefused(DomainError):
    """A draft that cannot be saved, carrying the full check so the form can show every error in place."""

    def __init__(self, message: str, *, field: str | None, details: list[ErrorDetail], check: DraftCheck):
        super().__init__(message, field=field, details=details)
        self.check = check


DraftRefused = _DraftRefused


# ---------------------------------------------------------------- loading a catalogue into rows


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


def facts_json(facts: Mapping[str, Any]) -> str:
    """Facts as compact JSON for display in the record."""
    return json.dumps(dict(facts), ensure_ascii=False, sort_keys=True)
