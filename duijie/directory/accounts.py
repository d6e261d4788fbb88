"""Accounts as the web and the jobs see them: who is acting (the `Actor` of an account) and signing in.

`core.auth` holds the `Actor` every module checks permissions against; building one needs the account rows,
which live here in the directory.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duijie.core.auth import ANONYMOUS, Actor, Grant, hash_password, needs_rehash, verify_password
from duijie.core.db import utcnow
from duijie.directory.models import Account


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
    if account_id is None:
        return ANONYMOUS
    account = db.scalar(
        select(Account)
        .where(Account.id == account_id, Account.is_active.is_(True))
        .options(selectinload(Account.roles), selectinload(Account.person))
    )
    return actor_for_account(account) if account else ANONYMOUS


def authenticate(db: Session, *, username: str, password: str) -> Account | None:
    """The account if the password matches; records the login time."""
    account = db.scalar(select(Account).where(Account.username == username.strip()))
    if account is None or not account.is_active or not verify_password(account.password_hash, password):
        return None
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = utcnow()
    db.flush()
    return account
