"""Who may read the audit log and the sign-in log, and how much of it.

The log tells who changed what across every module, so only organisers read it: a city-wide organiser (a grant
with no event) reads all of it, including the city's own records (policies, enterprises' facts, sheet imports)
and the sign-in log; an organiser scoped to one event reads the entries of that event only.
"""

from __future__ import annotations

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, is_organiser
from duijie.policies.permissions import organises_city

# Any organiser grant, city-wide or scoped to an event (the reach is then narrowed by `audit_scope`); the same
# predicate the site's navigation can ask as `P.is_organiser`.
can_read_audit: Predicate = is_organiser
# Sign-ins are of every account, whatever event it serves: only the city-wide organiser reads them.
can_read_sign_ins: Predicate = organises_city


def audit_scope(actor: Actor) -> frozenset[int] | None:
    """The events whose entries the actor reads: None for all of them (a city-wide organiser), otherwise the
    events of the actor's organiser grants (entries without an event are then out of reach)."""
    if organises_city(actor):
        return None
    return frozenset(g.event_id for g in actor.grants if g.role == "organiser" and g.event_id is not None)
