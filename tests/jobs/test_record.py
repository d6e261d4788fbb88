"""The job record and its lease, in one process: one unfinished job per kind and event, a claim taken once, the
cancel flag read between steps, stalled jobs queued again then failed, and a result written only by the worker
that still holds the job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from duijie.core import jobs
from duijie.core.db import unit_of_work, utcnow
from duijie.core.errors import DomainError
from duijie.core.models import AuditEntry, Job
from duijie.events.models import Event
from tests import factories

# What the test kinds see and do, per test (a kind is registered once per process).
seen: dict[str, Any] = {}


def _echo(ctx: jobs.JobContext) -> Mapping[str, Any]:
    """Two steps, an incumbent with a bound, then the parameters back as the result."""
    ctx.step("first", progress=0.25)
    ctx.incumbent({"best": 1}, bound=2.5)
    hook = seen.get("between")
    if hook is not None:
        hook(ctx)
    ctx.step("second", progress=0.75)
    return {"echo": ctx.params["value"]}


def _write_once(ctx: jobs.JobContext) -> None:
    """Writes an audit entry and marks the job done in the same transaction (as the scheduler does)."""
    hook = seen.get("between")
    if hook is not None:
        hook(ctx)
    with unit_of_work(ctx.factory) as db:
        db.add(AuditEntry(entity_type="job", entity_id=ctx.job_id, action="written", event_id=ctx.event_id))
        ctx.complete(db, {"written": True})


def _refuse(ctx: jobs.JobContext) -> None:
    raise DomainError("refused for a reason", field="x")


ECHO = jobs.register("tests.echo", _echo)
WRITE_ONCE = jobs.register("tests.write_once", _write_once, max_attempts=2)
REFUSE = jobs.register("tests.refuse", _refuse)


@pytest.fixture(autouse=True)
def _clear() -> None:
    seen.clear()


def _queue(db: Session, kind: jobs.JobKind, event: Event, **params: Any) -> tuple[Job, bool]:
    job, created = jobs.enqueue(db, kind=kind, event_id=event.id, account_id=None, params=params)
    db.commit()
    return job, created


def _row(db: Session, job_id: int) -> Job:
    db.expire_all()
    row = db.get(Job, job_id)
    assert row is not None
    return row


def test_a_second_job_of_the_same_kind_and_event_is_the_first_until_it_ends(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event, other = factories.event(db), factories.event(db)
    first, created = _queue(db, ECHO, event, value=1)
    again, created_again = _queue(db, ECHO, event, value=1)
    changed, created_changed = _queue(db, ECHO, event, value=2)
    elsewhere, created_elsewhere = _queue(db, ECHO, other, value=1)
    assert (created, created_again, created_changed, created_elsewhere) == (True, False, False, True)
    assert again.id == changed.id == first.id != elsewhere.id
    assert first.key == f"tests.echo:{event.id}:{jobs.input_hash({'value': 1})}"
    assert (first.lock, first.state, first.attempts) == (f"tests.echo:{event.id}", "queued", 0)
    assert jobs.run_queued(session_factory) == [first.id, elsewhere.id]
    done = _row(db, first.id)
    assert (done.state, done.lock, done.attempts, done.progress) == ("done", None, 1, 1.0)
    assert done.result == {"echo": 1} and done.step == "second"
    assert done.started_at is not None and done.finished_at is not None and done.finished_at >= done.started_at
    assert jobs.latest(db, kind="tests.echo", event_id=event.id) == done
    after, created_after = _queue(db, ECHO, event, value=1)
    assert created_after and after.id != first.id and after.key == first.key


def test_a_job_is_claimed_once(db: Session, session_factory: sessionmaker[Session]) -> None:
    job, _ = _queue(db, ECHO, factories.event(db), value=1)
    assert jobs.claim(session_factory, job.id, "host:1:0") is True
    assert jobs.claim(session_factory, job.id, "host:2:0") is False
    assert jobs.execute(session_factory, job.id, worker="host:2:0") is False
    row = _row(db, job.id)
    assert (row.state, row.worker, row.attempts) == ("running", "host:1:0", 1)


def test_steps_show_progress_and_the_incumbent_with_its_bound(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    _queue(db, ECHO, factories.event(db), value=3)
    during: list[tuple[str, str, float, Any, float | None]] = []

    def look(ctx: jobs.JobContext) -> None:
        with session_factory() as other:
            row = other.get(Job, ctx.job_id)
            assert row is not None
            during.append((row.state, row.step, row.progress, row.result, row.bound))

    seen["between"] = look
    jobs.run_queued(session_factory)
    assert during == [("running", "first", 0.25, {"best": 1}, 2.5)]


def test_cancelling_a_queued_job_ends_it_and_a_running_one_stops_at_its_next_step(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event = factories.event(db)
    queued, _ = _queue(db, ECHO, event, value=1)
    jobs.cancel(db, job=queued)
    db.commit()
    assert (_row(db, queued.id).state, _row(db, queued.id).lock) == ("cancelled", None)
    running, created = _queue(db, ECHO, event, value=1)
    assert created

    def cancel_meanwhile(ctx: jobs.JobContext) -> None:
        with unit_of_work(session_factory) as other:
            row = other.get(Job, ctx.job_id)
            assert row is not None and row.state == "running"
            jobs.cancel(other, job=row)

    seen["between"] = cancel_meanwhile
    jobs.run_queued(session_factory)
    row = _row(db, running.id)
    assert (row.state, row.step, row.lock, row.result) == ("cancelled", "second", None, {"best": 1})
    assert row.error == "任务已取消，未写入任何结果。"


def test_a_stalled_job_is_queued_again_then_fails_after_its_last_attempt(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event = factories.event(db)
    job, _ = _queue(db, WRITE_ONCE, event)
    long_ago = utcnow() - dt.timedelta(minutes=5)
    for attempt in (1, 2):
        assert jobs.claim(session_factory, job.id, f"dead:{attempt}")
        assert jobs.reap(session_factory, stall_after=60) == []
        db.execute(update(Job).where(Job.id == job.id).values(heartbeat_at=long_ago))
        db.commit()
        requeued = jobs.reap(session_factory, stall_after=60)
        row = _row(db, job.id)
        assert row.attempts == attempt
        if attempt == 1:
            assert requeued == [job.id] and (row.state, row.worker, row.lock) == ("queued", None, job.lock)
            assert row.step == "执行任务的工作进程已无响应，任务已重新排队。"
    assert requeued == [] and (row.state, row.lock) == ("failed", None)
    assert row.error == "执行此任务的工作进程已 2 次无响应，未写入任何结果。"
    assert db.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.entity_type == "job")) == 0


def test_a_worker_that_lost_its_job_writes_nothing(db: Session, session_factory: sessionmaker[Session]) -> None:
    event = factories.event(db)
    job, _ = _queue(db, WRITE_ONCE, event)

    def taken_over(ctx: jobs.JobContext) -> None:
        """While this worker is stalled, its job is queued again and claimed by another."""
        with unit_of_work(session_factory) as other:
            other.execute(
                update(Job)
                .where(Job.id == ctx.job_id)
                .values(heartbeat_at=utcnow() - dt.timedelta(minutes=5))
            )
        assert jobs.reap(session_factory, stall_after=60) == [ctx.job_id]
        assert jobs.claim(session_factory, ctx.job_id, "other:1:0")

    seen["between"] = taken_over
    assert jobs.execute(session_factory, job.id, worker="first:1:0") is True
    row = _row(db, job.id)
    assert (row.state, row.worker, row.attempts) == ("running", "other:1:0", 2)
    written = select(func.count(AuditEntry.id)).where(AuditEntry.entity_type == "job")
    assert db.scalar(written) == 0
    seen.clear()
    row.state = "queued"
    db.commit()
    assert jobs.execute(session_factory, job.id, worker="other:1:0") is True
    assert _row(db, job.id).state == "done" and db.scalar(written) == 1


def test_a_refused_job_records_its_error_and_frees_its_event(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event = factories.event(db)
    job, _ = _queue(db, REFUSE, event)
    jobs.run_queued(session_factory)
    row = _row(db, job.id)
    assert (row.state, row.error, row.lock) == ("failed", "refused for a reason", None)
    assert jobs.elapsed(row) is not None
    assert _queue(db, REFUSE, event)[1] is True


def test_on_postgresql_the_delivery_is_queued_in_the_same_transaction(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event = factories.event(db)
    if db.get_bind().dialect.name != "postgresql":
        # On SQLite there is no delivery queue: the row itself is the queue, queued in the same transaction.
        job, _ = _queue(db, ECHO, event, value=1)
        assert _row(db, job.id).state == "queued"
        jobs.run_queued(session_factory)
        assert _row(db, job.id).state == "done"
        return
    first, _ = _queue(db, ECHO, event, value=1)
    deliveries = text(
        "SELECT task_name, queueing_lock, status::text FROM procrastinate.procrastinate_jobs "
        "WHERE (args->>'job_id')::bigint = :id"
    )
    assert db.execute(deliveries, {"id": first.id}).all() == [
        ("duijie.job.tests.echo", f"tests.echo:{event.id}", "todo")
    ]
    jobs.run_queued(session_factory)
    # The first delivery still waits (no worker took it): the next job of the event is queued all the same,
    # and the workers' sweep delivers it once the queue has room.
    second, created = _queue(db, ECHO, event, value=1)
    assert created and db.execute(deliveries, {"id": second.id}).all() == []
    assert db.execute(text("SELECT current_setting('search_path')")).scalar() == '"$user", public'
