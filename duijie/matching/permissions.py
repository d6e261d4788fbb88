"""Who may see and act on matches: the organiser, and whoever speaks for the record being matched."""

from __future__ import annotations

from typing import Any

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, is_organiser, organises_event, predicate
from duijie.core.web import allow
from duijie.events.deps import event_from_slug
from duijie.marketplace.permissions import can_edit_opportunity
from duijie.matching.profiles import OPPORTUNITY_KINDS


@predicate
def acts_for_left(actor: Actor, target: Any) -> bool:
    """An account speaks for its own organisation, its meeting participants, and the opportunities its
    organisation owns (a technology demand's owner acts for the demand); districts also for their projects.
    `target` is `(kind, record)`."""
    kind, record = target
    if kind in ("investor", "enterprise"):
        return record.id in actor.organisations()
    if kind in OPPORTUNITY_KINDS:
        return record.owner_org_id in actor.organisations() or can_edit_opportunity(actor, record)
    if kind == "participant":
        return record.organisation.id in actor.organisations()
    return False


can_see_matches: Predicate = is_organiser | acts_for_left
"""Whether an account may see a record's suggestions and tell them "not interested"."""

can_run_matching: Predicate = organises_event
"""The event's matching page, weights and recompute: an organiser of every event or of this one."""

organiser_of_event = allow(can_run_matching, on=event_from_slug)
"""The route dependency of the organiser's matching routes of the event named in the path."""
