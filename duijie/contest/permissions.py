"""Who may run a contest (the organiser) and who may score in it (a judge of that contest edition)."""

from __future__ import annotations

from typing import Any

from duijie.core.auth import Actor
from duijie.core.i18n import gettext as _
from duijie.core.permissions import Predicate, is_organiser, predicate, require


@predicate
def is_contest_judge(actor: Actor, event: Any) -> bool:
    """A judge account of this edition (or of every edition, when the grant names no event)."""
    event_id = getattr(event, "id", None)
    return any(g.role == "judge" and (g.event_id is None or g.event_id == event_id) for g in actor.grants)


can_manage_contest: Predicate = is_organiser
can_judge: Predicate = is_contest_judge
# Scores, conflicts and the judges' names are kept from the public; the organiser sees all of them.
can_see_reviews: Predicate = is_organiser


def require_organiser(actor: Actor) -> None:
    """The services' own check behind the routes' `allow(can_manage_contest)`: commands, jobs and the demo call
    the services directly, so each write still refuses anyone but the organiser."""
    require(can_manage_contest, actor, message=_("Only the organiser may change the contest."))
