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
from duijie.matching.jobs import job_status, start_job, start_thread

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


@router.get("/recommendations")
def recommendations_home(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """An investor's projects that may fit; an enterprise's investors and partners that may fit."""
    if not actor.is_authenticated:
        return _login("/recommendations")
    event = match_service.current_event(db, request.query_params.get("event") or None)
    investor = _own_org(db, actor, "investor")
    enterprise = _own_org(db, actor, "enterprise")
    if investor is None and enterprise is None and actor.has_role("organiser") and event is not None:
        return RedirectResponse(f"/events/{event.slug}/matching", status_code=303)
    sections: list[dict[str, Any]] = []
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
                        db, event=event, kind="enterprise", record_id=enterprise.id, want="investor", limit=8
                    ),
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
                    ),
                }
            )
    return render(
        request,
        "matching/home.html",
        {
            "event": event,
            "events": match_service.events_with_matches(db),
            "sections": sections,
            "has_party": investor is not None or enterprise is not None,
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
    return RedirectResponse(f"/recommendations?event={quote(event.slug)}", status_code=303)


@router.get("/projects/{project_id}/matches")
def project_matches(
    project_id: int, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """A fragment for the project page: investors who may fit, for the organiser, its district and owner."""
    opp = db.get(Opportunity, project_id)
    if opp is None:
        raise NotFound(_("No such record."))
    items: list[match_service.Suggestion] = []
    allowed = match_service.can_see_matches(actor, ("project", opp))
    if allowed and opp.event is not None:
        items = match_service.recommendations(
            db, event=opp.event, kind="project", record_id=opp.id, want="investor", limit=5
        )
    return render(request, "matching/_project_matches.html", {"opp": opp, "items": items, "allowed": allowed})


@router.get("/events/{slug}/matching")
def event_matching(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """The organiser's view: the last run, who has no good match yet, and the recompute action."""
    if not actor.is_authenticated:
        return _login(f"/events/{slug}/matching")
    require(is_organiser, actor, message=_("Only the organiser can run matching for an event."))
    event = match_service.current_event(db, slug)
    assert event is not None
    return render(
        request,
        "matching/event.html",
        {
            "event": event,
            "job": job_status(db, event, request.app.state.sessionmaker),
            "run": match_service.last_run(db, event),
            "lonely": match_service.no_good_match_yet(db, event=event),
            "pairs": match_service.best_pairs(db, event=event),
            "group_names": {
                "investor_project": _("Investors and projects"),
                "investor_enterprise": _("Investors and enterprises"),
                "enterprise_enterprise": _("Enterprise partners"),
            },
        },
    )


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
