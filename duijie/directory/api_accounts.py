"""`/api/v1/users`, `/api/v1/invitations`, `/api/v1/sign-ups` and `/api/v1/password-reset`: everything the
People page, the invitation link, the sign-up form and "forgot password" do, as JSON.

The routes for people who are not signed in yet (accepting an invitation, signing up, asking for and using a
reset link) are public on purpose; accepting and resetting sign the caller in (the session cookie), as the
pages do. The rest need someone who has people; what each may touch is decided per record by the services.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.schemas import ErrorBody
from duijie.core.web import allow, get_db, require_login
from duijie.directory import invitations, resets, signups, users
from duijie.directory.enums import SignUpState
from duijie.directory.models import Account, Invitation
from duijie.directory.permissions import can_decide_sign_ups, can_see_people
from duijie.directory.schemas import (
    Accepted,
    GrantRead,
    InvitationAccept,
    InvitationCreate,
    InvitationRead,
    ProfileUpdate,
    ResetConfirm,
    ResetRequest,
    ScopeIn,
    SignUpCreate,
    SignUpDecision,
    SignUpRead,
    UserCreate,
    UserRead,
)
from duijie.directory.views_onboarding import client_address, sign_in

ERROR_CODES = (401, 403, 404, 409, 422, 429)
router = APIRouter(prefix="/api/v1", tags=["accounts"], responses={code: {"model": ErrorBody} for code in ERROR_CODES})


def user_read(account: Account) -> UserRead:
    person = account.person
    return UserRead(
        id=account.id,
        username=account.username,
        name_zh=person.name_zh if person else None,
        name_en=person.name_en if person else None,
        email=person.email if person else None,
        is_active=account.is_active,
        locale=account.locale,
        roles=[GrantRead.model_validate(r) for r in account.roles],
    )


def invitation_read(invitation: Invitation) -> InvitationRead:
    return InvitationRead(
        id=invitation.id, email=invitation.email, role=invitation.role, organisation_id=invitation.organisation_id,
        event_id=invitation.event_id, district=invitation.district, state=invitations.state_of(invitation).value,
        sent_count=invitation.sent_count, sent_at=invitation.sent_at, expires_at=invitation.expires_at,
        account_id=invitation.account_id,
    )  # fmt: skip


def _scope(db: Session, data: ScopeIn) -> users.Scope:
    return users.resolve_scope(
        db, role=data.role, organisation=data.organisation, event=data.event, district=data.district
    )


# -- users -------------------------------------------------------------------------------------------------------


@router.get("/users", response_model=list[UserRead])
def list_users(
    q: str | None = None, actor: Actor = Depends(allow(can_see_people)), db: Session = Depends(get_db)
) -> list[UserRead]:
    """The accounts the caller manages, newest first."""
    return [user_read(a) for a in users.people_of(db, actor=actor, q=q)]


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(
    data: UserCreate, actor: Actor = Depends(allow(can_see_people)), db: Session = Depends(get_db)
) -> UserRead:
    """An account made directly with its password (to hand over in person); invitations are the usual way."""
    account = users.create_account(
        db, actor=actor, username=data.username, email=data.email, password=data.password, scope=_scope(db, data),
        name_zh=data.name_zh, name_en=data.name_en, locale=data.locale,
    )  # fmt: skip
    return user_read(account)


@router.get("/users/me", response_model=UserRead)
def me(actor: Actor = Depends(require_login), db: Session = Depends(get_db)) -> UserRead:
    return user_read(users.get_account(db, id=actor.account_id))


@router.patch("/users/me", response_model=UserRead)
def update_me(data: ProfileUpdate, actor: Actor = Depends(require_login), db: Session = Depends(get_db)) -> UserRead:
    """The caller's own name, title, phone, e-mail and language; the fields left out stay as they are."""
    account = users.get_account(db, id=actor.account_id)
    users.update_profile(db, actor=actor, account=account, change=users.ProfileChange(**data.model_dump()))
    return user_read(account)


@router.post("/users/{account_id}/disable", response_model=UserRead)
def disable_user(
    account_id: int, actor: Actor = Depends(allow(can_see_people)), db: Session = Depends(get_db)
) -> UserRead:
    """The account can no longer sign in; every session it has ends now."""
    return user_read(users.set_active(db, actor=actor, account=users.get_account(db, id=account_id), active=False))


@router.post("/users/{account_id}/enable", response_model=UserRead)
def enable_user(
    account_id: int, actor: Actor = Depends(allow(can_see_people)), db: Session = Depends(get_db)
) -> UserRead:
    return user_read(users.set_active(db, actor=actor, account=users.get_account(db, id=account_id), active=True))


# -- invitations -------------------------------------------------------------------------------------------------


