"""Statistics pages: the dashboard (figures, funnel, breakdowns, comparison, charts), the industry map of
Beijing's districts, and the exports of filtered lists and of the statistics report."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duijie.core import i18n
from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import mark as _l
from duijie.core.web import get_actor, get_db, render
from duijie.deals import service as deal_service
from duijie.deals.permissions import sees_deal_internals
from duijie.deals.schemas import DealFilters
from duijie.directory.reference import DISTRICT_EN, ETDZ, INDUSTRY_EN
from duijie.events.models import Event
from duijie.events.service import visible_events
from duijie.insight import exports
from duijie.insight import figures as figures_check
from duijie.insight.cache import cached
from duijie.insight.countries import country_name
from duijie.insight.queries import (
    StatsScope,
    comparison,
    compute_stats,
    cycle_report,
    district_measures,
    make_scope,
    published_figures,
)
from duijie.marketplace import service as opportunity_service
from duijie.marketplace.permissions import can_export_contacts, can_read_contact_in_bulk
from duijie.marketplace.schemas import OpportunityFilters

router = APIRouter(include_in_schema=False)


MEASURES = ("projects", "amount", "deals")
# 北京经济技术开发区 has no polygon in the district boundary file: the map marks it at about this point.
ETDZ_CENTRE = (116.51, 39.79)


def _scope_from(request: Request, db: Session) -> tuple[StatsScope, dict[str, str | None]]:
    qp = request.query_params
    params = {k: qp.get(k) or None for k in ("event", "period", "district", "industry")}
    return make_scope(db, **params, actor=get_actor(request)), params


def _dashboard_scope(
    request: Request, db: Session
) -> tuple[StatsScope, dict[str, str | None], dict[str, str]]:
    """The dashboard's scope; a period it cannot read leaves the dashboard standing, unfiltered by period, with
    the message beside the field and the text kept, instead of an error page."""
    try:
        scope, params = _scope_from(request, db)
        return scope, params, {}
    except DomainError as exc:
        if exc.field != "period":
            raise
        params = {k: request.query_params.get(k) or None for k in ("event", "period", "district", "industry")}
        scope = make_scope(db, **{**params, "period": None}, actor=get_actor(request))
        return scope, params, {"period": exc.message}


def _events(db: Session, actor: Actor) -> list[Event]:
    """The summits the reader may see (drafts only for their organisers)."""
    return visible_events(db, actor, kind="summit")


# Units of the published figures as printed in Chinese, and how an English page writes them.
UNIT_EN = {"个": "", "亿元": "× 100 million yuan"}


def _checks(db: Session, scope: StatsScope, stats: Any) -> list[dict[str, Any]]:
    """The organiser's published figures next to the same figures summed from the records."""
    if scope.event is None or scope.district or scope.industry:
        return []
    figures = published_figures(db, scope.event)
    checks = []
    for key, computed in (
        ("released_count", stats.released.count),
        ("released_amount", stats.released.amount_yi),
        ("signed_count", stats.signed.count),
        ("signed_amount", stats.signed.amount_yi),
    ):
        fig = figures.get(key)
        if fig is not None:
            published = f"{fig.value.normalize():f}"
            unit = fig.unit if i18n.is_zh() else UNIT_EN.get(fig.unit, fig.unit)
            checks.append(
                {
                    "figure": fig,
                    "published": published,
                    "computed": str(computed),
                    "unit": unit,
                    "agrees": figures_check.agrees(fig.qualifier, fig.value, Decimal(str(computed))),
                    "qualifier": (fig.qualifier or "")
                    if i18n.is_zh()
                    else figures_check.english(fig.qualifier),
                }
            )
    return checks


def _yi(amount: Decimal) -> float:
    return float(i18n.to_yi(amount))


