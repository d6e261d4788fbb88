"""The marketplace part of the demo: the summits' released projects (seed) and the 2024 forum's technology
trading (finish: its offers go to the enterprises every module's demo made, so it comes after all of them)."""

from __future__ import annotations

from duijie.core.demo_kit import DemoKit
from duijie.marketplace.demo import released, trading


def seed_demo(kit: DemoKit) -> None:
    """The investment projects both summits released."""
    released.seed_demo(kit)


def finish_demo(kit: DemoKit) -> None:
    """The forum's technology offers and demands."""
    trading.trading_demo(kit)
