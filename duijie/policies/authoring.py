"""Authoring policies: the form's draft, every check a draft must pass before it is saved (rule, benefit, dates,
test cases run against the planned versions, identifier, package and district), and saving it as a new policy or
a new version. Versions are never rewritten, only closed the day before the next one starts; every save is
audited. Services flush; the caller's unit of work commits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, ErrorDetail
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.permissions import require
from duijie.policies import catalogue as cat
from duijie.policies.enterprise_facts import FACT_HINTS
from duijie.policies.evaluator import CaseResult, run_tests
from duijie.policies.facts import DISTRICTS, FACTS, FactType, format_money, parse_money, parse_ratio, plain
from duijie.policies.models import Policy, PolicyPackage, PolicyVersion
from duijie.policies.permissions import can_author_policies, can_edit_policy, can_file_city_wide
from duijie.policies.records import outcome_label, version_data
from duijie.policies.rule_form import rule_to_form
from duijie.policies.rules import (
    RuleError,
    check_document_text,
    check_rule,
    parse_rule,
    render_rule,
    rule_to_data,
)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}$")


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
    # The sound rule as the structured editor's rows read it (values as typed, in the reader's language).
    rule_form: Any = None
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
            "rule_form": self.rule_form,
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
        check_document_text(text)
    except RuleError as exc:
        check.add(name, exc.message)
        return None
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
        check.rule_form = rule_to_form(rule, "zh" if zh else "en")


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


def _newversion_data(
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
    old = version_data(row)
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
        return [_newversion_data(check, draft, 1, start, end)]
    latest = policy.versions[-1]
    new = _newversion_data(check, draft, latest.version + 1, start, end)
    if _same_content(latest, new):
        return [version_data(v) for v in policy.versions]
    new["tests"] = _fresh_tests(policy, new["tests"])
    if start <= latest.valid_from:
        check.add(
            "valid_from",
            _("A new version must start after the current one (version %(n)s, from %(date)s).")
            % {"n": latest.version, "date": latest.valid_from.isoformat()},
        )
        return []
    kept = [version_data(v) for v in policy.versions]
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
        raise DraftRefused(first.message, field=first.field, details=check.errors, check=check)
    package = (
        db.scalar(select(PolicyPackage).where(PolicyPackage.slug == draft.package)) if draft.package else None
    )
    district = draft.district.strip() or None
    if not can_file_city_wide(actor):
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
        _append_version(db, actor, policy, _newversion_data(check, draft, 1, start, end))
        audit.record(db, actor=actor, entity_type="policy", entity_id=policy.id, action="create", after=meta)
        db.flush()
        return policy, check
    before, after = audit.diff(policy, meta)
    for key, value in meta.items():
        setattr(policy, key, value)
    latest = policy.versions[-1]
    new = _newversion_data(check, draft, latest.version + 1, start, end)
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
    elif not can_file_city_wide(actor) and district and district not in actor.districts():
        check.add("district", _("You may only author policies of your own district."))


class DraftRefused(DomainError):
    """A draft that cannot be saved, carrying the full check so the form can show every error in place."""

    def __init__(self, message: str, *, field: str | None, details: list[ErrorDetail], check: DraftCheck):
        super().__init__(message, field=field, details=details)
        self.check = check

