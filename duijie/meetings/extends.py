"""What meetings adds to the pages of lower packages: on a project's (or technology's) page, the action to
request a meeting with its owner, for a reader who takes part in an event's meetings where the owner does too.

Marketplace sits below meetings and cannot ask it; its page offers `PROJECT_PAGE_SECTIONS`, filled here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.marketplace.models import Opportunity
from duijie.marketplace.sections import PROJECT_PAGE_SECTIONS, PageSection
from duijie.meetings import directory


def project_meetings(db: Session, actor: Actor, opportunity: Opportunity) -> dict[str, Any] | None:
    """The owner's participants at the reader's events, each with "request a meeting" naming this project."""
    offers = directory.meeting_offers(db, actor=actor, organisation_ids=[opportunity.owner_org_id])
    if not offers:
        return None
    return {"meeting_offers": offers, "meeting_opportunity": opportunity.id}


PROJECT_PAGE_SECTIONS.register(
    PageSection("meetings/people/_meet_section.html", project_meetings), key="meetings.project_meetings", order=5
)
from duijie.meetings import extends_agenda as extends_agenda  # noqa: E402  (the programme's personal agenda and feed)
