"""Who may see and act on matches: the organiser, and whoever speaks for the record being matched."""

from __future__ import annotations

from typing import Any

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, organises_event, predicate
from duijie.core.web import allow
from duijie.events.deps import event_from_slug
from duijie.marketplace.permissions import can_edit_opportunity
from duijie.matching.profiles import OPPORTUNITY_KINDS


@predicate
def acts_for_left(actor: Actor, target: Any) -> bool:
    """An account speaks for its own organisation, its meeting participants, and the opportunities its
    organisation owns (a technology demand's owner acts for the demand); districts also for their projects.
    `target` is `(kind, record)` or `(kind, record, event)`."""
    kind, record = target[0], target[1]
    if kind in ("investor", "enterprise"):
        return record.id in actor.organisations()
    if kind in OPPORTUNITY_KINDS:
        return record.owner_org_id in actor.organisations() or can_edit_opportunity(actor, record)
    if kind == "participant":
        return record.organisation.id in actor.organisations()
    return False


@predicate
def organises_record(actor: Actor, target: Any) -> bool:
    """An organiser of every event, or of the event the suggestions are asked for: the record's own event (a
    project, a meeting participant) or the event named with it, `target` being `(kind, record)` or
    `(kind, record, event)`; an organisation asked about without an event is for an organiser of every event."""
    record = target[1]
    event = target[2] if len(target) > 2 else None
    event_id = getattr(record, "event_id", None) or getattr(event, "id", None)
    return any(
        g.role == "organiser" and (g.event_id is None or (event_id is not None and g.event_id == event_id))
        for g in actor.grants
    )


can_see_matches: Predicate = organises_record | acts_for_left
"""Whether an account may see a record's suggestions and tell them "not interested"."""

can_run_matching: Predicate = organises_event
"""The event's matching page, weights and recompute: an organiser of every event or of this one."""

organiser_of_event = allow(can_run_matching, on=event_from_slug)
"""The route dependency of the organiser's matching routes of the event named in the path."""
