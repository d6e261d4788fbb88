"""Records the conflict-withdrawal routes act on: a conflict the judge declared with an entry of A's edition that
no round has reviewed yet (so the judge may still withdraw it); `w.declared_conflict` is its number."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.contest.models import Conflict, Judge
from tests.contest import factories as contest_factories


def extend(db: Session, w: Any) -> None:
    judge = db.get(Judge, w.judge)
    assert judge is not None
    edition = db.scalar(select(type(w.events["a"])).where(type(w.events["a"]).slug == w.contest_a))
    entry = contest_factories.entry(db, event=edition)
    conflict = Conflict(judge_id=judge.id, entry_id=entry.id, reason="declared: 矩阵回避", source="declared")
    db.add(conflict)
    db.flush()
    w.extra["declared_conflict"] = conflict.id
