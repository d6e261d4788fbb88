"""Who may see and change opportunities: the organiser, and the district government that owns the project."""

from __future__ import annotations

from typing import Any

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, is_organiser, predicate


@predicate
def is_owning_district(actor: Actor, opportunity: Any) -> bool:
    """A district account owns the projects located in its district or owned by its organisation."""
    if opportunity is None:
        return False
    if opportunity.district and opportunity.district in actor.districts():
        return True
    owner = getattr(opportunity, "owner_org_id", None)
    return owner is not None and owner in actor.organisations("district")


can_edit_opportunity: Predicate = is_organiser | is_owning_district


@predicate
def can_see_drafts(actor: Actor, opportunity: Any) -> bool:
    return can_edit_opportunity(actor, opportunity)
