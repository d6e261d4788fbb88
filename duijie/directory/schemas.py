"""API shapes of organisations, accounts, invitations, sign-ups and password resets."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from duijie.directory.enums import OrgKind


class OrganisationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    kind: OrgKind
    name_zh: str
    name_en: str | None
    country: str
    district: str | None
    industries: list[str]
    flags: list[str]
    provenance: str


class GrantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    role: str
    organisation_id: int | None
    event_id: int | None
    district: str | None


class UserRead(BaseModel):
    """An account as the people who manage it see it (never its password hash)."""

    id: int
    username: str
    name_zh: str | None
    name_en: str | None
    email: str | None
    is_active: bool
    locale: str | None
    roles: list[GrantRead]


class ScopeIn(BaseModel):
    """A role and its scope, by slugs: `organisation` for enterprise, investor (and a district's government),
    `event` to limit an organiser or a judge to one event, `district` for the district role."""

    role: str
    organisation: str | None = None
    event: str | None = None
    district: str | None = None


class UserCreate(ScopeIn):
    username: str
    email: str
    password: str
    name_zh: str | None = None
    name_en: str | None = None
    locale: str | None = None


class InvitationCreate(ScopeIn):
    email: str
    name: str | None = None
    locale: str | None = None


class InvitationRead(BaseModel):
    id: int
    email: str
    role: str
    organisation_id: int | None
    event_id: int | None
    district: str | None
    state: str
    sent_count: int
    sent_at: dt.datetime
    expires_at: dt.datetime
    account_id: int | None


class InvitationAccept(BaseModel):
    token: str
    username: str
    password: str
    name_zh: str | None = None
    name_en: str | None = None
    locale: str | None = None


class ResetRequest(BaseModel):
    email: str


class ResetConfirm(BaseModel):
    token: str
    password: str


class SignUpCreate(BaseModel):
    role: str
    organisation: str
    name: str
    email: str
    username: str
    password: str
    locale: str | None = None


class SignUpRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    account_id: int
    organisation_id: int
    role: str
    state: str
    reason: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


class SignUpDecision(BaseModel):
    reason: str | None = None


class ProfileUpdate(BaseModel):
    """Only the fields given change."""

    name_zh: str | None = None
    name_en: str | None = None
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    locale: str | None = None


class Accepted(BaseModel):
    """What a request that must not tell more says: that it was received."""

    ok: bool = True
