"""Route dependencies of the deal pages and the API: the deal of the path, as its reader may see it."""

from __future__ import annotations

from fastapi import Depends
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.web import allow, get_actor, get_db
from duijie.deals import service as deal_service
from duijie.deals.models import Deal
from duijie.deals.permissions import (
    can_announce_deal,
    can_manage_deal,
    can_see_evidence,
    can_verify_deal,
    sees_deal_internals,
)


def deal_from_path(deal_id: int, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)) -> Deal:
    """`deal: Deal = Depends(deal_from_path)`: the deal of the path if the reader may see it, else 404."""
    return deal_service.get(db, id=deal_id, actor=actor)


# The organiser of the deal's event and the district it is located in change a deal; the organiser announces it;
# its tasks are read by those related to it (organiser, district, parties).
deal_manager = allow(can_manage_deal, on=deal_from_path)
deal_announcer = allow(can_announce_deal, on=deal_from_path)
deal_insider = allow(sees_deal_internals, on=deal_from_path)
deal_evidence_reader = allow(can_see_evidence, on=deal_from_path)
deal_verifier = allow(can_verify_deal, on=deal_from_path)
