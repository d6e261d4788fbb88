"""The organiser's scheduling run as a background job, with its state in the event setting `meetings.job`.

The web queues the run and returns at once; the job then reads the event's instance in one unit of work,
solves it outside any transaction (the solver may take minutes, and no transaction may stay open that long),
and writes the schedule in a second unit of work. Requests may be accepted, declined or cancelled, availability
changed or meetings pinned while it solves: the second unit of work reads the instance again and compares its
fingerprint with the one solved. If it changed, the job solves once more on the fresh instance with a short time
limit; if it changed again, the job fails and writes nothing. A schedule computed from stale inputs is never
written, and the database's unique constraints refuse any double booking that slips through.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from duijie.core.auth import Actor
from duijie.core.db import unit_of_work, utcnow
from duijie.core.errors import DomainError, InvalidTransition, NotFound
from duijie.core.i18n import get_locale, set_locale
from duijie.core.i18n import gettext as _
from duijie.core.jobs import JobKind, JobState, Launch, iso, since, start_thread
from duijie.directory.accounts import load_actor
from duijie.events.models import Event
from duijie.events.settings import setting
from duijie.meetings import runs
from duijie.meetings.greedy import greedy
from duijie.meetings.instance import Schedule
from duijie.meetings.schemas import RunReport
from duijie.meetings.solver import solve

# The event's last or current scheduling job (SchedulingJob.stored()); empty before the first run.
JOB_STATE = setting("meetings.job", dict, {})
# The second solve, after the grid changed under the first, gets at most this many seconds.
RESOLVE_LIMIT = 10.0
# The solver's progress line reaches the stored job at most this often (other processes read it from there).
STEP_EVERY = 1.0
# Twice the longest time limit and the re-solve: a job older than this was left behind by a dead process.
STALE_AFTER = dt.timedelta(minutes=15)

# Called after each solve with the attempt number and its schedule, before the write reads the grid again.
Between = Callable[[int, Schedule], None]

log = logging.getLogger(__name__)


@dataclass
class SchedulingJob(JobState):
    """A scheduling job as stored with the event: the shared job fields, the run's parameters (time limit,
    moves allowed, the organiser who started it and their language), the attempts and the run's report."""

    time_limit: float = 10.0
    allow_moves: bool = False
    account_id: int | None = None
    by: str = ""
    locale: str = ""
    attempts: int = 0
    report: RunReport | None = None

    def __post_init__(self) -> None:
        # The stored form holds the report as JSON.
        if isinstance(self.report, dict):
            self.report = RunReport.model_validate(self.report)

    def stored(self) -> dict[str, Any]:
        out = super().stored()
        out["report"] = self.report.model_dump() if self.report is not None else None
        return out

    @property
    def elapsed(self) -> int | None:
        """The seconds the run has taken so far (or took), None before it started."""
        if not self.started:
            return None
        end = utcnow() if self.running or not self.finished else dt.datetime.fromisoformat(self.finished)
        return max(0, round((end - dt.datetime.fromisoformat(self.started)).total_seconds()))


def _read(db: Session, event_id: int) -> dict[str, Any] | None:
    return JOB_STATE.get(db, event_id=event_id) or None


def _write(db: Session, event_id: int, value: dict[str, Any]) -> None:
    JOB_STATE.put(db, event_id=event_id, value=value)


JOB = JobKind(JOB_STATE.name, _read, _write, stale_after=STALE_AFTER)


class GridChanged(DomainError):
    """The grid changed while the scheduler solved, and again while it solved anew."""

    status_code = 409


def job_status(db: Session, event: Event, factory: sessionmaker[Session]) -> SchedulingJob | None:
    """The event's last or current scheduling job, with `running` and the live step while it runs here."""
    job = JOB.status(db, event.id, factory)
    return SchedulingJob.from_dict(job) if job is not None else None


def start_job(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    factory: sessionmaker[Session],
    time_limit: float = 10.0,
    allow_moves: bool = False,
    launch: Launch = start_thread,
) -> SchedulingJob:
    """Queue a scheduling run for the event; it starts once the caller's transaction has committed."""
    runs.check_run(db, event=event, actor=actor, time_limit=time_limit)
    current = job_status(db, event, factory)
    if current is not None and current.running:
        raise InvalidTransition(
            _(
                "The scheduler is already running for this event (since %(at)s UTC); wait until it has finished."
            )
            % {"at": since(current)},
            field="grid",
        )
    job = SchedulingJob(
        state="queued",
        queued=iso(utcnow()),
        time_limit=time_limit,
        allow_moves=allow_moves,
        account_id=actor.account_id,
        by=actor.display_name or actor.username or "",
        locale=get_locale(),
    )
    event_id = event.id

    def run() -> None:
        run_job(factory, event_id)

    JOB.queue(db, event_id, job.stored(), run, launch)
    return job


