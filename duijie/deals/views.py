"""Deal pages: the filtered list, the kanban board, a deal with its parties, tasks and history, the forms that
move a deal along the pipeline (organiser and the district in charge) and announce it (organiser), and the
import of sheets (preview, then confirm).

Who sees which deal, and how much of it, is `deals.permissions`: announced signings for everyone, the whole
deal for its organiser, its district and its parties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from duijie.core import i18n
from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.core.permissions import can_import_sheets
from duijie.core.web import allow, csrf_form, get_actor, get_db, render, safe_next
from duijie.deals import service as deal_service
from duijie.deals import sheets as deal_sheets
from duijie.deals import uploads
from duijie.deals.deps import deal_announcer, deal_from_path, deal_manager
from duijie.deals.enums import SIGNED_STAGES, DealStage
from duijie.deals.models import Deal
from duijie.deals.permissions import can_announce_deal, can_create_deals, can_manage_deal, sees_deal_internals
from duijie.deals.schemas import DealCreate, DealFilters, StageMove, TaskCreate
from duijie.directory.models import Account
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.events.models import Event
from duijie.events.service import find_event, visible_events
from duijie.marketplace.enums import ProjectCategory

router = APIRouter(include_in_schema=False)

LIST_FILTERS = ("event", "stage", "district", "industry", "category", "q")


# The organiser (of any event) and the district accounts open deals and import sheets, each deal or row then
# checked as `deal_manager` checks a deal.
deal_opener = allow(can_create_deals)
sheet_importer = allow(can_import_sheets)


HISTORY_ACTIONS = {
    "create": _l("Opened"),
    "stage": _l("Stage changed"),
    "amount": _l("Amount corrected"),
    "update": _l("Details edited"),
    "parties": _l("Parties changed"),
    "task": _l("Task added"),
    "task_done": _l("Task done"),
    "announce": _l("Announcement changed"),
}
HISTORY_FIELDS = {
    "stage": _l("Stage"),
    "signed_amount": _l("Amount signed"),
    "planned_amount": _l("Planned amount"),
    "invested_amount": _l("Amount invested"),
    "signed_on": _l("Signed on"),
    "landed_on": _l("Landed on"),
    "lost_reason": _l("Reason it was lost"),
    "title_zh": _l("Title"),
    "district": _l("District"),
    "industry": _l("Industry"),
    "category": _l("Category"),
    "parties": _l("Parties"),
    "task": _l("Task"),
    "title": _l("Task"),
    "due_on": _l("Due on"),
    "announced": _l("Announced"),
}


def _history_value(key: str, value: Any) -> str:
    """A value of the history as a reader wants it: stage names, money, dates as written."""
    if value is None:
        return "—"
    if key == "stage":
        try:
            return DealStage(value).label(i18n.get_locale())
        except ValueError:
            return str(value)
    if key.endswith("_amount"):
        return i18n.format_money(Decimal(str(value)))
    return str(value)


def _summits(db: Session, actor: Actor) -> list[Event]:
    """The summits the reader may see (drafts only for their organisers)."""
    return visible_events(db, actor, kind="summit")


def list_filters(request: Request) -> dict[str, str]:
    """The list filters given in the query string (event, stage, district, industry, category, words)."""
    qp = request.query_params
    return {k: v for k in LIST_FILTERS if (v := qp.get(k))}


@router.get("/deals")
def deal_list(
    request: Request,
    params: dict[str, str] = Depends(list_filters),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    """Public on purpose: the filtered list of the deals the reader may see, largest first."""
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    items, total, page, pages = deal_service.list_deals(
        db, actor=actor, filters=DealFilters.model_validate(params), page=page
    )
    return render(
        request,
        "deals/list.html",
        {
            "items": items,
            "total": total,
            "page": page,
            "pages": pages,
            "params": params,
            "f": params,
            "stages": list(DealStage),
            "categories": list(ProjectCategory),
            "industries": list(INDUSTRY_EN),
            "districts": list(DISTRICT_EN),
            "summits": _summits(db, actor),
            "event": params.get("event"),
            "stage": params.get("stage"),
        },
    )


@router.get("/deals/board")
def deal_board(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """Public on purpose: the kanban board of the event's deals the reader may see; those who may manage a
    deal see its move buttons."""
    qp = request.query_params
    summits = _summits(db, actor)
    event = qp.get("event") or (summits[-1].slug if summits else None)
    district = qp.get("district") or None
    columns = deal_service.board(db, actor=actor, event=event, district=district)
    return render(
        request,
        "deals/board.html",
        {
            "columns": columns,
            "stages": list(DealStage),
            "summits": summits,
            "event": event,
            "district": district,
            "districts": list(DISTRICT_EN),
            "can_manage": lambda d: can_manage_deal(actor, d),
            "can_create": can_create_deals(actor),
            "industries": list(INDUSTRY_EN),
            "next_stage": deal_service.next_stage,
            "other_moves": deal_service.other_moves,
            "today": dt.date.today().isoformat(),
            "next": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        },
    )


@router.post("/deals/new")
def deal_create(
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(deal_opener),
    db: Session = Depends(get_db),
) -> Response:
    """Open a lead from the board's form; the new deal's page follows."""
    values = {
        k: (str(form.get(k, "")).strip() or None)
        for k in ("title_zh", "district", "industry", "planned_amount")
    }
    event = find_event(db, slug=str(form.get("event", "")).strip() or None)
    try:
        data = DealCreate.model_validate({**values, "event_id": event.id if event else None})
    except ValidationError as exc:
        message = "; ".join(f"{e['loc'][0] if e['loc'] else ''}: {e['msg']}" for e in exc.errors())
        raise DomainError(message, field="title_zh") from None
    deal = deal_service.create(db, actor=actor, data=data)
    return RedirectResponse(f"/deals/{deal.id}", status_code=303)


def _detail(
    request: Request,
    db: Session,
    actor: Actor,
    deal: Deal,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    internals = sees_deal_internals(actor, deal)
    tasks = deal_service.tasks_of(db, deal=deal) if internals else []
    can_manage = can_manage_deal(actor, deal)
    owners: list[Account] = []
    if can_manage:
        owners = list(
            db.scalars(select(Account).where(Account.is_active.is_(True)).order_by(Account.username))
        )
    return render(
        request,
        "deals/detail.html",
        {
            "deal": deal,
            "tasks": tasks,
            "internals": internals,
            "can_manage": can_manage,
            "can_announce": can_announce_deal(actor, deal) and deal.stage in SIGNED_STAGES,
            "moves": deal_service.allowed_moves(deal),
            "owners": owners,
            "errors": errors or {},
            "values": values or {},
            "today": dt.date.today().isoformat(),
            "history_actions": HISTORY_ACTIONS,
            "history_fields": HISTORY_FIELDS,
            "history_value": _history_value,
        },
        status_code=status_code,
    )


@router.get("/deals/{deal_id}")
def deal_page(
    request: Request,
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    """Public on purpose for an announced deal (its public facts); the whole deal, tasks and history to its
    organiser, district and parties; the forms to those who may manage it. Any other deal is a 404."""
    return _detail(request, db, actor, deal)


def _errors_of(exc: DomainError) -> dict[str, str]:
    return {(d.field or "form"): d.message for d in exc.details}


@router.post("/deals/{deal_id}/stage")
def deal_move(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(deal_manager),  # asks an anonymous visitor to log in before the deal is looked up
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> Response:
    fields = ("to", "note", "lost_reason", "signed_amount", "signed_on", "invested_amount", "landed_on")
    values = {k: (str(form.get(k, "")).strip() or None) for k in fields}
    try:
        move = StageMove.model_validate(values)
        deal_service.apply_move(db, actor=actor, deal=deal, move=move)
    except ValidationError as exc:
        errors = {str(e["loc"][0]) if e["loc"] else "form": e["msg"] for e in exc.errors()}
        return _detail(request, db, actor, deal, errors=errors, values=values, status_code=422)
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        return _detail(request, db, actor, deal, errors=_errors_of(exc), values=values, status_code=422)
    return RedirectResponse(safe_next(form.get("next"), f"/deals/{deal.id}"), status_code=303)


@router.post("/deals/{deal_id}/tasks")
def deal_add_task(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(deal_manager),  # asks an anonymous visitor to log in before the deal is looked up
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> Response:
    values = {k: (str(form.get(k, "")).strip() or None) for k in ("title", "due_on", "owner_id")}
    try:
        data = TaskCreate.model_validate(values)
    except ValidationError as exc:
        errors = {f"task_{e['loc'][0]}" if e["loc"] else "form": e["msg"] for e in exc.errors()}
        return _detail(request, db, actor, deal, errors=errors, values=values, status_code=422)
    deal_service.add_task(db, actor=actor, deal=deal, data=data)
    return RedirectResponse(f"/deals/{deal.id}#tasks", status_code=303)


@router.post("/deals/{deal_id}/tasks/{task_id}/done")
def deal_task_done(
    task_id: int,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(deal_manager),  # asks an anonymous visitor to log in before the deal is looked up
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> Response:
    deal_service.complete_task(db, actor=actor, deal=deal, task_id=task_id)
    return RedirectResponse(f"/deals/{deal.id}#tasks", status_code=303)


@router.post("/deals/{deal_id}/announce")
def deal_announce(
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(deal_announcer),  # asks an anonymous visitor to log in before the deal is looked up
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> Response:
    """Announce a signed deal (make its public facts public), or take the announcement back."""
    deal_service.set_announced(db, actor=actor, deal=deal, announced=form.get("announced") == "1")
    return RedirectResponse(f"/deals/{deal.id}", status_code=303)


# -- import ----------------------------------------------------------------------------------------------------
MAX_UPLOAD = 20 * 1024 * 1024


@router.get("/import/template.xlsx")
def import_template() -> Response:
    """Public on purpose: the empty template explains the columns and holds no data."""
    return Response(
        deal_sheets.template_workbook(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="duijie-import-template.xlsx"'},
    )


@router.get("/import")
def import_form(request: Request, actor: Actor = Depends(sheet_importer)) -> Response:
    return _import_page(request, {})


def _uploaded(form: FormData) -> tuple[str, bytes]:
    """The file chosen in the form, within the web's size limit."""
    upload = form.get("file")
    data = b""
    name = "upload.xlsx"
    if isinstance(upload, UploadFile):
        upload.file.seek(0)
        data = upload.file.read(MAX_UPLOAD + 1)
        name = str(upload.filename or name)
    if not data:
        raise DomainError(_("Choose an .xlsx or .csv file to import."), field="file")
    if len(data) > MAX_UPLOAD:
        raise DomainError(_("The file is larger than 20 MB; import it with the command line."), field="file")
    return name, data


