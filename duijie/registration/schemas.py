"""API shapes of registration: categories, registrations, the counts per category, decisions.

Bodies take what a form takes (numbers as numbers or text, times as ISO 8601) and leave the checks to
`registration.service`, so the API refuses in the same words as the pages, naming each field."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from duijie.registration.models import Registration, RegistrationCategory
from duijie.registration.waiting import State


class CategoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name_zh: str
    name_en: str | None
    capacity: int | None = Field(description="Places; null: no limit.")
    requires_approval: bool
    is_public: bool
    claim_hours: int = Field(description="How long a freed place stays offered to the person it is offered to.")
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    position: int

    @classmethod
    def of(cls, category: RegistrationCategory) -> CategoryRead:
        return cls.model_validate(category)


class CategoryWrite(BaseModel):
    """A category's fields (all required fields on creation: code and name_zh); on an update only those given."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(None, examples=["guest"])
    name_zh: str | None = None
    name_en: str | None = None
    capacity: int | str | None = None
    requires_approval: bool | None = None
    is_public: bool | None = None
    claim_hours: int | str | None = None
    opens_at: dt.datetime | str | None = Field(None, description="ISO 8601; without an offset, the event's zone.")
    closes_at: dt.datetime | str | None = None
    position: int | None = None


class CategoryCount(BaseModel):
    category: CategoryRead
    counts: dict[str, int] = Field(description="Registrations per state.")
    free: int | None = Field(description="capacity − (confirmed + offered); null: no limit.")


class RegistrationCreate(BaseModel):
    """A person's registration: `consent` must be true."""

    model_config = ConfigDict(extra="forbid")

    category: str = Field(description="The category's code.", examples=["guest"])
    name: str | None = None
    name_en: str | None = None
    email: str | None = None
    phone: str | None = None
    organisation: str | None = None
    job_title: str | None = None
    country: str | None = None
    locale: Literal["zh_CN", "en"] | None = Field(None, description="The language of the mails.")
    consent: bool = False


class RegistrationRead(BaseModel):
    id: int
    category: str
    state: State
    name: str
    name_en: str | None
    email: str
    organisation: str | None
    locale: str | None
    position: int | None = Field(None, description="The place on the waiting list, 1 for the next offered.")
    offered_until: dt.datetime | None
    consent_at: dt.datetime | None
    decline_reason: str | None
    created_at: dt.datetime

    @classmethod
    def of(cls, registration: Registration, *, position: int | None = None) -> RegistrationRead:
        values: dict[str, Any] = {name: getattr(registration, name) for name in cls.model_fields if name not in ("category", "position")}
        values["category"] = registration.category.code
        values["position"] = position
        return cls.model_validate(values)


class RegistrationCreated(RegistrationRead):
    manage_url: str = Field(description="The person's own page: state, cancel, claim an offer.")


class Decline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str


class Consent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    zh: str
    en: str


class PlaceChange(BaseModel):
    """Take a place in a session, cancel it, or claim the place offered."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["take", "cancel", "claim"]


class PlaceRead(BaseModel):
    session_id: int
    state: State
    offered_until: dt.datetime | None
