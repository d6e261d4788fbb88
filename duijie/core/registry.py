"""Imports every package's models so the metadata is complete (for migrations and `create_all` in tests)."""

from __future__ import annotations

from duijie.modules import import_all


def load_all_models() -> None:
    """Each package declared in `duijie/modules.py` that has a `models.py` contributes its tables."""
    import_all("models")
