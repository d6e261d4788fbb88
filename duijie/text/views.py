"""The search page: one box for every kind of record, results grouped by kind, with filters and snippets."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.i18n import gettext as _
from duijie.core.i18n import parse_amount
from duijie.core.web import get_actor, get_db, render
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.events.models import Event
from duijie.marketplace.enums import OpportunityStatus, ProjectCategory
from duijie.text import service as search_service
from duijie.text.indexing import KINDS

router = APIRouter(tags=["search"])


def kind_labels() -> dict[str, str]:
    """The name of each kind of result in the reader's language."""
    return {
        "opportunity": _("Projects and technology"),
        "organisation": _("Organisations"),
        "package": _("Policy packages"),
        "policy": _("Policies"),
        "achievement": _("Achievements"),
        "exhibitor": _("Exhibitors"),
        "session": _("Sessions"),
    }


def amount_param(raw: str | None, field: str) -> Decimal | None:
    """An amount typed as 1.5亿, 3000万 or plain yuan; the error names the field."""
    if raw is None or not raw.strip():
        return None
    return parse_amount(raw.strip(), field=field)


def filters_from(params: dict[str, str]) -> search_service.SearchFilters:
    """The structured filters of a query string, shared by the page and the API."""
    return search_service.SearchFilters(
        kind=params.get("kind") or None,
        category=params.get("category") or None,
        industry=params.get("industry") or None,
        district=params.get("district") or None,
        amount_min=amount_param(params.get("amount_min"), "amount_min"),
        amount_max=amount_param(params.get("amount_max"), "amount_max"),
        status=params.get("status") or None,
        event=params.get("event") or None,
    )


@router.get("/search")
def search_page(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    params = {k: v for k, v in request.query_params.items() if v}
    query = params.get("q", "")
    filters = filters_from(params)
    results = search_service.search(
        db, query=query, actor=actor, filters=filters, limit=10 if not filters.kind else 50
    )
    events = list(db.scalars(select(Event).order_by(Event.starts_on)))
    return render(
        request,
        "text/search.html",
        {
            "q": query,
            "params": params,
            "filters": filters,
            "results": results,
            "kinds": KINDS,
            "kind_labels": kind_labels(),
            "categories": list(ProjectCategory),
            "statuses": list(OpportunityStatus),
            "industries": list(INDUSTRY_EN),
            "districts": list(DISTRICT_EN),
            "events": events,
        },
    )
