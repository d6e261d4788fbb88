"""Permission-matrix entries for the routes of an organisation's stated facts and preferences and of declaring and
withdrawing a conflict of interest (collected into `matrix.ENTRIES`).

An organisation's facts and preferences are read back by those who may edit them: the organisers and the world's
enterprise's own staff; nobody else sees them (revenue and tickets are not public). A declared conflict is
withdrawn by the organisers of A's edition, or by the judge concerned on their review page and through the API;
a refused withdrawal leaves the conflicts as they were.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.contest.models import Conflict
from tests.security.matrix import EVENT_ORGANISERS, ORGANISERS, Entry, empty, only
from tests.security.world import World

EDITORS = (*ORGANISERS, "enterprise")
ENTERPRISE = {"slug": "enterprise_slug"}
CONFLICT = {"slug": "contest_a", "judge_id": "judge", "conflict_id": "declared_conflict"}
OWN_CONFLICT = {"slug": "contest_a", "conflict_id": "declared_conflict"}


def conflict_count(db: Session, w: World) -> Any:
    return db.scalar(select(func.count()).select_from(Conflict))


ENTRIES: tuple[Entry, ...] = (
    Entry("GET", "/api/v1/organisations/{slug}/data", only(*EDITORS), at=ENTERPRISE),
    # a declared conflict (world_conflicts.py): the edition's organisers withdraw any, the judge their own
    Entry("POST", "/contests/{slug}/judges/{judge_id}/conflicts/{conflict_id}/withdraw", only(*EVENT_ORGANISERS),
          at=CONFLICT, form=empty, probe=conflict_count),
    Entry("POST", "/contests/{slug}/review/conflicts/{conflict_id}/withdraw", only("judge"), at=OWN_CONFLICT,
          form=empty, probe=conflict_count),
    Entry("POST", "/api/v1/contests/{slug}/judges/{judge_id}/conflicts", only(*EVENT_ORGANISERS),
          at={"slug": "contest_a", "judge_id": "judge"},
          json=lambda w: {"entry": w.other_entry_code, "reason": "矩阵申报"}, probe=conflict_count),
    Entry("DELETE", "/api/v1/contests/{slug}/judges/{judge_id}/conflicts/{conflict_id}",
          only(*EVENT_ORGANISERS, "judge"), at=CONFLICT, probe=conflict_count),
)  # fmt: skip
