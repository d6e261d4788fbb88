"""Exports of filtered project and deal lists and of the statistics report, as formatted .xlsx (a summary
sheet first, then the data) or .csv (UTF-8 with BOM, so Excel opens Chinese text correctly).

The list exports use the import's own columns, so an exported workbook re-imports with no change. Every text
cell is written as text: control characters no worksheet may hold are dropped, and a value a spreadsheet would
take for a formula (`=`, `+`, `-`, `@`, tab, carriage return) is written after an apostrophe, which the import
takes off again (`core.sheets.escape_text`).

Who gets what is the caller's rule: the deals given are those the reader may see (`deals.permissions`), of which
only the related ones carry their internal figures; the project contacts only where the reader may see them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from duijie.core.db import utcnow
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.i18n import yi_str
from duijie.core.sheets import Column, escape_text
from duijie.deals import sheets as deal_sheets
from duijie.deals.enums import counts_as_signed
from duijie.deals.models import Deal
from duijie.events.service import find_event
from duijie.insight.countries import country_name
from duijie.insight.queries import StatsScope
from duijie.insight.report import stats_report
from duijie.marketplace import sheets as project_sheets
from duijie.marketplace.models import Opportunity

FORMATS = ("xlsx", "csv")
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
MONEY_FORMAT = "#,##0.00"


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise DomainError(_("Exports are .xlsx or .csv files."), field="format")
    return fmt


def response(data: bytes, fmt: str, stem: str) -> Response:
    name = f"{stem}-{dt.date.today().isoformat()}.{fmt}"
    return Response(
        data, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _event_slugs(items: Sequence[Any]) -> dict[int, str]:
    slugs: dict[int, str] = {}
    for item in items:
        if item.event_id and item.event is not None:
            slugs[item.event_id] = item.event.slug
    return slugs


def _table(columns: list[Column], rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    headers = [c.zh for c in columns]
    return headers, [[row.get(c.key) for c in columns] for row in rows]


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return escape_text(value)
    return value


def _csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_csv_value(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def _put(sheet: Any, row: int, values: Sequence[Any]) -> None:
    """Row `row` of the sheet, its text cells escaped and typed as text (never a formula)."""
    for k, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row=row, column=k)
            cell.value = escape_text(value)
            cell.data_type = "s"
        elif value is not None:
            sheet.cell(row=row, column=k, value=value)


def _workbook(summary: list[tuple[str, Any]], sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    """A workbook: a summary sheet (label, value) and data sheets with a styled, frozen header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="0B3D91")
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总 Summary"
    _put(ws, 1, ["duijie 对接", ""])
    ws["A1"].font = Font(bold=True, size=14)
    for n, (label, value) in enumerate(summary, start=2):
        _put(ws, n, [label, value])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 34, 48
    for name, headers, rows in sheets:
        sheet = wb.create_sheet(name[:31])
        _put(sheet, 1, headers)
        for cell in sheet[1]:
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(vertical="center")
        money_cols = [k for k, h in enumerate(headers) if "金额" in h or "亿元" in h]
        date_cols = [k for k, h in enumerate(headers) if "日期" in h]
        for n, row in enumerate(rows, start=2):
            _put(sheet, n, row)
        for k in money_cols:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=k + 1, max_col=k + 1):
                cell.number_format = MONEY_FORMAT if "亿元" not in headers[k] else "0.00##"
        for k in date_cols:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=k + 1, max_col=k + 1):
                cell.number_format = "yyyy-mm-dd"
        for k, header in enumerate(headers):
            sheet.column_dimensions[get_column_letter(k + 1)].width = max(10, min(40, len(header) * 2 + 4))
        sheet.freeze_panes = "A2"
        if headers:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows) + 1)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _filters_text(filters: dict[str, Any]) -> str:
    shown = {k: v for k, v in filters.items() if v not in (None, "") and k not in ("sort",)}
    return "; ".join(f"{k}={v}" for k, v in shown.items()) or "—"


