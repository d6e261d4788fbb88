"""Invitations by e-mail to a role: a link with a random token (only its hash is kept), valid for seven days and
used once; accepting it makes the account, gives the role and signs the person in. A pending invitation can be
sent again (a new link; the old one stops working) or revoked.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from types import MappingProxyType

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, NotFound, PermissionDenied
from duijie.core.hooks import Hook
from duijie.core.i18n import gettext as _
from duijie.core.i18n import normalize_locale
from duijie.core.transitions import check
from duijie.directory import accounts, mailer, users
from duijie.directory.enums import InvitationState, Role
from duijie.directory.models import Account, Invitation
from duijie.directory.permissions import Scope, can_invite, grants_within, is_city_organiser

INVITATION_TTL = dt.timedelta(days=7)

ACCEPTED: Hook[Callable[[Session, Invitation, Account], None]] = Hook("directory.invitation_accepted")
"""Called with (db, invitation, account) in the accepting transaction, after the account and its role are made:
a higher package links what it prepared for the invitee (the contest links a judge record to the account)."""

# pending → accepted | revoked; a pending invitation past its expiry reads as expired and can still be sent
# again (a new link) or revoked.
TRANSITIONS: Mapping[str, frozenset[str]] = MappingProxyType({
    InvitationState.PENDING: frozenset({InvitationState.ACCEPTED, InvitationState.REVOKED}),
})


def state_of(invitation: Invitation, *, now: dt.datetime | None = None) -> InvitationState:
    """The state people see: a pending invitation whose link has run out is expired."""
    state = InvitationState(invitation.state)
    if state is InvitationState.PENDING and invitation.expires_at <= (now or utcnow()):
        return InvitationState.EXPIRED
    return state


def scope_of(invitation: Invitation) -> Scope:
    return Scope(invitation.role, invitation.organisation_id, invitation.event_id, invitation.district)


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = accounts.hash_token(token)
    return token


def _mail(db: Session, invitation: Invitation, token: str, *, inviter: Actor) -> None:
    """The invitation mail, in the language chosen for the invitee (the inviter's page language by default)."""
    event = users.event_ref(db, id=invitation.event_id) if invitation.event_id else None
    org = invitation.organisation
    mailer.send(
        db,
        to=invitation.email,
        template="invitation",
        locale=invitation.locale,
        context={
            "link": mailer.link(f"/invite/{token}"),
            "inviter": inviter.display_name or inviter.username or "duijie",
            "role": (Role(invitation.role).label("zh_CN"), Role(invitation.role).label("en")),
            "organisation": (org.name_zh, org.name_en) if org else None,
            "event": (event.name_zh, event.name_en) if event else None,
            "district": invitation.district,
            "expires_at": invitation.expires_at,
            "name": invitation.name,
        },
        key=f"invitation:{invitation.id}:{invitation.sent_count}",
    )


def invite(
    db: Session,
    *,
    actor: Actor,
    email: str,
    scope: Scope,
    name: str | None = None,
    locale: str | None = None,
) -> Invitation:
    """Invites an address to a role. Side effects: the invitation row (token hash, expiry in seven days), the
    mail with the link queued for after the commit, the audit entry. A pending invitation of the same address
    to the same scope is sent again instead of doubled."""
    if not can_invite(actor, scope):
        raise PermissionDenied(_("You may not invite someone to this role."))
    address = users.check_email(email)
    existing = db.scalar(
        select(Invitation).where(
            Invitation.email == address,
            Invitation.role == scope.role,
            Invitation.organisation_id.is_(None) if scope.organisation_id is None else Invitation.organisation_id == scope.organisation_id,
            Invitation.event_id.is_(None) if scope.event_id is None else Invitation.event_id == scope.event_id,
            Invitation.state == InvitationState.PENDING.value,
        )
    )
    if existing is not None:
        return resend(db, actor=actor, invitation=existing)
    now = utcnow()
    invitation = Invitation(
        email=address,
        role=scope.role,
        organisation_id=scope.organisation_id,
        event_id=scope.event_id,
        district=scope.district,
        name=(name or "").strip()[:120] or None,
        locale=normalize_locale(locale) if locale else None,
        state=InvitationState.PENDING.value,
        invited_by_id=actor.account_id,
        created_at=now,
        sent_at=now,
        sent_count=1,
        expires_at=now + INVITATION_TTL,
    )
    token = _new_token(invitation)
    db.add(invitation)
    db.flush()
    audit.record(
        db, actor=actor, entity_type="invitation", entity_id=invitation.id, action="invite", event_id=scope.event_id,
        after={"email": address, "role": scope.role, "organisation_id": scope.organisation_id, "district": scope.district},
    )  # fmt: skip
    _mail(db, invitation, token, inviter=actor)
    return invitation


def may_manage(actor: Actor, invitation: Invitation) -> bool:
    return grants_within(actor, [scope_of(invitation)])


def resend(db: Session, *, actor: Actor, invitation: Invitation) -> Invitation:
    """Sends a pending (or expired) invitation again. Side effects: a new token (the old link stops working),
    seven more days, the count of mails raised, the mail queued, the audit entry."""
    if not may_manage(actor, invitation):
        raise PermissionDenied(_("You may not manage this invitation."))
    if invitation.state != InvitationState.PENDING.value:
        raise DomainError(_("Only a pending invitation can be sent again."), field="invitation")
    now = utcnow()
    token = _new_token(invitation)
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_TTL
    invitation.sent_count += 1
    db.flush()
    audit.record(db, actor=actor, entity_type="invitation", entity_id=invitation.id, action="resend",
                 event_id=invitation.event_id, after={"sent_count": invitation.sent_count})  # fmt: skip
    _mail(db, invitation, token, inviter=actor)
    return invitation


def set_invitation_state(
    db: Session, *, actor: Actor, invitation: Invitation, to: InvitationState, account: Account | None = None
) -> Invitation:
    """The invitation's one transition (pending → accepted | revoked). Side effects: the decision time, the
    account made on acceptance, the audit entry. The write is conditional on the row still being pending, so
    two acceptances of one link at once make one account: the second finds the row changed and is refused."""
    check(
        TRANSITIONS, invitation.state, to.value, states=InvitationState, field="invitation",
        message=_("An invitation cannot go from %(a)s to %(b)s."),
    )  # fmt: skip
    now = utcnow()
    done = db.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.state == InvitationState.PENDING.value)
        .values(state=to.value, decided_at=now, account_id=account.id if account else None)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(done, "rowcount", 0) or 0) != 1:
        raise DomainError(_("This invitation has already been used."), field="invitation")
    db.refresh(invitation)
    audit.record(db, actor=actor, entity_type="invitation", entity_id=invitation.id, action=to.value,
                 event_id=invitation.event_id, after={"account_id": account.id if account else None})  # fmt: skip
    return invitation


