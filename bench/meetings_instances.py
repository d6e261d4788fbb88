"""Generated 1:1 meeting instances for the scheduler benchmarks and tests, in the JSON input form.

`random_instance` draws an event with popularity skew (a few participants are wanted by many), partial
availability (each participant free in 60-100 % of the slots), morning and afternoon sessions, some
session-restricted and pinned requests, and caps on a few participants. `tight_instance` plants a full
schedule first (every table of every slot taken) and only then forgets it, so that every request can be held
but only a method that plans the whole event finds how; availability outside the planted slots is scarce.
`brokerage_instance` draws an event shaped like a business-to-business brokerage day (12-14 slots in a morning
and an afternoon session, 50-60 participants who come in the morning, the afternoon or both and cannot meet
in a few slots, 125-302 requests, a few pinned meetings, tables that bind on some events) around a planted
schedule that holds every request, then forgets it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

import numpy as np


def _slots(n_slots: int) -> list[dict[str, str]]:
    half = (n_slots + 1) // 2
    return [{"id": f"s{i + 1:02d}", "session": "am" if i < half else "pm"} for i in range(n_slots)]


def random_instance(
    n_participants: int,
    n_requests: int,
    n_slots: int,
    tables: int,
    *,
    seed: int = 1,
    skew: float = 0.6,
    availability: tuple[float, float] = (0.6, 1.0),
    pinned_share: float = 0.002,
) -> dict[str, Any]:
    """An event with popularity skew and partial availability, as the JSON instance."""
    rng = np.random.default_rng(seed)
    slots = _slots(n_slots)
    slot_ids = [s["id"] for s in slots]
    share = rng.uniform(*availability, size=n_participants)
    free = rng.random((n_participants, n_slots)).argsort(axis=1)
    participants: list[dict[str, Any]] = []
    for p in range(n_participants):
        k = max(1, round(share[p] * n_slots))
        item: dict[str, Any] = {"id": f"p{p + 1}", "available": [slot_ids[s] for s in sorted(free[p, :k])]}
        if rng.random() < 0.1:
            item["max_meetings"] = int(rng.integers(4, 9))
        participants.append(item)
    popularity = 1.0 / np.arange(1, n_participants + 1) ** skew
    popularity = popularity[rng.permutation(n_participants)]
    popularity /= popularity.sum()
    pairs: set[tuple[int, int]] = set()
    requests: list[dict[str, Any]] = []
    while len(requests) < n_requests:
        batch = 2 * (n_requests - len(requests)) + 16
        asker = rng.integers(0, n_participants, size=batch)
        wanted = rng.choice(n_participants, size=batch, p=popularity)
        weights = rng.choice([1.0, 1.0, 1.0, 1.5, 2.0, 3.0], size=batch)
        limits = rng.random(batch)
        for a, b, w, limit in zip(
            asker.tolist(), wanted.tolist(), weights.tolist(), limits.tolist(), strict=True
        ):
            key = (min(a, b), max(a, b))
            if a == b or key in pairs:
                continue
            pairs.add(key)
            item = {"id": f"r{len(requests) + 1}", "a": f"p{a + 1}", "b": f"p{b + 1}", "weight": w}
            if limit < 0.05:
                item["sessions"] = ["am"]
            elif limit < 0.1:
                item["sessions"] = ["pm"]
            requests.append(item)
            if len(requests) == n_requests:
                break
    _pin(requests, participants, slots, tables, rng, pinned_share)
    return {
        "slots": slots,
        "tables": {sid: tables for sid in slot_ids},
        "participants": participants,
        "requests": requests,
    }


def _pin(
    requests: list[dict[str, Any]],
    participants: list[dict[str, Any]],
    slots: list[dict[str, str]],
    tables: int,
    rng: np.random.Generator,
    share: float,
) -> None:
    """Pin a few requests, as an organiser pins VIP meetings, without making the pins collide."""
    available = {p["id"]: set(p["available"]) for p in participants}
    session = {s["id"]: s["session"] for s in slots}
    busy: set[tuple[str, str]] = set()
    count: dict[str, int] = {}
    cap = {p["id"]: p.get("max_meetings", len(slots)) for p in participants}
    used: dict[str, int] = {}
    for i in rng.choice(len(requests), size=int(len(requests) * share), replace=False).tolist():
        r = requests[i]
        common = sorted(available[r["a"]] & available[r["b"]])
        common = [s for s in common if session[s] in r.get("sessions", ["am", "pm"])]
        common = [s for s in common if (r["a"], s) not in busy and (r["b"], s) not in busy]
        common = [s for s in common if used.get(s, 0) < tables]
        if not common or count.get(r["a"], 0) >= cap[r["a"]] or count.get(r["b"], 0) >= cap[r["b"]]:
            continue
        s = common[int(rng.integers(len(common)))]
        r["pinned_slot"] = s
        busy.update({(r["a"], s), (r["b"], s)})
        used[s] = used.get(s, 0) + 1
        for pid in (r["a"], r["b"]):
            count[pid] = count.get(pid, 0) + 1


def tight_instance(
    n_participants: int = 40,
    n_slots: int = 16,
    *,
    seed: int = 1,
    extra_availability: float = 0.2,
    spare_tables: int = 1,
    shape: str = "scattered",
) -> dict[str, Any]:
    """A brokerage event whose every request fits (a planted schedule exists), tables nearly full.

    Each participant is planted busy over one stretch of each session; in every slot the busy ones are
    paired at random (no pair twice), each pair becomes a request, and each slot has `spare_tables` more
    tables than planted pairs. `shape` says what availability looks like:

    - "scattered" (the harder family): the planted slots plus random single slots (`extra_availability`),
      so that holes in an agenda are often forced by where a partner happens to be free;
    - "sessions" (as at real forums): each participant comes for whole sessions, or starts late or leaves
      early, and is free throughout that window; the planted stretches are gap-free wherever the pairing
      allows, so a schedule with (almost) no idle gaps exists.
    """
    if shape not in ("scattered", "sessions"):
        raise ValueError(f"shape must be 'scattered' or 'sessions', got {shape!r}")
    rng = np.random.default_rng(seed)
    slots = _slots(n_slots)
    slot_ids = [s["id"] for s in slots]
    sessions = [[i for i, s in enumerate(slots) if s["session"] == name] for name in ("am", "pm")]
    active = np.zeros((n_participants, n_slots), dtype=bool)
    window = np.zeros((n_participants, n_slots), dtype=bool)
    for p in range(n_participants):
        for block in sessions:
            if shape == "sessions":
                block = _window(block, rng)
                window[p, block] = True
                if not block:
                    continue
            length = int(rng.integers(max(1, len(block) // 4), max(2, 3 * len(block) // 4) + 1))
            length = min(length, len(block))
            first = int(rng.integers(0, len(block) - length + 1))
            active[p, block[first : first + length]] = True
    session_of = [0 if s["session"] == "am" else 1 for s in slots]
    planted = _plant(active, session_of, rng, edges_last=shape == "sessions")
    available = window if shape == "sessions" else rng.random((n_participants, n_slots)) < extra_availability
    for x, y, s in planted:
        available[x, s] = available[y, s] = True
    participants = [
        {"id": f"p{p + 1}", "available": [slot_ids[s] for s in np.flatnonzero(available[p]).tolist()]}
        for p in range(n_participants)
    ]
    per_slot = np.bincount([s for _, _, s in planted], minlength=n_slots)
    requests = [
        {"id": f"r{i + 1}", "a": f"p{planted[j][0] + 1}", "b": f"p{planted[j][1] + 1}", "weight": 1.0}
        for i, j in enumerate(rng.permutation(len(planted)).tolist())
    ]
    return {
        "slots": slots,
        "tables": {sid: int(per_slot[s]) + spare_tables for s, sid in enumerate(slot_ids)},
        "participants": participants,
        "requests": requests,
    }


def _window(block: list[int], rng: np.random.Generator) -> list[int]:
    """The slots of one session a participant attends: none, all, a late start or an early end."""
    draw = rng.random()
    cut = int(rng.integers(1, max(2, len(block) // 2) + 1))
    if draw < 0.1:
        return []
    if draw < 0.55:
        return block
    if draw < 0.8:
        return block[cut:]
    return block[: len(block) - cut]


def _plant(
    active: np.ndarray, session_of: list[int], rng: np.random.Generator, *, edges_last: bool
) -> list[tuple[int, int, int]]:
    """Pair the active participants of each slot at random into meetings (no pair twice).

    With `edges_last`, someone at the start or end of their stretch is the one left over when a slot has
    an odd number of people, so the leftover shortens a stretch instead of opening a hole in it.
    """
    n_slots = active.shape[1]

    def at_edge(p: int, s: int) -> bool:
        """Whether slot s starts or ends p's stretch in its session."""
        return any(
            not 0 <= t < n_slots or session_of[t] != session_of[s] or not active[p, t] for t in (s - 1, s + 1)
        )

    pairs: set[tuple[int, int]] = set()
    planted: list[tuple[int, int, int]] = []
    for s in range(n_slots):
        people = np.flatnonzero(active[:, s])
        best: list[tuple[int, int]] = []
        for _ in range(50):
            order = rng.permutation(people).tolist()
            if edges_last and len(order) % 2:
                edge = [p for p in order if at_edge(p, s)]
                if edge:
                    order.remove(edge[0])
                    order.append(edge[0])
            meetings = [(min(x, y), max(x, y)) for x, y in zip(order[::2], order[1::2], strict=False)]
            fresh = [m for m in meetings if m not in pairs]
            if len(fresh) > len(best):
                best = fresh
            if len(fresh) == len(meetings):
                break
        pairs.update(best)
        planted.extend((x, y, s) for x, y in best)
    return planted


