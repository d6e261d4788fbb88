"""Writing audit entries: every state change and edit records who, when, before and after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.models import AuditEntry, Notification


def jsonable(value: Any) -> Any:
    """Values as they go into the JSON columns of the history: decimals and dates as strings."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def record(
    db: Session,
    *,
    actor: Actor,
    entity_type: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    event_id: int | None = None,
    note: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.account_id,
        event_id=event_id,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        before=jsonable(before),
        after=jsonable(after),
        note=note,
    )
    db.add(entry)
    return entry


def notify(
    db: Session, *, account_id: int, kind: str, payload: dict[str, Any], event_id: int | None = None
) -> None:
    db.add(Notification(account_id=account_id, kind=kind, payload=jsonable(payload), event_id=event_id))


def diff(obj: Any, changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (before, after) of the fields that really change."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key, value in changes.items():
        old = getattr(obj, key)
        if old != value:
            before[key] = old
            after[key] = value
    return before, after


def apply(
    db: Session,
    *,
    actor: Actor,
    obj: Any,
    changes: dict[str, Any],
    entity_type: str,
    action: str,
    event_id: int | None = None,
    note: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The audited write: set the fields that really change, flush, and record before and after.

    Returns the (before, after) pair, empty when nothing changed (then nothing is written or recorded), so a
    caller can also notify or keep its own history from the same diff.
    """
    before, after = diff(obj, changes)
    if not after:
        return before, after
    for key, value in after.items():
        setattr(obj, key, value)
    db.flush()
    record(
        db,
        actor=actor,
        entity_type=entity_type,
        entity_id=obj.id,
        action=action,
        before=before,
        after=after,
        event_id=event_id,
        note=note,
    )
    return before, after
