"""`/api/v1/events`: the published events and one event by its slug. The figures of an event are insight's
(`/api/v1/stats`).

Both routes are public on purpose: they show what the events page shows to every visitor."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.schemas import ErrorBody, Page, paginate_params
from duijie.core.web import get_db
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.events.schemas import EventRead

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
    """The published events, oldest first, optionally of one kind."""
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
def get_event(event: Event = Depends(event_from_slug)) -> EventRead:
    """One event by its slug (a slug of digits is a slug, never an id); 404 in the request's language."""
    return EventRead.model_validate(event)
