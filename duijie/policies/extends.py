"""What policies adds to the pages of lower packages: the policies that may apply, on an enterprise's
recommendations page."""

from __future__ import annotations

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
