"""Builders for deal records: a deal of one event at a given stage, with the facts that stage needs.

They write through the ORM to arrange the world a test starts from (as `tests/factories.py` does); what a test
exercises (moving a deal, lists, the board, exports, figures) goes through the services and the web.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from duijie.deals.enums import CLOSED_STATUSES, PIPELINE, SIGNED_STAGES
from duijie.deals.models import Deal
from duijie.events.models import Event

_serial = itertools.count(1)


def deal(db: Session, event: Event | None, *, stage: str = "lead", **values: Any) -> Deal:
    """A deal of `event` in 海淀区 at `stage`, opened on 2026-01-01, with the facts of every stage it has
    passed: signed for 200 million yuan on 2026-04-25, its contract on 2026-06-01, landed on 2026-09-01 in
    中关村软件园, verified on 2026-10-01. `status="lost"` (and a reason) for a lost one."""
    n = next(_serial)
    fields: dict[str, Any] = {
        "external_id": f"factory-deal-{n}",
        "event_id": event.id if event else None,
        "title_zh": f"测试签约{n}",
        "title_en": f"Test deal {n}",
        "stage": stage,
        "category": "park_cooperation",
        "industry": "人工智能",
        "district": "海淀区",
        "planned_amount": Decimal("300000000.00"),
        "provenance": "manual",
        "opened_on": dt.date(2026, 1, 1),
    }
    if stage in SIGNED_STAGES:
        fields.update(signed_amount=Decimal("200000000.00"), signed_on=dt.date(2026, 4, 25))
    if PIPELINE.index(stage) >= PIPELINE.index("contract"):
        fields["contract_on"] = dt.date(2026, 6, 1)
    if PIPELINE.index(stage) >= PIPELINE.index("landed"):
        fields.update(landed_on=dt.date(2026, 9, 1), landed_site="中关村软件园")
    if stage == "verified":
        fields["verified_on"] = dt.date(2026, 10, 1)
    if values.get("status") in CLOSED_STATUSES:
        fields["status_reason"] = "测试"
    fields.update(values)
    row = Deal(**fields)
    db.add(row)
    db.flush()
    return row
