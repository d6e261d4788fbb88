"""`/api/v1/events`: the events a reader may see, one event by its slug and its published figures (public on
purpose: what the event pages show), and the organisers' set-up: create, edit, publish, unpublish and delete
events, add, edit and remove their published figures. The figures computed from the records are insight's
(`/api/v1/stats`).

A draft is seen only by the organisers who may edit it: for everyone else the list leaves it out and its slug
is a 404 (`event_from_slug`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.schemas import ErrorBody, Page, paginate_params
from duijie.core.web import allow, get_actor, get_db
from duijie.events import editing, figures
from duijie.events.deps import event_from_slug
from duijie.events.enums import EventState
from duijie.events.models import Event
from duijie.events.permissions import can_manage_event, can_open_event_setup, visible_clause
from duijie.events.schemas import (
    EventCreate,
    EventRead,
    EventUpdate,
    PublishedFigureCreate,
    PublishedFigureRead,
    PublishedFigureUpdate,
)

router = APIRouter(
    prefix="/api/v1/events",
    tags=["events"],
    responses={404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)

# Organisers set up events: the rule on the event itself (its organiser, or the forum's) or, for a new event,
# on the forum it is created in (checked by `editing.create_event`, which refuses a top-level event to an
# organiser limited to one event).
event_manager = allow(can_manage_event, on=event_from_slug)
any_organiser = allow(can_open_event_setup)


@router.get("", response_model=Page[EventRead])
def list_events(
    kind: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=200),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Page[EventRead]:
    """The events the reader may see (published ones; an organiser's drafts too), oldest first, of one kind if
    asked."""
    stmt = select(Event).where(visible_clause(actor))
    if kind:
        stmt = stmt.where(Event.kind == kind)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page, offset, pages = paginate_params(page, page_size, total)
    items = db.scalars(stmt.order_by(Event.starts_on, Event.id).offset(offset).limit(page_size))
    return Page[EventRead](
        items=[EventRead.of(e) for e in items], total=total, page=page, page_size=page_size, pages=pages
    )


@router.post("", response_model=EventRead, status_code=201)
def create_event(
    body: EventCreate, actor: Actor = Depends(any_organiser), db: Session = Depends(get_db)
) -> EventRead:
    """A new event (a draft unless `publish`); a top-level one needs an organiser of the whole programme, one
    inside a forum an organiser of that forum."""
    data = body.model_dump(exclude_unset=True)
    publish = bool(data.pop("publish", False))
    event = editing.create_event(db, actor=actor, data=data, publish=publish)
    return EventRead.of(event)


@router.get("/{slug}", response_model=EventRead)
def get_event(event: Event = Depends(event_from_slug)) -> EventRead:
    """One event by its slug (a slug of digits is a slug, never an id); 404 in the request's language."""
    return EventRead.of(event)


@router.patch("/{slug}", response_model=EventRead)
def update_event(
    body: EventUpdate,
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(event_manager),
    db: Session = Depends(get_db),
) -> EventRead:
    """Change the fields given; each problem comes back naming its field."""
    return EventRead.of(editing.update_event(db, actor=actor, event=event, data=body.model_dump(exclude_unset=True)))


@router.post("/{slug}/publish", response_model=EventRead)
def publish_event(
    event: Event = Depends(event_from_slug), actor: Actor = Depends(event_manager), db: Session = Depends(get_db)
) -> EventRead:
    """Publish a draft: it appears on every public list, page and search."""
    return EventRead.of(editing.set_event_state(db, actor=actor, event=event, to=EventState.PUBLISHED))


@router.post("/{slug}/unpublish", response_model=EventRead)
def unpublish_event(
    event: Event = Depends(event_from_slug), actor: Actor = Depends(event_manager), db: Session = Depends(get_db)
) -> EventRead:
    """Take a published event back to draft: only its organisers see it again."""
    return EventRead.of(editing.set_event_state(db, actor=actor, event=event, to=EventState.DRAFT))


@router.delete("/{slug}", status_code=204, response_class=Response)
def delete_event(
    event: Event = Depends(event_from_slug), actor: Actor = Depends(event_manager), db: Session = Depends(get_db)
) -> Response:
    """Delete a draft that holds no records; otherwise 409 saying what holds it."""
    editing.delete_event(db, actor=actor, event=event)
    return Response(status_code=204)


@router.get("/{slug}/figures", response_model=list[PublishedFigureRead])
def list_figures(event: Event = Depends(event_from_slug), db: Session = Depends(get_db)) -> list[PublishedFigureRead]:
    """The figures published for the event, with their sources."""
    return [PublishedFigureRead.of(f) for f in figures.list_figures(db, event=event)]


@router.post("/{slug}/figures", response_model=PublishedFigureRead, status_code=201)
def add_figure(
    body: PublishedFigureCreate,
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(event_manager),
    db: Session = Depends(get_db),
) -> PublishedFigureRead:
    """Add a published figure (its key unique within the event)."""
    figure = figures.add_figure(db, actor=actor, event=event, data=body.model_dump(exclude_unset=True))
    return PublishedFigureRead.of(figure)


@router.patch("/{slug}/figures/{key}", response_model=PublishedFigureRead)
def update_figure(
    key: str,
    body: PublishedFigureUpdate,
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(event_manager),
    db: Session = Depends(get_db),
) -> PublishedFigureRead:
    """Change the fields given of the figure with this key."""
    figure = figures.get_figure(db, event=event, key=key)
    data = body.model_dump(exclude_unset=True)
    return PublishedFigureRead.of(figures.update_figure(db, actor=actor, event=event, figure=figure, data=data))


@router.delete("/{slug}/figures/{key}", status_code=204, response_class=Response)
def delete_figure(
    key: str,
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(event_manager),
    db: Session = Depends(get_db),
) -> Response:
    """Remove the figure with this key."""
    figure = figures.get_figure(db, event=event, key=key)
    figures.delete_figure(db, actor=actor, event=event, figure=figure)
    return Response(status_code=204)
