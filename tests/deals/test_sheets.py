"""Importing and exporting project and deal sheets: round trips, refusals with every error, both header
languages, the three ways of writing an amount, the web preview and the command line."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.cli import main
from duijie.core.auth import Actor, Grant
from duijie.deals import service as deal_service
from duijie.deals.models import Deal, DealHistory
from duijie.deals.sheets import import_file
from duijie.directory.accounts import load_actor
from duijie.directory.models import Account
from duijie.insight import exports
from duijie.marketplace.enums import RELEASED_STATES
from duijie.marketplace.models import Opportunity
from tests.conftest import csrf_of, login

ORGANISER = Actor(username="t", grants=(Grant(role="organiser"),))


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _counts(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(Opportunity)) or 0,
        db.scalar(select(func.count()).select_from(Deal)) or 0,
        db.scalar(select(func.count()).select_from(DealHistory)) or 0,
    )


def test_an_exported_project_workbook_reimports_with_no_change(db: Session) -> None:
    items = exports.all_projects(db, event="invest-beijing-2023")
    data = exports.projects_file(items, fmt="xlsx", with_contacts=True)
    wb = load_workbook(io.BytesIO(data), read_only=True)
    assert wb.sheetnames == ["汇总 Summary", "项目 Projects"]
    before = _counts(db)
    report = import_file(db, actor=ORGANISER, filename="projects.xlsx", data=data)
    assert report.summary == {"created": 0, "updated": 0, "unchanged": 152, "errors": 0}
    assert report.skipped_sheets == ["汇总 Summary"] and _counts(db) == before


def test_an_exported_deal_list_reimports_with_no_change_as_xlsx_and_csv(db: Session) -> None:
    deals, total, _p, _n = deal_service.list_deals(db, actor=ORGANISER, page_size=10**6)
    for fmt in ("xlsx", "csv"):
        data = exports.deals_file(deals, fmt=fmt)
        report = import_file(db, actor=ORGANISER, filename=f"deals.{fmt}", data=data)
        assert report.summary == {"created": 0, "updated": 0, "unchanged": total, "errors": 0}, report.errors


def test_a_workbook_with_broken_cells_is_refused_listing_every_error_and_writing_nothing(db: Session) -> None:
    data = _xlsx(
        {
            "项目": [
                ["项目编号", "项目名称", "类别", "产业", "区域", "金额", "活动"],
                ["T-001", "正确的项目", "园区合作", "人工智能", "海淀区", "1.5亿", "invest-beijing-2024"],
                ["T-002", "金额有误", "园区合作", "人工智能", "海淀区", "一亿", "invest-beijing-2024"],
                ["T-003", "", "企业融资", "纳米科技", "浦东新区", "3亿", "no-such-event"],
                ["T-001", "重复编号", "旧类别", "人工智能", "海淀区", "-5", None],
            ],
            "签约": [
                ["编号", "项目名称", "阶段", "签约金额", "签约日期", "企业"],
                ["TD-1", "签约缺金额", "签约", None, "2024-04-25", "没有这家公司"],
                ["TD-2", "旧写法未成", "未成", None, "2024/13/01", None],
            ],
        }
    )
    before = _counts(db)
    report = import_file(db, actor=ORGANISER, filename="broken.xlsx", data=data)
    assert report.refused and not report.applied and _counts(db) == before
    assert report.errors == [
        "项目!3:金额 — 一亿 不是金额（请写作 1.5亿、15000万 或 150000000）",
        "项目!4:项目名称 — 此单元格不能为空",
        "项目!4:产业 — 纳米科技 不在产业目录中",
        "项目!4:区域 — 浦东新区 不是北京市的区",
        "项目!4:活动 — no-such-event 不是已知活动（请填写活动编号，如 invest-beijing-2024）",
        "项目!5:类别 — 旧类别 不是有效取值（可填：企业融资、园区合作、楼宇合作、土地融资）",
        "项目!5:金额 — -5 不是非负金额",
        "项目!5:项目编号 — T-001 在文件中出现了两次",
        "签约!2:企业 — 没有这家公司 不是已登记的机构",
        "签约!3:阶段 — “未成”现为状态：请在“状态”列填写“流失”，在本列填写项目流失时所处的阶段",
        "签约!3:签约日期 — 2024/13/01 不是日期（请写作 2024-04-25）",
    ]
    assert report.summary["errors"] == 11


def test_semantic_errors_of_valid_cells_are_listed_too(db: Session) -> None:
    data = _xlsx(
        {
            "签约": [
                ["编号", "项目名称", "阶段", "状态", "签约金额", "签约日期", "落地日期"],
                ["TD-1", "签约缺金额", "签约", None, None, "2024-04-25", None],
                ["TD-2", "流失缺原因", "洽谈中", "流失", None, None, None],
                ["TD-3", "落地早于签约", "落地", None, "1亿", "2024-04-25", "2024-04-01"],
                ["invest-beijing-2024-S01", "直接核实", "已核实", None, "5亿", "2024-04-25", None],
            ]
        }
    )
    report = import_file(db, actor=ORGANISER, filename="deals.xlsx", data=data)
    assert report.refused
    assert report.errors == [
        "签约!2:签约金额 — 签约项目须填写签约金额",
        "签约!3:状态原因 — 推进中以外的状态须填写原因",
        "签约!4:合同日期 — 正式合同须填写签订日期",
        "签约!4:落地地址 — 落地项目须填写落地地点",
        "签约!5:阶段 — 项目须在平台上凭证明材料核实，不能通过导入标为已核实",
    ]


def test_english_headers_and_all_three_amount_forms_import_and_reimport_unchanged(db: Session) -> None:
    csv_text = (
        "External id,Title,Category,Industry,District,Amount,Status,Event\n"
        "EN-1,Park A,Park cooperation,Artificial intelligence,Haidian District,1.5亿,Published,invest-beijing-2024\n"
        "EN-2,Park B,park_cooperation,人工智能,海淀,15000万,published,invest-beijing-2024\n"
        "EN-3,Park C,园区合作,Integrated circuits,经开区,150000000,已发布,invest-beijing-2024\n"
    ).encode()
    report = import_file(db, actor=ORGANISER, filename="english.csv", data=csv_text)
    assert report.summary == {"created": 3, "updated": 0, "unchanged": 0, "errors": 0}
    rows = db.execute(
        select(Opportunity.external_id, Opportunity.amount, Opportunity.district, Opportunity.provenance)
        .where(Opportunity.external_id.in_(["EN-1", "EN-2", "EN-3"]))
        .order_by(Opportunity.external_id)
    ).all()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("EN-1", Decimal("150000000.00"), "海淀区", "import:english.csv"),
        ("EN-2", Decimal("150000000.00"), "海淀区", "import:english.csv"),
        ("EN-3", Decimal("150000000.00"), "北京经济技术开发区", "import:english.csv"),
    ]
    again = import_file(db, actor=ORGANISER, filename="english.csv", data=csv_text)
    assert again.summary == {"created": 0, "updated": 0, "unchanged": 3, "errors": 0}


def test_a_changed_row_updates_only_what_changed_and_valid_only_skips_bad_rows(db: Session) -> None:
    data = _xlsx(
        {
            "Projects": [
                ["项目编号", "项目名称", "金额（亿元）"],
                ["invest-beijing-2024-P001", "改名后的项目", 2.5],
                ["NEW-1", "新项目", "abc"],
            ]
        }
    )
    refused = import_file(db, actor=ORGANISER, filename="mixed.xlsx", data=data)
    assert refused.refused and refused.summary["updated"] == 1
    report = import_file(db, actor=ORGANISER, filename="mixed.xlsx", data=data, valid_only=True)
    assert report.applied and report.summary == {"created": 0, "updated": 1, "unchanged": 0, "errors": 1}
    opp = db.scalar(select(Opportunity).where(Opportunity.external_id == "invest-beijing-2024-P001"))
    assert opp is not None and (opp.title_zh, opp.amount) == ("改名后的项目", Decimal("250000000.00"))
    assert db.scalar(select(Opportunity).where(Opportunity.external_id == "NEW-1")) is None


def test_a_district_account_imports_only_in_its_district(db: Session) -> None:
    haidian = load_actor(db, db.scalar(select(Account.id).where(Account.username == "haidian")))
    data = _xlsx(
        {
            "项目": [
                ["项目编号", "项目名称", "区域"],
                ["HD-1", "海淀项目", "海淀区"],
                ["CY-1", "朝阳项目", "朝阳区"],
            ]
        }
    )
    report = import_file(db, actor=haidian, filename="district.xlsx", data=data)
    assert report.refused and report.errors == ["项目!3:区域 — 只能导入本区的项目"]


def test_the_import_command_refuses_with_every_error_and_exit_code(demo_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    db_file = demo_file
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        _xlsx({"项目": [["项目编号", "项目名称", "金额"], ["B-1", "项目甲", "x亿"], ["B-2", "", "1亿"]]})
    )
    result = runner.invoke(main, ["import", "--db", str(db_file), str(bad)])
    assert result.exit_code == 1
    assert "项目!2:金额 — x亿 不是金额（请写作 1.5亿、15000万 或 150000000）" in result.output
    assert "项目!3:项目名称 — 此单元格不能为空" in result.output
    assert "refused: created 0, updated 0, unchanged 0, errors 2" in result.output
    good = tmp_path / "good.csv"
    good.write_text("项目编号,项目名称,金额\nG-1,项目乙,3亿\n", encoding="utf-8")
    dry = runner.invoke(main, ["import", "--db", str(db_file), str(good), "--dry-run"])
    assert dry.exit_code == 0 and "dry run: created 1, updated 0, unchanged 0, errors 0" in dry.output
    done = runner.invoke(main, ["import", "--db", str(db_file), str(good)])
    assert "imported: created 1, updated 0, unchanged 0, errors 0" in done.output
    again = runner.invoke(main, ["import", "--db", str(db_file), str(good)])
    assert "imported: created 0, updated 0, unchanged 1, errors 0" in again.output
    out = tmp_path / "p.xlsx"
    exported = runner.invoke(
        main,
        ["export", "--db", str(db_file), "projects", "--event", "invest-beijing-2024", "--output", str(out)],
    )
    assert exported.exit_code == 0 and "231 rows" in exported.output
    back = runner.invoke(main, ["import", "--db", str(db_file), str(out)])
    assert "imported: created 0, updated 0, unchanged 231, errors 0" in back.output
    stats = tmp_path / "s.xlsx"
    assert (
        runner.invoke(
            main,
            ["export", "--db", str(db_file), "stats", "--event", "invest-beijing-2023", "-o", str(stats)],
        ).exit_code
        == 0
    )
    summary = {r[0]: r[1] for r in load_workbook(stats)["汇总 Summary"].iter_rows(values_only=True)}
    assert (
        summary["发布项目（个）Projects released"] == 152
        and summary["签约金额（亿元）Signed (100m yuan)"] == "608"
    )


def test_the_web_import_previews_then_imports(client: TestClient, db: Session) -> None:
    assert client.get("/import", follow_redirects=False).status_code == 303
    login(client, "organiser", "organiser-demo")
    token = csrf_of(client, "/import")
    data = _xlsx({"项目": [["项目编号", "项目名称", "金额"], ["W-1", "网页导入项目", "2亿"]]})
    preview = client.post("/import", data={"csrf": token}, files={"file": ("web.xlsx", data)})
    assert preview.status_code == 200 and "变更预览" in preview.text and "网页导入项目" in preview.text
    assert db.scalar(select(Opportunity).where(Opportunity.external_id == "W-1")) is None
    upload = preview.text.split('name="token" value="', 1)[1].split('"', 1)[0]
    done = client.post("/import/confirm", data={"csrf": token, "token": upload})
    assert done.status_code == 200 and "已导入" in done.text
    assert db.scalar(select(Opportunity.amount).where(Opportunity.external_id == "W-1")) == Decimal(
        "200000000.00"
    )


def test_the_template_downloads_with_both_sheets(client: TestClient) -> None:
    response = client.get("/import/template.xlsx")
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert wb.sheetnames == ["说明 Guide", "项目 Projects", "签约 Deals"]
    assert next(wb["项目 Projects"].iter_rows(values_only=True))[:3] == ("项目编号", "项目名称", "英文名称")


def test_exports_of_filtered_lists_from_the_web(client: TestClient, db: Session) -> None:
    login(client, "organiser", "organiser-demo")
    csv_body = client.get("/export/deals.csv", params={"event": "invest-beijing-2023", "stage": "signed"})
    assert csv_body.status_code == 200 and csv_body.headers["content-type"].startswith("text/csv")
    lines = csv_body.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 40 and lines[0].startswith("编号,项目名称,英文名称,阶段")
    xlsx = client.get("/export/projects.xlsx", params={"event": "invest-beijing-2024", "district": "海淀区"})
    rows = list(load_workbook(io.BytesIO(xlsx.content))["项目 Projects"].iter_rows(values_only=True))
    expected = db.scalar(
        select(func.count()).where(
            Opportunity.event.has(slug="invest-beijing-2024"),
            Opportunity.district == "海淀区",
            Opportunity.status.in_(RELEASED_STATES),
        )
    )
    assert expected and len(rows) - 1 == expected and "联系电话" in rows[0]
