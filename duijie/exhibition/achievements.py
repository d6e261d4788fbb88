"""Achievement releases (成果发布): reads for the public list and page, and the organiser's writes.

An achievement is public when its event is (a draft forum's releases are seen by its organisers only). Every
write is checked against `can_manage_achievement`, recorded in the audit log with before and after, and flushed;
the caller commits. The session an achievement was released at must belong to the same forum.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from duijie.agenda.models import AgendaSession
from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.directory.models import Organisation
from duijie.events.models import Event
from duijie.events.permissions import visible_clause
from duijie.events.service import get_visible_event
from duijie.exhibition.models import Achievement
from duijie.exhibition.permissions import can_manage_achievement
from duijie.exhibition.schemas import AchievementCreate, AchievementUpdate

FIELDS = (
    "title_zh",
    "title_en",
    "institution_zh",
    "institution_en",
    "field",
    "description_zh",
    "description_en",
    "released_on",
    "rank",
    "session_id",
    "media_url",
    "organisation_id",
)


def _visible(actor: Actor | None) -> Select[Achievement]:
    return (
        select(Achievement)
        .join(Event, Achievement.event_id == Event.id)
        .where(visible_clause(actor))
        .options(selectinload(Achievement.event), selectinload(Achievement.session))
    )


def list_achievements(
    db: Session,
    *,
    actor: Actor | None,
    event: str | None = None,
    field: str | None = None,
    q: str | None = None,
) -> list[Achievement]:
    """The released achievements the reader may see, newest forum first, then in the release's own order."""
    stmt = _visible(actor)
    if event:
        stmt = stmt.where(Achievement.event_id == get_visible_event(db, slug=event, actor=actor).id)
    if field:
        stmt = stmt.where(Achievement.field == field)
    if q and q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            or_(
                Achievement.title_zh.like(like),
                Achievement.title_en.like(like),
                Achievement.institution_zh.like(like),
                Achievement.institution_en.like(like),
            )
        )
    order = (Event.starts_on.desc(), Achievement.rank.is_(None), Achievement.rank, Achievement.id)
    return list(db.scalars(stmt.order_by(*order)))


def fields_of(db: Session, *, actor: Actor | None) -> list[str]:
    """The fields the visible achievements name, for the list's filter."""
    stmt = (
        select(Achievement.field)
        .join(Event, Achievement.event_id == Event.id)
        .where(visible_clause(actor), Achievement.field.is_not(None))
        .group_by(Achievement.field)
        .order_by(func.count().desc(), Achievement.field)
    )
    return [f for f in db.scalars(stmt) if f]


def get(db: Session, *, id: int, actor: Actor | None) -> Achievement:
    """The achievement if the reader may see its event; any other is the same 404 as one that does not exist."""
    found = db.scalar(_visible(actor).where(Achievement.id == id))
    if found is None:
        raise NotFound(_("No such achievement: %(id)s") % {"id": id})
    return found


def _check_refs(db: Session, event: Event, values: dict[str, Any]) -> None:
    """The session is one of this forum's (or of an event inside it); the organisation exists."""
    session_id = values.get("session_id")
    if session_id is not None:
        forum_ids = {event.id, event.parent_id} - {None}
        session = db.get(AgendaSession, session_id)
        if session is None or (session.event_id not in forum_ids and session.event_id != event.id):
            raise DomainError(
                _("No session %(id)s in this forum's programme.") % {"id": session_id}, field="session_id"
            )
    org_id = values.get("organisation_id")
    if org_id is not None and db.get(Organisation, org_id) is None:
        raise DomainError(_("No such organisation: %(id)s") % {"id": org_id}, field="organisation_id")


def create(db: Session, *, actor: Actor, data: AchievementCreate, provenance: str = "manual") -> Achievement:
    """Add a released achievement to an event the actor organises."""
    event = get_visible_event(db, slug=data.event, actor=actor)
    require(
        can_manage_achievement, actor, event, message=_("Only the organiser of this event adds its releases.")
    )
    values = data.model_dump(exclude={"event"}, exclude_none=True)
    _check_refs(db, event, values)
    row = Achievement(event_id=event.id, provenance=provenance, **values)
    db.add(row)
    db.flush()
    db.refresh(row, ["event"])
    audit.record(
        db, actor=actor, entity_type="achievement", entity_id=row.id, action="create",
        after={k: getattr(row, k) for k in FIELDS if getattr(row, k) is not None}, event_id=event.id,
    )  # fmt: skip
    return row


def update(db: Session, *, actor: Actor, achievement: Achievement, data: AchievementUpdate) -> Achievement:
    """Change what an achievement says (its event stays)."""
    require(
        can_manage_achievement,
        actor,
        achievement,
        message=_("Only the organiser of this event edits its releases."),
    )
    changes = data.model_dump(exclude_unset=True)
    _check_refs(db, achievement.event, changes)
    before, after = audit.diff(achievement, changes)
    if not after:
        return achievement
    for key, value in after.items():
        setattr(achievement, key, value)
    db.flush()
    audit.record(
        db, actor=actor, entity_type="achievement", entity_id=achievement.id, action="update",
        before=before, after=after, event_id=achievement.event_id,
    )  # fmt: skip
    return achievement


def delete(db: Session, *, actor: Actor, achievement: Achievement) -> None:
    """Remove a release (kept whole in the audit log, so it can be told what was removed)."""
    require(
        can_manage_achievement,
        actor,
        achievement,
        message=_("Only the organiser of this event removes its releases."),
    )
    before = {k: getattr(achievement, k) for k in FIELDS if getattr(achievement, k) is not None}
    audit.record(
        db, actor=actor, entity_type="achievement", entity_id=achievement.id, action="delete", before=before,
        event_id=achievement.event_id,
    )  # fmt: skip
    db.delete(achievement)
    db.flush()
