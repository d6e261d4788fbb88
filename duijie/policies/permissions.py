"""Who may author policies, search enterprises for them, and see an enterprise's facts, decisions and suggestions.

Policies, their packages, enterprises' stated facts and eligibility decisions are city-wide records: a policy
applies to enterprises whatever event they come to, and a package shown at an event is still the city's. So
every organiser rule here asks for a city-wide organiser grant (no event scope); an organiser grant scoped to
one event covers that event only (its meetings, contest, deals) and gives no reach over policies.
"""

from __future__ import annotations

from typing import Any

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, predicate


@predicate
def organises_city(actor: Actor, obj: Any) -> bool:
    """An organiser grant without an event scope: the organiser of the whole programme, not of one event."""
    return any(g.role == "organiser" and g.event_id is None for g in actor.grants)


@predicate
def is_district_government(actor: Actor, obj: Any) -> bool:
    """A district account may author the policies of its own district."""
    return bool(actor.districts())


@predicate
def is_policy_district(actor: Actor, policy: Any) -> bool:
    """A district account owns the policies issued for its district."""
    district = getattr(policy, "district", None)
    return district is not None and district in actor.districts()


@predicate
def acts_for_an_enterprise(actor: Actor, obj: Any) -> bool:
    """The account acts for some enterprise (and so has suggestions of its own)."""
    return bool(actor.organisations("enterprise"))


@predicate
def is_the_enterprise(actor: Actor, organisation: Any) -> bool:
    """The account acts for this very enterprise."""
    org_id = getattr(organisation, "id", None)
    return org_id is not None and org_id in actor.organisations("enterprise")


@predicate
def is_enterprise_district(actor: Actor, organisation: Any) -> bool:
    """A district account looks after the enterprises registered in its district (by the directory, else
    by the registered district the enterprise stated for the self-check)."""
    district = getattr(organisation, "district", None) or (getattr(organisation, "facts", None) or {}).get(
        "registered_district"
    )
    return district is not None and district in actor.districts()


can_author_policies: Predicate = organises_city | is_district_government
can_edit_policy: Predicate = organises_city | is_policy_district
# The organiser files policies for any district or for the whole city; a district only for its own.
can_file_city_wide: Predicate = organises_city
can_match_enterprises: Predicate = organises_city
# An organisation's stated facts and kept decisions are its own business and the organiser's.
can_see_decisions: Predicate = organises_city | is_the_enterprise
# The self-check's picker of every enterprise that stated facts.
can_pick_any_enterprise: Predicate = organises_city
# What may apply to an enterprise is its own business, its district's and the organiser's.
can_see_suggestions: Predicate = organises_city | is_enterprise_district | is_the_enterprise
# The suggestions page's picker: the organiser's (every enterprise) or a district's (its own enterprises).
can_pick_enterprises: Predicate = organises_city | is_district_government
# Who the policy list offers the suggestions page to.
can_open_suggestions: Predicate = can_pick_enterprises | acts_for_an_enterprise


@predicate
def may_see_suggestions_for(actor: Actor, organisation: Any) -> bool:
    """The suggestions page: for a chosen enterprise, `can_see_suggestions`; with none chosen (the picker),
    those who may pick one."""
    if organisation is None:
        return can_pick_enterprises(actor, None)
    return can_see_suggestions(actor, organisation)
