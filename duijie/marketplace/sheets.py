"""Project sheets: reading the .xlsx and .csv files offices keep (Chinese or English headers), checking every
cell, planning what an import would change, applying it, and the column layout the exports write.

The reading and cell-parsing helpers here are shared with the deal sheets (`duijie.deals.sheets`). Planning
never writes: it matches rows to records by external id and says per row create / update / unchanged or
which cells are wrong (`sheet!row:column — reason`); only a plan without errors (or, explicitly, its valid
rows) is applied.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.enums import LabelledEnum
from duijie.core.errors import DomainError
from duijie.core.i18n import WAN, YI
from duijie.core.i18n import gettext as _
from duijie.directory.reference import DISTRICT_EN, ETDZ, INDUSTRY_EN
from duijie.events.models import Event
from duijie.marketplace import service as opportunity_service
from duijie.marketplace.enums import OPPORTUNITY_TRANSITIONS, OpportunityStatus, ProjectCategory
from duijie.marketplace.models import Opportunity
from duijie.marketplace.permissions import can_edit_opportunity

MAX_COLUMNS = 60


# -- reading -------------------------------------------------------------------------------------------------
@dataclass
class RawSheet:
    """A sheet as read: its name, header row and data rows (sheet row number, cell values)."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]


def read_file(filename: str, data: bytes) -> list[RawSheet]:
    """The sheets of an .xlsx workbook (every sheet) or a .csv file (one sheet named after the file)."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return _read_xlsx(data)
    if lower.endswith(".csv"):
        stem = re.sub(r"\.csv$", "", filename.rsplit("/", 1)[-1], flags=re.I)
        return [_read_csv(stem, data)]
    raise DomainError(_("Only .xlsx and .csv files can be imported."), field="file")


def _read_xlsx(data: bytes) -> list[RawSheet]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DomainError(_("This is not a readable .xlsx workbook."), field="file") from exc
    sheets = []
    try:
        for ws in wb.worksheets:
            it = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS)
            header_row = next(it, None)
            headers = [("" if v is None else str(v)).strip() for v in (header_row or ())]
            rows = []
            for n, values in enumerate(it, start=2):
                cells = list(values)
                if any(v is not None and str(v).strip() != "" for v in cells):
                    rows.append((n, cells))
            sheets.append(RawSheet(ws.title, headers, rows))
    finally:
        wb.close()
    return sheets


def _read_csv(name: str, data: bytes) -> RawSheet:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(_("The CSV file is neither UTF-8 nor GB18030 text."), field="file")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    rows = [(n, list(r)) for n, r in enumerate(reader, start=2) if any(c.strip() for c in r)]
    return RawSheet(name, [h.strip() for h in header], rows)


# -- columns and cells ---------------------------------------------------------------------------------------
class CellProblem(Exception):
    """A cell that cannot be read; the message says why and how to write it."""


def normalise_header(text: str) -> str:
    table = str.maketrans({"（": "(", "）": ")", "_": " ", "：": "", ":": "", "*": ""})
    return re.sub(r"\s+", " ", text.translate(table)).strip().lower()


@dataclass(frozen=True)
class Column:
    """A sheet column: the model field it fills, its headers in both languages, and how to read a cell."""

    key: str
    zh: str
    en: str
    parse: Callable[[Any], Any]
    aliases: tuple[str, ...] = ()
    required: bool = False
    scale: Decimal = Decimal(1)

    def names(self) -> set[str]:
        return {normalise_header(n) for n in (self.zh, self.en, *self.aliases)}


def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()
    s = str(value).strip()
    return s or None


def amount_parser(scale: Decimal) -> Callable[[Any], Decimal | None]:
    """Reads 1.5亿 / 15000万 / 150000000 (and numbers in the unit the header names: 元, 万元, 亿元)."""

    def parse(value: Any) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise CellProblem(_("%(v)s is not an amount (write 1.5亿, 15000万 or 150000000)") % {"v": value})
        raw = value if isinstance(value, int | float | Decimal) else str(value)
        factor = scale
        if isinstance(raw, str):
            raw = raw.strip().replace(",", "").replace("，", "").replace(" ", "")
            for suffix, unit in (("亿元", YI), ("亿", YI), ("万元", WAN), ("万", WAN), ("元", Decimal(1))):
                if raw.endswith(suffix):
                    raw, factor = raw[: -len(suffix)], unit
                    break
        try:
            number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        except (InvalidOperation, ValueError):
            raise CellProblem(
                _("%(v)s is not an amount (write 1.5亿, 15000万 or 150000000)") % {"v": value}
            ) from None
        if not number.is_finite() or number < 0:
            raise CellProblem(_("%(v)s is not a non-negative amount") % {"v": value})
        result = number * factor
        if result != result.quantize(Decimal("0.01")):
            raise CellProblem(_("%(v)s has fractions of a fen") % {"v": value})
        return result.quantize(Decimal("0.01"))

    return parse


def enum_parser(enum_cls: type[LabelledEnum]) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        s = text(value)
        if s is None:
            return None
        for member in enum_cls:
            if s in (member.value, member.zh) or s.lower() == member.en.lower():  # type: ignore[attr-defined]
                return member.value
        allowed = "、".join(m.zh for m in enum_cls)  # type: ignore[attr-defined]
        raise CellProblem(
            _("%(v)s is not allowed here (use one of: %(allowed)s)") % {"v": s, "allowed": allowed}
        )

    return parse


_INDUSTRY_BY_NAME = {**{k: k for k in INDUSTRY_EN}, **{v.lower(): k for k, v in INDUSTRY_EN.items()}}
_DISTRICT_BY_NAME = {
    **{k: k for k in DISTRICT_EN},
    **{v.lower(): k for k, v in DISTRICT_EN.items()},
    **{k.removesuffix("区"): k for k in DISTRICT_EN if k.endswith("区") and k != ETDZ},
    **{v.lower().removesuffix(" district"): k for k, v in DISTRICT_EN.items()},
    "经开区": ETDZ,
    "亦庄": ETDZ,
    "北京经开区": ETDZ,
}


def industry(value: Any) -> str | None:
    s = text(value)
    if s is None:
        return None
    found = _INDUSTRY_BY_NAME.get(s) or _INDUSTRY_BY_NAME.get(s.lower())
    if found is None:
        raise CellProblem(_("%(v)s is not an industry of the reference list") % {"v": s})
    return found


def district(value: Any) -> str | None:
    s = text(value)
    if s is None:
        return None
    found = _DISTRICT_BY_NAME.get(s) or _DISTRICT_BY_NAME.get(s.lower())
    if found is None:
        raise CellProblem(_("%(v)s is not one of Beijing's districts") % {"v": s})
    return found


def date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    if not s:
        return None
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise CellProblem(_("%(v)s is not a date (write 2024-04-25)") % {"v": s})


def boolean(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("是", "y", "yes", "true", "1", "✓", "√"):
        return True
    if s in ("否", "n", "no", "false", "0"):
        return False
    raise CellProblem(_("%(v)s is not yes or no (write 是 or 否)") % {"v": value})


def bounded_text(limit: int) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        s = text(value)
        if s is not None and len(s) > limit:
            raise CellProblem(_("longer than %(n)s characters") % {"n": limit})
        return s

    return parse


def amount_columns(key: str, zh: str, en: str, aliases: tuple[str, ...] = ()) -> list[Column]:
    """An amount column in any of its usual headers: plain (any form), in 元, in 万元 or in 亿元."""
    return [
        Column(key, zh, en, amount_parser(Decimal(1)), aliases=aliases),
        Column(key, f"{zh}（元）", f"{en} (yuan)", amount_parser(Decimal(1))),
        Column(key, f"{zh}（万元）", f"{en} (10k yuan)", amount_parser(WAN), scale=WAN),
        Column(key, f"{zh}（亿元）", f"{en} (100m yuan)", amount_parser(YI), scale=YI),
    ]


@dataclass(frozen=True)
class Layout:
    """How a sheet's headers map to columns: index -> column, plus headers that were not recognised."""

    columns: dict[int, Column]
    ignored: list[str]

    def has(self, key: str) -> bool:
        return any(c.key == key for c in self.columns.values())


