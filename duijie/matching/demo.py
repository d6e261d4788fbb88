"""The demo's matches: the 2024 summit's recommendations, computed while the demo is built.

Only the structured and lexical parts are computed here (about 2 s); embedding every profile with the
semantic model would take minutes on a small machine, so `duijie match --db PATH --event EVENT` adds the
semantic part later, caching the vectors next to the database file.
"""

from __future__ import annotations

from duijie.demo.builder import DemoBuilder
from duijie.matching.jobs import recompute_event

EVENT = "invest-beijing-2024"


def extend_demo(builder: DemoBuilder) -> None:
    """Store the summit's investor, project, enterprise and partner suggestions with their reasons."""
    recompute_event(builder.db, builder.events[EVENT], semantic=False)
