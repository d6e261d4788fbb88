"""Who may do what with the exhibition's records. Released achievements are public once their event is; the
organiser of the event (or of the forum it sits in, or of the whole programme) adds, edits and removes them."""

from __future__ import annotations

from typing import Any

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, predicate
from duijie.events.permissions import can_manage_event


@predicate
def manages_achievement(actor: Actor, achievement: Any) -> bool:
    """The organiser of the achievement's event (an achievement given as its event, before it exists)."""
    return bool(can_manage_event(actor, getattr(achievement, "event", achievement)))


can_manage_achievement: Predicate = manages_achievement
