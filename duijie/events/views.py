"""The organisers' event set-up pages (活动管理): the events they may edit with their state, the form to create
one, the form to edit one with its published figures, and the buttons that publish, take back to draft or
delete it.

Every route is for organisers: the list and the creation form for any organiser (a creation is then checked
against the forum it goes into), the rest for the organisers of the event or of its forum. A refused form
comes back filled in, each message beside its field, in the page's language.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.web import allow, csrf_form, get_db, render
from duijie.events import editing, figures
from duijie.events.deps import event_from_slug
from duijie.events.enums import EventKind, EventState
from duijie.events.models import Event, PublishedFigure
from duijie.events.permissions import (
    can_create_event,
    can_manage_event,
    can_open_event_setup,
    organises_everything,
)

router = APIRouter(include_in_schema=False)

PREFIX = "/organise/events"
event_manager = allow(can_manage_event, on=event_from_slug)
any_organiser = allow(can_open_event_setup)


def _errors(exc: DomainError, prefix: str = "") -> dict[str, str]:
    """The messages of a refusal by field (`form` for one that names none), the first per field."""
    found: dict[str, str] = {}
    for detail in exc.details:
        found.setdefault(prefix + (detail.field or "form"), detail.message)
    return found


def _form_values(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in names}


def _event_values(event: Event) -> dict[str, str]:
    values = {name: getattr(event, name) for name in editing.FIELDS if name != "parent"}
    values["parent"] = event.parent.slug if event.parent is not None else ""
    return {k: ("" if v is None else v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in values.items()}


def _figure_values(figure: PublishedFigure) -> dict[str, str]:
    values = {name: getattr(figure, name) for name in figures.FIELDS}
    values["value"] = f"{figure.value.normalize():f}"
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _parents(db: Session, actor: Actor, *, exclude: Event | None = None) -> list[Event]:
    """The forums the actor may place an event in."""
    return [
        e
        for e in editing.manageable_events(db, actor)
        if e.kind == EventKind.FORUM.value and e is not exclude and can_create_event(actor, e)
    ]


@router.get(PREFIX)
def event_list(request: Request, actor: Actor = Depends(any_organiser), db: Session = Depends(get_db)) -> Response:
    """The events the organiser may edit, forums with the events inside them, each with its state."""
    events = editing.manageable_events(db, actor)
    return render(
        request,
        "events/manage_list.html",
        {
            "events": events,
            "can_create": organises_everything(actor) or bool(_parents(db, actor)),
            "states": EventState,
        },
    )


def _new_page(
    request: Request, db: Session, actor: Actor, values: Mapping[str, str], errors: Mapping[str, str], status: int = 200
) -> Response:
    return render(
        request,
        "events/manage_form.html",
        {
            "event": None,
            "values": values,
            "errors": errors,
            "kinds": list(EventKind),
            "parents": _parents(db, actor),
            "top_level": organises_everything(actor),
            "states": EventState,
        },
        status_code=status,
    )


@router.get(PREFIX + "/new")
def new_event_form(request: Request, actor: Actor = Depends(any_organiser), db: Session = Depends(get_db)) -> Response:
    """An empty form (the forum already chosen when the page is opened from one: `?parent=slug`)."""
    parent = str(request.query_params.get("parent", ""))[:80]
    values = {name: "" for name in editing.FIELDS}
    values.update(
        {"kind": "summit" if parent else "forum", "parent": parent, "city": "北京", "timezone": "Asia/Shanghai"}
    )
    return _new_page(request, db, actor, values, {})


@router.post(PREFIX + "/new")
def create_event(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(any_organiser),
    db: Session = Depends(get_db),
) -> Response:
    """Create the event as a draft (published at once if the organiser ticked it) and open its page."""
    values = _form_values(form, editing.FIELDS)
    data: dict[str, object] = {k: (v or None) for k, v in values.items()}
    values["publish"] = "1" if form.get("publish") == "1" else ""
    try:
        with db.begin_nested():
            event = editing.create_event(db, actor=actor, data=data, publish=form.get("publish") == "1")
    except DomainError as exc:
        if exc.status_code == 403:
            return _new_page(request, db, actor, values, {"parent": exc.message}, status=403)
        return _new_page(request, db, actor, values, _errors(exc), status=exc.status_code)
    return RedirectResponse(f"{PREFIX}/{event.slug}?saved=1", status_code=303)


def _edit_page(
    request: Request,
    db: Session,
    actor: Actor,
    event: Event,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    figure_values: Mapping[str, Mapping[str, str]] | None = None,
    status: int = 200,
) -> Response:
    stored = figures.list_figures(db, event=event)
    shown: dict[str, Mapping[str, str]] = {f.key: _figure_values(f) for f in stored}
    shown.update(figure_values or {})
    if "" not in shown:
        shown[""] = {name: "" for name in figures.FIELDS}
    return render(
        request,
        "events/manage_form.html",
        {
            "event": event,
            "values": values or _event_values(event),
            "errors": errors or {},
            "kinds": list(EventKind),
            "parents": _parents(db, actor, exclude=event),
            "top_level": organises_everything(actor),
            "figures": stored,
            "figure_values": shown,
            "figure_numbers": {f.key: _figure_values(f)["value"] for f in stored},
            "children": editing.children_of(db, event),
            "saved": request.query_params.get("saved"),
            "states": EventState,
        },
        status_code=status,
    )


@router.get(PREFIX + "/{slug}")
def edit_event_form(
    request: Request,
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(event_manager),
    db: Session = Depends(get_db),
) -> Response:
    """The event's set-up: its fields, its state and its published figures."""
    return _edit_page(request, db, actor, event)


