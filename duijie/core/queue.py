"""The job queue on PostgreSQL: Procrastinate delivers job ids to `duijie worker` processes on any machine.

Our `job` table stays the record that pages read; Procrastinate only carries "run job N" to a worker, at least
once, woken by LISTEN/NOTIFY, with worker heartbeats. One task per kind of job (`duijie.job.<kind>`) takes the
job's id and calls `core.jobs.execute`, whose conditional claim turns a second delivery into a no-op. The
Procrastinate job is deferred on the request's own connection, in its transaction, with the queueing lock
`kind:event` ("one solve per event"): a request that rolls back queues nothing, one that commits is never lost.

Procrastinate's tables and functions live in a schema of their own, `procrastinate` (created by the jobs
migration), apart from the application's tables; its connections and the deferral put that schema on the
search path.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import procrastinate
from procrastinate import exceptions as queue_errors
from psycopg.conninfo import make_conninfo
from sqlalchemy import text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.orm import Session

from duijie.core.models import Job

QUEUE = "duijie"
SCHEMA = "procrastinate"
TASK_PREFIX = "duijie.job."


def task_name(kind: str) -> str:
    """The Procrastinate task of a kind of job."""
    return TASK_PREFIX + kind


def queueing_lock(job: Job) -> str:
    """At most one delivery of a kind per event waits in the queue at a time."""
    return f"{job.kind}:{job.event_id}"


def conninfo(url: str | URL) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL, with Procrastinate's schema on the path."""
    parsed = make_url(url) if isinstance(url, str) else url
    plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return make_conninfo(plain, options=f"-c search_path={SCHEMA},public")


def make_app(url: str | URL) -> procrastinate.App:
    """A Procrastinate application on the database at `url` (no connection is opened until it is used)."""
    return procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(url)))


def _driver(connection: Connection) -> Any:
    return connection.connection.driver_connection


def defer_in_transaction(db: Session, job: Job) -> None:
    """Hand the queued job to Procrastinate in the caller's transaction (a savepoint of it).

    If a delivery for this kind and event is already waiting (one left by a job that ended meanwhile), the
    deferral is skipped: the workers' sweep (`core.worker`) delivers the job once the queue has room.
    """
    connection = db.connection()
    previous = connection.execute(text("SELECT current_setting('search_path')")).scalar_one()
    try:
        with connection.begin_nested():
            connection.execute(
                text("SELECT set_config('search_path', :path, true)"), {"path": f"{SCHEMA}, {previous}"}
            )
            make_app(connection.engine.url).configure_task(
                name=task_name(job.kind), queue=QUEUE, queueing_lock=queueing_lock(job), connection=_driver(connection)
            ).defer(job_id=job.id)
    except queue_errors.AlreadyEnqueued:
        pass
    finally:
        connection.execute(text("SELECT set_config('search_path', :path, true)"), {"path": previous})


def schema_sql() -> str:
    """Procrastinate's own schema (tables, types, functions, triggers) for the version installed."""
    return (resources.files("procrastinate.sql") / "schema.sql").read_text(encoding="utf-8")


def apply_schema(connection: Connection) -> None:
    """Create Procrastinate's schema in the `procrastinate` schema unless it is there (the jobs migration)."""
    if connection.dialect.name != "postgresql":
        return
    present = connection.execute(text("SELECT to_regclass('procrastinate.procrastinate_jobs')")).scalar()
    if present is not None:
        return
    previous = connection.execute(text("SELECT current_setting('search_path')")).scalar_one()
    connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    connection.execute(text("SELECT set_config('search_path', :path, true)"), {"path": SCHEMA})
    with _driver(connection).cursor() as cursor:
        cursor.execute(schema_sql())
    connection.execute(text("SELECT set_config('search_path', :path, true)"), {"path": previous})


def drop_schema(connection: Connection) -> None:
    """Remove Procrastinate's schema (the jobs migration's downgrade)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
