"""Route dependencies of events: load the event named in the path once, or answer 404 in the page's language."""

from __future__ import annotations

from fastapi import Depends
from sqlalchemy.orm import Session

from duijie.core.web import get_db
from duijie.events.models import Event
from duijie.events.service import get_event


def event_from_slug(slug: str, db: Session = Depends(get_db)) -> Event:
    """`event: Event = Depends(event_from_slug)` in a route whose path holds `{slug}`."""
    return get_event(db, slug=slug)
