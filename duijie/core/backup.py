"""Backups of a duijie database and their restoration, on SQLite and PostgreSQL.

A backup is two files: the data, in the database's own format so that its own tools can read it in an
emergency (a SQLite file `sqlite3` opens, a `pg_dump --format=custom` archive `pg_restore` reads), and beside
it `<file>.json`, which says what the data is: duijie's version, the schema revision, the backend, when it was
taken, every table's row count and the data file's SHA-256. Restoring checks all of that before it touches the
target, refuses a backup from a newer schema than the code knows, and brings an older one up to date with the
migrations afterwards.

- SQLite: SQLite's online backup API copies the database in one step, so the copy is one consistent snapshot
  even while a server is writing (in WAL mode readers do not block writers). Restore writes the copy to a temporary
  file beside the target, checks it, flushes it to disk and renames it over the target: a crash leaves the old
  database or the new one, never half of each.
- PostgreSQL: `pg_dump` reads a snapshot exported by the transaction that also counts the rows and reads the
  revision, so the archive and its description agree; `pg_restore --single-transaction` restores all of it or
  nothing. Both run as subprocesses with the URL's credentials, the password passed through `PGPASSWORD`
  (never on the command line, where other users of the machine could read it).
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL, make_url

from duijie.core.db import make_engine, sqlite_path
from duijie.core.migrate import head_revision, known_revisions, upgrade

FORMAT = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds: written beside the data as `<file>.json`, checked before a restore."""

    backend: str
    revision: str | None
    tables: dict[str, int]
    sha256: str
    size: int
    created_at: str
    duijie_version: str
    schema: str | None = None  # PostgreSQL: the schema that was dumped
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, raw: str, *, source: Path) -> BackupInfo:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError(
                    f"{source} describes a backup in format {data.get('format')!r}; this duijie reads format "
                    f"{FORMAT}"
                )
            return cls(**data)
        except (ValueError, TypeError) as exc:
            raise BackupError(f"{source} is not a duijie backup description ({exc})") from exc


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did: the backup it read and whether the migrations then ran."""

    info: BackupInfo
    migrated_from: str | None


def sidecar(data_file: Path) -> Path:
    """The description of a backup file: `<file>.json`."""
    return data_file.with_name(data_file.name + ".json")


def duijie_version() -> str:
    try:
        return metadata.version("duijie")
    except metadata.PackageNotFoundError:
        return "unknown"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_beside(path: Path, purpose: str) -> Path:
    """A temporary name in the target's directory, so that the final rename stays on one filesystem."""
    return path.with_name(f".{path.name}.{purpose}-{os.getpid()}.tmp")


