"""`/api/v1/contests`: an edition's figures and winners, running a round's assignment, its ranking, and scoring."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from duijie.contest import queries
from duijie.contest import service as contest_service
from duijie.contest.permissions import can_manage_contest
from duijie.core.auth import Actor
from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.core.schemas import ErrorBody
from duijie.core.web import get_actor, get_db

router = APIRouter(
    prefix="/api/v1/contests",
    tags=["contests"],
    responses={
        403: {"model": ErrorBody},
        404: {"model": ErrorBody},
        409: {"model": ErrorBody},
        422: {"model": ErrorBody},
    },
)


class FigureRead(BaseModel):
    """A figure counted from the records, with the published one."""

    key: str
    computed: str
    published: str | None


class ContestRead(BaseModel):
    """An edition's figures and fields."""

    slug: str
    name_zh: str
    name_en: str | None
    figures: list[FigureRead]
    international_share_percent: float
    fields: list[str]


class AwardRead(BaseModel):
    """An award with its entry, entrant and the support given."""

    rank: int
    name_zh: str
    name_en: str | None
    prize_zh: str | None
    entry_code: str
    entrant: str | None
    field: str | None
    support: list[str]


class AssignmentRequest(BaseModel):
    """The objective of the assignment and the least number of entries per judge."""

    objective: Literal["total", "fair"] = "total"
    min_per_judge: int = Field(0, ge=0)


class RunRead(BaseModel):
    """The assignment's summary with its optimality certificate."""

    objective: str
    entries: int
    judges: int
    pairs: int
    conflicts: int
    total_affinity: float
    mean_affinity: float
    min_affinity: float
    min_entry_total: float
    load_min: int
    load_max: int
    judges_used: int
    method: str
    value: float
    upper_bound: float
    exact: bool
    gap: float
    detail: str
    loads: dict[str, int]


class RankRead(BaseModel):
    """One ranked entry: raw and normalised side by side, and what separated it from the one above."""

    entry_code: str
    group: str
    rank: int
    normalised: float
    raw_mean: float
    zscore: float
    n_scores: int
    separated_by: str | None
    advances: bool


class RankingRead(BaseModel):
    """A round's ranking and how many of its scores are in."""

    method: str
    submitted: int
    expected: int
    items: list[RankRead]


class ScoreWrite(BaseModel):
    """A judge's marks per criterion code; submit locks the score."""

    marks: dict[str, float]
    comment: str | None = None
    submit: bool = False


class ScoreRead(BaseModel):
    """A saved score."""

    assignment_id: int
    values: dict[str, float]
    total: float | None
    locked: bool


@router.get("/{slug}", response_model=ContestRead)
def get_contest(slug: str, db: Session = Depends(get_db)) -> ContestRead:
    """An edition's figures from its records, beside the published ones."""
    event = contest_service.get_event(db, slug=slug)
    ov = queries.overview(db, event=event)
    return ContestRead(
        slug=event.slug,
        name_zh=event.name_zh,
        name_en=event.name_en,
        figures=[
            FigureRead(
                key=f.key,
                computed=f.computed,
                published=f.published_value or None,
            )
            for f in ov.figures
        ],
        international_share_percent=float(ov.international_share),
        fields=[f.name_zh for f in ov.fields],
    )


@router.get("/{slug}/winners", response_model=list[AwardRead])
def get_winners(slug: str, db: Session = Depends(get_db)) -> list[AwardRead]:
    """The edition's awards, best place first, with the support each winner received."""
    event = contest_service.get_event(db, slug=slug)
    return [
        AwardRead(
            rank=a.rank,
            name_zh=a.name_zh,
            name_en=a.name_en,
            prize_zh=a.prize_zh,
            entry_code=a.entry.code,
            entrant=a.entry.organisation.name_zh if a.entry.organisation else None,
            field=a.entry.field.name_zh if a.entry.field else None,
            support=list(a.support),
        )
        for a in queries.awards(db, event=event)
    ]


@router.post("/{slug}/rounds/{round_id}/assignment", response_model=RunRead)
def run_assignment(
    slug: str,
    round_id: int,
    data: AssignmentRequest,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> RunRead:
    """Assign judges to the round's entries optimally (organiser); infeasible inputs name the entries at fault."""
    event = contest_service.get_event(db, slug=slug)
    rnd = contest_service.get_round(db, event=event, id=round_id)
    summary = contest_service.run_assignment(
        db, actor=actor, rnd=rnd, objective=data.objective, min_per_judge=data.min_per_judge
    )
    return RunRead(**summary.as_dict())


@router.get("/{slug}/rounds/{round_id}/ranking", response_model=RankingRead)
def get_ranking(
    slug: str,
    round_id: int,
    method: Literal["bias", "zscore"] = "bias",
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> RankingRead:
    """The round's rankings, raw and normalised side by side (organiser)."""
    require(can_manage_contest, actor, message=_("Only the organiser may manage the contest."))
    event = contest_service.get_event(db, slug=slug)
    rnd = contest_service.get_round(db, event=event, id=round_id)
    result = contest_service.ranking(db, rnd=rnd, method=method)
    return RankingRead(
        method=method,
        submitted=result.submitted,
        expected=result.expected,
        items=[
            RankRead(
                entry_code=r.entry.code,
                group=r.group,
                rank=r.rank,
                normalised=round(r.normalised, 4),
                raw_mean=round(r.raw_mean, 4),
                zscore=round(r.zscore, 4),
                n_scores=r.n_scores,
                separated_by=r.separated_by,
                advances=r.advances,
            )
            for r in result.rows()
        ],
    )


@router.put("/{slug}/reviews/{assignment_id}/score", response_model=ScoreRead)
def put_score(
    slug: str,
    assignment_id: int,
    data: ScoreWrite,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> ScoreRead:
    """Save (or with submit, submit and lock) the assigned judge's marks for one review."""
    event = contest_service.get_event(db, slug=slug)
    row = contest_service.get_assignment(db, event=event, id=assignment_id)
    if not actor.is_authenticated:
        raise NotFound(_("No such review: %(id)s") % {"id": assignment_id})
    score = contest_service.save_score(
        db, actor=actor, row=row, marks=data.marks, comment=data.comment, submit=data.submit
    )
    return ScoreRead(
        assignment_id=row.id,
        values=score.values,
        total=float(score.total) if score.total is not None else None,
        locked=score.locked,
    )
