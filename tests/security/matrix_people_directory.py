"""Permission-matrix entries for the participant directory and meeting-request routes (collected into
`matrix.ENTRIES`)."""

from __future__ import annotations

from tests.security.matrix import Entry

ENTRIES: tuple[Entry, ...] = ()
