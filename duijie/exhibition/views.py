"""Achievement releases (成果发布) on the web: the public list and each achievement's page, and the organiser's
forms to add, edit and remove them. Bad input comes back on the form, beside its field, with what was typed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.agenda.models import AgendaSession
from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.web import csrf_form, get_actor, get_db, render
from duijie.events.models import Event
from duijie.events.permissions import can_manage_event
from duijie.events.service import visible_events
from duijie.exhibition import achievements as achievement_service
from duijie.exhibition.deps import achievement_adder, achievement_from_path, achievement_manager
from duijie.exhibition.models import Achievement
from duijie.exhibition.permissions import can_manage_achievement
from duijie.exhibition.schemas import AchievementCreate, AchievementUpdate

router = APIRouter(include_in_schema=False)

# What the form edits: every field of a release but the organisation (set through the API).
FORM_FIELDS = tuple(f for f in achievement_service.FIELDS if f != "organisation_id")


def _forums(db: Session, actor: Actor) -> list[Event]:
    """The forums the reader may see, newest first (achievements are released at a forum)."""
    return sorted(visible_events(db, actor, kind="forum"), key=lambda e: e.starts_on, reverse=True)


@router.get("/achievements")
def achievement_list(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """Public on purpose: the achievements released at the forums, filtered by forum, field and words."""
    qp = request.query_params
    params = {k: qp.get(k) or None for k in ("event", "field", "q")}
    items = achievement_service.list_achievements(db, actor=actor, **params)
    forums = _forums(db, actor)
    return render(
        request,
        "exhibition/achievements/list.html",
        {
            "items": items,
            "params": params,
            "forums": forums,
            "fields": achievement_service.fields_of(db, actor=actor),
            "can_add": [f for f in forums if can_manage_event(actor, f)],
        },
    )


def _form_page(
    request: Request,
    *,
    achievement: Achievement | None,
    events: list[Event],
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    db = get_db(request)
    return render(
        request,
        "exhibition/achievements/edit.html",
        {
            "achievement": achievement,
            "events": events,
            "values": values,
            "errors": errors or {},
            "sessions": _sessions(db, events),
        },
        status_code=status_code,
    )


def _sessions(db: Session, events: list[Event]) -> dict[int, list[AgendaSession]]:
    """The programme's sessions of each forum the form offers, in time order, to pick the releasing one."""
    ids = [e.id for e in events]
    rows = db.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id.in_(ids or [-1]))
        .order_by(AgendaSession.starts_at.is_(None), AgendaSession.starts_at, AgendaSession.id)
    )
    grouped: dict[int, list[AgendaSession]] = {}
    for row in rows:
        grouped.setdefault(row.event_id, []).append(row)
    return grouped


def _values(form: FormData) -> dict[str, Any]:
    return {k: (str(form.get(k, "")).strip() or None) for k in ("event", *FORM_FIELDS)}


def _errors(exc: ValidationError | DomainError) -> dict[str, str]:
    if isinstance(exc, DomainError):
        return {(d.field or "form"): d.message for d in exc.details}
    return {str(e["loc"][0]) if e["loc"] else "form": e["msg"] for e in exc.errors()}


@router.get("/achievements/new")
def achievement_new(
    request: Request, actor: Actor = Depends(achievement_adder), db: Session = Depends(get_db)
) -> Response:
    """The form to add a release, to one of the forums the organiser runs."""
    events = [f for f in _forums(db, actor) if can_manage_event(actor, f)]
    event = request.query_params.get("event") or (events[0].slug if events else None)
    return _form_page(request, achievement=None, events=events, values={"event": event})


@router.post("/achievements/new")
def achievement_create(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(achievement_adder),
    db: Session = Depends(get_db),
) -> Response:
    values = _values(form)
    try:
        row = achievement_service.create(db, actor=actor, data=AchievementCreate.model_validate(values))
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status_code in (403, 404):
            raise
        events = [f for f in _forums(db, actor) if can_manage_event(actor, f)]
        return _form_page(
            request, achievement=None, events=events, values=values, errors=_errors(exc), status_code=422
        )
    return RedirectResponse(f"/achievements/{row.id}", status_code=303)


@router.get("/achievements/{achievement_id}")
def achievement_page(
    request: Request,
    achievement: Achievement = Depends(achievement_from_path),
    actor: Actor = Depends(get_actor),
) -> Response:
    """Public on purpose: one released achievement, with the session where it was released."""
    return render(
        request,
        "exhibition/achievements/detail.html",
        {"a": achievement, "can_manage": can_manage_achievement(actor, achievement)},
    )


@router.get("/achievements/{achievement_id}/edit")
def achievement_edit(
    request: Request,
    actor: Actor = Depends(achievement_manager),
    achievement: Achievement = Depends(achievement_from_path),
) -> Response:
    values = {k: getattr(achievement, k) for k in FORM_FIELDS}
    return _form_page(request, achievement=achievement, events=[achievement.event], values=values)


@router.post("/achievements/{achievement_id}/edit")
def achievement_update(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(achievement_manager),
    achievement: Achievement = Depends(achievement_from_path),
    db: Session = Depends(get_db),
) -> Response:
    values = _values(form)
    # A field left empty on the form clears it; the title is required.
    data = {k: values[k] for k in FORM_FIELDS}
    try:
        achievement_service.update(
            db, actor=actor, achievement=achievement, data=AchievementUpdate.model_validate(data)
        )
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status_code in (403, 404):
            raise
        return _form_page(
            request,
            achievement=achievement,
            events=[achievement.event],
            values=values,
            errors=_errors(exc),
            status_code=422,
        )
    return RedirectResponse(f"/achievements/{achievement.id}", status_code=303)


@router.post("/achievements/{achievement_id}/delete")
def achievement_delete(
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(achievement_manager),
    achievement: Achievement = Depends(achievement_from_path),
    db: Session = Depends(get_db),
) -> Response:
    slug = achievement.event.slug
    achievement_service.delete(db, actor=actor, achievement=achievement)
    return RedirectResponse(f"/achievements?event={slug}", status_code=303)