def match_headers(sheet: RawSheet, columns: list[Column]) -> tuple[Layout, list[str]]:
    """Match the header row to the columns; errors for a field named twice or a required field missing."""
    by_name: dict[str, Column] = {}
    for col in columns:
        for name in col.names():
            by_name.setdefault(name, col)
    found: dict[int, Column] = {}
    ignored: list[str] = []
    errors: list[str] = []
    seen: dict[str, str] = {}
    for i, header in enumerate(sheet.headers):
        if not header:
            continue
        col = by_name.get(normalise_header(header))
        if col is None:
            ignored.append(header)
            continue
        if col.key in seen:
            errors.append(
                f"{sheet.name}!1:{header} — "
                + _("the field is already given by column %(other)s") % {"other": seen[col.key]}
            )
            continue
        seen[col.key] = header
        found[i] = col
    for col in columns:
        if col.required and col.key not in seen:
            errors.append(
                f"{sheet.name}!1 — " + _("no column %(zh)s / %(en)s") % {"zh": col.zh, "en": col.en}
            )
    return Layout(found, ignored), errors


def read_row(sheet: RawSheet, layout: Layout, row: int, cells: list[Any]) -> tuple[dict[str, Any], list[str]]:
    """The parsed values of one row by field, and one error per bad cell."""
    values: dict[str, Any] = {}
    errors: list[str] = []
    for i, col in layout.columns.items():
        raw = cells[i] if i < len(cells) else None
        try:
            values[col.key] = col.parse(raw)
        except CellProblem as exc:
            errors.append(f"{sheet.name}!{row}:{sheet.headers[i]} — {exc}")
        else:
            if col.required and values[col.key] in (None, ""):
                errors.append(f"{sheet.name}!{row}:{sheet.headers[i]} — " + _("this cell must not be empty"))
    return values, errors


