"""Permission-matrix entries for the feeds routes (collected into `matrix.ENTRIES`).

Every signed-in account has its own calendar (its address, its reset); the feed itself is public on purpose and
opened by its token alone, so a wrong token (here the event's slug in its place) is a 404 for everyone, signed in
or not. That a right token opens exactly its own account's meetings is tested in `tests/meetings/test_feeds.py`.
"""

from __future__ import annotations

from tests.security.matrix import LOGGED_IN, NO, Entry, empty
from tests.security.world import ROLES

ENTRIES: tuple[Entry, ...] = (
    Entry("GET", "/me/calendar", LOGGED_IN),
    Entry("POST", "/me/calendar/reset", LOGGED_IN, form=empty),
    Entry("GET", "/api/v1/me/calendar", LOGGED_IN),
    Entry("POST", "/api/v1/me/calendar/reset", LOGGED_IN),
    Entry("GET", "/calendar/{token}.ics", dict.fromkeys(ROLES, NO), at={"token": "event_a"}),
)
