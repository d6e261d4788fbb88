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
from duijie.core.searchable import SearchFilters
from duijie.core.validation import QUERY_MAX
from duijie.core.web import get_actor, get_db, render
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.events.models import Event
from duijie.marketplace.enums import OpportunityStatus, ProjectCategory
from duijie.search import registry
from duijie.search import service as search_service

router = APIRouter(tags=["search"])


def kind_labels() -> dict[str, str]:
    """The name of each kind of result in the reader's language, as its module declares it."""
    return {source.kind: _(source.label) for source in registry.sources()}


def amount_param(raw: str | None, field: str) -> Decimal | None:
    """An amount typed as 1.5亿, 3000万 or plain yuan; the error names the field."""
    if raw is None or not raw.strip():
        return None
    return parse_amount(raw.strip(), field=field)


def filters_from(params: dict[str, str]) -> SearchFilters:
    """The structured filters of a query string, shared by the page and the API."""
    return SearchFilters(
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
    """Public on purpose: every visitor may search; what each one finds is decided per kind (drafts, for
    instance, only for those who may edit them)."""
    params = {k: v for k, v in request.query_params.items() if v}
    query = params.get("q", "")
    # Longer queries cost seconds of CPU and find nothing more: the first QUERY_MAX characters are searched,
    # and the page says so.
    shortened = len(query) > QUERY_MAX
    query = query[:QUERY_MAX]
    filters = filters_from(params)
    results = search_service.search(
        db, query=query, actor=actor, filters=filters, limit=10 if not filters.kind else 50
    )
    events = list(db.scalars(select(Event).order_by(Event.starts_on)))
    return render(
        request,
        "search/search.html",
        {
            "q": query,
            "shortened": shortened,
            "query_max": QUERY_MAX,
            "params": params,
            "filters": filters,
            "results": results,
            "kinds": registry.kinds(),
            "kind_labels": kind_labels(),
            "categories": list(ProjectCategory),
            "statuses": list(OpportunityStatus),
            "industries": list(INDUSTRY_EN),
            "districts": list(DISTRICT_EN),
            "events": events,
        },
    )
