"""`duijie worker` processes on one database: each job runs once across two workers, and a worker killed with
SIGKILL in the middle of a solve leaves its job to another, which finishes it and writes the schedule once.

On SQLite the workers claim jobs from the table; on PostgreSQL (marked `postgres`) Procrastinate delivers them.
Every wait is bounded, and every worker started is killed in a `finally`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from duijie.core.db import make_sessionmaker, unit_of_work
from duijie.core.models import AuditEntry, Job
from duijie.directory.accounts import actor_for_account
from duijie.events.models import Event
from duijie.meetings import runs
from duijie.meetings.jobs import KIND, start_job
from duijie.meetings.models import Meeting
from tests.conftest import own_database
from tests.jobs import factories as jf

ROOT = Path(__file__).resolve().parents[2]
# Fast heartbeats and a short stall limit, so a killed worker's job is taken over within seconds.
WORKER_ENV = {"DUIJIE_JOB_HEARTBEAT": "0.5", "DUIJIE_JOB_STALL_AFTER": "6", "DUIJIE_JOB_POLL": "0.2"}


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A migrated, empty database (SQLite file or a PostgreSQL database of its own) and its engine."""
    with own_database(request.param, tmp_path, "jobs") as made:
        yield made


@contextmanager
def workers(url: str, logs: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Start `duijie worker` processes with `start()`; all of them are killed when the block ends."""
    started: list[subprocess.Popen[bytes]] = []
    files: list[IO[bytes]] = []
    env = {**os.environ, **WORKER_ENV, "PYTHONPATH": str(ROOT)}

    def start() -> subprocess.Popen[bytes]:
        out = open(logs / f"worker-{len(started)}.log", "wb")  # noqa: SIM115 (closed in the finally below)
        files.append(out)
        process = subprocess.Popen(
            [sys.executable, "-m", "duijie.cli", "worker", "--db", url],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
        for out in files:
            out.close()


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str, logs: Path) -> Any:
    """Poll `condition` until it returns something true, at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    output = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(logs.glob("*.log")))
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{output}")


def _queue_schedules(factory: sessionmaker[Session], events: int, **sizes: Any) -> dict[int, int]:
    """Events with accepted requests and a queued scheduling job for each: {event id: job id}."""
    time_limit = sizes.pop("time_limit")
    queued: dict[int, int] = {}
    with unit_of_work(factory) as db:
        actor = actor_for_account(jf.organiser(db))
        for n in range(events):
            event = jf.scheduling_event(db, seed=n, **sizes)
            job = start_job(db, event=event, actor=actor, time_limit=time_limit)
            assert job.id is not None
            queued[event.id] = job.id
    return queued


def _jobs(factory: sessionmaker[Session]) -> list[Job]:
    with unit_of_work(factory, write=False) as db:
        return list(db.scalars(select(Job).where(Job.kind == KIND).order_by(Job.id)))


def _all_finished(factory: sessionmaker[Session]) -> list[Job]:
    """The jobs, once none is queued or running (else an empty list)."""
    rows = _jobs(factory)
    return rows if all(j.state in ("done", "failed", "cancelled") for j in rows) else []


def _schedules_written(factory: sessionmaker[Session], event_id: int) -> int:
    with unit_of_work(factory, write=False) as db:
        return db.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.event_id == event_id, AuditEntry.action == "meetings_scheduled"
            )
        ) or 0


def test_two_workers_run_each_job_exactly_once(database: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = database
    factory = make_sessionmaker(engine)
    queued = _queue_schedules(factory, 4, participants=6, slots=3, tables=2, requests=5, time_limit=1)
    with workers(url, tmp_path) as start:
        pids = {start().pid, start().pid}
        finished = wait_for(
            lambda: _all_finished(factory),
            timeout=180,
            what="every job to finish",
            logs=tmp_path,
        )
    assert [(j.id, j.state, j.error, j.attempts) for j in finished] == [
        (job_id, "done", None, 1) for job_id in queued.values()
    ]
    assert {int(str(j.worker).split(":")[1]) for j in finished} <= pids
    for event_id in queued:
        assert _schedules_written(factory, event_id) == 1


def test_a_worker_killed_mid_solve_leaves_the_job_to_another_which_writes_once(
    database: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = database
    factory = make_sessionmaker(engine)
    [(event_id, job_id)] = _queue_schedules(
        factory, 1, participants=12, slots=6, tables=3, requests=24, time_limit=6
    ).items()

    def solving() -> bool:
        [job] = _jobs(factory)
        return job.state == "running" and (job.result or {}).get("solves") == 1

    with workers(url, tmp_path) as start:
        first = start()
        wait_for(solving, timeout=120, what="the first worker to start solving", logs=tmp_path)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        [orphan] = _jobs(factory)
        assert (orphan.state, orphan.attempts) == ("running", 1)
        start()
        [job] = wait_for(
            lambda: [j for j in _jobs(factory) if j.state in ("done", "failed")],
            timeout=180,
            what="the second worker to finish the job",
            logs=tmp_path,
        )
    assert (job.id, job.state, job.error, job.attempts) == (job_id, "done", None, 2)
    assert job.worker != orphan.worker
    assert _schedules_written(factory, event_id) == 1
    with unit_of_work(factory, write=False) as db:
        event = db.get(Event, event_id)
        assert event is not None
        report = runs.last_run(db, event=event)
        placed = db.scalar(select(func.count(Meeting.id)).where(Meeting.event_id == event_id))
    assert report is not None and job.result == {"solves": 1, "report": report.model_dump()}
    assert placed == report.meetings > 0
