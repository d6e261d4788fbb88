"""Looking up events: the one place that turns a slug into an `Event` (or a translated 404), and the one place
that says which events a reader may see (drafts are their organisers' only)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from duijie.core.auth import ANONYMOUS, Actor
from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.events.models import Event
from duijie.events.permissions import can_see_event, visible_clause


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


def visible_events(db: Session, actor: Actor | None, *, kind: str | None = None) -> list[Event]:
    """The events `actor` may see (published ones, and the drafts it organises), oldest first: what every list of
    events shown to a reader (home page, filters, pickers) is drawn from."""
    stmt = select(Event).where(visible_clause(actor))
    if kind is not None:
        stmt = stmt.where(Event.kind == kind)
    return list(db.scalars(stmt.order_by(Event.starts_on, Event.id)))


def visible_event_ids(actor: Actor | None) -> Select[int]:
    """A subquery of the ids of the events `actor` may see: `Model.event_id.in_(visible_event_ids(actor))` keeps
    the records of a draft event (its sessions, exhibitors, search hits) away from everyone else."""
    return select(Event.id).where(visible_clause(actor))


def get_visible_event(db: Session, *, slug: str, actor: Actor | None, kind: str | None = None) -> Event:
    """`get_event` for a reader: a draft the actor may not see is the same 404 as an event that does not exist,
    so a draft's slug tells nothing."""
    event = get_event(db, slug=slug, kind=kind)
    if not can_see_event(actor or ANONYMOUS, event):
        raise NotFound(_("There is no event “%(slug)s”.") % {"slug": slug}, field="event")
    return event


def find_visible_event(db: Session, *, slug: str | None, actor: Actor | None) -> Event | None:
    """`find_event` for a reader (a filter `?event=slug` on a public list): None when no slug is given, the same
    404 for a draft the actor may not see as for an unknown slug."""
    return get_visible_event(db, slug=slug, actor=actor) if slug else None