def brokerage_instance(
    seed: int = 1,
    *,
    n_participants: int | None = None,
    n_requests: int | None = None,
    n_slots: int | None = None,
    scarce_tables: bool | None = None,
) -> dict[str, Any]:
    """A brokerage event of the real shape in which every request can be held, as the JSON instance.

    Sizes not given are drawn from the seed: 12-14 slots (morning first, the afternoon the rest), 50-60
    participants, 125-302 requests. Each participant attends the morning, the afternoon or both (their
    "morning / afternoon / either" preference) and about a third have one or two forbidden slots inside the
    sessions they attend. Meetings are planted one request at a time between participants drawn by a skewed
    activity (some people are asked by many), each in a common free slot, mostly next to the two sides'
    earlier meetings as an organiser would do by hand; the requests are those planted meetings, shuffled
    (the first-come order). About one request in eight carries the session it was planted in as its own
    preference, two to five are pinned where they were planted, and on events with scarce tables
    (`scarce_tables`, drawn when not given) every slot has only as many tables as the busiest planted slot.
    """
    rng = np.random.default_rng(seed)
    n_slots = int(rng.integers(12, 15)) if n_slots is None else n_slots
    n_p = int(rng.integers(50, 61)) if n_participants is None else n_participants
    target = int(rng.integers(125, 303)) if n_requests is None else n_requests
    scarce = bool(rng.random() < 0.5) if scarce_tables is None else scarce_tables
    morning = n_slots // 2 + int(n_slots % 2 == 1 and rng.random() < 0.5)
    slots = [{"id": f"s{i + 1:02d}", "session": "am" if i < morning else "pm"} for i in range(n_slots)]
    session_of = np.array([0 if i < morning else 1 for i in range(n_slots)])
    available = np.zeros((n_p, n_slots), dtype=bool)
    for p in range(n_p):
        draw = rng.random()
        attends = [0] if draw < 0.2 else [1] if draw < 0.4 else [0, 1]
        available[p] = np.isin(session_of, attends)
        if rng.random() < 0.3:
            own = np.flatnonzero(available[p])
            forbidden = rng.choice(own, size=min(len(own) - 2, int(rng.integers(1, 3))), replace=False)
            available[p, forbidden] = False
    activity = rng.lognormal(0.0, 0.7, size=n_p)
    # Scarce tables: a cap on meetings per slot a little above the average load, so several slots fill up.
    cap = math.ceil(target / n_slots * rng.uniform(1.05, 1.25)) if scarce else n_p // 2
    busy = np.zeros((n_p, n_slots), dtype=bool)
    used = np.zeros(n_slots, dtype=np.int64)
    pairs: set[tuple[int, int]] = set()
    planted: list[tuple[int, int, int]] = []
    for _ in range(200 * target):
        if len(planted) == target:
            break
        room = (available & ~busy).any(axis=1)
        if room.sum() < 2:
            break
        weights = activity * room
        a, b = rng.choice(n_p, size=2, replace=False, p=weights / weights.sum()).tolist()
        key = (min(a, b), max(a, b))
        if key in pairs:
            continue
        common = np.flatnonzero(available[a] & available[b] & ~busy[a] & ~busy[b] & (used < cap)).tolist()
        if not common:
            continue
        if rng.random() < 0.95:
            # how many of the two sides' planted meetings sit right next to each slot, in its session
            beside = [
                sum(
                    int(busy[a, t]) + int(busy[b, t])
                    for t in (s - 1, s + 1)
                    if 0 <= t < n_slots and session_of[t] == session_of[s]
                )
                for s in common
            ]
            best = max(beside)
            common = [s for s, near in zip(common, beside, strict=True) if near == best]
        s = int(common[int(rng.integers(len(common)))])
        busy[a, s] = busy[b, s] = True
        used[s] += 1
        pairs.add(key)
        planted.append((a, b, s))
    slot_ids = [slot["id"] for slot in slots]
    requests: list[dict[str, Any]] = []
    pin = set(rng.choice(len(planted), size=int(rng.integers(2, 6)), replace=False).tolist())
    for i, j in enumerate(rng.permutation(len(planted)).tolist()):
        a, b, s = planted[j]
        item: dict[str, Any] = {"id": f"r{i + 1}", "a": f"p{a + 1}", "b": f"p{b + 1}", "weight": 1.0}
        if j in pin:
            item["pinned_slot"] = slot_ids[s]
        elif rng.random() < 0.125:
            item["sessions"] = [slots[s]["session"]]
        requests.append(item)
    tables = int(used.max()) if scarce else n_p // 2
    participants = [
        {"id": f"p{p + 1}", "available": [slot_ids[s] for s in np.flatnonzero(available[p]).tolist()]}
        for p in range(n_p)
    ]
    return {
        "slots": slots,
        "tables": dict.fromkeys(slot_ids, tables),
        "participants": participants,
        "requests": requests,
    }


def main(argv: list[str] | None = None) -> None:
    """Write one generated instance as JSON, to try the command line on it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["random", "tight", "brokerage"])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--requests", type=int, default=1200)
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", choices=["scattered", "sessions"], default="scattered")
    args = parser.parse_args(argv)
    if args.kind == "brokerage":
        data = brokerage_instance(args.seed)
    elif args.kind == "random":
        data = random_instance(args.participants, args.requests, args.slots, args.tables, seed=args.seed)
    else:
        data = tight_instance(min(args.participants, 60), args.slots, seed=args.seed, shape=args.shape)
    json.dump(data, sys.stdout)


if __name__ == "__main__":
    main()
