"""API shapes of deals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from duijie.core.validation import (
    NOT_NULL,
    Amount,
    Day,
    Id,
    Line40,
    Line80,
    Line200,
    Line300,
    Note500,
    Para,
    Title,
)
from duijie.deals.enums import DealStage, DealStatus, PartyRole, SourceKind
from duijie.marketplace.enums import ProjectCategory


class DealFilters(BaseModel):
    """The filters of the deal list, the board, the export and the API: event id, stage, place, words."""

    event: str | None = None
    stage: str | None = None
    status: str | None = None
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
    status: DealStatus
    industry: str | None
    district: str | None
    planned_amount: Decimal | None
    signed_amount: Decimal | None
    amount_estimated: bool
    signed_on: dt.date | None
    invested_amount: Decimal | None
    contract_on: dt.date | None
    landed_on: dt.date | None
    landed_site: str | None
    verified_on: dt.date | None
    opened_on: dt.date
    on_stage: bool
    # Whether the organiser announced this signing: only announced deals are shown to the public.
    announced: bool = False
    status_reason: str | None
    lost_to: str | None
    source_kind: SourceKind | None
    source_id: int | None
    source_label: str | None
    category: str | None
    parties: list[DealPartyRead]
    provenance: str


class DealPartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: Id
    role: PartyRole


class DealFields(BaseModel):
    """Fields shared by creating and editing a deal; amounts accept 1.5亿 / 15000万 / 150000000.

    A field the database requires (the Chinese title, the two flags) has no `None` in its type: leaving it out
    of an edit keeps it, sending `null` is a 422 naming it."""

    model_config = ConfigDict(extra="forbid")

    title_zh: Annotated[Title | None, NOT_NULL] = None
    title_en: Line200 | None = None
    description_zh: Para | None = None
    category: ProjectCategory | None = None
    industry: Line40 | None = None
    district: Line40 | None = None
    planned_amount: Amount = None
    invested_amount: Amount = None
    amount_estimated: Annotated[bool | None, NOT_NULL] = None
    on_stage: Annotated[bool | None, NOT_NULL] = None
    opportunity_id: Id | None = None
    event_id: Id | None = None
    # What sourced the deal: a kind, and the session or meeting it names (by number) or words citing it.
    source_kind: SourceKind | None = None
    source_id: Id | None = None
    source_label: Line200 | None = None


class DealCreate(DealFields):
    title_zh: Title
    external_id: Line80 | None = None
    stage: DealStage = DealStage.LEAD
    status: DealStatus = DealStatus.ONGOING
    status_reason: Line300 | None = None
    lost_to: Line80 | None = None
    # The day the deal was opened, for a deal recorded after the fact (today when not given).
    opened_on: Day | None = None
    signed_amount: Amount = None
    signed_on: Day | None = None
    contract_on: Day | None = None
    landed_on: Day | None = None
    landed_site: Line200 | None = None
    parties: list[DealPartyIn] = Field(default=[], max_length=100)


class DealUpdate(DealFields):
    """An edit of a deal's facts; the stage and the signed amount change only through a stage move."""


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    due_on: Day | None = None
    owner_id: Id | None = None


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
    note: Note500 | None = None
    signed_amount: Amount = None
    signed_on: Day | None = None
    contract_on: Day | None = None
    invested_amount: Amount = None
    landed_on: Day | None = None
    landed_site: Line200 | None = None


class StatusChange(BaseModel):
    """How the deal is going: a status, why (needed unless ongoing), where a lost project went, a note."""

    model_config = ConfigDict(extra="forbid")

    to: DealStatus
    reason: Line300 | None = None
    lost_to: Line80 | None = None
    note: Note500 | None = None


class EvidenceWrite(BaseModel):
    """A document of evidence sent as JSON, as every API write is: what it is, its file name (its ending decides
    its type: .pdf, .png, .jpg, .docx, .xlsx) and its bytes in base64 (at most 10 MB once decoded)."""

    model_config = ConfigDict(extra="forbid")

    title: Line200
    filename: str = Field(min_length=1, max_length=200, examples=["business-licence.pdf"])
    content_base64: str = Field(min_length=1, max_length=14 * 1024 * 1024)


class EvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class BlockingRead(BaseModel):
    field: str | None
    message: str


class NextStageRead(BaseModel):
    """The next stage of a deal and exactly what blocks it (the exit rules not yet met)."""

    deal_id: int
    stage: DealStage
    stage_label: str
    status: DealStatus
    status_label: str
    next: DealStage | None
    next_label: str | None
    blocking: list[BlockingRead]
    ready: bool
    verifier_needed: bool
    landed_by: int | None = None
    may_verify: bool | None = None
