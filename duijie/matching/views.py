"""Recommendation pages: a participant's suggestions with reasons, a project's investors, the organiser's view."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import bilingual
from duijie.core.i18n import gettext as _
from duijie.core.permissions import is_organiser, require
from duijie.core.web import check_csrf, get_actor, get_db, render
from duijie.directory.models import Organisation
from duijie.marketplace.models import Opportunity
from duijie.matching import service as match_service
from duijie.matching import settings as weight_settings
from duijie.matching.jobs import job_status, start_job, start_thread
from duijie.policies.suggest import suggest_policies

router = APIRouter(include_in_schema=False)


def _login(target: str) -> Response:
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _own_org(db: Session, actor: Actor, role: str) -> Organisation | None:
    ids = sorted(actor.organisations(role))
    return db.get(Organisation, ids[0]) if ids else None


def _int(value: Any, field: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise DomainError(_("Expected a whole number."), field=field) from None


def _tech_sections(
    db: Session, actor: Actor, org_ids: set[int], filters: match_service.Filters
) -> list[dict[str, Any]]:
    """For each open technology demand of the organisations, offers that may fit; for each offer, demands."""
    sections: list[dict[str, Any]] = []
    for demand in match_service.owned_opportunities(db, kind="demand", organisation_ids=org_ids):
        assert demand.event is not None
        sections.append(
            {
                "title": _("Technology offers that may fit: %(title)s")
                % {"title": bilingual(demand.title_zh, demand.title_en)},
                "event": demand.event,
                "left": ("demand", demand.id),
                "own": demand,
                "link": (f"/projects/{demand.id}", _("View the demand")),
                "items": match_service.recommendations(
                    db,
                    event=demand.event,
                    kind="demand",
                    record_id=demand.id,
                    want="offer",
                    account_id=actor.account_id,
                    limit=5,
                    industry=filters.industry,
                    district=filters.district,
                ),
            }
        )
    for offer in match_service.owned_opportunities(db, kind="offer", organisation_ids=org_ids):
        assert offer.event is not None
        sections.append(
            {
                "title": _("Technology demands that may fit: %(title)s")
                % {"title": bilingual(offer.title_zh, offer.title_en)},
                "event": offer.event,
                "left": None,
                "own": offer,
                "link": (f"/projects/{offer.id}", _("View the offer")),
                "items": match_service.recommendations(
                    db,
                    event=offer.event,
                    kind="offer",
                    record_id=offer.id,
                    want="demand",
                    limit=5,
                    industry=filters.industry,
                    district=filters.district,
                ),
            }
        )
    return sections


def _people_sections(
    db: Session, actor: Actor, event: Any, org_ids: set[int], filters: match_service.Filters
) -> list[dict[str, Any]]:
    """Participants of the event's meetings whom the account's participant may meet, both sides willing."""
    sections: list[dict[str, Any]] = []
    for participant in match_service.own_participants(db, event=event, organisation_ids=org_ids)[:1]:
        sections.append(
            {
                "title": _("People to meet at %(event)s")
                % {"event": bilingual(event.name_zh, event.name_en)},
                "event": event,
                "left": ("participant", participant.id),
                "link": (f"/events/{event.slug}/meetings", _("Request meetings")),
                "hint": _(
                    "Both sides would likely want this meeting: each ranks the other among their best."
                ),
                "items": match_service.people_to_meet(
                    db,
                    event=event,
                    participant_id=participant.id,
                    limit=5,
                    account_id=actor.account_id,
                    filters=match_service.Filters(filters.industry, None),
                ),
                "industry_only": True,
            }
        )
    return sections


@router.get("/recommendations")
def recommendations_home(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """An investor's projects and an enterprise's investors, partners, technology offers or demands and
    people to meet that may fit, each with its reasons."""
    if not actor.is_authenticated:
        return _login("/recommendations")
    event = match_service.current_event(db, request.query_params.get("event") or None)
    filters = match_service.Filters.of(
        request.query_params.get("industry") or None, request.query_params.get("district") or None
    )
    investor = _own_org(db, actor, "investor")
    enterprise = _own_org(db, actor, "enterprise")
    if investor is None and enterprise is None and actor.has_role("organiser") and event is not None:
        return RedirectResponse(f"/events/{event.slug}/matching", status_code=303)
    sections: list[dict[str, Any]] = []
    own = {o.id for o in (investor, enterprise) if o is not None}
    if event is not None:
        if investor is not None:
            sections.append(
                {
                    "title": _("Projects that may fit %(name)s")
                    % {"name": bilingual(investor.name_zh, investor.name_en)},
                    "left": ("investor", investor.id),
                    "items": match_service.recommendations(
                        db,
                        event=event,
                        kind="investor",
                        record_id=investor.id,
                        want="project",
                        account_id=actor.account_id,
                        industry=filters.industry,
                        district=filters.district,
                    ),
                }
            )
        if enterprise is not None:
            sections.append(
                {
                    "title": _("Investors who may fit %(name)s")
                    % {"name": bilingual(enterprise.name_zh, enterprise.name_en)},
                    "left": None,
                    "items": match_service.recommendations(
                        db,
                        event=event,
                        kind="enterprise",
                        record_id=enterprise.id,
                        want="investor",
                        limit=8,
                        industry=filters.industry,
                    ),
                    "industry_only": True,
                }
            )
            sections.append(
                {
                    "title": _("Partners who may fit"),
                    "left": ("enterprise", enterprise.id),
                    "items": match_service.recommendations(
                        db,
                        event=event,
                        kind="enterprise",
                        record_id=enterprise.id,
                        want="enterprise",
                        account_id=actor.account_id,
                        limit=5,
                        industry=filters.industry,
                        district=filters.district,
                    ),
                }
            )
        sections += _people_sections(db, actor, event, own, filters)
    if enterprise is not None:
        sections += _tech_sections(db, actor, {enterprise.id}, filters)
    return render(
        request,
        "matching/home.html",
        {
            "event": event,
            "events": match_service.events_with_matches(db),
            "sections": sections,
            "has_party": investor is not None or enterprise is not None,
            "filters": filters,
            "industries": match_service.FILTER_INDUSTRIES,
            "districts": match_service.FILTER_DISTRICTS,
            "policy_suggestions": (
                suggest_policies(db, organisation=enterprise, limit=5) if enterprise is not None else []
            ),
            "suggestions_own": True,
            "suggestions_more": "/policies/suggest",
        },
    )


@router.post("/recommendations/not-interested")
async def not_interested(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """Hide a suggestion for good; the next batch run also ranks similar ones lower."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    if not actor.is_authenticated:
        return _login("/recommendations")
    event = match_service.current_event(db, str(form.get("event", "")) or None)
    if event is None:
        raise NotFound(_("No event with this name."))
    match_service.mark_not_interested(
        db,
        actor=actor,
        event=event,
        left_kind=str(form.get("left_kind", "")),
        left_id=_int(form.get("left_id"), "left_id"),
        right_kind=str(form.get("right_kind", "")),
        right_id=_int(form.get("right_id"), "right_id"),
    )
    filters = match_service.Filters.of(str(form.get("industry", "")), str(form.get("district", "")))
    narrow = "".join(
        f"&{name}={quote(value)}"
        for name, value in (("industry", filters.industry), ("district", filters.district))
        if value
    )
    return RedirectResponse(f"/recommendations?event={quote(event.slug)}{narrow}", status_code=303)


