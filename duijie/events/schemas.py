"""API shapes of events and their figures.

The bodies of the set-up routes take text where a form does (dates as `YYYY-MM-DD`, the kind's code, the
forum's slug) and leave the checks to `events.editing` and `events.figures`, so the API refuses in the same
words as the pages, in the request's language, naming each field. Their JSON Schema still says what is
expected (formats, the kinds, which fields a creation needs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from duijie.events.enums import EventKind, EventState
from duijie.events.models import Event, PublishedFigure

DateText = Annotated[str | dt.date | None, WithJsonSchema({"type": "string", "format": "date", "example": "2025-04-25"})]
KindText = Annotated[str | None, WithJsonSchema({"type": "string", "enum": [k.value for k in EventKind]})]
SlugText = Annotated[
    str | None, WithJsonSchema({"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$"})
]
NumberText = Annotated[
    str | int | float | Decimal | None,
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "example": "1434.5"}]}),
]


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    kind: EventKind
    parent_id: int | None
    parent: str | None = Field(None, description="The slug of the forum the event is held in.")
    name_zh: str
    name_en: str | None
    theme_zh: str | None
    theme_en: str | None = None
    description_zh: str | None = None
    description_en: str | None = None
    starts_on: dt.date
    ends_on: dt.date
    city: str
    venue: str | None = None
    format: str | None = None
    timezone: str = "Asia/Shanghai"
    state: EventState = EventState.PUBLISHED
    provenance: str

    @classmethod
    def of(cls, event: Event) -> EventRead:
        """The event as the API shows it, with its forum's slug and its state."""
        values = {name: getattr(event, name) for name in cls.model_fields if name not in ("parent", "state")}
        values["parent"] = event.parent.slug if event.parent is not None else None
        values["state"] = EventState.PUBLISHED if event.is_published else EventState.DRAFT
        return cls.model_validate(values)




class EventUpdate(BaseModel):
    """The fields to change; the others keep their value. `parent: null` moves an event to the top level."""

    model_config = ConfigDict(extra="forbid")

    slug: SlugText = None
    kind: KindText = None
    parent: SlugText = Field(None, description="The slug of the forum the event is held in, or null.")
    name_zh: str | None = None
    name_en: str | None = None
    theme_zh: str | None = None
    theme_en: str | None = None
    starts_on: DateText = None
    ends_on: DateText = None
    city: str | None = Field(None, description="北京 when left out.")
    venue: str | None = None
    timezone: str | None = Field(None, description="An IANA time zone; Asia/Shanghai when left out.")
    format: str | None = None
    description_zh: str | None = None
    description_en: str | None = None


class EventCreate(EventUpdate):
    """A new event: a draft unless `publish` is true."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"required": ["slug", "kind", "name_zh", "name_en", "starts_on", "ends_on"]}
    )

    publish: bool = False


class PublishedFigureRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    label_zh: str
    label_en: str
    qualifier: str | None
    value: Decimal
    unit: str
    source: str | None

    @classmethod
    def of(cls, figure: PublishedFigure) -> PublishedFigureRead:
        return cls.model_validate(figure)


class PublishedFigureUpdate(BaseModel):
    """The fields of a published figure to change; `source` is a document's title or a web address."""

    model_config = ConfigDict(extra="forbid")

    key: str | None = Field(None, description="Lower-case letters, digits and underscores, such as signed_amount.")
    label_zh: str | None = None
    label_en: str | None = None
    qualifier: str | None = Field(None, description="As printed: 超, 约, 余 ...")
    value: NumberText = None
    unit: str | None = Field(None, description="个, 家, 亿元 ...")
    source: str | None = None


class PublishedFigureCreate(PublishedFigureUpdate):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"required": ["key", "label_zh", "label_en", "value", "unit"]}
    )


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
