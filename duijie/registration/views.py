"""Registration pages: the form, one's registrations, the organiser's lists and decisions.

The public form (`/events/{slug}/register`) offers the event's public categories that are open; a refused
form comes back filled in with each message beside its field, in the page's language. The person's page
(`/registrations/{token}`, the link of every mail) shows the state — confirmed, waiting with the position,
pending approval, a place offered with its deadline — and lets them cancel, claim an offer and take places in
sessions. Organisers list, filter, approve, decline, cancel and export (`/events/{slug}/registrations`) and edit
the categories and the consent text (`/events/{slug}/registrations/categories`).

Every page that reads states first expires overdue offers (`service.sweep`), so they never show an offer
whose deadline has passed, whether or not the job has run yet.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.agenda.models import AgendaSession
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, ErrorDetail, NotFound
from duijie.core.i18n import get_locale
from duijie.core.i18n import gettext as _
from duijie.core.web import allow, csrf_form, get_actor, get_db, render, require_login
from duijie.directory.models import Account
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.events.permissions import can_manage_event
from duijie.registration import mails, queries, service
from duijie.registration.models import RegistrationCategory
from duijie.registration.waiting import State

router = APIRouter(include_in_schema=False)

organisers = allow(can_manage_event, on=event_from_slug)
FORM_FIELDS = ("category", "name", "name_en", "email", "phone", "organisation", "job_title", "country", "locale")
CATEGORY_FORM_FIELDS = ("code", "name_zh", "name_en", "capacity", "claim_hours", "opens_at", "closes_at", "position")
PAGE_SIZE = 50


def _errors(refused: DomainError) -> dict[str, str]:
    """A refusal's messages by the field they name ("form" for the rest)."""
    found: dict[str, list[str]] = {}
    for detail in refused.details:
        found.setdefault(detail.field or "form", []).append(detail.message)
    return {name: " ".join(messages) for name, messages in found.items()}


