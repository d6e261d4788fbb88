"""`/api/v1/events`: the events and their statistics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.schemas import ErrorBody, Page, paginate_params
from duijie.core.web import get_db
from duijie.events.models import Event
from duijie.events.schemas import EventRead
from duijie.insight.queries import resolve_event

router = APIRouter(
    prefix="/api/v1/events", tags=["events"], responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}}
)


@router.get("", response_model=Page[EventRead])
def list_events(
    kind: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=200),
    db: Session = Depends(get_db),
) -> Page[EventRead]:
    stmt = select(Event).where(Event.is_published.is_(True))
    if kind:
        stmt = stmt.where(Event.kind == kind)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page, offset, pages = paginate_params(page, page_size, total)
    items = db.scalars(stmt.order_by(Event.starts_on, Event.id).offset(offset).limit(page_size))
    return Page[EventRead](
        items=[EventRead.model_validate(e) for e in items],
        total=total,
        page=page,
        page_size=page_size,
        pages=pages,
    )


@router.get("/{slug}", response_model=EventRead)
def get_event(slug: str, db: Session = Depends(get_db)) -> EventRead:
    return EventRead.model_validate(resolve_event(db, slug))
