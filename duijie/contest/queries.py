"""Heavier contest reads for the pages: the edition's figures, finalists and winners, rounds with their progress,
judges' loads and queues, conflicts and reviews; each a fixed number of queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from duijie.contest.domain.judges import person_names
from duijie.contest.domain.rankings import FIELD_TOP, RankRow, ranking
from duijie.contest.domain.rounds import list_rounds
from duijie.contest.domain.structure import list_fields, list_regions, synthetic_codes
from duijie.contest.enums import RoundKind
from duijie.contest.models import (
    Award,
    Conflict,
    ContestEntry,
    ContestField,
    ContestRound,
    Judge,
    ReviewAssignment,
    Score,
)
from duijie.core.schemas import paginate_params
from duijie.directory.models import Person
from duijie.events.models import Event, PublishedFigure


@dataclass
class Figure:
    """A figure computed from the records, beside the one the organiser published (if any)."""

    key: str
    computed: str
    published: PublishedFigure | None

    @property
    def published_value(self) -> str:
        """The published number as printed (3164, 40), without exponent or trailing zeros."""
        return f"{self.published.value.normalize():f}" if self.published else ""

    @property
    def ok(self) -> bool | None:
        """Whether the records bear the published figure out: equal, or above it when printed as 超 (over)."""
        if self.published is None:
            return None
        if self.published.qualifier in ("超", "超过"):
            return Decimal(self.computed) > self.published.value
        return self.published_value == self.computed


@dataclass
class Overview:
    """An edition at a glance: its figures, structure and who reached the final."""

    event: Event
    figures: list[Figure]
    international_share: Decimal
    fields: list[ContestField]
    synthetic: set[str]
    final: ContestRound | None


def overview(db: Session, *, event: Event) -> Overview:
    """The edition's figures as sums of its records, next to the published ones."""
    entries, countries, abroad = db.execute(
        select(
            func.count(ContestEntry.id),
            func.count(func.distinct(ContestEntry.country)),
            func.sum(case((ContestEntry.country != "CN", 1), else_=0)),
        ).where(ContestEntry.event_id == event.id)
    ).one()
    rounds = list_rounds(db, event=event)
    final = next((r for r in rounds if r.kind == RoundKind.FINAL.value), None)
    finalists = len(final_entries(db, final)) if final else 0
    fields = list_fields(db, event=event)
    regions = list_regions(db, event=event)
    published = {
        f.key: f for f in db.scalars(select(PublishedFigure).where(PublishedFigure.event_id == event.id))
    }
    computed: dict[str, object] = {
        "entries": entries or 0,
        "countries": countries or 0,
        "regions": len(regions),
        "fields": len([f for f in fields if f.parent_id is None]),
        "preliminary_contests": sum(1 for r in rounds if r.kind == RoundKind.PRELIMINARY.value),
        "finalists": finalists,
    }
    share = (
        (Decimal(abroad or 0) * 100 / Decimal(entries)).quantize(Decimal("0.1")) if entries else Decimal(0)
    )
    computed["international_share"] = share
    return Overview(
        event=event,
        figures=[Figure(k, str(v), published.get(k)) for k, v in computed.items()],
        international_share=share,
        fields=[f for f in fields if f.parent_id is None],
        synthetic=synthetic_codes(db, event=event),
        final=final,
    )


def final_entries(db: Session, final: ContestRound | None) -> list[ContestEntry]:
    """The entries reviewed in the final, with their entrant and field loaded."""
    if final is None:
        return []
    return list(
        db.scalars(
            select(ContestEntry)
            .options(joinedload(ContestEntry.organisation), joinedload(ContestEntry.field))
            .where(
                ContestEntry.id.in_(
                    select(ReviewAssignment.entry_id).where(ReviewAssignment.round_id == final.id)
                )
            )
            .order_by(ContestEntry.code)
        )
    )


