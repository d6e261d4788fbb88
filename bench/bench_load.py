"""Load: the demo on PostgreSQL behind `duijie serve --workers 4`, held at fixed request rates by an open-model
generator, with the mix of a forum's busy day (public lists and search, dashboards, recommendations, meeting
requests answered by the other side, sign-ins).

Run: .venv/bin/python bench/bench_load.py --db postgresql+psycopg://user:pass@host/db [--quick] [--py-spy 20]
     (or set DUIJIE_BENCH_POSTGRES_URL; without a PostgreSQL URL the script says so and exits 0)
The database is migrated and the demo built into it once (`duijie demo --no-serve` leaves an existing demo as it
is); each run adds its own accounts for the meeting flow and the sign-ins (names `load<run>-…`), so runs never
collide. Rates are HTTP requests per second: arrivals are Poisson (an open model: a slow answer does not slow
the arrivals, so queueing shows up in the latency instead of hiding in a lower rate), and a latency is measured
from the moment the request was due, so a generator that falls behind counts against the server, not for it.
Each rate runs `--warmup` seconds unmeasured, then `--duration` seconds measured. After 50, 100 and 200 rps the
rate goes on rising while the site keeps its promise (p99 <= 1 s and no error), or, if even the lowest rate
failed, is halved until one passes, to find the saturation point.

Before the rates, each page is requested alone, one at a time, to measure what it costs the server in CPU
(the web processes' and PostgreSQL's backends', read from /proc), so the mix's CPU budget can be read off.
The generator shares the machine's cores; its own CPU is measured and reported beside the server's.
With `--py-spy SECONDS` (py-spy on PATH or next to this Python), one web worker is sampled during the highest
passing rate and the samples are summarised by package and by route.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import math
import os
import platform
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, text
from sqlalchemy.orm import Session

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "load.md"
EVENT = "invest-beijing-2024"
PASSWORD = "load-bench-password-7"
TIMEOUT = 10.0
# Requests the generator keeps open at once. Past saturation the open requests would pile up, and httpx's pool
# spends time quadratic in the waiting requests (the generator, not the server, then sets the pace); an action
# due while this many are open is counted as an error instead ("too many requests in flight": the server is
# not keeping up). The clients' pools hold as many connections, so no request waits for one.
MAX_IN_FLIGHT = 256
P99_LIMIT_MS = 1000.0
TARGET_RPS, TARGET_P99_MS = 200, 100.0
CLK = os.sysconf("SC_CLK_TCK")

SEARCHES = ("人工智能", "新能源汽车", "集成电路", "生物医药", "机器人", "海淀 园区", "artificial intelligence",
            "semiconductor", "储能", "医疗器械", "自动驾驶", "量子")
FILTERS = ("district=海淀区", "category=park_cooperation", "industry=人工智能", "industry=集成电路&district=朝阳区",
           "event=invest-beijing-2024&category=enterprise_financing", "status=negotiating", "sort=title",
           "kind=tech_offer")


# --- the site's processes and what they cost --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _duijie() -> list[str]:
    return [str(Path(sys.executable).parent / "duijie")]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = collections.defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children[parent].append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _workers_of(server: int) -> list[int]:
    """The web worker processes uvicorn started (spawned children running `spawn_main`)."""
    pids = []
    for pid in _descendants(server):
        with contextlib.suppress(OSError):
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if "spawn_main" in cmd:
                pids.append(pid)
    return sorted(pids)


class Meter:
    """CPU seconds of the server (the `serve` process and every descendant), of PostgreSQL's backends serving
    our database, and of this generator, between `start()` and `stop()`."""

    def __init__(self, server: int, backends: PgBackends) -> None:
        self.server, self.backends = server, backends

    def _read(self) -> dict[str, float]:
        procs = [self.server, *_descendants(self.server)]
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "web": sum(_cpu_seconds(p) for p in procs),
            "pg": self.backends.cpu(),
            "generator": usage.ru_utime + usage.ru_stime,
            "wall": time.monotonic(),
        }

    def start(self) -> None:
        self.before = self._read()

    def stop(self) -> dict[str, float]:
        after = self._read()
        return {k: after[k] - self.before[k] for k in after}


class PgBackends:
    """PostgreSQL backends connected to the benchmark's database, found through pg_stat_activity; their CPU is
    read from /proc (the server runs on this machine). Backends that appear later count from zero."""

    def __init__(self, url: str) -> None:
        from duijie.core.db import make_engine

        self.engine = make_engine(url)
        self.seen: dict[int, float] = {}

    def cpu(self) -> float:
        with self.engine.connect() as conn:
            pids = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            ).scalars().all()
        total = 0.0
        for pid in pids:
            now = _cpu_seconds(int(pid))
            self.seen.setdefault(int(pid), 0.0)
            total += now
        # Backends that ended keep the CPU they had when last read.
        for pid in list(self.seen):
            if pid not in pids:
                total += self.seen[pid]
            else:
                self.seen[pid] = _cpu_seconds(pid)
        return total


# --- the data the mix needs ---------------------------------------------------------------------------------


@dataclass
class World:
    """What the generator needs from the database: project ids, and the run's meeting accounts (enterprise side
    and investor side, each with its participant id)."""

    projects: list[int]
    enterprises: list[tuple[str, int]]
    investors: list[tuple[str, int]]


def build_world(url: str, run: str, n: int) -> World:
    """Adds `n` enterprise and `n` investor accounts of this run, each a participant of the summit's meetings
    (so `n * n` fresh pairs for meeting requests), with one password; reads the published project ids."""
    from duijie.core.auth import hash_password
    from duijie.core.db import SYNTHETIC, make_engine
    from duijie.directory.models import Account, Organisation, Person, RoleAssignment
    from duijie.events.models import Event
    from duijie.marketplace.models import Opportunity
    from duijie.meetings.models import MeetingParticipant

    engine = make_engine(url)
    digest = hash_password(PASSWORD)
    with Session(engine) as db:
        event = db.scalars(select(Event).where(Event.slug == EVENT)).one()
        projects = list(db.scalars(select(Opportunity.id).where(Opportunity.status == "published")))
        sides: dict[str, list[tuple[str, int]]] = {}
        for kind in ("enterprise", "investor"):
            orgs = list(db.scalars(select(Organisation).where(Organisation.kind == kind).order_by(Organisation.id)))
            made = []
            for i in range(n):
                org = orgs[i % len(orgs)]
                person = Person(name_zh=f"压测{kind}{i}（示例）", organisation_id=org.id, provenance=SYNTHETIC)
                db.add(person)
                db.flush()
                account = Account(username=f"load{run}-{kind[:3]}-{i}", password_hash=digest, person_id=person.id)
                account.roles.append(RoleAssignment(role=kind, organisation_id=org.id))
                part = MeetingParticipant(
                    event_id=event.id, person_id=person.id, organisation_id=org.id, provenance=SYNTHETIC
                )
                db.add_all([account, part])
                db.flush()
                made.append((account.username, part.id))
            sides[kind] = made
        db.commit()
    engine.dispose()
    return World(projects=projects, enterprises=sides["enterprise"], investors=sides["investor"])


# --- the generator ------------------------------------------------------------------------------------------


@dataclass
class Result:
    kind: str
    due: float
    latency: float
    status: int
    error: str | None


@dataclass
class Site:
    base: str
    world: World
    anonymous: httpx.AsyncClient
    investor: httpx.AsyncClient
    sessions: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    pairs: list[tuple[int, int]] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    def client(self, connections: int = 32) -> httpx.AsyncClient:
        return make_client(self.base, connections)


def make_client(base: str, connections: int = 32) -> httpx.AsyncClient:
    """A browser: its own cookie jar and connections; sends the site's Origin, as a browser does on a write."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base, timeout=TIMEOUT, limits=limits, headers={"Origin": base})


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> tuple[int, int]:
    """The login form (GET for its CSRF token, then POST); returns both statuses (200 and 303 when it worked)."""
    page = await client.get("/login")
    if page.status_code != 200:
        return page.status_code, 0
    done = await client.post(
        "/login", data={"username": username, "password": password, "csrf": _csrf(page.text), "next": "/"}
    )
    return page.status_code, done.status_code