# -- plans ---------------------------------------------------------------------------------------------------
@dataclass
class RowPlan:
    """What importing one row would do: create, update (with the changed fields), unchanged, or error."""

    sheet: str
    row: int
    kind: str  # "project" or "deal"
    external_id: str | None
    title: str | None
    action: str = "unchanged"
    values: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    target: Any = None

    def error(self, column: str | None, message: str) -> None:
        where = f"{self.sheet}!{self.row}" + (f":{column}" if column else "")
        self.errors.append(f"{where} — {message}")
        self.action = "error"


class EventLookup:
    """Events by id, slug or name, read once per import."""

    def __init__(self, db: Session) -> None:
        self.by_name: dict[str, int] = {}
        self.slug_of: dict[int, str] = {}
        for ev in db.scalars(select(Event)):
            self.slug_of[ev.id] = ev.slug
            for name in (ev.slug, ev.name_zh, ev.name_en, str(ev.id)):
                if name:
                    self.by_name.setdefault(name.strip().lower(), ev.id)

    def find(self, value: Any) -> int | None:
        s = text(value)
        if s is None:
            return None
        found = self.by_name.get(s.lower())
        if found is None:
            raise CellProblem(
                _("%(v)s is not a known event (write its id, e.g. invest-beijing-2024)") % {"v": s}
            )
        return found


def chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for k in range(0, len(items), size):
        yield items[k : k + size]


