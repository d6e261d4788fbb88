"""Background jobs: the job record every page reads, queueing, and running one job under a lease.

A job is a row of the `job` table (`core.models.Job`): its kind, event, owner, state (queued → running → done |
failed | cancelled), progress and step, attempts, heartbeat, the incumbent result with its proven bound, the
error. Pages and the API read only this row, so they show the same job whichever process runs it.

Queueing writes the row in the caller's transaction; on PostgreSQL it also defers a Procrastinate job there
(`core.queue`), so a rolled-back request queues nothing and a committed one is never lost. One job of a kind
runs per event at a time: the row's `lock` (`kind:event` while unfinished) is unique, and a request for the same
kind and event finds the unfinished job instead of adding one.

Running a job (`execute`) first claims it with one conditional UPDATE (`WHERE id=? AND state='queued'`), so two
workers handed the same job run it once. While it runs a thread renews its heartbeat and reads the cancel flag;
a worker that dies stops the heartbeat, and `reap` puts its job back in the queue (or fails it after
`max_attempts`). A job whose lease was taken over stops at its next step, and its final write, made together
with the transition to `done` (`JobContext.complete`), is refused: a result is written once.

The workers (`core.worker`: `duijie worker`, the thread of `duijie serve`) and the Procrastinate tasks all
end in `execute`; the kinds are registered by their packages' `jobs.py` (`register`).

Work that is not tied to an event and gathers whatever is waiting when it starts (the mail outbox) is queued
with `enqueue_waiting`: one job waits under its lock until it starts, releases the lock first thing
(`release_lock`), and a job may wait for a time (`run_after`: a retry later), which no worker claims before.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import importlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from duijie.core.db import unit_of_work, utcnow
from duijie.core.errors import DomainError
from duijie.core.hooks import Hook
from duijie.core.i18n import get_locale, reset_locale, set_locale
from duijie.core.i18n import gettext as _
from duijie.core.models import Job
from duijie.core.queue import defer_in_transaction
from duijie.modules import import_all

ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """The job's cancel flag was set; raised at the job's next step."""


class LeaseLost(Exception):
    """The job is no longer this worker's (it was taken as stalled and given to another): stop, write nothing."""


