"""Job workers: `duijie worker` processes, and the one thread `duijie serve` and `duijie demo` run by default.

On SQLite a worker polls the `job` table: it picks the oldest queued job and claims it with the conditional
UPDATE of `core.jobs.claim` inside a BEGIN IMMEDIATE transaction, so two workers (threads or processes) never
take the same job. On PostgreSQL the worker is a Procrastinate worker (`core.queue`) whose tasks call the same
`core.jobs.execute`. Both kinds of worker also sweep every few seconds: jobs whose heartbeat stopped (their
worker was killed) go back to the queue or fail after their last attempt, and on PostgreSQL queued jobs that
have no delivery waiting get one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
from typing import Any

import click
from procrastinate import exceptions as queue_errors
from procrastinate.jobs import Status
from sqlalchemy import or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from duijie.config import Settings, get_settings
from duijie.core import queue
from duijie.core.db import make_engine, make_sessionmaker, unit_of_work, url_for_path, utcnow
from duijie.core.jobs import KINDS, execute, load_kinds, reap
from duijie.core.models import Job

log = logging.getLogger(__name__)


def worker_name(index: int = 0) -> str:
    """host:pid:thread, so the job row says which process on which machine runs it."""
    return f"{socket.gethostname()}:{os.getpid()}:{index}"


def next_queued(factory: sessionmaker[Session]) -> list[int]:
    """The queued jobs, oldest first (a claim decides who runs each)."""
    with unit_of_work(factory, write=False) as db:
        due = or_(Job.run_after.is_(None), Job.run_after <= utcnow())  # a job waiting for later is not due
        return list(db.scalars(select(Job.id).where(Job.state == "queued", due).order_by(Job.id).limit(20)))


class TableWorker:
    """The SQLite worker: `concurrency` threads claiming jobs from the table, and a sweeper."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings, *, concurrency: int = 1) -> None:
        self.factory = factory
        self.settings = settings
        self.concurrency = concurrency
        self.stop = threading.Event()

    def _loop(self, index: int) -> None:
        name = worker_name(index)
        while not self.stop.is_set():
            ran = False
            try:
                for job_id in next_queued(self.factory):
                    if self.stop.is_set():
                        break
                    if execute(self.factory, job_id, worker=name, heartbeat_every=self.settings.job_heartbeat):
                        ran = True
                        break
            except Exception:
                log.exception("worker %s could not take a job", name)
            if not ran:
                self.stop.wait(self.settings.job_poll)

    def _sweep(self) -> None:
        while not self.stop.wait(self.settings.job_heartbeat):
            try:
                reap(self.factory, stall_after=self.settings.job_stall_after)
            except Exception:
                log.exception("sweeping stalled jobs failed")

    def threads(self) -> list[threading.Thread]:
        workers = [
            threading.Thread(target=self._loop, args=(i,), name=f"duijie-worker-{i}", daemon=True)
            for i in range(self.concurrency)
        ]
        return [*workers, threading.Thread(target=self._sweep, name="duijie-worker-sweep", daemon=True)]

    def run(self) -> None:
        """Run until `stop` is set (SIGTERM or SIGINT in `duijie worker`)."""
        threads = self.threads()
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)


