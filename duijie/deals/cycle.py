"""Cycle times: how long deals take from the forum's signing to the contract and to the landing.

The dates are the deal's own (`signed_on`, `contract_on`, `landed_on`); the same dates are replayed from the
deal's stage log (its history rows, in order), and the two must agree: `logged_dates` is how a test and the
export prove that the live figures are the log's. Figures are medians in days (robust to the one deal that
took three years), with the mean and the count beside them.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from duijie.core.i18n import mark as _l
from duijie.deals.enums import DEAL_DATES

# The spans reported: (key, from, to, label).
SPANS: tuple[tuple[str, str, str, str], ...] = (
    ("signed_contract", "signed_on", "contract_on", _l("Forum signing → contract")),
    ("contract_landed", "contract_on", "landed_on", _l("Contract → landing")),
    ("signed_landed", "signed_on", "landed_on", _l("Forum signing → landing")),
)


@dataclass(frozen=True)
class DealDates:
    """The dates of one deal that cycle times are made of, with what they are grouped by."""

    deal_id: int
    event_id: int | None
    district: str | None
    industry: str | None
    signed_on: dt.date | None
    contract_on: dt.date | None
    landed_on: dt.date | None

    def span(self, start: str, end: str) -> int | None:
        a, b = getattr(self, start), getattr(self, end)
        return (b - a).days if a is not None and b is not None else None


@dataclass
class SpanFigure:
    """One span over a group of deals: how many have both dates, the median and mean days."""

    days: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.days)

    @property
    def median(self) -> float | None:
        return float(statistics.median(self.days)) if self.days else None

    @property
    def mean(self) -> float | None:
        return round(statistics.fmean(self.days), 1) if self.days else None

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "median_days": self.median, "mean_days": self.mean}


def _parse_day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def logged_dates(deal: Any) -> DealDates:
    """The deal's dates as its history says: each row's `after` values replayed in order (a move back writes the
    cleared dates as empty, so the replay ends where the deal is)."""
    dates: dict[str, dt.date | None] = dict.fromkeys(DEAL_DATES)
    for row in deal.history:
        for key, value in (row.after or {}).items():
            if key in dates:
                dates[key] = _parse_day(value)
    return DealDates(deal.id, deal.event_id, deal.district, deal.industry, **dates)


def live_dates(deal: Any) -> DealDates:
    """The deal's dates as it holds them now."""
    return DealDates(
        deal.id, deal.event_id, deal.district, deal.industry, *(getattr(deal, f) for f in DEAL_DATES)
    )


def cycle_times(rows: Iterable[DealDates], *, by: str | None = None) -> dict[Any, dict[str, SpanFigure]]:
    """Span figures over the rows, for all of them (key None) or grouped by `by` (event_id, district,
    industry). A deal counts in a span only when it has both of the span's dates."""
    groups: dict[Any, dict[str, SpanFigure]] = {}
    for row in rows:
        key = getattr(row, by) if by else None
        spans = groups.setdefault(key, {k: SpanFigure() for k, *_ in SPANS})
        for span_key, start, end, _label in SPANS:
            days = row.span(start, end)
            if days is not None:
                spans[span_key].days.append(days)
    return groups
