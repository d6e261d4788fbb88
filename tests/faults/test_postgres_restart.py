"""PostgreSQL restarted under load: `duijie serve` keeps answering, every request either succeeds or gets an
error answer the client can act on (503 with Retry-After), none hangs or is dropped without an answer, and the
site works again once the database is back.

The test makes a PostgreSQL cluster of its own (as root, like the test environment script), serves duijie on it
from a subprocess, fires reads and writes from several threads, and restarts the cluster (`pg_ctlcluster ...
restart -m fast`, which ends every connection) in the middle of it. The cluster is dropped however the test ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import sessionmaker

from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from tests import factories
from tests.contest import factories as contest_factories
from tests.faults.support import browser, free_port, serving, sign_in

pytestmark = pytest.mark.skipif(
    shutil.which("pg_createcluster") is None or os.geteuid() != 0,
    reason="makes a PostgreSQL cluster of its own: needs pg_createcluster (Debian's postgresql-common) and root",
)

THREADS = 4
BEFORE, AFTER = 2.0, 4.0  # seconds of load before the restart, and after the database is back
CLIENT_TIMEOUT = 30.0  # a request without an answer by then counts as hung


def _version() -> str:
    versions = sorted((p.name for p in Path("/usr/lib/postgresql").glob("*") if p.name.isdigit()), key=int)
    if not versions:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    return "15" if "15" in versions else versions[-1]


@contextlib.contextmanager
def cluster() -> Iterator[tuple[str, str, str]]:
    """A throwaway cluster on a free loopback port, trusting local connections; yields (version, name, url)."""
    version, name, port = _version(), f"fault{os.getpid()}", free_port()
    subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True)
    subprocess.run(
        ["pg_createcluster", version, name, "-p", str(port), "--start-conf=manual", "--",
         "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"],
        check=True, capture_output=True,
    )
    try:
        with open(f"/etc/postgresql/{version}/{name}/postgresql.conf", "a") as conf:
            conf.write("listen_addresses='127.0.0.1'\nfsync=off\nsynchronous_commit=off\nfull_page_writes=off\n")
        subprocess.run(["pg_ctlcluster", version, name, "start"], check=True, capture_output=True)
        yield version, name, f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(["pg_ctlcluster", version, name, "stop", "-m", "immediate"], capture_output=True)
        subprocess.run(["pg_dropcluster", version, name], capture_output=True)


@dataclass
class Answer:
    kind: str
    at: float
    end: float
    status: int | None  # None: no answer (a time-out or a dropped connection)
    retry_after: str | None
    error: str | None = None


def _arrange(url: str) -> tuple[str, str, list[int]]:
    """A migrated database with a contest judge and one review per thread to score (so the threads' writes never
    collide); returns (judge's username, contest slug, review ids)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with sessionmaker(bind=engine)() as db:
            contest = contest_factories.contest(db)
            rnd = contest_factories.contest_round(db, event=contest)
            judge, login = contest_factories.judge(db, event=contest)
            rows = [
                contest_factories.review(db, rnd=rnd, judge=judge, entry=contest_factories.entry(db, event=contest))
                for _ in range(THREADS)
            ]
            db.commit()
            return login.username, contest.slug, [row.id for row in rows]
    finally:
        engine.dispose()


def test_the_site_survives_a_postgresql_restart_under_load(tmp_path: Path) -> None:
    with cluster() as (version, name, url):
        judge, slug, reviews = _arrange(url)
        with serving(url, tmp_path / "serve.log", env={"DUIJIE_WORKER_IN_WEB": "false"}) as server:
            answers: list[Answer] = []
            stop = threading.Event()
            clients = []
            for _ in range(THREADS):
                client = browser(server)
                client.timeout = httpx.Timeout(CLIENT_TIMEOUT)
                sign_in(client, judge, factories.PASSWORD)
                clients.append(client)

            def fire(client: httpx.Client, k: int) -> None:
                calls = [
                    ("project list", lambda: client.get("/projects")),
                    ("API list", lambda: client.get("/api/v1/opportunities")),
                    ("signed-in page", lambda: client.get("/account")),
                    ("score draft", lambda: client.put(
                        f"/api/v1/contests/{slug}/reviews/{reviews[k]}/score",
                        json={"marks": {"tech": 1 + k % 9, "team": 5}, "comment": f"第{k}次", "submit": False},
                    )),
                ]
                n = k
                while not stop.is_set():
                    kind, call = calls[n % len(calls)]
                    n += 1
                    start = time.monotonic()
                    try:
                        response = call()
                    except httpx.HTTPError as exc:
                        answers.append(Answer(kind, start, time.monotonic(), None, None, f"{type(exc).__name__}: {exc}"))
                        continue
                    answers.append(
                        Answer(kind, start, time.monotonic(), response.status_code, response.headers.get("retry-after"))
                    )

            threads = [threading.Thread(target=fire, args=(c, k), daemon=True) for k, c in enumerate(clients)]
            for thread in threads:
                thread.start()
            try:
                time.sleep(BEFORE)
                restart_began = time.monotonic()
                subprocess.run(["pg_ctlcluster", version, name, "restart", "-m", "fast"], check=True,
                               capture_output=True, timeout=120)
                back = time.monotonic()
                time.sleep(AFTER)
            finally:
                stop.set()
                for thread in threads:
                    thread.join(CLIENT_TIMEOUT + 10)
                for client in clients:
                    client.close()
            assert not any(t.is_alive() for t in threads), "a request hung past the client's time-out"

    log = (tmp_path / "serve.log").read_text(errors="replace")
    unanswered = [a for a in answers if a.status is None]
    assert not unanswered, (unanswered[:5], log[-3000:])
    wrong = [a for a in answers if not (200 <= a.status < 400 or (a.status == 503 and a.retry_after))]  # type: ignore[operator]
    assert not wrong, (Counter((a.kind, a.status) for a in wrong), log[-3000:])
    before = [a for a in answers if a.end < restart_began]
    assert before and all(a.status == 200 for a in before), Counter((a.kind, a.status) for a in before)
    # The app reconnects: once the database is back, every kind of request succeeds again, and keeps doing so.
    settled = [a for a in answers if a.at >= back + 1.0]
    assert {a.kind for a in settled if a.status == 200} == {"project list", "API list", "signed-in page",
                                                             "score draft"}, Counter((a.kind, a.status) for a in settled)
    assert all(a.status == 200 for a in settled), Counter((a.kind, a.status) for a in settled)
