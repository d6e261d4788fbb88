"""The figures an office publishes, computed as sums of the records (never stored totals).

Released projects are the investment projects an event published (any state after draft, not withdrawn);
signed projects are the event's deals at the signed or landed stage, summed by signed amount.

Every figure is computed for a scope: one event, or the events held in a period (or everything), narrowed
to a district and/or an industry. A scope costs three grouped queries whatever its size; the breakdowns,
the funnel and the headline figures are all sums of the same grouped rows, so they always add up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.db import money_sum
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.i18n import yi_str
from duijie.deals.cycle import SPANS, DealDates, cycle_times
from duijie.deals.enums import CLOSED_STATUSES, PIPELINE, SIGNED_STAGES, counts_as_signed
from duijie.deals.models import Deal, DealParty, signed_clause
from duijie.directory.models import Organisation
from duijie.events.models import Event, PublishedFigure
from duijie.events.permissions import visible_clause
from duijie.events.service import find_event, find_visible_event
from duijie.marketplace.enums import RELEASED_STATES
from duijie.marketplace.models import Opportunity

NO_KEY = "—"


@dataclass
class Figure:
    count: int
    amount: Decimal

    @property
    def amount_yi(self) -> str:
        return yi_str(self.amount)

    def as_dict(self) -> dict[str, object]:
        return {"count": self.count, "amount_yi": self.amount_yi}

    def add(self, count: int, amount: Decimal | None) -> None:
        self.count += int(count or 0)
        self.amount += Decimal(amount or 0)


def _zero() -> Figure:
    return Figure(0, Decimal(0))


@dataclass
class FunnelStep:
    """One step of the conversion funnel and its share of the step before it and of the first step."""

    key: str
    figure: Figure
    rate_previous: Decimal | None
    rate_first: Decimal | None

    def as_dict(self) -> dict[str, object]:
        def pct(v: Decimal | None) -> str | None:
            return None if v is None else format(v, "f")

        return {
            "key": self.key,
            **self.figure.as_dict(),
            "rate_previous_pct": pct(self.rate_previous),
            "rate_first_pct": pct(self.rate_first),
        }


@dataclass
class EventStats:
    event_slug: str
    released: Figure
    negotiating: Figure
    signed: Figure
    landed: Figure
    by_category: dict[str, Figure] = field(default_factory=dict)
    by_industry: dict[str, Figure] = field(default_factory=dict)
    by_district: dict[str, Figure] = field(default_factory=dict)
    # Signed (and landed) deals broken down the same ways, and by the investing party's country.
    signed_by_category: dict[str, Figure] = field(default_factory=dict)
    signed_by_industry: dict[str, Figure] = field(default_factory=dict)
    signed_by_district: dict[str, Figure] = field(default_factory=dict)
    signed_by_country: dict[str, Figure] = field(default_factory=dict)
    # Deals by current stage (amount: signed amount once signed, planned amount before).
    pipeline: dict[str, Figure] = field(default_factory=dict)
    funnel: list[FunnelStep] = field(default_factory=list)

    def headline(self) -> dict[str, object]:
        return {"released": self.released.as_dict(), "signed": self.signed.as_dict()}


@dataclass(frozen=True)
class Period:
    """A span of dates written as 2024, 2024-05, or 2024-01-01..2024-06-30."""

    start: dt.date
    end: dt.date
    label: str

    def previous(self) -> Period:
        """The span of the same length just before this one (2023 for 2024)."""
        if re.fullmatch(r"\d{4}", self.label):
            return parse_period(str(int(self.label) - 1))
        length = self.end - self.start
        end = self.start - dt.timedelta(days=1)
        start = end - length
        return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")


_YEAR = re.compile(r"(\d{4})\s*年?")
_MONTH = re.compile(r"(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*月?")
_RANGE = re.compile(r"\s*(?:\.\.|~|～|至|到)\s*")


def _day(text: str) -> dt.date:
    """2024-01-05, 2024/1/5 or 2024年1月5日."""
    found = re.fullmatch(r"(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*日?", text.strip())
    if found is None:
        raise ValueError(text)
    return dt.date(*map(int, found.groups()))


def parse_period(text: str) -> Period:
    """The period named by `text` as people write it (2024, 2024年, 2024-05, 2024年5月, 2024/5, a range of days
    with `..`, `~` or `至`), or a DomainError on the `period` field saying how to write one."""
    text = text.strip().translate(str.maketrans("０１２３４５６７８９－／．", "0123456789-/."))
    try:
        if found := _YEAR.fullmatch(text):
            year = int(found.group(1))
            return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), text)
        if found := _MONTH.fullmatch(text):
            year, month = int(found.group(1)), int(found.group(2))
            nxt = dt.date(year + month // 12, month % 12 + 1, 1)
            return Period(dt.date(year, month, 1), nxt - dt.timedelta(days=1), text)
        parts = _RANGE.split(text)
        if len(parts) == 2:
            start, end = _day(parts[0]), _day(parts[1])
            if end >= start:
                return Period(start, end, text)
    except ValueError:
        pass
    raise DomainError(
        _(
            "“%(text)s” is not a period: write a year (2024), a month (2024-05 or 2024年5月) or two days "
            "(2024-01-01..2024-06-30)."
        )
        % {"text": text},
        field="period",
    )


@dataclass
class StatsScope:
    """Which records a statistic covers: an event or the events of a period, a district, an industry."""

    event: Event | None = None
    period: Period | None = None
    district: str | None = None
    industry: str | None = None
    event_ids: list[int] | None = None

    @property
    def slug(self) -> str:
        if self.event is not None:
            return self.event.slug
        return self.period.label if self.period else "all"

    def as_dict(self) -> dict[str, Any]:
        return {
            "event": self.event.slug if self.event else None,
            "period": self.period.label if self.period else None,
            "district": self.district,
            "industry": self.industry,
        }


def make_scope(
    db: Session,
    *,
    event: str | None = None,
    period: str | None = None,
    district: str | None = None,
    industry: str | None = None,
    actor: Actor | None = None,
) -> StatsScope:
    """The scope named by the filters of the dashboard, the API and the command line; for a reader (`actor`), a
    draft event they do not organise is the same 404 as an unknown one (the command line sees every event)."""
    scope = StatsScope(
        event=find_event(db, slug=event)
        if actor is None
        else find_visible_event(db, slug=event, actor=actor),
        period=parse_period(period) if period else None,
        district=district or None,
        industry=industry or None,
    )
    if scope.event is None and scope.period is not None:
        scope.event_ids = events_in(db, scope.period, actor=actor)
    return scope


def events_in(db: Session, period: Period, *, actor: Actor | None = None) -> list[int]:
    """The events starting in the period; for a reader (`actor`), only those they may see, so a draft's
    records never enter a published figure (the command line, `actor` None, counts every event)."""
    stmt = select(Event.id).where(Event.starts_on >= period.start, Event.starts_on <= period.end)
    if actor is not None:
        stmt = stmt.where(visible_clause(actor))
    return list(db.scalars(stmt))


def _event_filter(column: Any, scope: StatsScope) -> list[ColumnElement[bool]]:
    if scope.event is not None:
        return [column == scope.event.id]
    if scope.event_ids is not None:
        return [column.in_(scope.event_ids or [-1])]
    return []


def released_where(scope: StatsScope) -> list[ColumnElement[bool]]:
    """The conditions that make a project count as released in the scope."""
    where = [Opportunity.kind == "investment_project", Opportunity.status.in_(RELEASED_STATES)]
    where += _event_filter(Opportunity.event_id, scope)
    if scope.district:
        where.append(Opportunity.district == scope.district)
    if scope.industry:
        where.append(Opportunity.industry == scope.industry)
    return where


def deal_where(scope: StatsScope) -> list[ColumnElement[bool]]:
    """The conditions that put a deal in the scope."""
    where = _event_filter(Deal.event_id, scope)
    if scope.district:
        where.append(Deal.district == scope.district)
    if scope.industry:
        where.append(Deal.industry == scope.industry)
    return where


def _sorted(target: dict[str, Figure]) -> dict[str, Figure]:
    return dict(sorted(target.items(), key=lambda kv: (-kv[1].amount, kv[0])))


# Each step counts the live deals (not lost or abandoned) that reached the stage or went further.
FUNNEL_STAGES: tuple[tuple[str, frozenset[str]], ...] = (
    ("in_pipeline", frozenset(PIPELINE)),
    ("contacted", frozenset(PIPELINE[PIPELINE.index("contacted") :])),
    ("negotiating", frozenset(PIPELINE[PIPELINE.index("negotiating") :])),
    ("intention", frozenset(PIPELINE[PIPELINE.index("intention") :])),
    ("signed", SIGNED_STAGES),
    ("contract", frozenset(PIPELINE[PIPELINE.index("contract") :])),
    ("landed", frozenset({"landed", "verified"})),
    ("verified", frozenset({"verified"})),
)


def _rate(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def compute_stats(db: Session, scope: StatsScope) -> EventStats:
    """Every figure of the scope from three grouped queries (projects, deals, the investors' countries)."""
    released, negotiating = _zero(), _zero()
    by: dict[str, dict[str, Figure]] = {"category": {}, "industry": {}, "district": {}}
    rows = db.execute(
        select(
            Opportunity.category,
            Opportunity.industry,
            Opportunity.district,
            Opportunity.status,
            func.count(),
            money_sum(Opportunity.amount),
        )
        .where(*released_where(scope))
        .group_by(Opportunity.category, Opportunity.industry, Opportunity.district, Opportunity.status)
    ).all()
    for category, industry, district, status, count, amount in rows:
        released.add(count, amount)
        if status == "negotiating":
            negotiating.add(count, amount)
        for name, key in (("category", category), ("industry", industry), ("district", district)):
            by[name].setdefault(key or NO_KEY, _zero()).add(count, amount)

    signed, landed = _zero(), _zero()
    signed_by: dict[str, dict[str, Figure]] = {"category": {}, "industry": {}, "district": {}}
    pipeline: dict[str, Figure] = {}
    value = func.coalesce(Deal.signed_amount, Deal.planned_amount, type_=Deal.signed_amount.type)
    deal_rows = db.execute(
        select(
            Deal.stage,
            Deal.status,
            Deal.category,
            Deal.industry,
            Deal.district,
            func.count(),
            money_sum(Deal.signed_amount),
            money_sum(value),
        )
        .where(*deal_where(scope))
        .group_by(Deal.stage, Deal.status, Deal.category, Deal.industry, Deal.district)
    ).all()
    for stage, status, category, industry, district, count, signed_sum, value_sum in deal_rows:
        # The pipeline by stage holds the live deals; the lost and abandoned ones are counted under their status.
        pipeline.setdefault(status if status in CLOSED_STATUSES else stage, _zero()).add(count, value_sum)
        if counts_as_signed(stage, status):
            signed.add(count, signed_sum)
            for name, key in (("category", category), ("industry", industry), ("district", district)):
                signed_by[name].setdefault(key or NO_KEY, _zero()).add(count, signed_sum)
            if stage in LANDED_STAGES:
                landed.add(count, signed_sum)

    stats = EventStats(
        scope.slug,
        released,
        negotiating,
        signed,
        landed,
        by_category=_sorted(by["category"]),
        by_industry=_sorted(by["industry"]),
        by_district=_sorted(by["district"]),
        signed_by_category=_sorted(signed_by["category"]),
        signed_by_industry=_sorted(signed_by["industry"]),
        signed_by_district=_sorted(signed_by["district"]),
        signed_by_country=_sorted(_signed_by_country(db, scope)),
        pipeline={k: pipeline[k] for k in sorted(pipeline, key=_stage_order)},
    )
    stats.funnel = _funnel(released, pipeline)
    return stats


LANDED_STAGES = frozenset({"landed", "verified"})


def _stage_order(stage: str) -> int:
    order = [*PIPELINE, "lost", "abandoned"]
    return order.index(stage) if stage in order else len(order)


def _funnel(released: Figure, pipeline: dict[str, Figure]) -> list[FunnelStep]:
    steps = [("released", released)]
    for key, stages in FUNNEL_STAGES:
        fig = _zero()
        for stage in stages:
            if stage in pipeline:
                fig.add(pipeline[stage].count, pipeline[stage].amount)
        steps.append((key, fig))
    first = steps[0][1].count
    result = []
    for k, (key, fig) in enumerate(steps):
        prev = steps[k - 1][1].count if k else None
        result.append(
            FunnelStep(
                key=key,
                figure=fig,
                rate_previous=_rate(fig.count, prev) if prev is not None else None,
                rate_first=_rate(fig.count, first) if k else None,
            )
        )
    return result


def _signed_by_country(db: Session, scope: StatsScope) -> dict[str, Figure]:
    """Signed deals by the country of the investing party (the first investor, else the first enterprise).

    Two equivalent forms, chosen for speed: SQLite runs one correlated lookup per signed deal fastest;
    PostgreSQL plans those badly over many deals, so there one join is reduced in Python instead.
    """
    if db.get_bind().dialect.name == "sqlite":
        return signed_by_country_lookup(db, scope)
    return signed_by_country_join(db, scope)


def _party_country(role: str) -> Any:
    return (
        select(Organisation.country)
        .join(DealParty, DealParty.organisation_id == Organisation.id)
        .where(DealParty.deal_id == Deal.id, DealParty.role == role)
        .order_by(DealParty.id)
        .limit(1)
        .scalar_subquery()
    )


def signed_by_country_lookup(db: Session, scope: StatsScope) -> dict[str, Figure]:
    """`_signed_by_country` with a correlated lookup of the investing party per deal."""
    country = func.coalesce(_party_country("investor"), _party_country("enterprise"), NO_KEY)
    result: dict[str, Figure] = defaultdict(_zero)
    for key, count, amount in db.execute(
        select(country, func.count(), money_sum(Deal.signed_amount))
        .where(*deal_where(scope), signed_clause())
        .group_by(country)
    ).all():
        result[key or NO_KEY].add(count, amount)
    return dict(result)


def signed_by_country_join(db: Session, scope: StatsScope) -> dict[str, Figure]:
    """`_signed_by_country` from one join of the signed deals with their investor and enterprise parties."""
    rows = db.execute(
        select(Deal.id, Deal.signed_amount, DealParty.id, DealParty.role, Organisation.country)
        .outerjoin(DealParty, (DealParty.deal_id == Deal.id) & DealParty.role.in_(("investor", "enterprise")))
        .outerjoin(Organisation, Organisation.id == DealParty.organisation_id)
        .where(*deal_where(scope), signed_clause())
    ).all()
    best: dict[int, tuple[tuple[int, int], str | None, Decimal | None]] = {}
    for deal_id, amount, party_id, role, country in rows:
        rank = (0 if role == "investor" else 1 if role == "enterprise" else 2, party_id or 0)
        current = best.get(deal_id)
        if current is None or rank < current[0]:
            best[deal_id] = (rank, country if role else None, amount)
    result: dict[str, Figure] = defaultdict(_zero)
    for _rank, country_key, amount in best.values():
        result[country_key or NO_KEY].add(1, amount)
    return dict(result)


def event_stats(db: Session, event: Event) -> EventStats:
    """All figures of one event."""
    return compute_stats(db, StatsScope(event=event))


@dataclass
class ComparisonRow:
    """The headline figures of one edition (an event, or a year) and their change from the row before."""

    key: str
    label_zh: str
    label_en: str
    released: Figure
    signed: Figure
    released_change_pct: Decimal | None = None
    signed_change_pct: Decimal | None = None

    def as_dict(self) -> dict[str, object]:
        def pct(v: Decimal | None) -> str | None:
            return None if v is None else format(v, "f")

        return {
            "key": self.key,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "released": self.released.as_dict(),
            "signed": self.signed.as_dict(),
            "released_amount_change_pct": pct(self.released_change_pct),
            "signed_amount_change_pct": pct(self.signed_change_pct),
        }


def _change(new: Decimal, old: Decimal) -> Decimal | None:
    if old == 0:
        return None
    return ((new - old) * 100 / old).quantize(Decimal("0.1"))


def comparison(db: Session, scope: StatsScope) -> list[ComparisonRow]:
    """Period over period: the editions of the scope's event kind side by side (2023 vs 2024 summits), or
    the years when the scope is a period or everything; district and industry filters apply to each."""
    kind = scope.event.kind if scope.event is not None else None
    events = list(
        db.scalars(
            select(Event).where(*([Event.kind == kind] if kind else [])).order_by(Event.starts_on, Event.id)
        )
    )
    key_of: dict[int, str] = {}
    labels: dict[str, tuple[str, str]] = {}
    for ev in events:
        if kind:
            key_of[ev.id] = ev.slug
            labels[ev.slug] = (ev.name_zh, ev.name_en or ev.name_zh)
        else:
            year = str(ev.starts_on.year)
            key_of[ev.id] = year
            labels[year] = (f"{year}年", year)
    unscoped = StatsScope(district=scope.district, industry=scope.industry)
    released: dict[str, Figure] = defaultdict(_zero)
    signed: dict[str, Figure] = defaultdict(_zero)
    for event_id, count, amount in db.execute(
        select(Opportunity.event_id, func.count(), money_sum(Opportunity.amount))
        .where(*released_where(unscoped), Opportunity.event_id.in_(list(key_of) or [-1]))
        .group_by(Opportunity.event_id)
    ).all():
        if event_id is not None:
            released[key_of[event_id]].add(count, amount)
    for event_id, count, amount in db.execute(
        select(Deal.event_id, func.count(), money_sum(Deal.signed_amount))
        .where(*deal_where(unscoped), Deal.event_id.in_(list(key_of) or [-1]), signed_clause())
        .group_by(Deal.event_id)
    ).all():
        if event_id is not None:
            signed[key_of[event_id]].add(count, amount)
    rows: list[ComparisonRow] = []
    for key, (zh, en) in labels.items():
        if key not in released and key not in signed:
            continue
        row = ComparisonRow(key, zh, en, released[key], signed[key])
        if rows:
            row.released_change_pct = _change(row.released.amount, rows[-1].released.amount)
            row.signed_change_pct = _change(row.signed.amount, rows[-1].signed.amount)
        rows.append(row)
    return rows


def district_measures(db: Session, scope: StatsScope) -> dict[str, dict[str, Figure]]:
    """Per district: released projects (count, amount) and signed deals (count, amount), for the map."""
    result: dict[str, dict[str, Figure]] = defaultdict(lambda: {"projects": _zero(), "deals": _zero()})
    for district, count, amount in db.execute(
        select(Opportunity.district, func.count(), money_sum(Opportunity.amount))
        .where(*released_where(scope))
        .group_by(Opportunity.district)
    ).all():
        result[district or NO_KEY]["projects"].add(count, amount)
    for district, count, amount in db.execute(
        select(Deal.district, func.count(), money_sum(Deal.signed_amount))
        .where(*deal_where(scope), signed_clause())
        .group_by(Deal.district)
    ).all():
        result[district or NO_KEY]["deals"].add(count, amount)
    return dict(result)


def published_figures(db: Session, event: Event) -> dict[str, PublishedFigure]:
    return {f.key: f for f in db.scalars(select(PublishedFigure).where(PublishedFigure.event_id == event.id))}


def cycle_dates(db: Session, scope: StatsScope) -> list[DealDates]:
    """The dates of the signed deals of the scope (as the signed figures count them), for cycle times."""
    rows = db.execute(
        select(
            Deal.id,
            Deal.event_id,
            Deal.district,
            Deal.industry,
            Deal.signed_on,
            Deal.contract_on,
            Deal.landed_on,
        )
        .where(*deal_where(scope), signed_clause(), Deal.signed_on.is_not(None))
        .order_by(Deal.id)
    ).all()
    return [DealDates(*row) for row in rows]


def cycle_report(db: Session, scope: StatsScope) -> dict[str, Any]:
    """Cycle times (forum signing → contract → landing) for the scope, in all and by district, industry and
    edition (the summit), JSON-ready: each group's spans with count, median and mean days."""
    dates = cycle_dates(db, scope)
    events = {
        e.id: e
        for e in db.scalars(select(Event).where(Event.id.in_({d.event_id for d in dates if d.event_id})))
    }

    def table(by: str | None) -> list[dict[str, Any]]:
        groups = cycle_times(dates, by=by)
        out = []
        for key, spans in groups.items():
            row: dict[str, Any] = {
                "key": key if by != "event_id" else (events[key].slug if key in events else None)
            }
            if by == "event_id" and key in events:
                row["label_zh"], row["label_en"] = (
                    events[key].name_zh,
                    events[key].name_en or events[key].name_zh,
                )
            row.update({k: f.as_dict() for k, f in spans.items()})
            out.append(row)
        return sorted(out, key=lambda r: (-(r["signed_landed"]["count"]), str(r["key"])))

    return {
        "all": table(None)[0] if dates else None,
        "by_district": table("district"),
        "by_industry": table("industry"),
        "by_event": table("event_id"),
        # Each span's label is a message id: pages translate it, JSON readers get it in English.
        "spans": [{"key": k, "label": str(label)} for k, _a, _b, label in SPANS],
    }
