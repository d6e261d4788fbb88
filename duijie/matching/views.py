"""Recommendation pages: a participant's suggestions with reasons, a project's investors, the organiser's view."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import bilingual
from duijie.core.i18n import gettext as _
from duijie.core.web import csrf_form, get_actor, get_db, render, require_login
from duijie.directory.models import Organisation
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.matching import service as match_service
from duijie.matching import settings as weight_settings
from duijie.matching.jobs import job_status, start_job
from duijie.matching.permissions import can_run_matching, organiser_of_event
from duijie.matching.sections import Viewer, section_blocks

router = APIRouter(include_in_schema=False)


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
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(require_login)
) -> Response:
    """An investor's projects and an enterprise's investors, partners, technology offers or demands and
    people to meet that may fit, each with its reasons, then what other modules add (`sections.py`)."""
    event = match_service.current_event(db, request.query_params.get("event") or None)
    filters = match_service.Filters.of(
        request.query_params.get("industry") or None, request.query_params.get("district") or None
    )
    investor = _own_org(db, actor, "investor")
    enterprise = _own_org(db, actor, "enterprise")
    if investor is None and enterprise is None and event is not None and can_run_matching(actor, event):
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
    page: dict[str, Any] = {
        "event": event,
        "events": match_service.events_with_matches(db),
        "sections": sections,
        "has_party": investor is not None or enterprise is not None,
        "filters": filters,
        "industries": match_service.FILTER_INDUSTRIES,
        "districts": match_service.FILTER_DISTRICTS,
    }
    page["blocks"] = section_blocks(db, Viewer(actor, event, investor, enterprise), page)
    return render(request, "matching/home.html", page)


@router.post("/recommendations/not-interested")
def not_interested(
    form: FormData = Depends(csrf_form), db: Session = Depends(get_db), actor: Actor = Depends(require_login)
) -> Response:
    """Hide a suggestion for good; the next batch run also ranks similar ones lower. Whether the account
    speaks for the suggestion's record is checked by the service, which knows the record."""
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
    for the organiser, the owning district and the owner. Public on purpose: anyone else gets an empty
    fragment, since the opportunity's page itself is public."""
    opp = db.get(Opportunity, project_id)
    if opp is None:
        raise NotFound(_("No such record."))
    return render(
        request, "matching/_project_matches.html", match_service.opportunity_matches(db, actor, opp)
    )


@router.get("/events/{slug}/matching", dependencies=[Depends(organiser_of_event)])
def event_matching(
    request: Request, event: Event = Depends(event_from_slug), db: Session = Depends(get_db)
) -> Response:
    """The organiser's view: the last run, the weights, the strongest pairs, who has no good match yet."""
    return _event_page(request, db, event)


def _event_page(
    request: Request,
    db: Session,
    event: Event,
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
            "job": job_status(db, event),
            "run": weight_settings.last_run(db, event),
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
def save_weights(
    request: Request,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser_of_event),
) -> Response:
    """Save the event's part weights (or restore the defaults); the stored matches change at the next run."""
    slug = quote(event.slug)
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


@router.post(
    "/events/{slug}/matching/recompute", dependencies=[Depends(csrf_form), Depends(organiser_of_event)]
)
def recompute(
    request: Request, event: Event = Depends(event_from_slug), db: Session = Depends(get_db)
) -> Response:
    """Queue a background recompute, the way the last run did; the page then follows its progress."""
    start_job(db, event, actor=request.state.actor)
    return RedirectResponse(f"/events/{quote(event.slug)}/matching", status_code=303)
