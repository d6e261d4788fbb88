"""The organiser's scheduling run as a background job (kind `meetings.schedule`, a row of `core.jobs`).

The web queues the run and returns at once; a worker (`duijie worker`, or the serving process's own worker
thread) then reads the event's instance in one unit of work, solves it outside any transaction (the solver may
take minutes, and no transaction may stay open that long), and writes the schedule in a second unit of work,
the same one that marks the job done: a worker killed before that commit leaves nothing written, and the job
runs again elsewhere. Requests may be accepted, declined or cancelled, availability changed or meetings pinned
while it solves: the second unit of work reads the instance again and compares its fingerprint with the one
solved. If it changed, the job solves once more on the fresh instance with a short time limit; if it changed
again, the job fails and writes nothing. A schedule computed from stale inputs is never written, and the
database's unique constraints refuse any double booking that slips through.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from duijie.core import jobs
from duijie.core.auth import Actor
from duijie.core.db import unit_of_work
from duijie.core.errors import DomainError, InvalidTransition, NotFound
from duijie.core.i18n import get_locale
from duijie.core.i18n import gettext as _
from duijie.core.models import Job
from duijie.directory.accounts import load_actor
from duijie.events.models import Event
from duijie.meetings import runs
from duijie.meetings.greedy import greedy
from duijie.meetings.instance import Schedule
from duijie.meetings.schemas import RunReport
from duijie.meetings.solver import solve

KIND = "meetings.schedule"
# The second solve, after the grid changed under the first, gets at most this many seconds.
RESOLVE_LIMIT = 10.0
# The solver's progress line reaches the job row at most this often (other processes read it from there).
STEP_EVERY = 1.0

# Called after each solve with the attempt number and its schedule, before the write reads the grid again.
Between = Callable[[int, Schedule], None]
_between: contextvars.ContextVar[Between | None] = contextvars.ContextVar("meetings_between", default=None)


@dataclass
class SchedulingJob:
    """A scheduling job as the pages and the API show it: the job row's state, times and step, the run's
    parameters (time limit, moves allowed, who started it), the solves made and the run's report."""

    state: str = "queued"
    queued: str | None = None
    started: str | None = None
    finished: str | None = None
    step: str = ""
    error: str | None = None
    running: bool = False
    time_limit: float = 10.0
    allow_moves: bool = False
    account_id: int | None = None
    by: str = ""
    locale: str = ""
    # How many times the run read the grid and solved (2 when the grid changed while it solved).
    attempts: int = 0
    report: RunReport | None = None
    id: int | None = None
    progress: float = 0.0
    elapsed: int | None = None
    heartbeat: str | None = None
    # Which delivery of the job this is (more than 1 when a worker died while running it).
    runs: int = 0

    @classmethod
    def of(cls, job: Job) -> SchedulingJob:
        """The shape of a job row of this kind."""
        params, result = job.params, job.result or {}
        report = result.get("report")
        return cls(
            state=job.state,
            queued=jobs.iso(job.queued_at),
            started=jobs.iso(job.started_at),
            finished=jobs.iso(job.finished_at),
            step=job.step,
            error=job.error,
            running=job.state in jobs.ACTIVE,
            time_limit=float(params.get("time_limit") or 10.0),
            allow_moves=bool(params.get("allow_moves")),
            account_id=job.account_id,
            by=str(params.get("by") or ""),
            locale=str(params.get("locale") or ""),
            attempts=int(result.get("solves") or 0),
            report=RunReport.model_validate(report) if report else None,
            id=job.id,
            progress=job.progress,
            elapsed=jobs.elapsed(job),
            heartbeat=jobs.iso(job.heartbeat_at),
            runs=job.attempts,
        )

    def stored(self) -> dict[str, Any]:
        """The fields the API shows, as JSON."""
        return {
            "state": self.state,
            "queued": self.queued,
            "started": self.started,
            "finished": self.finished,
            "step": self.step,
            "error": self.error,
            "time_limit": self.time_limit,
            "allow_moves": self.allow_moves,
            "by": self.by,
            "attempts": self.attempts,
            "report": self.report.model_dump() if self.report is not None else None,
        }


class GridChanged(DomainError):
    """The grid changed while the scheduler solved, and again while it solved anew."""

    status_code = 409


def job_status(db: Session, event: Event) -> SchedulingJob | None:
    """The event's last or current scheduling job."""
    job = jobs.latest(db, kind=KIND, event_id=event.id)
    return SchedulingJob.of(job) if job is not None else None


