"""Databases for the worker tests: a migrated file (or PostgreSQL database) that worker processes can open, with
events whose meetings a scheduling job can plan."""

from __future__ import annotations

import random

from sqlalchemy.orm import Session

from duijie.directory.models import Account
from duijie.events.models import Event
from tests import factories
from tests.meetings import factories as mf


def scheduling_event(
    db: Session, *, participants: int = 8, slots: int = 4, tables: int = 2, requests: int = 10, seed: int = 1
) -> Event:
    """An event with a grid of `slots` x `tables`, `participants` and `requests` accepted requests between
    random pairs of them (each pair once), ready to be scheduled."""
    rng = random.Random(seed)
    event = factories.event(db)
    mf.grid(db, event, slots=slots, tables=tables)
    people = [mf.participant(db, event) for _ in range(participants)]
    pairs = {tuple(sorted(rng.sample(range(participants), 2))) for _ in range(requests * 3)}
    for a, b in sorted(pairs)[:requests]:
        mf.request(db, event, people[a], people[b], state="accepted", priority=rng.randint(1, 3))
    return event


def organiser(db: Session) -> Account:
    """A city-wide organiser, who may run every event's scheduler."""
    return factories.account(db, role="organiser")
