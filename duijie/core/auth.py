"""Passwords (argon2) and the acting user of a request, read from the signed session cookie."""

from __future__ import annotations

from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's; re-hash at the next login."""
    return _hasher.check_needs_rehash(password_hash)


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