def _now() -> float:
    return asyncio.get_running_loop().time()


async def timed(
    site: Site, kind: str, due: float, call: Any, *, ok: tuple[int, ...] = (200,)
) -> httpx.Response | None:
    """Runs one request, recording its latency from `due` and whether it answered as expected."""
    try:
        response = await call
    except httpx.HTTPError as exc:
        site.results.append(Result(kind, due, _now() - due, 0, type(exc).__name__))
        return None
    status = response.status_code
    error = None if status in ok else f"HTTP {status}"
    site.results.append(Result(kind, due, _now() - due, status, error))
    return response if error is None else None


async def act(site: Site, kind: str, due: float, rng: random.Random) -> None:
    a, world = site.anonymous, site.world
    if kind == "home":
        await timed(site, kind, due, a.get("/"))
    elif kind == "project list":
        await timed(site, kind, due, a.get(f"/projects?page={rng.randint(1, 5)}"))
    elif kind == "filtered list":
        await timed(site, kind, due, a.get("/projects?" + rng.choice(FILTERS)))
    elif kind == "project page":
        await timed(site, kind, due, a.get(f"/projects/{rng.choice(world.projects)}"))
    elif kind == "search":
        await timed(site, kind, due, a.get("/search", params={"q": rng.choice(SEARCHES)}))
    elif kind == "dashboard":
        event = rng.choice(("invest-beijing-2024", "invest-beijing-2023"))
        await timed(site, kind, due, a.get(f"/dashboard?event={event}"))
    elif kind == "event page":
        await timed(site, kind, due, a.get(f"/events/{EVENT}"))
    elif kind == "recommendations":
        await timed(site, kind, due, site.investor.get("/recommendations"))
    elif kind == "meeting request":
        if not site.pairs:
            site.results.append(Result(kind, due, 0.0, 0, "generator: no fresh pair left"))
            return
        e, i = site.pairs.pop()
        ent_name, _ent_id = world.enterprises[e]
        inv_name, inv_id = world.investors[i]
        api = f"/api/v1/events/{EVENT}/meetings/requests"
        sent = await timed(
            site, "meeting request", due, site.sessions[ent_name].post(api, json={"recipient_id": inv_id}), ok=(201,)
        )
        if sent is not None:
            request_id = sent.json()["id"]
            await timed(
                site, "meeting accept", _now(), site.sessions[inv_name].post(f"{api}/{request_id}/accept"),
            )
    elif kind == "sign-in":
        username = rng.choice([*world.enterprises, *world.investors])[0]
        async with site.client() as fresh:
            page = await timed(site, "sign-in form", due, fresh.get("/login"))
            if page is not None:
                form = {"username": username, "password": PASSWORD, "csrf": _csrf(page.text), "next": "/"}
                await timed(site, "sign-in", _now(), fresh.post("/login", data=form), ok=(303,))
    else:
        raise ValueError(kind)


