"""The API's shapes of a sheet import (`/api/v1/imports/projects`): the file sent as JSON, and the report of
what importing it did or would do, every problem with its sheet, row, column and field."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ProjectImportWrite(BaseModel):
    """A projects workbook (or CSV) sent as JSON, as every API write is: the file name (its .xlsx or .csv ending
    decides how it is read) and its bytes in base64.

    `dry_run` writes nothing and answers the preview (every row's plan and every problem); otherwise the whole
    file is imported in one transaction, or nothing if any row is wrong, unless `valid_only` asks to import the
    valid rows and skip the others."""

    filename: str = Field(min_length=1, max_length=200, examples=["projects.xlsx"])
    content_base64: str = Field(min_length=1, max_length=28 * 1024 * 1024)
    dry_run: bool = False
    valid_only: bool = False


class ImportProblem(BaseModel):
    """One thing wrong with the file, where it is: the sheet, the row (1 is the header row), the column as its
    header is written in the file, and the field it fills (`external_id`, `amount`, ...); the message is in the
    request's language. A problem with the whole file has none of the places."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None


class ImportRowRead(BaseModel):
    """What importing one row does: `create`, `update` (`changed` names the fields), `unchanged`, or `error`
    (the row is skipped; `errors` say why)."""

    sheet: str
    row: int
    kind: str = Field(description="project or deal (a workbook may hold both sheets, as the template does)")
    external_id: str | None
    title: str | None
    action: str
    changed: list[str]
    errors: list[ImportProblem]


class ProjectImportRead(BaseModel):
    """The import's report: counts, every problem, and every row's plan.

    `applied` says whether anything was written (never on a dry run); `refused` whether a real import of this
    file, as asked, would write nothing because of its problems."""

    filename: str
    dry_run: bool
    valid_only: bool
    applied: bool
    refused: bool
    created: int
    updated: int
    unchanged: int
    skipped: int = Field(description="rows with a problem, not imported")
    errors: list[ImportProblem]
    skipped_sheets: list[str] = Field(description="sheets that are neither project nor deal sheets, left alone")
    ignored_columns: dict[str, list[str]] = Field(description="per sheet, headers that name no known field")
    rows: list[ImportRowRead]
