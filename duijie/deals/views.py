"""Deal pages: the filtered list, the kanban board, a deal with its parties, tasks and history, the forms that
move a deal along the pipeline (organiser and the district in charge) and announce it (organiser), and the
import of sheets (preview, then confirm).

Who sees which deal, and how much of it, is `deals.permissions`: announced signings for everyone, the whole
deal for its organiser, its district and its parties."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from starlette.datastructures import FormData, UploadFile

from duijie.agenda.service import event_zone
from duijie.core import i18n
from duijie.core.auth import Actor
from duijie.core.enums import LabelledEnum
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.core.permissions import can_import_sheets
from duijie.core.web import allow, csrf_form, get_actor, get_db, render, safe_next
from duijie.deals import service as deal_service
from duijie.deals import sheets as deal_sheets
from duijie.deals import uploads
from duijie.deals.api import evidence_response
from duijie.deals.deps import (
    deal_announcer,
    deal_evidence_reader,
    deal_from_path,
    deal_manager,
    deal_verifier,
)
from duijie.deals.enums import (
    CLOSED_STATUSES,
    SIGNED_STAGES,
    DealStage,
    DealStatus,
    PartyRole,
    SourceKind,
    counts_as_signed,
)
from duijie.deals.models import Deal
from duijie.deals.permissions import (
    can_add_evidence,
    can_announce_deal,
    can_create_deals,
    can_manage_deal,
    can_see_evidence,
    can_verify_deal,
    sees_deal_internals,
)
from duijie.deals.schemas import DealCreate, DealFilters, DealUpdate, StageMove, StatusChange, TaskCreate
from duijie.deals.sources import reader_for
from duijie.directory.models import Account, Organisation
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.events.models import DEFAULT_TIMEZONE, Event
from duijie.events.service import find_event, visible_events
from duijie.marketplace.enums import ProjectCategory
from duijie.marketplace.models import Opportunity

router = APIRouter(include_in_schema=False)

LIST_FILTERS = ("event", "stage", "status", "district", "industry", "category", "q")


# The organiser (of any event) and the district accounts open deals and import sheets, each deal or row then
# checked as `deal_manager` checks a deal.
deal_opener = allow(can_create_deals)
sheet_importer = allow(can_import_sheets)


HISTORY_ACTIONS = {
    "create": _l("Opened"),
    "status": _l("Status changed"),
    "evidence": _l("Evidence attached"),
    "verify": _l("Verified"),
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
    "status": _l("Status"),
    "status_reason": _l("Reason"),
    "lost_to": _l("Went to"),
    "opened_on": _l("Opened on"),
    "contract_on": _l("Contract concluded on"),
    "landed_site": _l("Landing site"),
    "verified_on": _l("Verified on"),
    "verified_by_id": _l("Verified by"),
    "owner_id": _l("Responsible person"),
    "event_id": _l("Event"),
    "opportunity_id": _l("Project"),
    "source_kind": _l("Source"),
    "source_id": _l("Source record"),
    "source_label": _l("Source"),
    "title_en": _l("English title"),
    "description_zh": _l("Description"),
    "amount_estimated": _l("Amount is an estimate"),
    "on_stage": _l("Signed on stage"),
    "evidence": _l("Document"),
    "filename": _l("File"),
    "sha256": _l("Fingerprint (SHA-256)"),
    "done_at": _l("Done at"),
    "signed_amount": _l("Amount signed"),
    "planned_amount": _l("Planned amount"),
    "invested_amount": _l("Amount invested"),
    "signed_on": _l("Signed on"),
    "landed_on": _l("Landed on"),
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


# Coded values of the history, shown by their labels.
HISTORY_ENUMS: MappingProxyType[str, type[LabelledEnum]] = MappingProxyType(
    {
        "stage": DealStage,
        "status": DealStatus,
        "source_kind": SourceKind,
        "category": ProjectCategory,
    }
)


def _history_names(db: Session, deal: Deal) -> dict[str, dict[Any, str]]:
    """The names behind the ids a deal's history holds (accounts, events, projects, organisations), read once
    per page, so a reader sees "王芳" and "第二届中关村论坛", not "owner_id: 1"."""
    rows = deal.history
    ids: dict[str, set[int]] = {"account": set(), "event": set(), "opportunity": set(), "organisation": set()}
    for row in rows:
        for values in (row.before or {}, row.after or {}):
            for key, value in values.items():
                if key in ("owner_id", "verified_by_id") and isinstance(value, int):
                    ids["account"].add(value)
                elif key == "event_id" and isinstance(value, int):
                    ids["event"].add(value)
                elif key == "opportunity_id" and isinstance(value, int):
                    ids["opportunity"].add(value)
                elif key == "parties" and isinstance(value, list):
                    ids["organisation"].update(int(p[0]) for p in value if isinstance(p, list) and p)
        if row.actor_id is not None:
            ids["account"].add(row.actor_id)
    zh = i18n.get_locale().startswith("zh")
    names: dict[str, dict[Any, str]] = {k: {} for k in ids}
    if ids["account"]:
        for a in db.scalars(
            select(Account).where(Account.id.in_(ids["account"])).options(selectinload(Account.person))
        ):
            names["account"][a.id] = a.person.name_zh if a.person is not None else a.username
    if ids["event"]:
        for e in db.scalars(select(Event).where(Event.id.in_(ids["event"]))):
            names["event"][e.id] = e.name_zh if zh or not e.name_en else e.name_en
    if ids["opportunity"]:
        for o in db.scalars(select(Opportunity).where(Opportunity.id.in_(ids["opportunity"]))):
            names["opportunity"][o.id] = o.title_zh if zh or not o.title_en else o.title_en
    if ids["organisation"]:
        for g in db.scalars(select(Organisation).where(Organisation.id.in_(ids["organisation"]))):
            names["organisation"][g.id] = g.name_zh if zh or not g.name_en else g.name_en
    return names


def _history_value(key: str, value: Any, names: dict[str, dict[Any, str]] | None = None) -> str:
    """A value of the history as a reader wants it: labels for codes, names for ids, money, dates as written."""
    names = names or {}
    locale = i18n.get_locale()
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in HISTORY_ENUMS:
        try:
            return HISTORY_ENUMS[key](value).label(locale)
        except ValueError:
            return str(value)
    if key in ("owner_id", "verified_by_id"):
        return names.get("account", {}).get(value, "—")
    if key == "event_id":
        return names.get("event", {}).get(value, str(value))
    if key == "opportunity_id":
        return names.get("opportunity", {}).get(value, str(value))
    if key == "parties" and isinstance(value, list):
        return (
            "、".join(
                f"{names.get('organisation', {}).get(p[0], p[0])}（{PartyRole(p[1]).label(locale)}）"
                if locale.startswith("zh")
                else f"{names.get('organisation', {}).get(p[0], p[0])} ({PartyRole(p[1]).label(locale)})"
                for p in value
                if isinstance(p, list) and len(p) == 2
            )
            or "—"
        )
    if key == "task":
        return "#" + str(value)
    if key.endswith("_amount"):
        return i18n.format_money(Decimal(str(value)))
    if key == "done_at" and isinstance(value, str):
        return value[:16].replace("T", " ")
    return str(value)


# The facts the board's advance form asks for itself; any other missing fact sends the reader to the deal.
ADVANCE_FIELDS = frozenset({"signed_amount", "signed_on", "contract_on", "landed_on", "landed_site"})


def _card_blockers(deal: Deal, target: str) -> list[Any]:
    """What blocks a card's advance that the card's own form does not ask for (industry, place, amount...)."""
    return [b for b in deal_service.blocking(deal, target) if b.field not in ADVANCE_FIELDS]


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
            "statuses": list(DealStatus),
            # The public sees announced signings only: a status filter would say nothing to them.
            "show_status": actor.is_authenticated and bool(actor.grants),
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
            "card_blockers": _card_blockers,
            "signed_stages": sorted(SIGNED_STAGES),
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


def _local_time(moment: dt.datetime, deal: Deal) -> str:
    """A history moment in the deal's event's time zone (Beijing by default), as its people lived it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    zone = event_zone(deal.event) if deal.event else zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _source_text(db: Session, deal: Deal) -> str | None:
    """How the deal's source is cited on this page: the record's own name in the page's language where the
    source is a record (a session, a meeting), else the words kept on the deal."""
    reader = reader_for(deal.source_kind) if deal.source_kind else None
    if reader is not None and deal.source_id is not None and not i18n.is_zh():
        found = reader.read(db, deal.source_id)
        if found is not None and found[1]:
            return found[1]
    return deal.source_label