# -- project sheets ------------------------------------------------------------------------------------------
PROJECT_COLUMNS: list[Column] = [
    Column(
        "external_id",
        "项目编号",
        "External id",
        bounded_text(80),
        aliases=("编号", "project id", "id", "project number"),
        required=True,
    ),
    Column(
        "title_zh",
        "项目名称",
        "Title",
        bounded_text(200),
        aliases=("名称", "project", "title (chinese)", "项目名称(中文)"),
        required=True,
    ),
    Column(
        "title_en",
        "英文名称",
        "Title (English)",
        bounded_text(200),
        aliases=("项目名称(英文)", "english title"),
    ),
    Column("category", "类别", "Category", enum_parser(ProjectCategory), aliases=("项目类别",)),
    Column("industry", "产业", "Industry", industry, aliases=("产业领域", "行业")),
    Column("district", "区域", "District", district, aliases=("所在区", "所属区", "区")),
    *amount_columns("amount", "金额", "Amount", aliases=("投资额", "招商金额", "项目金额")),
    Column("status", "状态", "Status", enum_parser(OpportunityStatus), aliases=("项目状态",)),
    Column("event", "活动", "Event", text, aliases=("发布活动", "event id")),
    Column("summary_zh", "项目简介", "Summary", text, aliases=("简介", "summary (chinese)")),
    Column("summary_en", "英文简介", "Summary (English)", text),
    Column("contact_name", "联系人", "Contact", bounded_text(80), aliases=("contact person",)),
    Column("contact_phone", "联系电话", "Phone", bounded_text(40), aliases=("contact phone",)),
    Column("contact_email", "联系邮箱", "E-mail", bounded_text(200), aliases=("email", "contact e-mail")),
]