def awards(db: Session, *, event: Event) -> list[Award]:
    """The edition's awards, best place first, with entry, entrant, field and region loaded."""
    return list(
        db.scalars(
            select(Award)
            .options(
                joinedload(Award.entry).joinedload(ContestEntry.organisation),
                joinedload(Award.entry).joinedload(ContestEntry.field),
                joinedload(Award.entry).joinedload(ContestEntry.region),
            )
            .where(Award.event_id == event.id)
            .order_by(Award.rank, Award.id)
        )
    )


def finalists(
    db: Session, *, event: Event, final: ContestRound | None
) -> list[tuple[ContestEntry, Award | None]]:
    """The finalists with their award if any: winners first, by place, then the others by field."""
    by_entry = {a.entry_id: a for a in awards(db, event=event)}
    rows = [(e, by_entry.get(e.id)) for e in final_entries(db, final)]
    return sorted(rows, key=lambda r: (r[1].rank if r[1] else 99, r[0].field_id or 0, r[0].code))


def field_top10(db: Session, *, event: Event) -> list[tuple[ContestRound, list[RankRow]]]:
    """The TOP10 of each field, from the field rounds' normalised rankings."""
    out = []
    for rnd in list_rounds(db, event=event):
        if rnd.kind != RoundKind.FIELD_TOP10.value:
            continue
        result = ranking(db, rnd=rnd)
        out.append((rnd, result.rows()[:FIELD_TOP]))
    return out


@dataclass
class RoundProgress:
    """A round with how far its review has come."""

    round: ContestRound
    entries: int
    reviews: int
    submitted: int


def round_progress(db: Session, *, event: Event) -> list[RoundProgress]:
    """Every round of the edition with its counts of entries, reviews and submitted scores (one query)."""
    counts = {
        rid: (n_entries, n_reviews, n_submitted or 0)
        for rid, n_entries, n_reviews, n_submitted in db.execute(
            select(
                ReviewAssignment.round_id,
                func.count(func.distinct(ReviewAssignment.entry_id)),
                func.count(ReviewAssignment.id),
                func.sum(case((Score.submitted_at.is_not(None), 1), else_=0)),
            )
            .join(Score, Score.assignment_id == ReviewAssignment.id, isouter=True)
            .join(ContestRound, ContestRound.id == ReviewAssignment.round_id)
            .where(ContestRound.event_id == event.id)
            .group_by(ReviewAssignment.round_id)
        ).all()
    }
    return [
        RoundProgress(r, *counts.get(r.id, (0, 0, 0))) for r in list_rounds(db, event=event)
    ]


@dataclass
class JudgeLoad:
    """One judge's share of a round."""

    judge: Judge
    person: Person | None
    load: int
    mean_affinity: float
    submitted: int


def judge_loads(db: Session, *, rnd: ContestRound) -> list[JudgeLoad]:
    """The judges of a round with their number of reviews, mean affinity and scores submitted, busiest first."""
    rows = db.execute(
        select(
            ReviewAssignment.judge_id,
            func.count(ReviewAssignment.id),
            func.avg(ReviewAssignment.affinity),
            func.sum(case((Score.submitted_at.is_not(None), 1), else_=0)),
        )
        .join(Score, Score.assignment_id == ReviewAssignment.id, isouter=True)
        .where(ReviewAssignment.round_id == rnd.id)
        .group_by(ReviewAssignment.judge_id)
    ).all()
    judges = {j.id: j for j in db.scalars(select(Judge).where(Judge.id.in_([r[0] for r in rows])))}
    people = person_names(db, judges=judges.values())
    out = [
        JudgeLoad(judges[jid], people.get(jid), n, float(mean or 0), int(done or 0))
        for jid, n, mean, done in rows
    ]
    return sorted(out, key=lambda x: (-x.load, -x.mean_affinity, x.judge.id))


@dataclass
class Review:
    """A review with what a page shows about it."""

    assignment: ReviewAssignment
    round: ContestRound
    entry: ContestEntry
    score: Score | None
    person: Person | None = None

    @property
    def status(self) -> str:
        """todo, draft or submitted, for the queue's badges."""
        if self.score is None:
            return "todo"
        return "submitted" if self.score.locked else "draft"


