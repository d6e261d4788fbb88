"""Never twice, across workers: messages queued by many transactions are each received once by the SMTP server
when two `duijie worker` processes drain the outbox at the same time (SQLite: the table workers; PostgreSQL:
Procrastinate), and of two threads handed the same message only one sends it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from duijie.core import mail
from duijie.core.db import make_sessionmaker, unit_of_work
from duijie.core.models import OutboxMail
from tests.fixtures.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


def test_two_threads_send_one_message_once(fresh_database: tuple[str, Engine], mail_to: SmtpServer) -> None:
    _url, engine = fresh_database
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as db:
        row = mail.queue_mail(db, to="ada@example.org", template="test", locale="en", context={})
        assert row is not None
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        outcomes.append(mail.deliver(factory, row.id))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["sent", "taken"]
    assert len(mail_to.wait_for(1)) == 1
    time.sleep(0.3)
    assert len(mail_to.messages) == 1


def test_two_worker_processes_send_each_message_once(
    fresh_database: tuple[str, Engine], smtp_server: SmtpServer, tmp_path: Path
) -> None:
    url, engine = fresh_database
    factory = make_sessionmaker(engine)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DUIJIE_SMTP_URL": smtp_server.url,
        "DUIJIE_JOB_POLL": "0.1",
        "DUIJIE_JOB_HEARTBEAT": "0.5",
    }
    logs = [open(tmp_path / f"worker-{i}.log", "wb") for i in range(2)]  # noqa: SIM115 (closed below)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "duijie.cli", "worker", "--db", url, "--concurrency", "2"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        for out in logs
    ]
    try:
        addresses = [f"p{i}@example.org" for i in range(30)]
        # Queued in many small transactions while the workers already drain: each commit may find the drain
        # waiting, running, or finished.
        for i in range(0, len(addresses), 3):
            with unit_of_work(factory) as db:
                for address in addresses[i : i + 3]:
                    mail.queue_mail(db, to=address, template="test", locale="en", context={}, key=f"w:{address}")
            time.sleep(0.05)
        received = smtp_server.wait_for(len(addresses), timeout=90)
        time.sleep(1.0)  # anything sent twice would arrive now
        counted = Counter(r for m in smtp_server.messages for r in m.rcpt_tos)
        assert counted == Counter(addresses), counted
        assert len(received) == len(addresses)
        with unit_of_work(factory, write=False) as db:
            states = dict(db.execute(select(OutboxMail.state, func.count()).group_by(OutboxMail.state)).all())
            assert states == {"sent": len(addresses)}
    finally:
        for process in processes:
            process.kill()
            process.wait(timeout=30)
        for out in logs:
            out.close()
        for i in range(2):
            print((tmp_path / f"worker-{i}.log").read_text(errors="replace")[-2000:])
