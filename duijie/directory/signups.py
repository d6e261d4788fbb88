"""Enterprises and investors that register themselves: the account is made inactive and waits for the
organiser, who approves it (it can sign in) or declines it with a reason; the applicant gets a mail either way.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from duijie.core import audit
from duijie.core.auth import Actor, verify_password
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, NotFound, PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.transitions import check
from duijie.directory import mailer, users
from duijie.directory.enums import SIGN_UP_ROLES, SignUpState
from duijie.directory.models import Account, Organisation, SignUp
from duijie.directory.organisations import SIGN_UP_PROVENANCE
from duijie.directory.permissions import Scope, can_decide_sign_ups

TRANSITIONS: Mapping[str, frozenset[str]] = MappingProxyType({
    SignUpState.PENDING: frozenset({SignUpState.APPROVED, SignUpState.DECLINED}),
})


def _slug(name: str) -> str:
    ascii_part = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
    return f"{ascii_part or 'org'}-{secrets.token_hex(3)}"


def _organisation(db: Session, *, name: str, kind: str) -> Organisation:
    """The organisation of that name and kind if the directory has it (the organiser sees which), else a new
    one with what the applicant typed."""
    found = db.scalar(
        select(Organisation).where(
            Organisation.kind == kind,
            or_(func.lower(Organisation.name_zh) == name.lower(), func.lower(Organisation.name_en) == name.lower()),
        )
    )
    if found is not None:
        return found
    is_latin = name.isascii()
    org = Organisation(
        slug=_slug(name), kind=kind, name_zh=name, name_en=name if is_latin else None, industries=[], flags=[],
        facts={}, preferences={}, provenance=SIGN_UP_PROVENANCE,
    )  # fmt: skip
    db.add(org)
    db.flush()
    return org


def sign_up(
    db: Session,
    *,
    role: str,
    organisation_name: str,
    name: str,
    email: str,
    username: str,
    password: str,
    locale: str | None = None,
) -> SignUp:
    """Registers an enterprise or investor. Side effects: the organisation (found by name or new), the
    inactive account with its role on it, the pending sign-up, the audit entry. Nothing is mailed yet."""
    if role not in {r.value for r in SIGN_UP_ROLES}:
        raise DomainError(_("Only enterprises and investors can sign up; others are invited."), field="role")
    org_name = organisation_name.strip()
    if not org_name:
        raise DomainError(_("Enter the name of your organisation."), field="organisation")
    if not name.strip():
        raise DomainError(_("Enter your name."), field="name_zh")
    # Checked before anything is written, so a refusal leaves no organisation behind.
    users.check_username(db, username)
    users.check_email(email)
    org = _organisation(db, name=org_name[:200], kind=role)
    account = users.new_account(
        db, username=username, email=email, password=password, scope=Scope(role=role, organisation_id=org.id),
        name_zh=name, locale=locale, active=False,
    )  # fmt: skip
    row = SignUp(account_id=account.id, organisation_id=org.id, role=role, state=SignUpState.PENDING.value)
    db.add(row)
    db.flush()
    audit.record(
        db, actor=Actor(account_id=account.id, username=account.username), entity_type="sign_up", entity_id=row.id,
        action="sign_up", after={"username": account.username, "role": role, "organisation_id": org.id},
    )  # fmt: skip
    return row


def set_sign_up_state(
    db: Session, *, actor: Actor, sign_up: SignUp, to: SignUpState, reason: str | None = None
) -> SignUp:
    """The sign-up's one transition (pending → approved | declined). Side effects: approval activates the
    account, a decline keeps it inactive and needs a reason; the applicant's mail (in their language) is queued;
    the audit entry records the decision and the reason."""
    if not can_decide_sign_ups(actor):
        raise PermissionDenied(_("Only the organiser decides on sign-ups."))
    check(
        TRANSITIONS, sign_up.state, to.value, states=SignUpState, field="sign_up",
        message=_("A sign-up cannot go from %(a)s to %(b)s."),
    )  # fmt: skip
    text = (reason or "").strip()
    if to is SignUpState.DECLINED and not text:
        raise DomainError(_("Say why the sign-up is declined; the applicant reads it."), field="reason")
    account = sign_up.account
    audit.apply(
        db, actor=actor, obj=sign_up, entity_type="sign_up", action=to.value,
        changes={"state": to.value, "reason": text or None, "decided_by_id": actor.account_id, "decided_at": utcnow()},
    )  # fmt: skip
    if to is SignUpState.APPROVED:
        account.is_active = True
        db.flush()
    person = account.person
    if person is not None and person.email:
        mailer.send(
            db,
            to=person.email,
            template="sign_up_approved" if to is SignUpState.APPROVED else "sign_up_declined",
            locale=account.locale,
            context={
                "username": account.username,
                "organisation": (sign_up.organisation.name_zh, sign_up.organisation.name_en),
                "reason": text,
                "link": mailer.link("/login"),
            },
            account_id=account.id,
            key=f"sign_up:{sign_up.id}:{to.value}",
        )
    return sign_up


def get(db: Session, *, id: int) -> SignUp:
    row = db.get(SignUp, id)
    if row is None:
        raise NotFound(_("No such sign-up."), field="sign_up")
    return row


def list_all(db: Session, *, state: str | None = None, limit: int = 500) -> list[SignUp]:
    stmt = (
        select(SignUp)
        .options(selectinload(SignUp.account).selectinload(Account.person), selectinload(SignUp.organisation))
        .order_by(SignUp.id.desc())
    )
    if state:
        stmt = stmt.where(SignUp.state == state)
    return list(db.scalars(stmt.limit(limit)))


def states_of(db: Session, *, account_ids: list[int]) -> dict[int, str]:
    """account id -> the state of its sign-up, for the accounts that signed up themselves."""
    if not account_ids:
        return {}
    rows = db.execute(select(SignUp.account_id, SignUp.state).where(SignUp.account_id.in_(account_ids)))
    return {account_id: state for account_id, state in rows}


def refusal_for(db: Session, *, username: str, password: str) -> str | None:
    """Why a self-registered account with the right password cannot sign in yet (waiting, or declined with
    its reason); None for anyone else, who gets the usual answer. Only the right password learns this."""
    row = db.scalar(
        select(SignUp).join(Account, Account.id == SignUp.account_id).where(Account.username == username.strip())
    )
    if row is None or row.state == SignUpState.APPROVED.value or not verify_password(row.account.password_hash, password):
        return None
    if row.state == SignUpState.DECLINED.value:
        return _("Your sign-up was declined: %(reason)s") % {"reason": row.reason or ""}
    return _("Your sign-up is waiting for the organiser's approval; you will get an e-mail when it is decided.")
