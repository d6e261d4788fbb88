from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.cli import main
from duijie.deals.models import Deal
from duijie.events.service import get_event
from duijie.insight.queries import event_stats
from duijie.marketplace.models import Opportunity


def test_stats_api_figures_are_the_sums_of_the_records(client: TestClient, db: Session) -> None:
    body = client.get("/api/v1/stats", params={"event": "invest-beijing-2023"}).json()
    ev = get_event(db, slug="invest-beijing-2023")
    released = db.scalar(
        select(func.sum(Opportunity.amount)).where(
            Opportunity.event_id == ev.id, Opportunity.kind == "investment_project"
        )
    )
    assert Decimal(body["released"]["amount_yi"]) * 10**8 == released
    by_category_total = sum(Decimal(v["amount_yi"]) for v in body["by_category"].values())
    assert by_category_total == Decimal(body["released"]["amount_yi"])
    assert sum(v["count"] for v in body["by_district"].values()) == body["released"]["count"] == 152
    assert body["published"]["released_count"] == "152" or Decimal(body["published"]["released_count"]) == 152


def test_signing_a_new_deal_moves_the_signed_total(db: Session) -> None:
    ev = get_event(db, slug="invest-beijing-2024")
    before = event_stats(db, ev).signed
    db.add(
        Deal(event_id=ev.id, title_zh="新增签约项目", stage="signed", signed_amount=Decimal("123456789.12"))
    )
    db.flush()
    after = event_stats(db, ev).signed
    assert (after.count, after.amount) == (before.count + 1, before.amount + Decimal("123456789.12"))


def test_stats_command_prints_the_published_json(demo_file: Path) -> None:
    runner = CliRunner()
    db_file = demo_file
    result = runner.invoke(
        main, ["stats", "--db", str(db_file), "--event", "invest-beijing-2023", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "released": {"count": 152, "amount_yi": "1434"},
        "signed": {"count": 39, "amount_yi": "608"},
    }
    result = runner.invoke(
        main, ["stats", "--db", str(db_file), "--event", "invest-beijing-2024", "--format", "json"]
    )
    assert json.loads(result.output) == {
        "released": {"count": 231, "amount_yi": "902.21"},
        "signed": {"count": 23, "amount_yi": "610"},
    }


def test_stats_command_names_an_unknown_event(demo_file: Path) -> None:
    runner = CliRunner()
    db_file = demo_file
    result = runner.invoke(main, ["stats", "--db", str(db_file), "--event", "nope", "--format", "json"])
    assert result.exit_code == 2 and "nope" in result.output


def test_stats_command_refuses_a_missing_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["stats", "--db", str(tmp_path / "absent.db"), "--event", "invest-beijing-2023"]
    )
    assert result.exit_code != 0 and "does not exist" in result.output