@router.post(PREFIX + "/{slug}")
def update_event(
    request: Request,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(event_manager),
    db: Session = Depends(get_db),
) -> Response:
    """Save the form; it comes back with the messages beside their fields when something is refused."""
    values = _form_values(form, editing.FIELDS)
    data: dict[str, object] = {k: (v or None) for k, v in values.items() if k in form}
    try:
        with db.begin_nested():
            editing.update_event(db, actor=actor, event=event, data=data)
    except DomainError as exc:
        db.refresh(event)
        errors = {"parent": exc.message} if exc.status_code == 403 else _errors(exc)
        return _edit_page(request, db, actor, event, values=values, errors=errors, status=exc.status_code)
    return RedirectResponse(f"{PREFIX}/{event.slug}?saved=1", status_code=303)


def _state_change(request: Request, db: Session, actor: Actor, event: Event, to: EventState) -> Response:
    try:
        with db.begin_nested():
            editing.set_event_state(db, actor=actor, event=event, to=to)
    except DomainError as exc:
        return _edit_page(request, db, actor, event, errors={"state": exc.message}, status=exc.status_code)
    return RedirectResponse(f"{PREFIX}/{event.slug}?saved=1", status_code=303)


@router.post(PREFIX + "/{slug}/publish")
def publish_event(
    request: Request,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(event_manager),
    db: Session = Depends(get_db),
) -> Response:
    """Publish the draft: it appears on the public pages."""
    return _state_change(request, db, actor, event, EventState.PUBLISHED)


@router.post(PREFIX + "/{slug}/unpublish")
def unpublish_event(
    request: Request,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(event_manager),
    db: Session = Depends(get_db),
) -> Response:
    """Take the event back to draft: only its organisers see it again."""
    return _state_change(request, db, actor, event, EventState.DRAFT)


@router.post(PREFIX + "/{slug}/delete")
def delete_event(
    request: Request,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(event_manager),
    db: Session = Depends(get_db),
) -> Response:
    """Delete a draft that holds nothing; otherwise the page says what holds it."""
    try:
        with db.begin_nested():
            editing.delete_event(db, actor=actor, event=event)
    except DomainError as exc:
        return _edit_page(request, db, actor, event, errors={"state": exc.message}, status=exc.status_code)
    return RedirectResponse(f"{PREFIX}?deleted={event.slug}", status_code=303)


@router.post(PREFIX + "/{slug}/figures")
def add_figure(
    request: Request,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(event_manager),
    db: Session = Depends(get_db),
) -> Response:
    """Add a published figure; the new-figure form comes back filled in when refused."""
    values = _form_values(form, figures.FIELDS)
    try:
        with db.begin_nested():
            figures.add_figure(db, actor=actor, event=event, data={k: v or None for k, v in values.items()})
    except DomainError as exc:
        return _edit_page(
            request, db, actor, event, errors=_errors(exc, "figure.."), figure_values={"": values},
            status=exc.status_code,
        )  # fmt: skip
    return RedirectResponse(f"{PREFIX}/{event.slug}?saved=1#figures", status_code=303)


@router.post(PREFIX + "/{slug}/figures/{key}")
def update_figure(
    key: str,
    request: Request,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(event_manager),
    db: Session = Depends(get_db),
) -> Response:
    """Save one figure's row; it comes back filled in with the messages beside its fields when refused."""
    figure = figures.get_figure(db, event=event, key=key)
    values = _form_values(form, figures.FIELDS)
    try:
        with db.begin_nested():
            figures.update_figure(db, actor=actor, event=event, figure=figure, data={k: v or None for k, v in values.items()})
    except DomainError as exc:
        db.refresh(figure)
        return _edit_page(
            request, db, actor, event, errors=_errors(exc, f"figure.{key}."), figure_values={key: values},
            status=exc.status_code,
        )  # fmt: skip
    return RedirectResponse(f"{PREFIX}/{event.slug}?saved=1#figures", status_code=303)


@router.post(PREFIX + "/{slug}/figures/{key}/delete")
def delete_figure(
    key: str,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(event_manager),
    db: Session = Depends(get_db),
) -> Response:
    """Remove one published figure."""
    figure = figures.get_figure(db, event=event, key=key)
    figures.delete_figure(db, actor=actor, event=event, figure=figure)
    return RedirectResponse(f"{PREFIX}/{event.slug}?saved=1#figures", status_code=303)

