"""Permission-matrix entries for the routes of an organisation's stated facts and preferences and of withdrawing a
declared conflict of interest (collected into `matrix.ENTRIES`).

An organisation's facts and preferences are read back by those who may edit them: the organisers and the world's
enterprise's own staff; nobody else sees them (revenue and tickets are not public).
"""

from __future__ import annotations

from tests.security.matrix import ORGANISERS, Entry, only

EDITORS = (*ORGANISERS, "enterprise")
ENTERPRISE = {"slug": "enterprise_slug"}

ENTRIES: tuple[Entry, ...] = (
    Entry("GET", "/api/v1/organisations/{slug}/data", only(*EDITORS), at=ENTERPRISE),
)
