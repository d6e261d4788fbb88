"""The statistics endpoint and the dashboard at 100,000 projects and 20,000 deals: p50/p95 latency.

Run: .venv/bin/python bench/bench_stats.py [--quick] [--postgres URL]
(--quick: 10,000 projects and 2,000 deals.) The data is generated straight into a migrated database (SQLite
in a temporary file, or the PostgreSQL database named by --postgres, whose public schema is replaced): two
summits, 17 districts, 16 industries, deals with an enterprise and an investor party each. Requests go through
the whole web stack (FastAPI TestClient, one request at a time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from duijie.app import create_app
from duijie.config import Settings
from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from duijie.deals.models import Deal, DealParty
from duijie.directory.models import Organisation
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.events.models import Event
from duijie.insight import cache
from duijie.marketplace.models import Opportunity

RESULTS = Path(__file__).resolve().parent / "results" / "stats.md"
CATEGORIES = ("enterprise_financing", "park_cooperation", "building_cooperation", "land_financing")
STATUSES = ("published",) * 6 + ("negotiating", "negotiating", "signed", "landed", "draft", "withdrawn")
STAGES = ("lead", "contacted", "negotiating", "agreed", "signed", "signed", "signed", "landed", "lost")
COUNTRIES = ("CN",) * 8 + ("SG", "US", "GB", "DE", "JP", "FR")


def populate(engine: Engine, projects: int, deals: int, rng: random.Random) -> None:
    """Generate the records with bulk inserts (the ORM's per-object work is not what is measured)."""
    districts, industries = list(DISTRICT_EN), list(INDUSTRY_EN)
    with engine.begin() as conn:
        for k, (slug, year) in enumerate((("bench-summit-2023", 2023), ("bench-summit-2024", 2024))):
            conn.execute(
                insert(Event.__table__),
                [
                    {
                        "id": k + 1,
                        "slug": slug,
                        "kind": "summit",
                        "name_zh": f"{year}年投资大会",
                        "name_en": f"Summit {year}",
                        "starts_on": dt.date(year, 5, 26),
                        "ends_on": dt.date(year, 5, 26),
                        "city": "北京",
                        "is_published": True,
                        "provenance": "synthetic",
                    }
                ],
            )
        orgs = [
            {
                "id": i + 1,
                "slug": f"org-{i}",
                "kind": "investor" if i % 2 else "enterprise",
                "name_zh": f"机构{i}",
                "country": rng.choice(COUNTRIES),
                "industries": [],
                "flags": [],
                "facts": {},
                "preferences": {},
                "provenance": "synthetic",
                "created_at": dt.datetime.now(dt.UTC),
                "updated_at": dt.datetime.now(dt.UTC),
            }
            for i in range(4000)
        ]
        conn.execute(insert(Organisation.__table__), orgs)
        now = dt.datetime.now(dt.UTC)
        batch = []
        for i in range(projects):
            batch.append(
                {
                    "external_id": f"B-P{i:06d}",
                    "event_id": 1 + i % 2,
                    "kind": "investment_project",
                    "title_zh": f"基准项目{i}",
                    "category": rng.choice(CATEGORIES),
                    "industry": rng.choice(industries),
                    "district": rng.choice(districts),
                    "amount": rng.randrange(1, 5000) * 1_000_000 * 100,
                    "status": rng.choice(STATUSES),
                    "amount_estimated": False,
                    "provenance": "synthetic",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(Opportunity.__table__), batch)
                batch = []
        if batch:
            conn.execute(insert(Opportunity.__table__), batch)
        batch, parties = [], []
        for i in range(deals):
            stage = rng.choice(STAGES)
            amount = rng.randrange(1, 3000) * 1_000_000 * 100
            batch.append(
                {
                    "id": i + 1,
                    "external_id": f"B-D{i:06d}",
                    "event_id": 1 + i % 2,
                    "title_zh": f"基准签约{i}",
                    "stage": stage,
                    "category": rng.choice(CATEGORIES),
                    "industry": rng.choice(industries),
                    "district": rng.choice(districts),
                    "planned_amount": amount,
                    "signed_amount": amount if stage in ("signed", "landed") else None,
                    "signed_on": dt.date(2024, 4, 25) if stage in ("signed", "landed") else None,
                    "amount_estimated": False,
                    "on_stage": False,
                    "provenance": "synthetic",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            parties.append(
                {"deal_id": i + 1, "organisation_id": 2 * rng.randrange(2000) + 1, "role": "enterprise"}
            )
            parties.append(
                {"deal_id": i + 1, "organisation_id": 2 * rng.randrange(2000) + 2, "role": "investor"}
            )
        conn.execute(insert(Deal.__table__), batch)
        conn.execute(insert(DealParty.__table__), parties)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def measure(client, path: str, n: int) -> tuple[float, float, float, float, int]:  # type: ignore[no-untyped-def]
    client.get(path)  # warm the caches (templates, catalogue, query plans)
    times = []
    cpu = time.process_time()
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    cpu_ms = (time.process_time() - cpu) * 1000 / n
    times.sort()
    cold = []
    for _ in range(max(3, n // 6)):
        cache.clear()  # as after any write: the figures are computed again from the records
        start = time.perf_counter()
        client.get(path)
        cold.append((time.perf_counter() - start) * 1000)
    return (
        statistics.median(times),
        times[int(0.95 * (len(times) - 1))],
        cpu_ms,
        statistics.median(cold),
        len(response.content),
    )


HEADER = (
    "# Statistics endpoint and dashboard latency\n\n"
    "Target: dashboard p95 ≤ 200 ms at 100,000 projects and 20,000 deals. Wall times include waiting for the\n"
    "two cores, which other jobs shared during the runs (load average in each section's first line); the CPU\n"
    "time per request is the process's own (server and client run in one process). Computed figures are kept\n"
    "in memory until the data version changes (`duijie/insight/cache.py`); the last column is a request that\n"
    "has to compute them again, as the first one after any write does.\n"
)


def save(backend: str, lines: list[str]) -> None:
    """Replace this backend's section of the results file, keeping the other backend's."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    start, end = f"<!-- section {backend} -->", f"<!-- end {backend} -->"
    block = start + "\n" + "\n".join(lines) + "\n" + end
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", help="a PostgreSQL URL whose public schema may be replaced")
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    projects, deals = (10_000, 2_000) if args.quick else (100_000, 20_000)
    rng = random.Random(20240425)
    tmp = tempfile.TemporaryDirectory()
    if args.postgres:
        url = args.postgres
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        url = f"sqlite:///{tmp.name}/bench.db"
        engine = make_engine(url)
    upgrade(engine)
    start = time.perf_counter()
    populate(engine, projects, deals, rng)
    load_s = time.perf_counter() - start
    from fastapi.testclient import TestClient

    app = create_app(Settings(database_url=url))
    rows = []
    with TestClient(app) as client:
        for path in (
            "/api/v1/stats?event=bench-summit-2024",
            "/api/v1/stats?period=2024&district=%E6%B5%B7%E6%B7%80%E5%8C%BA",
            "/api/v1/stats",
            "/dashboard?event=bench-summit-2024",
            "/dashboard",
            "/map?event=bench-summit-2024&measure=amount",
        ):
            rows.append((path, *measure(client, path, args.requests)))
    engine.dispose()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    lines = [
        f"<!-- .venv/bin/python bench/bench_stats.py{' --quick' if args.quick else ''}"
        f"{' --postgres URL' if args.postgres else ''}, {dt.date.today()}, CPython {platform.python_version()}, "
        f"2 cores shared with other jobs, load average {os.getloadavg()[0]:.1f} -->",
        f"### {backend}: {projects:,} projects, {deals:,} deals ({deals * 2:,} parties), generated in {load_s:.1f} s",
        "",
        f"| request ({args.requests} sequential requests after one warm-up) | p50 ms | p95 ms | CPU ms / request "
        "| p50 ms right after a write (recomputed) | bytes |",
        "|---|---:|---:|---:|---:|---:|",
        *[f"| `{p}` | {a:.1f} | {b:.1f} | {c:.1f} | {d:.1f} | {s:,} |" for p, a, b, c, d, s in rows],
        "",
    ]
    print("\n".join(lines))
    if not args.quick:
        save(backend, lines)
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
