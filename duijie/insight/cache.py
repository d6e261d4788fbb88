"""Computed statistics kept in memory until the records change.

Figures are always sums of the records: an entry is reused only while the database's data version is the
one it was computed at. The version is read with one cheap query per request (the newest project, deal and
audit entry: every write of the services records an audit entry, with its time); it changes with every
write, is reverted with a rolled-back one, and is read from the database, so several web workers each keep
their own cache without ever serving another worker's stale figures.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.models import AuditEntry
from duijie.deals.models import Deal
from duijie.marketplace.models import Opportunity

T = TypeVar("T")
MAX_ENTRIES = 256

_entries: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()


def data_version(db: Session) -> tuple[Any, ...]:
    """What changes whenever a project, a deal or anything audited changes (four primary-key lookups)."""
    latest = select(AuditEntry.id, AuditEntry.at).order_by(AuditEntry.id.desc()).limit(1).subquery()
    row = db.execute(
        select(
            select(func.max(Opportunity.id)).scalar_subquery(),
            select(func.max(Deal.id)).scalar_subquery(),
            select(latest.c.id).scalar_subquery(),
            select(latest.c.at).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def cached(db: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`'s result for `key` at the database's current data version."""
    bind = db.get_bind()
    full_key = (str(bind.engine.url), key, data_version(db))
    with _lock:
        if full_key in _entries:
            _entries.move_to_end(full_key)
            return _entries[full_key]
    value = compute()
    with _lock:
        _entries[full_key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
