"""Accounts as the web and the jobs see them: who is acting, signing in, and the sessions of a browser.

`core.auth` holds the `Actor` every module checks permissions against; building one needs the account rows,
which live here in the directory.

Sessions are kept on the server: the signed cookie carries the account id and a random token, and only the
token's hash is stored, so logout, a password change or "sign out everywhere" end a session for good, and a
copied cookie stops working at once. Sign-in is throttled per account and per address from recorded attempts
(shared by every web process), and an unknown user name costs the same password check as a known one, so the
answer time does not tell whether an account exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from duijie.core import audit, i18n
from duijie.core.auth import ANONYMOUS, Actor, Grant, hash_password, needs_rehash, verify_password
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, ErrorDetail
from duijie.directory.models import Account, AuthSession, LoginAttempt

# A session ends after this long without a request, and in any case this long after sign-in.
SESSION_IDLE = dt.timedelta(hours=12)
SESSION_MAX = dt.timedelta(days=14)
# The last-seen time is written at most this often, so reading pages does not turn every request into a write.
SEEN_EVERY = dt.timedelta(minutes=5)
# Failed sign-ins allowed in the window, per account name and per address, before answers become 429.
THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 30
MIN_PASSWORD_LENGTH = 10

# Checked when the user name is unknown, so both answers cost one argon2 verification.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


class Throttled(DomainError):
    status_code = 429

    def __init__(self, message: str, *, retry_after: int, field: str = "username") -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


def actor_for_account(account: Account) -> Actor:
    person = account.person
    return Actor(
        account_id=account.id,
        username=account.username,
        display_name=(person.name_zh if person else account.username),
        grants=tuple(
            Grant(role=r.role, organisation_id=r.organisation_id, district=r.district, event_id=r.event_id)
            for r in account.roles
        ),
    )


def load_actor(db: Session, account_id: int | None) -> Actor:
    """The actor of an account by id (jobs and commands, which carry ids, not sessions)."""
    if account_id is None:
        return ANONYMOUS
    account = db.scalar(
        select(Account)
        .where(Account.id == account_id, Account.is_active.is_(True))
        .options(selectinload(Account.roles), selectinload(Account.person))
    )
    return actor_for_account(account) if account else ANONYMOUS


def hash_token(token: str) -> str:
    """What is stored of a secret token (a session's, an invitation link's, a reset link's): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


_hash_token = hash_token


def start_session(db: Session, *, account: Account, ip: str | None, user_agent: str | None) -> str:
    """A new session for a fresh sign-in; returns the token the cookie carries (never stored as is)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(
        AuthSession(
            token_hash=_hash_token(token),
            account_id=account.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_MAX,
            ip=(ip or "")[:64] or None,
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    db.flush()
    return token


def actor_for_session(db: Session, data: Mapping[str, Any]) -> Actor:
    """The actor of a browser's session cookie, or ANONYMOUS if the session has ended or never existed."""
    token = data.get("sid")
    account_id = data.get("account_id")
    if not isinstance(token, str) or not isinstance(account_id, int):
        return ANONYMOUS
    row = db.scalar(select(AuthSession).where(AuthSession.token_hash == _hash_token(token)))
    now = utcnow()
    if (
        row is None
        or row.account_id != account_id
        or row.revoked_at is not None
        or row.expires_at <= now
        or row.last_seen_at + SESSION_IDLE <= now
    ):
        return ANONYMOUS
    actor = load_actor(db, account_id)
    if actor.is_authenticated and now - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = now
        db.flush()
    return actor


def end_session(db: Session, *, token: str | None) -> None:
    """Logout: the session's token stops working everywhere at once."""
    if token:
        db.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == _hash_token(token), AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all_sessions(db: Session, *, account_id: int, keep_token: str | None = None) -> int:
    """Sign out everywhere (or everywhere but this browser); used after a password or role change."""
    stmt = update(AuthSession).where(AuthSession.account_id == account_id, AuthSession.revoked_at.is_(None))
    if keep_token:
        stmt = stmt.where(AuthSession.token_hash != _hash_token(keep_token))
    result = db.execute(stmt.values(revoked_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def open_sessions(db: Session, *, account_id: int) -> list[AuthSession]:
    now = utcnow()
    return list(
        db.scalars(
            select(AuthSession)
            .where(
                AuthSession.account_id == account_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
                AuthSession.last_seen_at > now - SESSION_IDLE,
            )
            .order_by(AuthSession.last_seen_at.desc())
        )
    )


def check_throttle(db: Session, *, username: str, ip: str) -> None:
    """Refuses (429) an account name or an address with too many recent failed sign-ins."""
    since = utcnow() - THROTTLE_WINDOW
    name = username.strip().lower()[:80]
    by_name = db.scalar(
        select(func.count()).where(
            LoginAttempt.username == name, LoginAttempt.at > since, LoginAttempt.succeeded.is_(False)
        )
    )
    by_ip = db.scalar(
        select(func.count()).where(LoginAttempt.ip == ip, LoginAttempt.at > since, LoginAttempt.succeeded.is_(False))
    )
    if (by_name or 0) >= MAX_FAILURES_PER_ACCOUNT or (by_ip or 0) >= MAX_FAILURES_PER_ADDRESS:
        minutes = int(THROTTLE_WINDOW.total_seconds() // 60)
        raise Throttled(
            i18n.gettext("Too many failed sign-ins. Try again in %(minutes)s minutes.") % {"minutes": minutes},
            retry_after=int(THROTTLE_WINDOW.total_seconds()),
        )


def record_attempt(db: Session, *, username: str, ip: str, succeeded: bool) -> None:
    """One attempt, failed or not: the throttle counts the failures, the organiser reads both as the login log.
    A failed sign-in answers 401, so the caller keeps this write (`core.web.keep_writes`)."""
    db.add(LoginAttempt(username=username.strip().lower()[:80], ip=ip[:64], succeeded=succeeded))
    db.flush()


def authenticate(db: Session, *, username: str, password: str) -> Account | None:
    """The account if the password matches; records the login time. Unknown and inactive accounts cost the same
    password check as a wrong password, so timing does not reveal which names exist."""
    account = db.scalar(select(Account).where(Account.username == username.strip()))
    if account is None or not account.is_active:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(account.password_hash, password):
        return None
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = utcnow()
    db.flush()
    return account


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("duijie.directory").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_password_rules(password: str, *, username: str | None = None) -> None:
    """A new password: at least ten characters, not a commonly used one, not the user name. The refusal lists
    every rule it breaks, under the password field."""
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            i18n.gettext("The password needs at least %(n)s characters.") % {"n": MIN_PASSWORD_LENGTH}
        )
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append(i18n.gettext("This password is among the most commonly used ones; choose another."))
    if username and username.strip() and username.strip().lower() in lowered:
        problems.append(i18n.gettext("The password must not contain the user name."))
    if problems:
        raise DomainError(
            problems[0], field="password", details=[ErrorDetail(message=p, field="password") for p in problems]
        )


def set_password(
    db: Session, *, account: Account, password: str, keep_token: str | None = None, actor: Actor | None = None
) -> None:
    """Changes a password after checking the rules; every other session of the account ends, and the audit
    log records the change (never the password) and how many sessions it ended."""
    check_password_rules(password, username=account.username)
    account.password_hash = hash_password(password)
    db.flush()
    ended = end_all_sessions(db, account_id=account.id, keep_token=keep_token)
    audit.record(
        db,
        actor=actor or actor_for_account(account),
        entity_type="account",
        entity_id=account.id,
        action="password",
        after={"sessions_ended": ended},
    )



def session_id_of(db: Session, *, token: str | None) -> int | None:
    """The row id of the session a cookie token belongs to (to mark "this browser" in a list)."""
    if not token:
        return None
    return db.scalar(select(AuthSession.id).where(AuthSession.token_hash == _hash_token(token)))
