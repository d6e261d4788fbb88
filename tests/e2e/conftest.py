"""A real server on 127.0.0.1 (uvicorn in a thread, demo in a temporary SQLite file) and Debian's chromium."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.engine import Engine

from duijie.app import create_app
from duijie.config import Settings
from duijie.core.worker import start_in_process
from tests.conftest import copy_of_the_demo

CHROMIUM = os.environ.get("DUIJIE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, _demo_engines: dict[str, Engine]) -> Iterator[str]:
    path = copy_of_the_demo(tmp_path_factory.mktemp("e2e") / "demo.db", _demo_engines, tmp_path_factory)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(database_url=f"sqlite:///{path}")),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    # Background jobs (the scheduler's run) are taken by a worker thread, as `duijie serve` runs one.
    start_in_process(f"sqlite:///{path}", Settings(database_url=f"sqlite:///{path}", worker_in_web=True))
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei)"
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()
