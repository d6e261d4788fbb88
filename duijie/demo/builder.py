"""The demo run: builds the demo data set into an empty database by calling every package's demo, phase by
phase (`duijie.core.demo_kit.PHASES`), each phase over every package bottom floor first.

Which packages add to the demo is found by convention (`duijie/<package>/demo.py` or `demo/__init__.py`,
through `duijie.modules.import_all("demo")`); what each adds and when is up to the package, which defines the
phase functions it needs (`seed_demo(kit)`, `extend_demo(kit)`, ...). Nothing here names a module.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.demo_kit import DEMO_SEED, PHASES, DemoKit, DemoSummary
from duijie.events.models import Event
from duijie.modules import import_all


def build_demo(db: Session, *, seed: int = DEMO_SEED) -> DemoSummary:
    """Fill an empty, migrated database with the demo data set; the caller commits."""
    if db.scalar(select(Event.id).limit(1)) is not None:
        raise RuntimeError("the database already holds events; the demo is built only into an empty database")
    kit = DemoKit(db, seed=seed)
    modules = import_all("demo")
    for phase in PHASES:
        for module in modules:
            step = getattr(module, phase, None)
            if step is not None:
                step(kit)
        db.flush()
    return kit.summary
