"""What matching adds to the pages of lower packages: the investors (or technology offers and demands) that may
fit a project, on the project's page."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.marketplace.models import Opportunity
from duijie.marketplace.sections import PROJECT_PAGE_SECTIONS, PageSection
from duijie.matching import service as match_service


def project_matches(db: Session, actor: Actor, opportunity: Opportunity) -> dict[str, Any] | None:
    """The suggestions for this project if the viewer may see them (the page already names the project)."""
    found = match_service.opportunity_matches(db, actor, opportunity)
    if not found["allowed"]:
        return None
    return {k: v for k, v in found.items() if k != "opp"}


PROJECT_PAGE_SECTIONS.register(
    PageSection("matching/_project_matches.html", project_matches), key="matching.project_matches", order=20
)
