"""Recommendation latency in the web: the demo served by `duijie serve` (uvicorn, SQLite), real HTTP requests.

Run: .venv/bin/python bench/bench_web.py [--quick] [--requests N]   (--quick: 20 requests per page)
Builds the demo into a temporary SQLite file, starts the server in its own process, logs in through the real
login form as each demo account and times each page from the client: the whole round trip (routing,
permissions, the engine's scoring of the stored candidates, templates) over 127.0.0.1. The first request of
each page is reported apart: it fills the caches (the policy-suggestion corpus, the fitted engine) that the
following requests reuse until a record changes.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EVENT = "invest-beijing-2024"
TARGET_P95_MS = 100.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _duijie() -> list[str]:
    """The `duijie` command installed next to this Python (the project's virtual environment)."""
    return [str(Path(sys.executable).parent / "duijie")]


def _login(client: httpx.Client, username: str, password: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf": token, "next": "/"}
    )
    if response.status_code != 303:
        raise SystemExit(f"login as {username} failed: HTTP {response.status_code}")


def _targets(db_path: Path) -> list[tuple[str, str, str]]:
    """(account, label, path) for every page that shows recommendations, with ids read from the demo."""
    from duijie.core.db import make_engine
    from duijie.directory.accounts import load_actor
    from duijie.directory.models import Account, Organisation
    from duijie.events.models import Event
    from duijie.marketplace.models import Opportunity
    from duijie.matching.models import MatchScore

    engine = make_engine(f"sqlite:///{db_path}")
    with Session(engine) as db:

        def org_of(username: str, role: str) -> Organisation:
            account = db.scalars(select(Account).where(Account.username == username)).one()
            org = db.get(Organisation, min(load_actor(db, account.id).organisations(role)))
            assert org is not None
            return org

        investor = org_of("investor", "investor")
        enterprise = org_of("enterprise", "enterprise")
        # The summit's project with the most stored investor suggestions: a page with a full list.
        project_id = db.scalars(
            select(MatchScore.right_id)
            .join(Event, Event.id == MatchScore.event_id)
            .where(
                Event.slug == EVENT, MatchScore.left_kind == "investor", MatchScore.right_kind == "project"
            )
            .group_by(MatchScore.right_id)
            .order_by(func.count().desc(), MatchScore.right_id)
        ).first()
        assert project_id is not None and db.get(Opportunity, project_id) is not None
    engine.dispose()
    api = "/api/v1/recommendations?kind={kind}&id={id}&want={want}"
    return [
        ("investor", "investor: /recommendations (projects, enterprises, people)", "/recommendations"),
        ("investor", "investor: home page with the 'recommended for you' card", "/"),
        (
            "investor",
            "investor: API top-10 projects",
            api.format(kind="investor", id=investor.id, want="project"),
        ),
        (
            "enterprise",
            "enterprise: /recommendations (investors, partners, offers, policies)",
            "/recommendations",
        ),
        (
            "enterprise",
            "enterprise: API top-10 investors",
            api.format(kind="enterprise", id=enterprise.id, want="investor"),
        ),
        ("organiser", "organiser: a project's page with 'investors who may fit'", f"/projects/{project_id}"),
        ("organiser", "organiser: event matching page ('no good match yet')", f"/events/{EVENT}/matching"),
    ]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20 requests per page")
    parser.add_argument("--requests", type=int, default=None, help="timed requests per page (default 200)")
    args = parser.parse_args()
    n = args.requests or (20 if args.quick else 200)
    passwords = {"investor": "investor-demo", "enterprise": "enterprise-demo", "organiser": "organiser-demo"}
    with tempfile.TemporaryDirectory(prefix="duijie-bench-web-") as tmp:
        db_path = Path(tmp) / "demo.db"
        start = time.monotonic()
        subprocess.run(
            [*_duijie(), "demo", "--db", str(db_path), "--no-serve"], check=True, stdout=subprocess.DEVNULL
        )
        build_s = time.monotonic() - start
        targets = _targets(db_path)
        port = _free_port()
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        server = subprocess.Popen(
            [*_duijie(), "serve", "--db", str(db_path), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(base + "/", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            clients: dict[str, httpx.Client] = {}
            for account, password in passwords.items():
                clients[account] = httpx.Client(base_url=base, timeout=30)
                _login(clients[account], account, password)
            rows = []
            for account, label, path in targets:
                client = clients[account]
                t0 = time.perf_counter()
                first = client.get(path)
                cold_ms = (time.perf_counter() - t0) * 1000
                if first.status_code != 200:
                    raise SystemExit(f"{path} as {account}: HTTP {first.status_code}")
                timings = []
                for _ in range(n):
                    t0 = time.perf_counter()
                    response = client.get(path)
                    timings.append((time.perf_counter() - t0) * 1000)
                    if response.status_code != 200:
                        raise SystemExit(f"{path} as {account}: HTTP {response.status_code}")
                rows.append((label, cold_ms, timings, len(first.content)))
            for client in clients.values():
                client.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    python = f"{platform.python_implementation()} {platform.python_version()}"
    load = os.getloadavg()[0]
    print("# Recommendations in the web\n")
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, {python}; "
        f"demo built in {build_s:.0f} s, served by `duijie serve` (uvicorn, SQLite), {n} timed requests per page "
        f"after one first request, over HTTP on 127.0.0.1 from one client; load average at the end {load:.1f}.\n"
    )
    print("| page | first request ms | p50 ms | p95 ms | p99 ms | page KiB |")
    print("|---|---|---|---|---|---|")
    worst = 0.0
    for label, cold, timings, size in rows:
        p95 = _percentile(timings, 95)
        worst = max(worst, p95)
        print(
            f"| {label} | {cold:.0f} | {statistics.median(timings):.1f} | {p95:.1f} | "
            f"{_percentile(timings, 99):.1f} | {size / 1024:.0f} |"
        )
    verdict = "met" if worst <= TARGET_P95_MS else "NOT met"
    if n < 100:
        verdict += f" (only {n} requests per page: the tail percentiles are single requests)"
    print(
        f"\nTarget p95 <= {TARGET_P95_MS:.0f} ms for one recommendation request: {verdict} (worst p95 {worst:.1f} ms)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