def _account_name(db: Session, account_id: int | None) -> str | None:
    account = db.get(Account, account_id) if account_id is not None else None
    if account is None:
        return None
    return account.person.name_zh if account.person is not None else account.username


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
            "can_announce": can_announce_deal(actor, deal) and counts_as_signed(deal.stage, deal.status),
            "moves": deal_service.allowed_moves(deal),
            "next_report": deal_service.next_stage_report(db, actor=actor, deal=deal) if internals else None,
            "statuses": list(DealStatus),
            "signed_stages": sorted(SIGNED_STAGES),
            "closed_statuses": sorted(CLOSED_STATUSES),
            "can_verify": can_verify_deal(actor, deal)
            and deal.stage == "landed"
            and deal.status not in CLOSED_STATUSES,
            "source_kinds": list(SourceKind),
            "see_evidence": can_see_evidence(actor, deal),
            "add_evidence": can_add_evidence(actor, deal),
            "history_names": _history_names(db, deal) if internals else {},
            "party_roles": list(PartyRole),
            "organisation_names": list(
                db.scalars(select(Organisation.name_zh).order_by(Organisation.name_zh))
            )
            if can_manage
            else [],
            "verifier_name": _account_name(db, deal.verified_by_id),
            "source_text": _source_text(db, deal) if internals else None,
            "owners": owners,
            "errors": errors or {},
            "values": values or {},
            "today": dt.date.today().isoformat(),
            "history_actions": HISTORY_ACTIONS,
            "history_fields": HISTORY_FIELDS,
            "history_value": _history_value,
            "history_time": lambda at: _local_time(at, deal),
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
    fields = (
        "to",
        "note",
        "signed_amount",
        "signed_on",
        "contract_on",
        "invested_amount",
        "landed_on",
        "landed_site",
    )
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


