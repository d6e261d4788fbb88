"""Who may run a contest (the organiser of that edition) and who may score in it (a judge of that edition).

An organiser grant with no event covers every edition; a grant scoped to one event covers that event only, as
for meetings, deals and marketplace: the organiser of one summit's contest does not run another's.
"""

from __future__ import annotations

from typing import Any

from duijie.core.auth import Actor
from duijie.core.i18n import gettext as _
from duijie.core.permissions import Predicate, organises_event, predicate, require


@predicate
def is_contest_judge(actor: Actor, event: Any) -> bool:
    """A judge account of this edition (or of every edition, when the grant names no event)."""
    event_id = getattr(event, "id", None)
    return any(g.role == "judge" and (g.event_id is None or g.event_id == event_id) for g in actor.grants)


# `event` is the contest edition (an Event).
can_manage_contest: Predicate = organises_event
can_judge: Predicate = is_contest_judge
# Scores, conflicts and the judges' names are kept from the public; the edition's organiser sees all of them.
can_see_reviews: Predicate = organises_event


class _Edition:
    """Stands for an edition known only by its id, for `organises_event`."""

    def __init__(self, event_id: int | None) -> None:
        self.id = event_id


def require_organiser(actor: Actor, event_id: int | None) -> None:
    """The services' own check behind the routes' `allow(can_manage_contest)`: commands, jobs and the demo call
    the services directly, so each write still refuses anyone but the organiser of the edition `event_id`."""
    require(can_manage_contest, actor, _Edition(event_id), message=_("Only the organiser may change the contest."))
