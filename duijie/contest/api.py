"""`/api/v1/contests`: an edition's figures and winners, running a round's assignment, its ranking, and scoring."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, FiniteFloat
from sqlalchemy.orm import Session

from duijie.contest import api_judges, queries
from duijie.contest.deps import contest_from_slug, my_review, organiser
from duijie.contest.domain.rankings import ranking
from duijie.contest.domain.reviews import RunSummary
from duijie.contest.domain.rounds import get_round
from duijie.contest.domain.scores import save_score
from duijie.contest.jobs import job_status, start_job
from duijie.contest.models import ReviewAssignment
from duijie.core.auth import Actor
from duijie.core.schemas import ErrorBody
from duijie.core.validation import Line40, Para, PathId
from duijie.core.web import get_db, require_login
from duijie.events.models import Event

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
router.include_router(api_judges.router)


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
    min_per_judge: int = Field(0, ge=0, le=10_000)


class JobRead(BaseModel):
    """The edition's judge assignment job: queued, running (with its step), done (with the run's summary) or
    failed (with the error and the entries or judges at fault)."""

    contest: str
    state: str | None
    running: bool
    round_id: int | None = None
    objective: str | None = None
    min_per_judge: int | None = None
    queued: str | None = None
    started: str | None = None
    finished: str | None = None
    elapsed: int | None = None
    step: str | None = None
    progress: int = 0
    steps: int | None = None
    by: str | None = None
    # The run's summary is the service's own record (a dataclass pydantic reads as is): defined once.
    summary: RunSummary | None = None
    error: str | None = None
    error_details: list[str] = []

    @classmethod
    def of(cls, event: Event, job: dict[str, Any] | None) -> JobRead:
        """The API form of a stored job (an edition that never ran one has state null)."""
        if job is None:
            return cls(contest=event.slug, state=None, running=False)
        return cls(
            contest=event.slug, **{k: v for k, v in job.items() if k in cls.model_fields and k != "contest"}
        )


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

    marks: dict[Line40, FiniteFloat] = Field(max_length=100)
    comment: Para | None = None
    submit: bool = False


class ScoreRead(BaseModel):
    """A saved score."""

    assignment_id: int
    values: dict[str, float]
    total: float | None
    locked: bool


@router.get("/{slug}", response_model=ContestRead)
def get_contest(event: Event = Depends(contest_from_slug), db: Session = Depends(get_db)) -> ContestRead:
    """An edition's figures from its records, beside the published ones (public)."""
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
def get_winners(event: Event = Depends(contest_from_slug), db: Session = Depends(get_db)) -> list[AwardRead]:
    """The edition's awards, best place first, with the support each winner received (public)."""
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


@router.post("/{slug}/rounds/{round_id}/assignment", response_model=JobRead, status_code=202)
def run_assignment(
    round_id: PathId,
    data: AssignmentRequest,
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> JobRead:
    """Queue the round's judge assignment (202, organiser); follow it at `GET /{slug}/assignment/job`. A run
    that cannot start is refused (422), a second one while one is queued or running too (409)."""
    job = start_job(
        db,
        event=event,
        round_id=round_id,
        actor=actor,
        objective=data.objective,
        min_per_judge=data.min_per_judge,
    )
    return JobRead.of(event, {**job, "running": True})


@router.get("/{slug}/assignment/job", response_model=JobRead)
def assignment_job(
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> JobRead:
    """The edition's last or current assignment job: state, round, step, times, the summary or the error."""
    return JobRead.of(event, job_status(db, event=event))


@router.get("/{slug}/rounds/{round_id}/ranking", response_model=RankingRead)
def get_ranking(
    round_id: PathId,
    method: Literal["bias", "zscore"] = "bias",
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> RankingRead:
    """The round's rankings, raw and normalised side by side (organiser)."""
    rnd = get_round(db, event=event, id=round_id)
    result = ranking(db, rnd=rnd, method=method)
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
    data: ScoreWrite,
    row: ReviewAssignment = Depends(my_review),
    actor: Actor = Depends(require_login),
    db: Session = Depends(get_db),
) -> ScoreRead:
    """Save (or with submit, submit and lock) the marks of one review: its judge's (or the organiser's); 401
    for anonymous callers, 404 for anyone else."""
    score = save_score(db, actor=actor, row=row, marks=data.marks, comment=data.comment, submit=data.submit)
    return ScoreRead(
        assignment_id=row.id,
        values=score.values,
        total=float(score.total) if score.total is not None else None,
        locked=score.locked,
    )