def _form_action(
    request: Request,
    db: Session,
    actor: Actor,
    deal: Deal,
    form: FormData,
    values: dict[str, Any],
    action: Any,
    anchor: str,
    *,
    rename: dict[str, str] | None = None,
) -> Response:
    """Run one of the deal page's forms: on a refusal the page again with the errors beside their fields (and
    what was typed kept), else back to the page's section."""
    names = rename or {}
    status = 422
    try:
        action()
    except ValidationError as exc:
        errors = {str(e["loc"][0]) if e["loc"] else "form": e["msg"] for e in exc.errors()}
    except DomainError as exc:
        # A verifier refused for having recorded the landing is told so on the page; any other 403 is the
        # error page (the route's dependency has already let only those who may act through).
        if exc.status_code == 403 and exc.field != "verifier":
            raise
        errors, status = _errors_of(exc), exc.status_code
    else:
        return RedirectResponse(safe_next(form.get("next"), f"/deals/{deal.id}#{anchor}"), status_code=303)
    errors = {names.get(k, k): v for k, v in errors.items()}
    return _detail(request, db, actor, deal, errors=errors, values=values, status_code=status)


@router.post("/deals/{deal_id}/status")
def deal_status(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(deal_manager),  # asks an anonymous visitor to log in before the deal is looked up
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> Response:
    """How the deal is going, and why: ongoing, delayed, dormant, lost (and where to), abandoned."""
    values = {
        k: (str(form.get(k, "")).strip() or None)
        for k in ("status", "status_reason", "lost_to", "status_note")
    }

    def change() -> None:
        data = StatusChange.model_validate(
            {
                "to": values["status"] or "ongoing",
                "reason": values["status_reason"],
                "lost_to": values["lost_to"],
                "note": values["status_note"],
            }
        )
        deal_service.set_status(db, actor=actor, deal=deal, change=data)

    rename = {"to": "status", "reason": "status_reason", "note": "status_note"}
    return _form_action(request, db, actor, deal, form, values, change, "status", rename=rename)


def _organisation_named(db: Session, name: str) -> int:
    """The one organisation a person typed: its address (slug), Chinese or English name (any case), or a refusal that
    says which of the two went wrong, beside the field."""
    text = name.strip()
    if not text:
        raise DomainError(_("Name the organisation."), field="organisation")
    key = text.lower()
    found = set(
        db.scalars(
            select(Organisation.id).where(
                or_(
                    func.lower(Organisation.slug) == key,
                    func.lower(Organisation.name_zh) == key,
                    func.lower(Organisation.name_en) == key,
                )
            )
        )
    )
    if not found:
        raise DomainError(_("No organisation is called %(name)s.") % {"name": text}, field="organisation")
    if len(found) > 1:
        raise DomainError(
            _("%(name)s names several organisations; write its address (slug) instead.") % {"name": text},
            field="organisation",
        )
    return found.pop()


@router.post("/deals/{deal_id}/parties")
def deal_add_party(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(deal_manager),  # asks an anonymous visitor to log in before the deal is looked up
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> Response:
    """Name a party of the deal: an organisation (by name or address name) and its role."""
    values = {k: str(form.get(k, "")).strip() for k in ("organisation", "party_role")}

    def add() -> None:
        org_id = _organisation_named(db, values["organisation"])
        role = PartyRole(values["party_role"] or "enterprise").value
        present = [(p.organisation_id, p.role) for p in deal.parties]
        deal_service.set_parties(db, actor=actor, deal=deal, parties=[*present, (org_id, role)])

    return _form_action(
        request, db, actor, deal, form, values, add, "parties", rename={"role": "party_role", "parties": "organisation"}
    )


@router.post("/deals/{deal_id}/parties/{party_id}/remove")
def deal_remove_party(
    party_id: int,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(deal_manager),  # asks an anonymous visitor to log in before the deal is looked up
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> Response:
    """Take a party off the deal (recorded in its history)."""
    kept = [(p.organisation_id, p.role) for p in deal.parties if p.id != party_id]
    if len(kept) == len(deal.parties):
        raise NotFound(_("No such party: %(id)s") % {"id": party_id})
    deal_service.set_parties(db, actor=actor, deal=deal, parties=kept)
    return RedirectResponse(f"/deals/{deal.id}#parties", status_code=303)


@router.post("/deals/{deal_id}/source")
def deal_source(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(deal_manager),  # asks an anonymous visitor to log in before the deal is looked up
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> Response:
    """What sourced the deal: a kind, the session or meeting number, or words citing it."""
    values = {k: (str(form.get(k, "")).strip() or None) for k in ("source_kind", "source_id", "source_label")}

    def change() -> None:
        deal_service.update(db, actor=actor, deal=deal, data=DealUpdate.model_validate(values))

    return _form_action(request, db, actor, deal, form, values, change, "source")


@router.post("/deals/{deal_id}/evidence")
def deal_add_evidence(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(deal_evidence_reader),  # asks an anonymous visitor to log in first
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> Response:
    """Attach a document of evidence (organiser, district in charge, verifiers)."""
    values = {"evidence_title": str(form.get("title", "")).strip() or None}
    upload = form.get("file")

    def attach() -> None:
        data, name = b"", ""
        if isinstance(upload, UploadFile):
            upload.file.seek(0)
            data = upload.file.read(deal_service.MAX_EVIDENCE + 1)
            name = str(upload.filename or "")
        deal_service.add_evidence(
            db, actor=actor, deal=deal, title=values["evidence_title"] or "", filename=name, data=data
        )

    return _form_action(request, db, actor, deal, form, values, attach, "evidence")


@router.get("/deals/{deal_id}/evidence/{evidence_id}")
def deal_evidence_file(
    evidence_id: int,
    actor: Actor = Depends(deal_evidence_reader),  # asks an anonymous visitor to log in first
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> Response:
    """One document of evidence, as a download."""
    return evidence_response(deal_service.evidence_of(db, actor=actor, deal=deal, evidence_id=evidence_id))


@router.post("/deals/{deal_id}/verify")
def deal_verify(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(deal_verifier),  # asks an anonymous visitor to log in before the deal is looked up
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> Response:
    """Four-eyes verification of the landing (a verifier who did not record it, with evidence)."""
    values = {"verify_note": str(form.get("note", "")).strip() or None}

    def check() -> None:
        deal_service.verify(db, actor=actor, deal=deal, note=values["verify_note"])

    return _form_action(request, db, actor, deal, form, values, check, "verify")


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
    actor: Actor = Depends(
        deal_announcer
    ),  # asks an anonymous visitor to log in before the deal is looked up
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
    page = {
        "report": None,
        "token": None,
        "filename": None,
        "valid_only": False,
        "done": False,
        "error": None,
    }
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
        report = deal_sheets.import_file(
            db, actor=actor, filename=name, data=data, valid_only=True, dry_run=True
        )
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
