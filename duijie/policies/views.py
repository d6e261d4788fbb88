"""Policy pages: packages, a policy with its versions, the self-check, 政策找企业 with exports, and authoring."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.core.web import check_csrf, get_actor, get_db, render
from duijie.directory.models import Organisation
from duijie.policies import service as policy_service
from duijie.policies import suggest
from duijie.policies.catalogue import BENEFIT_KIND_LABELS, BenefitKind
from duijie.policies.facts import DISTRICTS, FACTS, INDUSTRIES, PARKS, FactType, choice_label
from duijie.policies.models import Policy
from duijie.policies.permissions import (
    can_author_policies,
    can_edit_policy,
    can_match_enterprises,
    can_see_decisions,
)

router = APIRouter(include_in_schema=False)

PROFILE_FACTS = ("registered_district", "park", "founded_on")
FIGURE_TYPES = (FactType.MONEY, FactType.RATIO, FactType.INT, FactType.NUMBER)


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _day(raw: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return dt.date.today()


def _fact_groups() -> dict[str, Any]:
    return {
        "profile": [FACTS[n] for n in PROFILE_FACTS],
        "figures": [f for f in FACTS.values() if f.type in FIGURE_TYPES],
        "flags": [f for f in FACTS.values() if f.type == FactType.BOOL],
        "industries": INDUSTRIES,
    }


def _labels() -> dict[str, Any]:
    return {
        "benefit_kinds": [(k.value, BENEFIT_KIND_LABELS[k]) for k in BenefitKind],
        "kind_label": policy_service.benefit_kind_label,
        "outcome_label": policy_service.outcome_label,
        "choice_label": choice_label,
        "rule_text": policy_service.rule_text,
        "benefit_text": policy_service.benefit_text,
    }


# ---------------------------------------------------------------- reading


@router.get("/policies")
def package_list(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    packages = policy_service.list_packages(db)
    return render(
        request,
        "policies/list.html",
        {
            "packages": packages,
            "loose": policy_service.list_unpackaged(db),
            "policy_count": sum(len(p.policies) for p in packages),
            "can_author": can_author_policies(actor),
            "can_suggest": actor.has_role("organiser")
            or bool(actor.districts())
            or bool(actor.organisations("enterprise")),
            **_labels(),
        },
    )


@router.get("/policies/packages/{slug}")
def package_page(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    package = policy_service.get_package(db, slug=slug)
    today = dt.date.today()
    current = {p.id: policy_service.current_version(p, today) for p in package.policies}
    return render(
        request,
        "policies/package.html",
        {"package": package, "current": current, "can_author": can_author_policies(actor), **_labels()},
    )


# ---------------------------------------------------------------- self-check


def _check_context(
    db: Session,
    actor: Actor,
    *,
    org: Organisation | None,
    facts: dict[str, Any],
    on: dt.date,
    errors: dict[str, str] | None = None,
    results: list[Any] | None = None,
    saved: bool = False,
) -> dict[str, Any]:
    orgs = policy_service.organisations_with_facts(db) if actor.has_role("organiser") else []
    suggestions = suggest.suggest_policies(db, organisation=org, on=on) if org is not None else None
    stored = policy_service.stored_decisions(db, actor=actor, organisation=org) if org is not None else []
    latest = stored[0].row.evaluated_on if stored else None
    decisions = [d for r in results or [] for d in r.decisions]
    summary = {
        "count": len(decisions),
        "eligible": sum(d.outcome.value == "eligible" for d in decisions),
        "undetermined": sum(d.outcome.value == "undetermined" for d in decisions),
        "total": sum((r.total for r in results or []), Decimal(0)),
    }
    return {
        "summary": summary,
        "org": org,
        "orgs": orgs,
        "values": policy_service.form_values(facts),
        "industries_checked": set(facts.get("industries") or []),
        "errors": errors or {},
        "results": results,
        "on": on,
        "saved": saved,
        "stored": [s for s in stored if s.row.evaluated_on == latest],
        "stored_on": latest,
        "can_save": org is not None and can_see_decisions(actor, org),
        "policy_suggestions": suggestions,
        "suggestions_org": org,
        "suggestions_own": org is not None and org.id in actor.organisations("enterprise"),
        "groups": _fact_groups(),
        "districts": DISTRICTS,
        "parks": PARKS,
        **_labels(),
    }


def _org_for(db: Session, actor: Actor, ref: str | None) -> Organisation | None:
    if ref:
        org = policy_service.get_organisation(db, ref=ref)
        require(
            can_see_decisions,
            actor,
            org,
            message=_("Only the enterprise itself and the organiser may see its eligibility decisions."),
        )
        return org
    return policy_service.own_organisation(db, actor)


@router.get("/policies/check")
def self_check(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    org = _org_for(db, actor, request.query_params.get("org"))
    on = _day(request.query_params.get("on"))
    facts = policy_service.organisation_facts(org) if org is not None else {}
    results = policy_service.evaluate_facts(db, facts=facts, on=on) if org is not None else None
    return render(
        request,
        "policies/check.html",
        _check_context(db, actor, org=org, facts=facts, on=on, results=results),
    )


@router.post("/policies/check")
async def self_check_run(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    org = _org_for(db, actor, str(form.get("org") or "") or None)
    on = _day(form.get("on"))
    facts, errors = policy_service.facts_from_form(form, [str(v) for v in form.getlist("industries")])
    if errors:
        context = _check_context(db, actor, org=org, facts=facts, on=on, errors=errors)
        return render(request, "policies/check.html", context, status_code=422)
    saved = False
    if org is not None and form.get("save"):
        policy_service.save_facts(db, actor=actor, organisation=org, facts=facts)
        facts, results = policy_service.evaluate_organisation(db, actor=actor, organisation=org, on=on)
        saved = True
    else:
        results = policy_service.evaluate_facts(db, facts=facts, on=on)
    context = _check_context(db, actor, org=org, facts=facts, on=on, results=results, saved=saved)
    return render(request, "policies/check.html", context)


# ---------------------------------------------------------------- suggestions for one enterprise


def _picker(db: Session, actor: Actor) -> list[Organisation]:
    """Enterprises offered in the picker: the district's own, or for the organiser those with stated facts."""
    if actor.has_role("organiser"):
        return policy_service.organisations_with_facts(db)
    return suggest.district_enterprises(db, districts=actor.districts())