@router.get("/invitations", response_model=list[InvitationRead])
def list_invitations(
    actor: Actor = Depends(allow(can_see_people)), db: Session = Depends(get_db)
) -> list[InvitationRead]:
    """The invitations the caller manages, with their state (pending, accepted, revoked, expired)."""
    return [invitation_read(i) for i in invitations.list_for(db, actor=actor)]


@router.post("/invitations", response_model=InvitationRead, status_code=201)
def create_invitation(
    data: InvitationCreate, actor: Actor = Depends(allow(can_see_people)), db: Session = Depends(get_db)
) -> InvitationRead:
    """Invites an address to a role; the mail with the link leaves after the commit."""
    invitation = invitations.invite(
        db, actor=actor, email=data.email, scope=_scope(db, data), name=data.name, locale=data.locale
    )
    return invitation_read(invitation)


@router.post("/invitations/{invitation_id}/resend", response_model=InvitationRead)
def resend_invitation(
    invitation_id: int, actor: Actor = Depends(allow(can_see_people)), db: Session = Depends(get_db)
) -> InvitationRead:
    return invitation_read(invitations.resend(db, actor=actor, invitation=invitations.get(db, id=invitation_id)))


@router.post("/invitations/{invitation_id}/revoke", response_model=InvitationRead)
def revoke_invitation(
    invitation_id: int, actor: Actor = Depends(allow(can_see_people)), db: Session = Depends(get_db)
) -> InvitationRead:
    return invitation_read(invitations.revoke(db, actor=actor, invitation=invitations.get(db, id=invitation_id)))


@router.post("/invitations/accept", response_model=UserRead, status_code=201)
def accept_invitation(data: InvitationAccept, request: Request, db: Session = Depends(get_db)) -> UserRead:
    """Accepts with the token of the mailed link: the account is made and the caller signed in."""
    account = invitations.accept(
        db, token=data.token, username=data.username, password=data.password, name_zh=data.name_zh,
        name_en=data.name_en, locale=data.locale,
    )  # fmt: skip
    sign_in(request, db, account)
    return user_read(account)


# -- sign-ups ----------------------------------------------------------------------------------------------------


@router.post("/sign-ups", response_model=SignUpRead, status_code=201)
def create_sign_up(data: SignUpCreate, db: Session = Depends(get_db)) -> SignUpRead:
    """An enterprise or investor registers; the account can sign in once the organiser approves."""
    row = signups.sign_up(
        db, role=data.role, organisation_name=data.organisation, name=data.name, email=data.email,
        username=data.username, password=data.password, locale=data.locale,
    )  # fmt: skip
    return SignUpRead.model_validate(row)


@router.get("/sign-ups", response_model=list[SignUpRead])
def list_sign_ups(
    state: str | None = None, actor: Actor = Depends(allow(can_decide_sign_ups)), db: Session = Depends(get_db)
) -> list[SignUpRead]:
    return [SignUpRead.model_validate(s) for s in signups.list_all(db, state=state)]


@router.post("/sign-ups/{sign_up_id}/approve", response_model=SignUpRead)
def approve_sign_up(
    sign_up_id: int, actor: Actor = Depends(allow(can_decide_sign_ups)), db: Session = Depends(get_db)
) -> SignUpRead:
    row = signups.set_sign_up_state(db, actor=actor, sign_up=signups.get(db, id=sign_up_id), to=SignUpState.APPROVED)
    return SignUpRead.model_validate(row)


@router.post("/sign-ups/{sign_up_id}/decline", response_model=SignUpRead)
def decline_sign_up(
    sign_up_id: int,
    data: SignUpDecision,
    actor: Actor = Depends(allow(can_decide_sign_ups)),
    db: Session = Depends(get_db),
) -> SignUpRead:
    """Declines with the reason the applicant is mailed (required)."""
    row = signups.set_sign_up_state(
        db, actor=actor, sign_up=signups.get(db, id=sign_up_id), to=SignUpState.DECLINED, reason=data.reason
    )
    return SignUpRead.model_validate(row)


# -- password reset ----------------------------------------------------------------------------------------------


@router.post("/password-reset", response_model=Accepted, status_code=202)
def request_password_reset(data: ResetRequest, request: Request, db: Session = Depends(get_db)) -> Accepted:
    """Mails a reset link if the address has an account; the answer is the same either way (429 past the
    throttle)."""
    resets.request_reset(db, email=data.email, ip=client_address(request))
    return Accepted()


@router.post("/password-reset/confirm", response_model=UserRead)
def confirm_password_reset(data: ResetConfirm, request: Request, db: Session = Depends(get_db)) -> UserRead:
    """Sets the new password with the token of the mailed link; every session ends and the caller is signed in."""
    account = resets.reset_password(db, token=data.token, password=data.password)
    sign_in(request, db, account)
    return user_read(account)
