"""Imports every module's models so the metadata is complete (for migrations and `create_all` in tests)."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "duijie.core.models",
    "duijie.directory.models",
    "duijie.events.models",
    "duijie.agenda.models",
    "duijie.exhibition.models",
    "duijie.marketplace.models",
    "duijie.deals.models",
    "duijie.policies.models",
    "duijie.meetings.models",
    "duijie.contest.models",
    "duijie.text.models",
    "duijie.matching.models",
)


def load_all_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)