def start_job(
    db: Session, *, event: Event, actor: Actor, time_limit: float = 10.0, allow_moves: bool = False
) -> SchedulingJob:
    """Queue a scheduling run for the event in the caller's transaction; a worker takes it once committed.

    Refused (409) while a run of the event is queued or running, whoever started it."""
    runs.check_run(db, event=event, actor=actor, time_limit=time_limit)
    params = {
        "time_limit": time_limit,
        "allow_moves": allow_moves,
        "by": actor.display_name or actor.username or "",
        "locale": get_locale(),
    }
    job, created = jobs.enqueue(db, kind=SCHEDULE, event_id=event.id, account_id=actor.account_id, params=params)
    if not created:
        raise InvalidTransition(
            _(
                "The scheduler is already running for this event (since %(at)s UTC); wait until it has finished."
            )
            % {"at": jobs.since(job)},
            field="grid",
        )
    return SchedulingJob.of(job)


def _load(db: Session, event_id: int, account_id: int | None) -> tuple[Event, Actor]:
    event = db.get(Event, event_id)
    if event is None:
        raise NotFound(_("No such event: %(id)s") % {"id": event_id})
    return event, load_actor(db, account_id)


def _run(ctx: jobs.JobContext) -> None:
    """Read, solve outside a transaction, re-read and write if nothing changed; solve once more if it did."""
    assert ctx.event_id is not None
    event_id, account_id, between = ctx.event_id, ctx.account_id, _between.get()
    started = time.monotonic()
    time_limit = float(ctx.params.get("time_limit") or 10.0)
    allow_moves = bool(ctx.params.get("allow_moves"))

    def progress(line: str) -> None:
        # Called from inside the solver: report, but stop only between phases (below).
        ctx.step(line, progress=(time.monotonic() - started) / (2 * time_limit), every=STEP_EVERY, check=False)

    ctx.step(_("Reading the requests, availability and placed meetings"), progress=0.0)
    with unit_of_work(ctx.factory, write=False) as db:
        event, actor = _load(db, event_id, account_id)
        runs.check_run(db, event=event, actor=actor, time_limit=time_limit)
        build = runs.build_instance(db, event=event)
        inputs = runs.fingerprint(build)
        instance, fixed = build.instance, build.fixed
    limit = time_limit
    for attempt in (1, 2):
        ctx.incumbent({"solves": attempt})
        schedule = solve(instance, time_limit=limit, fixed=fixed, allow_moves=allow_moves, progress=progress)
        baseline = greedy(instance)
        if between is not None:
            between(attempt, schedule)
        ctx.step(_("Writing the schedule to the grid"), progress=0.95)
        try:
            with unit_of_work(ctx.factory) as db:
                event, actor = _load(db, event_id, account_id)
                build = runs.build_instance(db, event=event)
                fresh = runs.fingerprint(build)
                if fresh == inputs:
                    report = runs.record_run(
                        db,
                        event=event,
                        actor=actor,
                        build=build,
                        schedule=schedule,
                        baseline=baseline,
                        seconds=time.monotonic() - started,
                        time_limit=time_limit,
                        allow_moves=allow_moves,
                        attempts=attempt,
                    )
                    result = {"solves": attempt, "report": report.model_dump()}
                    ctx.complete(db, result, bound=report.upper_bound)
                    return
                inputs, instance, fixed = fresh, build.instance, build.fixed
        except IntegrityError:
            raise DomainError(
                _("The grid was changed by someone else while the scheduler ran; run it again."), field="grid"
            ) from None
        ctx.step(_("The grid changed while the scheduler ran; solving again with the fresh grid"))
        limit = min(time_limit, RESOLVE_LIMIT)
    raise GridChanged(
        _(
            "The grid changed during the run and again while it was solved anew (requests answered or "
            "cancelled, availability changed or meetings placed); nothing was written. Run the scheduler again."
        ),
        field="grid",
    )


SCHEDULE = jobs.register(KIND, _run)


def run_job(
    factory: sessionmaker[Session], event_id: int, *, between: Between | None = None
) -> SchedulingJob:
    """Run the event's queued scheduling job here and now, as a worker would (tests, commands); `between` is
    called after each solve, before the grid is read again for writing."""
    with unit_of_work(factory, write=False) as db:
        job_id = db.scalar(
            select(Job.id).where(Job.kind == KIND, Job.event_id == event_id, Job.state == "queued")
        )
    if job_id is None:
        raise LookupError(f"no scheduling job is queued for event {event_id}")
    token = _between.set(between)
    try:
        jobs.execute(factory, job_id, worker="inline")
    finally:
        _between.reset(token)
    with unit_of_work(factory, write=False) as db:
        job = db.get(Job, job_id)
        assert job is not None
        return SchedulingJob.of(job)