@router.get("/dashboard")
def dashboard(request: Request, db: Session = Depends(get_db)) -> Response:
    scope, params, errors = _dashboard_scope(request, db)
    key = tuple(sorted(scope.as_dict().items()))
    stats = cached(db, ("stats", key), lambda: compute_stats(db, scope))
    rows = cached(db, ("comparison", key), lambda: comparison(db, scope))
    cycles = cached(db, ("cycles", key), lambda: cycle_report(db, scope))
    zh = i18n.is_zh()

    def industry(k: str) -> str:
        return k if zh else INDUSTRY_EN.get(k, k)

    def district(k: str) -> str:
        return k if zh else DISTRICT_EN.get(k, k)

    industry_keys = _keys(stats.by_industry, stats.signed_by_industry)
    district_keys = _keys(stats.by_district, stats.signed_by_district)
    charts = {
        "funnel": [
            {"name": i18n.gettext(FUNNEL_LABELS[s.key]), "value": s.figure.count} for s in stats.funnel
        ],
        "category": [
            {"name": _category_label(k), "value": _yi(f.amount)} for k, f in stats.by_category.items()
        ],
        "industry": _paired(industry_keys, stats.by_industry, stats.signed_by_industry, industry),
        "district": _paired(district_keys, stats.by_district, stats.signed_by_district, district),
        "country": [
            {"name": country_name(k), "value": _yi(f.amount)} for k, f in stats.signed_by_country.items()
        ],
        "comparison": {
            "names": [r.label_zh if zh else r.label_en for r in rows],
            "released": [_yi(r.released.amount) for r in rows],
            "signed": [_yi(r.signed.amount) for r in rows],
        },
        "labels": {
            "released": i18n.gettext("Released"),
            "signed": i18n.gettext("Signed"),
            "unit": i18n.gettext("100 million yuan"),
        },
    }
    return render(
        request,
        "insight/dashboard.html",
        {
            "scope": scope,
            "params": params,
            "errors": errors,
            "stats": stats,
            "rows": rows,
            "checks": _checks(db, scope, stats),
            "cycles": cycles,
            "charts": charts,
            "events": _events(db, get_actor(request)),
            "industries": list(INDUSTRY_EN),
            "districts": list(DISTRICT_EN),
            "funnel_labels": FUNNEL_LABELS,
            "country_name": country_name,
            "industry_keys": industry_keys,
            "district_keys": district_keys,
        },
    )


def _keys(released: dict[str, Any], signed: dict[str, Any]) -> list[str]:
    """Released keys in their order, then keys that only signed deals have."""
    return list(released) + [k for k in signed if k not in released]


def _paired(keys: list[str], released: dict[str, Any], signed: dict[str, Any], name: Any) -> dict[str, Any]:
    return {
        "names": [name(k) for k in keys],
        "released": [_yi(released[k].amount) if k in released else 0 for k in keys],
        "signed": [_yi(signed[k].amount) if k in signed else 0 for k in keys],
    }


FUNNEL_LABELS = {
    "released": _l("Projects released"),
    "in_pipeline": _l("In the pipeline"),
    "contacted": _l("Contacted or further"),
    "negotiating": _l("Negotiating or further"),
    "intention": _l("Intention or further"),
    "signed": _l("Signed (at the forum or later)"),
    "contract": _l("Contract or further"),
    "landed": _l("Landed"),
    "verified": _l("Landing verified"),
}


def _category_label(key: str) -> str:
    from duijie.marketplace.enums import ProjectCategory

    try:
        return ProjectCategory(key).label(i18n.get_locale())
    except ValueError:
        return key


