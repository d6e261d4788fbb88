"""The audit log as a spreadsheet (.xlsx or .csv), in the page's language, safe to open.

What the log holds was typed by users (titles, notes, reasons); a spreadsheet would run a cell that begins with
`=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula, so every text cell that begins with
one of them is prefixed with `'`, and control characters are dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from duijie.audit.queries import AuditRow
from duijie.core.i18n import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet shows and never runs: text that could start a formula gets a leading `'`; control
    characters other than the line break are removed. Numbers stay numbers."""
    if not isinstance(value, str):
        return value
    text = "'" + value if value.startswith(FORMULA_STARTS) else value
    return "".join(ch for ch in text if ch == "\n" or (ord(ch) >= 32 and ord(ch) != 127))


def headers() -> list[str]:
    return [
        _("When"),
        _("Who"),
        _("User name"),
        _("Event"),
        _("Kind"),
        _("Record"),
        _("Record number"),
        _("Action"),
        _("Changes"),
        _("Note"),
    ]


def cells(row: AuditRow) -> list[Any]:
    """One entry as a spreadsheet row; the changes one per line as "field: before → after"."""
    return [
        row.when,
        row.actor,
        row.actor_username or "",
        row.event or "",
        row.kind_label,
        row.entity,
        row.entity_id,
        row.action_label,
        "\n".join(c.as_text() for c in row.changes),
        row.note or "",
    ]


def to_csv(rows: Iterable[AuditRow]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers())
    for row in rows:
        writer.writerow([safe_cell(v) for v in cells(row)])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Iterable[AuditRow]) -> bytes:
    """One sheet, a frozen bold header, wrapped change cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Audit log")[:31]
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in cells(row)])
    for column, width in zip("ABCDEFGHIJ", (17, 14, 14, 24, 14, 32, 10, 18, 48, 30), strict=True):
        sheet.column_dimensions[column].width = width
    for cell in sheet["I"][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def filename(fmt: str) -> str:
    return f"audit-{dt.date.today().isoformat()}.{fmt}"
