"""API shapes of deals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from duijie.core.i18n import parse_amount
from duijie.deals.enums import DealStage, PartyRole
from duijie.marketplace.enums import ProjectCategory


class DealFilters(BaseModel):
    """The filters of the deal list, the board, the export and the API: event id, stage, place, words."""

    event: str | None = None
    stage: str | None = None
    district: str | None = None
    industry: str | None = None
    category: str | None = None
    q: str | None = None


class DealPartyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    organisation_id: int
    role: str


class DealRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str | None
    event_id: int | None
    opportunity_id: int | None
    title_zh: str
    title_en: str | None
    stage: DealStage
    industry: str | None
    district: str | None
    planned_amount: Decimal | None
    signed_amount: Decimal | None
    amount_estimated: bool
    signed_on: dt.date | None
    invested_amount: Decimal | None
    landed_on: dt.date | None
    on_stage: bool
    lost_reason: str | None
    category: str | None
    parties: list[DealPartyRead]
    provenance: str


def _amount(value: object) -> Decimal | None:
    """An amount as offices write it (1.5亿, 15000万, 150000000) in yuan, or None when left empty."""
    if value is None or value == "":
        return None
    return parse_amount(value if isinstance(value, str | int | float | Decimal) else str(value))


Amount = Annotated[Decimal | None, BeforeValidator(_amount)]


class DealPartyIn(BaseModel):
    organisation_id: int
    role: PartyRole


class DealFields(BaseModel):
    """Fields shared by creating and editing a deal; amounts accept 1.5亿 / 15000万 / 150000000."""

    model_config = ConfigDict(extra="forbid")

    title_zh: str | None = Field(default=None, min_length=2, max_length=200)
    title_en: str | None = Field(default=None, max_length=200)
    description_zh: str | None = None
    category: ProjectCategory | None = None
    industry: str | None = Field(default=None, max_length=40)
    district: str | None = Field(default=None, max_length=40)
    planned_amount: Amount = None
    invested_amount: Amount = None
    amount_estimated: bool | None = None
    on_stage: bool | None = None
    opportunity_id: int | None = None
    event_id: int | None = None


class DealCreate(DealFields):
    title_zh: str = Field(min_length=2, max_length=200)
    external_id: str | None = Field(default=None, max_length=80)
    stage: DealStage = DealStage.LEAD
    signed_amount: Amount = None
    signed_on: dt.date | None = None
    landed_on: dt.date | None = None
    lost_reason: str | None = Field(default=None, max_length=300)
    parties: list[DealPartyIn] = []


class DealUpdate(DealFields):
    """An edit of a deal's facts; the stage and the signed amount change only through a stage move."""


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=2, max_length=200)
    due_on: dt.date | None = None
    owner_id: int | None = None


class DealTaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    due_on: dt.date | None
    owner_id: int | None
    done_at: dt.datetime | None


class StageMove(BaseModel):
    """A request to move a deal to another stage, with what that stage needs (amount, date, reason)."""

    model_config = ConfigDict(extra="forbid")

    to: DealStage
    note: str | None = Field(default=None, max_length=500)
    lost_reason: str | None = Field(default=None, max_length=300)
    signed_amount: Amount = None
    signed_on: dt.date | None = None
    invested_amount: Amount = None
    landed_on: dt.date | None = None
