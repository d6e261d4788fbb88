"""Policy pages: packages, a policy with its versions, the self-check, 政策找企业 with exports, and authoring.

Each route says who may use it at its definition: public reading pages, `allowed(rule, ...)` over the named
predicates of `permissions.py` for authoring and 政策找企业, and the self-check's and suggestions' subjects
loaded and checked by the dependencies of `deps.py`. Templates ask the same predicates with `can(...)`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core.auth import Actor
from duijie.core.i18n import chinese_amount, is_zh
from duijie.core.i18n import gettext as _
from duijie.core.web import csrf_form, get_actor, get_db, render
from duijie.directory.models import Organisation
from duijie.policies import authoring, decisions, enterprise_facts, outreach, records, rule_form, suggest
from duijie.policies import permissions as P
from duijie.policies.catalogue import BENEFIT_KIND_LABELS, BenefitKind
from duijie.policies.deps import (
    AUTHOR_REFUSAL,
    EDIT_REFUSAL,
    MATCH_REFUSAL,
    SUGGESTIONS_REFUSAL,
    allowed,
    form_organisation_to_check,
    organisation_to_check,
    policy_from_slug,
    suggestion_subject,
)
from duijie.policies.facts import DISTRICTS, FACTS, INDUSTRIES, PARKS, FactType, choice_label
from duijie.policies.models import Policy

router = APIRouter(include_in_schema=False)

PROFILE_FACTS = ("registered_district", "park", "founded_on")
FIGURE_TYPES = (FactType.MONEY, FactType.RATIO, FactType.INT, FactType.NUMBER)


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
        "kind_label": records.benefit_kind_label,
        "outcome_label": records.outcome_label,
        "choice_label": choice_label,
        "rule_text": records.rule_text,
        "benefit_text": records.benefit_text,
        # The package's predicates, for `can(actor, policy_perms.can_edit_policy, policy)` in its templates.
        "policy_perms": P,
    }


# ---------------------------------------------------------------- reading (public)


@router.get("/policies")
def package_list(request: Request, db: Session = Depends(get_db)) -> Response:
    packages = records.list_packages(db)
    return render(
        request,
        "policies/list.html",
        {
            "packages": packages,
            "loose": records.list_unpackaged(db),
            "policy_count": sum(len(p.policies) for p in packages),
            **_labels(),
        },
    )


@router.get("/policies/packages/{slug}")
def package_page(slug: str, request: Request, db: Session = Depends(get_db)) -> Response:
    package = records.get_package(db, slug=slug)
    today = dt.date.today()
    current = {p.id: records.current_version(p, today) for p in package.policies}
    return render(request, "policies/package.html", {"package": package, "current": current, **_labels()})


# ---------------------------------------------------------------- self-check (public; an enterprise's own
# facts and decisions only for the enterprise itself and the organiser, checked by `organisation_to_check`)


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
    orgs = enterprise_facts.organisations_with_facts(db) if P.can_pick_any_enterprise(actor) else []
    suggestions = suggest.suggest_policies(db, organisation=org, on=on) if org is not None else None
    stored = decisions.stored_decisions(db, actor=actor, organisation=org) if org is not None else []
    latest = stored[0].row.evaluated_on if stored else None
    made = [d for r in results or [] for d in r.decisions]
    summary = {
        "count": len(made),
        "eligible": sum(d.outcome.value == "eligible" for d in made),
        "undetermined": sum(d.outcome.value == "undetermined" for d in made),
        "total": sum((r.total for r in results or []), Decimal(0)),
    }
    return {
        "summary": summary,
        "org": org,
        "orgs": orgs,
        "values": enterprise_facts.form_values(facts),
        "industries_checked": set(facts.get("industries") or []),
        "errors": errors or {},
        "results": results,
        "on": on,
        "saved": saved,
        "stored": [s for s in stored if s.row.evaluated_on == latest],
        "stored_on": latest,
        "policy_suggestions": suggestions,
        "suggestions_org": org,
        "suggestions_own": P.is_the_enterprise(actor, org),
        "groups": _fact_groups(),
        "districts": DISTRICTS,
        "parks": PARKS,
        **_labels(),
    }


def _spelt_amounts(form: FormData) -> dict[str, Any]:
    """The form with amounts spelt in Chinese numerals (两亿, 三千万) written in digits, as people type them into
    the self-check and the facts reader expects them; everything else as sent."""
    values: dict[str, Any] = {key: form.get(key) for key in form}
    for name, fact in FACTS.items():
        raw = values.get(name)
        if fact.type == FactType.MONEY and isinstance(raw, str):
            spelt = chinese_amount(raw.strip().replace(" ", ""))
            if spelt is not None:
                values[name] = str(spelt)
    return values


@router.get("/policies/check")
def self_check(
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
    org: Organisation | None = Depends(organisation_to_check),
) -> Response:
    on = _day(request.query_params.get("on"))
    facts = enterprise_facts.organisation_facts(org) if org is not None else {}
    results = decisions.evaluate_facts(db, facts=facts, on=on) if org is not None else None
    return render(
        request,
        "policies/check.html",
        _check_context(db, actor, org=org, facts=facts, on=on, results=results),
    )


@router.post("/policies/check")
def self_check_run(
    request: Request,
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
    org: Organisation | None = Depends(form_organisation_to_check),
) -> Response:
    on = _day(form.get("on"))
    facts, errors = enterprise_facts.facts_from_form(
        _spelt_amounts(form), [str(v) for v in form.getlist("industries")]
    )
    if errors:
        context = _check_context(db, actor, org=org, facts=facts, on=on, errors=errors)
        # The refused values come back as typed, beside their messages, so nothing has to be typed twice.
        context["values"] |= {name: str(form.get(name) or "") for name in errors}
        return render(request, "policies/check.html", context, status_code=422)
    saved = False
    if org is not None and form.get("save"):
        enterprise_facts.save_facts(db, actor=actor, organisation=org, facts=facts)
        facts, results = decisions.evaluate_organisation(db, actor=actor, organisation=org, on=on)
        saved = True
    else:
        results = decisions.evaluate_facts(db, facts=facts, on=on)
    context = _check_context(db, actor, org=org, facts=facts, on=on, results=results, saved=saved)
    return render(request, "policies/check.html", context)


# ---------------------------------------------------------------- suggestions for one enterprise


def _picker(db: Session, actor: Actor) -> list[Organisation]:
    """Enterprises offered in the picker: the district's own, or for the organiser those with stated facts."""
    if P.can_pick_any_enterprise(actor):
        return enterprise_facts.organisations_with_facts(db)
    return suggest.district_enterprises(db, districts=actor.districts())


