"""The spreadsheet toolkit: reading the .xlsx and .csv files offices keep, matching their header rows (Chinese or
English) to columns, reading every cell with a parser that says what is wrong and how to write it, and the row
plans an import builds before it writes anything.

Errors are located the way a person finds them in the workbook: `sheet!row:column — reason`. Which columns a
sheet has and what a row does to the database belong to the module that owns the records (the project sheet
to marketplace, the deal sheet to deals); nothing here knows a model.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from duijie.core import i18n
from duijie.core.enums import LabelledEnum
from duijie.core.errors import DomainError
from duijie.core.i18n import WAN, YI
from duijie.core.i18n import gettext as _

MAX_COLUMNS = 60

# What a file may hold before anything reads it in full. An .xlsx is a zip archive: its declared (uncompressed)
# sizes bind, because Python's zipfile never inflates a member past the size its directory declares, so checking
# them before openpyxl opens the file is enough to refuse a zip bomb without inflating it.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# A member smaller than this cannot hurt, whatever its ratio (tiny XML parts often compress 100-fold or more).
RATIO_CHECKED_FROM = 1024 * 1024
MAX_ZIP_MEMBERS = 300
MAX_CSV_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000


class SheetTooLarge(DomainError):
    """A file beyond one of the limits above; nothing of it was read. The message names the limit."""

    status_code = 413


# -- reading -------------------------------------------------------------------------------------------------
@dataclass
class RawSheet:
    """A sheet as read: its name, header row and data rows (sheet row number, cell values)."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]


def read_file(filename: str, data: bytes) -> list[RawSheet]:
    """The sheets of an .xlsx workbook (every sheet) or a .csv file (one sheet named after the file), within
    the limits above (`SheetTooLarge` names the one exceeded)."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        check_workbook(data)
        return _read_xlsx(data)
    if lower.endswith(".csv"):
        if len(data) > MAX_CSV_BYTES:
            raise SheetTooLarge(
                _("The CSV file is larger than %(n)s MB.") % {"n": MAX_CSV_BYTES // (1024 * 1024)}, field="file"
            )
        stem = re.sub(r"\.csv$", "", filename.rsplit("/", 1)[-1], flags=re.I)
        return [_read_csv(stem, data)]
    raise DomainError(_("Only .xlsx and .csv files can be imported."), field="file")


def check_workbook(data: bytes) -> None:
    """Refuse a workbook whose archive would inflate beyond the limits, reading only its directory: the total
    uncompressed size, each large member's compression ratio, and the number of members."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DomainError(_("This is not a readable .xlsx workbook."), field="file") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise SheetTooLarge(
            _("The workbook holds more than %(n)s parts; it cannot be imported.") % {"n": MAX_ZIP_MEMBERS},
            field="file",
        )
    total = sum(m.file_size for m in members)
    if total > MAX_UNZIPPED_BYTES:
        raise SheetTooLarge(
            _("The workbook unpacks to more than %(n)s MB; split it into smaller files.")
            % {"n": MAX_UNZIPPED_BYTES // (1024 * 1024)},
            field="file",
        )
    for m in members:
        if m.file_size > RATIO_CHECKED_FROM and m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1):
            raise SheetTooLarge(
                _("A part of the workbook is compressed more than %(n)s-fold (%(part)s); it cannot be imported.")
                % {"n": MAX_COMPRESSION_RATIO, "part": m.filename},
                field="file",
            )


def _too_many_rows() -> SheetTooLarge:
    return SheetTooLarge(
        _("The file has more than %(n)s rows; split it into smaller files.") % {"n": f"{MAX_ROWS:,}"},
        field="file",
    )


