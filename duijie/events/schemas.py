"""API shapes of events and their figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from duijie.events.enums import EventKind


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    kind: EventKind
    parent_id: int | None
    name_zh: str
    name_en: str | None
    theme_zh: str | None
    starts_on: dt.date
    ends_on: dt.date
    city: str
    provenance: str


class FigureRead(BaseModel):
    count: int
    amount_yi: str


class StatsRead(BaseModel):
    """Computed from the records; `published` repeats what the organiser published, for comparison."""

    event: str
    released: FigureRead
    negotiating: FigureRead
    signed: FigureRead
    landed: FigureRead
    by_category: dict[str, FigureRead]
    by_industry: dict[str, FigureRead]
    by_district: dict[str, FigureRead]
    published: dict[str, Decimal]