class QueueWorker:
    """The PostgreSQL worker: a Procrastinate worker running one task per kind, and the sweep."""

    def __init__(
        self, engine: Engine, factory: sessionmaker[Session], settings: Settings, *, concurrency: int = 1
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.concurrency = concurrency
        self.app = queue.make_app(engine.url)
        self.name = worker_name()
        for kind in KINDS:
            self.app.task(name=queue.task_name(kind.name), queue=queue.QUEUE)(self._task())

    def _task(self) -> Any:
        def run(job_id: int) -> None:
            execute(self.factory, job_id, worker=self.name, heartbeat_every=self.settings.job_heartbeat)

        return run

    async def _sweep_once(self) -> None:
        manager = self.app.job_manager
        stall = self.settings.job_stall_after
        # Our rows first: a job whose heartbeat stopped is queued again (or fails after its last attempt).
        await asyncio.to_thread(reap, self.factory, stall_after=stall)
        # Then Procrastinate's deliveries held by a worker that stopped heartbeating go back to the queue, or
        # end if the queue holds another delivery for that kind and event already.
        for stalled in await manager.get_stalled_jobs(queue=queue.QUEUE, seconds_since_heartbeat=stall):
            try:
                await manager.retry_job(stalled)
            except queue_errors.UniqueViolation:
                await manager.finish_job(stalled, status=Status.FAILED, delete_job=False)
        # A queued job without a waiting delivery (its delivery ended while the job was taken as stalled) gets
        # one; the queueing lock refuses a duplicate of one waiting.
        cutoff = utcnow().timestamp() - stall
        for job_id, kind, event_id, queued_at in await asyncio.to_thread(self._waiting):
            if queued_at.timestamp() > cutoff:
                continue
            with contextlib.suppress(queue_errors.AlreadyEnqueued):
                await self.app.configure_task(
                    name=queue.task_name(kind), queue=queue.QUEUE, queueing_lock=f"{kind}:{event_id}"
                ).defer_async(job_id=job_id)

    def _waiting(self) -> list[tuple[int, str, int | None, Any]]:
        with unit_of_work(self.factory, write=False) as db:
            rows = db.execute(
                select(Job.id, Job.kind, Job.event_id, Job.heartbeat_at, Job.queued_at)
                .where(Job.state == "queued")
                .order_by(Job.id)
            ).all()
        return [(r.id, r.kind, r.event_id, r.heartbeat_at or r.queued_at) for r in rows]

    async def _sweeper(self) -> None:
        while True:
            await asyncio.sleep(self.settings.job_heartbeat)
            try:
                await self._sweep_once()
            except Exception:
                log.exception("sweeping stalled jobs failed")

    async def run_async(self, *, install_signal_handlers: bool = True) -> None:
        async with self.app.open_async():
            sweeper = asyncio.create_task(self._sweeper())
            try:
                await self.app.run_worker_async(
                    queues=[queue.QUEUE],
                    concurrency=self.concurrency,
                    name=self.name,
                    install_signal_handlers=install_signal_handlers,
                    update_heartbeat_interval=self.settings.job_heartbeat,
                    stalled_worker_timeout=self.settings.job_stall_after,
                    fetch_job_polling_interval=max(self.settings.job_poll, 1.0),
                )
            finally:
                sweeper.cancel()


def in_web_enabled(settings: Settings, url: str) -> bool:
    """Whether the serving process runs a worker thread: the setting, or by default on SQLite only."""
    if settings.worker_in_web is not None:
        return settings.worker_in_web
    return url.startswith("sqlite")


def start_in_process(url: str, settings: Settings | None = None) -> threading.Thread | None:
    """Start one worker thread in this process (`duijie serve`, `duijie demo`) when the settings ask for it,
    so the demo needs no other service; dedicated `duijie worker` processes make it unnecessary."""
    settings = settings or get_settings()
    if not in_web_enabled(settings, url):
        return None
    load_kinds()
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    if engine.dialect.name == "postgresql":
        worker = QueueWorker(engine, factory, settings)
        target: Any = lambda: asyncio.run(worker.run_async(install_signal_handlers=False))  # noqa: E731
    else:
        target = TableWorker(factory, settings).run
    thread = threading.Thread(target=target, name="duijie-web-worker", daemon=True)
    thread.start()
    return thread


@click.command()
@click.option(
    "--db", "db_path", default=None, help="SQLite file or database URL (default: DUIJIE_DATABASE_URL)."
)
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(min=1),
              help="Jobs this process runs at once.")
def worker(db_path: str | None, concurrency: int) -> None:
    """Run background jobs (scheduling, judge assignment, matching) in this process until stopped."""
    settings = get_settings()
    url = url_for_path(db_path) if db_path else settings.database_url
    load_kinds()
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    kinds = ", ".join(kind.name for kind in KINDS)
    click.echo(f"duijie worker {worker_name()} on {engine.url.render_as_string()} runs: {kinds}", err=True)
    if engine.dialect.name == "postgresql":
        asyncio.run(QueueWorker(engine, factory, settings, concurrency=concurrency).run_async())
        return
    table = TableWorker(factory, settings, concurrency=concurrency)

    def stop(signum: int, frame: Any) -> None:
        table.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    table.run()
