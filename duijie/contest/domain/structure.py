"""Fields (and their sub-tracks) and regions of a contest edition, and which of them are generated sample data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.contest.models import ContestField, ContestRegion
from duijie.contest.permissions import require_organiser
from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.events.models import Event
from duijie.events.settings import setting

SYNTHETIC_STRUCTURE_KEY = "contest.synthetic_structure"
SYNTHETIC_STRUCTURE = setting(SYNTHETIC_STRUCTURE_KEY, list, [])
CODE_MAX = 40
NAME_MAX = 120


def list_fields(db: Session, *, event: Event) -> list[ContestField]:
    """The edition's fields and sub-tracks, in the order they were created."""
    return list(
        db.scalars(select(ContestField).where(ContestField.event_id == event.id).order_by(ContestField.id))
    )


def list_regions(db: Session, *, event: Event) -> list[ContestRegion]:
    """The edition's regions, in the order they were created."""
    return list(
        db.scalars(select(ContestRegion).where(ContestRegion.event_id == event.id).order_by(ContestRegion.id))
    )


def synthetic_codes(db: Session, *, event: Event) -> set[str]:
    """Codes of the fields and regions that are generated sample data rather than taken from a source."""
    return set(SYNTHETIC_STRUCTURE.get(db, event_id=event.id))


def _names(code: str, name_zh: str, name_en: str | None) -> tuple[str, str, str | None]:
    """The trimmed code and names, refusing an empty or over-long code or Chinese name."""
    code, name_zh, name_en = code.strip(), name_zh.strip(), (name_en or "").strip() or None
    if not code:
        raise DomainError(_("Enter a code."), field="code")
    if len(code) > CODE_MAX or any(ch.isspace() for ch in code):
        raise DomainError(
            _("A code has at most %(n)s characters and no spaces.") % {"n": CODE_MAX}, field="code"
        )
    if not name_zh:
        raise DomainError(_("Enter the Chinese name."), field="name_zh")
    if len(name_zh) > NAME_MAX or (name_en and len(name_en) > NAME_MAX):
        raise DomainError(_("A name has at most %(n)s characters.") % {"n": NAME_MAX}, field="name_zh")
    return code, name_zh, name_en


def record_created(db: Session, *, actor: Actor, entity_type: str, obj: Any, values: dict[str, Any]) -> None:
    """Flush a new field, region or round and record its creation with the values it was created with."""
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type=entity_type,
        entity_id=obj.id,
        action="create",
        after=values,
        event_id=obj.event_id,
    )


def save_field(
    db: Session,
    *,
    actor: Actor,
    event: Event,
    code: str,
    name_zh: str,
    name_en: str | None,
    parent_id: int | None = None,
    field_obj: ContestField | None = None,
) -> ContestField:
    """Create a field, or a sub-track when it has a parent field, or change one; codes are unique per edition."""
    require_organiser(actor, event.id)
    code, name_zh, name_en = _names(code, name_zh, name_en)
    clash = db.scalar(
        select(ContestField.id).where(ContestField.event_id == event.id, ContestField.code == code)
    )
    if clash is not None and (field_obj is None or clash != field_obj.id):
        raise DomainError(_("Another field already has the code %(code)s.") % {"code": code}, field="code")
    if parent_id is not None:
        parent = db.get(ContestField, parent_id)
        if parent is None or parent.event_id != event.id:
            raise DomainError(_("Choose a field of this contest."), field="parent_id")
        if parent.parent_id is not None or (field_obj is not None and parent.id == field_obj.id):
            raise DomainError(_("A sub-track belongs to a top-level field."), field="parent_id")
        if field_obj is not None and db.scalar(
            select(ContestField.id).where(ContestField.parent_id == field_obj.id).limit(1)
        ):
            raise DomainError(_("A field with sub-tracks cannot become a sub-track."), field="parent_id")
    values = {"code": code, "name_zh": name_zh, "name_en": name_en, "parent_id": parent_id}
    if field_obj is None:
        field_obj = ContestField(event_id=event.id, **values)
        db.add(field_obj)
        record_created(db, actor=actor, entity_type="contest_field", obj=field_obj, values=values)
        return field_obj
    audit.apply(
        db,
        actor=actor,
        obj=field_obj,
        changes=values,
        entity_type="contest_field",
        action="update",
        event_id=field_obj.event_id,
    )
    return field_obj


def save_region(
    db: Session,
    *,
    actor: Actor,
    event: Event,
    code: str,
    name_zh: str,
    name_en: str | None,
    region: ContestRegion | None = None,
) -> ContestRegion:
    """Create or change a region (赛区); codes are unique per edition."""
    require_organiser(actor, event.id)
    code, name_zh, name_en = _names(code, name_zh, name_en)
    clash = db.scalar(
        select(ContestRegion.id).where(ContestRegion.event_id == event.id, ContestRegion.code == code)
    )
    if clash is not None and (region is None or clash != region.id):
        raise DomainError(_("Another region already has the code %(code)s.") % {"code": code}, field="code")
    values = {"code": code, "name_zh": name_zh, "name_en": name_en}
    if region is None:
        region = ContestRegion(event_id=event.id, **values)
        db.add(region)
        record_created(db, actor=actor, entity_type="contest_region", obj=region, values=values)
        return region
    audit.apply(
        db,
        actor=actor,
        obj=region,
        changes=values,
        entity_type="contest_region",
        action="update",
        event_id=region.event_id,
    )
    return region
