"""Per-event settings as one typed facility: a module declares its keys with a default, then reads and writes
them through the key (matching weights, the scheduler's last run, a job's state ...).

Values are stored as JSON in `event_setting`; an absent key reads as its default, and a value that does not
fit the key's type (a row written by an older version) reads as the default too instead of breaking a page.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from duijie.events.models import EventSetting

T = TypeVar("T")


@dataclass(frozen=True)
class SettingKey(Generic[T]):
    """A declared per-event setting: its stored name, the JSON type it holds and its default."""

    name: str
    kind: type
    default: T

    def get(self, db: Session, *, event_id: int) -> T:
        value = db.scalar(
            select(EventSetting.value).where(EventSetting.event_id == event_id, EventSetting.key == self.name)
        )
        if value is None or not isinstance(value, self.kind):
            return copy.deepcopy(self.default)
        return cast(T, value)

    def is_set(self, db: Session, *, event_id: int) -> bool:
        return (
            db.scalar(
                select(EventSetting.id).where(EventSetting.event_id == event_id, EventSetting.key == self.name)
            )
            is not None
        )

    def put(self, db: Session, *, event_id: int, value: T) -> None:
        """Stores `value` (flushed, committed by the caller's unit of work)."""
        if not isinstance(value, self.kind):
            raise TypeError(f"setting {self.name} holds {self.kind.__name__}, not {type(value).__name__}")
        row = db.scalar(
            select(EventSetting).where(EventSetting.event_id == event_id, EventSetting.key == self.name)
        )
        if row is None:
            db.add(EventSetting(event_id=event_id, key=self.name, value=value))
        else:
            row.value = value
        db.flush()

    def clear(self, db: Session, *, event_id: int) -> None:
        db.execute(delete(EventSetting).where(EventSetting.event_id == event_id, EventSetting.key == self.name))


def setting(name: str, kind: type[T], default: T) -> SettingKey[T]:
    """Declares a setting: `WEIGHTS = setting("matching.weights", dict, {})`."""
    return SettingKey(name=name, kind=kind, default=default)


def raw(db: Session, *, event_id: int, name: str) -> Any:
    """A stored value by name, for tools that list every setting of an event (backups, audits)."""
    return db.scalar(select(EventSetting.value).where(EventSetting.event_id == event_id, EventSetting.key == name))
