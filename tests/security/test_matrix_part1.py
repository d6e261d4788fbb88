"""Part 2 of the permission matrix's cells (see `PARTS` in test_matrix.py), with a world of its own."""

from __future__ import annotations

import pytest

from tests.security.matrix import Entry
from tests.security.test_matrix import Env, _cells, check_cell, env

__all__ = ["env"]


@pytest.mark.parametrize(("entry", "role"), list(_cells(1)))
def test_cell(env: Env, entry: Entry, role: str) -> None:
    check_cell(env, entry, role)
