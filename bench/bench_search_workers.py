"""Benchmark of site search served by several workers: memory of the shared index, latency over HTTP, freshness.

Run: .venv/bin/python bench/bench_search_workers.py [--quick] [--docs N] [--queries N] [--rebuild]

Builds (or reuses) a SQLite database of N generated opportunities (bench/search_corpus.py, the records of the
search benchmark; random unit vectors stand in for embeddings, which cost the same to search), then serves it
with `duijie serve --workers 1` and `--workers 4` on loopback. For each worker it reads the proportional set
size (Pss in /proc/<pid>/smaps_rollup, which divides a shared page among the processes that map it) after
start-up, after lexical searches and after hybrid searches, through one keep-alive connection pinned to each
worker (which worker accepted it is read from /proc). It times a query mix over HTTP, and the delay until a
title changed through one worker (signed in, PATCH /api/v1/opportunities/<id>) is found through another.
Every server is stopped (its own process group) before the script ends; each phase has a time limit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import DISTRICTS, INDUSTRIES, generate_corpus, generate_queries
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import sessionmaker

from duijie.core.auth import hash_password
from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from duijie.directory.models import Account, Person, RoleAssignment
from duijie.marketplace.models import Opportunity
from duijie.search import service
from duijie.search.indexing import DOCUMENTS, MODEL_NAME, next_seq, reindex

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "results" / "search_workers.md"
USERNAME, PASSWORD = "bench-organiser", "bench-organiser-password-1"
START_LIMIT_S = 300
CATEGORY_CODES = ["enterprise_financing", "park_cooperation", "building_cooperation", "land_financing"]


# ---------------------------------------------------------------- the database


def build_database(path: Path, n_docs: int) -> dict[str, float]:
    """A migrated SQLite file with n generated opportunities, their search documents and random vectors."""
    timings: dict[str, float] = {}
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    factory = sessionmaker(bind=engine)
    records = generate_corpus(n_docs)
    start = time.perf_counter()
    with factory() as db:
        person = Person(name_zh="基准测试")
        db.add(person)
        db.flush()
        account = Account(username=USERNAME, password_hash=hash_password(PASSWORD), person_id=person.id)
        db.add(account)
        db.flush()
        db.add(RoleAssignment(account_id=account.id, role="organiser"))
        rows = []
        for r in records:
            first, _, rest = r.text.partition("。" if r.lang == "zh" else ". ")
            title = first[:190] or r.doc_id
            rows.append(
                {
                    "kind": ["investment_project", "tech_offer", "tech_demand", "financing_need", "space_offer"][r.kind % 5],
                    "title_zh": title,
                    "title_en": title if r.lang == "en" else None,
                    "summary_zh": rest if r.lang == "zh" else None,
                    "summary_en": rest if r.lang == "en" else None,
                    "category": CATEGORY_CODES[r.category % len(CATEGORY_CODES)],
                    "industry": INDUSTRIES[r.industry][0],
                    "district": DISTRICTS[r.district][0],
                    "status": "published",
                }
            )
        for lo in range(0, len(rows), 5000):
            db.execute(insert(Opportunity), rows[lo : lo + 5000])
        db.commit()
    timings["records"] = time.perf_counter() - start
    start = time.perf_counter()
    with factory() as db:
        reindex(db)
        db.commit()
    timings["tokenise and index"] = time.perf_counter() - start
    start = time.perf_counter()
    rng = np.random.default_rng(11)
    with factory() as db:
        ids = db.scalars(select(DOCUMENTS.c.id).order_by(DOCUMENTS.c.id)).all()
        seq = next_seq(db)
        for lo in range(0, len(ids), 5000):
            chunk = ids[lo : lo + 5000]
            vectors = rng.standard_normal((len(chunk), 384)).astype("<f4")
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            db.execute(
                update(DOCUMENTS)
                .where(DOCUMENTS.c.id == bindparam("_id"))
                .values(vector=bindparam("_vector"), model=MODEL_NAME, seq=seq),
                [{"_id": i, "_vector": v.tobytes()} for i, v in zip(chunk, vectors, strict=True)],
            )
        db.commit()
    timings["vectors"] = time.perf_counter() - start
    engine.dispose()
    return timings


def database_ready(path: Path, n_docs: int) -> bool:
    """The file exists and holds n indexed documents with vectors."""
    if not path.exists():
        return False
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            count = conn.execute(
                select(func.count()).select_from(DOCUMENTS).where(DOCUMENTS.c.vector.is_not(None))
            ).scalar_one()
        return int(count) == n_docs
    except Exception:
        return False
    finally:
        engine.dispose()


def write_snapshot(path: Path) -> float:
    """Map (writing it if needed) the shared vector file, as the first search of a worker would; seconds."""
    engine = make_engine(f"sqlite:///{path}")
    start = time.perf_counter()
    with sessionmaker(bind=engine)() as db:
        service.index_status(db)
    elapsed = time.perf_counter() - start
    service.reset_indexes()
    engine.dispose()
    return elapsed


# ---------------------------------------------------------------- processes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parts = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(parts[1]), []).append(int(stat.parent.name))
    return children


def descendants(pid: int) -> list[int]:
    children, found, todo = _children(), [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def pss_mib(pid: int) -> float:
    """Proportional set size: private pages plus each shared page divided by the processes mapping it."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no Pss for {pid}")


