"""The permission matrix runs whole on SQLite; on PostgreSQL a sample of its cells.

Who may do what is decided in Python, the same on both databases; what differs between them is the SQL of the
visibility rules (drafts, private deals, one's own organisation). Three roles on every route exercise that SQL on
PostgreSQL — the anonymous visitor (the login page or the public answer), the organiser of one event (scoped
grants) and an enterprise (a party, a participant or an outsider by route) — and keep the suite within its
time budget as routes are added.
"""

from __future__ import annotations

import pytest

POSTGRES_ROLES = frozenset({"anonymous", "organiser_a", "enterprise"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if (
            getattr(item, "originalname", "") == "test_cell"
            and params.get("engine") == "postgresql"
            and params.get("role") not in POSTGRES_ROLES
        ):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
