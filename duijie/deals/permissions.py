"""Who may change deals: the organiser, and a district account for deals in its district or with its
organisation as a party. Everyone else reads."""

from __future__ import annotations

from typing import Any

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, is_organiser, predicate


@predicate
def is_deal_district(actor: Actor, deal: Any) -> bool:
    """A district account manages the deals located in its district or where its organisation is a party."""
    if deal is None or not actor.has_role("district"):
        return False
    if getattr(deal, "district", None) and deal.district in actor.districts():
        return True
    own = actor.organisations("district")
    return any(p.organisation_id in own for p in getattr(deal, "parties", []) or [])


can_manage_deal: Predicate = is_organiser | is_deal_district


@predicate
def can_create_deals(actor: Actor, obj: Any) -> bool:
    """The organiser and district accounts open deals; a district only in its own district (checked on the deal)."""
    return actor.has_role("organiser") or actor.has_role("district")
