"""The first-come-first-served baseline: what an event tool does when it books each accepted request at once.

Requests are taken in input order (pinned ones first, in their slots) and each goes into the earliest slot
where both sides are free, within its sessions, the tables and the participants' maximum number of meetings.
It is the yardstick the solver is measured against; it reports the solver's cheap combinatorial bound.
"""

from __future__ import annotations

import numpy as np

from duijie.meetings.instance import Instance, Schedule, assemble, index_instance
from duijie.meetings.solver_bounds import upper_bound


def greedy(instance: Instance) -> Schedule:
    """Book every request, in input order, into the earliest slot still free for both sides."""
    ix = index_instance(instance)
    slot_of = np.full(ix.n_requests, -1, dtype=np.int64)
    busy = np.zeros((ix.n_participants, ix.n_slots), dtype=bool)
    used = np.zeros(ix.n_slots, dtype=np.int64)
    count = np.zeros(ix.n_participants, dtype=np.int64)
    pair_held: set[int] = set()
    order = [int(r) for r in np.flatnonzero(ix.pinned >= 0)] + [int(r) for r in np.flatnonzero(ix.pinned < 0)]
    for r in order:
        a, b, pair = int(ix.a[r]), int(ix.b[r]), int(ix.pair[r])
        if pair in pair_held or count[a] >= ix.max_meetings[a] or count[b] >= ix.max_meetings[b]:
            continue
        if ix.pinned[r] >= 0:
            free = np.array([ix.pinned[r]])
        else:
            free = np.flatnonzero(ix.allowed[r] & ~busy[a] & ~busy[b] & (used < ix.tables))
        if free.size == 0:
            continue
        s = int(free[0])
        slot_of[r] = s
        busy[a, s] = busy[b, s] = True
        used[s] += 1
        count[a] += 1
        count[b] += 1
        pair_held.add(pair)
    return assemble(ix, slot_of, upper_bound=upper_bound(ix))
