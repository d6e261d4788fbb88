"""The deal board renders a stage whose deals have no amount (Jinja's sum of nothing is the int 0)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from duijie.deals.models import Deal
from duijie.events.models import Event
from tests.conftest import login


def test_the_board_shows_a_column_of_deals_without_amounts(client: TestClient, db: Session) -> None:
    db.execute(update(Deal).where(Deal.stage == "lead").values(planned_amount=None, signed_amount=None))
    for event in db.scalars(select(Event).where(Event.kind == "summit")):
        db.add(Deal(title_zh="无金额线索", stage="lead", event_id=event.id, district="海淀区", on_stage=True))
    db.commit()
    for who in ("anonymous", "organiser"):
        if who == "organiser":
            login(client, "organiser", "organiser-demo")
        response = client.get("/deals/board")
        assert response.status_code == 200, who
    assert "0元" in response.text
