"""The scheduler's local search: a mutable schedule with occupancy tables and its single-item moves.

Augmenting moves raise the weight held (direct placement, re-slotting blockers, Kempe-chain swaps between two
slots, ejecting lighter meetings); compaction moves re-slot held meetings to fill idle gaps and so keep the
weight. `round_relaxation` seeds the search from the LP relaxation. Pure: no database, no solver library.
"""

from __future__ import annotations

import time

import numpy as np

from duijie.meetings.instance import IndexedInstance
from duijie.meetings.solver_bounds import Relaxation, incidence

KEMPE_MAX_LENGTH = 40
_EPS = 1e-9


class Search:
    """Mutable schedule with occupancy tables, kept in plain lists for fast single-item moves."""

    def __init__(self, ix: IndexedInstance, allowed: np.ndarray, locked: np.ndarray) -> None:
        self.ix = ix
        self.n_slots = ix.n_slots
        self.a = ix.a.tolist()
        self.b = ix.b.tolist()
        self.w = ix.weight.tolist()
        self.pair = ix.pair.tolist()
        self.tables = ix.tables.tolist()
        self.max_meetings = ix.max_meetings.tolist()
        self.locked = locked.tolist()
        self.required = [False] * ix.n_requests
        self.home = [-1] * ix.n_requests
        self.slots_of = [np.flatnonzero(row).tolist() for row in allowed]
        self.mask = [sum(1 << s for s in slots) for slots in self.slots_of]
        self.occ = [[-1] * ix.n_slots for _ in range(ix.n_participants)]
        self.slot_of = [-1] * ix.n_requests
        self.used = [0] * ix.n_slots
        self.count = [0] * ix.n_participants
        self.pair_held = [-1] * (int(ix.pair.max()) + 1 if ix.n_requests else 0)
        self.in_slot: list[set[int]] = [set() for _ in range(ix.n_slots)]
        self.requests_of = incidence(ix, np.arange(ix.n_requests))
        self.session_slots: list[list[int]] = []
        self.session_of = ix.session_of_slot.tolist()
        for session in sorted(set(self.session_of)):
            self.session_slots.append([s for s in range(ix.n_slots) if self.session_of[s] == session])

    def place(self, r: int, s: int) -> None:
        """Hold request r in slot s (the caller has checked it fits)."""
        self.slot_of[r] = s
        self.occ[self.a[r]][s] = r
        self.occ[self.b[r]][s] = r
        self.used[s] += 1
        self.count[self.a[r]] += 1
        self.count[self.b[r]] += 1
        self.pair_held[self.pair[r]] = r
        self.in_slot[s].add(r)

    def remove(self, r: int) -> int:
        """Drop request r from its slot and return that slot."""
        s = self.slot_of[r]
        self.slot_of[r] = -1
        self.occ[self.a[r]][s] = -1
        self.occ[self.b[r]][s] = -1
        self.used[s] -= 1
        self.count[self.a[r]] -= 1
        self.count[self.b[r]] -= 1
        self.pair_held[self.pair[r]] = -1
        self.in_slot[s].discard(r)
        return s

    def fits(self, r: int, s: int) -> bool:
        """Whether request r can be held in slot s as things stand."""
        a, b = self.a[r], self.b[r]
        return (
            (self.mask[r] >> s) & 1 == 1
            and self.occ[a][s] < 0
            and self.occ[b][s] < 0
            and self.used[s] < self.tables[s]
            and self.count[a] < self.max_meetings[a]
            and self.count[b] < self.max_meetings[b]
            and self.pair_held[self.pair[r]] < 0
        )

    def first_fit(self, r: int, exclude: int = -1) -> int:
        """The best slot r fits in now (next to its sides' meetings, then earliest), or -1."""
        best, best_key = -1, -1
        a, b = self.occ[self.a[r]], self.occ[self.b[r]]
        for s in self.slots_of[r]:
            if s == exclude or not self.fits(r, s):
                continue
            key = 0
            for t in (s - 1, s + 1):
                if 0 <= t < self.n_slots and self.session_of[t] == self.session_of[s]:
                    key += (a[t] >= 0) + (b[t] >= 0)
            if key > best_key:
                best, best_key = s, key
        return best

    def weight(self) -> float:
        """Total weight held."""
        return sum(self.w[r] for r, s in enumerate(self.slot_of) if s >= 0)

    # -- augmenting moves -------------------------------------------------------------------------------

    def insert(self, r: int) -> bool:
        """Hold r by a direct placement, by re-slotting its blockers, or by a Kempe-chain swap."""
        a, b = self.a[r], self.b[r]
        if (
            self.pair_held[self.pair[r]] >= 0
            or self.count[a] >= self.max_meetings[a]
            or self.count[b] >= self.max_meetings[b]
        ):
            return False
        s = self.first_fit(r)
        if s >= 0:
            self.place(r, s)
            return True
        return self._relocate_blockers(r) or self._kempe_insert(r)

    def _relocate_blockers(self, r: int) -> bool:
        a, b = self.a[r], self.b[r]
        for s in self.slots_of[r]:
            blockers = [m for m in (self.occ[a][s], self.occ[b][s]) if m >= 0]
            if any(self.locked[m] for m in blockers):
                continue
            if not blockers:
                if self.used[s] >= self.tables[s] and self._free_table(s):
                    self.place(r, s)
                    return True
                continue
            for m in blockers:
                self.remove(m)
            if self.used[s] >= self.tables[s]:
                for m in blockers:
                    self.place(m, s)
                continue
            self.place(r, s)
            moved: list[int] = []
            for m in blockers:
                t = self.first_fit(m, exclude=s)
                if t < 0:
                    break
                self.place(m, t)
                moved.append(m)
            if len(moved) == len(blockers):
                return True
            for m in moved:
                self.remove(m)
            self.remove(r)
            for m in blockers:
                self.place(m, s)
        return False

    def _free_table(self, s: int) -> bool:
        """Move some meeting out of slot s into another slot, to free one of s's tables."""
        for m in sorted(self.in_slot[s])[:64]:
            if self.locked[m]:
                continue
            self.remove(m)
            t = self.first_fit(m, exclude=s)
            if t >= 0:
                self.place(m, t)
                return True
            self.place(m, s)
        return False

    def _chain(self, start: int, s: int, t: int, stop: int) -> list[int] | None:
        """The s/t alternating path of meetings from participant `start` (free in t), or None if unusable."""
        path: list[int] = []
        x, colour, other = start, s, t
        while True:
            m = self.occ[x][colour]
            if m < 0:
                return path
            if self.locked[m] or (self.mask[m] >> other) & 1 == 0 or len(path) >= KEMPE_MAX_LENGTH:
                return None
            path.append(m)
            x = self.b[m] if self.a[m] == x else self.a[m]
            if x == stop:
                return None
            colour, other = other, colour

    def _swap(self, path: list[int], s: int, t: int, extra_in_s: int = 0) -> bool:
        """Exchange slots s and t along a path if tables allow (`extra_in_s` more meetings to come in s)."""
        in_s = sum(1 for m in path if self.slot_of[m] == s)
        in_t = len(path) - in_s
        if self.used[s] - in_s + in_t + extra_in_s > self.tables[s]:
            return False
        if self.used[t] - in_t + in_s > self.tables[t]:
            return False
        old = [self.remove(m) for m in path]
        for m, slot in zip(path, old, strict=True):
            self.place(m, t if slot == s else s)
        return True

    def _kempe_insert(self, r: int) -> bool:
        a, b = self.a[r], self.b[r]
        for s in self.slots_of[r]:
            busy_a, busy_b = self.occ[a][s] >= 0, self.occ[b][s] >= 0
            if busy_a == busy_b:
                continue
            start, other_side = (a, b) if busy_a else (b, a)
            for t in range(self.n_slots):
                if t == s or self.occ[start][t] >= 0:
                    continue
                path = self._chain(start, s, t, other_side)
                if path and self._swap(path, s, t, extra_in_s=1):
                    self.place(r, s)
                    return True
        return False

    def eject(self, r: int) -> bool:
        """Hold r instead of lighter meetings when that raises the weight, re-placing them if possible."""
        a, b = self.a[r], self.b[r]
        if self.pair_held[self.pair[r]] >= 0:
            return False
        wr = self.w[r]
        best_s, best_cost, best_blockers = -1, wr - _EPS, None
        for s in self.slots_of[r]:
            blockers = [m for m in (self.occ[a][s], self.occ[b][s]) if m >= 0]
            if any(self.locked[m] or self.required[m] for m in blockers):
                continue
            for p in (a, b):
                if self.count[p] >= self.max_meetings[p] and self.occ[p][s] < 0:
                    lightest = self._lightest(p)
                    if lightest < 0:
                        break
                    blockers.append(lightest)
            else:
                if not blockers and self.used[s] >= self.tables[s]:
                    lightest = self._lightest_in_slot(s)
                    if lightest < 0:
                        continue
                    blockers.append(lightest)
                cost = sum(self.w[m] for m in set(blockers))
                if cost < best_cost:
                    best_s, best_cost, best_blockers = s, cost, sorted(set(blockers))
        if best_blockers is None:
            return False
        old = [self.remove(m) for m in best_blockers]
        if not self.fits(r, best_s):
            for m, slot in zip(best_blockers, old, strict=True):
                self.place(m, slot)
            return False
        self.place(r, best_s)
        for m in best_blockers:
            self.insert(m)
        return True

    def _lightest(self, p: int) -> int:
        meetings = [m for m in self.occ[p] if m >= 0 and not self.locked[m] and not self.required[m]]
        return min(meetings, key=lambda m: (self.w[m], m)) if meetings else -1

    def _lightest_in_slot(self, s: int) -> int:
        meetings = [m for m in self.in_slot[s] if not self.locked[m] and not self.required[m]]
        return min(meetings, key=lambda m: (self.w[m], m)) if meetings else -1

    # -- compaction -------------------------------------------------------------------------------------

    def gaps(self, p: int, session: int) -> int:
        """Idle gaps of participant p in one session."""
        row = self.occ[p]
        first = last = -1
        busy = 0
        for k, s in enumerate(self.session_slots[session]):
            if row[s] >= 0:
                if first < 0:
                    first = k
                last = k
                busy += 1
        return last - first + 1 - busy if busy else 0

    def total_gaps(self, people: set[int]) -> int:
        """Idle gaps of some participants over all sessions."""
        return sum(self.gaps(p, k) for p in people for k in range(len(self.session_slots)))

    def compact_participant(self, p: int) -> bool:
        """Try to fill one idle gap of p by moving a meeting at the edge of its session into it."""
        row = self.occ[p]
        for session, slots in enumerate(self.session_slots):
            if self.gaps(p, session) == 0:
                continue
            busy = [s for s in slots if row[s] >= 0]
            holes = [s for s in slots if busy[0] < s < busy[-1] and row[s] < 0]
            for g in holes:
                for s in (busy[0], busy[-1]):
                    m = row[s]
                    if self.locked[m] or (self.mask[m] >> g) & 1 == 0:
                        continue
                    if self._try_improving(p, m, s, g):
                        return True
        return False

    def _try_improving(self, p: int, m: int, s: int, g: int) -> bool:
        """Move m (of p) from s to g directly or along a Kempe chain; keep it only if gaps go down."""
        q = self.b[m] if self.a[m] == p else self.a[m]
        path = self._chain(p, s, g, -1)
        if not path:
            return False
        ends = {p, q}
        x = p
        for step in path:
            x = self.b[step] if self.a[step] == x else self.a[step]
        ends.add(x)
        before = self.total_gaps(ends)
        if not self._swap(path, s, g):
            return False
        if self.total_gaps(ends) < before:
            return True
        self._swap(path, s, g)
        return False


