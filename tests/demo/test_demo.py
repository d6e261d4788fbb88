from __future__ import annotations

import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.cli import main
from duijie.core.demo_kit import allocate
from duijie.deals.models import Deal
from duijie.directory.models import Organisation
from duijie.events.models import Event
from duijie.events.service import get_event
from duijie.insight.queries import event_stats
from duijie.marketplace.models import Opportunity
from duijie.policies.models import PolicyPackage

PUBLISHED = {
    "invest-beijing-2023": {
        "released": {"count": 152, "amount_yi": "1434"},
        "signed": {"count": 39, "amount_yi": "608"},
    },
    "invest-beijing-2024": {
        "released": {"count": 231, "amount_yi": "902.21"},
        "signed": {"count": 23, "amount_yi": "610"},
    },
}


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_demo_statistics_equal_the_published_totals(db: Session, slug: str) -> None:
    assert event_stats(db, get_event(db, slug=slug)).headline() == PUBLISHED[slug]


def test_demo_summits_sit_inside_their_forums(db: Session) -> None:
    summit = db.scalar(select(Event).where(Event.slug == "invest-beijing-2024"))
    assert summit is not None and summit.parent is not None
    assert summit.parent.slug == "zgc-forum-2024"


def test_demo_named_records_cite_their_source_and_the_rest_is_marked_synthetic(db: Session) -> None:
    hyperstrong = db.scalar(select(Organisation).where(Organisation.name_zh == "海博思创"))
    assert hyperstrong is not None and hyperstrong.provenance == "000_41e0bd28c136a3b5.txt"
    assert "specialised" in hyperstrong.flags
    xiaomi = db.scalar(select(Deal).where(Deal.title_zh == "小米机器人公司项目"))
    assert xiaomi is not None and (xiaomi.district, xiaomi.industry) == ("北京经济技术开发区", "机器人")
    rge = db.scalar(select(Deal).where(Deal.title_zh == "国际开放合作区项目"))
    assert rge is not None and rge.signed_amount == Decimal("10000000000.00") and not rge.amount_estimated
    provenances = set(db.scalars(select(Opportunity.provenance).distinct()))
    assert provenances == {"synthetic"}
    packages = list(db.scalars(select(PolicyPackage.name_zh).order_by(PolicyPackage.slug)))
    assert len(packages) == 10 and packages[0] == "国际科技创新中心建设政策包"


def test_demo_hq_projects_add_up_to_their_published_148_yi(db: Session) -> None:
    total = db.scalar(
        select(func.sum(Deal.signed_amount)).where(Deal.external_id.like("invest-beijing-2023-S-HQ%"))
    )
    count = db.scalar(select(func.count()).where(Deal.external_id.like("invest-beijing-2023-S-HQ%")))
    assert (count, total) == (8, Decimal("14800000000.00"))


_SNAPSHOT = (
    "SELECT external_id, title_zh, amount FROM opportunity ORDER BY id",
    "SELECT external_id, stage, signed_amount FROM deal ORDER BY id",
    "SELECT request_id, slot_id, table_id, state FROM meeting ORDER BY request_id",
)


def _snapshot(path: Path) -> list[list[tuple[object, ...]]]:
    with closing(sqlite3.connect(path)) as conn:
        return [conn.execute(query).fetchall() for query in _SNAPSHOT]


def test_the_demo_command_builds_the_same_demo_every_time(demo_file: Path, tmp_path: Path) -> None:
    """`duijie demo --no-serve` on a new file builds, row for row, what this process built before: projects,
    deals and the scheduled meetings (the scheduler stops on a work budget, not the clock)."""
    again = tmp_path / "again.db"
    result = CliRunner().invoke(main, ["demo", "--db", str(again), "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "organiser" in result.output
    first, second = _snapshot(demo_file), _snapshot(again)
    assert [len(rows) for rows in first] == [len(rows) for rows in second] and all(first)
    assert first == second


def test_allocate_hits_the_total_exactly_and_keeps_fixed_amounts() -> None:
    import random

    amounts = allocate(Decimal("902.21"), [None] * 230 + [Decimal(5 * 10**8)], random.Random(1))
    assert sum(amounts) == Decimal("90221000000")
    assert amounts[-1] == Decimal(5 * 10**8)
    assert min(amounts) >= Decimal(1_000_000)


def test_allocate_refuses_a_split_that_cannot_be_made() -> None:
    import random

    with pytest.raises(ValueError, match="cannot split"):
        allocate(Decimal("0.02"), [None, None, None], random.Random(1))