def _reviews(db: Session, stmt: Any) -> list[Review]:
    rows = db.execute(
        stmt.join(ContestRound, ContestRound.id == ReviewAssignment.round_id)
        .join(ContestEntry, ContestEntry.id == ReviewAssignment.entry_id)
        .join(Score, Score.assignment_id == ReviewAssignment.id, isouter=True)
        .add_columns(ContestRound, ContestEntry, Score)
    ).all()
    return [Review(a, r, e, s) for a, r, e, s in rows]


def judge_queue(db: Session, *, judge: Judge) -> list[Review]:
    """A judge's reviews, open ones first, newest round first."""
    reviews = _reviews(db, select(ReviewAssignment).where(ReviewAssignment.judge_id == judge.id))
    order = {"todo": 0, "draft": 1, "submitted": 2}
    return sorted(reviews, key=lambda r: (order[r.status], -r.round.sequence, -r.round.id, r.entry.code))


def round_reviews(
    db: Session, *, rnd: ContestRound, page: int, page_size: int
) -> tuple[list[Review], int, int, int]:
    """One page of a round's reviews (best affinity first) with judges' names: (items, total, page, pages)."""
    total = db.scalar(select(func.count(ReviewAssignment.id)).where(ReviewAssignment.round_id == rnd.id)) or 0
    page, offset, pages = paginate_params(page, page_size, total)
    reviews = _reviews(
        db,
        select(ReviewAssignment)
        .where(ReviewAssignment.round_id == rnd.id)
        .order_by(ContestEntry.code, ReviewAssignment.affinity.desc(), ReviewAssignment.id)
        .offset(offset)
        .limit(page_size),
    )
    judges = list(db.scalars(select(Judge).where(Judge.id.in_({r.assignment.judge_id for r in reviews}))))
    people = person_names(db, judges=judges)
    for r in reviews:
        r.person = people.get(r.assignment.judge_id)
    return reviews, total, page, pages


@dataclass
class ConflictRow:
    """A conflict with the entry and the judge (and the person behind the judge) it concerns."""

    conflict: Conflict
    entry: ContestEntry
    judge: Judge
    person: Person | None


def conflicts(
    db: Session, *, event: Event, page: int, page_size: int
) -> tuple[list[ConflictRow], int, int, int]:
    """One page of the edition's conflicts with their reasons: (items, total, page, pages)."""
    base = select(Conflict).join(Judge, Judge.id == Conflict.judge_id).where(Judge.event_id == event.id)
    total = db.scalar(select(func.count()).select_from(base.subquery())) or 0
    page, offset, pages = paginate_params(page, page_size, total)
    rows = db.execute(
        base.join(ContestEntry, ContestEntry.id == Conflict.entry_id)
        .add_columns(ContestEntry, Judge)
        .order_by(Conflict.source, Conflict.id)
        .offset(offset)
        .limit(page_size)
    ).all()
    people = person_names(db, judges=[j for _c, _e, j in rows])
    return [ConflictRow(c, e, j, people.get(j.id)) for c, e, j in rows], total, page, pages


def conflict_counts(db: Session, *, event: Event) -> dict[str, int]:
    """How many conflicts of each source the edition has."""
    return dict(
        db.execute(
            select(Conflict.source, func.count(Conflict.id))
            .join(Judge, Judge.id == Conflict.judge_id)
            .where(Judge.event_id == event.id)
            .group_by(Conflict.source)
        ).all()
    )


def judge_count(db: Session, *, event: Event) -> tuple[int, int]:
    """(active judges, all judges) of the edition."""
    active, total = db.execute(
        select(func.sum(case((Judge.active.is_(True), 1), else_=0)), func.count(Judge.id)).where(
            Judge.event_id == event.id
        )
    ).one()
    return int(active or 0), int(total or 0)


def judges_with_ties(db: Session, *, event: Event) -> list[tuple[Judge, Any]]:
    """The edition's judges who have an employment or investment history recorded, with their people."""
    judges = [
        j for j in db.scalars(select(Judge).where(Judge.event_id == event.id).order_by(Judge.id)) if j.ties
    ]
    people = person_names(db, judges=judges)
    return [(j, people.get(j.id)) for j in judges]
