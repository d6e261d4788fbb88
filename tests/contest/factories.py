"""Builders for contest rows (an edition, its fields, rounds, entries, judges, reviews and scores), beside the
shared ones in `tests/factories.py`: a test arranges a small contest of its own instead of leaning on the demo.

Like the shared builders they write through the ORM with sensible defaults and unique codes, and flush.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from duijie.contest.models import (
    Award,
    ContestEntry,
    ContestField,
    ContestRound,
    Judge,
    ReviewAssignment,
    Score,
)
from duijie.directory.models import Account, Organisation
from duijie.events.models import Event
from tests import factories

_serial = itertools.count(1)

CRITERIA = [
    {"code": "tech", "name_zh": "技术", "name_en": "Technology", "weight": 60.0},
    {"code": "team", "name_zh": "团队", "name_en": "Team", "weight": 40.0},
]


def _n() -> int:
    return next(_serial)


def _add(db: Session, row: Any) -> Any:
    db.add(row)
    db.flush()
    return row


def contest(db: Session, **values: Any) -> Event:
    """A contest edition."""
    return factories.event(db, **{"kind": "contest", **values})


def contest_field(db: Session, *, event: Event, **values: Any) -> ContestField:
    n = _n()
    return _add(
        db,
        ContestField(
            **{
                "event_id": event.id,
                "code": f"f{n}",
                "name_zh": f"领域{n}",
                "name_en": f"Field {n}",
                **values,
            }
        ),
    )


def contest_round(
    db: Session, *, event: Event, field: ContestField | None = None, **values: Any
) -> ContestRound:
    """A preliminary round of `field` (or the final, with kind="final"), two criteria, two judges per entry."""
    n = _n()
    fields: dict[str, Any] = {
        "event_id": event.id,
        "kind": "preliminary",
        "name_zh": f"测试轮次{n}",
        "name_en": f"Test round {n}",
        "field_id": field.id if field else None,
        "criteria": CRITERIA,
        "judges_per_entry": 2,
        "max_per_judge": 10,
        "advance_count": 1,
    }
    fields.update(values)
    return _add(db, ContestRound(**fields))


def entry(
    db: Session,
    *,
    event: Event,
    field: ContestField | None = None,
    organisation: Organisation | None = None,
    **values: Any,
) -> ContestEntry:
    """An eligible entry (waiting for its preliminary round) of a new entrant unless one is given."""
    n = _n()
    entrant = organisation or factories.organisation(db)
    fields: dict[str, Any] = {
        "event_id": event.id,
        "code": f"T{n:05d}",
        "organisation_id": entrant.id,
        "title_zh": f"测试项目{n}：固态电池电解质",
        "description": f"项目{n}研发用于储能的固态电池电解质材料。",
        "field_id": field.id if field else None,
        "state": "eligible",
        "submitted_at": dt.datetime(2023, 5, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n),
    }
    fields.update(values)
    return _add(db, ContestEntry(**fields))


def judge(db: Session, *, event: Event, **values: Any) -> tuple[Judge, Account]:
    """A judge of the edition with a login (role judge, scoped to the edition); its password is
    `factories.PASSWORD`."""
    login = factories.account(db, role="judge", event=event)
    fields: dict[str, Any] = {
        "event_id": event.id,
        "person_id": login.person_id,
        "expertise": "储能材料与固态电池的产业化评审。",
        "country": "CN",
    }
    fields.update(values)
    return _add(db, Judge(**fields)), login


def review(
    db: Session, *, rnd: ContestRound, judge: Judge, entry: ContestEntry, affinity: float = 0.5, **values: Any
) -> ReviewAssignment:
    return _add(
        db,
        ReviewAssignment(
            **{
                "round_id": rnd.id,
                "judge_id": judge.id,
                "entry_id": entry.id,
                "affinity": affinity,
                "explanation": "测试理由\ntest reason",
                **values,
            }
        ),
    )


def score(
    db: Session, *, row: ReviewAssignment, marks: dict[str, float], comment: str | None = None
) -> Score:
    """A submitted, locked score with the weighted total of `CRITERIA`."""
    total = sum(marks[c["code"]] * c["weight"] for c in CRITERIA) / sum(c["weight"] for c in CRITERIA)
    return _add(
        db,
        Score(
            assignment_id=row.id,
            values=marks,
            total=Decimal(str(round(total, 2))),
            comment=comment,
            submitted_at=dt.datetime(2023, 6, 1, tzinfo=dt.UTC),
            locked=True,
        ),
    )


def award(db: Session, *, entry: ContestEntry, rank: int = 1, **values: Any) -> Award:
    n = _n()
    return _add(
        db,
        Award(
            **{
                "event_id": entry.event_id,
                "entry_id": entry.id,
                "rank": rank,
                "name_zh": f"测试奖{n}",
                "support": [],
                **values,
            }
        ),
    )
