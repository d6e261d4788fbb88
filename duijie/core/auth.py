"""Passwords (argon2) and the acting user of a request, read from the signed session cookie."""

from __future__ import annotations

from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duijie.core.db import utcnow
from duijie.directory.models import Account

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Grant:
    role: str
    organisation_id: int | None = None
    district: str | None = None
    event_id: int | None = None


@dataclass(frozen=True)
class Actor:
    """Who is acting: an account and its roles. Anonymous visitors are an Actor with no account."""

    account_id: int | None = None
    username: str | None = None
    display_name: str | None = None
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def is_authenticated(self) -> bool:
        return self.account_id is not None

    def has_role(self, role: str) -> bool:
        return any(g.role == role for g in self.grants)

    def districts(self) -> set[str]:
        return {g.district for g in self.grants if g.role == "district" and g.district}

    def organisations(self, role: str | None = None) -> set[int]:
        return {
            g.organisation_id
            for g in self.grants
            if g.organisation_id is not None and (role is None or g.role == role)
        }

    @property
    def roles(self) -> list[str]:
        return sorted({g.role for g in self.grants})


ANONYMOUS = Actor()


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
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = utcnow()
    db.flush()
    return account
