"""Which ranked candidates a reader may find: asked of each kind's module about a window of the best candidates.

A search ranks every document of the kinds taking part, whoever reads, and then keeps the ones the reader may
see under the filters. Each kind's `visible` is asked about the candidate ids of a window at the top of the
ranking, in one statement per kind (`id IN (...)`), never about every record: listing every visible record of
a 100,000-row table before ranking cost 1.5 s of a 1.8 s search. When too few candidates of the window survive,
the window is widened to the depth the survivors' share says is needed. Only when that depth passes WINDOW_MAX
(the filters let few records through, such as one event's records among all) does a kind list its visible
records outright, a list its filters keep short, and the ranking is then read among those alone.

One `Gate` serves one search: the lexical and the dense rankings share its answers, so a record ranked by both
is judged once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.searchable import Searchable, SearchFilters

# A window wider than this is not judged candidate by candidate: the kinds list their (few) visible records.
WINDOW_MAX = 8000
# The first window holds this much more than the depth asked for, so drafts hidden from the reader rarely
# force a second round.
SLACK = 1.25

Ranked = tuple[str, int, float]
# The `window` best documents of a ranking, best first; among the allowed records only (kind -> ids) when given.
Ranking = Callable[[int, dict[str, set[int]] | None], Sequence[Ranked]]


class Gate:
    """One search's answers to "may this reader find this record": asked of each kind a window at a time."""

    def __init__(
        self, db: Session, actor: Actor | None, filters: SearchFilters, event_id: int | None,
        sources: Iterable[Searchable],
    ) -> None:
        self.db = db
        self.actor = actor
        self.filters = filters
        self.event_id = event_id
        self.sources = {s.kind: s for s in sources}
        self._judged: dict[str, set[int]] = {kind: set() for kind in self.sources}
        self._visible: dict[str, set[int]] = {kind: set() for kind in self.sources}
        self.listed: dict[str, set[int]] | None = None
        self.asked = 0  # candidate ids put to the kinds, for the benchmark and the tests

    @property
    def kinds(self) -> list[str]:
        return list(self.sources)

    def judge(self, candidates: Iterable[Ranked]) -> None:
        """Ask each kind, in one statement, which of its candidates not judged yet the reader may find."""
        if self.listed is not None:
            return
        new: dict[str, list[int]] = {}
        for kind, rid, _ in candidates:
            judged = self._judged.get(kind)
            if judged is not None and rid not in judged:
                judged.add(rid)
                new.setdefault(kind, []).append(rid)
        for kind, ids in new.items():
            self.asked += len(ids)
            source = self.sources[kind]
            self._visible[kind].update(source.visible(self.db, self.actor, self.filters, self.event_id, ids))

    def allows(self, kind: str, rid: int) -> bool:
        """Whether the reader may find this judged candidate."""
        found = self.listed if self.listed is not None else self._visible
        return rid in found.get(kind, ())

    def list_all(self) -> dict[str, set[int]]:
        """Every record the reader may find under the filters, kind by kind (only when the filters are narrow)."""
        if self.listed is None:
            listed = {
                kind: set(source.visible(self.db, self.actor, self.filters, self.event_id, None))
                for kind, source in self.sources.items()
            }
            self.listed = {kind: ids for kind, ids in listed.items() if ids}
        return self.listed


def first_window(depth: int) -> int:
    """How many candidates the first window of a search for `depth` visible ones holds."""
    return math.ceil(depth * SLACK)


def top_visible(gate: Gate, ranking: Ranking, depth: int, *, window_max: int = WINDOW_MAX) -> list[Ranked]:
    """The `depth` best candidates of the ranking the reader may find, best first.

    Reads a window a little deeper than `depth`, keeps what the gate allows, and reads deeper while too few
    survive: as deep as their share says is needed, or, past `window_max`, among the listed visible records.
    """
    window = first_window(depth)
    while True:
        if gate.listed is not None and not gate.listed:
            return []
        rows = ranking(window, gate.listed)
        gate.judge(rows)
        hits = [row for row in rows if gate.allows(row[0], row[1])]
        if len(hits) >= depth or len(rows) < window:
            return hits[:depth]
        # as deep as the share of survivors says (counting one when none survived)
        needed = math.ceil(depth * len(rows) / max(1, len(hits)) * SLACK)
        if gate.listed is not None:
            window = max(4 * window, needed)
        elif needed > window_max:
            gate.list_all()
        else:
            window = max(2 * window, needed)
