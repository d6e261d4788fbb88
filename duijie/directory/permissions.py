"""Who may manage whose account: the rules of the People page, the invitations and the sign-up decisions.

Three kinds of people manage accounts. The city-wide organiser (an organiser grant without an event) manages
everyone. The organiser of one event manages the organisers and judges of that event. Someone who holds a role
for an organisation (an enterprise's staff, a district government's) manages the people holding that same role
for that same organisation, so an enterprise brings its colleagues without asking the bureau.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from duijie.core.auth import Actor, Grant
from duijie.core.permissions import Predicate, has_people, predicate

# Roles the organiser of one event may give for that event.
EVENT_ROLES = frozenset({"organiser", "judge", "verifier"})


@dataclass(frozen=True)
class Scope:
    """A role and what it covers: the organisation it acts for, the event it is limited to, the district."""

    role: str
    organisation_id: int | None = None
    event_id: int | None = None
    district: str | None = None


def _city(actor: Actor) -> bool:
    return any(g.role == "organiser" and g.event_id is None for g in actor.grants)


def _event_ids(actor: Actor) -> set[int]:
    return {g.event_id for g in actor.grants if g.role == "organiser" and g.event_id is not None}


def _covers(grant: Grant, scope: Scope) -> bool:
    """A member's grant covers a scope of the same role on the same organisation (and district), no event."""
    return (
        grant.organisation_id is not None
        and grant.role == scope.role
        and grant.organisation_id == scope.organisation_id
        and scope.event_id is None
        and (grant.role != "district" or grant.district == scope.district)
    )


def grants_within(actor: Actor, scopes: list[Scope]) -> bool:
    """True if the actor may give (or take away) every one of these scopes: what decides whether an account
    is within the actor's people."""
    if _city(actor):
        return True
    if not scopes:
        return False
    events = _event_ids(actor)
    return all(
        (s.role in EVENT_ROLES and s.event_id is not None and s.event_id in events)
        or any(_covers(g, s) for g in actor.grants)
        for s in scopes
    )


@predicate
def is_city_organiser(actor: Actor, obj: Any) -> bool:
    """An organiser of the whole programme (no event on the grant): approves sign-ups, creates any account."""
    return _city(actor)


@predicate
def can_invite(actor: Actor, scope: Any) -> bool:
    """May invite someone to this scope (a `Scope`)."""
    return isinstance(scope, Scope) and grants_within(actor, [scope])


can_decide_sign_ups: Predicate = is_city_organiser
can_see_people: Predicate = has_people


def _org_id(organisation: Any) -> int | None:
    return getattr(organisation, "id", None)


@predicate
def can_create_organisation(actor: Actor, obj: Any) -> bool:
    """Creates an organisation: the city-wide organiser and the organiser of any event (an event brings in new
    enterprises and investors, and its organiser enters them)."""
    return actor.has_role("organiser")


@predicate
def is_member_of(actor: Actor, organisation: Any) -> bool:
    """Holds a role on this organisation (its enterprise or investor staff, its district government)."""
    org_id = _org_id(organisation)
    return org_id is not None and any(g.organisation_id == org_id for g in actor.grants)


@predicate
def can_edit_organisation(actor: Actor, organisation: Any) -> bool:
    """Edits the organisation's profile: an organiser edits any, a member only its own (not its kind or slug:
    `can_rename_organisation`)."""
    return actor.has_role("organiser") or bool(is_member_of(actor, organisation))


@predicate
def can_rename_organisation(actor: Actor, organisation: Any) -> bool:
    """Changes the organisation's kind or slug (its address, and what the platform takes it for): organisers."""
    return actor.has_role("organiser")