def rollup_mib(pid: int) -> dict[str, float]:
    """The fields of /proc/<pid>/smaps_rollup in MiB (Rss, Pss, Pss_Anon, Pss_File, Private_Clean, ...)."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        out[name] = int(rest.split()[0]) / 1024
    return out


def uss_mib(pid: int) -> float:
    """Unique set size: the pages only this process maps (what stopping it would free)."""
    fields = rollup_mib(pid)
    return fields["Private_Clean"] + fields["Private_Dirty"]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


@contextmanager
def served(db_path: Path, workers: int, log_path: Path) -> Iterator[tuple[int, int]]:
    """`duijie serve --workers N` on a free loopback port; yields (port, server pid); stops its process group."""
    port = _free_port()
    env = {**os.environ, "DUIJIE_SEARCH_EMBED": "off", "OMP_NUM_THREADS": "1"}
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "duijie.cli", "serve", "--db", str(db_path), "--port", str(port),
             "--workers", str(workers)],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True, cwd=ROOT,
        )
        try:
            deadline = time.monotonic() + START_LIMIT_S
            while True:
                if server.poll() is not None:
                    raise RuntimeError(log_path.read_text())
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start in time")
                if len(descendants(server.pid)) >= (workers if workers > 1 else 0):
                    try:
                        with socket.create_connection(("127.0.0.1", port), timeout=1):
                            break
                    except OSError:
                        pass
                time.sleep(0.3)
            yield port, server.pid
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)  # the group this script started: server and workers
                server.wait(timeout=10)


class Browser:
    """One keep-alive connection with a cookie jar: every request goes to the worker that accepted it.

    The server closes a connection idle for 5 s; a browser pinned to a worker (`worker`, `server_pid` set)
    opens connections again until that worker holds one before it sends a request after a pause.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.conn.connect()
        self.cookies: dict[str, str] = {}
        self.last_used = time.monotonic()
        self.worker: int | None = None
        self.server_pid: int | None = None

    def _repin(self) -> None:
        assert self.worker is not None and self.server_pid is not None
        self.conn.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.connect()
            self.conn.request("GET", "/healthz")
            self.conn.getresponse().read()
            if worker_of(self, self.server_pid) == self.worker:
                return
            self.conn.close()
        raise RuntimeError(f"worker {self.worker} accepted no connection again")

    def request(
        self, method: str, path: str, *, form: dict[str, str] | None = None, body: object = None
    ) -> tuple[int, str]:
        headers = {"Origin": f"http://127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        if self.worker is not None and time.monotonic() - self.last_used > 3:
            self._repin()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        self.last_used = time.monotonic()
        for header in response.headers.get_all("set-cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.read().decode()

    def search(self, query: str, mode: str, limit: int = 10) -> dict[str, object]:
        params = urllib.parse.urlencode({"q": query, "mode": mode, "limit": limit})
        status, text = self.request("GET", f"/api/v1/search?{params}")
        if status != 200:
            raise RuntimeError(f"search answered {status}: {text[:300]}")
        return json.loads(text)

    def sign_in(self) -> None:
        status, page = self.request("GET", "/login")
        token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        status, page = self.request(
            "POST", "/login", form={"username": USERNAME, "password": PASSWORD, "csrf": token, "next": "/"}
        )
        if status != 303:
            raise RuntimeError(f"sign-in answered {status}")

    def close(self) -> None:
        self.conn.close()


def _inode(port: int, client_port: int) -> str:
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and int(fields[2].split(":")[1], 16) == client_port:
            return fields[9]
    raise RuntimeError("connection not in /proc/net/tcp")


def worker_of(browser: Browser, server_pid: int) -> int:
    """The pid of the worker holding the other end of the browser's connection."""
    assert browser.conn.sock is not None
    inode = _inode(browser.port, browser.conn.sock.getsockname()[1])
    for pid in [server_pid, *descendants(server_pid)]:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
                except OSError:
                    continue
        except OSError:
            continue
    raise RuntimeError("no worker holds the connection")


def one_connection_per_worker(port: int, server_pid: int, workers: int) -> dict[int, Browser]:
    """Open connections until each worker holds one (60 s at most)."""
    pinned: dict[int, Browser] = {}
    deadline = time.monotonic() + 60
    while len(pinned) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(pinned)} of {workers} workers accepted a connection")
        browser = Browser(port)
        browser.request("GET", "/healthz")
        pid = worker_of(browser, server_pid)
        if pid in pinned:
            browser.close()
        else:
            browser.worker, browser.server_pid = pid, server_pid
            pinned[pid] = browser
    return pinned


# ---------------------------------------------------------------- measurements


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    arr = np.array(samples)
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 95)), float(np.percentile(arr, 99))


