"""Recommendations read from stored matches, "not interested" feedback, and who has no good match yet."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.i18n import set_locale
from duijie.directory.accounts import load_actor
from duijie.directory.models import Account, Organisation
from duijie.events.models import Event
from duijie.matching import service
from duijie.matching.demo import recompute_demo_event
from duijie.matching.models import MatchScore


def _event(db: Session) -> Event:
    return db.scalars(select(Event).where(Event.slug == "invest-beijing-2024")).one()


def _account(db: Session, username: str) -> Account:
    return db.scalars(select(Account).where(Account.username == username)).one()


def _investor_org(db: Session) -> Organisation:
    actor = load_actor(db, _account(db, "investor").id)
    org = db.get(Organisation, next(iter(actor.organisations("investor"))))
    assert org is not None
    return org


def test_investor_recommendations_are_best_first_with_reasons(db: Session) -> None:
    set_locale("zh_CN")
    org = _investor_org(db)
    items = service.recommendations(db, event=_event(db), kind="investor", record_id=org.id, want="project")
    assert len(items) == 10
    assert [s.score for s in items] == sorted((s.score for s in items), reverse=True)
    assert all(s.record.event_id == _event(db).id for s in items)
    first = [r.text for r in items[0].reasons]
    assert any(t.startswith("同属") for t in first)
    assert any(t.startswith("偏好") or t.startswith("不在偏好范围") for t in first)


def test_reasons_follow_the_language(db: Session) -> None:
    org = _investor_org(db)
    set_locale("en")
    try:
        items = service.recommendations(
            db, event=_event(db), kind="investor", record_id=org.id, want="project"
        )
        assert any(r.text.startswith("Both in") for r in items[0].reasons)
    finally:
        set_locale("zh_CN")


def test_filters_keep_only_the_industry_asked_for(db: Session) -> None:
    org = _investor_org(db)
    items = service.recommendations(
        db, event=_event(db), kind="investor", record_id=org.id, want="project", industry="集成电路"
    )
    assert items and {s.record.industry for s in items} == {"集成电路"}


def test_not_interested_removes_the_suggestion_and_counts_in_the_next_run(db: Session) -> None:
    event = _event(db)
    account = _account(db, "investor")
    actor = load_actor(db, account.id)
    org = _investor_org(db)
    first = service.recommendations(
        db, event=event, kind="investor", record_id=org.id, want="project", account_id=account.id
    )[0]
    service.mark_not_interested(
        db,
        actor=actor,
        event=event,
        left_kind="investor",
        left_id=org.id,
        right_kind="project",
        right_id=first.record.id,
    )
    again = service.recommendations(
        db, event=event, kind="investor", record_id=org.id, want="project", account_id=account.id
    )
    assert first.record.id not in [s.record.id for s in again]
    assert len(again) == 10
    recompute_demo_event(db, event)
    row = db.scalars(
        select(MatchScore).where(
            MatchScore.event_id == event.id,
            MatchScore.left_kind == "investor",
            MatchScore.left_id == org.id,
            MatchScore.right_kind == "project",
            MatchScore.right_id == first.record.id,
        )
    ).one_or_none()
    assert row is None or any(p["name"] == "declined" for p in row.parts)


def test_feedback_for_another_organisation_is_refused(db: Session) -> None:
    event = _event(db)
    actor = load_actor(db, _account(db, "enterprise").id)
    org = _investor_org(db)
    project_id = db.scalars(select(MatchScore.right_id).where(MatchScore.right_kind == "project")).first()
    assert project_id is not None
    with pytest.raises(PermissionDenied):
        service.mark_not_interested(
            db,
            actor=actor,
            event=event,
            left_kind="investor",
            left_id=org.id,
            right_kind="project",
            right_id=project_id,
        )


def test_unknown_kind_names_the_field(db: Session) -> None:
    with pytest.raises(DomainError) as info:
        service.recommendations(db, event=_event(db), kind="judge", record_id=1, want="project")
    assert info.value.details[0].field == "kind"


def test_project_and_enterprise_see_investors(db: Session) -> None:
    event = _event(db)
    project_id = db.scalars(
        select(MatchScore.right_id).where(MatchScore.event_id == event.id, MatchScore.right_kind == "project")
    ).first()
    assert project_id is not None
    investors = service.recommendations(
        db, event=event, kind="project", record_id=project_id, want="investor"
    )
    assert investors and {s.record.kind for s in investors} == {"investor"}
    actor = load_actor(db, _account(db, "enterprise").id)
    enterprise_id = next(iter(actor.organisations("enterprise")))
    fits = service.recommendations(
        db, event=event, kind="enterprise", record_id=enterprise_id, want="investor"
    )
    partners = service.recommendations(
        db, event=event, kind="enterprise", record_id=enterprise_id, want="enterprise"
    )
    assert fits and {s.record.kind for s in fits} == {"investor"}
    assert partners and enterprise_id not in {s.record.id for s in partners}


def test_no_good_match_lists_those_below_the_bar(db: Session) -> None:
    lonely = service.no_good_match_yet(db, event=_event(db))
    assert sorted(lonely) == ["enterprise", "investor", "participant", "project"]
    for items in lonely.values():
        assert all(item.best < item.threshold or item.best <= 0 for item in items)
        assert [i.best for i in items] == sorted(i.best for i in items)
