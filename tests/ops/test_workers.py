"""`duijie serve --workers 2`: two worker processes over one SQLite file behave as one site. A visitor signed in
through one worker is signed in on the other (sessions live in the database, the signing key too), and what one
worker writes the other sees.

The test pins two keep-alive connections, one to each worker (which process accepted a connection is read from
/proc), so it proves both workers answer instead of hoping the kernel spread the requests.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from tests import factories

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc to tell workers apart")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """One keep-alive connection with a cookie jar: every request goes to the worker that accepted it."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.conn.connect()
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Origin": f"http://127.0.0.1:{self.conn.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        for header in response.headers.get_all("set-cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.read().decode()

    def csrf(self, path: str) -> str:
        status, page = self.request("GET", path)
        assert status == 200, page
        return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]

    def signed_in(self) -> bool:
        status, _ = self.request("GET", "/account")
        assert status in (200, 303, 307), status
        return status == 200

    def close(self) -> None:
        self.conn.close()


def _inode_of_accepted(port: int, client_port: int) -> str:
    """The socket inode of the server side of our connection (local port `port`, remote `client_port`)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == port and int(remote.split(":")[1], 16) == client_port:
            return inode
    raise AssertionError("the server side of the connection is not in /proc/net/tcp")


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parts = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(parts[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _worker_of(browser: Browser, server_pid: int) -> int:
    """The pid of the worker process holding the other end of `browser`'s connection."""
    assert browser.conn.sock is not None
    inode = _inode_of_accepted(browser.conn.port, browser.conn.sock.getsockname()[1])
    for pid in _descendants(server_pid):
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError("no worker holds the connection")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, int, str]]:
    """`duijie serve --workers 2` over a migrated SQLite file with one account; yields (port, pid, username)."""
    path = tmp_path / "site.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with sessionmaker(bind=engine)() as db:
        username = factories.account(db, role="organiser").username
        db.commit()
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "DUIJIE_SECRET_KEY": "", "DUIJIE_SEARCH_EMBED": "off"}
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "duijie.cli", "serve", "--db", str(path), "--port", str(port), "--workers", "2"],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "the server did not start in time"
            if len(_descendants(server.pid)) >= 2:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    pass
            time.sleep(0.2)
        yield port, server.pid, username
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # the group this test started: the server and its workers
            server.wait(timeout=10)
        log.close()


def _one_connection_per_worker(port: int, server_pid: int) -> tuple[Browser, Browser]:
    """Opens connections until two of them are held by different workers (each worker must answer first: a
    worker still starting up accepts nothing)."""
    first = Browser(port)
    first.request("GET", "/healthz")
    pid = _worker_of(first, server_pid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        other = Browser(port)
        other.request("GET", "/healthz")
        if _worker_of(other, server_pid) != pid:
            return first, other
        other.close()
    raise AssertionError("every connection landed on the same worker")


def test_two_workers_share_sessions_and_writes(served: tuple[int, int, str]) -> None:
    port, server_pid, username = served
    a, b = _one_connection_per_worker(port, server_pid)
    try:
        assert not a.signed_in() and not b.signed_in()
        # Sign in through worker A (it writes the session row) ...
        status, page = a.request(
            "POST", "/login",
            {"username": username, "password": factories.PASSWORD, "csrf": a.csrf("/login"), "next": "/"},
        )
        assert status == 303, page
        # ... and the same cookie is signed in on both workers, request after request.
        b.cookies = dict(a.cookies)
        for _ in range(10):
            assert a.signed_in()
            assert b.signed_in()
        # A fresh connection per request lands on either worker: still signed in every time.
        for _ in range(10):
            fresh = Browser(port)
            fresh.cookies = dict(a.cookies)
            assert fresh.signed_in()
            fresh.close()
        # Sign out through worker B (it deletes the session row): on worker A the cookie that was signed in a
        # moment ago, still carrying the ended session, signs no one in.
        status, _ = b.request("POST", "/logout", {"csrf": b.csrf("/account")})
        assert status == 303
        assert not a.signed_in()
    finally:
        a.close()
        b.close()
