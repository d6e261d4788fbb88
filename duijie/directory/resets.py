"""Password reset by e-mail: a link valid for one hour and used once; the new password ends every session.

Asking gives the same answer whether or not the address has an account, and the asking is throttled per
address and per client from the recorded requests (both kinds alike), so the form tells nobody which
addresses exist and cannot be used to flood someone's mailbox.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from duijie.core.db import utcnow
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.directory import accounts, mailer, users
from duijie.directory.models import Account, PasswordReset, Person

RESET_TTL = dt.timedelta(hours=1)
THROTTLE_WINDOW = dt.timedelta(hours=1)
MAX_PER_EMAIL = 3
MAX_PER_ADDRESS = 10


def _check_throttle(db: Session, *, email: str, ip: str) -> None:
    since = utcnow() - THROTTLE_WINDOW
    by_email = db.scalar(
        select(func.count()).where(PasswordReset.email == email, PasswordReset.created_at > since)
    )
    by_ip = db.scalar(select(func.count()).where(PasswordReset.ip == ip, PasswordReset.created_at > since))
    if (by_email or 0) >= MAX_PER_EMAIL or (by_ip or 0) >= MAX_PER_ADDRESS:
        minutes = int(THROTTLE_WINDOW.total_seconds() // 60)
        raise accounts.Throttled(
            _("Too many reset requests. Try again in %(minutes)s minutes.") % {"minutes": minutes},
            retry_after=int(THROTTLE_WINDOW.total_seconds()),
            field="email",
        )


def request_reset(db: Session, *, email: str, ip: str) -> None:
    """Records the request and, for each active account with this address, queues a mail with a one-hour link.
    Returns nothing either way; refuses (429) past the throttle. The caller keeps the writes even when it
    answers with an error, so the throttle counts refused asking too."""
    address = users.check_email(email).lower()
    _check_throttle(db, email=address, ip=ip[:64])
    now = utcnow()
    found = list(
        db.scalars(
            select(Account)
            .join(Person, Person.id == Account.person_id)
            .where(func.lower(Person.email) == address, Account.is_active.is_(True))
            .order_by(Account.id)
        )
    )
    if not found:
        db.add(PasswordReset(email=address, ip=ip[:64], created_at=now, expires_at=now))
        db.flush()
        return
    for account in found:
        token = secrets.token_urlsafe(32)
        db.add(
            PasswordReset(
                email=address, ip=ip[:64], account_id=account.id, token_hash=accounts.hash_token(token),
                created_at=now, expires_at=now + RESET_TTL,
            )
        )  # fmt: skip
        db.flush()
        mailer.send(
            db,
            to=address,
            template="password_reset",
            locale=account.locale,
            context={"link": mailer.link(f"/password/reset/{token}"), "username": account.username, "minutes": 60},
            account_id=account.id,
        )


def _row(db: Session, token: str) -> PasswordReset:
    row = db.scalar(select(PasswordReset).where(PasswordReset.token_hash == accounts.hash_token(token)))
    if row is None or row.account_id is None:
        raise DomainError(_("This reset link is not valid. Ask for a new one."), field="token")
    if row.used_at is not None:
        raise DomainError(_("This reset link has already been used. Ask for a new one."), field="token")
    if row.expires_at <= utcnow():
        raise DomainError(_("This reset link has expired. Ask for a new one."), field="token")
    return row


def check_token(db: Session, token: str) -> Account:
    """The account a still-valid link resets (for the form), or the refusal saying why it no longer works."""
    row = _row(db, token)
    account = db.get(Account, row.account_id)
    if account is None or not account.is_active:
        raise DomainError(_("This reset link is not valid. Ask for a new one."), field="token")
    return account


def reset_password(db: Session, *, token: str, password: str) -> Account:
    """Sets the new password through a link. Side effects: the link and every other open link of the account
    are used up (a conditional write, so the same link twice at once resets once), the password rules are
    checked, every session of the account ends, the audit log records the change."""
    account = check_token(db, token)
    row = _row(db, token)
    accounts.check_password_rules(password, username=account.username)
    now = utcnow()
    done = db.execute(
        update(PasswordReset)
        .where(PasswordReset.id == row.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(done, "rowcount", 0) or 0) != 1:
        raise DomainError(_("This reset link has already been used. Ask for a new one."), field="token")
    db.execute(
        update(PasswordReset)
        .where(PasswordReset.account_id == account.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    accounts.set_password(db, account=account, password=password)
    return account
