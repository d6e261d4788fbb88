"""Who may change deals: the organiser of the deal's event, and a district account for deals in its district
or with its organisation as a party. Everyone else reads.

An organiser grant with no event covers every event; a grant scoped to one event (`Grant.event_id`) covers
only that event's deals, as in meetings.
"""

from __future__ import annotations

from typing import Any

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, is_district, is_organiser, predicate


@predicate
def organises_deal(actor: Actor, deal: Any) -> bool:
    """The organiser of the deal's event (a deal of no event: an unscoped organiser)."""
    event_id = getattr(deal, "event_id", None)
    return any(g.role == "organiser" and g.event_id in (None, event_id) for g in actor.grants)


@predicate
def is_deal_district(actor: Actor, deal: Any) -> bool:
    """A district account manages the deals located in its district or where its organisation is a party."""
    if deal is None or not actor.has_role("district"):
        return False
    if getattr(deal, "district", None) and deal.district in actor.districts():
        return True
    own = actor.organisations("district")
    return any(p.organisation_id in own for p in getattr(deal, "parties", []) or [])


can_manage_deal: Predicate = organises_deal | is_deal_district


# The organiser (of any event) and district accounts open deals; whether they may manage the new deal (its
# event, its district) is then checked on the deal, as each row of an imported sheet is.
can_create_deals: Predicate = is_organiser | is_district