def memory_phases(pinned: dict[int, Browser], queries: list[str]) -> dict[str, dict[int, float]]:
    """Pss of each worker at start, after lexical searches and after hybrid searches (each worker warmed)."""
    phases: dict[str, dict[int, float]] = {"start": {pid: pss_mib(pid) for pid in pinned}}
    for browser in pinned.values():
        for q in queries[:20]:
            browser.search(q, "lexical")
    phases["lexical"] = {pid: pss_mib(pid) for pid in pinned}
    for browser in pinned.values():
        for q in queries[:20]:
            browser.search(q, "hybrid")
    phases["hybrid"] = {pid: pss_mib(pid) for pid in pinned}
    phases["rss"] = {pid: rss_mib(pid) for pid in pinned}
    phases["uss"] = {pid: uss_mib(pid) for pid in pinned}
    phases["anon"] = {pid: rollup_mib(pid)["Pss_Anon"] for pid in pinned}
    phases["file"] = {pid: rollup_mib(pid)["Pss_File"] for pid in pinned}
    return phases


def latency(pinned: dict[int, Browser], queries: list[str], time_limit_s: float) -> dict[str, list[float]]:
    """Milliseconds per search over HTTP, the workers taken in turn (sequential: latency, not throughput)."""
    browsers = list(pinned.values())
    out: dict[str, list[float]] = {"hybrid": [], "lexical": [], "dense": []}
    deadline = time.monotonic() + time_limit_s
    for i, q in enumerate(queries):
        for mode in ("hybrid", "lexical", "dense") if i % 4 == 0 else ("hybrid",):
            if time.monotonic() > deadline:
                return out
            start = time.perf_counter()
            browsers[i % len(browsers)].search(q, mode)
            out[mode].append((time.perf_counter() - start) * 1000)
    return out


def freshness(pinned: dict[int, Browser], ids: list[int], rounds: int) -> list[float]:
    """Seconds from a committed title change through one worker until another worker's search finds it."""
    browsers = list(pinned.values())
    writer, readers = browsers[0], browsers[1:] or browsers[:1]
    writer.sign_in()
    delays = []
    for r in range(rounds):
        word = "".join(random.Random(r).choices("bcdfghjklmnpqrstvwxz", k=10))
        status, text = writer.request(
            "PATCH", f"/api/v1/opportunities/{ids[r]}", body={"title_en": f"Pilot line {word}"}
        )
        if status != 200:
            raise RuntimeError(f"PATCH answered {status}: {text[:300]}")
        start = time.perf_counter()
        reader = readers[r % len(readers)]
        while True:
            found = reader.search(word, "lexical")
            if found["total"]:
                break
            if time.perf_counter() - start > 10:
                raise RuntimeError(f"{word} not found within 10 s")
        delays.append(time.perf_counter() - start)
    return delays


def run_servers(db_path: Path, queries: list[str], ids: list[int], time_limit_s: float) -> dict[str, object]:
    results: dict[str, object] = {}
    for workers in (1, 4):
        with served(db_path, workers, OUT / f"serve_{workers}.log") as (port, pid):
            pinned = one_connection_per_worker(port, pid, workers)
            try:
                phases = memory_phases(pinned, queries)
                entry: dict[str, object] = {"phases": phases}
                if workers == 4:
                    entry["latency"] = latency(pinned, queries, time_limit_s)
                    entry["freshness"] = freshness(pinned, ids, 10)
                    entry["parent_pss"] = pss_mib(pid)
                results[str(workers)] = entry
            finally:
                for browser in pinned.values():
                    browser.close()
    return results


