"""`/api/v1/achievements`: the achievements released at the forums, public as their events are; the organiser of
an event adds, edits and removes its releases."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.schemas import ErrorBody
from duijie.core.web import get_actor, get_db
from duijie.exhibition import achievements as achievement_service
from duijie.exhibition.deps import achievement_adder, achievement_from_path, achievement_manager
from duijie.exhibition.models import Achievement
from duijie.exhibition.schemas import AchievementCreate, AchievementRead, AchievementUpdate

router = APIRouter(
    prefix="/api/v1/achievements",
    tags=["exhibition"],
    responses={403: {"model": ErrorBody}, 404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)


@router.get("", response_model=list[AchievementRead])
def list_achievements(
    event: str | None = None,
    field: str | None = None,
    q: str | None = None,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> list[AchievementRead]:
    """Public on purpose: the released achievements of the events the reader may see (`event` narrows to one)."""
    rows = achievement_service.list_achievements(db, actor=actor, event=event, field=field, q=q)
    return [AchievementRead.model_validate(r) for r in rows]


@router.get("/{achievement_id}", response_model=AchievementRead)
def get_achievement(achievement: Achievement = Depends(achievement_from_path)) -> AchievementRead:
    """Public on purpose: one released achievement (404 for a draft event's, to all but its organisers)."""
    return AchievementRead.model_validate(achievement)


@router.post("", response_model=AchievementRead, status_code=201)
def create_achievement(
    body: AchievementCreate, db: Session = Depends(get_db), actor: Actor = Depends(achievement_adder)
) -> AchievementRead:
    """Add a released achievement to an event the caller organises (`event` is its slug)."""
    return AchievementRead.model_validate(achievement_service.create(db, actor=actor, data=body))


@router.patch("/{achievement_id}", response_model=AchievementRead)
def update_achievement(
    body: AchievementUpdate,
    actor: Actor = Depends(achievement_manager),
    achievement: Achievement = Depends(achievement_from_path),
    db: Session = Depends(get_db),
) -> AchievementRead:
    """Edit a released achievement (its event's organiser)."""
    return AchievementRead.model_validate(
        achievement_service.update(db, actor=actor, achievement=achievement, data=body)
    )


@router.delete("/{achievement_id}", status_code=204)
def delete_achievement(
    actor: Actor = Depends(achievement_manager),
    achievement: Achievement = Depends(achievement_from_path),
    db: Session = Depends(get_db),
) -> Response:
    """Remove a released achievement (its event's organiser); the audit log keeps what it said."""
    achievement_service.delete(db, actor=actor, achievement=achievement)
    return Response(status_code=204)
