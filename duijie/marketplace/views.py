"""Opportunity pages: the filterable list, an opportunity's page (a project, or a technology offer or demand
with its readiness level, IP and terms), and the edit form (organiser and owning district)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import is_zh, yi_str
from duijie.core.web import allow, csrf_form, get_actor, get_db, render
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.events.service import visible_events
from duijie.marketplace import service as opportunity_service
from duijie.marketplace.enums import OpportunityStatus, ProjectCategory
from duijie.marketplace.models import Opportunity
from duijie.marketplace.permissions import can_edit_opportunity
from duijie.marketplace.schemas import OpportunityFilters, OpportunityUpdate
from duijie.marketplace.sections import section_blocks

router = APIRouter(include_in_schema=False)

# English for the IP states and licensing terms offices record in Chinese (as they do industries and districts).
IP_STATUS_EN: dict[str, str] = {
    "已授权发明专利": "Granted invention patent",
    "已授权发明专利及软件著作权": "Granted invention patent and software copyright",
    "发明专利申请中": "Invention patent pending",
    "PCT国际专利申请": "PCT international patent application",
    "集成电路布图设计专有权": "IC layout-design right",
    "软件著作权": "Software copyright",
    "实用新型专利": "Utility-model patent",
    "技术秘密": "Know-how (trade secret)",
}
TERMS_EN: dict[str, str] = {
    "转让": "Transfer",
    "许可": "Licence",
    "独占许可": "Exclusive licence",
    "普通许可": "Non-exclusive licence",
    "作价入股": "Equity contribution",
    "合作开发": "Joint development",
    "技术服务": "Technical services",
}
TERM_SEPARATORS = ("、", "，", ",", "；", ";", "/")


def licensing_terms(value: str | None, zh: bool) -> list[str]:
    """The terms of a technology as separate words in the page's language (unknown ones as written)."""
    if not value:
        return []
    text = value
    for sep in TERM_SEPARATORS[1:]:
        text = text.replace(sep, TERM_SEPARATORS[0])
    terms = [t.strip() for t in text.split(TERM_SEPARATORS[0]) if t.strip()]
    return terms if zh else [TERMS_EN.get(t, t) for t in terms]


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
    summits = visible_events(db, actor, kind="summit")
    present = set(opportunity_service.facet_values(db, "industry"))  # once: not once per industry listed
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
            "industries": [i for i in INDUSTRY_EN if i in present],
            "districts": list(DISTRICT_EN),
            "summits": summits,
        },
    )


def opportunity_from_path(
    project_id: int, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Opportunity:
    """`opp: Opportunity = Depends(opportunity_from_path)`: the project of the path, if the actor may see it."""
    return opportunity_service.get(db, id=project_id, actor=actor)


# The organiser of the project's event and the district that owns it edit a project.
project_editor = allow(can_edit_opportunity, on=opportunity_from_path)


@router.get("/projects/{project_id}")
def project_page(
    request: Request,
    opp: Opportunity = Depends(opportunity_from_path),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    """An opportunity with its facts (a technology's readiness, IP and terms too), and the sections other
    modules add (its deals, the investors who may fit it)."""
    zh = is_zh()
    page: dict[str, Any] = {
        "opp": opp,
        "can_edit": can_edit_opportunity(actor, opp),
        "tech": opp.kind in ("tech_offer", "tech_demand"),
        "ip_status": opp.ip_status
        if zh or not opp.ip_status
        else IP_STATUS_EN.get(opp.ip_status, opp.ip_status),
        "terms": licensing_terms(opp.licensing_terms, zh),
    }
    page["sections"] = section_blocks(db, actor, opp, page)
    return render(request, "marketplace/detail.html", page)


@router.get("/projects/{project_id}/edit")
def project_edit_form(
    request: Request,
    opp: Opportunity = Depends(opportunity_from_path),
    actor: Actor = Depends(project_editor),
) -> Response:
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
def project_edit(
    request: Request,
    form: FormData = Depends(csrf_form),
    opp: Opportunity = Depends(opportunity_from_path),
    actor: Actor = Depends(project_editor),
    db: Session = Depends(get_db),
) -> Response:
    values: dict[str, object] = {k: (str(form.get(k, "")).strip() or None) for k in EDITABLE}
    errors: dict[str, str] = {}
    try:
        data = OpportunityUpdate.model_validate(values)
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
