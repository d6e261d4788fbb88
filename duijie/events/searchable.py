"""Search's view of events: records owned by an event are shown on the event's page, and the records of a draft
event are found only by its organisers.

Events themselves are not searched (the search page filters by event instead); the modules whose records live
on an event's page (agenda, exhibition) link their hits with `event_page_urls`, and every kind whose records
belong to an event keeps a draft's records out of other readers' results with `in_visible_events`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.searchable import Searchable, Urls
from duijie.events.models import Event
from duijie.events.service import visible_event_ids

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


def in_visible_events(column: Any, actor: Actor | None, *, optional: bool = False) -> ColumnElement[bool]:
    """The condition a record's `event_id` column meets when `actor` may see its event: add it to a kind's
    `visible` statement (`stmt.where(in_visible_events(Model.event_id, actor))`) so a draft event's records stay
    out of everyone's results but its organisers'. `optional`: records with no event stay visible."""
    condition = column.in_(visible_event_ids(actor))
    return or_(column.is_(None), condition) if optional else condition
