"""API shapes of opportunities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from duijie.core.validation import NOT_NULL, Amount, Line24, Line40, Line80, Line200, Para, Title
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
    """Fields an editor may change; `amount` accepts 1.5亿 / 15000万 / 150000000. The Chinese title is required
    by the database: leaving it out keeps it, sending `null` is a 422 naming it."""

    model_config = ConfigDict(extra="forbid")

    title_zh: Annotated[Title | None, NOT_NULL] = None
    title_en: Line200 | None = None
    summary_zh: Para | None = None
    summary_en: Para | None = None
    category: ProjectCategory | None = None
    industry: Line40 | None = None
    district: Line40 | None = None
    amount: Amount = None
    stage: Line24 | None = None
    contact_name: Line80 | None = None
    contact_phone: Line40 | None = None
    contact_email: Line200 | None = None


class OpportunityFilters(BaseModel):
    kind: str | None = None
    category: str | None = None
    industry: str | None = None
    district: str | None = None
    status: str | None = None
    event: str | None = None
    q: str | None = None
    min_amount: Amount = None
    max_amount: Amount = None
    sort: str = "-amount"
