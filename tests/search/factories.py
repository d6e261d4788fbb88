"""Builders for one searchable record of each event-owned kind, all carrying the words a test searches for."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from duijie.agenda.models import AgendaSession
from duijie.events.models import Event
from duijie.exhibition.models import Achievement, Exhibitor
from duijie.marketplace.models import Opportunity
from duijie.policies.models import Policy, PolicyPackage, PolicyVersion
from tests import factories

_serial = itertools.count(1)


def _add(db: Session, row: Any) -> Any:
    db.add(row)
    db.flush()
    return row


def records_of_event(db: Session, event: Event, words: str) -> dict[str, int]:
    """One record of every event-owned kind in `event`, each with `words` in its text: kind -> record id."""
    n = next(_serial)
    opportunity = _add(
        db,
        Opportunity(
            kind="project",
            title_zh=f"{words}项目{n}",
            title_en=f"{words} project {n}",
            category="park",
            industry="人工智能",
            district="海淀区",
            amount=Decimal("100000000"),
            status="published",
            event_id=event.id,
        ),
    )
    package = _add(
        db,
        PolicyPackage(slug=f"search-pkg-{n}", event_id=event.id, name_zh=f"{words}政策包{n}", name_en=None),
    )
    policy = _add(
        db,
        Policy(
            slug=f"search-policy-{n}", package_id=package.id, name_zh=f"{words}政策{n}", benefit_kind="subsidy"
        ),
    )
    _add(
        db,
        PolicyVersion(
            policy_id=policy.id,
            version=1,
            valid_from=dt.date(2020, 1, 1),
            clauses_zh=f"{words}条款",
            rule={"fact": "high_tech", "op": "==", "value": True},
            benefit={"kind": "subsidy", "formula": {"fact": "rd_spend", "rate": "0.1", "cap": "5000000"}},
        ),
    )
    achievement = _add(db, Achievement(event_id=event.id, title_zh=f"{words}成果{n}"))
    exhibitor = _add(
        db,
        Exhibitor(
            event_id=event.id,
            organisation_id=factories.organisation(db).id,
            showcase_zh=f"展示{words}样机",
        ),
    )
    session = _add(db, AgendaSession(event_id=event.id, title_zh=f"{words}论坛{n}"))
    return {
        "opportunity": opportunity.id,
        "package": package.id,
        "policy": policy.id,
        "achievement": achievement.id,
        "exhibitor": exhibitor.id,
        "session": session.id,
    }
