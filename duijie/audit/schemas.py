"""The API's shapes of the audit log: one entry with its codes (for programs) and its words (for people)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from duijie.audit.queries import AuditRow


class ChangeRead(BaseModel):
    """One changed field: its code, its label in the request's language, and the values in words."""

    field: str
    label: str
    before: str | None
    after: str | None


class AuditEntryRead(BaseModel):
    """Who changed what and when; the entity's page (`url`) where it has one."""

    id: int
    at: dt.datetime
    actor_id: int | None
    actor: str
    actor_username: str | None
    event: str | None
    entity_type: str
    entity_label: str
    entity_id: int
    entity: str
    url: str | None
    action: str
    action_label: str
    changes: list[ChangeRead]
    note: str | None

    @classmethod
    def of(cls, row: AuditRow) -> AuditEntryRead:
        return cls(
            id=row.id,
            at=row.at,
            actor_id=row.actor_id,
            actor=row.actor,
            actor_username=row.actor_username,
            event=row.event,
            entity_type=row.kind,
            entity_label=row.kind_label,
            entity_id=row.entity_id,
            entity=row.entity,
            url=row.entity_url,
            action=row.action,
            action_label=row.action_label,
            changes=[ChangeRead(field=c.key, label=c.label, before=c.before, after=c.after) for c in row.changes],
            note=row.note,
        )
