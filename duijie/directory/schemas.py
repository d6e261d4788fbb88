"""API shapes of organisations."""

from __future__ import annotations

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
