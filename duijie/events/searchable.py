"""Search's view of events: records owned by an event are shown on the event's page.

Events themselves are not searched (the search page filters by event instead); the modules whose records live
on an event's page (agenda, exhibition) link their hits with `event_page_urls`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.searchable import Searchable, Urls
from duijie.events.models import Event

SEARCHABLE: tuple[Searchable, ...] = ()


def event_page_urls(model: Any) -> Urls:
    """`urls` for event-owned records (a `model` with `event_id`), each shown at `/events/<slug>`."""

    def urls(db: Session, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = db.execute(
            select(model.id, Event.slug).join(Event, model.event_id == Event.id).where(model.id.in_(ids))
        )
        return {rid: f"/events/{slug}" for rid, slug in rows}

    return urls