def projects_file(
    items: Sequence[Opportunity],
    *,
    fmt: str,
    with_contacts: bool,
    contact_of: Callable[[Opportunity], bool] | None = None,
    filters: dict[str, Any] | None = None,
) -> bytes:
    """The projects of a filtered list, in the project sheet's columns (amounts in yuan). With `with_contacts`
    the contact columns are there, filled for the projects `contact_of` allows (all if not given)."""
    columns = project_sheets.export_columns(with_contacts=with_contacts)
    slugs = _event_slugs(items)
    rows = [
        project_sheets.export_row(
            o, slugs, with_contacts=with_contacts and (contact_of is None or contact_of(o))
        )
        for o in items
    ]
    headers, table = _table(columns, rows)
    if fmt == "csv":
        return _csv(headers, table)
    total = sum((o.amount or Decimal(0) for o in items), Decimal(0))
    summary = [
        ("导出时间 Exported at", utcnow().strftime("%Y-%m-%d %H:%M UTC")),
        ("筛选条件 Filters", _filters_text(filters or {})),
        ("项目数 Projects", len(items)),
        ("金额合计（亿元）Total (100m yuan)", yi_str(total)),
        (
            "说明 Note",
            "“项目”表可直接重新导入；金额单位为元。The Projects sheet re-imports as is; amounts in yuan.",
        ),
    ]
    return _workbook(summary, [("项目 Projects", headers, table)])


# What a deal's row leaves empty for a reader who only sees its announcement (see deals.permissions).
DEAL_INTERNALS = (
    "planned_amount",
    "invested_amount",
    "status_reason",
    "lost_to",
    "source_kind",
    "source_label",
    "opened_on",
)


def deals_file(
    items: Sequence[Deal],
    *,
    fmt: str,
    internals: Callable[[Deal], bool] | None = None,
    filters: dict[str, Any] | None = None,
) -> bytes:
    """The deals of a filtered list, in the deal sheet's columns (amounts in yuan, parties by id); the planned
    and invested amounts and the lost reason only of the deals `internals` allows (all if not given)."""
    columns = deal_sheets.export_columns()
    slugs = _event_slugs(items)
    project_ids = {
        d.opportunity_id: d.opportunity.external_id for d in items if d.opportunity_id and d.opportunity
    }
    rows = []
    for d in items:
        row = deal_sheets.export_row(d, slugs, project_ids)  # type: ignore[arg-type]
        if internals is not None and not internals(d):
            row.update(dict.fromkeys(DEAL_INTERNALS))
        rows.append(row)
    headers, table = _table(columns, rows)
    if fmt == "csv":
        return _csv(headers, table)
    signed = [d for d in items if counts_as_signed(d.stage, d.status)]
    summary = [
        ("导出时间 Exported at", utcnow().strftime("%Y-%m-%d %H:%M UTC")),
        ("筛选条件 Filters", _filters_text(filters or {})),
        ("项目数 Deals", len(items)),
        ("签约项目 Signed deals", len(signed)),
        (
            "签约金额（亿元）Signed (100m yuan)",
            yi_str(sum((d.signed_amount or Decimal(0) for d in signed), Decimal(0))),
        ),
        (
            "说明 Note",
            "“签约”表可直接重新导入；金额单位为元。The Deals sheet re-imports as is; amounts in yuan.",
        ),
    ]
    return _workbook(summary, [("签约 Deals", headers, table)])


GROUP_TITLES = {
    "by_category": "发布项目·类别 Released by category",
    "by_industry": "发布项目·产业 Released by industry",
    "by_district": "发布项目·区域 Released by district",
    "signed_by_category": "签约·类别 Signed by category",
    "signed_by_industry": "签约·产业 Signed by industry",
    "signed_by_district": "签约·区域 Signed by district",
    "signed_by_country": "签约·投资方国别 Signed by country",
    "pipeline": "洽谈阶段 Pipeline by stage",
}


