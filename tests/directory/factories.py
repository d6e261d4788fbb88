"""Builders for the directory's own records: invitations (with the raw token a mailed link would carry),
sign-ups waiting for a decision, and password-reset links. They write through the ORM, as the suite's
factories do; what a test exercises goes through the pages, the API or the services."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from typing import Any

from sqlalchemy.orm import Session

from duijie.core.db import utcnow
from duijie.directory.accounts import hash_token
from duijie.directory.models import Account, Invitation, Organisation, PasswordReset, SignUp
from tests import factories

_serial = itertools.count(1)


def invitation(db: Session, *, role: str = "investor", organisation: Organisation | None = None,
               expires_in: dt.timedelta = dt.timedelta(days=7), **values: Any) -> tuple[Invitation, str]:
    """A pending invitation and the token of its link."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    fields: dict[str, Any] = {
        "email": f"invitee{next(_serial)}@example.org", "role": role,
        "organisation_id": organisation.id if organisation else None, "state": "pending", "token_hash": hash_token(token),
        "created_at": now, "sent_at": now, "sent_count": 1, "expires_at": now + expires_in,
    }  # fmt: skip
    fields.update(values)
    row = Invitation(**fields)
    db.add(row)
    db.flush()
    return row, token


def sign_up(db: Session, *, role: str = "enterprise", **values: Any) -> SignUp:
    """A pending sign-up: a new organisation of the role's kind and its inactive account."""
    org = factories.organisation(db, kind=role, provenance="sign-up")
    account = factories.account(db, role=role, organisation=org, is_active=False)
    row = SignUp(account_id=account.id, organisation_id=org.id, role=role, state="pending", **values)
    db.add(row)
    db.flush()
    return row


def reset_link(db: Session, account: Account, *, expires_in: dt.timedelta = dt.timedelta(hours=1)) -> str:
    """A reset link's token for the account."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    email = account.person.email if account.person and account.person.email else "x@example.org"
    db.add(PasswordReset(email=email.lower(), ip="test", account_id=account.id, token_hash=hash_token(token),
                         created_at=now, expires_at=now + expires_in))  # fmt: skip
    db.flush()
    return token
