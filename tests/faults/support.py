"""What the fault tests share: a `duijie serve` subprocess in its own process group (killed, whatever happens,
when the block ends), a browser with a cookie jar signed in through the real form, and a probe that tells from
outside whether a SQLite file's write lock is held."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`duijie serve` on `url` as a subprocess leading its own process group (the server and anything it
    starts), so `kill()` is a `kill -9` of all of it."""

    def __init__(self, url: str, log: Path, *, workers: int = 1, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "duijie.cli", "serve", "--db", url, "--port", str(self.port),
             "--workers", str(workers)],
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "DUIJIE_SECRET_KEY": "", "DUIJIE_SEARCH_EMBED": "off", **(env or {})},
        )

    def wait_until_up(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the server did not start in time"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the whole group, then reap the process."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._log.close()


@contextlib.contextmanager
def serving(url: str, log: Path, *, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[Server]:
    """A started server, killed when the block ends however it ends."""
    server = Server(url, log, workers=workers, env=env)
    try:
        server.wait_until_up()
        yield server
    finally:
        server.kill()


def browser(server: Server) -> httpx.Client:
    """A client with a cookie jar that sends the site's Origin (as a browser does on a same-origin write)."""
    return httpx.Client(base_url=server.base, timeout=60, headers={"Origin": server.base})


def csrf(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def sign_in(client: httpx.Client, username: str, password: str) -> None:
    token = csrf(client.get("/login").text)
    done = client.post("/login", data={"username": username, "password": password, "csrf": token, "next": "/"})
    assert done.status_code == 303, done.text[:500]


class WriteLockProbe:
    """Asks a SQLite file, without waiting, whether another connection holds its write lock (a BEGIN
    IMMEDIATE that fails at once means yes; one that succeeds is rolled back at once)."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, timeout=0, isolation_level=None)

    def locked(self) -> bool:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return True
            raise
        self.conn.execute("ROLLBACK")
        return False

    def wait_for_lock(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.locked():
                return True
            time.sleep(0.001)
        return False

    def wait_for_release(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.locked():
                return True
            time.sleep(0.001)
        return False

    def close(self) -> None:
        self.conn.close()


def integrity(path: Path) -> tuple[str, list[tuple[object, ...]]]:
    """SQLite's own checks of a file after a crash: `PRAGMA integrity_check` and the foreign keys."""
    conn = sqlite3.connect(path)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        keys = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return check, keys
