"""Importing a 50,000-row project workbook: wall time and peak memory of the check, the write, and the
re-import of the same file (which must change nothing).

Run: .venv/bin/python bench/bench_sheets.py [--quick]   (--quick: 5,000 rows)
The workbook has Chinese headers and amounts in all three forms (1.5亿, 15000万, 150000000); the database is a
fresh migrated SQLite file holding the two summits the rows refer to.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from duijie.core.auth import Actor, Grant
from duijie.core.db import make_engine, make_sessionmaker, unit_of_work
from duijie.core.migrate import upgrade
from duijie.deals.sheets import import_file
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.events.models import Event

RESULTS = Path(__file__).resolve().parent / "results" / "sheets.md"
ACTOR = Actor(username="bench", grants=(Grant(role="organiser"),))


def workbook(rows: int, rng: random.Random) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("项目")
    ws.append(
        [
            "项目编号",
            "项目名称",
            "英文名称",
            "类别",
            "产业",
            "区域",
            "金额",
            "状态",
            "活动",
            "项目简介",
            "联系人",
            "联系电话",
        ]
    )
    districts, industries = list(DISTRICT_EN), list(INDUSTRY_EN)
    categories = ("企业融资", "园区合作", "楼宇合作", "土地融资")
    for i in range(rows):
        units = rng.randrange(1, 50000)
        amount = rng.choice((f"{units / 100:g}亿", f"{units * 100}万", units * 1_000_000))
        district, industry = rng.choice(districts), rng.choice(industries)
        ws.append(
            [
                f"BENCH-{i:06d}",
                f"{district}{industry}项目{i}",
                f"Project {i}",
                rng.choice(categories),
                industry,
                district,
                amount,
                rng.choice(("已发布", "洽谈中")),
                "bench-2024",
                f"{district}{industry}招商项目，示例数据。",
                "联系人（示例）",
                f"010-6{i:07d}",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rows = 5_000 if args.quick else 50_000
    rng = random.Random(50000)
    tmp = tempfile.TemporaryDirectory()
    engine = make_engine(f"sqlite:///{tmp.name}/bench.db")
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as db:
        db.add(
            Event(
                slug="bench-2024",
                kind="summit",
                name_zh="基准峰会",
                starts_on=dt.date(2024, 4, 25),
                ends_on=dt.date(2024, 4, 25),
                provenance="synthetic",
            )
        )
    start = time.perf_counter()
    data = workbook(rows, rng)
    gen_s = time.perf_counter() - start
    base = rss_mib()
    figures = []
    for label, dry in (
        ("check only (--dry-run)", True),
        ("import (check + write + commit)", False),
        ("re-import of the same file", False),
    ):
        start, cpu = time.perf_counter(), time.process_time()
        with unit_of_work(factory) as db:
            report = import_file(db, actor=ACTOR, filename="bench.xlsx", data=data, dry_run=dry)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        figures.append((label, seconds, cpu, report.summary))
    peak = rss_mib()
    engine.dispose()
    tmp.cleanup()
    assert figures[1][3]["created"] == rows and figures[2][3]["unchanged"] == rows, figures
    lines = [
        f"<!-- .venv/bin/python bench/bench_sheets.py{' --quick' if args.quick else ''}, {dt.date.today()}, "
        f"CPython {platform.python_version()}, 2 cores shared with other jobs, load average "
        f"{os.getloadavg()[0]:.1f} -->",
        "# Importing a project workbook",
        "",
        f"{rows:,} rows × 12 columns, Chinese headers, amounts as 1.5亿 / 15000万 / 150000000; workbook "
        f"{len(data) / 2**20:.1f} MiB, generated in {gen_s:.1f} s; SQLite.",
        "",
        "| step | wall time | CPU time | created / updated / unchanged / errors |",
        "|---|---:|---:|---|",
        *[
            f"| {label} | {s:.1f} s | {c:.1f} s | {r['created']} / {r['updated']} / {r['unchanged']} / {r['errors']} |"
            for label, s, c, r in figures
        ],
        "",
        f"Process max RSS: {base:.0f} MiB before the imports, {peak:.0f} MiB after all three "
        f"(peak added by importing: {peak - base:.0f} MiB).",
        "",
        "Targets: import ≤ 60 s and ≤ 1 GiB. CPU time is the process's own; wall time includes waiting for",
        "the two cores, which other jobs shared during the run (load average noted above the table).",
    ]
    print("\n".join(lines))
    if not args.quick:
        RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
