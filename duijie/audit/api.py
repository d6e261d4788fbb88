"""`/api/v1/audit`: the audit log as JSON, with the page's filters and the same reach as the page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from duijie.audit import queries
from duijie.audit.permissions import audit_scope, can_read_audit
from duijie.audit.schemas import AuditEntryRead
from duijie.core.auth import Actor
from duijie.core.schemas import ErrorBody, Page
from duijie.core.web import allow, get_db

router = APIRouter(
    prefix="/api/v1/audit",
    tags=["audit"],
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)


@router.get("", response_model=Page[AuditEntryRead])
def list_audit(
    event: str | None = Query(None, description="event slug"),
    kind: str | None = Query(None, description="entity type, e.g. deal"),
    action: str | None = None,
    who: str | None = Query(None, description='account id, or "system"'),
    date_from: str | None = Query(None, alias="from", description="first day, 2026-04-25"),
    date_to: str | None = Query(None, alias="to", description="last day, 2026-04-26"),
    q: str | None = Query(None, description="words in the note"),
    page: int = Query(1, ge=1),
    page_size: int = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE_SIZE),
    actor: Actor = Depends(allow(can_read_audit)),
    db: Session = Depends(get_db),
) -> Page[AuditEntryRead]:
    """Organisers only: a city-wide organiser reads every entry, an event's organiser those of its events."""
    params = {"event": event, "kind": kind, "action": action, "who": who, "from": date_from, "to": date_to, "q": q}
    filters = queries.check_filters({k: v for k, v in params.items() if v})
    result = queries.list_entries(db, scope=audit_scope(actor), filters=filters, page=page, page_size=page_size)
    return Page[AuditEntryRead](
        items=[AuditEntryRead.of(r) for r in result.rows],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
    )
