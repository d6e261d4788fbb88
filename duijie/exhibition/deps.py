"""Route dependencies of the achievements' pages and API: the achievement of the path, as its reader may see it."""

from __future__ import annotations

from fastapi import Depends
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.permissions import is_organiser
from duijie.core.web import allow, get_actor, get_db
from duijie.exhibition import achievements as achievement_service
from duijie.exhibition.models import Achievement
from duijie.exhibition.permissions import can_manage_achievement


def achievement_from_path(
    achievement_id: int, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Achievement:
    """The achievement of the path if its event is visible to the reader, else 404."""
    return achievement_service.get(db, id=achievement_id, actor=actor)


# The organiser of the achievement's event edits and removes it; any organiser may open the form to add one
# (which event it may add to is checked on the event named).
achievement_manager = allow(can_manage_achievement, on=achievement_from_path)
achievement_adder = allow(is_organiser)
