"""Imports every package's models so the metadata is complete (for migrations and `create_all` in tests)."""

from __future__ import annotations

import importlib
import importlib.util

from duijie.modules import PACKAGES


def load_all_models() -> None:
    """Each package declared in `duijie/modules.py` that has a `models.py` contributes its tables."""
    for package in PACKAGES:
        name = f"duijie.{package}.models"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
