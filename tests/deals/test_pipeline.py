"""The deal pipeline: the one transition function, its rules, history, audit, notifications, permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor, Grant
from duijie.core.errors import DomainError, InvalidTransition, PermissionDenied
from duijie.core.models import AuditEntry, Notification
from duijie.deals import service as deal_service
from duijie.deals.enums import DealStatus
from duijie.deals.models import Deal, DealHistory, DealTask
from duijie.deals.schemas import DealCreate, DealPartyIn, StatusChange, TaskCreate
from duijie.directory.accounts import load_actor
from duijie.directory.models import Account, Organisation
from duijie.events.service import get_event
from duijie.insight.queries import event_stats
from tests.conftest import StatementCounter, csrf_of, login

ORGANISER = Actor(account_id=None, username="t", grants=(Grant(role="organiser"),))


def _actor(db: Session, username: str) -> Actor:
    return load_actor(db, db.scalar(select(Account.id).where(Account.username == username)))


def _org(db: Session, slug: str) -> Organisation:
    return db.scalar(select(Organisation).where(Organisation.slug == slug))  # type: ignore[return-value]


def _new_deal(db: Session, *, district: str = "海淀区", parties: tuple[str, ...] = ("gov-haidian",)) -> Deal:
    event = get_event(db, slug="invest-beijing-2024")
    data = DealCreate(
        title_zh="测试洽谈项目",
        event_id=event.id,
        district=district,
        industry="人工智能",
        planned_amount="2亿",
        opened_on=dt.date(2024, 1, 1),
        parties=[DealPartyIn(organisation_id=_org(db, s).id, role="district_government") for s in parties],
    )
    return deal_service.create(db, actor=ORGANISER, data=data)


def test_a_deal_moves_along_the_pipeline_and_counts_once_signed(db: Session) -> None:
    deal = _new_deal(db)
    event = get_event(db, slug="invest-beijing-2024")
    before = event_stats(db, event).signed
    for stage in ("contacted", "negotiating", "intention"):
        deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=deal, to=stage, note=None)
    deal_service.move_deal_to_stage(
        db,
        actor=ORGANISER,
        deal=deal,
        to="signed",
        note="现场签约",
        signed_amount=Decimal("250000000"),
        signed_on=dt.date(2024, 4, 25),
    )
    after = event_stats(db, event).signed
    assert (after.count, after.amount) == (before.count + 1, before.amount + Decimal("250000000"))
    history = list(
        db.scalars(select(DealHistory).where(DealHistory.deal_id == deal.id).order_by(DealHistory.id))
    )
    assert [h.action for h in history] == ["create", "stage", "stage", "stage", "stage"]
    assert history[-1].before == {"stage": "intention", "signed_amount": None, "signed_on": None}
    assert history[-1].after == {
        "stage": "signed",
        "signed_amount": "250000000.00",
        "signed_on": "2024-04-25",
    }
    audits = db.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "deal", AuditEntry.entity_id == deal.id)
        .order_by(AuditEntry.id)
    )
    assert list(audits) == ["create", "stage", "stage", "stage", "stage"]


def test_verified_is_no_move_and_a_jump_ahead_lists_every_missing_fact(db: Session) -> None:
    deal = _new_deal(db)
    with pytest.raises(InvalidTransition) as err:
        deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=deal, to="verified", note=None)
    assert err.value.field == "stage" and deal.stage == "lead"
    with pytest.raises(DomainError) as err:
        deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=deal, to="landed", note=None)
    assert [d.field for d in err.value.details] == [
        "signed_amount",
        "signed_on",
        "contract_on",
        "landed_on",
        "landed_site",
    ]
    assert deal.stage == "lead"


def test_signing_needs_an_amount_and_a_date_and_losing_needs_a_reason(db: Session) -> None:
    deal = _new_deal(db)
    deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=deal, to="negotiating", note=None)
    with pytest.raises(DomainError) as err:
        deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=deal, to="signed", note=None)
    assert [d.field for d in err.value.details] == ["signed_amount", "signed_on"]
    with pytest.raises(DomainError) as err:
        deal_service.set_status(
            db, actor=ORGANISER, deal=deal, change=StatusChange(to=DealStatus.LOST, reason=" ")
        )
    assert err.value.field == "status_reason"
    assert (deal.stage, deal.status) == ("negotiating", "ongoing")


def test_a_signed_amount_changes_only_with_a_note_and_is_recorded(db: Session) -> None:
    deal = db.scalar(select(Deal).where(Deal.external_id == "invest-beijing-2024-S01"))
    assert deal is not None and deal.stage == "signed"
    old = deal.signed_amount
    with pytest.raises(DomainError) as err:
        deal_service.move_deal_to_stage(
            db, actor=ORGANISER, deal=deal, to="signed", note=None, signed_amount=Decimal(1)
        )
    assert err.value.field == "note" and deal.signed_amount == old
    with pytest.raises(DomainError) as err:  # leaving the signed figures is a move back: it says why
        deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=deal, to="intention", note=None)
    assert err.value.field == "note" and deal.stage == "signed"
    deal_service.move_deal_to_stage(
        db, actor=ORGANISER, deal=deal, to="signed", note="合同更正", signed_amount=Decimal("600000000")
    )
    last = db.scalars(
        select(DealHistory).where(DealHistory.deal_id == deal.id).order_by(DealHistory.id.desc())
    ).first()
    assert last is not None and last.action == "amount" and last.note == "合同更正"
    assert last.before == {"signed_amount": format(old, "f")} and last.after == {
        "signed_amount": "600000000.00"
    }


def test_parties_accounts_are_notified_of_a_move(db: Session) -> None:
    deal = _new_deal(db, parties=("gov-haidian",))
    haidian = db.scalar(select(Account.id).where(Account.username == "haidian"))
    deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=deal, to="contacted", note="首次接洽")
    notes = list(
        db.scalars(
            select(Notification).where(Notification.account_id == haidian, Notification.kind == "deal_stage")
        )
    )
    notes = [n for n in notes if n.payload["deal_id"] == deal.id]
    assert (
        len(notes) == 1
        and notes[0].payload["deal_id"] == deal.id
        and notes[0].payload["after"] == {"stage": "contacted"}
    )


def test_a_district_manages_only_the_deals_of_its_own_district(db: Session) -> None:
    haidian, enterprise = _actor(db, "haidian"), _actor(db, "enterprise")
    own = _new_deal(db, district="海淀区", parties=("gov-haidian",))
    party = _new_deal(db, district="朝阳区", parties=("gov-haidian",))
    other = _new_deal(db, district="朝阳区", parties=("gov-chaoyang",))
    deal_service.move_deal_to_stage(db, actor=haidian, deal=own, to="contacted", note=None)
    for elsewhere in (party, other):
        with pytest.raises(PermissionDenied):
            deal_service.move_deal_to_stage(db, actor=haidian, deal=elsewhere, to="contacted", note=None)
    with pytest.raises(PermissionDenied):
        deal_service.move_deal_to_stage(db, actor=enterprise, deal=own, to="negotiating", note=None)
    with pytest.raises(PermissionDenied):
        deal_service.create(db, actor=haidian, data=DealCreate(title_zh="跨区项目", district="朝阳区"))


def test_follow_up_tasks_have_owners_due_dates_and_are_completed_once(db: Session) -> None:
    deal = _new_deal(db)
    haidian = db.scalar(select(Account.id).where(Account.username == "haidian"))
    task = deal_service.add_task(
        db,
        actor=ORGANISER,
        deal=deal,
        data=TaskCreate(title="实地考察", due_on=dt.date(2024, 6, 1), owner_id=haidian),
    )
    deal_service.complete_task(db, actor=ORGANISER, deal=deal, task_id=task.id)
    first = task.done_at
    deal_service.complete_task(db, actor=ORGANISER, deal=deal, task_id=task.id)
    assert db.get(DealTask, task.id).done_at == first  # type: ignore[union-attr]
    assert db.scalar(
        select(Notification.kind).where(Notification.account_id == haidian, Notification.kind == "deal_task")
    )


def test_the_board_moves_a_deal_with_its_card_form(client: TestClient, db: Session) -> None:
    login(client, "organiser", "organiser-demo")
    deal = db.scalar(select(Deal).where(Deal.external_id == "invest-beijing-2024-S01"))
    page = client.get("/deals/board", params={"event": "invest-beijing-2024"})
    assert page.status_code == 200 and f'action="/deals/{deal.id}/stage"' in page.text  # type: ignore[union-attr]
    token = csrf_of(client, "/deals/board?event=invest-beijing-2024")
    moved = client.post(
        f"/deals/{deal.id}/stage",  # type: ignore[union-attr]
        data={
            "csrf": token,
            "to": "landed",
            "note": "已投产",
            "contract_on": "2024-06-01",
            "landed_on": "2024-09-01",
            "landed_site": "顺义区空港工业园",
            "next": "/deals/board?event=invest-beijing-2024",
        },
        follow_redirects=False,
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/deals/board?event=invest-beijing-2024"
    db.expire_all()
    assert db.get(Deal, deal.id).stage == "landed"  # type: ignore[union-attr]


def test_a_refused_move_shows_the_reason_on_the_deal_page(client: TestClient, db: Session) -> None:
    login(client, "organiser", "organiser-demo")
    deal = db.scalar(select(Deal).where(Deal.stage == "negotiating").order_by(Deal.id))
    token = csrf_of(client, f"/deals/{deal.id}")  # type: ignore[union-attr]
    response = client.post(f"/deals/{deal.id}/stage", data={"csrf": token, "to": "signed", "signed_on": ""})  # type: ignore[union-attr]
    assert response.status_code == 422 and "签约项目须填写签约金额。" in response.text
    future = client.post(
        f"/deals/{deal.id}/stage",  # type: ignore[union-attr]
        data={"csrf": token, "to": "signed", "signed_amount": "1亿元", "signed_on": "2030-01-01"},
    )
    assert future.status_code == 422 and "签约日期不能晚于今天。" in future.text
    db.expire_all()
    assert db.get(Deal, deal.id).stage == "negotiating"  # type: ignore[union-attr]


def test_visitors_see_no_move_forms_and_cannot_post(client: TestClient, db: Session) -> None:
    deal = db.scalar(select(Deal).where(Deal.stage == "signed").order_by(Deal.id))
    deal.announced = True  # type: ignore[union-attr]
    db.flush()
    page = client.get(f"/deals/{deal.id}")  # type: ignore[union-attr]
    assert page.status_code == 200 and "/stage" not in page.text
    login(client, "enterprise", "enterprise-demo")
    token = csrf_of(client, f"/deals/{deal.id}")  # type: ignore[union-attr]
    assert client.post(f"/deals/{deal.id}/stage", data={"csrf": token, "to": "landed"}).status_code == 403  # type: ignore[union-attr]


def test_the_api_moves_a_deal_and_names_a_refused_transition(client: TestClient, db: Session) -> None:
    login(client, "organiser", "organiser-demo")
    deal = db.scalar(select(Deal).where(Deal.stage == "negotiating").order_by(Deal.id))
    ok = client.post(f"/api/v1/deals/{deal.id}/stage", json={"to": "intention", "note": "意向书"})  # type: ignore[union-attr]
    assert ok.status_code == 200 and ok.json()["stage"] == "intention"
    refused = client.post(f"/api/v1/deals/{deal.id}/stage", json={"to": "verified"})  # type: ignore[union-attr]
    assert refused.status_code == 409 and refused.json()["error"]["details"][0]["field"] == "stage"


def test_the_signed_filter_lists_every_deal_of_the_signed_figure(client: TestClient) -> None:
    """Anonymously: the summits' signings are announced, so the public list matches the published figure."""
    body = client.get("/api/v1/deals", params={"event": "invest-beijing-2023", "stage": "signed"}).json()
    assert body["total"] == 39
    for stage, total in (("contract", 5), ("landed", 3), ("verified", 3)):
        at = client.get("/api/v1/deals", params={"event": "invest-beijing-2023", "stage": stage}).json()
        assert at["total"] == total


