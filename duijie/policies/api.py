"""`/api/v1/policies`: packages and policies, one policy with its versions, evaluation and rule validation."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.schemas import ErrorBody
from duijie.core.validation import Day, Id, Slug
from duijie.core.web import get_actor, get_db, require_login
from duijie.directory.models import Organisation
from duijie.policies import authoring, decisions, enterprise_facts, records, rules, suggest
from duijie.policies.catalogue import PolicyError
from duijie.policies.deps import SUGGESTIONS_REFUSAL, allowed, organisation_from_ref
from duijie.policies.facts import FactError, normalise_facts
from duijie.policies.models import Policy, PolicyVersion
from duijie.policies.permissions import can_see_suggestions

# Policy routes live under /api/v1/policies; an organisation's suggestions under /api/v1/organisations/{id},
# next to the organisation they describe, so the router carries full paths rather than one prefix.
PREFIX = "/api/v1/policies"
router = APIRouter(
    tags=["policies"],
    responses={403: {"model": ErrorBody}, 404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)


class VersionRead(BaseModel):
    """One dated version: its clauses, rule (as data and in words), benefit and test cases."""

    version: int
    valid_from: dt.date
    valid_to: dt.date | None
    clauses_zh: str | None
    clauses_en: str | None
    rule: dict[str, Any]
    rule_text_zh: str
    rule_text_en: str
    benefit: dict[str, Any]
    test_cases: list[Any]


class PolicySummary(BaseModel):
    """A policy as listed in its package."""

    slug: str
    name_zh: str
    name_en: str | None
    issuer_zh: str | None
    issuer_en: str | None
    benefit_kind: str
    district: str | None
    provenance: str
    package: str | None
    in_force_version: int | None


class PolicyRead(PolicySummary):
    """A policy with every version."""

    versions: list[VersionRead]


class PackageRead(BaseModel):
    """A policy service package and its policies."""

    slug: str
    name_zh: str
    name_en: str | None
    description_zh: str | None
    description_en: str | None
    event: str | None
    provenance: str
    policies: list[PolicySummary]


class PackageList(BaseModel):
    packages: list[PackageRead]


def _document(value: Any) -> Any:
    """A rule, facts or test cases as data or YAML/JSON text, refused (naming the field) when larger or deeper
    than a rule may be, before anything parses or walks it."""
    try:
        if isinstance(value, str):
            rules.check_document_text(value)
        else:
            rules.check_document(value)
    except rules.RuleError as exc:
        raise PydanticCustomError("rule_document", "{message}", {"message": exc.message}) from None
    return value


Document = Annotated[Any, AfterValidator(_document)]


class EvaluateIn(BaseModel):
    """Facts to evaluate, or the id (or slug) of an organisation whose stated facts are used and whose
    decisions are kept; `on` defaults to today."""

    facts: Annotated[dict[str, Any], AfterValidator(_document)] | None = Field(
        None, examples=[{"revenue": "2.4亿元", "rd_spend": "1400万元", "flags": ["high_tech"]}]
    )
    organisation_id: Id | Slug | None = None
    on: Day | None = None


class ValidateIn(BaseModel):
    """A draft to check as at save time: the rule (data, or YAML/JSON text), and optionally the benefit,
    the dates and test cases, which are then run. Each is at most 64 KB and 20 levels deep."""

    rule: Document = Field(..., examples=[{"all": [{"fact": "revenue", "op": ">=", "value": "2亿元"}]}])
    benefit: Annotated[dict[str, Any], AfterValidator(_document)] | None = Field(
        None, examples=[{"kind": "subsidy", "amount": "100万元"}]
    )
    valid_from: Day | None = None
    valid_to: Day | None = None
    tests: Document = None


def _summary(row: Policy, today: dt.date) -> dict[str, Any]:
    version = records.current_version(row, today)
    in_force = version if version and version.valid_from <= today else None
    if in_force is not None and in_force.valid_to is not None and in_force.valid_to < today:
        in_force = None
    return {
        "slug": row.slug,
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "issuer_zh": row.issuer_zh,
        "issuer_en": row.issuer_en,
        "benefit_kind": row.benefit_kind,
        "district": row.district,
        "provenance": row.provenance,
        "package": row.package.slug if row.package is not None else None,
        "in_force_version": in_force.version if in_force is not None else None,
    }


def _version(row: PolicyVersion) -> VersionRead:
    return VersionRead(
        version=row.version,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        clauses_zh=row.clauses_zh,
        clauses_en=row.clauses_en,
        rule=row.rule,
        rule_text_zh=records.rule_text(row.rule, "zh_CN"),
        rule_text_en=records.rule_text(row.rule, "en"),
        benefit=row.benefit,
        test_cases=list(row.test_cases or []),
    )


@router.get(PREFIX, response_model=PackageList)
def list_policies(db: Session = Depends(get_db)) -> PackageList:
    """Every package with its policies (and the version in force today)."""
    today = dt.date.today()
    packages = [
        PackageRead(
            slug=p.slug,
            name_zh=p.name_zh,
            name_en=p.name_en,
            description_zh=p.description_zh,
            description_en=p.description_en,
            event=p.event.slug if p.event is not None else None,
            provenance=p.provenance,
            policies=[PolicySummary(**_summary(q, today)) for q in p.policies],
        )
        for p in records.list_packages(db)
    ]
    loose = records.list_unpackaged(db)
    if loose:
        packages.append(
            PackageRead(
                slug=records.UNPACKAGED,
                name_zh="其他政策",
                name_en="Other policies",
                description_zh=None,
                description_en=None,
                event=None,
                provenance="manual",
                policies=[PolicySummary(**_summary(q, today)) for q in loose],
            )
        )
    return PackageList(packages=packages)


@router.get(PREFIX + "/{slug}", response_model=PolicyRead)
def get_policy(slug: str, db: Session = Depends(get_db)) -> PolicyRead:
    """One policy with every dated version, its rule in words and its test cases."""
    row = records.get_policy(db, slug=slug)
    return PolicyRead(**_summary(row, dt.date.today()), versions=[_version(v) for v in row.versions])


@router.post(PREFIX + "/evaluate")
def evaluate(
    data: EvaluateIn, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> dict[str, Any]:
    """Packages ranked by total estimated benefit, each policy eligible / not eligible / undetermined with a
    reason per condition and what would change it. With `organisation_id` (the enterprise itself or the
    organiser), its stated facts are used and the decisions are kept for the record; an anonymous caller naming
    an organisation is asked to log in (401), as on the self-check page. Facts alone are evaluated for anyone."""
    on = data.on or dt.date.today()
    if (data.facts is None) == (data.organisation_id is None):
        raise DomainError(_("Give either facts or organisation_id."), field="facts")
    if data.organisation_id is not None:
        require_login(request)
        org = enterprise_facts.get_organisation(db, ref=data.organisation_id)
        facts, results = decisions.evaluate_organisation(db, actor=actor, organisation=org, on=on)
        organisation: int | None = org.id
    else:
        assert data.facts is not None
        try:
            normalise_facts(data.facts)
        except FactError as exc:
            raise DomainError(exc.message, field=exc.field) from exc
        facts = data.facts
        results = decisions.evaluate_facts(db, facts=facts, on=on)
        organisation = None
    return {
        "on": on.isoformat(),
        "organisation": organisation,
        "facts": json.loads(json.dumps(facts, default=str)),
        "packages": [r.to_dict() for r in results],
    }


@router.post(PREFIX + "/validate")
def validate(data: ValidateIn, db: Session = Depends(get_db)) -> dict[str, Any]:
    """Check a rule as it would be checked when saved, each error pointing at its path (e.g. `rule.all[2].value`);
    with a benefit and dates, the test cases are run too."""
    rule = data.rule if isinstance(data.rule, str) else json.dumps(data.rule, ensure_ascii=False)
    if data.benefit is None:
        check = authoring.DraftCheck()
        authoring.check_rule_text(check, rule)
        return check.to_dict()
    try:
        draft = authoring.draft_from_data(
            rule=rule,
            benefit=data.benefit,
            valid_from=data.valid_from or dt.date.today(),
            valid_to=data.valid_to,
            tests=data.tests,
        )
    except PolicyError as exc:
        raise DomainError(exc.message, field=exc.field) from exc
    return authoring.check_draft(db, draft).to_dict()


class PartOut(BaseModel):
    """One named part of the affinity, in words."""

    name: str
    value: float
    weight: float
    contribution: float
    zh: str
    en: str
    good: bool


class SuggestionOut(BaseModel):
    """A policy that may apply: the rules' outcome on the enterprise's facts and the engine's affinity."""

    policy: str
    name_zh: str
    name_en: str | None
    package: str | None
    tier: str = Field(..., description="`eligible` on the facts given, or `maybe` while facts are missing")
    outcome: str
    version: int | None
    affinity: float
    benefit: dict[str, Any] | None
    missing_facts: list[str]
    parts: list[PartOut]
    rule_reasons: list[dict[str, Any]]


class SuggestionList(BaseModel):
    """An enterprise's policy suggestions on a date, eligible ones first."""

    organisation: int
    slug: str
    on: dt.date
    suggestions: list[SuggestionOut]


@router.get("/api/v1/organisations/{ref}/policy-suggestions", response_model=SuggestionList)
def policy_suggestions(
    on: dt.date | None = None,
    limit: int = Query(8, ge=1, le=100),
    actor: Actor = Depends(allowed(can_see_suggestions, SUGGESTIONS_REFUSAL, on=organisation_from_ref)),
    org: Organisation = Depends(organisation_from_ref),
    db: Session = Depends(get_db),
) -> SuggestionList:
    """The policies that may apply to an enterprise (by id or slug): eligible on its facts first, by estimated
    benefit, then those its facts cannot decide yet, closest first; each with the affinity's named parts in
    words and the rules' reasons. For the organiser, the enterprise's district and the enterprise itself."""
    day = on or dt.date.today()
    items = suggest.suggestions_for(db, actor=actor, organisation=org, on=day, limit=limit)
    return SuggestionList(
        organisation=org.id,
        slug=org.slug,
        on=day,
        suggestions=[SuggestionOut(**item.to_dict()) for item in items],
    )