@router.get("/policies/suggest")
def policy_suggestions(
    request: Request,
    actor: Actor = Depends(allowed(P.may_see_suggestions_for, SUGGESTIONS_REFUSAL, on=suggestion_subject)),
    db: Session = Depends(get_db),
    org: Organisation | None = Depends(suggestion_subject),
) -> Response:
    """The policies that may apply to an enterprise, for itself, its district or the organiser."""
    on = _day(request.query_params.get("on"))
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
            "policy_suggestions": items,
            "suggestions_org": org,
            "suggestions_own": P.is_the_enterprise(actor, org),
            "policy_perms": P,
        },
    )


# ---------------------------------------------------------------- authoring


def _rule_builder(draft: authoring.PolicyDraft, check: authoring.DraftCheck | None) -> dict[str, Any]:
    """What the structured rule editor starts from: the facts in the reader's words, the draft's rule as rows,
    and the errors of the last check by path, so that each is shown beside its row."""
    lang = "zh" if is_zh() else "en"
    return {
        "lang": lang,
        "vocab": rule_form.vocabulary(lang),
        "rule": rule_form.editable_rule(draft.rule, lang),
        "errors": [e.as_dict() for e in check.errors] if check else [],
        "words": {
            "mode_all": _("All of the following hold"),
            "mode_any": _("Any of the following holds"),
            "mode_none": _("None of the following holds"),
            "mode_notall": _("Not all of the following hold"),
            "group_mode": _("How the conditions combine"),
            "add_condition": _("Add a condition"),
            "add_group": _("Add a group"),
            "remove": _("Remove"),
            "remove_condition": _("Remove this condition"),
            "remove_group": _("Remove this group"),
            "empty_group": _("No conditions in this group yet."),
            "fact": _("What is compared"),
            "op": _("Comparison"),
            "value": _("Value compared with"),
            "choose": _("Choose…"),
            "choose_fact": _("Choose what this condition compares."),
            "unknown": _(" (unknown)"),
            "in_words": _("In words"),
        },
    }


def _form_page(
    request: Request,
    db: Session,
    actor: Actor,
    *,
    draft: authoring.PolicyDraft,
    policy: Policy | None = None,
    check: authoring.DraftCheck | None = None,
    status_code: int = 200,
) -> Response:
    packages = records.package_choices(db)
    districts = (
        DISTRICTS if P.can_file_city_wide(actor) else tuple(d for d in DISTRICTS if d in actor.districts())
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
            "rule_builder": _rule_builder(draft, check),
            **_labels(),
        },
        status_code=status_code,
    )


