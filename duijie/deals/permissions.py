"""Who may see and change deals.

Seeing. A deal is a negotiation until it is signed, so the pipeline is not public: the organiser of the deal's
event (an organiser grant with no event covers every event), the district the deal is located in, the
verifiers of its event and the parties (an account whose organisation is a party) see the deal whole (planned
amounts, status reasons, tasks, history). The evidence of a landing is read by the organiser, the district and
the verifiers only: parties hand it in, they do not read each other's documents. Everyone else, signed in or not, sees only the ANNOUNCED deals: signed or landed and marked public by
the organiser, and of those only what a signing ceremony publishes (parties, project, signed amount, date,
event). `can_see_deal` (one object) and `visible_deals` (a query) say the same thing; every page, the API, the
exports and the sections other pages show use them. The published statistics count every signed deal: their
totals are published as such.

Changing. The organiser of the deal's event, and a district account for the deals located in its own district:
naming itself as a party never lets a district open or manage a deal of another district.

Verifying. Only a verifier (a role the organiser grants, for one event or all) marks a landed deal verified, and
never the account that moved it to landed (four eyes; `deals.service.verify`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, is_district, is_organiser, predicate
from duijie.deals.enums import counts_as_signed
from duijie.deals.models import Deal, DealParty, signed_clause


@predicate
def organises_deal(actor: Actor, deal: Any) -> bool:
    """The organiser of the deal's event (a deal of no event: an unscoped organiser)."""
    event_id = getattr(deal, "event_id", None)
    return any(g.role == "organiser" and g.event_id in (None, event_id) for g in actor.grants)


@predicate
def is_deal_district(actor: Actor, deal: Any) -> bool:
    """A district account, for the deals located in its own district (being a party does not widen it)."""
    district = getattr(deal, "district", None)
    return bool(district) and district in actor.districts()


@predicate
def is_deal_party(actor: Actor, deal: Any) -> bool:
    """An account of an organisation that is a party to the deal (any of its roles)."""
    own = actor.organisations()
    return bool(own) and any(p.organisation_id in own for p in getattr(deal, "parties", None) or [])


@predicate
def is_announced_deal(actor: Actor, deal: Any) -> bool:
    """A signed deal (signed at the forum or further, not lost or abandoned) its organiser has announced."""
    return bool(getattr(deal, "announced", False)) and counts_as_signed(
        str(getattr(deal, "stage", "")), str(getattr(deal, "status", "ongoing"))
    )


@predicate
def verifies_deal(actor: Actor, deal: Any) -> bool:
    """A verifier of the deal's event (a verifier grant with no event covers every event)."""
    event_id = getattr(deal, "event_id", None)
    return any(g.role == "verifier" and g.event_id in (None, event_id) for g in actor.grants)


# Everything about a deal: amounts planned, reasons lost, tasks, history.
sees_deal_internals: Predicate = organises_deal | is_deal_district | verifies_deal | is_deal_party
# The documents of a landing: not the parties (see the module's docstring).
can_see_evidence: Predicate = organises_deal | is_deal_district | verifies_deal
# The deal at all (an announced deal's public facts to everyone else).
can_see_deal: Predicate = sees_deal_internals | is_announced_deal


def visible_deals(actor: Actor) -> ColumnElement[bool]:
    """`can_see_deal` as a WHERE clause: the deals this actor may see, for every list and count of deals."""
    organised = {g.event_id for g in actor.grants if g.role == "organiser"}
    if None in organised:
        return true()
    verified = {g.event_id for g in actor.grants if g.role == "verifier"}
    if None in verified:
        return true()
    clauses: list[ColumnElement[bool]] = [and_(Deal.announced.is_(True), signed_clause())]
    if organised | verified:
        clauses.append(Deal.event_id.in_(sorted(e for e in organised | verified if e is not None)))
    if actor.districts():
        clauses.append(Deal.district.in_(sorted(actor.districts())))
    if actor.organisations():
        clauses.append(
            Deal.id.in_(
                select(DealParty.deal_id).where(DealParty.organisation_id.in_(sorted(actor.organisations())))
            )
        )
    return or_(*clauses)


can_manage_deal: Predicate = organises_deal | is_deal_district
# Evidence is handed in by those who manage the deal and by the verifiers who ask for more.
can_add_evidence: Predicate = organises_deal | is_deal_district | verifies_deal
can_verify_deal: Predicate = verifies_deal
# Only the organiser announces a signing (the summit publishes it).
can_announce_deal: Predicate = organises_deal


# The organiser (of any event) and district accounts open deals; whether they may open THIS deal (its event, its
# district) is then `can_manage_deal` on the new deal, as for each row of an imported sheet.
can_create_deals: Predicate = is_organiser | is_district