@router.get("/map")
def industry_map(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    qp = request.query_params
    measure = qp.get("measure") or "projects"
    if measure not in MEASURES:
        measure = "projects"
    params = {k: qp.get(k) or None for k in ("event", "industry")}
    scope = make_scope(db, **params, actor=actor)
    selected = qp.get("district") or None
    if selected and selected not in DISTRICT_EN:
        raise DomainError(i18n.gettext("Unknown district: %(d)s") % {"d": selected}, field="district")
    measures = cached(
        db, ("map", tuple(sorted(scope.as_dict().items()))), lambda: district_measures(db, scope)
    )
    zh = i18n.is_zh()

    def value(d: str) -> float | int:
        m = measures.get(d)
        if m is None:
            return 0
        if measure == "projects":
            return m["projects"].count
        if measure == "deals":
            return m["deals"].count
        return _yi(m["projects"].amount)

    rows: list[dict[str, Any]] = [
        {
            "district": d,
            "name": d if zh else DISTRICT_EN[d],
            "value": value(d),
            "projects": measures.get(d, {}).get("projects"),
            "deals": measures.get(d, {}).get("deals"),
        }
        for d in DISTRICT_EN
    ]
    polygons = [
        {"name": r["name"], "value": r["value"], "district": r["district"]}
        for r in rows
        if r["district"] != ETDZ
    ]
    etdz = next(r for r in rows if r["district"] == ETDZ)
    top: list[Any] = []
    if selected:
        filters = OpportunityFilters(
            kind="investment_project",
            district=selected,
            event=params.get("event"),
            industry=params.get("industry"),
        )
        top, _total, _p, _pages = opportunity_service.list_opportunities(
            db, actor=actor, filters=filters, page=1, page_size=10
        )
    return render(
        request,
        "insight/map.html",
        {
            "measure": measure,
            "measures": MEASURES,
            "params": params,
            "rows": rows,
            "map_data": {
                "polygons": polygons,
                "etdz": {
                    "name": etdz["name"],
                    "short": i18n.gettext("ETDZ"),
                    "district": ETDZ,
                    "value": [*ETDZ_CENTRE, etdz["value"]],
                },
                "max": max([r["value"] for r in rows] + [1]),
                "name_map": {} if zh else {d: DISTRICT_EN[d] for d in DISTRICT_EN if d != ETDZ},
                "measure_label": i18n.gettext(MEASURE_LABELS[measure]),
                "base": "/map" + _qs({**{k: v for k, v in params.items() if v}, "measure": measure}),
            },
            "selected": selected,
            "selected_row": next((r for r in rows if r["district"] == selected), None),
            "top": top,
            "events": _events(db, get_actor(request)),
            "industries": list(INDUSTRY_EN),
            "measure_labels": MEASURE_LABELS,
        },
    )


MEASURE_LABELS = {
    "projects": _l("Released projects"),
    "amount": _l("Amount of released projects (100 million yuan)"),
    "deals": _l("Signed deals"),
}


def _qs(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(params) if params else ""


@router.get("/export/projects.{fmt}")
def export_projects(
    fmt: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """Public on purpose: the projects the reader may see; contact columns for the organiser and the district
    governments only, each filled where they may edit that project."""
    qp = request.query_params
    filters = OpportunityFilters(
        kind=qp.get("kind") or "investment_project",
        category=qp.get("category") or None,
        industry=qp.get("industry") or None,
        district=qp.get("district") or None,
        status=qp.get("status") or None,
        event=qp.get("event") or None,
        q=qp.get("q") or None,
        sort=qp.get("sort") or "-amount",
    )
    items, _total, _page, _pages = opportunity_service.list_opportunities(
        db, actor=actor, filters=filters, page=1, page_size=10**9
    )
    data = exports.projects_file(
        items,
        fmt=exports.check_format(fmt),
        with_contacts=can_export_contacts(actor),
        contact_of=lambda o: can_read_contact_in_bulk(actor, o),
        filters=filters.model_dump(exclude_none=True),
    )
    return exports.response(data, fmt, "projects")


@router.get("/export/deals.{fmt}")
def export_deals(
    fmt: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """Public on purpose: the deals the reader may see (announced signings for everyone), with the internal
    figures of those they are related to only."""
    qp = request.query_params
    params = {k: qp[k] for k in ("event", "stage", "district", "industry", "category", "q") if qp.get(k)}
    filters = DealFilters.model_validate(params)
    items, _total, _page, _pages = deal_service.list_deals(
        db, actor=actor, filters=filters, page=1, page_size=10**9
    )
    data = exports.deals_file(
        items,
        fmt=exports.check_format(fmt),
        internals=lambda d: sees_deal_internals(actor, d),
        filters=params,
    )
    return exports.response(data, fmt, "deals")


@router.get("/export/stats.{fmt}")
def export_stats(fmt: str, request: Request, db: Session = Depends(get_db)) -> Response:
    scope, _params = _scope_from(request, db)
    data = exports.stats_file(db, scope, fmt=exports.check_format(fmt))
    return exports.response(data, fmt, f"stats-{scope.slug}")
