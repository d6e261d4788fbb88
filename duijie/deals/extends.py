"""What deals adds to the pages of lower packages: the deals on a project, on the project's page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.deals.models import Deal
from duijie.deals.permissions import visible_deals
from duijie.marketplace.models import Opportunity
from duijie.marketplace.sections import PROJECT_PAGE_SECTIONS, PageSection


def project_deals(db: Session, actor: Actor, opportunity: Opportunity) -> dict[str, Any] | None:
    """The deals made on this project that the reader may see (announced signings for everyone), oldest first."""
    deals = list(
        db.scalars(
            select(Deal).where(Deal.opportunity_id == opportunity.id, visible_deals(actor)).order_by(Deal.id)
        )
    )
    return {"deals": deals} if deals else None


PROJECT_PAGE_SECTIONS.register(
    PageSection("deals/_project_deals.html", project_deals), key="deals.project_deals", order=10
)
