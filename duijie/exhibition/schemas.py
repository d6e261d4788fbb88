"""API and form shapes of the achievements released at a forum."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from annotated_types import Ge, Le
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from duijie.core.validation import NOT_NULL, ONE_LINE, Day, Id, Line200, Para, Slug, Title

MEDIA_SCHEMES = ("https://", "http://")


def _link(value: str | None) -> str | None:
    """A link to the release's media: an address on the web, nothing else (no javascript:, no file:)."""
    if value is None:
        return None
    text = value.strip()
    if not text.lower().startswith(MEDIA_SCHEMES) or len(text) > 500 or any(c.isspace() for c in text):
        raise ValueError("write a web address starting with https:// (or http://)")
    return text


MediaLink = Annotated[str, AfterValidator(_link)]
Field60 = Annotated[str, StringConstraints(max_length=60), ONE_LINE]
Rank = Annotated[int, Ge(1), Le(999)]


class AchievementFields(BaseModel):
    """What an achievement says; leaving a field out of an edit keeps it, `null` clears it (not the title)."""

    model_config = ConfigDict(extra="forbid")

    title_zh: Annotated[Title | None, NOT_NULL] = None
    title_en: Line200 | None = None
    institution_zh: Line200 | None = None
    institution_en: Line200 | None = None
    field: Field60 | None = None
    description_zh: Para | None = None
    description_en: Para | None = None
    released_on: Day | None = None
    rank: Rank | None = None
    session_id: Id | None = None
    media_url: MediaLink | None = None
    organisation_id: Id | None = None


class AchievementCreate(AchievementFields):
    event: Slug
    title_zh: Title


class AchievementUpdate(AchievementFields):
    """An edit; the event an achievement belongs to does not change (remove it and add it to the other)."""


class AchievementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    title_zh: str
    title_en: str | None
    institution_zh: str | None
    institution_en: str | None
    field: str | None
    description_zh: str | None
    description_en: str | None
    released_on: dt.date | None
    rank: int | None
    session_id: int | None
    media_url: str | None
    organisation_id: int | None
    provenance: str
