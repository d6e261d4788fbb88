"""Route dependencies of events: load the event named in the path once, or answer 404 in the page's language."""

from __future__ import annotations

from fastapi import Depends
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.web import get_actor, get_db
from duijie.events.models import Event
from duijie.events.service import get_visible_event


def event_from_slug(slug: str, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)) -> Event:
    """`event: Event = Depends(event_from_slug)` in a route whose path holds `{slug}`.

    A draft is found only by the organisers who may edit it; for everyone else it is the same 404 as a slug that
    names nothing, on every page and API route that loads its event this way."""
    return get_visible_event(db, slug=slug, actor=actor)
