"""Project pages: the filterable list, a project's page, and its edit form (organiser and owning district)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import yi_str
from duijie.core.web import check_csrf, get_actor, get_db, render
from duijie.deals.models import Deal
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.events.models import Event
from duijie.marketplace import service as opportunity_service
from duijie.marketplace.enums import OpportunityStatus, ProjectCategory
from duijie.marketplace.permissions import can_edit_opportunity
from duijie.marketplace.schemas import OpportunityFilters, OpportunityUpdate
from duijie.matching import service as match_service

router = APIRouter(include_in_schema=False)

EDITABLE = (
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "category",
    "industry",
    "district",
    "amount",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def _filters_from(request: Request) -> OpportunityFilters:
    qp = request.query_params
    return OpportunityFilters(
        kind=qp.get("kind") or None,
        category=qp.get("category") or None,
        industry=qp.get("industry") or None,
        district=qp.get("district") or None,
        status=qp.get("status") or None,
        event=qp.get("event") or None,
        q=qp.get("q") or None,
        sort=qp.get("sort") or "-amount",
    )


@router.get("/projects")
def project_list(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    filters = _filters_from(request)
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    items, total, page, pages = opportunity_service.list_opportunities(
        db, actor=actor, filters=filters, page=page, page_size=request.app.state.settings.page_size
    )
    params = {k: v for k, v in filters.model_dump().items() if v not in (None, "") and k != "sort"}
    if filters.sort != "-amount":
        params["sort"] = filters.sort
    summits = list(db.scalars(select(Event).where(Event.kind == "summit").order_by(Event.starts_on)))
    return render(
        request,
        "marketplace/list.html",
        {
            "items": items,
            "total": total,
            "page": page,
            "pages": pages,
            "filters": filters,
            "params": params,
            "categories": list(ProjectCategory),
            "statuses": list(OpportunityStatus),
            "industries": [
                i for i in INDUSTRY_EN if i in set(opportunity_service.facet_values(db, "industry"))
            ],
            "districts": list(DISTRICT_EN),
            "summits": summits,
        },
    )


@router.get("/projects/{project_id}")
def project_page(
    project_id: int, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    opp = opportunity_service.get(db, id=project_id, actor=actor)
    deals = list(db.scalars(select(Deal).where(Deal.opportunity_id == opp.id).order_by(Deal.id)))
    allowed = match_service.can_see_matches(actor, ("project", opp))
    matches = (
        match_service.recommendations(db, event=opp.event, kind="project", record_id=opp.id, want="investor", limit=5)
        if allowed and opp.event is not None
        else []
    )
    return render(
        request,
        "marketplace/detail.html",
        {
            "opp": opp,
            "deals": deals,
            "can_edit": can_edit_opportunity(actor, opp),
            "items": matches,
            "allowed": allowed,
        },
    )


@router.get("/projects/{project_id}/edit")
def project_edit_form(
    project_id: int, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    opp = opportunity_service.get(db, id=project_id, actor=actor)
    if not actor.is_authenticated:
        return RedirectResponse(f"/login?next=/projects/{project_id}/edit", status_code=303)
    opportunity_service.require_edit(actor, opp)
    values: dict[str, object] = {k: getattr(opp, k) for k in EDITABLE}
    if opp.amount is not None:
        values["amount"] = f"{yi_str(opp.amount)}亿"
    return _edit_page(request, opp, values, {})


def _edit_page(
    request: Request, opp: object, values: dict[str, object], errors: dict[str, str], status_code: int = 200
) -> Response:
    return render(
        request,
        "marketplace/edit.html",
        {
            "opp": opp,
            "values": values,
            "errors": errors,
            "categories": list(ProjectCategory),
            "industries": list(INDUSTRY_EN),
            "districts": list(DISTRICT_EN),
        },
        status_code=status_code,
    )


@router.post("/projects/{project_id}/edit")
async def project_edit(
    project_id: int, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    opp = opportunity_service.get(db, id=project_id, actor=actor)
    opportunity_service.require_edit(actor, opp)
    values: dict[str, object] = {k: (str(form.get(k, "")).strip() or None) for k in EDITABLE}
    errors: dict[str, str] = {}
    try:
        data = OpportunityUpdate(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        for err in exc.errors():
            errors[str(err["loc"][0]) if err["loc"] else "form"] = err["msg"]
        return _edit_page(request, opp, values, errors, status_code=422)
    except DomainError as exc:
        errors[exc.field or "form"] = exc.message
        return _edit_page(request, opp, values, errors, status_code=422)
    try:
        opportunity_service.update(db, actor=actor, opportunity=opp, data=data)
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        errors[exc.field or "form"] = exc.message
        return _edit_page(request, opp, values, errors, status_code=422)
    return RedirectResponse(f"/projects/{opp.id}", status_code=303)
