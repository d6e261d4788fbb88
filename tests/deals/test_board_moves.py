"""The board moves a deal forward: its one-click action advances to the next stage, and going back (or marking
a deal lost) is a separate, deliberate action that needs a reason, on the board, the deal page and the API."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.core.auth import Actor, Grant
from duijie.core.errors import DomainError
from duijie.deals import service as deal_service
from duijie.deals.enums import DEAL_TRANSITIONS, PIPELINE, is_move_back
from duijie.deals.models import Deal, DealHistory
from tests import factories
from tests.conftest import csrf_of, in_english, login
from tests.deals.factories import deal as make_deal

ORGANISER = Actor(account_id=None, username="t", grants=(Grant(role="organiser"),))


@pytest.mark.parametrize(
    ("stage", "ahead", "others"),
    [
        ("lead", "contacted", []),
        ("contacted", "negotiating", ["lead"]),
        ("negotiating", "intention", ["contacted", "lead"]),
        ("intention", "signed", ["negotiating", "contacted", "lead"]),
        ("signed", "contract", ["intention", "negotiating", "contacted", "lead"]),
        ("contract", "landed", ["signed", "intention", "negotiating", "contacted", "lead"]),
        ("landed", None, ["contract", "signed", "intention", "negotiating", "contacted", "lead"]),
        ("verified", None, ["landed", "contract", "signed", "intention", "negotiating", "contacted", "lead"]),
    ],
)
def test_the_next_stage_is_forward_and_the_other_moves_go_back_nearest_first(
    db: Session, stage: str, ahead: str | None, others: list[str]
) -> None:
    row = make_deal(db, None, stage=stage)
    nxt = deal_service.next_stage(row)
    assert (nxt.value if nxt else None) == ahead
    assert [m.value for m in deal_service.other_moves(row)] == others
    # every allowed move but verification (its own action) is offered once, the forward ones first
    moves = [m.value for m in deal_service.allowed_moves(row)]
    assert sorted(moves) == sorted(DEAL_TRANSITIONS[stage] - {"verified"}) and (ahead is None or moves[0] == ahead)


def test_a_lost_or_abandoned_deal_offers_no_move_until_it_is_reopened(db: Session) -> None:
    for status in ("lost", "abandoned"):
        row = make_deal(db, None, stage="negotiating", status=status)
        assert deal_service.allowed_moves(row) == [] and deal_service.next_stage(row) is None


def test_every_move_back_in_the_transition_table_is_named_as_one() -> None:
    for current, targets in DEAL_TRANSITIONS.items():
        for target in targets:
            assert is_move_back(current, target) is (PIPELINE.index(target) < PIPELINE.index(current)), (
                current,
                target,
            )


def test_moving_back_needs_a_note_and_records_it(db: Session) -> None:
    row = make_deal(db, None, stage="negotiating")
    with pytest.raises(DomainError) as refused:
        deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=row, to="contacted", note=None)
    assert refused.value.field == "note"
    assert row.stage == "negotiating"
    deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=row, to="contacted", note="对方更换了负责人")
    history = db.query(DealHistory).filter(DealHistory.deal_id == row.id).all()
    assert row.stage == "contacted" and history[-1].note == "对方更换了负责人"
    # forward needs no note
    deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=row, to="negotiating", note=None)
    assert row.stage == "negotiating"


def _card(page: str, deal: Deal) -> str:
    start = page.index(f'href="/deals/{deal.id}"')
    return page[start : page.index("</article>", start)]


def test_a_card_whose_next_stage_lacks_a_fact_says_which_and_links_to_the_deal(
    client: TestClient, db: Session
) -> None:
    event = factories.event(db, kind="summit")
    row = make_deal(db, event, stage="negotiating", planned_amount=None)
    ready = make_deal(db, event, stage="signed")
    login(client, "organiser", "organiser-demo")
    page = client.get("/deals/board", params={"event": event.slug}).text
    card = _card(page, row)
    assert 'data-testid="advance"' not in card and 'data-testid="card-blockers"' in card
    assert "意向须填写计划金额" in card or "An intention needs the planned amount." in card
    contract = re.search(r'data-testid="advance">(.*?)</form>', _card(page, ready), re.S)
    assert contract and 'name="contract_on"' in contract.group(1) and 'min="2026-04-25"' in contract.group(1)


def test_the_boards_button_advances_and_moving_back_is_a_separate_form(
    client: TestClient, db: Session
) -> None:
    event = factories.event(db, kind="summit")
    row = make_deal(db, event, stage="contacted")
    login(client, "organiser", "organiser-demo")
    page = client.get("/deals/board", params={"event": event.slug}).text
    # the stages lead to their columns, with the count of each (the eight do not fit side by side on a laptop)
    nav = re.search(r'data-testid="stage-nav">(.*?)</nav>', page, re.S)
    assert nav and re.findall(r'href="#col-(\w+)">[^<]*<b>(\d+)</b>', nav.group(1))[:3] == [
        ("lead", "0"),
        ("contacted", "1"),
        ("negotiating", "0"),
    ]
    assert 'id="col-contacted"' in page
    card = _card(page, row)
    advance = re.search(r'data-testid="advance">(.*?)</form>', card, re.S)
    assert advance and 'name="to" value="negotiating"' in advance.group(1)
    assert "推进到“洽谈中”" in advance.group(1)
    back = re.search(r'data-testid="move-back">(.*?)</form>', card, re.S)
    assert back and re.findall(r'<option value="(\w+)"', back.group(1)) == ["lead"]
    assert f'href="/deals/{row.id}#status"' in card  # lost, delayed ...: the status, on the deal's page
    token = csrf_of(client, f"/deals/board?event={event.slug}")
    nxt = f"/deals/board?event={event.slug}"
    moved = client.post(
        f"/deals/{row.id}/stage",
        data={"csrf": token, "to": "negotiating", "next": nxt},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    db.expire_all()
    assert db.get(Deal, row.id).stage == "negotiating"  # type: ignore[union-attr]
    refused = client.post(f"/deals/{row.id}/stage", data={"csrf": token, "to": "contacted", "next": nxt})
    assert refused.status_code == 422 and "退回项目阶段须填写原因。" in refused.text
    db.expire_all()
    assert db.get(Deal, row.id).stage == "negotiating"  # type: ignore[union-attr]


def test_the_api_refuses_a_move_back_without_a_note_in_english(client: TestClient, db: Session) -> None:
    row = make_deal(db, factories.event(db, kind="summit"), stage="intention")
    login(client, "organiser", "organiser-demo")
    with in_english(client):
        refused = client.post(f"/api/v1/deals/{row.id}/stage", json={"to": "negotiating"})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["details"][0]["field"] == "note"
    assert error["message"] == "Moving a deal back needs a note saying why."
    ok = client.post(f"/api/v1/deals/{row.id}/stage", json={"to": "negotiating", "note": "金额重谈"})
    assert ok.status_code == 200 and ok.json()["stage"] == "negotiating"
