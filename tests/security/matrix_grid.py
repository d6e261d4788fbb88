"""Permission-matrix entries for the grid page's move (collected into `matrix.ENTRIES`): the page where a placed
meeting of event A is rescheduled, moved to another table or unpinned, and its form, are A's organisers' (B's
organiser is refused); a refused move changes nothing on A's grid."""

from __future__ import annotations

from typing import Any

from tests.security.matrix import EVENT_ORGANISERS, Entry, only
from tests.security.matrix_own_event import grid
from tests.security.world import World

GRID = only(*EVENT_ORGANISERS)
MOVE = "/events/{slug}/meetings/m/{meeting_id}/move"


def _move(w: World) -> dict[str, Any]:
    return {"slot": str(w.slot), "table": "2"}


ENTRIES: tuple[Entry, ...] = (
    Entry("GET", MOVE, GRID),
    # 409: the place is outside someone's free time (the page asks first); 422: taken by another meeting.
    Entry("POST", MOVE, GRID, form=_move, also_ok=(409, 422), probe=grid),
)
