"""The former job mechanism (state in an event setting, a daemon thread, a per-process lock), kept only while
matching's recompute moves to the job table (`core.jobs`); deleted with its last user.

A kind of job keeps its state per owner (an event) in a row its module stores (queued → running → done |
failed, with its times, step and error), so that every web process shows it. What changes many times a second
while the job runs (its step, its progress) is also kept in memory, where the pages of the process running it
read it without a write per change. A job is launched only after the transaction that queued it has committed,
so it never starts from a row the request rolled back; one process never runs the same job twice at once, and a
job whose process died stops blocking new runs once it is older than `stale_after`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from typing import Any, Self

from sqlalchemy.orm import Session, sessionmaker

from duijie.core.db import on_commit, unit_of_work, utcnow

ACTIVE = ("queued", "running")
STALE_AFTER = dt.timedelta(hours=1)

Launch = Callable[[Callable[[], None]], None]
Read = Callable[[Session, int], dict[str, Any] | None]
Write = Callable[[Session, int, dict[str, Any]], None]

_lock = threading.Lock()
_live: dict[tuple[str, str, int], dict[str, Any]] = {}


def iso(moment: dt.datetime) -> str:
    """A UTC time as the job row stores it, to the second."""
    return moment.isoformat(timespec="seconds")


@dataclass
class JobState:
    """The fields every kind of job stores (its module's subclass adds its own parameters and outcome).

    `running` is not stored: `JobKind.status` works it out from the stored state and this process's live jobs.
    """

    state: str = "queued"
    queued: str | None = None
    started: str | None = None
    finished: str | None = None
    step: str = ""
    error: str | None = None
    running: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The typed state of a stored (or live) job; keys this version does not know are left out."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def stored(self) -> dict[str, Any]:
        """The JSON form kept in the job's row (without what is worked out when read)."""
        out = asdict(self)
        out.pop("running")
        return out


def since(job: Mapping[str, Any] | JobState) -> str:
    """ "2024-04-25 09:00": when a job started (or was queued), for messages that refuse a second run."""
    if isinstance(job, JobState):
        moment = job.started or job.queued or ""
    else:
        moment = job.get("started") or job.get("queued") or ""
    return moment[:16].replace("T", " ")


def start_thread(job: Callable[[], None]) -> None:
    """Run a job in a daemon thread of this process, so that the request that queued it returns at once."""
    threading.Thread(target=job, name="duijie-job", daemon=True).start()


def _database(factory: sessionmaker[Session]) -> str:
    bind: Any = factory.kw.get("bind")
    return str(bind.engine.url) if bind is not None else ""


@dataclass(frozen=True)
class JobKind:
    """One kind of background job; `read` and `write` load and store its state row for an owner id."""

    name: str
    read: Read
    write: Write
    stale_after: dt.timedelta = STALE_AFTER

    def _key(self, factory: sessionmaker[Session], owner_id: int) -> tuple[str, str, int]:
        return (_database(factory), self.name, owner_id)

    def is_running(self, job: dict[str, Any] | None, live: bool) -> bool:
        """Whether a stored job still runs: one whose process died is taken as over after `stale_after`."""
        if live:
            return True
        if job is None or job.get("state") not in ACTIVE:
            return False
        moment = job.get("started") or job.get("queued")
        return moment is not None and utcnow() - dt.datetime.fromisoformat(moment) < self.stale_after

    def status(self, db: Session, owner_id: int, factory: sessionmaker[Session]) -> dict[str, Any] | None:
        """The owner's last or current job, with the live step while it runs here, and `running`."""
        stored = self.read(db, owner_id)
        if not isinstance(stored, dict):
            return None
        job = dict(stored)
        live = _live.get(self._key(factory, owner_id))
        if live is not None:
            job.update(live)
        job["running"] = self.is_running(job, live is not None)
        return job

    def queue(
        self, db: Session, owner_id: int, job: dict[str, Any], run: Callable[[], None], launch: Launch
    ) -> dict[str, Any]:
        """Store the queued job in the caller's transaction and launch `run` once that transaction commits."""
        self.write(db, owner_id, job)
        on_commit(db, lambda: launch(run))
        return job

    def update(self, factory: sessionmaker[Session], owner_id: int, **changes: Any) -> dict[str, Any]:
        """Change the stored job in a transaction of its own, so that the pages see it at once."""
        with unit_of_work(factory) as session:
            stored = self.read(session, owner_id)
            job = dict(stored) if isinstance(stored, dict) else {}
            job.update(changes)
            self.write(session, owner_id, job)
        return job

    @contextmanager
    def claim(self, factory: sessionmaker[Session], owner_id: int) -> Iterator[dict[str, Any] | None]:
        """The job's live state for the time it runs here, or None when this process already runs it."""
        key = self._key(factory, owner_id)
        live: dict[str, Any] | None
        with _lock:
            if key in _live:
                live = None
            else:
                live = {}
                _live[key] = live
        if live is None:
            yield None
            return
        try:
            yield live
        finally:
            with _lock:
                _live.pop(key, None)