# The mix: actions and their weights (each action is one request, except the meeting flow and the sign-in,
# which are two).
MIX: dict[str, float] = {
    "home": 10,
    "project list": 20,
    "filtered list": 15,
    "project page": 10,
    "search": 12,
    "dashboard": 10,
    "event page": 5,
    "recommendations": 12,
    "meeting request": 4,
    "sign-in": 1,
}
TWO_REQUESTS = {"meeting request", "sign-in"}
REQUESTS_PER_ACTION = sum(w * (2 if k in TWO_REQUESTS else 1) for k, w in MIX.items()) / sum(MIX.values())


async def hold_rate(site: Site, rate: float, seconds: float, seed: int) -> list[Result]:
    """Starts actions as a Poisson process of `rate` requests per second for `seconds`, each as its own task;
    waits for the stragglers (at most the client timeout) and returns what this phase recorded."""
    rng = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    first = len(site.results)
    tasks: set[asyncio.Task[None]] = set()
    actions_per_s = rate / REQUESTS_PER_ACTION
    start = _now() + 0.05
    due = start
    end = start + seconds
    while True:
        due += rng.expovariate(actions_per_s)
        if due >= end:
            break
        delay = due - _now()
        if delay > 0:
            await asyncio.sleep(delay)
        kind = rng.choices(kinds, weights)[0]
        if len(tasks) >= MAX_IN_FLIGHT:
            site.results.append(Result(kind, due, 0.0, 0, "generator: too many requests in flight"))
            continue
        task = asyncio.create_task(act(site, kind, due, random.Random(rng.random())))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=2 * TIMEOUT + 5)
    return site.results[first:]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


