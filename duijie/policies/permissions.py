"""Who may author policies, search enterprises for them and see an organisation's eligibility decisions."""

from __future__ import annotations

from typing import Any

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, is_organiser, predicate


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


can_author_policies: Predicate = is_organiser | is_district_government
can_edit_policy: Predicate = is_organiser | is_policy_district
can_match_enterprises: Predicate = is_organiser
# An organisation's stated facts and kept decisions are its own business and the organiser's.
can_see_decisions: Predicate = is_organiser | is_the_enterprise
# What may apply to an enterprise is its own business, its district's and the organiser's.
can_see_suggestions: Predicate = is_organiser | is_enterprise_district | is_the_enterprise
