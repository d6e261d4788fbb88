"""Who may see and change opportunities: the organiser of the project's event, and the district government
that owns the project. The same two read the projects' contacts in bulk (the exports); everyone else's export
has no contact columns.

An organiser grant with no event covers every event; a grant scoped to one event (`Grant.event_id`) covers
only that event's projects, as in meetings.
"""

from __future__ import annotations

from typing import Any

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, is_district, is_organiser, predicate


def organised_event_ids(actor: Actor) -> set[int | None]:
    """The events the actor organises; None among them means every event (an unscoped grant)."""
    return {g.event_id for g in actor.grants if g.role == "organiser"}


@predicate
def organises_opportunity(actor: Actor, opportunity: Any) -> bool:
    """The organiser of the event that released the project (a project of no event: an unscoped organiser)."""
    event_id = getattr(opportunity, "event_id", None)
    return any(g.role == "organiser" and g.event_id in (None, event_id) for g in actor.grants)


@predicate
def is_owning_district(actor: Actor, opportunity: Any) -> bool:
    """A district account owns the projects located in its district or owned by its organisation."""
    if opportunity is None:
        return False
    if opportunity.district and opportunity.district in actor.districts():
        return True
    owner = getattr(opportunity, "owner_org_id", None)
    return owner is not None and owner in actor.organisations("district")


can_edit_opportunity: Predicate = organises_opportunity | is_owning_district


@predicate
def can_see_drafts(actor: Actor, opportunity: Any) -> bool:
    return can_edit_opportunity(actor, opportunity)


# The exports of project lists carry contact columns for the organiser and the district governments only; each
# row's contact is then filled where the reader may edit that project (its event's organiser, its district).
can_export_contacts: Predicate = is_organiser | is_district
can_read_contact_in_bulk: Predicate = can_edit_opportunity