@contextmanager
def _removed_on_failure(*paths: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        for path in paths:
            path.unlink(missing_ok=True)
        raise


def _publish(temp: Path, final: Path) -> None:
    """Make `temp` durable, then rename it to `final` and make the rename durable."""
    _fsync_file(temp)
    os.replace(temp, final)
    _fsync_dir(final.parent)


def _check_output(output: Path) -> None:
    if output.exists() or sidecar(output).exists():
        raise BackupError(f"{output} (or {sidecar(output).name}) already exists; choose a new name or remove it")
    if not output.parent.is_dir():
        raise BackupError(f"the directory {output.parent} does not exist")


def _write_backup(temp: Path, output: Path, info: BackupInfo) -> BackupInfo:
    description = _temp_beside(sidecar(output), "backup")
    with _removed_on_failure(temp, description):
        description.write_text(info.to_json(), encoding="utf-8")
        _publish(temp, output)
        _publish(description, sidecar(output))
    return info


def backup(url: str, output: Path) -> BackupInfo:
    """Back the database at `url` up into `output` and `<output>.json`; returns the description written."""
    _check_output(output)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _backup_sqlite(url, output)
    if backend == "postgresql":
        return _backup_postgresql(url, output)
    raise BackupError(f"duijie backs up SQLite and PostgreSQL databases, not {backend}")


def read_info(data_file: Path) -> BackupInfo:
    """The checked description of a backup: both files exist, the data is what the description says."""
    if not data_file.is_file():
        raise BackupError(f"no backup file at {data_file}")
    described = sidecar(data_file)
    if not described.is_file():
        raise BackupError(
            f"{data_file} has no description beside it ({described.name}); restore needs both files of a backup"
        )
    info = BackupInfo.from_json(described.read_text(encoding="utf-8"), source=described)
    if _sha256(data_file) != info.sha256:
        raise BackupError(
            f"{data_file} is not the file {described.name} describes (its SHA-256 differs): it was changed, "
            "truncated or belongs to another backup"
        )
    magic = SQLITE_MAGIC if info.backend == "sqlite" else PGDUMP_MAGIC
    with data_file.open("rb") as handle:
        if handle.read(len(magic)) != magic:
            raise BackupError(f"{data_file} is not a readable {info.backend} backup")
    return info


def _check_revision(info: BackupInfo) -> None:
    if info.revision is not None and info.revision not in known_revisions():
        raise BackupError(
            f"the backup's schema (revision {info.revision}, duijie {info.duijie_version}) is newer than this "
            f"duijie knows (revision {head_revision()}); restore it with duijie {info.duijie_version} or later"
        )


def restore(url: str, data_file: Path, *, force: bool = False) -> RestoreReport:
    """Restore the backup `data_file` into the database at `url`, then migrate it to the code's schema.

    Refuses a target that holds tables unless `force`, a backup of the other backend and one from a newer
    schema; nothing is touched before those checks pass.
    """
    info = read_info(data_file)
    backend = make_url(url).get_backend_name()
    if backend != info.backend:
        raise BackupError(
            f"{data_file} is a backup of a {info.backend} database; restore it into a {info.backend} database, "
            f"not {backend}"
        )
    _check_revision(info)
    if backend == "sqlite":
        _restore_sqlite(url, data_file, info, force=force)
    else:
        _restore_postgresql(url, data_file, info, force=force)
    migrated_from = None
    if info.revision != head_revision():
        engine = make_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        migrated_from = info.revision or "an empty schema"
    return RestoreReport(info=info, migrated_from=migrated_from)


# --- SQLite ----------------------------------------------------------------------------------------------------


def _sqlite_file(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into; give a file")
    return Path(path)


def _sqlite_tables(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names}


def _sqlite_revision(conn: sqlite3.Connection, tables: dict[str, int]) -> str | None:
    if "alembic_version" not in tables:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def _sqlite_check(conn: sqlite3.Connection, what: Path) -> None:
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is not a readable SQLite database ({exc})") from exc
    if result != ["ok"]:
        raise BackupError(f"{what} fails SQLite's integrity check: {'; '.join(result[:5])}")


def _backup_sqlite(url: str, output: Path) -> BackupInfo:
    source = _sqlite_file(url)
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    temp = _temp_beside(output, "backup")
    temp.unlink(missing_ok=True)
    with _removed_on_failure(temp):
        with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(temp)) as copy:
            try:
                # pages=-1: the whole database in one step, under one read transaction, so the copy is a
                # single snapshot however many writers commit meanwhile.
                live.backup(copy, pages=-1)
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"{source} could not be read as a SQLite database ({exc})") from exc
            # A self-contained file: no -wal beside it to lose when it is copied elsewhere.
            copy.execute("PRAGMA journal_mode=DELETE")
            _sqlite_check(copy, source)
            tables = _sqlite_tables(copy)
            revision = _sqlite_revision(copy, tables)
        info = BackupInfo(
            backend="sqlite",
            revision=revision,
            tables=tables,
            sha256=_sha256(temp),
            size=temp.stat().st_size,
            created_at=_now(),
            duijie_version=duijie_version(),
        )
        return _write_backup(temp, output, info)


def _sqlite_has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        with closing(sqlite3.connect(path, timeout=30)) as conn:
            return bool(_sqlite_tables(conn))
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} exists and is not a SQLite database; move it away first ({exc})") from exc


