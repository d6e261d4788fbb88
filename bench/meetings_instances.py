"""Generated 1:1 meeting instances for the scheduler benchmarks and tests, in the JSON input form.

`random_instance` draws an event with popularity skew (a few participants are wanted by many), partial
availability (each participant free in 60-100 % of the slots), morning and afternoon sessions, some
session-restricted and pinned requests, and caps on a few participants. `tight_instance` plants a full
schedule first (every table of every slot taken) and only then forgets it, so that every request can be held
but only a method that plans the whole event finds how; availability outside the planted slots is scarce.
"""

from __future__ import annotations

import argparse
import json
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


def main(argv: list[str] | None = None) -> None:
    """Write one generated instance as JSON, to try the command line on it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["random", "tight"])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--requests", type=int, default=1200)
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", choices=["scattered", "sessions"], default="scattered")
    args = parser.parse_args(argv)
    if args.kind == "random":
        data = random_instance(args.participants, args.requests, args.slots, args.tables, seed=args.seed)
    else:
        data = tight_instance(min(args.participants, 60), args.slots, seed=args.seed, shape=args.shape)
    json.dump(data, sys.stdout)


if __name__ == "__main__":
    main()