def revoke(db: Session, *, actor: Actor, invitation: Invitation) -> Invitation:
    if not may_manage(actor, invitation):
        raise PermissionDenied(_("You may not manage this invitation."))
    return set_invitation_state(db, actor=actor, invitation=invitation, to=InvitationState.REVOKED)


def by_token(db: Session, token: str) -> Invitation:
    """The pending invitation of a link, or a refusal that says why the link no longer works."""
    invitation = db.scalar(
        select(Invitation)
        .where(Invitation.token_hash == accounts.hash_token(token))
        .options(selectinload(Invitation.organisation))
    )
    if invitation is None:
        raise NotFound(
            _("This invitation link is not valid. It may have been replaced by a newer one; ask for a new invitation."),
            field="token",
        )
    state = state_of(invitation)
    if state is InvitationState.EXPIRED:
        raise DomainError(_("This invitation has expired; ask the person who invited you to send it again."), field="token")
    if state is InvitationState.ACCEPTED:
        raise DomainError(_("This invitation has already been used. Sign in with the account it made."), field="token")
    if state is InvitationState.REVOKED:
        raise DomainError(_("This invitation was withdrawn."), field="token")
    return invitation


def accept(
    db: Session,
    *,
    token: str,
    username: str,
    password: str,
    name_zh: str | None = None,
    name_en: str | None = None,
    locale: str | None = None,
) -> Account:
    """Accepts an invitation: the account (with the invited address), its role and scope, the invitation
    marked accepted (once only). The caller starts the session."""
    invitation = by_token(db, token)
    account = users.new_account(
        db,
        username=username,
        email=invitation.email,
        password=password,
        scope=scope_of(invitation),
        name_zh=name_zh or invitation.name,
        name_en=name_en,
        locale=locale or invitation.locale,
    )
    set_invitation_state(
        db, actor=accounts.actor_for_account(account), invitation=invitation, to=InvitationState.ACCEPTED, account=account
    )
    for linked in ACCEPTED:
        linked(db, invitation, account)
    return account


def accept_into(db: Session, *, token: str, account: Account) -> Account:
    """Accepts an invitation into the account already signed in: the invited role and scope are added to it
    (a person invited a second time, to another role or event, keeps one login instead of gaining a second
    account), and the link is used up. Side effects as `accept`; a role the account already holds is not
    granted twice."""
    invitation = by_token(db, token)
    scope = scope_of(invitation)
    held = any(
        grant.role == scope.role
        and grant.organisation_id == scope.organisation_id
        and grant.event_id == scope.event_id
        and grant.district == scope.district
        for grant in account.roles
    )
    if not held:
        users.grant(db, account, scope)
        db.refresh(account, ["roles"])
    set_invitation_state(
        db, actor=accounts.actor_for_account(account), invitation=invitation, to=InvitationState.ACCEPTED, account=account
    )
    for linked in ACCEPTED:
        linked(db, invitation, account)
    return account


def get(db: Session, *, id: int) -> Invitation:
    invitation = db.get(Invitation, id)
    if invitation is None:
        raise NotFound(_("No such invitation."), field="invitation")
    return invitation


def list_for(db: Session, *, actor: Actor, limit: int = 500) -> list[Invitation]:
    """The invitations the actor manages, newest first (every one for the city-wide organiser)."""
    stmt = select(Invitation).options(selectinload(Invitation.organisation)).order_by(Invitation.id.desc())
    if not is_city_organiser(actor):
        events = {g.event_id for g in actor.grants if g.role == "organiser" and g.event_id is not None}
        orgs = actor.organisations()
        stmt = stmt.where(Invitation.organisation_id.in_(orgs) | Invitation.event_id.in_(events))
    return [i for i in db.scalars(stmt.limit(limit)) if may_manage(actor, i)]

