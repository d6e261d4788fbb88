"""`POST /api/v1/organisations` and `PATCH /api/v1/organisations/{slug}`: organisers create organisations and edit
any; someone holding a role on an organisation edits its profile (not its kind or slug), its stated facts and its
investment preferences. The rules and their messages are `directory.organisations`' and `directory.profile_data`',
the same as the pages' and the command line's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.schemas import ErrorBody
from duijie.core.web import allow, get_db
from duijie.directory import organisations as service
from duijie.directory.models import Organisation
from duijie.directory.permissions import can_create_organisation, can_edit_organisation
from duijie.directory.schemas import OrganisationRead

router = APIRouter(
    prefix="/api/v1/organisations",
    tags=["organisations"],
    responses={403: {"model": ErrorBody}, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)


def organisation_from_slug(slug: str, db: Session = Depends(get_db)) -> Organisation:
    """`org: Organisation = Depends(organisation_from_slug)` in a route whose path holds `{slug}` (404 otherwise)."""
    return service.organisation_by_slug(db, slug)


organisation_editor = allow(can_edit_organisation, on=organisation_from_slug)


class OrganisationEdit(BaseModel):
    """The profile fields; on an edit only those given change. Lists accept the Chinese names (industries,
    districts) or the English ones; flags their value or label."""

    model_config = ConfigDict(extra="forbid")

    kind: str | None = Field(None, max_length=40)
    name_zh: str | None = Field(None, max_length=400)
    name_en: str | None = Field(None, max_length=400)
    country: str | None = Field(None, max_length=10)
    district: str | None = Field(None, max_length=80)
    park: str | None = Field(None, max_length=400)
    industries: list[str] | None = Field(None, max_length=40)
    flags: list[str] | None = Field(None, max_length=20)
    website: str | None = Field(None, max_length=400)
    description_zh: str | None = Field(None, max_length=20_000)
    description_en: str | None = Field(None, max_length=20_000)
    slug: str | None = Field(None, max_length=160)
    facts: dict[str, Any] | None = Field(
        None,
        max_length=60,
        description="Stated facts to change, by key (revenue, rd_spend, headcount, founded_on ...); amounts in "
        "yuan as numbers or text (2亿, 3000万, 两亿); null or \"\" removes a key.",
    )
    preferences: dict[str, Any] | None = Field(
        None,
        max_length=20,
        description="Investment preferences to change, by key: industries, districts, categories, stages (lists), "
        "ticket_min and ticket_max (yuan); null or \"\" removes a key.",
    )


class OrganisationDataRead(OrganisationRead):
    """An organisation as its editors see it: the profile with its stated facts and investment preferences."""

    facts: dict[str, Any]
    preferences: dict[str, Any]


class OrganisationCreate(OrganisationEdit):
    slug: str = Field(..., max_length=160)
    kind: str = Field(..., max_length=40)
    name_zh: str = Field(..., max_length=400)


@router.post("", response_model=OrganisationDataRead, status_code=201)
def create_organisation(
    body: OrganisationCreate, actor: Actor = Depends(allow(can_create_organisation)), db: Session = Depends(get_db)
) -> OrganisationDataRead:
    """A new organisation (organisers); every problem named with its field."""
    org = service.create_organisation(db, actor=actor, data=body.model_dump(exclude_unset=True))
    return OrganisationDataRead.model_validate(org)


@router.get("/{slug}/data", response_model=OrganisationDataRead)
def organisation_data(
    actor: Actor = Depends(organisation_editor), org: Organisation = Depends(organisation_from_slug)
) -> OrganisationDataRead:
    """The profile with its stated facts and preferences, for those who may edit them (403 otherwise)."""
    return OrganisationDataRead.model_validate(org)


@router.patch("/{slug}", response_model=OrganisationDataRead)
def update_organisation(
    body: OrganisationEdit,
    actor: Actor = Depends(organisation_editor),
    org: Organisation = Depends(organisation_from_slug),
    db: Session = Depends(get_db),
) -> OrganisationDataRead:
    """Change the fields given: an organiser any organisation, a member its own (403 otherwise). `facts` and
    `preferences` change only the keys they name."""
    service.update_organisation(db, actor=actor, org=org, data=body.model_dump(exclude_unset=True))
    return OrganisationDataRead.model_validate(org)
