"""A round's judge assignment as a background job, with its state in the event setting `contest.assignment_job`.

The assignment may take tens of seconds of CPU (the fair objective, up to 400 texts embedded), so the web
queues it and returns at once, as the meetings scheduler does. The job reads the round's inputs in one unit of
work, computes the affinities and the assignment outside any transaction, and writes the reviews in a second
unit of work after reading the inputs again: if the round's rules, its entries, the judges or the conflicts
changed meanwhile (their fingerprint differs), it fails and writes nothing. One assignment job runs per
edition at a time (the rounds share one judge pool).

State: queued → running → done | failed, with the round, the parameters, who started it, the current step
(`progress` of `STEPS`), the run's summary when done and the error when failed.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from duijie.contest.assignment_types import Objective
from duijie.contest.domain import affinities, reviews
from duijie.contest.domain.rounds import get_round
from duijie.contest.models import ContestRound
from duijie.core.auth import Actor
from duijie.core.db import unit_of_work, utcnow
from duijie.core.errors import DomainError, InvalidTransition
from duijie.core.i18n import get_locale, set_locale
from duijie.core.i18n import gettext as _
from duijie.core.jobs import JobKind, Launch, iso, since, start_thread
from duijie.directory.accounts import load_actor
from duijie.events.models import Event
from duijie.events.service import get_event_by_id
from duijie.events.settings import setting

JOB_STATE = setting("contest.assignment_job", dict, {})
STALE_AFTER = dt.timedelta(minutes=30)
"""Far above the longest run (about half a minute): a job older than this was left by a dead process."""
STEPS = 4
"""Reading, computing the affinities, solving, writing: `progress` counts the steps begun."""

# Called after the solve, before the inputs are read again for writing (tests change the round there).
Between = Callable[[reviews.Solution], None]

log = logging.getLogger(__name__)


class InputsChanged(DomainError):
    """The round's entries, judges, conflicts or rules changed while the assignment was computed."""

    status_code = 409


def _read(db: Session, event_id: int) -> dict[str, Any] | None:
    return JOB_STATE.get(db, event_id=event_id) or None


def _write(db: Session, event_id: int, value: dict[str, Any]) -> None:
    JOB_STATE.put(db, event_id=event_id, value=value)


JOB = JobKind(JOB_STATE.name, _read, _write, stale_after=STALE_AFTER)


def job_status(db: Session, *, event: Event, factory: sessionmaker[Session]) -> dict[str, Any] | None:
    """The edition's last or current assignment job, with `running` and the seconds it has taken (`elapsed`)."""
    job = JOB.status(db, event.id, factory)
    if job is None:
        return None
    started = job.get("started")
    if started:
        end = (
            utcnow()
            if job["running"] or not job.get("finished")
            else dt.datetime.fromisoformat(job["finished"])
        )
        job["elapsed"] = max(0, round((end - dt.datetime.fromisoformat(started)).total_seconds()))
    else:
        job["elapsed"] = None
    return job


def start_job(
    db: Session,
    *,
    event: Event,
    round_id: int,
    actor: Actor,
    factory: sessionmaker[Session],
    objective: Objective = "total",
    min_per_judge: int = 0,
    launch: Launch = start_thread,
) -> dict[str, Any]:
    """Queue the round's assignment; it starts once the caller's transaction has committed.

    Refused at once (nothing queued) when the run could not start (see `reviews.check_assignment`) or when an
    assignment job of this edition is queued or running (InvalidTransition, 409).
    """
    rnd = get_round(db, event=event, id=round_id)
    reviews.check_assignment(db, actor=actor, rnd=rnd)
    current = job_status(db, event=event, factory=factory)
    if current is not None and current["running"]:
        raise InvalidTransition(
            _(
                "A judge assignment is already running for this contest (since %(at)s UTC); wait until it has finished."
            )
            % {"at": since(current)},
            field="assign",
        )
    job: dict[str, Any] = {
        "state": "queued",
        "round_id": rnd.id,
        "objective": objective,
        "min_per_judge": min_per_judge,
        "queued": iso(utcnow()),
        "started": None,
        "finished": None,
        "step": "",
        "progress": 0,
        "steps": STEPS,
        "account_id": actor.account_id,
        "by": actor.display_name or actor.username,
        "locale": get_locale(),
        "summary": None,
        "error": None,
        "error_details": [],
    }
    event_id = event.id

    def run() -> None:
        run_job(factory, event_id)

    return JOB.queue(db, event_id, job, run, launch)


