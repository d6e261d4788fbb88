"""The dashboard, the statistics API and the map show sums of the records, whatever the filters."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.errors import DomainError
from duijie.deals.models import Deal, signed_clause
from duijie.directory.reference import DISTRICT_EN
from duijie.events.service import get_event
from duijie.insight.queries import compute_stats, make_scope, parse_period
from duijie.marketplace.enums import RELEASED_STATES
from duijie.marketplace.models import Opportunity
from tests import factories


def _released(db: Session, event_id: int, **where: str) -> tuple[int, Decimal]:
    stmt = select(func.count(), func.sum(Opportunity.amount)).where(
        Opportunity.event_id == event_id,
        Opportunity.kind == "investment_project",
        Opportunity.status.in_(RELEASED_STATES),
        *[getattr(Opportunity, k) == v for k, v in where.items()],
    )
    count, amount = db.execute(stmt).one()
    return count, amount or Decimal(0)


def _signed(db: Session, event_id: int, **where: str) -> tuple[int, Decimal]:
    stmt = select(func.count(), func.sum(Deal.signed_amount)).where(
        Deal.event_id == event_id,
        signed_clause(),
        *[getattr(Deal, k) == v for k, v in where.items()],
    )
    count, amount = db.execute(stmt).one()
    return count, amount or Decimal(0)


def _kpi(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert match, testid
    return match.group(1)


@pytest.mark.parametrize(
    ("event", "released", "signed"),
    [
        ("invest-beijing-2023", ("152", "1434亿元"), ("39", "608亿元")),
        ("invest-beijing-2024", ("231", "902.21亿元"), ("23", "610亿元")),
    ],
)
def test_the_dashboards_of_both_summits_show_the_published_totals(
    client: TestClient, db: Session, event: str, released: tuple[str, str], signed: tuple[str, str]
) -> None:
    html = client.get("/dashboard", params={"event": event}).text
    assert (_kpi(html, "released-count"), _kpi(html, "released-amount")) == released
    assert (_kpi(html, "signed-count"), _kpi(html, "signed-amount")) == signed
    assert html.count("✓ 一致") == 4 and "/static/vendor/echarts/echarts.min.js" in html


def test_every_breakdown_adds_up_to_the_records(client: TestClient, db: Session) -> None:
    ev = get_event(db, slug="invest-beijing-2023")
    body = client.get("/api/v1/stats", params={"event": ev.slug}).json()
    count, amount = _released(db, ev.id)
    for group in ("by_category", "by_industry", "by_district"):
        assert sum(v["count"] for v in body[group].values()) == count
        assert sum(Decimal(v["amount_yi"]) for v in body[group].values()) * 10**8 == amount
    s_count, s_amount = _signed(db, ev.id)
    for group in ("signed_by_category", "signed_by_industry", "signed_by_district", "signed_by_country"):
        assert sum(v["count"] for v in body[group].values()) == s_count == 39
        assert sum(Decimal(v["amount_yi"]) for v in body[group].values()) * 10**8 == s_amount
    for district, fig in body["by_district"].items():
        assert (fig["count"], Decimal(fig["amount_yi"]) * 10**8) == _released(db, ev.id, district=district)
    assert sum(v["count"] for v in body["pipeline"].values()) == db.scalar(
        select(func.count()).select_from(Deal).where(Deal.event_id == ev.id)
    )
    assert body["landed"] == {"count": 6, "amount_yi": body["landed"]["amount_yi"]}


def test_the_funnel_counts_deals_that_reached_each_step(client: TestClient) -> None:
    funnel = client.get("/api/v1/stats", params={"event": "invest-beijing-2023"}).json()["funnel"]
    assert [s["key"] for s in funnel] == [
        "released",
        "in_pipeline",
        "contacted",
        "negotiating",
        "intention",
        "signed",
        "contract",
        "landed",
        "verified",
    ]
    by_key = {s["key"]: s for s in funnel}
    assert (by_key["released"]["count"], by_key["signed"]["count"], by_key["contract"]["count"]) == (152, 39, 11)
    assert (by_key["landed"]["count"], by_key["verified"]["count"]) == (6, 3)
    counts = [s["count"] for s in funnel[1:]]
    assert counts == sorted(counts, reverse=True)
    assert by_key["landed"]["rate_previous_pct"] == str((Decimal(6) * 100 / 11).quantize(Decimal("0.1")))


def test_the_comparison_sets_2023_against_2024(client: TestClient) -> None:
    rows = client.get("/api/v1/stats", params={"event": "invest-beijing-2024"}).json()["comparison"]
    assert [(r["key"], r["released"]["amount_yi"], r["signed"]["amount_yi"]) for r in rows] == [
        ("invest-beijing-2023", "1434", "608"),
        ("invest-beijing-2024", "902.21", "610"),
    ]
    assert rows[1]["released_amount_change_pct"] == "-37.1" and rows[1]["signed_amount_change_pct"] == "0.3"


def test_filters_narrow_every_figure_to_the_matching_records(client: TestClient, db: Session) -> None:
    ev = get_event(db, slug="invest-beijing-2024")
    body = client.get(
        "/api/v1/stats", params={"period": "2024", "district": "海淀区", "industry": "人工智能"}
    ).json()
    count, amount = _released(db, ev.id, district="海淀区", industry="人工智能")
    assert (body["released"]["count"], Decimal(body["released"]["amount_yi"]) * 10**8) == (count, amount)
    assert body["scope"] == {"event": None, "period": "2024", "district": "海淀区", "industry": "人工智能"}
    html = client.get(
        "/dashboard", params={"period": "2024", "district": "海淀区", "industry": "人工智能"}
    ).text
    assert _kpi(html, "released-count") == str(count)


def test_a_period_must_be_written_as_a_year_month_or_range(db: Session) -> None:
    assert parse_period("2024-02").end.isoformat() == "2024-02-29"
    assert parse_period("2024").previous().label == "2023"
    with pytest.raises(DomainError) as err:
        parse_period("last year")
    assert err.value.field == "period"
    assert compute_stats(db, make_scope(db, period="2023")).released.count == 152


def test_the_map_colours_every_district_and_marks_the_development_area(
    client: TestClient, db: Session
) -> None:
    ev = get_event(db, slug="invest-beijing-2024")
    html = client.get("/map", params={"event": ev.slug}).text
    data = json.loads(
        html.split('<script type="application/json" id="map-data">', 1)[1].split("</script>", 1)[0]
    )
    assert len(data["polygons"]) == 16 and "北京经济技术开发区" not in {p["name"] for p in data["polygons"]}
    for p in data["polygons"]:
        assert p["value"] == _released(db, ev.id, district=p["district"])[0]
    assert data["etdz"]["value"] == [116.51, 39.79, _released(db, ev.id, district="北京经济技术开发区")[0]]
    assert "/static/vendor/maps/beijing.js" in html and "审图号" in html
    deals = client.get("/map", params={"event": ev.slug, "measure": "deals", "district": "朝阳区"}).text
    assert "/projects?district=%E6%9C%9D%E9%98%B3%E5%8C%BA&amp;event=invest-beijing-2024" in deals
    assert "/policies?district=%E6%9C%9D%E9%98%B3%E5%8C%BA" in deals
    assert client.get("/map", params={"district": "浦东新区"}).status_code == 422
    assert len(DISTRICT_EN) == 17


def test_the_map_in_english_names_the_districts_in_english(client: TestClient) -> None:
    html = client.get("/map", params={"event": "invest-beijing-2023", "measure": "amount", "lang": "en"}).text
    data = json.loads(html.split('id="map-data">', 1)[1].split("</script>", 1)[0])
    assert data["name_map"]["海淀区"] == "Haidian District" and "Haidian District" in {
        p["name"] for p in data["polygons"]
    }


def test_the_statistics_report_exports_with_a_summary_sheet(client: TestClient) -> None:
    response = client.get("/export/stats.xlsx", params={"event": "invest-beijing-2024"})
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[0] == "汇总 Summary" and wb.sheetnames[-3:] == ["漏斗 Funnel", "对比 Comparison", "周期 Cycle times"]
    summary = {r[0]: r[1] for r in wb["汇总 Summary"].iter_rows(values_only=True)}
    assert (
        summary["发布项目（个）Projects released"] == 231
        and summary["招商总额（亿元）Released (100m yuan)"] == "902.21"
    )
    csv_lines = (
        client.get("/export/stats.csv", params={"event": "invest-beijing-2024"})
        .content.decode("utf-8-sig")
        .splitlines()
    )
    assert csv_lines[:2] == ["section,key,count,amount_yi", "headline,released,231,902.21"]


def test_the_stats_command_prints_the_full_report_with_filters(demo_file: Path) -> None:
    from duijie.cli import main

    runner = CliRunner()
    db_file = demo_file
    out = runner.invoke(
        main, ["stats", "--db", str(db_file), "--period", "2024", "--full", "--format", "json"]
    )
    body = json.loads(out.output)
    assert body["released"] == {"count": 231, "amount_yi": "902.21"} and body["funnel"][5]["count"] == 23
    assert [r["key"] for r in body["comparison"]] == ["2023", "2024"]
    assert runner.invoke(main, ["stats", "--db", str(db_file)]).exit_code == 2


def test_the_dashboard_shows_a_new_signing_at_once(client: TestClient, db: Session) -> None:
    from duijie.core.auth import Actor, Grant
    from duijie.deals import service as deal_service
    from duijie.deals.schemas import DealCreate, DealPartyIn

    ev = get_event(db, slug="invest-beijing-2024")
    assert _kpi(client.get("/dashboard", params={"event": ev.slug}).text, "signed-count") == "23"
    assert client.get("/api/v1/stats", params={"event": ev.slug}).json()["signed"]["count"] == 23
    organiser = Actor(username="t", grants=(Grant(role="organiser"),))
    data = DealCreate(
        title_zh="新签约项目",
        event_id=ev.id,
        opened_on=ev.starts_on - dt.timedelta(days=30),
        industry="人工智能",
        district="海淀区",
        planned_amount="1亿",
        parties=[DealPartyIn(organisation_id=factories.organisation(db).id, role="enterprise")],
    )
    deal = deal_service.create(db, actor=organiser, data=data)
    deal_service.move_deal_to_stage(db, actor=organiser, deal=deal, to="contacted", note=None)
    deal_service.move_deal_to_stage(db, actor=organiser, deal=deal, to="negotiating", note=None)
    deal_service.move_deal_to_stage(
        db,
        actor=organiser,
        deal=deal,
        to="signed",
        note=None,
        signed_amount=Decimal("100000000"),
        signed_on=ev.starts_on,
    )
    html = client.get("/dashboard", params={"event": ev.slug}).text
    assert (_kpi(html, "signed-count"), _kpi(html, "signed-amount")) == ("24", "611亿元")
    assert client.get("/api/v1/stats", params={"event": ev.slug}).json()["signed"] == {
        "count": 24,
        "amount_yi": "611",
    }


def test_both_forms_of_the_country_breakdown_agree(db: Session) -> None:
    from duijie.insight.queries import signed_by_country_join, signed_by_country_lookup

    for scope in (
        make_scope(db),
        make_scope(db, event="invest-beijing-2023"),
        make_scope(db, district="海淀区"),
    ):
        assert signed_by_country_join(db, scope) == signed_by_country_lookup(db, scope)
    assert {
        k: v.count for k, v in signed_by_country_join(db, make_scope(db, event="invest-beijing-2024")).items()
    } == {k: v["count"] for k, v in compute_stats_report(db, "invest-beijing-2024").items()}


def compute_stats_report(db: Session, event: str) -> dict[str, dict[str, int]]:
    from duijie.insight.report import stats_report

    return stats_report(db, make_scope(db, event=event))["signed_by_country"]
