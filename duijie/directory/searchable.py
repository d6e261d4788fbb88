"""The directory's searchable records: organisations, which belong to no event."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.i18n import mark as _l
from duijie.core.searchable import Extract, Searchable, SearchFilters, join_lines, restrict, slug_urls
from duijie.directory.models import Organisation
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN


def _extract(row: Organisation) -> Extract:
    industries = " ".join(f"{i} {INDUSTRY_EN.get(i, '')}" for i in row.industries or [])
    district_en = DISTRICT_EN.get(row.district or "")
    facets = join_lines(row.park, row.district, district_en, industries).replace("\n", " ")
    text = join_lines(row.name_zh, row.name_en, row.description_zh, row.description_en, facets)
    return Extract("organisation", row.id, None, row.name_zh, row.name_en or row.name_zh, text)


def _visible(
    db: Session, actor: Actor | None, f: SearchFilters, event_id: int | None, among: Collection[int] | None
) -> list[int]:
    """The organisations among the candidates in the district and industry asked for (an organisation's page
    is public; its industries are a JSON list, compared here)."""
    stmt = restrict(select(Organisation.id, Organisation.industries), Organisation.id, among)
    if f.district:
        stmt = stmt.where(Organisation.district == f.district)
    return [r.id for r in db.execute(stmt) if not f.industry or f.industry in (r.industries or [])]


SEARCHABLE = (
    Searchable(
        kind="organisation",
        label=_l("Organisations"),
        order=20,
        model=Organisation,
        extract=_extract,
        visible=_visible,
        urls=slug_urls(Organisation, "/organisations/"),
        filters=frozenset({"industry", "district"}),
    ),
)
