"""The agenda's conflict checker on generated forums: ~500 sessions (the target: under 200 ms), 2,000 and 5,000,
and on the demo's two forums as the web reads them (a full run builds the demo in a temporary file).

Run: .venv/bin/python bench/bench_agenda_conflicts.py [--quick]   (--quick: the 500-session forum, fewer runs)
A full run also writes the table to bench/results/agenda_conflicts.md.

A forum is generated as organisers build one: 3 days, rooms of three sizes (two plenary halls, mid-sized and
small rooms) open 08:00-18:00, some in two windows with an evening extension; each room-day filled with
sessions of 30-90 minutes, often back to back; a moderator and 2-5 speakers per session drawn with a heavy
tail (a few people speak a lot); a third of the people give availability (they arrive late, leave early or come
on some days only); expected attendance around the room's size. Then the realistic slips: 3 % of sessions are
moved by 15-45 minutes (overlaps with a neighbour), some run past closing, some expect more than the room seats.
Timings are of `check()` alone (the JSON is read once, before); `load_json` is timed separately.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from duijie.agenda.conflicts import Rule, check, load_json

HERE = Path(__file__).resolve().parent
BEIJING = dt.timezone(dt.timedelta(hours=8))
FIRST_DAY = dt.date(2026, 4, 24)
DAYS = 3


def _at(day: int, minutes: int) -> str:
    """Day `day` of the forum at `minutes` after midnight, Beijing time, as the files write it."""
    moment = dt.datetime.combine(FIRST_DAY + dt.timedelta(days=day), dt.time(), BEIJING) + dt.timedelta(minutes=minutes)
    return moment.isoformat()


def forum(n_sessions: int, n_rooms: int, n_people: int, seed: int = 1) -> dict[str, Any]:
    """A generated forum in the file interface's format (see the module docstring)."""
    rng = random.Random(seed)
    rooms = []
    for r in range(n_rooms):
        capacity = rng.choice((800, 1200)) if r < 2 else rng.randint(200, 400) if r < n_rooms * 0.3 else rng.randint(40, 150)
        room: dict[str, Any] = {"id": f"room-{r}", "capacity": capacity}
        if rng.random() < 0.25:  # open in two windows: day and an evening extension, touching at 12:00
            room["open"] = [[_at(d, 8 * 60), _at(d, 12 * 60)] for d in range(DAYS)] + [
                [_at(d, 12 * 60), _at(d, 21 * 60)] for d in range(DAYS)
            ]
        else:
            room["open"] = [[_at(d, 8 * 60), _at(d, 18 * 60)] for d in range(DAYS)]
        rooms.append(room)
    people = []
    for p in range(n_people):
        person: dict[str, Any] = {"id": f"person-{p}"}
        if rng.random() < 0.33:
            days = sorted(rng.sample(range(DAYS), rng.randint(1, DAYS)))
            hours = [(rng.choice((8, 9, 10, 13)), rng.choice((16, 18, 20))) for _d in days]
            person["available"] = [[_at(d, a * 60), _at(d, b * 60)] for d, (a, b) in zip(days, hours, strict=True)]
        people.append(person)
    sessions: list[dict[str, Any]] = []
    per_room_day = -(-n_sessions // (n_rooms * DAYS)) + 1  # a little more than needed; cut to n_sessions below
    for d in range(DAYS):
        for room in rooms:
            clock = 8 * 60
            for _n in range(per_room_day):
                length = rng.choice((30, 40, 45, 60, 60, 90))
                if clock + length > 18 * 60:
                    break  # the room-day is full
                start, clock = clock, clock + length + rng.choice((0, 0, 0, 15, 30))
                if rng.random() < 0.03:  # moved by a quarter to three quarters of an hour
                    start += rng.choice((-45, -30, -15, 15, 30, 45))
                if rng.random() < 0.01:  # a late edit: anywhere in the day, perhaps past closing
                    start = rng.randint(9 * 60, 17 * 60 + 45)
                sessions.append({
                    "id": f"s-{len(sessions)}",
                    "room": room["id"],
                    "start": _at(d, start),
                    "end": _at(d, start + length),
                    "expected": int(room["capacity"] * rng.uniform(0.4, 1.02)),
                    "_span": (d * 1440 + start, d * 1440 + start + length),
                })
    rng.shuffle(sessions)
    sessions = sessions[:n_sessions]
    _cast(rng, sessions, people)
    for session in sessions:
        del session["_span"]
    return {"rooms": rooms, "people": people, "sessions": sessions}


def _cast(rng: random.Random, sessions: list[dict[str, Any]], people: list[dict[str, Any]]) -> None:
    """A moderator and 2-5 speakers per session, as an organiser casts them: most people speak once or twice,
    a few four to six times; each is put where they are free and available, except for 2 % slips (and where
    nobody fitting is left), which are the conflicts a real programme ends up with."""
    quota = {p["id"]: rng.choices((1, 2, 3, 4, 5, 6), weights=(35, 25, 18, 10, 7, 5))[0] for p in people}
    windows = {
        p["id"]: [(dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)) for a, b in p["available"]]
        for p in people if "available" in p
    }
    held: dict[str, list[tuple[int, int]]] = {p["id"]: [] for p in people}
    order = [p["id"] for p in people]
    for session in sessions:
        a, b = session["_span"]
        start, end = dt.datetime.fromisoformat(session["start"]), dt.datetime.fromisoformat(session["end"])
        chosen: list[str] = []
        for _seat in range(rng.randint(3, 6)):
            pick = None
            slip = rng.random() < 0.02  # nobody checked this one
            for _try in range(40):
                candidate = rng.choice(order)
                if candidate in chosen or quota[candidate] == 0:
                    continue
                pick = candidate
                if slip:
                    break
                free = all(b <= x or y <= a for x, y in held[candidate])
                available = candidate not in windows or any(x <= start and end <= y for x, y in windows[candidate])
                if free and available:
                    break
            if pick is not None:
                chosen.append(pick)
                quota[pick] -= 1
                held[pick].append((a, b))
        session["people"] = sorted(chosen)


