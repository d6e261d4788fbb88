"""`/api/v1/imports/projects`: the import of a projects workbook for other systems of the organiser, the API
twin of the `/import` page and of `duijie import` (all three go through `deals.sheets.import_file`).

The file travels as base64 in JSON, as every API write does (the application refuses other bodies on cookie
sessions, the classic way around a JSON API's cross-site protection). A dry run answers the preview; a real
import writes the whole file in the request's one transaction, or nothing at all when any row is wrong (422
listing every problem with its sheet, row, column and field), unless `valid_only` asks for the valid rows.
Who may import is who may on the page: `can_import_sheets`, each row then checked on its event and district."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from types import MappingProxyType

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import DomainError, ErrorDetail
from duijie.core.i18n import gettext as _
from duijie.core.permissions import can_import_sheets
from duijie.core.schemas import ErrorBody
from duijie.core.sheets import Column, RowPlan, normalise_header
from duijie.core.web import allow, get_db
from duijie.deals import sheets as deal_sheets
from duijie.deals.schemas_import import ImportProblem, ImportRowRead, ProjectImportRead, ProjectImportWrite
from duijie.marketplace.sheets import PROJECT_COLUMNS

router = APIRouter(
    prefix="/api/v1/imports",
    tags=["imports"],
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)

# The page's rule (`deals.views.sheet_importer`): organisers and district accounts import.
sheet_importer = allow(can_import_sheets)
MAX_UPLOAD = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Where a sheet problem is: "sheet!row:column — message" (`core.sheets` writes every problem so).
WHERE = re.compile(r"^(?P<sheet>.+?)!(?P<row>\d+)(?::(?P<column>.+?))? — (?P<message>.+)$", re.S)


def _fields(columns: list[Column]) -> Mapping[str, str]:
    """Every header a column is known by (normalised) -> the field it fills."""
    return MappingProxyType({name: column.key for column in columns for name in column.names()})


FIELDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"project": _fields(PROJECT_COLUMNS), "deal": _fields(deal_sheets.DEAL_COLUMNS)}
)


def problem(text: str, kind: str | None = None) -> ImportProblem:
    """A problem as `core.sheets` words it, taken apart into its sheet, row, column, field and message."""
    found = WHERE.match(text)
    if found is None:
        return ImportProblem(message=text)
    column = found["column"]
    field = None
    if column:
        key = normalise_header(column)
        own = FIELDS.get(kind or "")
        for known in [own] if own is not None else list(FIELDS.values()):
            if key in known:
                field = known[key]
                break
    return ImportProblem(
        message=found["message"], sheet=found["sheet"], row=int(found["row"]), column=column, field=field
    )


def _row(plan: RowPlan) -> ImportRowRead:
    return ImportRowRead(
        sheet=plan.sheet,
        row=plan.row,
        kind=plan.kind,
        external_id=plan.external_id,
        title=plan.title,
        action=plan.action,
        changed=sorted(plan.changes),
        errors=[problem(e, plan.kind) for e in plan.errors],
    )


def report_read(report: deal_sheets.ImportReport, *, dry_run: bool, valid_only: bool) -> ProjectImportRead:
    """The report as the API answers it; `refused` says what a real import of the file, as asked, would do."""
    kinds = {e: p.kind for p in report.plans for e in p.errors}
    summary = report.summary
    return ProjectImportRead(
        filename=report.filename,
        dry_run=dry_run,
        valid_only=valid_only,
        applied=report.applied,
        refused=bool(report.errors) and not valid_only,
        created=summary["created"],
        updated=summary["updated"],
        unchanged=summary["unchanged"],
        skipped=report.count("error"),
        errors=[problem(e, kinds.get(e)) for e in report.errors],
        skipped_sheets=report.skipped_sheets,
        ignored_columns=report.ignored_columns,
        rows=[_row(p) for p in report.plans],
    )


def _content(body: ProjectImportWrite) -> bytes:
    try:
        data = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(_("The file content is not valid base64."), field="content_base64") from None
    if not data:
        raise DomainError(_("Choose an .xlsx or .csv file to import."), field="content_base64")
    if len(data) > MAX_UPLOAD:
        raise DomainError(_("The file is larger than 20 MB; import it with the command line."), field="file")
    return data


@router.post("/projects", response_model=ProjectImportRead)
def import_projects(
    body: ProjectImportWrite, db: Session = Depends(get_db), actor: Actor = Depends(sheet_importer)
) -> ProjectImportRead:
    """Import (or with `dry_run` preview) a projects workbook: its project sheets, and its deal sheets if it
    has them as the template does. A file with any problem imports nothing (422 with every problem in
    `details`) unless `valid_only`; the report then lists the skipped rows and why."""
    data = _content(body)
    if body.dry_run:
        # Plan every row (valid_only keeps the planner going past the first bad row); nothing is written.
        report = deal_sheets.import_file(
            db, actor=actor, filename=body.filename, data=data, valid_only=True, dry_run=True
        )
        return report_read(report, dry_run=True, valid_only=body.valid_only)
    report = deal_sheets.import_file(
        db, actor=actor, filename=body.filename, data=data, valid_only=body.valid_only
    )
    read = report_read(report, dry_run=False, valid_only=body.valid_only)
    if report.refused:
        raise DomainError(
            _("Nothing was imported: the file has %(n)s problems to fix.") % {"n": len(read.errors)},
            field="file",
            details=[
                ErrorDetail(message=p.message, field=p.field, row=p.row, column=p.column, sheet=p.sheet)
                for p in read.errors
            ],
        )
    return read


@router.get(
    "/projects/template",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "The empty workbook"}},
)
def import_template() -> Response:
    """Public on purpose, as on the page: the empty workbook explains the columns and holds no data."""
    return Response(
        deal_sheets.template_workbook(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="duijie-import-template.xlsx"'},
    )
