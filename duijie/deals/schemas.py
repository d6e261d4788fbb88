"""API shapes of deals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from duijie.deals.enums import DealStage


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
    parties: list[DealPartyRead]
    provenance: str