Run = Callable[["JobContext"], Mapping[str, Any] | None]


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its name (`meetings.schedule`) and the function that runs one, given its context."""

    name: str
    run: Run
    max_attempts: int = 3


KINDS: Hook[JobKind] = Hook("core.jobs.kinds")


def register(name: str, run: Run, *, max_attempts: int = 3) -> JobKind:
    """Declare a kind of job (at import time of the package's jobs.py)."""
    kind = JobKind(name, run, max_attempts)
    KINDS.register(kind, key=name)
    return kind


def find_kind(name: str) -> JobKind | None:
    return next((kind for kind in KINDS if kind.name == name), None)


def load_kinds() -> None:
    """Import every package's hooks and jobs, so a worker process knows every kind and what the kinds use
    (the mail kind lives in `core.mail`, which imports this module; each package's mails in its `mails.py`)."""
    import_all("extends")
    import_all("jobs")
    importlib.import_module("duijie.core.mail")
    import_all("mails")


def iso(moment: dt.datetime | None) -> str | None:
    """A UTC time as the pages show it, to the second."""
    return moment.isoformat(timespec="seconds") if moment is not None else None


def since(job: Job) -> str:
    """ "2024-04-25 09:00": when a job started (or was queued), for messages that refuse a second run."""
    return (iso(job.started_at or job.queued_at) or "")[:16].replace("T", " ")


def input_hash(params: Mapping[str, Any]) -> str:
    """A short hash of a job's inputs, the last part of its idempotency key."""
    text = json.dumps(params, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def enqueue(
    db: Session, *, kind: JobKind, event_id: int, account_id: int | None, params: Mapping[str, Any]
) -> tuple[Job, bool]:
    """Queue a job in the caller's transaction; (the job, True), or (the unfinished job of this kind and
    event, False) when there is one, so the caller can refuse the second run or hand back the first."""
    lock = f"{kind.name}:{event_id}"
    existing = db.scalar(select(Job).where(Job.lock == lock))
    if existing is not None:
        return existing, False
    job = Job(
        kind=kind.name,
        event_id=event_id,
        account_id=account_id,
        state="queued",
        params=dict(params),
        key=f"{lock}:{input_hash(params)}",
        lock=lock,
        max_attempts=kind.max_attempts,
        queued_at=utcnow(),
        error_details=[],
    )
    db.add(job)
    db.flush()
    if db.get_bind().dialect.name == "postgresql":
        defer_in_transaction(db, job)
    return job, True


def enqueue_waiting(
    db: Session,
    *,
    kind: JobKind,
    lock: str,
    params: Mapping[str, Any] | None = None,
    run_after: dt.datetime | None = None,
) -> Job:
    """Make sure one job of `kind`, not tied to an event, waits under `lock` to run at `run_after` (None: now)
    or sooner, in the caller's transaction; returns the waiting job (brought forward if it waited for later)
    or a new one. For work that gathers what is waiting when it starts (the mail outbox): the job calls
    `release_lock` first thing, so whatever is queued after it starts queues the next job, while one waiting
    job serves every request that comes before it starts.

    `enqueue` keeps one job per kind and event until it finishes; this one keeps one per `lock` until it
    starts. The waiting job's row is read FOR SHARE (on PostgreSQL), so a worker cannot claim it, nor release
    its lock, until the caller's transaction ends: the job then sees what the caller wrote. On SQLite the
    write lock of the caller's transaction does the same. A delayed job's `queued_at` is its `run_after`, so
    the PostgreSQL sweep delivers it once due rather than polling it before.
    """
    for _attempt in range(3):
        # The holder of the lock is queued, or running and about to release it: either way it reads the
        # outbox only after this transaction ends (the shared row lock holds back its claim and its release).
        waiting = db.scalar(select(Job).where(Job.lock == lock).with_for_update(read=True))
        if waiting is not None:
            if waiting.state == "queued" and waiting.run_after is not None and (run_after is None or run_after < waiting.run_after):
                # Brought forward: the caller's row lock becomes exclusive for this write.
                waiting.run_after = run_after
                waiting.queued_at = run_after or utcnow()
                db.flush()
                if run_after is None and db.get_bind().dialect.name == "postgresql":
                    defer_in_transaction(db, waiting)
            return waiting
        job = Job(
            kind=kind.name,
            event_id=None,
            account_id=None,
            state="queued",
            params=dict(params or {}),
            key=f"{lock}:{input_hash(params or {})}",
            lock=lock,
            max_attempts=kind.max_attempts,
            queued_at=run_after or utcnow(),
            run_after=run_after,
            error_details=[],
        )
        try:
            with db.begin_nested():
                db.add(job)
                db.flush()
        except IntegrityError:
            # Another transaction queued it (or holds the lock running one): look again.
            continue
        if run_after is None and db.get_bind().dialect.name == "postgresql":
            defer_in_transaction(db, job)
        return job
    raise DomainError(_("The job queue is busy; try again."), field="job")


def release_lock(factory: sessionmaker[Session], job_id: int) -> None:
    """Free a running job's lock (the first step of an `enqueue_waiting` job), so the next one can queue."""
    with unit_of_work(factory) as db:
        db.execute(update(Job).where(Job.id == job_id).values(lock=None).execution_options(synchronize_session=False))


def latest(db: Session, *, kind: str, event_id: int) -> Job | None:
    """The event's last or current job of a kind."""
    return db.scalar(
        select(Job).where(Job.kind == kind, Job.event_id == event_id).order_by(Job.id.desc()).limit(1)
    )


def cancel(db: Session, *, job: Job) -> Job:
    """Cancel a job: a queued one at once; a running one stops at its next step (its worker reads the flag)."""
    if job.state == "queued":
        job.state, job.finished_at, job.lock = "cancelled", utcnow(), None
    elif job.state == "running":
        job.cancel_requested = True
    db.flush()
    return job


def elapsed(job: Job) -> int | None:
    """The seconds a job has run so far (or ran), None before it started."""
    if job.started_at is None:
        return None
    end = job.finished_at if job.state in FINISHED and job.finished_at else utcnow()
    return max(0, round((end - job.started_at).total_seconds()))


def _due(now: dt.datetime) -> Any:
    """A queued job may start: it has no `run_after`, or that time has come."""
    return or_(Job.run_after.is_(None), Job.run_after <= now)


def claim(factory: sessionmaker[Session], job_id: int, worker: str) -> bool:
    """Take a queued job for `worker` with one conditional UPDATE: of two workers, only one gets it (and none
    before its `run_after`)."""
    now = utcnow()
    with unit_of_work(factory) as db:
        taken = db.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == "queued", _due(now))
            .values(
                state="running",
                worker=worker,
                attempts=Job.attempts + 1,
                heartbeat_at=now,
                started_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(taken, "rowcount", 0))


def _mine(job_id: int, worker: str) -> Any:
    return and_(Job.id == job_id, Job.worker == worker, Job.state == "running")


def heartbeat(factory: sessionmaker[Session], job_id: int, worker: str) -> bool | None:
    """Renew the job's heartbeat; the cancel flag, or None when the job is no longer this worker's."""
    with unit_of_work(factory) as db:
        renewed = db.execute(
            update(Job)
            .where(_mine(job_id, worker))
            .values(heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if not getattr(renewed, "rowcount", 0):
            return None
        return bool(db.scalar(select(Job.cancel_requested).where(Job.id == job_id)))


def reap(factory: sessionmaker[Session], *, stall_after: float) -> list[int]:
    """Jobs whose worker stopped renewing the heartbeat for `stall_after` seconds go back to the queue (a new
    attempt) or, after `max_attempts`, fail; returns the ids queued again."""
    cutoff = utcnow() - dt.timedelta(seconds=stall_after)
    queued: list[int] = []
    with unit_of_work(factory) as db:
        stale = db.scalars(
            select(Job)
            .where(
                Job.state == "running",
                or_(Job.heartbeat_at < cutoff, and_(Job.heartbeat_at.is_(None), Job.started_at < cutoff)),
            )
            .order_by(Job.id)
        ).all()
        for job in stale:
            log.warning("job %s (%s) stalled on %s (last heartbeat %s)", job.id, job.kind, job.worker, job.heartbeat_at)
            token = set_locale(str(job.params.get("locale") or get_locale()))
            try:
                if job.attempts < job.max_attempts and not job.cancel_requested:
                    job.state, job.worker = "queued", None
                    job.step = _("The worker stopped responding; the job was queued again.")
                    queued.append(job.id)
                else:
                    job.state, job.finished_at, job.lock = "failed", utcnow(), None
                    job.error = _(
                        "The worker running this job stopped responding %(n)s times; nothing was written."
                    ) % {"n": job.attempts}
                    if job.cancel_requested:
                        job.state, job.error = "cancelled", None
            finally:
                reset_locale(token)
    return queued


@dataclass
class JobContext:
    """What a running job sees: its parameters, and the calls that report progress, check the cancel flag and
    store its outcome. Every call checks that the job is still this worker's."""

    factory: sessionmaker[Session]
    job_id: int
    kind: str
    event_id: int | None
    account_id: int | None
    params: dict[str, Any]
    attempt: int
    worker: str
    cancelled: threading.Event = field(default_factory=threading.Event)
    lost: threading.Event = field(default_factory=threading.Event)
    completed: bool = False
    _last_write: float = 0.0

    def check(self) -> None:
        """Stop here if the job was cancelled or taken over (raises Cancelled or LeaseLost)."""
        if self.lost.is_set():
            raise LeaseLost(self.job_id)
        if self.cancelled.is_set():
            raise Cancelled(self.job_id)

    def _write(self, **values: Any) -> None:
        with unit_of_work(self.factory) as db:
            changed = db.execute(
                update(Job)
                .where(_mine(self.job_id, self.worker))
                .values(heartbeat_at=utcnow(), **values)
                .execution_options(synchronize_session=False)
            )
            if not getattr(changed, "rowcount", 0):
                self.lost.set()
            elif db.scalar(select(Job.cancel_requested).where(Job.id == self.job_id)):
                self.cancelled.set()

    def step(
        self,
        text: str,
        *,
        progress: float | None = None,
        result: Mapping[str, Any] | None = None,
        every: float = 0.0,
        check: bool = True,
    ) -> None:
        """Report the job's current step (and progress 0..1) between two pieces of work, then check the flags.
        With `every`, a step arriving sooner than that many seconds after the last such step is not written;
        `check=False` for steps reported from inside a solver, which must not be interrupted by an exception."""
        now = time.monotonic()
        # Throttled steps (a solver's progress lines) are spaced from each other, not from the phase steps.
        if not every or now - self._last_write >= every:
            if every:
                self._last_write = now
            values: dict[str, Any] = {"step": text[:500]}
            if progress is not None:
                values["progress"] = max(0.0, min(1.0, progress))
            if result is not None:
                values["result"] = dict(result)
            self._write(**values)
        if check:
            self.check()

    def incumbent(self, result: Mapping[str, Any], *, bound: float | None = None) -> None:
        """Store the best result so far (and its proven bound), so the page shows it while the job runs."""
        self._write(result=dict(result), bound=bound)
        self.check()

    def complete(
        self, db: Session, result: Mapping[str, Any] | None, *, bound: float | None = None, step: str | None = None
    ) -> None:
        """Mark the job done inside the caller's transaction, the one that writes its outcome: if the job is no
        longer this worker's, LeaseLost is raised and the caller's transaction (the outcome) rolls back."""
        self.check()
        done = db.execute(
            update(Job)
            .where(_mine(self.job_id, self.worker))
            .values(
                state="done",
                finished_at=utcnow(),
                result=dict(result) if result is not None else None,
                bound=bound,
                progress=1.0,
                lock=None,
                error=None,
                **({"step": step[:500]} if step is not None else {}),
            )
            .execution_options(synchronize_session=False)
        )
        if not getattr(done, "rowcount", 0):
            raise LeaseLost(self.job_id)
        self.completed = True


def _finish(ctx: JobContext, state: str, **values: Any) -> None:
    with unit_of_work(ctx.factory) as db:
        db.execute(
            update(Job)
            .where(_mine(ctx.job_id, ctx.worker))
            .values(state=state, finished_at=utcnow(), lock=None, **values)
            .execution_options(synchronize_session=False)
        )


def _beat(ctx: JobContext, every: float, stop: threading.Event) -> None:
    last = time.monotonic()
    while not stop.wait(every):
        now = time.monotonic()
        if now - last > 3 * every:
            log.warning("heartbeat of job %s is %.1f s late (the process is starved)", ctx.job_id, now - last - every)
        last = now
        try:
            flag = heartbeat(ctx.factory, ctx.job_id, ctx.worker)
        except Exception:
            log.warning("heartbeat of job %s failed", ctx.job_id, exc_info=True)
            continue
        if flag is None:
            ctx.lost.set()
            return
        if flag:
            ctx.cancelled.set()


def execute(
    factory: sessionmaker[Session], job_id: int, *, worker: str, heartbeat_every: float | None = None
) -> bool:
    """Claim and run one job, recording how it went; False when another worker had it already.

    The job runs in a context of its own, in the language of the person who queued it. With
    `heartbeat_every`, a thread renews the heartbeat that long apart while the job runs (workers); without it
    (tests running a job inline), only the job's own steps do.
    """
    if not claim(factory, job_id, worker):
        return False
    return contextvars.copy_context().run(_execute, factory, job_id, worker, heartbeat_every)


def _execute(factory: sessionmaker[Session], job_id: int, worker: str, every: float | None) -> bool:
    with unit_of_work(factory, write=False) as db:
        job = db.get(Job, job_id)
        assert job is not None
        ctx = JobContext(
            factory=factory,
            job_id=job.id,
            kind=job.kind,
            event_id=job.event_id,
            account_id=job.account_id,
            params=dict(job.params),
            attempt=job.attempts,
            worker=worker,
        )
    set_locale(str(ctx.params.get("locale") or get_locale()))
    kind = find_kind(ctx.kind)
    stop = threading.Event()
    beating = threading.Thread(target=_beat, args=(ctx, every, stop), daemon=True) if every else None
    if beating is not None:
        beating.start()
    try:
        if kind is None:
            raise DomainError(_("No such kind of job: %(kind)s") % {"kind": ctx.kind})
        result = kind.run(ctx)
        if not ctx.completed:
            with unit_of_work(factory) as db:
                ctx.complete(db, result)
    except LeaseLost:
        log.warning("job %s was taken over by another worker; %s stops", job_id, worker)
    except Cancelled:
        _finish(ctx, "cancelled", error=_("The job was cancelled; nothing was written."))
    except DomainError as exc:
        log.info("job %s (%s) refused: %s", job_id, ctx.kind, exc.message)
        details = [d.message for d in exc.details if d.message != exc.message][:10]
        _finish(ctx, "failed", error=exc.message, error_details=details)
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, ctx.kind)
        _finish(ctx, "failed", error=str(exc) or type(exc).__name__)
    finally:
        stop.set()
        if beating is not None:
            beating.join()
    return True


def run_queued(factory: sessionmaker[Session], *, worker: str = "inline") -> list[int]:
    """Run every queued job in this thread, oldest first, until none is left; the ids run (tests, commands)."""
    ran: list[int] = []
    while True:
        with unit_of_work(factory, write=False) as db:
            ids = db.scalars(
                select(Job.id)
                .where(Job.state == "queued", Job.id.not_in(ran or [0]), _due(utcnow()))
                .order_by(Job.id)
            ).all()
        if not ids:
            return ran
        for job_id in ids:
            if execute(factory, job_id, worker=worker):
                ran.append(job_id)