def stats_file(db: Session, scope: StatsScope, *, fmt: str) -> bytes:
    """The statistics report: headline figures, breakdowns, funnel and comparison."""
    report = stats_report(db, scope)
    if fmt == "csv":
        rows: list[list[Any]] = []
        for key in ("released", "negotiating", "signed", "landed"):
            rows.append(["headline", key, report[key]["count"], report[key]["amount_yi"]])
        for group in GROUP_TITLES:
            for key, fig in report[group].items():
                rows.append([group, key, fig["count"], fig["amount_yi"]])
        for step in report["funnel"]:
            rows.append(["funnel", step["key"], step["count"], step["amount_yi"]])
        for row in report["comparison"]:
            rows.append(
                ["comparison_released", row["key"], row["released"]["count"], row["released"]["amount_yi"]]
            )
            rows.append(["comparison_signed", row["key"], row["signed"]["count"], row["signed"]["amount_yi"]])
        return _csv(["section", "key", "count", "amount_yi"], rows)
    s = report["scope"]
    summary: list[tuple[str, Any]] = [
        ("导出时间 Exported at", utcnow().strftime("%Y-%m-%d %H:%M UTC")),
        ("活动 Event", s["event"] or "—"),
        ("期间 Period", s["period"] or "—"),
        ("区域 District", s["district"] or "—"),
        ("产业 Industry", s["industry"] or "—"),
        ("发布项目（个）Projects released", report["released"]["count"]),
        ("招商总额（亿元）Released (100m yuan)", report["released"]["amount_yi"]),
        ("洽谈中（个）In negotiation", report["negotiating"]["count"]),
        ("签约项目（个）Projects signed", report["signed"]["count"]),
        ("签约金额（亿元）Signed (100m yuan)", report["signed"]["amount_yi"]),
        ("已落地（个）Landed", report["landed"]["count"]),
        ("落地金额（亿元）Landed (100m yuan)", report["landed"]["amount_yi"]),
    ]
    for key, value in report["published"].items():
        summary.append((f"公布数 Published: {key}", format(value, "f")))
    sheets: list[tuple[str, list[str], list[list[Any]]]] = []
    for group, title in GROUP_TITLES.items():
        label = country_name if group == "signed_by_country" else (lambda k: k)
        sheets.append(
            (
                title.split(" ", 1)[0],
                ["项目 Key", "数量 Count", "金额（亿元）"],
                [[label(k), f["count"], Decimal(f["amount_yi"])] for k, f in report[group].items()],
            )
        )
    sheets.append(
        (
            "漏斗 Funnel",
            ["环节 Step", "数量 Count", "金额（亿元）", "较上一环节 % of previous", "较首环节 % of first"],
            [
                [
                    st["key"],
                    st["count"],
                    Decimal(st["amount_yi"]),
                    st["rate_previous_pct"],
                    st["rate_first_pct"],
                ]
                for st in report["funnel"]
            ],
        )
    )
    sheets.append(
        (
            "对比 Comparison",
            [
                "届次 Edition",
                "发布项目 Released",
                "发布金额（亿元）",
                "签约项目 Signed",
                "签约金额（亿元）",
                "发布金额变化% Released change",
                "签约金额变化% Signed change",
            ],
            [
                [
                    r["label_zh"],
                    r["released"]["count"],
                    Decimal(r["released"]["amount_yi"]),
                    r["signed"]["count"],
                    Decimal(r["signed"]["amount_yi"]),
                    r["released_amount_change_pct"],
                    r["signed_amount_change_pct"],
                ]
                for r in report["comparison"]
            ],
        )
    )
    sheets.append(("周期 Cycle times", *_cycle_table(report["cycle_times"])))
    return _workbook(summary, sheets)


def _cycle_table(cycles: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The cycle times as one sheet: a row per group (all, each edition, district, industry), for each span the
    number of deals and the median and mean days."""
    headers = ["分组 Group", "名称 Name"]
    for key, zh_en in (
        ("signed_contract", "论坛签约→正式合同 Signing→contract"),
        ("contract_landed", "正式合同→落地 Contract→landing"),
        ("signed_landed", "论坛签约→落地 Signing→landing"),
    ):
        del key
        headers += [
            f"{zh_en}：项目数 deals",
            f"{zh_en}：中位天数 median days",
            f"{zh_en}：平均天数 mean days",
        ]
    rows: list[list[Any]] = []

    def add(group: str, name: Any, row: dict[str, Any]) -> None:
        cells: list[Any] = [group, name]
        for key in ("signed_contract", "contract_landed", "signed_landed"):
            cells += [row[key]["count"], row[key]["median_days"], row[key]["mean_days"]]
        rows.append(cells)

    if cycles["all"]:
        add("全部 All", "—", cycles["all"])
    for r in cycles["by_event"]:
        add("届次 Edition", r.get("label_zh") or r["key"], r)
    for r in cycles["by_district"]:
        add("区域 District", r["key"] or "—", r)
    for r in cycles["by_industry"]:
        add("产业 Industry", r["key"] or "—", r)
    return headers, rows


def all_projects(db: Session, *, event: str | None) -> list[Opportunity]:
    """Every investment project (of an event; an unknown event is an error, not an empty file), for the
    command line's export."""
    stmt = (
        select(Opportunity)
        .where(Opportunity.kind == "investment_project")
        .options(joinedload(Opportunity.event))
    )
    found = find_event(db, slug=event)
    if found is not None:
        stmt = stmt.where(Opportunity.event_id == found.id)
    return list(db.scalars(stmt.order_by(Opportunity.id)))
