"""Every route of the application × every role, checked against the table of `matrix.py`.

The routes are read from the application itself, so a new route without an entry fails
`test_every_route_has_one_entry` (and an entry whose route is gone fails it too). Each cell then sends the
entry's request as that role to event A's records and checks the outcome; a refused write must leave the
entry's probed record as it was.

The world and the signed-in sessions are built once per module inside one transaction; each cell runs in a
SAVEPOINT of it that is rolled back, so no cell sees another's writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Mount

from duijie.app import create_app
from duijie.config import Settings
from tests.factories import PASSWORD
from tests.security import world as world_module
from tests.security.matrix import ENTRIES, LOGIN, NO, OK, Entry, by_key
from tests.security.world import ROLES, World

SESSION_COOKIE = "duijie_session"


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route the application serves, included routers flattened (HEAD, which
    answers as GET, and the static files mount left out)."""
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount):
            continue
        path = context.path
        assert path is not None
        for method in context.methods or ():
            if method != "HEAD":
                found.add((method, path))
    return found


@dataclass
class Env:
    """The module's world: the connection holding it, the client, each role's session cookie and form token."""

    connection: Connection
    factory: sessionmaker[Session]
    client: TestClient
    world: World
    cookies: dict[str, str]
    tokens: dict[str, str]


def _token(page: Response) -> str:
    return page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


@pytest.fixture(scope="module")
def env(engine: Engine) -> Iterator[Env]:
    # The application first: it may store its signing key through its own connection, which must not wait for
    # the world's transaction below.
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False)))
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        with factory() as db:
            world = world_module.build(db)
            db.commit()
        app.state.sessionmaker = factory
        # Jobs are queued but never started: a cell checks who may start one, not the work itself.
        app.state.job_launcher = lambda run: None
        with TestClient(app) as client:
            client.headers["Origin"] = "http://testserver"
            cookies: dict[str, str] = {}
            tokens: dict[str, str] = {}
            for role in ROLES:
                client.cookies.clear()
                token = _token(client.get("/login"))
                if role != "anonymous":
                    signed_in = client.post(
                        "/login",
                        data={"username": world.usernames[role], "password": PASSWORD, "csrf": token, "next": "/"},
                        follow_redirects=False,
                    )
                    assert signed_in.status_code == 303, (role, signed_in.text)
                    token = _token(client.get("/login"))
                cookies[role] = client.cookies[SESSION_COOKIE]
                tokens[role] = token
            yield Env(connection, factory, client, world, cookies, tokens)
    finally:
        outer.rollback()
        connection.close()


def test_every_route_has_one_entry(app: FastAPI) -> None:
    """The table names every route of the application once, and nothing else."""
    served = app_routes(app)
    table = set(by_key())
    missing = sorted(served - table)
    stale = sorted(table - served)
    assert not missing and not stale, f"routes without an entry: {missing}; entries without a route: {stale}"


# The cells are split over PARTS test files (this one and test_matrix_part*.py), entry by entry, so that the
# suite's parallel workers, which keep a file's tests together, share the matrix instead of one worker running
# all of it while the other waits.
PARTS = 3


def _cells(part: int = 0) -> Iterator[object]:
    for number, entry in enumerate(ENTRIES):
        if number % PARTS != part:
            continue
        for role in ROLES:
            marks = []
            if role in entry.xfail:
                marks.append(pytest.mark.xfail(reason=entry.xfail[role], strict=False))
            yield pytest.param(entry, role, id=f"{entry.method} {entry.path} · {role}", marks=marks)


def _outcome(entry: Entry, response: Response) -> str:
    """What the role met: the login page (303 to /login?next=… on HTML, 401 on the API), a refusal (403, or 404
    showing nothing), or the route's answer."""
    status = response.status_code
    location = response.headers.get("location", "")
    if status == 401 or (status in (302, 303, 307) and location.startswith("/login?next=")):
        return LOGIN
    if status in (403, 404):
        return NO
    if status < 400 or status in entry.also_ok:
        return OK
    return f"unexpected {status}"


def _send(env: Env, entry: Entry, role: str) -> Response:
    client = env.client
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, env.cookies[role])
    url = entry.url(env.world)
    if entry.method == "GET":
        return client.get(url, follow_redirects=False)
    if url.startswith("/api/"):
        body = entry.json(env.world) if entry.json else None
        return client.request(entry.method, url, json=body, follow_redirects=False)
    form = {**(entry.form(env.world) if entry.form else {}), "csrf": env.tokens[role]}
    files = entry.files(env.world) if entry.files else None
    return client.request(entry.method, url, data=form, files=files, follow_redirects=False)


def _shown(response: Response) -> str:
    """What a failing cell's answer says: the API's message, or a page's title and the messages beside fields."""
    if response.headers.get("content-type", "").startswith("text/html"):
        found = re.findall(r"<title>([^<]*)</title>|class=\"(?:field-)?error[^\"]*\">([^<]*)<", response.text)
        return " | ".join(a or b for a, b in found)
    return response.text[:300]


def _probe(env: Env, entry: Entry) -> object:
    assert entry.probe is not None
    with env.factory() as db:
        return entry.probe(db, env.world)


@pytest.mark.parametrize(("entry", "role"), list(_cells(0)))
def test_cell(env: Env, entry: Entry, role: str) -> None:
    check_cell(env, entry, role)


def check_cell(env: Env, entry: Entry, role: str) -> None:
    """The role meets what the entry's rule says; a refused write leaves its target as it was."""
    savepoint = env.connection.begin_nested()
    try:
        before = _probe(env, entry) if entry.probe else None
        response = _send(env, entry, role)
        expected = entry.rule[role]
        met = _outcome(entry, response)
        assert met == expected, (
            f"{entry.method} {entry.url(env.world)} as {role}: expected {expected}, got {met} "
            f"({response.status_code} {response.headers.get('location', '')}) {_shown(response)}"
        )
        if expected != OK and entry.probe:
            assert _probe(env, entry) == before, f"a refused {entry.method} {entry.path} changed {role}'s target"
    finally:
        savepoint.rollback()


def test_refusals_are_named() -> None:
    """Every entry's rule uses the three outcomes only, and every xfail names a role the rule knows."""
    for entry in ENTRIES:
        assert set(entry.rule.values()) <= {OK, LOGIN, NO}, entry.key
        assert set(entry.xfail) <= set(ROLES), entry.key
