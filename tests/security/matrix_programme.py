"""Permission-matrix entries for the forum's programme routes (collected into `matrix.ENTRIES`)."""

from __future__ import annotations

from tests.security.matrix import Entry

ENTRIES: tuple[Entry, ...] = ()
