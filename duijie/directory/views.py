"""Organisation pages: who they are, their projects and their deals."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duijie.core.auth import Actor
from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.core.web import get_actor, get_db, render
from duijie.deals.models import Deal, DealParty
from duijie.directory.models import Organisation
from duijie.marketplace.enums import RELEASED_STATES
from duijie.marketplace.models import Opportunity

router = APIRouter(include_in_schema=False)


@router.get("/organisations/{slug}")
def organisation_page(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    org = db.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound(_("No such organisation: %(id)s") % {"id": slug})
    projects = list(
        db.scalars(
            select(Opportunity)
            .where(Opportunity.owner_org_id == org.id, Opportunity.status.in_(RELEASED_STATES))
            .options(selectinload(Opportunity.event))
            .order_by(Opportunity.amount.desc())
            .limit(50)
        )
    )
    deals = list(
        db.scalars(
            select(Deal)
            .join(DealParty)
            .where(DealParty.organisation_id == org.id)
            .options(selectinload(Deal.event))
            .order_by(Deal.signed_on.desc(), Deal.id)
            .limit(50)
        )
    )
    return render(request, "directory/organisation.html", {"org": org, "projects": projects, "deals": deals})