def measure(data: dict[str, Any], runs: int) -> dict[str, Any]:
    """Median and p95 of `check()` over `runs` runs, and what it found."""
    t0 = time.perf_counter()
    rooms, people, sessions = load_json(data)
    loading = time.perf_counter() - t0
    conflicts = check(rooms, people, sessions)
    times = []
    gc.collect()
    for _run in range(runs):
        t0 = time.perf_counter()
        check(rooms, people, sessions)
        times.append(time.perf_counter() - t0)
    times.sort()
    counts = Counter(c.rule for c in conflicts)
    return {
        "sessions": len(sessions),
        "rooms": len(rooms),
        "people": len(people),
        "links": sum(len(set(s.people)) for s in sessions),
        "conflicts": len(conflicts),
        "by_rule": " / ".join(f"{counts[rule]}" for rule in Rule),
        "median": statistics.median(times) * 1000,
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000,
        "runs": runs,
        "load": loading * 1000,
    }


def demo_forums() -> list[tuple[str, Any]]:
    """The demo's 2023 and 2024 forums as the web reads them (`service.checker_input`), from a demo built into
    a temporary SQLite file: the programme the timetable and the organiser's report show."""
    import tempfile

    from sqlalchemy.orm import sessionmaker

    from duijie.agenda.service import checker_input
    from duijie.core.db import make_engine
    from duijie.core.migrate import upgrade
    from duijie.demo.builder import build_demo
    from duijie.events.service import get_event

    os.environ.setdefault("DUIJIE_SEARCH_EMBED", "off")
    path = Path(tempfile.mkdtemp()) / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    found = []
    with sessionmaker(bind=engine)() as db:
        build_demo(db)
        db.commit()
        for slug in ("zgc-forum-2023", "zgc-forum-2024"):
            found.append((slug, checker_input(db, get_event(db, slug=slug))))
    engine.dispose()
    return found


def measure_input(given: Any, runs: int) -> dict[str, Any]:
    """As `measure`, for an input read from the database (no JSON to load)."""
    conflicts = check(given.rooms, given.people, given.sessions)
    times = []
    gc.collect()
    for _run in range(runs):
        t0 = time.perf_counter()
        check(given.rooms, given.people, given.sessions)
        times.append(time.perf_counter() - t0)
    times.sort()
    counts = Counter(c.rule for c in conflicts)
    return {
        "sessions": len(given.sessions),
        "rooms": len(given.rooms),
        "people": len(given.people),
        "links": sum(len(set(s.people)) for s in given.sessions),
        "conflicts": len(conflicts),
        "by_rule": " / ".join(f"{counts[rule]}" for rule in Rule),
        "median": statistics.median(times) * 1000,
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000,
        "runs": runs,
    }


def main() -> None:
    """Run the benchmark, print a markdown table and (on a full run) write it to bench/results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the 500-session forum only, 20 runs")
    args = parser.parse_args()
    sizes = [(500, 20, 1_000, 20)] if args.quick else [(500, 20, 1_000, 200), (2_000, 80, 4_000, 50), (5_000, 200, 10_000, 20)]
    python = f"{platform.python_implementation()} {platform.python_version()}"
    lines = [
        f"# Agenda conflict checker ({dt.date.today()}, {python}, {os.cpu_count()} cores)",
        "",
        "| forum | sessions / rooms / people (speaker links) | conflicts | person_overlap / room_overlap / "
        "room_closed / over_capacity / person_unavailable | check() median ms | p95 ms | runs | load_json ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n_sessions, n_rooms, n_people, runs in sizes:
        row = measure(forum(n_sessions, n_rooms, n_people), runs)
        lines.append(
            f"| {n_sessions:,} sessions, {DAYS} days | {row['sessions']:,} / {row['rooms']} / {row['people']:,} "
            f"({row['links']:,}) | {row['conflicts']:,} | {row['by_rule']} | {row['median']:.1f} | "
            f"{row['p95']:.1f} | {row['runs']} | {row['load']:.0f} |"
        )
        print(lines[-1] if len(lines) > 5 else "\n".join(lines), flush=True)
    if not args.quick:
        for slug, given in demo_forums():
            row = measure_input(given, 200)
            lines.append(
                f"| the demo's {slug} | {row['sessions']:,} / {row['rooms']} / {row['people']:,} "
                f"({row['links']:,}) | {row['conflicts']:,} | {row['by_rule']} | {row['median']:.1f} | "
                f"{row['p95']:.1f} | {row['runs']} | (read from the database) |"
            )
            print(lines[-1], flush=True)
        comment = "<!-- .venv/bin/python bench/bench_agenda_conflicts.py (full run) -->"
        (HERE / "results" / "agenda_conflicts.md").write_text(
            "\n".join([lines[0], comment, *lines[1:]]) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