def report(
    n_docs: int, timings: dict[str, float], snapshot_s: float, served_results: dict[str, object], n_queries: int
) -> str:
    one = served_results["1"]["phases"]  # type: ignore[index]
    four = served_results["4"]["phases"]  # type: ignore[index]

    def total(phases: dict[str, dict[int, float]], phase: str) -> float:
        return sum(phases[phase].values())

    lines = [
        "## Search across workers (shared index)",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average {os.getloadavg()[0]:.1f} at the end (other jobs were running). "
        f"`bench/bench_search_workers.py`: {n_docs:,} generated opportunities on SQLite, served by "
        "`duijie serve --workers 1` and then `--workers 4` on loopback.",
        "",
        "| memory (Pss, MiB) | 1 worker | 4 workers, sum | 4 workers, each |",
        "|---|---:|---:|---|",
    ]
    for phase, label in (("start", "after start-up"), ("lexical", "after 20 lexical searches each"),
                         ("hybrid", "after 20 hybrid searches each (model loaded, vectors mapped)")):
        each = ", ".join(f"{v:.0f}" for v in four[phase].values())
        lines.append(f"| {label} | {total(one, phase):.0f} | {total(four, phase):.0f} | {each} |")
    grow_one = total(one, "hybrid") - total(one, "start")
    grow_four = total(four, "hybrid") - total(four, "start")
    lex_one = total(one, "lexical") - total(one, "start")
    lex_four = total(four, "lexical") - total(four, "start")
    lines.append(
        f"| search's share (hybrid − start) | {grow_one:.0f} | {grow_four:.0f} | {grow_four / grow_one:.2f}× one |"
    )
    lines.append(
        f"| of which lexical (lexical − start) | {lex_one:.0f} | {lex_four:.0f} | "
        f"{lex_four / max(lex_one, 1e-9):.2f}× one |"
    )
    for phase, label in (("rss", "Rss after hybrid (shared pages counted in full)"),
                         ("uss", "Uss after hybrid (private pages only)"),
                         ("anon", "of Pss: anonymous (heap)"), ("file", "of Pss: file-backed (vectors, model, code)")):
        each = ", ".join(f"{v:.0f}" for v in four[phase].values())
        lines.append(f"| {label} | {total(one, phase):.0f} | {total(four, phase):.0f} | {each} |")
    lines.append("")
    lat = served_results["4"]["latency"]  # type: ignore[index]
    lines += [f"Latency over HTTP, 4 workers, {n_queries} queries taken in turn by the workers (ms):", "",
              "| mode | n | p50 | p95 | p99 |", "|---|---:|---:|---:|---:|"]
    for mode, samples in lat.items():
        if samples:
            p50, p95, p99 = percentiles(samples)
            lines.append(f"| {mode} (incl. query embedding where needed) | {len(samples)} | {p50:.0f} | "
                         f"{p95:.0f} | {p99:.0f} |")
    fresh = served_results["4"]["freshness"]  # type: ignore[index]
    lines += [
        "",
        f"Freshness: a title changed through one worker (PATCH, committed) was found through another after "
        f"{np.median(fresh) * 1000:.0f} ms median, {max(fresh) * 1000:.0f} ms at most ({len(fresh)} changes; "
        "the first search after the answer to the PATCH already finds it: the time is that search's).",
        "",
        f"Building the database: records {timings.get('records', 0):.0f} s, tokenise and index "
        f"{timings.get('tokenise and index', 0):.0f} s, vectors {timings.get('vectors', 0):.0f} s "
        "(0 when reused); mapping or writing the shared vector file before serving "
        f"{snapshot_s:.1f} s.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 records, well under ten minutes")
    parser.add_argument("--docs", type=int, default=None)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if it exists")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds for the latency phase")
    args = parser.parse_args()
    n_docs = args.docs or (5000 if args.quick else 100_000)
    OUT.mkdir(exist_ok=True)
    db_path = OUT / f"search_workers_{n_docs}.db"
    timings: dict[str, float] = {}
    if args.rebuild or not database_ready(db_path, n_docs):
        print(f"building {db_path} ...", file=sys.stderr)
        timings = build_database(db_path, n_docs)
    snapshot_s = write_snapshot(db_path)
    queries = [q.text for q in generate_queries(generate_corpus(min(n_docs, 2000)), args.queries)]
    engine = make_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        ids = list(conn.execute(select(Opportunity.id).order_by(Opportunity.id).limit(50)).scalars())
    engine.dispose()
    print("serving ...", file=sys.stderr)
    results = run_servers(db_path, queries, ids, args.time_limit)
    table = report(n_docs, timings, snapshot_s, results, len(queries))
    print(table)
    if not args.quick and args.docs is None:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
