"""Permission-matrix entries for the "run your own event" APIs (collected into `matrix.ENTRIES`): the projects
import is the importers' (organisers and district accounts, as on the `/import` page; each row is then checked
on its district, so a district's row elsewhere is a 422 that writes nothing), its template is public as on the
page; the grid's pin, move, arrange and unpin are event A's organisers' (B's organiser is refused), and a
refused write changes nothing (the probes read A's projects and A's grid)."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.marketplace.models import Opportunity
from duijie.meetings.models import Meeting
from tests.security.matrix import DISTRICTS, EVENT_ORGANISERS, ORGANISERS, PUBLIC, Entry, only
from tests.security.world import OWN_DISTRICT, World

GRID = only(*EVENT_ORGANISERS)
API = "/api/v1/events/{slug}/meetings"


def projects(db: Session, w: World) -> Any:
    """What an import would change: every project's number, title and amount."""
    return db.execute(
        select(Opportunity.external_id, Opportunity.title_zh, Opportunity.amount).order_by(Opportunity.id)
    ).all()


def grid(db: Session, w: World) -> Any:
    """What a placement would change: A's meetings, where they are and whether pinned."""
    return db.execute(
        select(Meeting.request_id, Meeting.slot_id, Meeting.table_id, Meeting.pinned, Meeting.state)
        .where(Meeting.event_id == w.event_a_id)
        .order_by(Meeting.request_id)
    ).all()


def _sheet(w: World) -> dict[str, Any]:
    """One project of event A in A's district (the own district may import it; the other district's row is
    refused)."""
    data = f"项目编号,项目名称,区域,金额\nMATRIX-API-1,矩阵接口项目,{OWN_DISTRICT},1亿\n".encode()
    return {"filename": "matrix.csv", "content_base64": base64.b64encode(data).decode("ascii")}


def _place(w: World) -> dict[str, Any]:
    return {"slot_id": w.slot, "table": 2}


ENTRIES: tuple[Entry, ...] = (
    Entry("GET", "/api/v1/imports/projects/template", PUBLIC),
    Entry(
        "POST", "/api/v1/imports/projects", only(*ORGANISERS, *DISTRICTS), json=_sheet, also_ok=(422,), probe=projects,
        note="each imported row is then checked on its district and event",
    ),
    Entry("POST", API + "/requests/{request_id}/pin", GRID, json=_place, also_ok=(409, 422), probe=grid),
    Entry("POST", API + "/meetings/{meeting_id}/move", GRID, json=_place, also_ok=(409, 422), probe=grid),
    Entry(
        "POST", API + "/arrange", GRID, also_ok=(409, 422), probe=grid,
        json=lambda w: {"a": w.participant_enterprise, "b": w.participant_other, "slot_id": w.slot, "table": 2},
    ),
    Entry("POST", API + "/meetings/{meeting_id}/unpin", GRID, probe=grid),
)