def round_relaxation(search: Search, relaxation: Relaxation) -> None:
    """Hold requests in the slots the LP favours, most favoured first, wherever they still fit."""
    keep = relaxation.values > 1e-3
    reqs, slots, values = relaxation.requests[keep], relaxation.slots[keep], relaxation.values[keep]
    order = np.lexsort((reqs, -search.ix.weight[reqs], -values))
    for r, s in zip(reqs[order].tolist(), slots[order].tolist(), strict=True):
        if search.slot_of[r] < 0 and search.fits(r, s):
            search.place(r, s)


def load_schedule(search: Search, slot_of: list[int]) -> None:
    """Replace the search's schedule by another one."""
    for r, s in enumerate(search.slot_of):
        if s >= 0:
            search.remove(r)
    for r, s in enumerate(slot_of):
        if s >= 0:
            search.place(r, s)


def improve(search: Search, deadline: float) -> None:
    """Augmenting moves over the dropped requests, heaviest first, until a pass finds nothing."""
    while time.monotonic() < deadline:
        pending = [r for r, s in enumerate(search.slot_of) if s < 0 and search.slots_of[r]]
        pending.sort(key=lambda r: (-search.w[r], r))
        improved = 0
        for i, r in enumerate(pending):
            if i % 256 == 0 and time.monotonic() >= deadline:
                return
            if search.slot_of[r] < 0 and (search.insert(r) or search.eject(r)):
                improved += 1
        if not improved:
            return


def fill_gaps(search: Search, deadline: float) -> None:
    """Gap-filling moves, participant by participant, until a pass finds nothing."""
    while time.monotonic() < deadline:
        improved = 0
        for p in range(len(search.occ)):
            if p % 256 == 0 and time.monotonic() >= deadline:
                return
            for _ in range(search.n_slots):
                if not search.compact_participant(p):
                    break
                improved += 1
        if not improved:
            return