def _load(db: Session, event_id: int, account_id: int | None) -> tuple[Event, Actor]:
    event = db.get(Event, event_id)
    if event is None:
        raise NotFound(_("No such event: %(id)s") % {"id": event_id})
    return event, load_actor(db, account_id)


def _solve_and_write(
    factory: sessionmaker[Session],
    event_id: int,
    params: SchedulingJob,
    step: Callable[[str], None],
    between: Between | None,
) -> RunReport:
    """Read, solve outside a transaction, re-read and write if nothing changed; solve once more if it did."""
    started = time.monotonic()
    time_limit = float(params.time_limit or 10.0)
    allow_moves = params.allow_moves
    account_id = params.account_id
    step(_("Reading the requests, availability and placed meetings"))
    with unit_of_work(factory) as db:
        event, actor = _load(db, event_id, account_id)
        runs.check_run(db, event=event, actor=actor, time_limit=time_limit)
        build = runs.build_instance(db, event=event)
        inputs = runs.fingerprint(build)
        instance, fixed = build.instance, build.fixed
    limit = time_limit
    for attempt in (1, 2):
        JOB.update(factory, event_id, attempts=attempt)
        schedule = solve(instance, time_limit=limit, fixed=fixed, allow_moves=allow_moves, progress=step)
        baseline = greedy(instance)
        if between is not None:
            between(attempt, schedule)
        step(_("Writing the schedule to the grid"))
        with unit_of_work(factory) as db:
            event, actor = _load(db, event_id, account_id)
            build = runs.build_instance(db, event=event)
            fresh = runs.fingerprint(build)
            if fresh == inputs:
                return runs.record_run(
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
            inputs, instance, fixed = fresh, build.instance, build.fixed
        step(_("The grid changed while the scheduler ran; solving again with the fresh grid"))
        limit = min(time_limit, RESOLVE_LIMIT)
    raise GridChanged(
        _(
            "The grid changed during the run and again while it was solved anew (requests answered or "
            "cancelled, availability changed or meetings placed); nothing was written. Run the scheduler again."
        ),
        field="grid",
    )


def run_job(
    factory: sessionmaker[Session], event_id: int, *, between: Between | None = None
) -> SchedulingJob:
    """Run the event's queued scheduling job and record how it went; the entry point of every launch.

    The parameters (time limit, moves allowed, the organiser who started it, their language) come from the
    queued job. A second call for the same event while one runs in this process does nothing. `between` is
    called after each solve, before the grid is read again for writing.
    """
    # In a context of its own, so that the organiser's language does not stay with the calling thread.
    return contextvars.copy_context().run(_run_job, factory, event_id, between)


def _run_job(factory: sessionmaker[Session], event_id: int, between: Between | None) -> SchedulingJob:
    with JOB.claim(factory, event_id) as live:
        if live is None:
            return SchedulingJob(state="running", running=True)
        with unit_of_work(factory) as session:
            params = SchedulingJob.from_dict(_read(session, event_id) or {})
        set_locale(params.locale or get_locale())
        last_write = [0.0]

        def step(line: str) -> None:
            live["step"] = line
            now = time.monotonic()
            if now - last_write[0] >= STEP_EVERY:
                last_write[0] = now
                JOB.update(factory, event_id, step=line)

        JOB.update(factory, event_id, state="running", started=iso(utcnow()), error=None, report=None)
        try:
            report = _solve_and_write(factory, event_id, params, step, between)
        except DomainError as exc:
            log.info("scheduling job for event %s refused: %s", event_id, exc.message)
            error = exc.message
        except IntegrityError:
            log.warning("scheduling job for event %s hit a unique constraint", event_id, exc_info=True)
            error = _("The grid was changed by someone else while the scheduler ran; run it again.")
        except Exception as exc:
            log.exception("scheduling job for event %s failed", event_id)
            error = str(exc) or type(exc).__name__
        else:
            outcome = {"state": "done", "finished": iso(utcnow()), "report": report.model_dump(), **live}
            return SchedulingJob.from_dict(JOB.update(factory, event_id, **outcome))
        failed = JOB.update(factory, event_id, state="failed", finished=iso(utcnow()), error=error, **live)
        return SchedulingJob.from_dict(failed)
