"""Deal pages: the list of an event's deals and a deal with its parties and history."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.web import get_db, render
from duijie.deals import service as deal_service
from duijie.deals.enums import DealStage
from duijie.events.models import Event

router = APIRouter(include_in_schema=False)


@router.get("/deals")
def deal_list(request: Request, db: Session = Depends(get_db)) -> Response:
    qp = request.query_params
    event, stage = qp.get("event") or None, qp.get("stage") or None
    try:
        page = max(1, int(qp.get("page", "1")))
    except ValueError:
        page = 1
    items, total, page, pages = deal_service.list_deals(db, event=event, stage=stage, page=page)
    summits = list(db.scalars(select(Event).where(Event.kind == "summit").order_by(Event.starts_on)))
    params = {k: v for k, v in {"event": event, "stage": stage}.items() if v}
    return render(
        request,
        "deals/list.html",
        {
            "items": items,
            "total": total,
            "page": page,
            "pages": pages,
            "params": params,
            "stages": list(DealStage),
            "summits": summits,
            "event": event,
            "stage": stage,
        },
    )


@router.get("/deals/{deal_id}")
def deal_page(deal_id: int, request: Request, db: Session = Depends(get_db)) -> Response:
    return render(request, "deals/detail.html", {"deal": deal_service.get(db, id=deal_id)})
