"""The audit pages: the log of changes with its filters, the sign-in log, and the exports of the log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duijie.audit import export, queries
from duijie.audit import permissions as rules
from duijie.audit.permissions import audit_scope, can_read_audit, can_read_sign_ins
from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.web import allow, get_db, render

router = APIRouter(include_in_schema=False)

audit_reader = allow(can_read_audit)
sign_in_reader = allow(can_read_sign_ins)


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


@router.get("/audit")
def audit_log(request: Request, actor: Actor = Depends(audit_reader), db: Session = Depends(get_db)) -> Response:
    """Organisers: who changed what and when, newest first; wrong filters come back with their message beside
    the field (422) and no list."""
    scope = audit_scope(actor)
    filters, values, errors = queries.parse_filters(request.query_params)
    page = None
    if not errors:
        try:
            page = queries.list_entries(db, scope=scope, filters=filters, page=_page_number(request))
        except DomainError as exc:
            errors[exc.field or "event"] = exc.message
    return render(
        request,
        "audit/log.html",
        {
            "tab": "changes",
            "rules": rules,
            "values": values,
            "errors": errors,
            "choices": queries.filter_choices(db, scope=scope),
            "result": page,
            "params": filters.params(),
        },
        status_code=422 if errors else 200,
    )


@router.get("/audit/sign-ins")
def sign_in_log(request: Request, actor: Actor = Depends(sign_in_reader), db: Session = Depends(get_db)) -> Response:
    """City-wide organisers: recent sign-in attempts, failed and successful, with the address they came from."""
    filters, values, errors = queries.parse_filters(request.query_params)
    outcome = request.query_params.get("outcome") or None
    values["outcome"] = outcome or ""
    page = None
    if not errors:
        page = queries.sign_ins(db, filters=filters, outcome=outcome, page=_page_number(request))
    params = filters.params() | ({"outcome": outcome} if outcome else {})
    return render(
        request,
        "audit/sign_ins.html",
        {"tab": "sign_ins", "rules": rules, "values": values, "errors": errors, "result": page, "params": params},
        status_code=422 if errors else 200,
    )


def _export(request: Request, actor: Actor, db: Session, fmt: str) -> Response:
    filters = queries.check_filters(request.query_params)
    rows = queries.export_rows(db, scope=audit_scope(actor), filters=filters)
    data = export.to_xlsx(rows) if fmt == "xlsx" else export.to_csv(rows)
    return Response(
        data,
        media_type=export.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{export.filename(fmt)}"'},
    )


@router.get("/audit/export.xlsx")
def export_xlsx(request: Request, actor: Actor = Depends(audit_reader), db: Session = Depends(get_db)) -> Response:
    """The filtered log as a workbook, with the page's reach and filters."""
    return _export(request, actor, db, "xlsx")


@router.get("/audit/export.csv")
def export_csv(request: Request, actor: Actor = Depends(audit_reader), db: Session = Depends(get_db)) -> Response:
    """The filtered log as CSV, with the page's reach and filters."""
    return _export(request, actor, db, "csv")