def _retire_wal(path: Path) -> None:
    """Fold the target's write-ahead log into it and remove the -wal and -shm files, so that no frame of the old
    database is replayed onto the restored one."""
    if path.exists():
        with closing(sqlite3.connect(path, timeout=30)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _restore_sqlite(url: str, data_file: Path, info: BackupInfo, *, force: bool) -> None:
    target = _sqlite_file(url)
    if not target.parent.is_dir():
        raise BackupError(f"the directory {target.parent} does not exist")
    if not force and _sqlite_has_tables(target):
        raise BackupError(
            f"{target} already holds a database; stop the server and pass --force to replace it with the backup"
        )
    temp = _temp_beside(target, "restore")
    with _removed_on_failure(temp):
        shutil.copyfile(data_file, temp)
        with closing(sqlite3.connect(temp)) as conn:
            _sqlite_check(conn, data_file)
            found = _sqlite_tables(conn)
        if found != info.tables:
            raise BackupError(f"{data_file} does not hold the rows its description counts")
        _fsync_file(temp)
        _retire_wal(target)
        os.replace(temp, target)
        _fsync_dir(target.parent)


# --- PostgreSQL ------------------------------------------------------------------------------------------------


def libpq_connection(url: str) -> tuple[str, dict[str, str]]:
    """The libpq URL (without the password) and the environment (`PGPASSWORD`) for a SQLAlchemy URL such as
    `postgresql+psycopg://user:pass@host:5432/db`."""
    parsed = make_url(url)
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    return plain.render_as_string(hide_password=False), env


def find_binary(name: str) -> str:
    """`pg_dump` or `pg_restore` on PATH, else the newest under /usr/lib/postgresql/*/bin (Debian's layout)."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> tuple[int, ...]:
        part = Path(path).parent.parent.name
        return tuple(int(p) for p in part.split(".") if p.isascii() and p.isdigit())

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version, reverse=True)
    if candidates:
        return candidates[0]
    raise BackupError(
        f"{name} was not found on PATH or under /usr/lib/postgresql/*/bin; install PostgreSQL's client tools "
        "(Debian: apt-get install postgresql-client) in the version of the server or newer"
    )


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip()
        raise BackupError(f"{what} failed ({Path(argv[0]).name} exit {result.returncode}): {message}")


def _pg_tables(conn: Connection, schema: str) -> dict[str, int]:
    names = sorted(inspect(conn).get_table_names(schema=schema))
    quote = conn.dialect.identifier_preparer.quote
    return {
        name: int(conn.execute(text(f"SELECT count(*) FROM {quote(schema)}.{quote(name)}")).scalar_one())
        for name in names
    }


def _pg_revision(conn: Connection, schema: str, tables: dict[str, int]) -> str | None:
    if "alembic_version" not in tables:
        return None
    quote = conn.dialect.identifier_preparer.quote
    found = conn.execute(text(f"SELECT version_num FROM {quote(schema)}.alembic_version")).scalar()
    return str(found) if found is not None else None


def _backup_postgresql(url: str, output: Path) -> BackupInfo:
    pg_dump = find_binary("pg_dump")
    target, env = libpq_connection(url)
    temp = _temp_beside(output, "backup")
    engine = make_engine(url)
    try:
        with _removed_on_failure(temp), engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                # pg_dump reads this transaction's snapshot, so the counts and revision below describe exactly
                # the rows it dumps, whatever commits meanwhile.
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                schema = conn.execute(text("SELECT current_schema()")).scalar_one()
                tables = _pg_tables(conn, schema)
                revision = _pg_revision(conn, schema, tables)
                _run(
                    [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--schema={schema}",
                     f"--file={temp}", f"--dbname={target}"],
                    env,
                    "pg_dump",
                )
            info = BackupInfo(
                backend="postgresql",
                revision=revision,
                tables=tables,
                sha256=_sha256(temp),
                size=temp.stat().st_size,
                created_at=_now(),
                duijie_version=duijie_version(),
                schema=schema,
            )
            return _write_backup(temp, output, info)
    finally:
        engine.dispose()


def _restore_postgresql(url: str, data_file: Path, info: BackupInfo, *, force: bool) -> None:
    pg_restore = find_binary("pg_restore")
    target, env = libpq_connection(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            existing = set(inspect(conn).get_table_names(schema=schema))
            if info.schema != schema:
                raise BackupError(
                    f"{data_file} holds the schema {info.schema!r}; this database's schema is {schema!r} (set "
                    "the search path of the URL to the backup's schema)"
                )
            if existing and not force:
                raise BackupError(
                    f"the database already holds {len(existing)} tables; pass --force to replace them with the "
                    "backup"
                )
            # Tables a later schema added would survive `--clean` and stop the migrations: drop them first.
            quote = conn.dialect.identifier_preparer.quote
            for name in sorted(existing - set(info.tables)):
                conn.execute(text(f"DROP TABLE IF EXISTS {quote(schema)}.{quote(name)} CASCADE"))
        _run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             f"--dbname={target}", str(data_file)],
            env,
            "pg_restore",
        )
        with engine.connect() as conn:
            found = _pg_tables(conn, schema)
        if found != info.tables:
            raise BackupError(f"the restored database does not hold the rows {sidecar(data_file).name} counts")
    finally:
        engine.dispose()
