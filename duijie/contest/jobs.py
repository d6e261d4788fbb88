"""A round's judge assignment as a background job (kind `contest.assignment`, a row of `core.jobs`).

The assignment may take tens of seconds of CPU (the fair objective, up to 400 texts embedded), so the web
queues it and returns at once, as the meetings scheduler does, and a worker runs it. The job reads the round's
inputs in one unit of work, computes the affinities and the assignment outside any transaction, and writes the
reviews in a second unit of work, which also marks the job done, after reading the inputs again: if the round's
rules, its entries, the judges or the conflicts changed meanwhile (their fingerprint differs), it fails and
writes nothing. One assignment job runs per edition at a time (the rounds share one judge pool).

The pages and the API read the job as a dict: state, the round and parameters, who started it, the current step
(`progress` of `STEPS`), the run's summary when done and the error when failed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from duijie.contest.assignment_types import Objective
from duijie.contest.domain import affinities, reviews
from duijie.contest.domain.rounds import get_round
from duijie.contest.models import ContestRound
from duijie.core import jobs
from duijie.core.auth import Actor
from duijie.core.db import unit_of_work
from duijie.core.errors import DomainError, InvalidTransition
from duijie.core.i18n import get_locale
from duijie.core.i18n import gettext as _
from duijie.core.models import Job
from duijie.directory.accounts import load_actor
from duijie.events.models import Event
from duijie.events.service import get_event_by_id

KIND = "contest.assignment"
STEPS = 4
"""Reading, computing the affinities, solving, writing: `progress` counts the steps begun."""

# Called after the solve, before the inputs are read again for writing (tests change the round there).
Between = Callable[[reviews.Solution], None]
_between: contextvars.ContextVar[Between | None] = contextvars.ContextVar("contest_between", default=None)


class InputsChanged(DomainError):
    """The round's entries, judges, conflicts or rules changed while the assignment was computed."""

    status_code = 409


def as_dict(job: Job) -> dict[str, Any]:
    """The page's and the API's form of an assignment job row."""
    params, result = job.params, job.result or {}
    return {
        "id": job.id,
        "state": job.state,
        "running": job.state in jobs.ACTIVE,
        "round_id": params.get("round_id"),
        "objective": params.get("objective"),
        "min_per_judge": params.get("min_per_judge"),
        "queued": jobs.iso(job.queued_at),
        "started": jobs.iso(job.started_at),
        "finished": jobs.iso(job.finished_at),
        "elapsed": jobs.elapsed(job),
        "step": job.step,
        "progress": round(job.progress * STEPS),
        "steps": STEPS,
        "account_id": job.account_id,
        "by": params.get("by"),
        "locale": params.get("locale"),
        "summary": result.get("summary"),
        "bound": job.bound,
        "error": job.error,
        "error_details": list(job.error_details or []),
        "attempts": job.attempts,
        "heartbeat": jobs.iso(job.heartbeat_at),
    }


def job_status(db: Session, *, event: Event) -> dict[str, Any] | None:
    """The edition's last or current assignment job, with `running` and the seconds it has taken (`elapsed`)."""
    job = jobs.latest(db, kind=KIND, event_id=event.id)
    return as_dict(job) if job is not None else None


def start_job(
    db: Session,
    *,
    event: Event,
    round_id: int,
    actor: Actor,
    objective: Objective = "total",
    min_per_judge: int = 0,
) -> dict[str, Any]:
    """Queue the round's assignment in the caller's transaction; a worker takes it once committed.

    Refused at once (nothing queued) when the run could not start (see `reviews.check_assignment`) or when an
    assignment job of this edition is queued or running (InvalidTransition, 409).
    """
    rnd = get_round(db, event=event, id=round_id)
    reviews.check_assignment(db, actor=actor, rnd=rnd)
    params = {
        "round_id": rnd.id,
        "objective": objective,
        "min_per_judge": min_per_judge,
        "by": actor.display_name or actor.username,
        "locale": get_locale(),
    }
    job, created = jobs.enqueue(db, kind=ASSIGNMENT, event_id=event.id, account_id=actor.account_id, params=params)
    if not created:
        raise InvalidTransition(
            _(
                "A judge assignment is already running for this contest (since %(at)s UTC); wait until it has finished."
            )
            % {"at": jobs.since(job)},
            field="assign",
        )
    return as_dict(job)


def _load(db: Session, ctx: jobs.JobContext) -> tuple[Actor, ContestRound]:
    assert ctx.event_id is not None
    event = get_event_by_id(db, event_id=ctx.event_id)
    return load_actor(db, ctx.account_id), get_round(db, event=event, id=int(ctx.params["round_id"]))


def _run(ctx: jobs.JobContext) -> None:
    """Read, solve outside a transaction, read again and write only if the inputs are unchanged."""
    params, between = ctx.params, _between.get()
    objective: Objective = "fair" if params.get("objective") == "fair" else "total"

    def step(number: int, line: str, *, check: bool = True) -> None:
        ctx.step(line, progress=number / STEPS, check=check)

    step(1, _("Reading the round's entries, judges and conflicts"))
    with unit_of_work(ctx.factory, write=False) as db:
        actor, rnd = _load(db, ctx)
        inputs = reviews.read_inputs(db, actor=actor, rnd=rnd)
        url = affinities.database_url(db)
    step(2, _("Computing how well each judge fits each entry"))
    solution = reviews.solve(
        inputs,
        objective=objective,
        min_per_judge=int(params.get("min_per_judge") or 0),
        database_url=url,
        solving=lambda: step(3, _("Solving the assignment"), check=False),
    )
    if between is not None:
        between(solution)
    step(4, _("Writing the reviews"))
    try:
        with unit_of_work(ctx.factory) as db:
            actor, rnd = _load(db, ctx)
            fresh = reviews.read_inputs(db, actor=actor, rnd=rnd)
            if fresh.fingerprint != inputs.fingerprint:
                raise InputsChanged(
                    _(
                        "The round's entries, judges or conflicts changed while the assignment was computed; "
                        "nothing was written. Run the assignment again."
                    ),
                    field="assign",
                )
            summary = reviews.write_assignment(db, actor=actor, rnd=rnd, solution=solution)
            ctx.complete(db, {"summary": summary.as_dict()}, bound=summary.upper_bound)
    except IntegrityError:
        raise DomainError(
            _("The round was changed by someone else while the assignment ran; run it again."), field="assign"
        ) from None


ASSIGNMENT = jobs.register(KIND, _run)


def run_job(
    factory: sessionmaker[Session], event_id: int, *, between: Between | None = None
) -> dict[str, Any]:
    """Run the edition's queued assignment job here and now, as a worker would (tests, commands)."""
    with unit_of_work(factory, write=False) as db:
        job_id = db.scalar(
            select(Job.id).where(Job.kind == KIND, Job.event_id == event_id, Job.state == "queued")
        )
    if job_id is None:
        raise LookupError(f"no assignment job is queued for event {event_id}")
    token = _between.set(between)
    try:
        jobs.execute(factory, job_id, worker="inline")
    finally:
        _between.reset(token)
    with unit_of_work(factory, write=False) as db:
        job = db.get(Job, job_id)
        assert job is not None
        return as_dict(job)