def _read_xlsx(data: bytes) -> list[RawSheet]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DomainError(_("This is not a readable .xlsx workbook."), field="file") from exc
    sheets = []
    budget = MAX_ROWS
    try:
        for ws in wb.worksheets:
            it = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS)
            header_row = next(it, None)
            headers = [("" if v is None else str(v)).strip() for v in (header_row or ())]
            rows = []
            for n, values in enumerate(it, start=2):
                # Blank rows count too: a sheet can declare a million of them between two cells.
                budget -= 1
                if budget < 0:
                    raise _too_many_rows()
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
    rows: list[tuple[int, list[Any]]] = []
    try:
        header = next(reader, [])
        for n, r in enumerate(reader, start=2):
            if n > MAX_ROWS + 1:
                raise _too_many_rows()
            if any(c.strip() for c in r):
                rows.append((n, r[:MAX_COLUMNS]))
    except csv.Error as exc:
        raise DomainError(
            _("The CSV file cannot be read near line %(n)s: %(why)s") % {"n": reader.line_num, "why": exc},
            field="file",
        ) from None
    return RawSheet(name, [h.strip() for h in header[:MAX_COLUMNS]], rows)


# -- text cells in and out -----------------------------------------------------------------------------------
# A text cell starting with one of these is read as a formula by spreadsheets; exports write it after an
# apostrophe, and imports take that apostrophe off again, so an export re-imports unchanged.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# C0 control characters no worksheet may hold (tab, line feed and carriage return are allowed).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _formula_like(s: str) -> bool:
    """Starts like a formula, perhaps behind apostrophes (so that a value that really starts with an apostrophe
    and a formula character also survives the round trip)."""
    return s.lstrip("'").startswith(FORMULA_STARTS)


def escape_text(s: str) -> str:
    """A text value as an export writes it: control characters removed, an apostrophe before anything a
    spreadsheet would take for a formula (`=1+1` -> `'=1+1`)."""
    s = CONTROL_CHARACTERS.sub("", s)
    return "'" + s if _formula_like(s) else s


def unescape_text(s: str) -> str:
    """The reverse of `escape_text` on import: exactly one apostrophe an export added is taken off."""
    return s[1:] if s.startswith("'") and _formula_like(s[1:]) else s


# -- columns and cells ---------------------------------------------------------------------------------------
class CellProblem(Exception):
    """A cell that cannot be read; the message says why and how to write it."""


def normalise_header(text: str) -> str:
    """A header as compared: full-width brackets and colons, underscores, stars, case and spacing ignored."""
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
    """A cell as text (None when empty); whole numbers lose their `.0` and dates read as ISO dates."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()
    s = unescape_text(str(value).strip())
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
        try:
            # The same bound as every other amount (at most 10万亿元), so the cell is named, not the database.
            checked = i18n.check_amount(result, shown=value)
        except DomainError as exc:
            raise CellProblem(exc.message) from None
        except InvalidOperation:
            raise CellProblem(_("%(v)s is not a non-negative amount") % {"v": value}) from None
        return checked

    return parse


def enum_parser(enum_cls: type[LabelledEnum]) -> Callable[[Any], str | None]:
    """Reads a state or category by its code, its Chinese label or its English label (any case)."""

    def parse(value: Any) -> str | None:
        s = text(value)
        if s is None:
            return None
        for member in enum_cls:
            if s in (member.value, member.label("zh")) or s.lower() == member.label("en").lower():
                return member.value
        allowed = "、".join(m.label("zh") for m in enum_cls)
        raise CellProblem(
            _("%(v)s is not allowed here (use one of: %(allowed)s)") % {"v": s, "allowed": allowed}
        )

    return parse


def name_parser(by_name: Mapping[str, str], problem: str) -> Callable[[Any], str | None]:
    """Reads a value of a reference list by any of its names (`by_name` maps names, lower-cased where they
    are Latin, to the stored value). `problem`, marked with `_l` and translated when a cell is read, says
    what an unknown name `%(v)s` is not."""

    def parse(value: Any) -> str | None:
        s = text(value)
        if s is None:
            return None
        found = by_name.get(s) or by_name.get(s.lower())
        if found is None:
            raise CellProblem(_(problem) % {"v": s})
        return found

    return parse


def date(value: Any) -> dt.date | None:
    """Reads a date cell, or text written 2024-04-25, 2024/4/25, 2024.4.25 or 2024年4月25日."""
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
    """Reads 是/否, yes/no, y/n, true/false, 1/0 and ticks."""
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
    """Reads text no longer than the database column holds."""

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


def identity_columns(id_zh: str, id_aliases: tuple[str, ...], title_aliases: tuple[str, ...]) -> list[Column]:
    """The two columns every importable sheet starts with: the external id rows are matched on (required,
    unique in the file) and the Chinese title (required)."""
    return [
        Column("external_id", id_zh, "External id", bounded_text(80), aliases=id_aliases, required=True),
        Column("title_zh", "项目名称", "Title", bounded_text(200), aliases=title_aliases, required=True),
    ]


def has_columns(sheet: RawSheet, *columns: Column) -> bool:
    """Whether the sheet's header row names each of these columns (by any of their headers)."""
    names = {normalise_header(h) for h in sheet.headers}
    return all(names & column.names() for column in columns)


