"""Running the Alembic migrations from code, so `duijie demo`, `serve` and the tests need no alembic command.

Several processes may start at once (two `duijie serve` on one host, a `duijie migrate` next to a starting
server, the workers of one server): each upgrade holds a lock for the database first, so one process migrates
and the others wait, then find the schema at head and do nothing. On PostgreSQL the lock is a transaction-level
advisory lock on the migration's own connection (released by its commit or rollback, even if the process dies);
on SQLite it is an exclusive `flock` on a file beside the database (`<file>.migrate.lock`), released when the
process lets go of it or ends.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# The advisory lock key every duijie migration takes on PostgreSQL: "duijie" in ASCII, an arbitrary constant
# that other applications sharing the database are unlikely to use.
MIGRATION_LOCK_KEY = 0x64756A696501


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The revision the code's migrations end at."""
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None, "the migrations have no head"
    return head


def known_revisions() -> set[str]:
    """Every revision the code's migrations know (older schemas a backup may come from)."""
    return {script.revision for script in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}


def lock_file(engine: Engine) -> Path | None:
    """The file whose `flock` serialises migrations of a SQLite database (None for PostgreSQL, memory)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(database).with_name(Path(database).name + ".migrate.lock")


@contextmanager
def _sqlite_lock(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        # Closing the descriptor releases the lock; the file stays (removing it would let a waiting process
        # lock a file a third process no longer sees).
        os.close(fd)


def _lock_postgresql(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """The migration's connection and transaction, one process at a time.

    On SQLite, foreign-key enforcement is off while the migration runs: an ALTER that SQLite cannot do in place
    is done by copying the table and dropping the old one (Alembic's batch mode), and with enforcement on, that
    DROP deletes every row that references the table, cascading (a deal's history, parties and tasks would go).
    The pragma only takes effect outside a transaction, so it is set on the raw connection before BEGIN; before
    the commit, `foreign_key_check` proves the migrated data still holds together (any orphan rolls it back)."""
    with _sqlite_lock(lock_file(engine)), engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                _lock_postgresql(connection)
                yield connection
                if sqlite:
                    orphans = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if orphans:
                        raise RuntimeError(f"the migration leaves rows without their parent: {orphans[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision`, on the given engine's own connection, one process at a time."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with _migrating(engine) as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with _migrating(engine) as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def current_revision(connection: Connection) -> str | None:
    """The revision a database is at (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()
