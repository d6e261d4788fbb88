"""A district account opens and edits deals in its own district only: naming its own organisation as a party
does not widen that, on the API, the board's form or a sheet. The existing databases' signed deals become
announced when they migrate (the summits published them); the published figures count every signed deal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from duijie.deals.models import Deal
from duijie.deals.sheets import import_file
from duijie.directory.accounts import actor_for_account
from duijie.insight.queries import event_stats
from tests import factories
from tests.conftest import csrf_of, login
from tests.deals import factories as deal_factories


def test_a_district_cannot_open_a_deal_elsewhere_by_naming_itself_a_party(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    own_org = factories.organisation(db, kind="government", district="海淀区")
    account = factories.account(db, role="district", district="海淀区", organisation=own_org)
    login(client, account.username, factories.PASSWORD)
    body = {
        "title_zh": "海淀代签房山项目",
        "district": "房山区",
        "event_id": event.id,
        "stage": "signed",
        "signed_amount": "1000亿",
        "signed_on": "2026-04-25",
        "parties": [{"organisation_id": own_org.id, "role": "district_government"}],
    }
    refused = client.post("/api/v1/deals", json=body)
    assert refused.status_code == 403 and "只能在本区" in refused.json()["error"]["message"]
    assert event_stats(db, event).signed.count == 0
    assert client.post("/api/v1/deals", json={**body, "district": "海淀区"}).status_code == 201
    token = csrf_of(client, f"/deals/board?event={event.slug}")
    board = client.post(
        "/deals/new", data={"csrf": token, "event": event.slug, "title_zh": "房山线索", "district": "房山区"}
    )
    assert board.status_code == 403


def test_a_district_cannot_move_its_deal_to_another_district_nor_manage_one_it_is_party_to(
    client: TestClient, db: Session
) -> None:
    event = factories.event(db)
    own_org = factories.organisation(db, kind="government", district="海淀区")
    account = factories.account(db, role="district", district="海淀区", organisation=own_org)
    own = deal_factories.deal(db, event, district="海淀区")
    elsewhere = deal_factories.deal(db, event, district="房山区")
    login(client, account.username, factories.PASSWORD)
    assert client.put(
        f"/api/v1/deals/{elsewhere.id}/parties", json=[{"organisation_id": own_org.id, "role": "district_government"}]
    ).status_code in (403, 404)
    moved = client.patch(f"/api/v1/deals/{own.id}", json={"district": "房山区"})
    assert moved.status_code == 403
    kept = client.patch(f"/api/v1/deals/{own.id}", json={"industry": "集成电路"})
    assert kept.status_code == 200
    db.expire_all()
    assert (db.get(Deal, own.id).district, db.get(Deal, elsewhere.id).parties) == ("海淀区", [])  # type: ignore[union-attr]


def test_a_district_as_a_party_reads_the_deal_but_cannot_change_it(client: TestClient, db: Session) -> None:
    from duijie.deals.models import DealParty

    event = factories.event(db)
    own_org = factories.organisation(db, kind="government", district="海淀区")
    account = factories.account(db, role="district", district="海淀区", organisation=own_org)
    elsewhere = deal_factories.deal(db, event, district="房山区", stage="negotiating")
    db.add(DealParty(deal_id=elsewhere.id, organisation_id=own_org.id, role="district_government"))
    db.flush()
    login(client, account.username, factories.PASSWORD)
    assert client.get(f"/api/v1/deals/{elsewhere.id}/tasks").status_code == 200
    assert client.post(f"/api/v1/deals/{elsewhere.id}/stage", json={"to": "intention"}).status_code == 403


def test_a_district_imports_deals_of_its_own_district_only_whatever_parties_it_names(db: Session) -> None:
    own_org = factories.organisation(db, kind="government", district="海淀区", name_zh="海淀测试区政府")
    district = actor_for_account(factories.account(db, role="district", district="海淀区", organisation=own_org))
    data = (
        "编号,项目名称,阶段,区域,区政府\n"
        "D-OWN,本区项目,线索,海淀区,\n"
        "D-FAR,房山项目,线索,房山区,海淀测试区政府\n"
    ).encode()
    report = import_file(db, actor=district, filename="deals.csv", data=data)
    assert report.refused and report.errors == ["deals!3:区域 — 只能导入本区的签约项目"]


def test_the_published_figures_count_every_signed_deal_announced_or_not(db: Session) -> None:
    event = factories.event(db)
    deal_factories.deal(db, event, stage="signed", announced=True)
    deal_factories.deal(db, event, stage="signed", announced=False)
    signed = event_stats(db, event).signed
    assert (signed.count, signed.amount) == (2, Decimal("400000000.00"))


def test_migrating_announces_the_signed_deals_already_there(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0003")
    now = dt.datetime(2024, 4, 25, 9, 0)
    with engine.begin() as conn:
        for n, stage in enumerate(("lead", "negotiating", "signed", "landed", "lost"), start=1):
            conn.execute(
                sa.text(
                    "INSERT INTO deal (id, title_zh, stage, amount_estimated, on_stage, provenance, created_at,"
                    " updated_at) VALUES (:id, :t, :s, 0, 0, 'manual', :now, :now)"
                ),
                {"id": n, "t": f"旧签约{n}", "s": stage, "now": now},
            )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT stage, status, announced FROM deal ORDER BY id")).all()
    engine.dispose()
    # (the lost deal, with no history to say where it was lost, is a lost lead since the stages were split)
    assert [tuple(r) for r in rows] == [
        ("lead", "ongoing", 0),
        ("negotiating", "ongoing", 0),
        ("signed", "ongoing", 1),
        ("landed", "ongoing", 1),
        ("lead", "lost", 0),
    ]


def test_migrating_splits_lost_from_the_stages_and_dates_every_deal(tmp_path: Path) -> None:
    """0015: "agreed" becomes "intention"; a lost deal keeps the stage its history says it was lost from, its
    reason kept as the status reason; every deal is opened no later than its first recorded date."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0014_check_in")
    created = dt.datetime(2024, 5, 1, 9, 0)
    with engine.begin() as conn:
        for n, stage, reason, signed_on in (
            (1, "agreed", None, None),
            (2, "lost", "落户外省", None),
            (3, "signed", None, dt.date(2024, 4, 25)),
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO deal (id, title_zh, stage, lost_reason, signed_on, amount_estimated, on_stage,"
                    " announced, provenance, created_at, updated_at)"
                    " VALUES (:id, :t, :s, :r, :d, 0, 0, 0, 'manual', :now, :now)"
                ),
                {"id": n, "t": f"旧项目{n}", "s": stage, "r": reason, "d": signed_on, "now": created},
            )
        conn.execute(
            sa.text(
                "INSERT INTO deal_history (deal_id, at, action, before, after)"
                " VALUES (2, :now, 'stage', :b, :a)"
            ),
            {"now": created, "b": '{"stage": "agreed"}', "a": '{"stage": "lost", "lost_reason": "落户外省"}'},
        )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT stage, status, status_reason, opened_on FROM deal ORDER BY id")
        ).all()
        # SQLite rebuilds the deal table to alter it: the rows that refer to it must survive the rebuild.
        history = conn.execute(sa.text("SELECT count(*) FROM deal_history")).scalar()
    engine.dispose()
    assert history == 1
    assert [(r[0], r[1], r[2], str(r[3])) for r in rows] == [
        ("intention", "ongoing", None, "2024-05-01"),
        ("intention", "lost", "落户外省", "2024-05-01"),
        ("signed", "ongoing", None, "2024-04-25"),
    ]
