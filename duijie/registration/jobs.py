"""The registration's background work: expiring offers not claimed by their deadline.

One job waits under the lock `registration.sweep` until the earliest claim deadline (`core.jobs.enqueue_waiting`
brings it forward when an earlier offer is made). When it runs it frees its lock first, expires every overdue
offer and offers the places on (`service.sweep`), then queues itself for the next deadline still to come. Pages
and decisions also sweep when they read, so an offer never outlives its deadline waiting for a worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from duijie.core.db import unit_of_work
from duijie.core.jobs import JobContext, enqueue_waiting, register, release_lock

SWEEP_LOCK = "registration.sweep"


def _sweep(ctx: JobContext) -> Mapping[str, Any]:
    from duijie.registration import service

    release_lock(ctx.factory, ctx.job_id)
    with unit_of_work(ctx.factory) as db:
        expired = service.sweep(db)
        upcoming = service.next_deadline(db)
        if upcoming is not None:
            enqueue_waiting(db, kind=SWEEP, lock=SWEEP_LOCK, run_after=upcoming)
    return {"expired": expired, "next": upcoming.isoformat() if upcoming else None}


SWEEP = register("registration.sweep", _sweep)
