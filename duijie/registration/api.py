"""The registration API: categories, registrations, decisions, the waiting list.

Registering is public (a published event's public, open categories); the person then acts through the token of
their manage link (`/api/v1/registrations/{token}`), as on the page the mails link to. Everything else is the
event's organisers': categories, the list with its counts, approvals, declines, cancellations, the waiting
list, the consent text. Each refusal names its field, in the request's language, as the pages do.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.schemas import ErrorBody, Page, paginate_params
from duijie.core.web import allow, get_actor, get_db
from duijie.directory.models import Account
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.events.permissions import can_manage_event
from duijie.registration import mails, queries, service
from duijie.registration.models import Registration
from duijie.registration.schemas import (
    CategoryCount,
    CategoryRead,
    CategoryWrite,
    Consent,
    Decline,
    PlaceChange,
    PlaceRead,
    RegistrationCreate,
    RegistrationCreated,
    RegistrationRead,
)
from duijie.registration.waiting import State

router = APIRouter(
    prefix="/api/v1",
    tags=["registration"],
    responses={403: {"model": ErrorBody}, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)

organisers = allow(can_manage_event, on=event_from_slug)


def _read(db: Session, registration: Registration) -> RegistrationRead:
    return RegistrationRead.of(registration, position=service.position(db, registration))


def _fresh(db: Session, event: Event) -> None:
    """Expired offers pass on before anything is read (the job may not have run yet)."""
    if service.overdue(db, event=event):
        service.sweep(db, event=event)


@router.get("/events/{slug}/registration/categories", response_model=list[CategoryRead])
def list_categories(
    event: Event = Depends(event_from_slug), actor: Actor = Depends(get_actor), db: Session = Depends(get_db)
) -> list[CategoryRead]:
    """The categories open to the public now; an organiser of the event sees every category."""
    rows = service.list_categories(db, event=event) if can_manage_event(actor, event) else service.public_categories(db, event=event)
    return [CategoryRead.of(c) for c in rows]


@router.post("/events/{slug}/registration/categories", response_model=CategoryRead, status_code=201)
def create_category(
    body: CategoryWrite, event: Event = Depends(event_from_slug), actor: Actor = Depends(organisers), db: Session = Depends(get_db)
) -> CategoryRead:
    """A new category (code unique in the event)."""
    return CategoryRead.of(service.create_category(db, actor=actor, event=event, data=body.model_dump(exclude_unset=True)))


@router.patch("/events/{slug}/registration/categories/{code}", response_model=CategoryRead)
def update_category(
    code: str, body: CategoryWrite, event: Event = Depends(event_from_slug), actor: Actor = Depends(organisers),
    db: Session = Depends(get_db),
) -> CategoryRead:  # fmt: skip
    """Change the fields given; a larger capacity offers the new places to the waiting list at once."""
    category = service.get_category(db, event=event, code=code)
    return CategoryRead.of(service.update_category(db, actor=actor, category=category, data=body.model_dump(exclude_unset=True)))


@router.delete("/events/{slug}/registration/categories/{code}", status_code=204, response_class=Response)
def delete_category(
    code: str, event: Event = Depends(event_from_slug), actor: Actor = Depends(organisers), db: Session = Depends(get_db)
) -> Response:
    """Remove a category that holds no registration (409 otherwise, saying how many)."""
    service.delete_category(db, actor=actor, category=service.get_category(db, event=event, code=code))
    return Response(status_code=204)


@router.get("/events/{slug}/registration/categories/{code}/waiting", response_model=list[RegistrationRead])
def waiting_list(
    code: str, event: Event = Depends(event_from_slug), actor: Actor = Depends(organisers), db: Session = Depends(get_db)
) -> list[RegistrationRead]:
    """The category's waiting list in the order places will be offered."""
    _fresh(db, event)
    rows = queries.waiting_list(db, category=service.get_category(db, event=event, code=code))
    return [RegistrationRead.of(r, position=n) for n, r in enumerate(rows, start=1)]


@router.put("/events/{slug}/registration/consent", response_model=Consent)
def put_consent(
    body: Consent, event: Event = Depends(event_from_slug), actor: Actor = Depends(organisers), db: Session = Depends(get_db)
) -> Consent:
    """The consent sentence of the form, in Chinese and English."""
    return Consent.model_validate(service.put_consent(db, actor=actor, event=event, zh=body.zh, en=body.en))


@router.post("/events/{slug}/registrations", response_model=RegistrationCreated, status_code=201)
def register(
    body: RegistrationCreate, event: Event = Depends(event_from_slug), actor: Actor = Depends(get_actor),
    db: Session = Depends(get_db),
) -> RegistrationCreated:  # fmt: skip
    """Register: confirmed, waiting (with the position) or pending approval, as the category decides."""
    category = service.get_category(db, event=event, code=body.category)
    account = db.get(Account, actor.account_id) if actor.account_id else None
    registration = service.register(db, event, category, body.model_dump(exclude={"category"}), account, actor=actor)
    read = _read(db, registration)
    return RegistrationCreated(**read.model_dump(), manage_url=mails.manage_link(db, registration))


