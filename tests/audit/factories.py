"""Builders for audit entries: what a module's audited write leaves behind, written through `core.audit.record`
(the writer every module uses), with a fixed time when the test is about dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.models import AuditEntry


def entry(
    db: Session,
    *,
    actor: Actor,
    entity_type: str,
    entity_id: int,
    action: str,
    event_id: int | None,
    at: dt.datetime | None = None,
    **values: Any,
) -> AuditEntry:
    """One entry as the module would record it; `at` (aware) backdates it."""
    row = audit.record(
        db, actor=actor, entity_type=entity_type, entity_id=entity_id, action=action, event_id=event_id, **values
    )
    if at is not None:
        row.at = at
    db.flush()
    return row
