"""Migrations run once however many processes start at the same moment: two processes migrating one fresh
database together both succeed, and the schema is at head with one row of history."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from duijie.core.db import make_engine
from duijie.core.migrate import head_revision

# Each process imports everything first, then waits for the same instant, so the two upgrades really overlap.
MIGRATE_AT = """
import sys, time
from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from duijie.core.registry import load_all_models
load_all_models()
engine = make_engine(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
upgrade(engine)
print("migrated")
"""


def _migrate_together(url: str) -> None:
    start = time.time() + 8  # both processes are importing well before then, even on a loaded machine
    processes = [
        subprocess.Popen([sys.executable, "-c", MIGRATE_AT, url, str(start)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        outcomes = [process.communicate(timeout=120) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    for process, (out, err) in zip(processes, outcomes, strict=True):
        assert process.returncode == 0, err
        assert out.strip() == "migrated"
    assert time.time() > start, "the processes did not wait for the common start"


def _at_head_once(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [(head_revision(),)]
        assert "opportunity" in inspect(conn).get_table_names()
    engine.dispose()


def test_two_processes_migrating_a_fresh_sqlite_file_at_once_both_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    _migrate_together(url)
    _at_head_once(url)


@pytest.mark.postgres
def test_two_processes_migrating_a_fresh_postgresql_schema_at_once_both_succeed(
    pg_schema: Callable[..., str],
) -> None:
    url = pg_schema("duijie_ops_migrate")
    _migrate_together(url)
    _at_head_once(url)