def run_job(
    factory: sessionmaker[Session], event_id: int, *, between: Between | None = None
) -> dict[str, Any]:
    """Run the edition's queued assignment job and record how it went; the entry point of every launch.

    The parameters come from the queued job; a second call while one runs in this process does nothing.
    """
    # In a context of its own, so that the organiser's language does not stay with the calling thread.
    return contextvars.copy_context().run(_run_job, factory, event_id, between)


def _load(db: Session, event_id: int, params: dict[str, Any]) -> tuple[Actor, ContestRound]:
    event = get_event_by_id(db, event_id=event_id)
    return load_actor(db, params.get("account_id")), get_round(db, event=event, id=int(params["round_id"]))


def _solve_and_write(
    factory: sessionmaker[Session],
    event_id: int,
    params: dict[str, Any],
    step: Callable[[int, str], None],
    between: Between | None,
) -> reviews.RunSummary:
    """Read, solve outside a transaction, read again and write only if the inputs are unchanged."""
    objective: Objective = "fair" if params.get("objective") == "fair" else "total"
    step(1, _("Reading the round's entries, judges and conflicts"))
    with unit_of_work(factory) as db:
        actor, rnd = _load(db, event_id, params)
        inputs = reviews.read_inputs(db, actor=actor, rnd=rnd)
        url = affinities.database_url(db)
    step(2, _("Computing how well each judge fits each entry"))
    solution = reviews.solve(
        inputs,
        objective=objective,
        min_per_judge=int(params.get("min_per_judge") or 0),
        database_url=url,
        solving=lambda: step(3, _("Solving the assignment")),
    )
    if between is not None:
        between(solution)
    step(4, _("Writing the reviews"))
    with unit_of_work(factory) as db:
        actor, rnd = _load(db, event_id, params)
        fresh = reviews.read_inputs(db, actor=actor, rnd=rnd)
        if fresh.fingerprint != inputs.fingerprint:
            raise InputsChanged(
                _(
                    "The round's entries, judges or conflicts changed while the assignment was computed; nothing "
                    "was written. Run the assignment again."
                ),
                field="assign",
            )
        return reviews.write_assignment(db, actor=actor, rnd=rnd, solution=solution)


def _run_job(factory: sessionmaker[Session], event_id: int, between: Between | None) -> dict[str, Any]:
    with JOB.claim(factory, event_id) as live:
        if live is None:
            return {"state": "running"}
        with unit_of_work(factory) as session:
            params = _read(session, event_id) or {}
        set_locale(params.get("locale") or get_locale())

        def step(number: int, line: str) -> None:
            live.update(progress=number, step=line)
            JOB.update(factory, event_id, progress=number, step=line)

        JOB.update(
            factory,
            event_id,
            state="running",
            started=iso(utcnow()),
            error=None,
            error_details=[],
            summary=None,
        )
        details: list[str] = []
        try:
            summary = _solve_and_write(factory, event_id, params, step, between)
        except DomainError as exc:
            log.info("assignment job for event %s refused: %s", event_id, exc.message)
            error = exc.message
            details = [d.message for d in exc.details if d.message != exc.message][:10]
        except IntegrityError:
            log.warning("assignment job for event %s hit a unique constraint", event_id, exc_info=True)
            error = _("The round was changed by someone else while the assignment ran; run it again.")
        except Exception as exc:
            log.exception("assignment job for event %s failed", event_id)
            error = str(exc) or type(exc).__name__
        else:
            outcome = {**live, "state": "done", "finished": iso(utcnow()), "summary": summary.as_dict()}
            return JOB.update(factory, event_id, **outcome)
        return JOB.update(
            factory,
            event_id,
            **live,
            state="failed",
            finished=iso(utcnow()),
            error=error,
            error_details=details,
        )
