"""The permission matrix runs whole on SQLite; on PostgreSQL the anonymous visitor's cells.

Who may do what is decided in Python, the same on both databases; what differs between them is the SQL of the
visibility rules (drafts, private deals). The anonymous visitor meets every one of them on every route, so its
cells exercise that SQL on PostgreSQL; the signed-in roles' rules are the same code on both, and running them
twice would take the suite past its time budget as routes are added. (The visibility SQL for signed-in readers
runs on PostgreSQL in the modules' own tests: tests/events/test_drafts.py, tests/deals/test_visibility.py.)
"""

from __future__ import annotations

import pytest

POSTGRES_ROLES = frozenset({"anonymous"})


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