def test_a_district_opens_a_lead_from_the_board(client: TestClient, db: Session) -> None:
    login(client, "haidian", "district-demo")
    token = csrf_of(client, "/deals/board?event=invest-beijing-2024")
    response = client.post(
        "/deals/new",
        data={
            "csrf": token,
            "event": "invest-beijing-2024",
            "title_zh": "海淀新线索",
            "district": "海淀区",
            "industry": "人工智能",
            "planned_amount": "3000万",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    deal = db.scalar(select(Deal).where(Deal.title_zh == "海淀新线索"))
    assert deal is not None and (deal.stage, deal.planned_amount) == ("lead", Decimal("30000000.00"))
    refused = client.post("/deals/new", data={"csrf": token, "title_zh": "朝阳新线索", "district": "朝阳区"})
    assert refused.status_code == 403


def test_the_api_replaces_parties_and_refuses_unknown_organisations(client: TestClient, db: Session) -> None:
    login(client, "organiser", "organiser-demo")
    deal = db.scalar(select(Deal).where(Deal.stage == "negotiating").order_by(Deal.id))
    investor = _org(db, "investor-01")
    body = [{"organisation_id": investor.id, "role": "investor"}]
    ok = client.put(f"/api/v1/deals/{deal.id}/parties", json=body)  # type: ignore[union-attr]
    assert ok.status_code == 200 and ok.json()["parties"] == [
        {"organisation_id": investor.id, "role": "investor"}
    ]
    bad = client.put(
        f"/api/v1/deals/{deal.id}/parties", json=[{"organisation_id": 999999, "role": "investor"}]
    )  # type: ignore[union-attr]
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "parties"


def _statements(client: TestClient, counter: StatementCounter, path: str, params: dict[str, str]) -> int:
    with counter:
        assert client.get(path, params=params).status_code == 200
    return counter.count


def test_the_list_and_the_board_run_a_constant_number_of_queries(
    client: TestClient, count_statements: StatementCounter
) -> None:
    """N+1 guard: the whole 2024 board (or list page) and one district's issue as many statements."""
    login(client, "organiser", "organiser-demo")
    big, small = {"event": "invest-beijing-2024"}, {"event": "invest-beijing-2024", "district": "延庆区"}
    assert _statements(client, count_statements, "/deals/board", big) == _statements(
        client, count_statements, "/deals/board", small
    )
    assert _statements(client, count_statements, "/deals", big) == _statements(
        client, count_statements, "/deals", small
    )


def test_the_api_edits_a_deals_facts_and_keeps_the_history(client: TestClient, db: Session) -> None:
    login(client, "organiser", "organiser-demo")
    deal = db.scalar(select(Deal).where(Deal.stage == "negotiating").order_by(Deal.id))
    response = client.patch(
        f"/api/v1/deals/{deal.id}", json={"planned_amount": "3.5亿", "industry": "机器人"}
    )  # type: ignore[union-attr]
    assert response.status_code == 200 and response.json()["industry"] == "机器人"
    last = db.scalars(
        select(DealHistory).where(DealHistory.deal_id == deal.id).order_by(DealHistory.id.desc())
    ).first()  # type: ignore[union-attr]
    assert (
        last is not None
        and last.action == "update"
        and last.after == {"planned_amount": "350000000.00", "industry": "机器人"}
    )
