"""The server under concurrent logged-in requests: every one is answered, the event loop stays free, and a
request that cannot be served in time gets 503 with Retry-After instead of freezing the process.

A real uvicorn server on 127.0.0.1 over a migrated SQLite file, with a deliberately small number of request
slots so that the bursts below queue for them.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy.orm import sessionmaker

from duijie.app import create_app
from duijie.config import Settings
from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from tests import factories


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serve(settings: Settings) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    path: Path = tmp_path_factory.mktemp("concurrency") / "db.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    with sessionmaker(bind=engine)() as db:
        names = [factories.account(db, role=role).username for role in ("organiser", "investor", "enterprise")]
        db.commit()
    engine.dispose()
    return url, names


def _login(base: str, username: str) -> httpx.Cookies:
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/login")
        token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            "/login", data={"username": username, "password": factories.PASSWORD, "csrf": token, "next": "/"}
        )
        assert response.status_code in (200, 303), response.text
        return client.cookies


def test_fifty_concurrent_logged_in_requests_are_all_answered(database: tuple[str, list[str]]) -> None:
    url, names = database
    settings = Settings(database_url=url, web_concurrency=4, job_connections=1, queue_timeout=60)
    with _serve(settings) as base:
        cookies = [_login(base, name) for name in names]

        def fetch(i: int) -> tuple[int, bool]:
            with httpx.Client(base_url=base, cookies=cookies[i % len(cookies)], timeout=60) as client:
                response = client.get("/")
                return response.status_code, "/logout" in response.text

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=50) as pool:
            futures = [pool.submit(fetch, i) for i in range(50)]
            # While the burst is being served the event loop still answers at once.
            health = httpx.get(f"{base}/healthz", timeout=5)
            results = [f.result(timeout=90) for f in futures]
        assert health.status_code == 200
        assert [status for status, _ in results] == [200] * 50
        assert all(logged_in for _, logged_in in results), "every page was rendered for its logged-in user"
        assert time.monotonic() - started < 60


def test_a_request_that_cannot_get_a_slot_in_time_gets_503_with_retry_after(
    database: tuple[str, list[str]],
) -> None:
    url, _names = database
    settings = Settings(database_url=url, web_concurrency=1, job_connections=1, queue_timeout=0.5)
    with _serve(settings) as base:
        host, port = base.removeprefix("http://").split(":")
        # Hold the only slot: a form post whose body never finishes arriving.
        holder = socket.create_connection((host, int(port)))
        try:
            holder.sendall(
                b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 100\r\n\r\nusername="
            )
            time.sleep(0.3)
            page = httpx.get(f"{base}/", timeout=10)
            api = httpx.get(f"{base}/api/v1/events", timeout=10)
            health = httpx.get(f"{base}/healthz", timeout=5)
        finally:
            holder.close()
        assert page.status_code == 503 and page.headers["retry-after"].isdigit()
        assert api.status_code == 503 and api.json()["error"]["status"] == 503
        assert health.status_code == 200
        # Once the slot is free again, requests are served.
        time.sleep(0.3)
        assert httpx.get(f"{base}/", timeout=10).status_code == 200


def test_twenty_concurrent_writes_on_sqlite_all_succeed(tmp_path: Path) -> None:
    """Twenty sign-ins at once, each writing its own session and login record: with SQLite's write lock taken
    when a writing request begins, they wait their turn instead of failing with "database is locked"."""
    url = f"sqlite:///{tmp_path / 'writes.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with sessionmaker(bind=engine)() as db:
        names = [factories.account(db, role="investor").username for _ in range(20)]
        db.commit()
    settings = Settings(database_url=url, web_concurrency=20, job_connections=1, queue_timeout=60)
    with _serve(settings) as base:
        forms = []
        for name in names:
            client = httpx.Client(base_url=base, timeout=60)
            token = client.get("/login").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            forms.append((client, {"username": name, "password": factories.PASSWORD, "csrf": token, "next": "/"}))

        def sign_in(item: tuple[httpx.Client, dict[str, str]]) -> int:
            client, form = item
            try:
                return client.post("/login", data=form).status_code
            finally:
                client.close()

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(sign_in, forms))
    assert statuses == [303] * 20
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM auth_session").scalar() == 20
        assert conn.exec_driver_sql("SELECT count(*) FROM login_attempt WHERE succeeded").scalar() == 20
    engine.dispose()
