"""API shapes of opportunities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from duijie.core.i18n import parse_amount
from duijie.marketplace.enums import OpportunityKind, OpportunityStatus, ProjectCategory


class OpportunityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str | None
    event_id: int | None
    kind: OpportunityKind
    title_zh: str
    title_en: str | None
    summary_zh: str | None
    summary_en: str | None
    category: ProjectCategory | None
    industry: str | None
    district: str | None
    amount: Decimal | None = Field(description="yuan, exact")
    stage: str | None
    trl: int | None
    ip_status: str | None
    owner_org_id: int | None
    status: OpportunityStatus
    provenance: str
    published_at: dt.datetime | None


class OpportunityUpdate(BaseModel):
    """Fields an editor may change; `amount` accepts 1.5亿 / 15000万 / 150000000."""

    model_config = ConfigDict(extra="forbid")

    title_zh: str | None = Field(default=None, min_length=2, max_length=200)
    title_en: str | None = Field(default=None, max_length=200)
    summary_zh: str | None = None
    summary_en: str | None = None
    category: ProjectCategory | None = None
    industry: str | None = Field(default=None, max_length=40)
    district: str | None = Field(default=None, max_length=40)
    amount: Decimal | None = None
    stage: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: object) -> Decimal | None:
        if value is None or value == "":
            return None
        return parse_amount(value if isinstance(value, str | int | float | Decimal) else str(value))


class OpportunityFilters(BaseModel):
    kind: str | None = None
    category: str | None = None
    industry: str | None = None
    district: str | None = None
    status: str | None = None
    event: str | None = None
    q: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    sort: str = "-amount"
