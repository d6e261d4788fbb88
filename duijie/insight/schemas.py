"""API shapes of the statistics: the event figures of `StatsRead`, plus filters, funnel and comparison."""

from __future__ import annotations

from pydantic import BaseModel

from duijie.events.schemas import FigureRead, StatsRead


class ScopeRead(BaseModel):
    event: str | None
    period: str | None
    district: str | None
    industry: str | None


class FunnelStepRead(BaseModel):
    key: str
    count: int
    amount_yi: str
    rate_previous_pct: str | None
    rate_first_pct: str | None


class ComparisonRowRead(BaseModel):
    key: str
    label_zh: str
    label_en: str
    released: FigureRead
    signed: FigureRead
    released_amount_change_pct: str | None
    signed_amount_change_pct: str | None


class StatsReportRead(StatsRead):
    """Everything the dashboard shows, each figure a sum of the records in the scope."""

    scope: ScopeRead
    signed_by_category: dict[str, FigureRead]
    signed_by_industry: dict[str, FigureRead]
    signed_by_district: dict[str, FigureRead]
    signed_by_country: dict[str, FigureRead]
    pipeline: dict[str, FigureRead]
    funnel: list[FunnelStepRead]
    comparison: list[ComparisonRowRead]