def _import_page(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    page = {"report": None, "token": None, "filename": None, "valid_only": False, "done": False, "error": None}
    return render(request, "deals/import.html", {**page, **context}, status_code=status_code)


@router.post("/import")
def import_preview(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(sheet_importer),
    db: Session = Depends(get_db),
) -> Response:
    """Check the uploaded file and show what importing it would change; nothing is written yet. The file
    waits on the server under a one-time token, which is all the confirm form sends back."""
    valid_only = bool(form.get("valid_only"))
    try:
        name, data = _uploaded(form)
        report = deal_sheets.import_file(db, actor=actor, filename=name, data=data, valid_only=True, dry_run=True)
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        return _import_page(request, {"error": exc.message}, status_code=exc.status_code)
    token = uploads.stage(account_id=actor.account_id, filename=name, data=data)
    return _import_page(
        request, {"report": report, "token": token, "filename": name, "valid_only": valid_only}
    )


@router.post("/import/confirm")
def import_confirm(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(sheet_importer),
    db: Session = Depends(get_db),
) -> Response:
    """Import the previewed file (taken once by its token): all of it, or with `valid_only` its valid rows only."""
    valid_only = bool(form.get("valid_only"))
    try:
        staged = uploads.take(str(form.get("token", "")), account_id=actor.account_id)
        report = deal_sheets.import_file(
            db, actor=actor, filename=staged.filename, data=staged.data, valid_only=valid_only
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        return _import_page(request, {"error": exc.message}, status_code=exc.status_code)
    if report.refused:
        # Nothing was written; the file waits again for a corrected choice (valid rows only).
        token = uploads.stage(account_id=actor.account_id, filename=staged.filename, data=staged.data)
        return _import_page(
            request,
            {"report": report, "token": token, "filename": staged.filename, "valid_only": valid_only},
            status_code=422,
        )
    return _import_page(
        request, {"report": report, "filename": staged.filename, "valid_only": valid_only, "done": True}
    )
