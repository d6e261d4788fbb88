"""What policies adds to the pages of lower packages: the policies that may apply, on an enterprise's
recommendations page."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy.orm import Session

from duijie.matching.sections import RECOMMENDATION_SECTIONS, PageSection, Viewer
from duijie.policies.suggest import suggest_policies


def recommended_policies(db: Session, viewer: Viewer) -> dict[str, Any] | None:
    """The five policies that may apply to the viewer's enterprise, with a link to the full list."""
    if viewer.enterprise is None:
        return None
    found = suggest_policies(db, organisation=viewer.enterprise, limit=5)
    if not found:
        return None
    return {"policy_suggestions": found, "suggestions_own": True, "suggestions_more": "/policies/suggest"}


RECOMMENDATION_SECTIONS.register(
    PageSection("policies/_suggested.html", recommended_policies), key="policies.suggested"
)


# -- the facts an organisation's edit page, its API and its command offer (directory.profile_data) ---------------

from duijie.directory.enums import OrgFlag  # noqa: E402
from duijie.directory.profile_data import FACT_FIELDS, DataField, Kind  # noqa: E402
from duijie.policies.facts import CHOICE_EN, FACTS, FactType  # noqa: E402

# Facts the profile itself holds (its district, park, industries and flags) are edited there, not twice.
_ON_PROFILE = frozenset({"registered_district", "park", "industries", *(f.value for f in OrgFlag)})
_KINDS: Mapping[FactType, Kind] = MappingProxyType({
    FactType.MONEY: Kind.AMOUNT,
    FactType.DATE: Kind.DATE,
    FactType.INT: Kind.INT,
    FactType.NUMBER: Kind.NUMBER,
    FactType.RATIO: Kind.RATIO,
    FactType.BOOL: Kind.BOOL,
    FactType.ENUM: Kind.CHOICE,
    FactType.SET: Kind.CHOICES,
})


def editable_facts() -> list[DataField]:
    """The facts of the vocabulary an organisation states on its own page, typed as the rules read them."""
    return [
        DataField(
            key=fact.name,
            label_zh=fact.label_zh,
            label_en=fact.label_en,
            kind=_KINDS[fact.type],
            choices=tuple((c, c, CHOICE_EN.get(c, c)) for c in fact.choices),
            unit_zh="" if fact.type == FactType.MONEY else fact.unit_zh,
            unit_en="" if fact.type == FactType.MONEY else fact.unit_en,
            minimum=fact.minimum,
            maximum=fact.maximum,
            past_only=fact.past_only,
        )
        for fact in FACTS.values()
        if fact.name not in _ON_PROFILE
    ]


FACT_FIELDS.register(editable_facts, key="policies.facts")