@router.get("/projects/{project_id}/matches")
def project_matches(
    project_id: int, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """A fragment for an opportunity's page: a project's investors, a demand's offers or an offer's demands,
    for the organiser, the owning district and the owner."""
    opp = db.get(Opportunity, project_id)
    if opp is None:
        raise NotFound(_("No such record."))
    return render(
        request, "matching/_project_matches.html", match_service.opportunity_matches(db, actor, opp)
    )


@router.get("/events/{slug}/matching")
def event_matching(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """The organiser's view: the last run, the weights, the strongest pairs, who has no good match yet."""
    if not actor.is_authenticated:
        return _login(f"/events/{slug}/matching")
    require(is_organiser, actor, message=_("Only the organiser can run matching for an event."))
    event = match_service.current_event(db, slug)
    assert event is not None
    return _event_page(request, db, event)


def _event_page(
    request: Request,
    db: Session,
    event: Any,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The organiser's matching page; after a refused save the weights form shows what was typed."""
    state = weight_settings.weights_state(db, event)
    pairs = {
        group: found
        for group in ("investor_project", "demand_offer")
        if (found := match_service.best_pairs(db, event=event, group=group))
    }
    return render(
        request,
        "matching/event.html",
        {
            "event": event,
            "job": job_status(db, event, request.app.state.sessionmaker),
            "run": match_service.last_run(db, event),
            "lonely": match_service.no_good_match_yet(db, event=event),
            "pairs": pairs or {"investor_project": []},
            "events": match_service.events_with_matches(db),
            "weights": state,
            "typed": typed or {},
            "errors": errors or {},
            "saved": request.query_params.get("weights") if status_code == 200 else None,
            "kind_title": weight_settings.kind_name,
            "part_title": weight_settings.part_name,
            "group_names": {
                "investor_project": _("Investors and projects"),
                "investor_enterprise": _("Investors and enterprises"),
                "enterprise_enterprise": _("Enterprise partners"),
                "demand_offer": _("Technology demands and offers"),
                "participant_participant": _("Meeting participants"),
            },
            "kind_names": {
                "investor": _("Investors"),
                "project": _("Projects"),
                "enterprise": _("Enterprises"),
                "demand": _("Technology demands"),
                "offer": _("Technology offers"),
                "participant": _("Meeting participants"),
            },
        },
        status_code=status_code,
    )


@router.post("/events/{slug}/matching/weights")
async def save_weights(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """Save the event's part weights (or restore the defaults); the stored matches change at the next run."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    require(is_organiser, actor, message=_("Only the organiser can run matching for an event."))
    event = match_service.current_event(db, slug)
    assert event is not None
    if form.get("action") == "reset":
        weight_settings.reset(db, event=event, actor=actor)
        return RedirectResponse(f"/events/{slug}/matching?weights=reset#weights", status_code=303)
    typed = {str(k): str(v) for k, v in form.items() if "." in str(k)}
    data: dict[str, dict[str, str]] = {}
    for key, value in typed.items():
        kind, _dot, part = key.partition(".")
        if value.strip():
            data.setdefault(kind, {})[part] = value
    try:
        weight_settings.set_weights(db, event=event, actor=actor, data=data)
    except DomainError as exc:
        if exc.status_code != 422:
            raise
        errors = {d.field or "form": d.message for d in exc.details}
        return _event_page(request, db, event, typed=typed, errors=errors, status_code=422)
    return RedirectResponse(f"/events/{slug}/matching?weights=saved#weights", status_code=303)


@router.post("/events/{slug}/matching/recompute")
async def recompute(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """Queue a background recompute, the way the last run did; the page then follows its progress."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    require(is_organiser, actor, message=_("Only the organiser can run matching for an event."))
    event = match_service.current_event(db, slug)
    assert event is not None
    start_job(
        db,
        event,
        request.app.state.sessionmaker,
        request.app.state.settings.database_url,
        launch=getattr(request.app.state, "job_launcher", start_thread),
    )
    return RedirectResponse(f"/events/{slug}/matching", status_code=303)