@router.get("/events/{slug}/registrations", response_model=Page[RegistrationRead])
def list_registrations(
    state: State | None = None,
    category: str | None = None,
    q: str | None = Query(None, max_length=200),
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=500),
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(organisers),
    db: Session = Depends(get_db),
) -> Page[RegistrationRead]:
    """The event's registrations by arrival, filtered by state, category and text, with the total."""
    _fresh(db, event)
    cat = service.get_category(db, event=event, code=category) if category else None
    _items, total = queries.search(db, event=event, state=state.value if state else None, category=cat, text=q, page=1, page_size=1)
    page, _offset, pages = paginate_params(page, page_size, total)
    items, total = queries.search(db, event=event, state=state.value if state else None, category=cat, text=q, page=page, page_size=page_size)
    return Page[RegistrationRead](items=[_read(db, r) for r in items], total=total, page=page, page_size=page_size, pages=pages)


@router.get("/events/{slug}/registrations/summary", response_model=list[CategoryCount])
def summary(
    event: Event = Depends(event_from_slug), actor: Actor = Depends(organisers), db: Session = Depends(get_db)
) -> list[CategoryCount]:
    """Per category: capacity, registrations per state, free places."""
    _fresh(db, event)
    return [
        CategoryCount(category=CategoryRead.of(row["category"]), counts=row["counts"], free=row["free"])
        for row in queries.summary(db, event=event)
    ]


@router.post("/events/{slug}/registrations/{registration_id}/approve", response_model=RegistrationRead)
def approve(
    registration_id: int, event: Event = Depends(event_from_slug), actor: Actor = Depends(organisers),
    db: Session = Depends(get_db),
) -> RegistrationRead:  # fmt: skip
    """Approve a pending registration: confirmed if a place is free, otherwise waiting."""
    registration = service.get(db, id=registration_id, event=event)
    return _read(db, service.approve(db, actor=actor, registration=registration))


@router.post("/events/{slug}/registrations/{registration_id}/decline", response_model=RegistrationRead)
def decline(
    registration_id: int, body: Decline, event: Event = Depends(event_from_slug), actor: Actor = Depends(organisers),
    db: Session = Depends(get_db),
) -> RegistrationRead:  # fmt: skip
    """Decline a pending or waiting registration; the reason is mailed."""
    registration = service.get(db, id=registration_id, event=event)
    return _read(db, service.decline(db, actor=actor, registration=registration, reason=body.reason))


@router.post("/events/{slug}/registrations/{registration_id}/cancel", response_model=RegistrationRead)
def cancel(
    registration_id: int, event: Event = Depends(event_from_slug), actor: Actor = Depends(organisers),
    db: Session = Depends(get_db),
) -> RegistrationRead:  # fmt: skip
    """Cancel a registration; a place it held is offered to the next person waiting."""
    registration = service.get(db, id=registration_id, event=event)
    return _read(db, service.cancel(db, actor=actor, registration=registration))


@router.get("/registrations/{token}", response_model=RegistrationRead)
def mine(token: str, db: Session = Depends(get_db)) -> RegistrationRead:
    """One's own registration by the token of the manage link (public on purpose: the link is the key)."""
    registration = service.by_token(db, token)
    event = db.get(Event, registration.event_id)
    assert event is not None
    _fresh(db, event)
    db.refresh(registration)
    return _read(db, registration)


@router.post("/registrations/{token}/cancel", response_model=RegistrationRead)
def cancel_mine(token: str, actor: Actor = Depends(get_actor), db: Session = Depends(get_db)) -> RegistrationRead:
    """Cancel one's own registration through the manage link."""
    return _read(db, service.cancel(db, actor=actor, registration=service.by_token(db, token)))


@router.post("/registrations/{token}/claim", response_model=RegistrationRead)
def claim_mine(token: str, actor: Actor = Depends(get_actor), db: Session = Depends(get_db)) -> RegistrationRead:
    """Claim the place offered, before its deadline."""
    return _read(db, service.claim(db, actor=actor, registration=service.by_token(db, token)))


@router.post("/registrations/{token}/sessions/{session_id}", response_model=PlaceRead)
def change_place(
    token: str, session_id: int, body: PlaceChange, actor: Actor = Depends(get_actor), db: Session = Depends(get_db)
) -> PlaceRead:
    """Take a place in a session (confirmed or waiting), cancel it, or claim the place offered."""
    registration = service.by_token(db, token)
    event = db.get(Event, registration.event_id)
    assert event is not None
    session = service.get_session(db, event=event, session_id=session_id)
    place = service.act_on_place(db, actor=actor, registration=registration, session=session, action=body.action)
    return PlaceRead(session_id=place.session_id, state=State(place.state), offered_until=place.offered_until)


# The badge and check-in API is written apart and served with this.
from duijie.registration import api_checkin  # noqa: E402

router.include_router(api_checkin.router)
