"""The People page (用户): the accounts someone manages, their invitations with their state, and for the
city-wide organiser the sign-ups waiting for a decision.

Every route needs someone who has people (`can_see_people`); what each may touch is decided per record by the
services (an organiser of one event, an enterprise's staff, the city-wide organiser), which refuse with 403.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import column, select, table
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core import i18n
from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.web import allow, csrf_form, get_db, render
from duijie.directory import invitations, signups, users
from duijie.directory.enums import Role, SignUpState
from duijie.directory.models import Organisation
from duijie.directory.permissions import can_decide_sign_ups, can_see_people, is_city_organiser
from duijie.directory.views_onboarding import field_errors, values_of

router = APIRouter(include_in_schema=False)

INVITE_FIELDS = ("email", "role", "organisation", "event", "district", "name", "locale")
_EVENTS = table("event", column("id"), column("slug"), column("name_zh"), column("name_en"), column("starts_on"))


def _choices(db: Session, actor: Actor) -> dict[str, Any]:
    """What the invitation form offers this actor: the roles, events and organisations they may invite to."""
    city = is_city_organiser(actor)
    event_ids = {g.event_id for g in actor.grants if g.role == "organiser" and g.event_id is not None}
    events = db.execute(
        select(_EVENTS.c.id, _EVENTS.c.slug, _EVENTS.c.name_zh, _EVENTS.c.name_en).order_by(_EVENTS.c.starts_on.desc())
    ).all()
    if not city:
        events = [e for e in events if e.id in event_ids]
    org_ids = actor.organisations()
    org_stmt = select(Organisation).order_by(Organisation.name_zh)
    orgs = list(db.scalars(org_stmt if city else org_stmt.where(Organisation.id.in_(org_ids))))
    if city:
        roles = list(Role)
    else:
        allowed = {g.role for g in actor.grants if g.organisation_id is not None} | (
            {"organiser", "judge"} if event_ids else set()
        )
        roles = [r for r in Role if r.value in allowed]
    return {"events": events, "organisations": orgs, "roles": roles, "city": city}


def _page(
    request: Request,
    db: Session,
    actor: Actor,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    pending = signups.list_all(db, state=SignUpState.PENDING.value) if can_decide_sign_ups(actor) else []
    people = users.people_of(db, actor=actor, q=request.query_params.get("q"))
    context: dict[str, Any] = {
        "people": people,
        # A self-registered account reads "waiting for approval" or "declined", not "disabled".
        "sign_up_states": signups.states_of(db, account_ids=[a.id for a in people]),
        "invitations": invitations.list_for(db, actor=actor),
        "sign_ups": pending,
        "state_of": invitations.state_of,
        "sign_up_label": lambda state: SignUpState(state).label(i18n.get_locale()),
        "values": values or {"locale": i18n.get_locale()},
        "errors": errors or {},
        "message": message or _message(request.query_params.get("done")),
        "q": request.query_params.get("q") or "",
        **_choices(db, actor),
    }
    return render(request, "directory/people.html", context, status_code=status)


def _message(code: str | None) -> str | None:
    return {
        "invited": _("The invitation was sent."),
        "resent": _("The invitation was sent again with a new link."),
        "revoked": _("The invitation was withdrawn; its link no longer works."),
        "approved": _("The sign-up was approved; the applicant can sign in and was told by mail."),
        "declined": _("The sign-up was declined; the applicant was told why by mail."),
        "disabled": _("The account was disabled and signed out everywhere."),
        "enabled": _("The account can sign in again."),
    }.get(code or "")


def _done(code: str) -> Response:
    return RedirectResponse(f"/people?done={code}", status_code=303)


@router.get("/people")
def people(request: Request, actor: Actor = Depends(allow(can_see_people)), db: Session = Depends(get_db)) -> Response:
    """The people the actor manages, their invitations, and the sign-ups waiting for the organiser."""
    return _page(request, db, actor)


@router.post("/people/invitations")
def invite(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(allow(can_see_people)),
    db: Session = Depends(get_db),
) -> Response:
    """Invites an address to a role; the form comes back filled in with the refusal beside its field."""
    values = values_of(form, *INVITE_FIELDS)
    try:
        scope = users.resolve_scope(
            db, role=values["role"], organisation=values["organisation"] or None, event=values["event"] or None,
            district=values["district"] or None,
        )  # fmt: skip
        invitations.invite(
            db, actor=actor, email=values["email"], scope=scope, name=values["name"], locale=values["locale"] or None
        )
    except DomainError as refused:
        return _page(request, db, actor, values=values, errors=field_errors(refused), status=refused.status_code)
    return _done("invited")


@router.post("/people/invitations/{invitation_id}/resend")
def resend_invitation(
    invitation_id: int,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(allow(can_see_people)),
    db: Session = Depends(get_db),
) -> Response:
    """A new link for a pending (or expired) invitation; the old link stops working."""
    invitations.resend(db, actor=actor, invitation=invitations.get(db, id=invitation_id))
    return _done("resent")


@router.post("/people/invitations/{invitation_id}/revoke")
def revoke_invitation(
    invitation_id: int,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(allow(can_see_people)),
    db: Session = Depends(get_db),
) -> Response:
    invitations.revoke(db, actor=actor, invitation=invitations.get(db, id=invitation_id))
    return _done("revoked")


@router.post("/people/sign-ups/{sign_up_id}/approve")
def approve_sign_up(
    sign_up_id: int,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(allow(can_decide_sign_ups)),
    db: Session = Depends(get_db),
) -> Response:
    signups.set_sign_up_state(db, actor=actor, sign_up=signups.get(db, id=sign_up_id), to=SignUpState.APPROVED)
    return _done("approved")


@router.post("/people/sign-ups/{sign_up_id}/decline")
def decline_sign_up(
    sign_up_id: int,
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(allow(can_decide_sign_ups)),
    db: Session = Depends(get_db),
) -> Response:
    """Declines with the reason the applicant reads; without a reason the page says so beside the field."""
    row = signups.get(db, id=sign_up_id)
    try:
        signups.set_sign_up_state(
            db, actor=actor, sign_up=row, to=SignUpState.DECLINED, reason=str(form.get("reason") or "")
        )
    except DomainError as refused:
        errors = {f"reason-{row.id}": refused.message}
        return _page(request, db, actor, errors=errors, status=refused.status_code)
    return _done("declined")


@router.post("/people/accounts/{account_id}/disable")
def disable_account(
    account_id: int,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(allow(can_see_people)),
    db: Session = Depends(get_db),
) -> Response:
    """The account can no longer sign in, and every session it has ends now."""
    users.set_active(db, actor=actor, account=users.get_account(db, id=account_id), active=False)
    return _done("disabled")


@router.post("/people/accounts/{account_id}/enable")
def enable_account(
    account_id: int,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(allow(can_see_people)),
    db: Session = Depends(get_db),
) -> Response:
    users.set_active(db, actor=actor, account=users.get_account(db, id=account_id), active=True)
    return _done("enabled")