PROJECT_FIELDS = (
    "title_zh",
    "title_en",
    "category",
    "industry",
    "district",
    "amount",
    "status",
    "summary_zh",
    "summary_en",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def is_project_sheet(sheet: RawSheet) -> bool:
    names = {normalise_header(h) for h in sheet.headers}
    ids = PROJECT_COLUMNS[0].names()
    return bool(names & ids)


def plan_projects(
    db: Session, sheet: RawSheet, *, actor: Actor, events: EventLookup, seen: set[str]
) -> tuple[list[RowPlan], list[str], list[str]]:
    """The plan of every row of a project sheet, header errors, and ignored headers; writes nothing."""
    layout, header_errors = match_headers(sheet, PROJECT_COLUMNS)
    if header_errors:
        return [], header_errors, layout.ignored
    plans: list[RowPlan] = []
    for row, cells in sheet.rows:
        values, errors = read_row(sheet, layout, row, cells)
        plan = RowPlan(sheet.name, row, "project", values.get("external_id"), values.get("title_zh"))
        plan.errors = errors
        if errors:
            plan.action = "error"
        if "event" in values:
            try:
                values["event_id"] = events.find(values.pop("event"))
            except CellProblem as exc:
                plan.error(_header(sheet, layout, "event"), str(exc))
        ext = plan.external_id
        if ext:
            if ext in seen:
                plan.error(
                    _header(sheet, layout, "external_id"), _("%(v)s appears twice in the file") % {"v": ext}
                )
            seen.add(ext)
        plan.values = values
        plans.append(plan)
    existing: dict[str, Opportunity] = {}
    ids = [p.external_id for p in plans if p.external_id]
    for part in chunks(ids):
        for opp in db.scalars(select(Opportunity).where(Opportunity.external_id.in_(part))):
            existing[opp.external_id] = opp  # type: ignore[index]
    for plan in plans:
        if plan.action == "error":
            continue
        _decide_project(plan, existing.get(plan.external_id or ""), actor, sheet, layout)
    return plans, [], layout.ignored


def _header(sheet: RawSheet, layout: Layout, key: str) -> str:
    for i, col in layout.columns.items():
        if col.key == key:
            return sheet.headers[i]
    return next((c.zh for c in PROJECT_COLUMNS if c.key == key), key)


def _decide_project(
    plan: RowPlan, opp: Opportunity | None, actor: Actor, sheet: RawSheet, layout: Layout
) -> None:
    values = plan.values
    if opp is None:
        probe = _Probe(district=values.get("district"), owner_org_id=None)
        if not can_edit_opportunity(actor, probe):
            plan.error(
                _header(sheet, layout, "district"), _("you may import projects only in your own district")
            )
            return
        plan.action = "create"
        plan.changes = {k: (None, v) for k, v in values.items() if v is not None and k != "external_id"}
        return
    plan.target = opp
    if not can_edit_opportunity(actor, opp):
        plan.error(
            None, _("project %(id)s belongs to a district you do not manage") % {"id": opp.external_id}
        )
        return
    changes = {}
    for key, value in values.items():
        if key == "external_id":
            continue
        if key == "title_zh" and value is None:
            plan.error(_header(sheet, layout, key), _("this cell must not be empty"))
            return
        if key == "status" and value is None:
            continue
        old = getattr(opp, key)
        if old != value:
            changes[key] = (old, value)
    if "district" in changes and not can_edit_opportunity(
        actor, _Probe(district=changes["district"][1], owner_org_id=None)
    ):
        plan.error(
            _header(sheet, layout, "district"),
            _("you may not move a project into a district you do not manage"),
        )
        return
    if "status" in changes and changes["status"][1] not in OPPORTUNITY_TRANSITIONS[opp.status]:
        plan.error(
            _header(sheet, layout, "status"),
            _("a project cannot go from %(a)s to %(b)s")
            % {"a": OpportunityStatus(opp.status).zh, "b": OpportunityStatus(changes["status"][1]).zh},  # type: ignore[attr-defined]
        )
        return
    plan.changes = changes
    plan.action = "update" if changes else "unchanged"


class _Probe:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


def apply_projects(db: Session, plans: Iterable[RowPlan], *, actor: Actor, provenance: str) -> None:
    """Write the planned creations and updates (rows with errors are never in `plans`)."""
    now = utcnow()
    batch: list[Opportunity] = []
    for plan in plans:
        if plan.action == "create":
            v = plan.values
            status = v.get("status") or "published"
            batch.append(
                Opportunity(
                    external_id=plan.external_id,
                    kind="investment_project",
                    provenance=provenance,
                    status=status,
                    published_at=now if status != "draft" else None,
                    **{k: v.get(k) for k in (*PROJECT_FIELDS, "event_id") if k != "status" and k in v},
                )
            )
            if len(batch) >= 2000:
                db.add_all(batch)
                db.flush()
                batch = []
        elif plan.action == "update":
            opp = plan.target
            fields = {k: new for k, (_old, new) in plan.changes.items() if k != "status"}
            if fields:
                before = {k: getattr(opp, k) for k in fields}
                for k, new in fields.items():
                    setattr(opp, k, new)
                db.flush()
                audit.record(
                    db,
                    actor=actor,
                    entity_type="opportunity",
                    entity_id=opp.id,
                    action="import",
                    before=before,
                    after=fields,
                    event_id=opp.event_id,
                    note=provenance,
                )
            if "status" in plan.changes:
                opportunity_service.set_opportunity_state(
                    db, actor=actor, opportunity=opp, to=plan.changes["status"][1], note=provenance
                )
    if batch:
        db.add_all(batch)
        db.flush()


def export_row(opp: Opportunity, event_slugs: dict[int, str], *, with_contacts: bool) -> dict[str, Any]:
    """A project as the export (and so the import) writes it: codes as Chinese labels, amounts in yuan."""
    row: dict[str, Any] = {
        "external_id": opp.external_id or f"id-{opp.id}",
        "title_zh": opp.title_zh,
        "title_en": opp.title_en,
        "category": ProjectCategory(opp.category).zh if opp.category else None,  # type: ignore[attr-defined]
        "industry": opp.industry,
        "district": opp.district,
        "amount": opp.amount,
        "status": OpportunityStatus(opp.status).zh,  # type: ignore[attr-defined]
        "event": event_slugs.get(opp.event_id) if opp.event_id else None,
        "summary_zh": opp.summary_zh,
        "summary_en": opp.summary_en,
    }
    if with_contacts:
        row.update(
            contact_name=opp.contact_name, contact_phone=opp.contact_phone, contact_email=opp.contact_email
        )
    return row


def export_columns(*, with_contacts: bool) -> list[Column]:
    """The export's columns: amounts in yuan (exact), contacts only for signed-in users."""
    cols = [c for c in PROJECT_COLUMNS if not (c.key == "amount" and c.zh != "金额（元）")]
    if not with_contacts:
        cols = [c for c in cols if not c.key.startswith("contact_")]
    return cols
