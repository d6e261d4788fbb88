"""Tabu search for a schedule that holds every request, when the bounds say one may exist.

Every free request gets a slot it is allowed in, whether or not it collides; the search then re-slots one
colliding request at a time to the slot that leaves the fewest collisions (a participant twice in a slot, a
slot with more meetings than tables), forbidding the move back for a while (TabuCol, the classic local
search for graph colouring, on the request graph with slot lists). On real-shaped brokerage events, dense
agendas in two short sessions, it finds within a second or two the full schedule that augmenting moves,
neighbourhood re-planning and CP-SAT's weighted model miss. It proves nothing: it stops when it succeeds or
its iterations or time run out. Pure: no database, no solver library; a fixed random seed makes it
repeatable.
"""

from __future__ import annotations

import random
import time

from duijie.meetings.solver_search import Search

TABU_SEED = 7
# Iterations per unit of work budget when the caller runs on a work budget (so that runs repeat exactly):
# about what one unit of CP-SAT's deterministic time is worth in wall-clock time on the bench machine.
ITERATIONS_PER_WORK = 4000


def hold_all(search: Search, deadline: float, max_iterations: int | None = None) -> list[int] | None:
    """Slots for every free request with no collision, or None when the search gives up.

    Locked requests stay where they are; the returned list is a full `slot_of` for the search.
    """
    n_slots = search.n_slots
    free = [r for r in range(len(search.slot_of)) if not search.locked[r] and search.slots_of[r]]
    if not free:
        return None
    pairs = [search.pair[r] for r in free]
    if len(set(pairs)) < len(pairs):
        return None
    wanted: dict[int, int] = {}
    for r in free:
        for p in (search.a[r], search.b[r]):
            wanted[p] = wanted.get(p, 0) + 1
    base_count = [0] * len(search.max_meetings)
    held_locked = [r for r in range(len(search.slot_of)) if search.locked[r] and search.slot_of[r] >= 0]
    for r in held_locked:
        base_count[search.a[r]] += 1
        base_count[search.b[r]] += 1
    if any(base_count[p] + k > search.max_meetings[p] for p, k in wanted.items()):
        return None
    rng = random.Random(TABU_SEED)
    n_people = len(search.max_meetings)
    # per participant and slot: meetings there (locked ones count too); per slot: meetings held
    load = [[0] * n_slots for _ in range(n_people)]
    used = [0] * n_slots
    for r in held_locked:
        s = search.slot_of[r]
        load[search.a[r]][s] += 1
        load[search.b[r]][s] += 1
        used[s] += 1
    # a slot that a locked meeting takes for one side is never an option for the free requests
    options: dict[int, list[int]] = {}
    for r in free:
        a, b = search.a[r], search.b[r]
        options[r] = [s for s in search.slots_of[r] if load[a][s] == 0 and load[b][s] == 0]
        if not options[r]:
            return None
    tables = search.tables
    slot = {}
    for r in sorted(free, key=lambda r: (len(options[r]), r)):
        a, b = search.a[r], search.b[r]
        current = search.slot_of[r]
        if current in options[r]:
            s = current
        else:
            s = min(options[r], key=lambda t: (load[a][t] + load[b][t] + (used[t] >= tables[t]), t))
        slot[r] = s
        load[a][s] += 1
        load[b][s] += 1
        used[s] += 1

    def collisions() -> int:
        over = sum(max(0, used[s] - tables[s]) for s in range(n_slots))
        return over + sum(max(0, c - 1) for row in load for c in row)

    cost = collisions()
    tabu: dict[tuple[int, int], int] = {}
    iteration = 0
    limit = max_iterations if max_iterations is not None else 1 << 62
    while cost > 0 and iteration < limit:
        if iteration % 64 == 0 and time.monotonic() >= deadline:
            return None
        iteration += 1
        best_delta = 1 << 30
        best: list[tuple[int, int]] = []
        for r in free:
            s = slot[r]
            a, b = search.a[r], search.b[r]
            la, lb = load[a], load[b]
            leave = (la[s] > 1) + (lb[s] > 1) + (used[s] > tables[s])
            if not leave:
                continue
            for t in options[r]:
                if t == s:
                    continue
                delta = (la[t] > 0) + (lb[t] > 0) + (used[t] >= tables[t]) - leave
                if tabu.get((r, t), 0) > iteration and cost + delta > 0:
                    continue
                if delta < best_delta:
                    best_delta, best = delta, [(r, t)]
                elif delta == best_delta:
                    best.append((r, t))
        if not best:
            continue
        r, t = best[rng.randrange(len(best))]
        s = slot[r]
        a, b = search.a[r], search.b[r]
        load[a][s] -= 1
        load[b][s] -= 1
        used[s] -= 1
        load[a][t] += 1
        load[b][t] += 1
        used[t] += 1
        slot[r] = t
        cost += best_delta
        tabu[r, s] = iteration + 10 + rng.randrange(10) + cost // 2
    if cost > 0:
        return None
    out = list(search.slot_of)
    for r in free:
        out[r] = slot[r]
    return out
