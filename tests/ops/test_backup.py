"""`duijie backup` and `duijie restore` on SQLite and PostgreSQL: a restored database holds exactly the rows it
held at backup time, a backup taken while a writer commits is one consistent snapshot, and every refusal is a
clear message with exit code 2."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import sessionmaker

from duijie.cli import main
from duijie.core.backup import sidecar
from duijie.core.db import make_engine
from duijie.core.migrate import head_revision, upgrade
from duijie.core.models import AuditEntry, SiteSecret
from duijie.directory.models import Account, Organisation
from tests import factories
from tests.ops.factories import small_database, snapshot


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _migrated(url: str, revision: str = "head") -> None:
    engine = make_engine(url)
    upgrade(engine, revision)
    engine.dispose()


def _change_everything(url: str, ids: dict[str, int]) -> None:
    """What happens between the backup and the restore: an edit, deletions (with their cascades), new rows."""
    engine = make_engine(url)
    with sessionmaker(bind=engine)() as db:
        db.execute(update(Organisation).where(Organisation.id == ids["organisation"]).values(name_zh="改过的名字"))
        db.execute(delete(Account).where(Account.id == ids["account"]))
        db.execute(delete(SiteSecret))
        factories.event(db, slug="after-backup")
        factories.account(db, role="judge")
        db.commit()
    engine.dispose()


def _round_trip(url: str, tmp_path: Path) -> None:
    _migrated(url)
    engine = make_engine(url)
    ids = small_database(engine)
    before = snapshot(engine)
    engine.dispose()
    output = tmp_path / "duijie.backup"

    made = _run("backup", "--db", url, "--output", str(output))
    assert made.exit_code == 0, made.output

    _change_everything(url, ids)
    engine = make_engine(url)
    assert snapshot(engine) != before
    engine.dispose()

    refused = _run("restore", "--db", url, "--input", str(output))
    assert refused.exit_code == 2
    assert "--force" in refused.output

    restored = _run("restore", "--db", url, "--input", str(output), "--force")
    assert restored.exit_code == 0, restored.output
    engine = make_engine(url)
    assert snapshot(engine) == before
    engine.dispose()
    described = json.loads(sidecar(output).read_text())
    assert described["revision"] == head_revision()
    assert described["tables"]["organisation"] == 3
    assert described["tables"]["account"] == 4


def test_sqlite_restore_gives_back_every_row_of_every_table(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'live.db'}", tmp_path)


@pytest.mark.postgres
def test_postgresql_restore_gives_back_every_row_of_every_table(
    tmp_path: Path, pg_schema: Callable[..., str]
) -> None:
    _round_trip(pg_schema("duijie_ops_backup"), tmp_path)


@pytest.mark.postgres
def test_postgresql_backup_restores_into_another_database(
    tmp_path: Path, pg_schema: Callable[..., str]
) -> None:
    """A backup moves to another server or database: restored into an empty one, it holds the same rows.
    DUIJIE_TEST_POSTGRES_SCRATCH_URL names another database; without it, a second schema of the same one would
    not do (a dump restores into its own schema), so the test restores into the same schema emptied."""
    source = pg_schema("duijie_ops_move")
    _migrated(source)
    engine = make_engine(source)
    small_database(engine)
    before = snapshot(engine)
    engine.dispose()
    output = tmp_path / "move.backup"
    assert _run("backup", "--db", source, "--output", str(output)).exit_code == 0

    scratch = os.environ.get("DUIJIE_TEST_POSTGRES_SCRATCH_URL")
    target = pg_schema("duijie_ops_move", scratch) if scratch else pg_schema("duijie_ops_move")
    restored = _run("restore", "--db", target, "--input", str(output))
    assert restored.exit_code == 0, restored.output
    engine = make_engine(target)
    assert snapshot(engine) == before
    engine.dispose()


def _writer(url: str, stop: threading.Event, written: list[int]) -> None:
    """Commits pairs of audit rows (2n, 2n+1), one pair per transaction, until told to stop."""
    engine = make_engine(url)
    n = 0
    with engine.connect() as conn:
        while not stop.is_set():
            with conn.begin():
                for k in (2 * n, 2 * n + 1):
                    conn.execute(insert(AuditEntry).values(entity_type="w", entity_id=k, action="write"))
            n += 1
            written.append(n)
    engine.dispose()


def test_sqlite_backup_while_a_writer_commits_is_one_consistent_snapshot(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    _migrated(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        # Some bulk, so that the copy takes a while with the writer running.
        conn.execute(insert(AuditEntry), [
            {"entity_type": "bulk", "entity_id": i, "action": "seed", "after": {"text": "数据" * 200}}
            for i in range(6000)
        ])
    engine.dispose()
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_writer, args=(url, stop, written))
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        result = _run("backup", "--db", url, "--output", str(tmp_path / "busy.backup"))
        during = len(written)
        while len(written) < during + 20:
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert result.exit_code == 0, result.output

    with closing(sqlite3.connect(tmp_path / "busy.backup")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        kept = sorted(k for (k,) in copy.execute("SELECT entity_id FROM audit_entry WHERE entity_type = 'w'"))
        counted = copy.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
    # A prefix of what the writer committed, whole transactions only, and what the description counts.
    assert kept == list(range(len(kept)))
    assert len(kept) % 2 == 0
    assert 40 <= len(kept) < 2 * len(written)
    assert json.loads(sidecar(tmp_path / "busy.backup").read_text())["tables"]["audit_entry"] == counted


def test_restoring_an_older_schema_runs_the_migrations(tmp_path: Path) -> None:
    old = f"sqlite:///{tmp_path / 'old.db'}"
    _migrated(old, "0002")
    assert _run("backup", "--db", old, "--output", str(tmp_path / "old.backup")).exit_code == 0

    target = f"sqlite:///{tmp_path / 'new.db'}"
    result = _run("restore", "--db", target, "--input", str(tmp_path / "old.backup"))
    assert result.exit_code == 0, result.output
    assert "migrated from revision 0002" in result.output
    engine = make_engine(target)
    with engine.connect() as conn:
        assert conn.execute(select(SiteSecret)).all() == []  # a table of revision 0003 exists
    engine.dispose()
    with closing(sqlite3.connect(tmp_path / "new.db")) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]


@pytest.fixture
def sqlite_backup(tmp_path: Path) -> Path:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    _migrated(url)
    output = tmp_path / "source.backup"
    assert _run("backup", "--db", url, "--output", str(output)).exit_code == 0
    return output


def _refused(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output


def test_a_backup_from_a_newer_schema_is_refused(tmp_path: Path, sqlite_backup: Path) -> None:
    described = json.loads(sidecar(sqlite_backup).read_text())
    described["revision"] = "9999"
    sidecar(sqlite_backup).write_text(json.dumps(described))
    target = tmp_path / "target.db"
    _refused(_run("restore", "--db", str(target), "--input", str(sqlite_backup)), "newer", "9999")
    assert not target.exists()


def test_a_missing_backup_or_description_is_refused(tmp_path: Path, sqlite_backup: Path) -> None:
    target = str(tmp_path / "target.db")
    _refused(_run("restore", "--db", target, "--input", str(tmp_path / "none.backup")), "no backup file")
    sidecar(sqlite_backup).unlink()
    _refused(_run("restore", "--db", target, "--input", str(sqlite_backup)), "no description")
    _refused(_run("backup", "--db", str(tmp_path / "absent.db"), "--output", str(tmp_path / "b")), "no SQLite")


def test_a_changed_or_unreadable_backup_is_refused(tmp_path: Path, sqlite_backup: Path) -> None:
    target = str(tmp_path / "target.db")
    with sqlite_backup.open("r+b") as handle:
        handle.seek(5000)
        handle.write(b"garbage")
    _refused(_run("restore", "--db", target, "--input", str(sqlite_backup)), "SHA-256")
    # A file its description matches that is no database at all.
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database")
    described = json.loads(sidecar(sqlite_backup).read_text())
    described["sha256"] = hashlib.sha256(b"not a database").hexdigest()
    sidecar(junk).write_text(json.dumps(described))
    _refused(_run("restore", "--db", target, "--input", str(junk)), "not a readable sqlite backup")


def test_a_backup_of_the_other_backend_is_refused(sqlite_backup: Path) -> None:
    # No server is contacted: the check comes before any connection.
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/nothing"
    _refused(_run("restore", "--db", url, "--input", str(sqlite_backup), "--force"), "sqlite database")


def test_backup_never_overwrites_an_earlier_backup(tmp_path: Path, sqlite_backup: Path) -> None:
    before = sqlite_backup.read_bytes()
    url = f"sqlite:///{tmp_path / 'source.db'}"
    _refused(_run("backup", "--db", url, "--output", str(sqlite_backup)), "already exists")
    assert sqlite_backup.read_bytes() == before