@dataclass
class Phase:
    rate: int
    results: list[Result]
    seconds: float
    cpu: dict[str, float]
    load: tuple[float, float, float]

    @property
    def ms(self) -> list[float]:
        """Latencies of the requests that were sent (an action the generator had to drop has none)."""
        return [r.latency * 1000 for r in self.results if not (r.error or "").startswith("generator:")]

    @property
    def ok(self) -> int:
        return sum(1 for r in self.results if not r.error)

    @property
    def errors(self) -> list[Result]:
        return [r for r in self.results if r.error]

    @property
    def passed(self) -> bool:
        return not self.errors and percentile(self.ms, 99) <= P99_LIMIT_MS


# --- the run ------------------------------------------------------------------------------------------------


def start_server(url: str, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "DUIJIE_DATABASE_URL": url}
    handle = log.open("wb")
    return subprocess.Popen(
        [*_duijie(), "serve", "--db", url, "--port", str(port), "--workers", str(workers)],
        stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def wait_until_up(base: str, server: subprocess.Popen[bytes], workers: int, log: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server stopped:\n" + log.read_text(errors="replace")[-3000:])
        if len(_workers_of(server.pid)) >= workers:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    return
        time.sleep(0.5)
    raise SystemExit("the server did not start in 300 s")


async def warm(site: Site, rounds: int) -> None:
    """Every page on fresh connections, so each worker fills its caches (search index, templates, corpora)."""
    for _ in range(rounds):
        async with site.client() as fresh:
            fresh.headers["Connection"] = "close"
            for path in ("/", "/projects", "/projects?district=海淀区", f"/projects/{site.world.projects[0]}",
                         "/search?q=人工智能", f"/dashboard?event={EVENT}", f"/events/{EVENT}"):
                await fresh.get(path)


async def calibrate(site: Site, meter: Meter, per_kind: int) -> dict[str, tuple[float, float, float]]:
    """Each kind of action alone, one at a time: (wall ms, web CPU ms, PostgreSQL CPU ms) per request."""
    costs = {}
    rng = random.Random(7)
    for kind in MIX:
        meter.start()
        first = len(site.results)
        for _ in range(per_kind):
            await act(site, kind, _now(), rng)
        used = meter.stop()
        done = site.results[first:]
        del site.results[first:]
        n = max(1, len(done))
        costs[kind] = (
            statistics.fmean([r.latency * 1000 for r in done]) if done else math.nan,
            used["web"] * 1000 / n,
            used["pg"] * 1000 / n,
        )
    return costs


def py_spy_binary() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def py_spy_record(binary: str, pid: int, seconds: int, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [binary, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "100", "--format", "raw",
         "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


IDLE_LEAVES = ("EpollSelector.select", "Condition.wait", "Connection._recv", "Queue.get", "Event.wait")


def summarise_profile(raw: Path, top: int = 12) -> list[str]:
    """Collapsed stacks (`frame;frame;... count`) summarised: samples of threads waiting for work (the event
    loop's select, idle pool threads) are set apart; the rest is shown by the package its leaf frame is in and
    by the route it runs under (inclusive)."""
    leaf: collections.Counter[str] = collections.Counter()
    route: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = idle = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        if frames[-1].startswith(IDLE_LEAVES):
            idle += count
            continue
        total += count
        leaf[_package(frames[-1])] += count
        views = [f for f in frames if "(duijie/" in f and ("views" in f or "/api" in f)]
        route[_function(views[0]) if views else "(outside a route: middleware, session, commit)"] += count
        for name in {_function(f) for f in frames if "(duijie/" in f}:
            inclusive[name] += count
    if not total:
        return ["(py-spy recorded no busy samples)"]
    lines = [f"{total} busy samples ({idle} more of threads waiting for work left out).", "",
             "| where the busy samples end (package) | share |", "|---|---:|"]
    lines += [f"| {name} | {100 * n / total:.1f} % |" for name, n in leaf.most_common(top)]
    lines += ["", "| route (inclusive) | share |", "|---|---:|"]
    lines += [f"| {name} | {100 * n / total:.1f} % |" for name, n in route.most_common(top)]
    lines += ["", "| duijie function (inclusive) | share |", "|---|---:|"]
    lines += [f"| {name} | {100 * n / total:.1f} % |" for name, n in inclusive.most_common(top)]
    return lines


def _function(frame: str) -> str:
    """py-spy's raw frames read "function (path/to/file.py:line)", paths relative to their import root."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})"


def _package(frame: str) -> str:
    path = frame.partition(" (")[2].rsplit(":", 1)[0]
    if path.startswith("duijie/"):
        return "duijie." + path.split("/")[1].removesuffix(".py")
    if "/" in path:
        return path.split("/", 1)[0]
    return "python: " + path.removesuffix(".py")


async def run(args: argparse.Namespace, url: str, tmp: Path) -> list[str]:
    run_id = dt.datetime.now(dt.UTC).strftime("%m%d%H%M%S")
    print(f"building the demo into {url.split('@')[-1]} (kept when it is there) ...", flush=True)
    subprocess.run([*_duijie(), "demo", "--db", url, "--no-serve"], check=True, stdout=subprocess.DEVNULL)
    world = build_world(url, run_id, args.accounts)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp / "serve.log"
    server = start_server(url, port, args.workers, log)
    backends = PgBackends(url)
    lines: list[str] = []
    try:
        wait_until_up(base, server, args.workers, log)
        site = Site(base, world, anonymous=make_client(base, MAX_IN_FLIGHT), investor=make_client(base, MAX_IN_FLIGHT))
        assert await sign_in(site.investor, "investor", "investor-demo") == (200, 303), "demo investor sign-in"
        for name, _ in [*world.enterprises, *world.investors]:
            site.sessions[name] = site.client()
            assert await sign_in(site.sessions[name], name, PASSWORD) == (200, 303), name
        site.pairs = [(e, i) for e in range(len(world.enterprises)) for i in range(len(world.investors))]
        random.Random(1).shuffle(site.pairs)
        print("warming every worker ...", flush=True)
        await warm(site, 2 * args.workers)
        meter = Meter(server.pid, backends)
        print("measuring each page alone ...", flush=True)
        costs = await calibrate(site, meter, args.calibrate)
        for kind, (wall, web, pg) in costs.items():
            print(f"  {kind}: {wall:.0f} ms, web CPU {web:.0f} ms, PostgreSQL CPU {pg:.1f} ms", flush=True)
        phases: list[Phase] = []
        rates = list(args.rates)
        profile_lines: list[str] = []
        while rates:
            rate = rates.pop(0)
            print(f"{rate} rps: {args.warmup:.0f} s warm-up, {args.duration:.0f} s measured ...", flush=True)
            await hold_rate(site, rate, args.warmup, seed=rate)
            spy = None
            if args.py_spy and rate == TARGET_RPS and (binary := py_spy_binary()):
                worker = _workers_of(server.pid)[0]
                spy = py_spy_record(binary, worker, args.py_spy, tmp / "worker.raw")
            meter.start()
            results = await hold_rate(site, rate, args.duration, seed=rate + 1)
            cpu = meter.stop()
            if spy is not None:
                spy.wait(timeout=args.py_spy + 60)
                if (tmp / "worker.raw").exists():
                    profile_lines = summarise_profile(tmp / "worker.raw")
            phase = Phase(rate, results, cpu["wall"], cpu, os.getloadavg())
            phases.append(phase)
            print(_phase_row(phase), flush=True)
            if not rates and phase.passed and rate < args.max_rate:
                rates.append(rate + args.step)
            elif not rates and not any(p.passed for p in phases) and rate > args.min_rate:
                # Saturated below every rate asked for: halve the lowest until one passes.
                rates.append(max(args.min_rate, min(p.rate for p in phases) // 2))
        for client in [site.anonymous, site.investor, *site.sessions.values()]:
            await client.aclose()
        lines = report(args, phases, costs, profile_lines)
    finally:
        stop_server(server)
        backends.engine.dispose()
    return lines


def _phase_row(p: Phase) -> str:
    ms = p.ms
    wall = p.cpu["wall"]
    by_error = collections.Counter(r.error for r in p.errors)
    errors = ", ".join(f"{n} {e}" for e, n in by_error.most_common(3)) if by_error else "0"
    return (
        f"| {p.rate} | {p.ok / wall:.1f} | {len(p.results)} | {percentile(ms, 50):.0f} | "
        f"{percentile(ms, 99):.0f} | {max(ms, default=math.nan):.0f} | {errors} | "
        f"{p.cpu['web'] / wall:.2f} | {p.cpu['pg'] / wall:.2f} | {p.cpu['generator'] / wall:.2f} | "
        f"{p.load[0]:.1f} | {'yes' if p.passed else 'no'} |"
    )


def report(
    args: argparse.Namespace, phases: list[Phase], costs: dict[str, tuple[float, float, float]], profile: list[str]
) -> list[str]:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Load: the demo on PostgreSQL, 4 web workers, a fixed request rate",
        "",
        f"Run {now} on {platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}; "
        f"`.venv/bin/python bench/bench_load.py` ({args.workers} web workers, {args.warmup:.0f} s warm-up and "
        f"{args.duration:.0f} s measured per rate, Poisson arrivals, latency from the moment each request was due, "
        f"client time-out {TIMEOUT:.0f} s). CPU is in cores (CPU seconds per second): the web processes, "
        "PostgreSQL's backends for this database, and the generator itself, which runs on the same 2 cores. "
        "Load average: the 1-minute figure at the end of each rate. p50/p99/max are over the requests sent; actions "
        "the generator had to drop (too many open) count as errors only.",
        "",
        "| target rps | achieved rps (answered without error) | requests due | p50 ms | p99 ms | max ms | errors | web CPU | PostgreSQL CPU "
        "| generator CPU | load avg | p99 <= 1 s, no error |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *(_phase_row(p) for p in phases),
        "",
    ]
    passing = [p.rate for p in phases if p.passed]
    failing = [p.rate for p in phases if not p.passed]
    if failing:
        below = max((r for r in passing if r < min(failing)), default=None)
        where = f"between {below} and {min(failing)} rps" if below else f"at or below {min(failing)} rps"
        lines.append(f"Saturation point (p99 above 1 s or errors): {where}.")
    else:
        lines.append(f"No saturation up to {max(passing)} rps (the highest rate tried).")
    at_target = next((p for p in phases if p.rate == TARGET_RPS), None)
    if at_target is not None:
        met = not at_target.errors and percentile(at_target.ms, 99) <= TARGET_P99_MS
        lines.append(
            f"Target at {TARGET_RPS} rps (0 errors, p99 <= {TARGET_P99_MS:.0f} ms): "
            f"{'met' if met else 'not met'} (p99 {percentile(at_target.ms, 99):.0f} ms, "
            f"{len(at_target.errors)} errors)."
        )
        lines += ["", f"Per kind of request at {TARGET_RPS} rps, and what each costs alone (one request at a time, "
                  f"{args.calibrate} each, before the rates):", "",
                  "| request | share | p50 ms | p99 ms | errors | alone: wall ms | alone: web CPU ms | "
                  "alone: PostgreSQL CPU ms |", "|---|---|---|---|---|---|---|---|"]
        kinds: dict[str, list[Result]] = collections.defaultdict(list)
        for r in at_target.results:
            kinds[r.kind].append(r)
        total = len(at_target.results)
        alone = {"meeting accept": "meeting request", "sign-in form": "sign-in"}
        for kind, rows in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
            ms = [r.latency * 1000 for r in rows if not (r.error or "").startswith("generator:")]
            wall, web, pg = costs.get(alone.get(kind, kind), (math.nan,) * 3)
            note = " (with the accept)" if kind in alone.values() else ""
            cost = "" if kind in alone else f" {wall:.0f}{note} | {web:.0f} | {pg:.1f} |"
            if kind in alone:
                cost = " (counted with the first request) | | |"
            lines.append(
                f"| {kind} | {100 * len(rows) / total:.1f} % | {percentile(ms, 50):.0f} | {percentile(ms, 99):.0f} "
                f"| {sum(1 for r in rows if r.error)} |{cost}"
            )
        weights = sum(MIX.values())
        budget = sum(w / weights * costs[k][1] for k, w in MIX.items()) / REQUESTS_PER_ACTION
        pg_budget = sum(w / weights * costs[k][2] for k, w in MIX.items()) / REQUESTS_PER_ACTION
        lines += ["", f"From the costs alone, the mix needs {budget:.1f} ms of web CPU and {pg_budget:.1f} ms of "
                  f"PostgreSQL CPU per request: {TARGET_RPS} rps asks for "
                  f"{TARGET_RPS * (budget + pg_budget) / 1000:.2f} cores of the machine's {os.cpu_count()}, before "
                  "the generator's share."]
    if profile:
        lines += ["", f"One web worker sampled by py-spy for {args.py_spy} s at {TARGET_RPS} rps (active threads "
                  "only, 100 samples per second):", "", *profile]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("DUIJIE_BENCH_POSTGRES_URL"), help="PostgreSQL URL")
    parser.add_argument("--quick", action="store_true", help="20 and 50 rps, 10 s each, no search for saturation")
    parser.add_argument("--rates", default="50,100,200", help="comma-separated requests per second")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--accounts", type=int, default=50, help="meeting accounts per side (n*n fresh pairs)")
    parser.add_argument("--calibrate", type=int, default=20, help="requests per kind measured alone")
    parser.add_argument("--step", type=int, default=50, help="rate step past the given rates while passing")
    parser.add_argument("--max-rate", type=int, default=400)
    parser.add_argument("--min-rate", type=int, default=10, help="lowest rate tried when every rate fails")
    parser.add_argument("--py-spy", type=int, default=0, metavar="SECONDS", help="sample a worker at 200 rps")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results/load.md")
    args = parser.parse_args()
    args.rates = [int(r) for r in args.rates.split(",")]
    if args.quick:
        args.rates, args.duration, args.warmup, args.max_rate, args.calibrate = [20, 50], 10.0, 3.0, 0, 5
    if not args.db or not args.db.startswith("postgresql"):
        print("bench_load: needs PostgreSQL: pass --db postgresql+psycopg://... or set DUIJIE_BENCH_POSTGRES_URL; "
              "skipped.")
        return 0
    with tempfile.TemporaryDirectory(prefix="duijie-bench-load-") as tmp:
        lines = asyncio.run(run(args, args.db, Path(tmp)))
    output = "\n".join(lines) + "\n"
    print(output)
    if not args.quick and not args.no_write:
        RESULTS.write_text(output, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
