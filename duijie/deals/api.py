"""`/api/v1/deals`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from duijie.core.schemas import ErrorBody, Page
from duijie.core.web import get_db
from duijie.deals import service as deal_service
from duijie.deals.schemas import DealRead

router = APIRouter(prefix="/api/v1/deals", tags=["deals"], responses={404: {"model": ErrorBody}})


@router.get("", response_model=Page[DealRead])
def list_deals(
    event: str | None = None,
    stage: str | None = None,
    district: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=200),
    db: Session = Depends(get_db),
) -> Page[DealRead]:
    items, total, page, pages = deal_service.list_deals(
        db, event=event, stage=stage, district=district, page=page, page_size=page_size
    )
    return Page[DealRead](
        items=[DealRead.model_validate(d) for d in items],
        total=total,
        page=page,
        page_size=page_size,
        pages=pages,
    )


@router.get("/{deal_id}", response_model=DealRead)
def get_deal(deal_id: int, db: Session = Depends(get_db)) -> DealRead:
    return DealRead.model_validate(deal_service.get(db, id=deal_id))
