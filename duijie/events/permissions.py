"""Who may set up events and who sees a draft.

An organiser grant without an event covers the whole programme: it creates forums and top-level events and
edits every event. A grant limited to one event (`RoleAssignment.event_id`) covers that event and the events
held inside it (a forum's summit, trading days and contest edition): it edits them, adds events inside its
own, and never creates a top-level event. A draft is seen only by the organisers who may edit it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, true

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, is_organiser, predicate
from duijie.events.models import Event


def _chain_ids(event: Any) -> set[int]:
    """The ids of the event and of every event it sits inside (its forum)."""
    ids: set[int] = set()
    current = event
    while current is not None and getattr(current, "id", None) is not None and current.id not in ids:
        ids.add(current.id)
        current = getattr(current, "parent", None)
    return ids


def organises_everything(actor: Actor) -> bool:
    """An organiser grant with no event scope: the city-wide organiser."""
    return any(g.role == "organiser" and g.event_id is None for g in actor.grants)


def scoped_event_ids(actor: Actor) -> set[int]:
    """The events named by the actor's organiser grants that are limited to one event."""
    return {g.event_id for g in actor.grants if g.role == "organiser" and g.event_id is not None}


@predicate
def can_manage_event(actor: Actor, event: Any) -> bool:
    """Edits the event, its figures, publishes or deletes it: the city-wide organiser, or an organiser whose
    grant names the event or the forum it sits in."""
    if organises_everything(actor):
        return True
    return event is not None and bool(scoped_event_ids(actor) & _chain_ids(event))


@predicate
def can_create_event(actor: Actor, parent: Any) -> bool:
    """Creates an event inside `parent` (None: a top-level event, which only the city-wide organiser may)."""
    if parent is None:
        return organises_everything(actor)
    return bool(can_manage_event(actor, parent))


@predicate
def can_see_event(actor: Actor, event: Any) -> bool:
    """A published event is public; a draft is seen by the organisers who may edit it."""
    return bool(getattr(event, "is_published", False)) or bool(can_manage_event(actor, event))


# The management page lists the events an organiser may edit; every organiser has one (it may be empty).
can_open_event_setup: Predicate = is_organiser


def visible_clause(actor: Actor | None) -> ColumnElement[bool]:
    """The SQL condition an `Event` row meets when `actor` may see it: published, or a draft the actor edits.

    Events nest one level (a forum and the events inside it), so a grant on a forum reaches its drafts through
    `parent_id`."""
    if actor is not None and organises_everything(actor):
        return true()
    ids = sorted(scoped_event_ids(actor)) if actor is not None else []
    if not ids:
        return Event.is_published.is_(True)
    return or_(Event.is_published.is_(True), Event.id.in_(ids), Event.parent_id.in_(ids))
