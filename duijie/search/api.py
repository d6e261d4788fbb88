"""`GET /api/v1/search`: the search of the web page as JSON, for other government and park systems."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.validation import QUERY_MAX
from duijie.core.web import get_actor, get_db
from duijie.search import service as search_service
from duijie.search.views import filters_from
from duijie.text.search import Mode

router = APIRouter(prefix="/api/v1", tags=["search"])


@router.get("/search")
def search_api(
    request: Request,
    q: str = Query(..., min_length=1, max_length=QUERY_MAX, description="Words in Chinese or English"),
    kind: str | None = Query(
        None, description="opportunity, organisation, package, policy, achievement, exhibitor, session"
    ),
    category: str | None = None,
    industry: str | None = None,
    district: str | None = None,
    amount_min: str | None = Query(None, description="Yuan, or 1.5亿 / 3000万"),
    amount_max: str | None = Query(None, description="Yuan, or 1.5亿 / 3000万"),
    status: str | None = None,
    event: str | None = Query(None, description="Event slug"),
    mode: str = Query("hybrid", description="hybrid, lexical or dense"),
    limit: int = Query(10, ge=1, le=search_service.MAX_LIMIT, description="Hits per kind"),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> dict[str, Any]:
    """Search every kind of record in both languages; hits grouped by kind with highlighted snippets.

    Public on purpose, like the page: each kind's module decides what this actor may find. An unknown mode is
    refused by the service with a message naming the field.
    """
    filters = filters_from({k: v for k, v in request.query_params.items() if v})
    results = search_service.search(
        db, query=q, actor=actor, filters=filters, mode=cast(Mode, mode), limit=limit
    )
    return results.as_dict()