@dataclass(frozen=True)
class Layout:
    """How a sheet's headers map to columns: index -> column, the header each field was found under, plus
    headers that were not recognised."""

    columns: dict[int, Column]
    ignored: list[str]
    headers: dict[str, str] = field(default_factory=dict)

    def has(self, key: str) -> bool:
        return any(c.key == key for c in self.columns.values())

    def header(self, key: str) -> str:
        """The header an error about this field names: as written in the sheet, else the Chinese header."""
        return self.headers.get(key, key)


def match_headers(sheet: RawSheet, columns: Sequence[Column]) -> tuple[Layout, list[str]]:
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
        matched = by_name.get(normalise_header(header))
        if matched is None:
            ignored.append(header)
            continue
        if matched.key in seen:
            errors.append(
                f"{sheet.name}!1:{header} — "
                + _("the field is already given by column %(other)s") % {"other": seen[matched.key]}
            )
            continue
        seen[matched.key] = header
        found[i] = matched
    for col in columns:
        if col.required and col.key not in seen:
            errors.append(
                f"{sheet.name}!1 — " + _("no column %(zh)s / %(en)s") % {"zh": col.zh, "en": col.en}
            )
    fallback = {c.key: c.zh for c in reversed(columns)}
    return Layout(found, ignored, {**fallback, **seen}), errors


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

    def resolve(self, layout: Layout, key: str, find: Callable[[Any], Any], *, into: str | None = None) -> None:
        """Replace the value of `key` by what `find` makes of it (under `into`, if given), or record the
        cell's problem; a row without that column is left alone."""
        if key not in self.values:
            return
        try:
            self.values[into or key] = find(self.values.pop(key))
        except CellProblem as exc:
            self.error(layout.header(key), str(exc))


def plan_row(
    sheet: RawSheet,
    layout: Layout,
    row: int,
    cells: list[Any],
    *,
    kind: str,
    seen: set[str],
    resolve: Callable[[RowPlan], None] | None = None,
) -> RowPlan:
    """One row read into a plan: its values, one error per bad cell, the references `resolve` looks up (events,
    organisations), and an error if its external id already appeared in the file (`seen` spans the file)."""
    values, errors = read_row(sheet, layout, row, cells)
    plan = RowPlan(sheet.name, row, kind, values.get("external_id"), values.get("title_zh"), values=values)
    plan.errors = errors
    if errors:
        plan.action = "error"
    if resolve is not None:
        resolve(plan)
    ext = plan.external_id
    if ext:
        if ext in seen:
            plan.error(layout.header("external_id"), _("%(v)s appears twice in the file") % {"v": ext})
        seen.add(ext)
    return plan


def chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    """`items` in slices small enough for an SQL `IN (...)` on every database."""
    for k in range(0, len(items), size):
        yield items[k : k + size]
