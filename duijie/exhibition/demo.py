"""The exhibition part of the demo: the major achievements released at the 2024 Zhongguancun Forum, as the
forum's report lists them (title, and who made it where the report says)."""

from __future__ import annotations

import datetime as dt

from duijie.core.demo_kit import SRC_2024, DemoKit
from duijie.events.models import Event
from duijie.exhibition.models import Achievement


def seed_demo(kit: DemoKit) -> None:
    """The forum's released achievements, in the report's order."""
    forum = kit.get(Event, "zgc-forum-2024")
    for k, text in enumerate(kit.forum_facts("zgc-forum-2024")["major_achievements_released"]):
        title, _, who = str(text).partition(" (")
        kit.db.add(
            Achievement(
                event=forum,
                title_zh=title.strip(),
                description_zh=who.rstrip(")") or None,
                rank=k + 1,
                released_on=dt.date(2024, 4, 25),
                provenance=SRC_2024,
            )
        )