@router.get("/policies/suggest")
def policy_suggestions(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """The policies that may apply to an enterprise, for itself, its district or the organiser."""
    if not actor.is_authenticated:
        return _login_redirect(request)
    ref = (request.query_params.get("org") or "").strip()
    on = _day(request.query_params.get("on"))
    org = policy_service.get_organisation(db, ref=ref) if ref else policy_service.own_organisation(db, actor)
    if org is None and not (actor.has_role("organiser") or actor.districts()):
        suggest.require_suggestions(actor, None)
    items = (
        suggest.suggestions_for(db, actor=actor, organisation=org, on=on, limit=None)
        if org is not None
        else None
    )
    return render(
        request,
        "policies/suggest.html",
        {
            "org": org,
            "on": on,
            "picker": _picker(db, actor),
            "can_pick": actor.has_role("organiser") or bool(actor.districts()),
            "policy_suggestions": items,
            "suggestions_org": org,
            "suggestions_own": org is not None and org.id in actor.organisations("enterprise"),
        },
    )


# ---------------------------------------------------------------- authoring


def _form_page(
    request: Request,
    db: Session,
    actor: Actor,
    *,
    draft: policy_service.PolicyDraft,
    policy: Any = None,
    check: policy_service.DraftCheck | None = None,
    status_code: int = 200,
) -> Response:
    packages = policy_service.package_choices(db)
    districts = (
        DISTRICTS if actor.has_role("organiser") else tuple(d for d in DISTRICTS if d in actor.districts())
    )
    return render(
        request,
        "policies/edit.html",
        {
            "policy": policy,
            "draft": draft,
            "check": check,
            "errors": check.by_field() if check else {},
            "packages": packages,
            "districts": districts,
            "formula_facts": [
                f for f in FACTS.values() if f.type in (FactType.MONEY, FactType.NUMBER, FactType.INT)
            ],
            "fact_names": sorted(FACTS),
            "is_organiser": actor.has_role("organiser"),
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/policies/new")
def policy_new_form(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    if not actor.is_authenticated:
        return _login_redirect(request)
    require(
        can_author_policies,
        actor,
        None,
        message=_("Only the organiser and district governments author policies."),
    )
    package = request.query_params.get("package", "")
    district = "" if actor.has_role("organiser") else sorted(actor.districts())[0]
    draft = policy_service.PolicyDraft(
        package=package, district=district, valid_from=dt.date.today().isoformat()
    )
    return _form_page(request, db, actor, draft=draft)


async def _submit(request: Request, db: Session, actor: Actor, policy: Any) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    draft = policy_service.PolicyDraft.from_form({k: str(v) for k, v in form.items()})
    if form.get("action") == "validate":
        check = policy_service.check_draft(db, draft, policy=policy)
        return _form_page(request, db, actor, draft=draft, policy=policy, check=check, status_code=200)
    try:
        saved, _check = policy_service.save_draft(db, actor=actor, draft=draft, policy=policy)
    except policy_service.DraftRefused as exc:
        return _form_page(request, db, actor, draft=draft, policy=policy, check=exc.check, status_code=422)
    return RedirectResponse(f"/policies/{saved.slug}", status_code=303)


@router.post("/policies/new")
async def policy_create(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    require(
        can_author_policies,
        actor,
        None,
        message=_("Only the organiser and district governments author policies."),
    )
    return await _submit(request, db, actor, None)


# ---------------------------------------------------------------- one policy


@router.get("/policies/{slug}")
def policy_page(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    policy = policy_service.get_policy(db, slug=slug)
    today = dt.date.today()
    current = policy_service.current_version(policy, today)
    cases = policy_service.run_policy_tests(policy)
    return render(
        request,
        "policies/detail.html",
        {
            "policy": policy,
            "current": current,
            "versions": list(reversed(policy.versions)),
            "cases": cases,
            "today": today,
            "can_edit": can_edit_policy(actor, policy),
            "can_match": can_match_enterprises(actor, policy),
            **_labels(),
        },
    )


@router.get("/policies/{slug}/edit")
def policy_edit_form(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    policy = policy_service.get_policy(db, slug=slug)
    if not actor.is_authenticated:
        return _login_redirect(request)
    require(can_edit_policy, actor, policy, message=_("You may only edit the policies of your own district."))
    return _form_page(request, db, actor, draft=policy_service.PolicyDraft.from_row(policy), policy=policy)


@router.post("/policies/{slug}/edit")
async def policy_edit(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    policy = policy_service.get_policy(db, slug=slug)
    require(can_edit_policy, actor, policy, message=_("You may only edit the policies of your own district."))
    return await _submit(request, db, actor, policy)


# ---------------------------------------------------------------- 政策找企业


def _reach(
    request: Request, db: Session, actor: Actor, slug: str
) -> tuple[Policy, suggest.PolicyReach, dt.date, bool]:
    policy = policy_service.get_policy(db, slug=slug)
    on = _day(request.query_params.get("on"))
    every = request.query_params.get("all") == "1"
    found = suggest.reach(
        db, actor=actor, policy=policy, on=on, limit=None if every else suggest.OUTREACH_LIMIT
    )
    return policy, found, on, every


@router.get("/policies/{slug}/enterprises")
def policy_enterprises(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """政策找企业: the enterprises the policy fits, then those worth approaching because facts are missing."""
    if not actor.is_authenticated:
        return _login_redirect(request)
    policy, found, on, every = _reach(request, db, actor, slug)
    total = sum((m.amount or 0 for m in found.eligible), start=0)
    params = {"on": on.isoformat(), **({"all": "1"} if every else {})}
    return render(
        request,
        "policies/enterprises.html",
        {
            "policy": policy,
            "matches": found.eligible,
            "outreach": found.outreach,
            "outreach_total": found.outreach_total,
            "outreach_limit": suggest.OUTREACH_LIMIT,
            "eligible": len(found.eligible),
            "total": total,
            "on": on,
            "include": every,
            "params": params,
            "fact_label": lambda name: FACTS[name],
            **_labels(),
        },
    )


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/policies/{slug}/enterprises.csv")
def policy_enterprises_csv(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    if not actor.is_authenticated:
        raise PermissionDenied(_("Only the organiser may search enterprises for a policy."))
    policy, found, on, _every = _reach(request, db, actor, slug)
    return _download(
        policy_service.export_csv(found.rows), "text/csv; charset=utf-8", f"{policy.slug}-{on}.csv"
    )


@router.get("/policies/{slug}/enterprises.xlsx")
def policy_enterprises_xlsx(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    if not actor.is_authenticated:
        raise PermissionDenied(_("Only the organiser may search enterprises for a policy."))
    policy, found, on, _every = _reach(request, db, actor, slug)
    content = policy_service.export_xlsx(found.rows, title=policy.slug)
    return _download(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{policy.slug}-{on}.xlsx",
    )
