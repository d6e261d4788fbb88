"""Fixtures shared by the whole suite.

Database tests run once on SQLite and, when DUIJIE_TEST_POSTGRES_URL is set (`.ci/run` and `make test` set it),
once more on PostgreSQL. Each backend gets the schema from the real migrations and the demo built once per
session; every test then runs inside a transaction that is rolled back, so tests see the demo and never each
other's writes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from duijie.app import create_app
from duijie.config import Settings
from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from duijie.demo.builder import build_demo


def _database_of_this_worker() -> None:
    """Under pytest-xdist each worker process gets a PostgreSQL database of its own (`<name>_gw0`, ...).

    The suite drops and rebuilds the `public` schema of the database it is given, and the tests that make
    databases or schemas of their own name them after it, so pointing each worker at its own database keeps
    the workers out of each other's way without any test knowing it runs in parallel.
    """
    base = os.environ.get("DUIJIE_TEST_POSTGRES_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not base or not worker or os.environ.get("DUIJIE_TEST_POSTGRES_BASE"):
        return
    url = make_url(base)
    name = f"{url.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    os.environ["DUIJIE_TEST_POSTGRES_BASE"] = base
    os.environ["DUIJIE_TEST_POSTGRES_URL"] = url.set(database=name).render_as_string(hide_password=False)


_database_of_this_worker()
POSTGRES_URL = os.environ.get("DUIJIE_TEST_POSTGRES_URL")
# Tests that need vectors embed what they need themselves; no background embedding thread behind their back.
os.environ.setdefault("DUIJIE_SEARCH_EMBED", "off")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def _fresh_engine(backend: str, tmp: Path) -> Engine:
    if backend == "sqlite":
        return make_engine(f"sqlite:///{tmp / 'test.db'}")
    assert POSTGRES_URL
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    return engine


@contextmanager
def own_database(backend: str, tmp: Path, name: str, **engine_options: Any) -> Iterator[tuple[str, Engine]]:
    """A migrated, empty database of a test's own: its URL and engine, dropped when the block ends.

    For tests whose other threads or processes must see committed rows, which the suite's rolled-back
    transaction would hide. On PostgreSQL it is `<suite database>_<name>` (the suite's database is already the
    worker's own, so two workers never share it); on SQLite a file in `tmp`.
    """
    if backend == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("DUIJIE_TEST_POSTGRES_URL is not set")
        url = make_url(POSTGRES_URL)
        database_url = url.set(database=f"{url.database}_{name}").render_as_string(hide_password=False)
        _drop_database(database_url, create=True)
    else:
        database_url = f"sqlite:///{tmp / f'{name}.db'}"
    engine = make_engine(database_url, **engine_options)
    upgrade(engine)
    try:
        yield database_url, engine
    finally:
        engine.dispose()
        if backend == "postgresql":
            _drop_database(database_url)


def _drop_database(database_url: str, *, create: bool = False) -> None:
    assert POSTGRES_URL
    name = make_url(database_url).database
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def _demo_engines() -> Iterator[dict[str, Engine]]:
    """The demo databases this test process has built, by backend, disposed when the session ends."""
    built: dict[str, Engine] = {}
    yield built
    for eng in built.values():
        eng.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, _demo_engines: dict[str, Engine], tmp_path_factory: pytest.TempPathFactory
) -> Engine:
    """A migrated database holding the demo, per backend, built once per test process.

    Not a parametrized session fixture: pytest tears such a fixture down whenever the next test wants the
    other parameter, and under pytest-xdist's by-file distribution that happens at nearly every file, so each
    worker rebuilt the demo (~40 s) hundreds of times. Here a switch only picks the other, already built one.
    """
    return _demo_engine(request.param, _demo_engines, tmp_path_factory)


_PRISTINE = "demo-pristine.db"
_pristine_files: dict[str, Path] = {}
"""This process's untouched copy of its SQLite demo database (one process builds one)."""


def _demo_engine(backend: str, built: dict[str, Engine], tmp_path_factory: pytest.TempPathFactory) -> Engine:
    if backend not in built:
        tmp = tmp_path_factory.mktemp(backend)
        eng = _fresh_engine(backend, tmp)
        upgrade(eng)
        factory = sessionmaker(bind=eng)
        with factory() as db:
            build_demo(db)
            db.commit()
        if backend == "sqlite":
            # A copy taken before any test has opened it, for the tests that need the demo as a file.
            with (
                closing(sqlite3.connect(tmp / "test.db")) as source,
                closing(sqlite3.connect(tmp / _PRISTINE)) as copy,
            ):
                source.backup(copy)
            _pristine_files[backend] = tmp / _PRISTINE
        built[backend] = eng
    return built[backend]


@pytest.fixture
def demo_file(
    _demo_engines: dict[str, Engine], tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> Path:
    """The demo as a SQLite file of the test's own, as `duijie demo --db FILE --no-serve` leaves it, for
    command-line tests that open a file: a copy of the one this process built, not a build of its own (~40 s).
    """
    return copy_of_the_demo(tmp_path / "demo.db", _demo_engines, tmp_path_factory)


def copy_of_the_demo(
    target: Path, built: dict[str, Engine], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Writes this process's untouched SQLite demo database to `target` (building it first if need be)."""
    _demo_engine("sqlite", built, tmp_path_factory)
    with (
        closing(sqlite3.connect(_pristine_files["sqlite"])) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
    return target


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    trans = conn.begin()
    try:
        yield conn
    finally:
        trans.rollback()
        conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions that commit into SAVEPOINTs of the test's transaction, as the web's unit of work does."""
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture(scope="session")
def _apps() -> dict[str, FastAPI]:
    """The applications this test process has made, by database URL."""
    return {}


@pytest.fixture
def app(engine: Engine, session_factory: sessionmaker[Session], _apps: dict[str, FastAPI]) -> FastAPI:
    """The application on the demo database, its sessions bound to the test's transaction.

    One application per backend and process, not one per test: FastAPI builds every route's dependencies on an
    application's first request (about 1.4 s for ours), which was most of a typical web test's time. The
    application keeps no state of its own between requests beyond its settings and signing key; each test
    points it at its own transaction here.
    """
    url = engine.url.render_as_string(hide_password=False)
    application = _apps.get(url)
    if application is None:
        application = _apps[url] = create_app(Settings(database_url=url))
    application.state.sessionmaker = session_factory
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        # As a browser does on every same-origin POST: the API refuses cookie-authenticated writes without it.
        c.headers["Origin"] = "http://testserver"
        yield c


def login(client: TestClient, username: str, password: str) -> None:
    """Log in through the real form (CSRF token and all)."""
    page = client.get("/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf_of(client: TestClient, path: str) -> str:
    return client.get(path).text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


class StatementCounter:
    """Counts the SQL statements a test's requests run on its connection inside `with counter:` (N+1 guards).

    It listens on the test's own connection, which every request of the test uses, so work of other threads
    on other connections (a job worker polling, an index refresh) never enters the count.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.statements: list[str] = []

    def _count(self, conn: Connection, cursor: object, statement: str, *args: object) -> None:
        self.statements.append(statement)

    def __enter__(self) -> StatementCounter:
        self.statements = []
        sa_event.listen(self.connection, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        sa_event.remove(self.connection, "before_cursor_execute", self._count)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements(connection: Connection) -> StatementCounter:
    """`with count_statements: ...; count_statements.count` — the statements a block ran on the test's connection."""
    return StatementCounter(connection)


@contextmanager
def in_english(client: TestClient) -> Iterator[None]:
    """Requests in this block read the site in English (the language cookie), and in Chinese again after it."""
    client.cookies.set("lang", "en")
    try:
        yield
    finally:
        client.cookies.delete("lang")
