"""`/api/v1/opportunities`: the filtered list, one opportunity, and edits by the organiser or owning district."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.schemas import ErrorBody, Page
from duijie.core.validation import Amount, PathId
from duijie.core.web import get_actor, get_db, require_login
from duijie.marketplace import service as opportunity_service
from duijie.marketplace.schemas import OpportunityFilters, OpportunityRead, OpportunityUpdate

router = APIRouter(
    prefix="/api/v1/opportunities",
    tags=["opportunities"],
    responses={403: {"model": ErrorBody}, 404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)


@router.get("", response_model=Page[OpportunityRead])
def list_opportunities(
    kind: str | None = None,
    category: str | None = None,
    industry: str | None = None,
    district: str | None = None,
    status: str | None = None,
    event: str | None = Query(None, description="event id, e.g. invest-beijing-2024"),
    q: str | None = None,
    min_amount: Annotated[Amount, Query(description="yuan")] = None,
    max_amount: Annotated[Amount, Query(description="yuan")] = None,
    sort: str = Query("-amount", pattern="^-?(amount|title|published|district)$"),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=200),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Page[OpportunityRead]:
    filters = OpportunityFilters(
        kind=kind,
        category=category,
        industry=industry,
        district=district,
        status=status,
        event=event,
        q=q,
        min_amount=min_amount,
        max_amount=max_amount,
        sort=sort,
    )
    items, total, page, pages = opportunity_service.list_opportunities(
        db, actor=actor, filters=filters, page=page, page_size=page_size
    )
    return Page[OpportunityRead](
        items=[OpportunityRead.model_validate(o) for o in items],
        total=total,
        page=page,
        page_size=page_size,
        pages=pages,
    )


@router.get("/{opportunity_id}", response_model=OpportunityRead)
def get_opportunity(
    opportunity_id: PathId, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> OpportunityRead:
    return OpportunityRead.model_validate(opportunity_service.get(db, id=opportunity_id, actor=actor))


@router.patch("/{opportunity_id}", response_model=OpportunityRead)
def update_opportunity(
    opportunity_id: PathId,
    data: OpportunityUpdate,
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> OpportunityRead:
    """Only the organiser and the district government that owns the project may edit it (signed-in session;
    an anonymous caller is asked to log in, 401)."""
    opp = opportunity_service.get(db, id=opportunity_id, actor=actor)
    opportunity_service.update(db, actor=actor, opportunity=opp, data=data)
    return OpportunityRead.model_validate(opp)
