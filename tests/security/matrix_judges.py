"""Permission-matrix entries for the judges of a contest edition (collected into `matrix.ENTRIES`).

Only the organisers of A's edition (the city-wide one and A's own) list, invite, edit and remove judges; B's
organiser, the judge themself and every other account are refused, and a refused write leaves the judges, their
expertise and their conflicts as they were. Writes act on the world's judge (no submitted score, so removing
them is let through for an organiser). The judge alone edits their own expertise and declares their own
conflicts on their review page.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.contest.models import Conflict, Judge
from tests.security.matrix import EVENT_ORGANISERS, Entry, only
from tests.security.world import World

EDITION = {"slug": "contest_a"}
JUDGE = {"slug": "contest_a", "judge_id": "judge"}


def judges_state(db: Session, w: World) -> Any:
    judge = db.get(Judge, w.judge)
    count = db.scalar(select(func.count()).select_from(Judge))
    return (count, judge.expertise if judge else None, judge.ties if judge else None)


def conflict_count(db: Session, w: World) -> Any:
    return db.scalar(select(func.count()).select_from(Conflict))


def _invite(w: World) -> dict[str, Any]:
    return {"email": "matrix-judge@example.org", "name": "矩阵评委", "expertise": "矩阵"}


def _edit(w: World) -> dict[str, Any]:
    return {"expertise": "矩阵领域", "organisation": "", "ties": "", "active": "1"}


def _conflict(w: World) -> dict[str, Any]:
    return {"entry": w.other_entry_code, "reason": "矩阵申报"}


ENTRIES: tuple[Entry, ...] = (
    Entry("GET", "/contests/{slug}/judges", only(*EVENT_ORGANISERS), at=EDITION),
    Entry("POST", "/contests/{slug}/judges", only(*EVENT_ORGANISERS), at=EDITION, form=_invite, probe=judges_state),
    Entry("POST", "/contests/{slug}/judges/{judge_id}", only(*EVENT_ORGANISERS), at=JUDGE, form=_edit,
          probe=judges_state),
    Entry("POST", "/contests/{slug}/judges/{judge_id}/conflicts", only(*EVENT_ORGANISERS), at=JUDGE, form=_conflict,
          probe=conflict_count),
    Entry("POST", "/contests/{slug}/judges/{judge_id}/remove", only(*EVENT_ORGANISERS), at=JUDGE,
          form=lambda w: {}, probe=judges_state),
    Entry("GET", "/api/v1/contests/{slug}/judges", only(*EVENT_ORGANISERS), at=EDITION),
    Entry("POST", "/api/v1/contests/{slug}/judges", only(*EVENT_ORGANISERS), at=EDITION, json=_invite,
          probe=judges_state),
    Entry("PATCH", "/api/v1/contests/{slug}/judges/{judge_id}", only(*EVENT_ORGANISERS), at=JUDGE,
          json=lambda w: {"expertise": "矩阵领域"}, probe=judges_state),
    Entry("DELETE", "/api/v1/contests/{slug}/judges/{judge_id}", only(*EVENT_ORGANISERS), at=JUDGE,
          probe=judges_state),
    # the judge's own expertise and declared conflicts, on their review page
    Entry("POST", "/contests/{slug}/review/profile", only("judge"), at=EDITION,
          form=lambda w: {"expertise": "矩阵领域"}, probe=judges_state),
    Entry("POST", "/contests/{slug}/review/conflicts", only("judge"), at=EDITION, form=_conflict,
          probe=conflict_count),
)  # fmt: skip
