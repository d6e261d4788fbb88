"""`POST /api/v1/organisations` and `PATCH /api/v1/organisations/{slug}`: organisers create organisations and edit
any; someone holding a role on an organisation edits its profile (not its kind or slug). The rules and their
messages are `directory.organisations`', the same as the pages' and the command line's."""

from __future__ import annotations

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


class OrganisationCreate(OrganisationEdit):
    slug: str = Field(..., max_length=160)
    kind: str = Field(..., max_length=40)
    name_zh: str = Field(..., max_length=400)


@router.post("", response_model=OrganisationRead, status_code=201)
def create_organisation(
    body: OrganisationCreate, actor: Actor = Depends(allow(can_create_organisation)), db: Session = Depends(get_db)
) -> OrganisationRead:
    """A new organisation (organisers); every problem named with its field."""
    org = service.create_organisation(db, actor=actor, data=body.model_dump(exclude_unset=True))
    return OrganisationRead.model_validate(org)


@router.patch("/{slug}", response_model=OrganisationRead)
def update_organisation(
    body: OrganisationEdit,
    actor: Actor = Depends(organisation_editor),
    org: Organisation = Depends(organisation_from_slug),
    db: Session = Depends(get_db),
) -> OrganisationRead:
    """Change the fields given: an organiser any organisation, a member its own (403 otherwise)."""
    service.update_organisation(db, actor=actor, org=org, data=body.model_dump(exclude_unset=True))
    return OrganisationRead.model_validate(org)