def _zone(event: Event) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(event.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Asia/Shanghai")


def _local_input(moment: dt.datetime | None, event: Event) -> str:
    """A stored UTC time as a `datetime-local` value in the event's zone."""
    return moment.astimezone(_zone(event)).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _fresh(db: Session, event: Event) -> None:
    if service.overdue(db, event=event):
        service.sweep(db, event=event)


# -- the public form ---------------------------------------------------------------------------------------


def _form_page(
    request: Request, db: Session, event: Event, *, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    categories = service.public_categories(db, event=event)
    return render(
        request,
        "registration/register.html",
        {"event": event, "categories": categories, "values": values, "errors": errors,
         "consent": service.consent_text(db, event=event)},
        status_code=status,
    )  # fmt: skip


@router.get("/events/{slug}/register")
def register_form(
    request: Request, event: Event = Depends(event_from_slug), actor: Actor = Depends(get_actor), db: Session = Depends(get_db)
) -> Response:
    """The registration form (public on purpose): a signed-in person finds their name and address filled in."""
    values: dict[str, Any] = {"locale": get_locale()}
    account = db.get(Account, actor.account_id) if actor.account_id else None
    if account is not None and account.person is not None:
        person = account.person
        values.update(name=person.name_zh or "", name_en=person.name_en or "", email=person.email or "")
    categories = service.public_categories(db, event=event)
    if len(categories) == 1:
        values["category"] = categories[0].code
    return _form_page(request, db, event, values=values, errors={})


@router.post("/events/{slug}/register")
def register(
    request: Request,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(get_actor),
    db: Session = Depends(get_db),
) -> Response:
    """Register, then land on one's own page, which says what was decided."""
    values = {name: str(form.get(name) or "") for name in FORM_FIELDS}
    data: dict[str, Any] = {**values, "consent": form.get("consent")}
    values["consent"] = "on" if form.get("consent") else ""
    # Every problem at once: the category chosen and the person's details.
    problems: list[ErrorDetail] = []
    category = None
    try:
        if not values["category"]:
            raise DomainError(_("Choose a category."), field="category")
        category = service.get_category(db, event=event, code=values["category"])
    except DomainError as refused:
        problems += [ErrorDetail(d.message, field="category") for d in refused.details]
    try:
        service.clean_registration(data)
    except DomainError as refused:
        problems += refused.details
    try:
        if problems or category is None:
            raise DomainError(problems[0].message, details=problems)
        account = db.get(Account, actor.account_id) if actor.account_id else None
        registration = service.register(db, event, category, data, account, actor=actor)
    except DomainError as refused:
        return _form_page(request, db, event, values=values, errors=_errors(refused), status=refused.status_code)
    return RedirectResponse(f"/registrations/{mails.manage_token(db, registration)}?new=1", status_code=303)


# -- the person's own page ----------------------------------------------------------------------------------


def _manage_page(
    request: Request, db: Session, token: str, *, errors: dict[str, str] | None = None, status: int = 200, new: bool = False
) -> Response:
    registration = service.by_token(db, token)
    event = db.get(Event, registration.event_id)
    assert event is not None
    _fresh(db, event)
    db.refresh(registration)
    places = {p.session_id: p for p, _s in service.places_of(db, registration)}
    sessions = list(
        db.scalars(
            select(AgendaSession)
            .where(AgendaSession.event_id == event.id, AgendaSession.capacity.is_not(None), AgendaSession.cancelled_at.is_(None))
            .order_by(AgendaSession.starts_at, AgendaSession.id)
        )
    )
    return render(
        request,
        "registration/manage.html",
        {"registration": registration, "event": event, "category": registration.category, "token": token,
         "position": service.position(db, registration), "deadline": mails.local_time(registration.offered_until, event),
         "sessions": sessions, "places": places, "local_time": lambda m: mails.local_time(m, event),
         "errors": errors or {}, "new": new, "State": State},
        status_code=status,
    )  # fmt: skip


@router.get("/registrations/{token}")
def manage(request: Request, token: str, new: bool = False, db: Session = Depends(get_db)) -> Response:
    """One's own registration (public on purpose: the link in the mails is the key)."""
    return _manage_page(request, db, token, new=new)


def _act(request: Request, db: Session, token: str, action: str, actor: Actor, session_id: int | None = None) -> Response:
    registration = service.by_token(db, token)
    try:
        if session_id is not None:
            event = db.get(Event, registration.event_id)
            assert event is not None
            session = service.get_session(db, event=event, session_id=session_id)
            service.act_on_place(db, actor=actor, registration=registration, session=session, action=action)
        elif action == "cancel":
            service.cancel(db, actor=actor, registration=registration)
        else:
            service.claim(db, actor=actor, registration=registration)
    except DomainError as refused:
        db.rollback()
        key = f"session-{session_id}" if session_id is not None else "form"
        return _manage_page(request, db, token, errors={key: refused.message}, status=refused.status_code)
    return RedirectResponse(f"/registrations/{token}", status_code=303)


@router.post("/registrations/{token}/cancel")
def cancel_mine(
    request: Request, token: str, form: FormData = Depends(csrf_form), actor: Actor = Depends(get_actor),
    db: Session = Depends(get_db),
) -> Response:  # fmt: skip
    """Cancel one's own registration; a place it held goes to the next person waiting."""
    return _act(request, db, token, "cancel", actor)


@router.post("/registrations/{token}/claim")
def claim_mine(
    request: Request, token: str, form: FormData = Depends(csrf_form), actor: Actor = Depends(get_actor),
    db: Session = Depends(get_db),
) -> Response:  # fmt: skip
    """Claim the place offered, before its deadline."""
    return _act(request, db, token, "claim", actor)


@router.post("/registrations/{token}/sessions/{session_id}")
def session_place(
    request: Request, token: str, session_id: int, form: FormData = Depends(csrf_form),
    actor: Actor = Depends(get_actor), db: Session = Depends(get_db),
) -> Response:  # fmt: skip
    """Take a place in a session, cancel it, or claim the place offered (`action`)."""
    return _act(request, db, token, str(form.get("action") or ""), actor, session_id=session_id)


@router.get("/me/registrations")
def my_registrations(request: Request, actor: Actor = Depends(require_login), db: Session = Depends(get_db)) -> Response:
    """The signed-in person's registrations, each with the link to its page."""
    assert actor.account_id is not None
    rows = queries.for_account(db, account_id=actor.account_id)
    events = {e.id: e for e in db.scalars(select(Event).where(Event.id.in_({r.event_id for r in rows})))}
    items = [{"registration": r, "event": events[r.event_id], "token": mails.manage_token(db, r)} for r in rows]
    return render(request, "registration/mine.html", {"items": items, "State": State})


# -- the organiser's pages ----------------------------------------------------------------------------------


def _list_page(
    request: Request, db: Session, event: Event, *, state: str | None, category: str | None, q: str | None, page: int,
    errors: dict[int, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    _fresh(db, event)
    categories = service.list_categories(db, event=event)
    chosen = next((c for c in categories if c.code == category), None) if category else None
    state_value = state if state in {s.value for s in State} else None
    _items, total = queries.search(db, event=event, state=state_value, category=chosen, text=q, page=1, page_size=1)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    items, total = queries.search(db, event=event, state=state_value, category=chosen, text=q, page=page, page_size=PAGE_SIZE)
    return render(
        request,
        "registration/organiser_list.html",
        {"event": event, "summary": queries.summary(db, event=event), "items": items, "total": total, "page": page,
         "pages": pages, "params": {"state": state_value, "category": category, "q": q},
         "codes": {c.id: c for c in categories}, "positions": queries.positions(db, event=event),
         "states": list(State), "categories": categories, "errors": errors or {},
         "local_time": lambda m: mails.local_time(m, event), "State": State},
        status_code=status,
    )  # fmt: skip


@router.get("/events/{slug}/registrations")
def organiser_list(
    request: Request,
    state: str | None = None,
    category: str | None = None,
    q: str | None = Query(None, max_length=200),
    page: int = Query(1, ge=1, le=100_000),
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(organisers),
    db: Session = Depends(get_db),
) -> Response:
    """The event's registrations with counts per category, filters, and the decisions."""
    return _list_page(request, db, event, state=state, category=category, q=q, page=page)


@router.get("/events/{slug}/registrations/export.csv")
def export(event: Event = Depends(event_from_slug), actor: Actor = Depends(organisers), db: Session = Depends(get_db)) -> Response:
    """Every registration of the event as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Chinese)."""
    _fresh(db, event)
    body = "\ufeff" + queries.export_csv(db, event=event)
    return Response(
        body, media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="registrations-{event.slug}.csv"'},
    )  # fmt: skip


def _decide(request: Request, db: Session, event: Event, actor: Actor, registration_id: int, action: str, form: FormData) -> Response:
    registration = service.get(db, id=registration_id, event=event)
    back = str(form.get("back") or "")
    try:
        if action == "approve":
            service.approve(db, actor=actor, registration=registration)
        elif action == "decline":
            service.decline(db, actor=actor, registration=registration, reason=str(form.get("reason") or ""))
        else:
            service.cancel(db, actor=actor, registration=registration)
    except DomainError as refused:
        db.rollback()
        return _list_page(request, db, event, state=None, category=None, q=None, page=1,
                          errors={registration_id: refused.message}, status=refused.status_code)  # fmt: skip
    target = f"/events/{event.slug}/registrations"
    return RedirectResponse(target + (back if back.startswith("?") else ""), status_code=303)


@router.post("/events/{slug}/registrations/{registration_id}/approve")
def approve(
    request: Request, registration_id: int, form: FormData = Depends(csrf_form), event: Event = Depends(event_from_slug),
    actor: Actor = Depends(organisers), db: Session = Depends(get_db),
) -> Response:  # fmt: skip
    """Approve a pending registration: confirmed if a place is free, otherwise waiting."""
    return _decide(request, db, event, actor, registration_id, "approve", form)


@router.post("/events/{slug}/registrations/{registration_id}/decline")
def decline(
    request: Request, registration_id: int, form: FormData = Depends(csrf_form), event: Event = Depends(event_from_slug),
    actor: Actor = Depends(organisers), db: Session = Depends(get_db),
) -> Response:  # fmt: skip
    """Decline with a reason, which the mail gives."""
    return _decide(request, db, event, actor, registration_id, "decline", form)


@router.post("/events/{slug}/registrations/{registration_id}/cancel")
def cancel(
    request: Request, registration_id: int, form: FormData = Depends(csrf_form), event: Event = Depends(event_from_slug),
    actor: Actor = Depends(organisers), db: Session = Depends(get_db),
) -> Response:  # fmt: skip
    """Cancel a registration; a place it held goes to the next person waiting."""
    return _decide(request, db, event, actor, registration_id, "cancel", form)


def _category_values(category: RegistrationCategory, event: Event) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(category, name) for name in CATEGORY_FORM_FIELDS}
    values["capacity"] = "" if category.capacity is None else category.capacity
    values["opens_at"], values["closes_at"] = _local_input(category.opens_at, event), _local_input(category.closes_at, event)
    values["requires_approval"], values["is_public"] = category.requires_approval, category.is_public
    return values


def _categories_page(
    request: Request, db: Session, event: Event, *, failed: str | None = None, values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    categories = service.list_categories(db, event=event)
    forms = {str(c.id): _category_values(c, event) for c in categories}
    forms["new"] = {"claim_hours": 48, "is_public": True, "requires_approval": False}
    if failed is not None and values is not None:
        forms[failed] = values
    stored = service.CONSENT.get(db, event_id=event.id)
    return render(
        request,
        "registration/categories.html",
        {"event": event, "categories": categories, "forms": forms, "failed": failed, "errors": errors or {},
         "consent": forms.get("consent") or {"zh": stored.get("zh", ""), "en": stored.get("en", "")}, "zone": _zone(event).key,
         "default_consent": service.consent_text(db, event=event)},
        status_code=status,
    )  # fmt: skip


@router.get("/events/{slug}/registrations/categories")
def categories(
    request: Request, event: Event = Depends(event_from_slug), actor: Actor = Depends(organisers), db: Session = Depends(get_db)
) -> Response:
    """The event's categories (capacity, approval, public, claim hours, opening window) and the consent text."""
    return _categories_page(request, db, event)


def _category_form(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(form.get(name) or "") for name in CATEGORY_FORM_FIELDS}
    values["requires_approval"] = bool(form.get("requires_approval"))
    values["is_public"] = bool(form.get("is_public"))
    return values


@router.post("/events/{slug}/registrations/categories")
def create_category(
    request: Request, form: FormData = Depends(csrf_form), event: Event = Depends(event_from_slug),
    actor: Actor = Depends(organisers), db: Session = Depends(get_db),
) -> Response:  # fmt: skip
    """Add a category; a refused form comes back filled in."""
    values = _category_form(form)
    try:
        service.create_category(db, actor=actor, event=event, data=values)
    except DomainError as refused:
        db.rollback()
        return _categories_page(request, db, event, failed="new", values=values, errors=_errors(refused), status=refused.status_code)
    return RedirectResponse(f"/events/{event.slug}/registrations/categories", status_code=303)


def _own_category(db: Session, event: Event, category_id: int) -> RegistrationCategory:
    found = db.get(RegistrationCategory, category_id)
    if found is None or found.event_id != event.id:
        raise NotFound(_("There is no such registration category in this event."), field="category")
    return found


@router.post("/events/{slug}/registrations/categories/{category_id}")
def update_category(
    request: Request, category_id: int, form: FormData = Depends(csrf_form), event: Event = Depends(event_from_slug),
    actor: Actor = Depends(organisers), db: Session = Depends(get_db),
) -> Response:  # fmt: skip
    """Change a category; a larger capacity offers the new places to the waiting list at once."""
    category = _own_category(db, event, category_id)
    values = _category_form(form)
    try:
        service.update_category(db, actor=actor, category=category, data=values)
    except DomainError as refused:
        db.rollback()
        return _categories_page(request, db, event, failed=str(category_id), values=values, errors=_errors(refused),
                                status=refused.status_code)  # fmt: skip
    return RedirectResponse(f"/events/{event.slug}/registrations/categories", status_code=303)


@router.post("/events/{slug}/registrations/categories/{category_id}/delete")
def delete_category(
    request: Request, category_id: int, form: FormData = Depends(csrf_form), event: Event = Depends(event_from_slug),
    actor: Actor = Depends(organisers), db: Session = Depends(get_db),
) -> Response:  # fmt: skip
    """Remove a category that holds no registration."""
    category = _own_category(db, event, category_id)
    try:
        service.delete_category(db, actor=actor, category=category)
    except DomainError as refused:
        db.rollback()
        return _categories_page(request, db, event, failed=str(category_id), values=_category_values(category, event),
                                errors={"form": refused.message}, status=refused.status_code)  # fmt: skip
    return RedirectResponse(f"/events/{event.slug}/registrations/categories", status_code=303)


@router.post("/events/{slug}/registrations/consent")
def consent(
    request: Request, form: FormData = Depends(csrf_form), event: Event = Depends(event_from_slug),
    actor: Actor = Depends(organisers), db: Session = Depends(get_db),
) -> Response:  # fmt: skip
    """The consent sentence of the form, in Chinese and English."""
    zh, en = str(form.get("consent_zh") or ""), str(form.get("consent_en") or "")
    try:
        service.put_consent(db, actor=actor, event=event, zh=zh, en=en)
    except DomainError as refused:
        db.rollback()
        return _categories_page(request, db, event, failed="consent", values={"zh": zh, "en": en}, errors=_errors(refused),
                                status=refused.status_code)  # fmt: skip
    return RedirectResponse(f"/events/{event.slug}/registrations/categories#consent", status_code=303)


# Badges and check-in are written apart and served with these.
from duijie.registration import views_checkin  # noqa: E402

router.include_router(views_checkin.router)
