"""Looking up events: the one place that turns a slug into an `Event` (or a translated 404)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.events.models import Event


def get_event(db: Session, *, slug: str, kind: str | None = None) -> Event:
    """The event with this slug (of this kind, when given).

    Slugs are looked up as slugs only: a slug made of digits is not read as an id, so `/events/2024` can never
    open a different event than the one named `2024`.
    """
    stmt = select(Event).where(Event.slug == slug)
    if kind is not None:
        stmt = stmt.where(Event.kind == kind)
    event = db.scalar(stmt)
    if event is None:
        raise NotFound(_("There is no event “%(slug)s”.") % {"slug": slug}, field="event")
    return event


def find_event(db: Session, *, slug: str | None) -> Event | None:
    """The event with this slug, or None when no slug is given; an unknown slug is still a 404."""
    return get_event(db, slug=slug) if slug else None


def get_event_by_id(db: Session, *, event_id: int) -> Event:
    """The event with this id (jobs and commands carry ids across transactions)."""
    event = db.get(Event, event_id)
    if event is None:
        raise NotFound(_("There is no event “%(slug)s”.") % {"slug": event_id}, field="event")
    return event