def _submit(request: Request, db: Session, actor: Actor, form: FormData, policy: Policy | None) -> Response:
    draft = authoring.PolicyDraft.from_form({k: str(v) for k, v in form.items()})
    if form.get("action") == "validate":
        check = authoring.check_draft(db, draft, policy=policy)
        return _form_page(request, db, actor, draft=draft, policy=policy, check=check, status_code=200)
    try:
        saved, _check = authoring.save_draft(db, actor=actor, draft=draft, policy=policy)
    except authoring.DraftRefused as exc:
        return _form_page(request, db, actor, draft=draft, policy=policy, check=exc.check, status_code=422)
    return RedirectResponse(f"/policies/{saved.slug}", status_code=303)


@router.get("/policies/new")
def policy_new_form(
    request: Request,
    actor: Actor = Depends(allowed(P.can_author_policies, AUTHOR_REFUSAL)),
    db: Session = Depends(get_db),
) -> Response:
    package = request.query_params.get("package", "")
    district = "" if P.can_file_city_wide(actor) else sorted(actor.districts())[0]
    draft = authoring.PolicyDraft(package=package, district=district, valid_from=dt.date.today().isoformat())
    return _form_page(request, db, actor, draft=draft)


@router.post("/policies/new")
def policy_create(
    request: Request,
    actor: Actor = Depends(allowed(P.can_author_policies, AUTHOR_REFUSAL)),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    return _submit(request, db, actor, form, None)


# ---------------------------------------------------------------- one policy


@router.get("/policies/{slug}")
def policy_page(request: Request, policy: Policy = Depends(policy_from_slug)) -> Response:
    today = dt.date.today()
    return render(
        request,
        "policies/detail.html",
        {
            "policy": policy,
            "current": records.current_version(policy, today),
            "versions": list(reversed(policy.versions)),
            "cases": records.run_policy_tests(policy),
            "today": today,
            **_labels(),
        },
    )


@router.get("/policies/{slug}/edit")
def policy_edit_form(
    request: Request,
    actor: Actor = Depends(allowed(P.can_edit_policy, EDIT_REFUSAL, on=policy_from_slug)),
    policy: Policy = Depends(policy_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    return _form_page(request, db, actor, draft=authoring.PolicyDraft.from_row(policy), policy=policy)


@router.post("/policies/{slug}/edit")
def policy_edit(
    request: Request,
    actor: Actor = Depends(allowed(P.can_edit_policy, EDIT_REFUSAL, on=policy_from_slug)),
    policy: Policy = Depends(policy_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    return _submit(request, db, actor, form, policy)


# ---------------------------------------------------------------- 政策找企业 (the organiser)

MATCHER = allowed(P.can_match_enterprises, MATCH_REFUSAL, on=policy_from_slug)


def _reach(
    request: Request, db: Session, actor: Actor, policy: Policy
) -> tuple[outreach.PolicyReach, dt.date, bool]:
    on = _day(request.query_params.get("on"))
    every = request.query_params.get("all") == "1"
    found = outreach.reach(
        db, actor=actor, policy=policy, on=on, limit=None if every else outreach.OUTREACH_LIMIT
    )
    return found, on, every


@router.get("/policies/{slug}/enterprises")
def policy_enterprises(
    request: Request,
    actor: Actor = Depends(MATCHER),
    policy: Policy = Depends(policy_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """政策找企业: the enterprises the policy fits, then those worth approaching because facts are missing."""
    found, on, every = _reach(request, db, actor, policy)
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
            "outreach_limit": outreach.OUTREACH_LIMIT,
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
    request: Request,
    actor: Actor = Depends(MATCHER),
    policy: Policy = Depends(policy_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    found, on, _every = _reach(request, db, actor, policy)
    return _download(outreach.export_csv(found.rows), "text/csv; charset=utf-8", f"{policy.slug}-{on}.csv")


@router.get("/policies/{slug}/enterprises.xlsx")
def policy_enterprises_xlsx(
    request: Request,
    actor: Actor = Depends(MATCHER),
    policy: Policy = Depends(policy_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    found, on, _every = _reach(request, db, actor, policy)
    content = outreach.export_xlsx(found.rows, title=policy.slug)
    return _download(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{policy.slug}-{on}.xlsx",
    )
