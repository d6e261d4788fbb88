"""Reads and writes of deals. `move_deal_to_stage` is the one place a deal's stage (and its signed amount)
changes; every write appends to the deal's history and the audit log. Services flush; the caller commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from duijie.core import audit, transitions
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, ErrorDetail, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.core.schemas import paginate_params
from duijie.deals.enums import DEAL_TRANSITIONS, PIPELINE, SIGNED_STAGES, DealStage, PartyRole, is_move_back
from duijie.deals.models import Deal, DealHistory, DealParty, DealTask
from duijie.deals.permissions import (
    can_announce_deal,
    can_create_deals,
    can_manage_deal,
    can_see_deal,
    sees_deal_internals,
    visible_deals,
)
from duijie.deals.schemas import DealCreate, DealFilters, DealUpdate, StageMove, TaskCreate
from duijie.directory.models import Organisation, RoleAssignment
from duijie.events.service import find_visible_event
from duijie.marketplace import service as opportunity_service
from duijie.marketplace.enums import OPPORTUNITY_TRANSITIONS
from duijie.marketplace.models import Opportunity
from duijie.marketplace.permissions import can_edit_opportunity

# The fields of a deal that its history and audit entries compare.
TRACKED = (
    "title_zh",
    "title_en",
    "description_zh",
    "category",
    "industry",
    "district",
    "planned_amount",
    "signed_amount",
    "invested_amount",
    "amount_estimated",
    "signed_on",
    "landed_on",
    "on_stage",
    "announced",
    "opportunity_id",
    "event_id",
    "stage",
    "lost_reason",
)

# The project status a deal's stage implies for its linked project.
OPPORTUNITY_STATUS_FOR_STAGE = {
    "negotiating": "negotiating",
    "agreed": "negotiating",
    "signed": "signed",
    "landed": "landed",
}


def get(db: Session, *, id: int, actor: Actor) -> Deal:
    """The deal with this id if the actor may see it (`can_see_deal`); a deal they may not see is a 404, as
    one that does not exist, so ids tell nothing."""
    deal = db.get(
        Deal,
        id,
        options=[
            selectinload(Deal.parties).selectinload(DealParty.organisation),
            selectinload(Deal.history),
            selectinload(Deal.event),
            selectinload(Deal.opportunity),
        ],
    )
    if deal is None or not can_see_deal(actor, deal):
        raise NotFound(_("No such deal: %(id)s") % {"id": id})
    return deal


def require_internals(actor: Actor, deal: Deal) -> None:
    """Tasks, history, planned amounts: the organiser, the district and the parties only."""
    require(
        sees_deal_internals,
        actor,
        deal,
        message=_(
            "Only the organiser, the district in charge and the parties see a deal's tasks and history."
        ),
    )


def filtered(db: Session, filters: DealFilters, actor: Actor) -> Select[Deal]:
    """The deals the actor may see (`visible_deals`) matching the list filters (event id, stage, district,
    industry, category, words); the signed stage includes the deals that have landed since, as the signed
    figures do. An unknown event is a 404, not an empty list."""
    stmt = select(Deal).where(visible_deals(actor))
    event = find_visible_event(db, slug=filters.event, actor=actor)
    if event is not None:
        stmt = stmt.where(Deal.event_id == event.id)
    if filters.stage == "signed":
        # As in the signed figures: a deal that has landed since still counts as signed.
        stmt = stmt.where(Deal.stage.in_(SIGNED_STAGES))
    elif filters.stage:
        stmt = stmt.where(Deal.stage == filters.stage)
    for column, value in (
        (Deal.district, filters.district),
        (Deal.industry, filters.industry),
        (Deal.category, filters.category),
    ):
        if value:
            stmt = stmt.where(column == value)
    if filters.q and filters.q.strip():
        like = f"%{filters.q.strip()}%"
        stmt = stmt.where(
            or_(Deal.title_zh.like(like), Deal.title_en.like(like), Deal.external_id.like(like))
        )
    return stmt


def list_deals(
    db: Session, *, actor: Actor, filters: DealFilters | None = None, page: int = 1, page_size: int = 20
) -> tuple[list[Deal], int, int, int]:
    """One page of the deals the actor may see, filtered: (items, total, page, pages), largest signed amounts
    first."""
    stmt = filtered(db, filters or DealFilters(), actor)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page, offset, pages = paginate_params(page, page_size, total)
    items = list(
        db.scalars(
            stmt.options(
                selectinload(Deal.parties).selectinload(DealParty.organisation), selectinload(Deal.event)
            )
            .order_by(
                Deal.signed_amount.desc().nulls_last(), Deal.planned_amount.desc().nulls_last(), Deal.id
            )
            .offset(offset)
            .limit(page_size)
        )
    )
    return items, total, page, pages


def board(
    db: Session, *, actor: Actor, event: str | None, district: str | None = None
) -> dict[str, list[Deal]]:
    """The deals of an event the actor may see, grouped by stage in pipeline order, for the kanban board."""
    stmt = filtered(db, DealFilters(event=event, district=district), actor).options(
        selectinload(Deal.parties).selectinload(DealParty.organisation)
    )
    columns: dict[str, list[Deal]] = {s.value: [] for s in DealStage}
    for deal in db.scalars(
        stmt.order_by(
            Deal.signed_amount.desc().nulls_last(), Deal.planned_amount.desc().nulls_last(), Deal.id
        )
    ):
        columns.setdefault(deal.stage, []).append(deal)
    return columns


def tasks_of(db: Session, *, deal: Deal) -> list[DealTask]:
    """The deal's follow-up tasks, open ones first; callers check `require_internals` for the reader."""
    return list(
        db.scalars(
            select(DealTask)
            .where(DealTask.deal_id == deal.id)
            .order_by(DealTask.done_at.is_not(None), DealTask.due_on.nulls_last(), DealTask.id)
        )
    )


def allowed_moves(deal: Deal) -> list[DealStage]:
    """The stages this deal may move to: forward in pipeline order (the next stage first, so it is what a form
    offers by default), then lost, then back down the pipeline, nearest first."""
    return forward_moves(deal) + other_moves(deal)


def forward_moves(deal: Deal) -> list[DealStage]:
    """The later stages this deal may move to, the next one first."""
    targets = DEAL_TRANSITIONS[deal.stage]
    return [DealStage(s) for s in PIPELINE if s in targets and not is_move_back(deal.stage, s)]


def next_stage(deal: Deal) -> DealStage | None:
    """The stage the board's one-click action advances this deal to (None at the end or when lost)."""
    ahead = forward_moves(deal)
    return ahead[0] if ahead else None


def other_moves(deal: Deal) -> list[DealStage]:
    """The deliberate moves, each needing a note: lost, then back down the pipeline (nearest first)."""
    targets = DEAL_TRANSITIONS[deal.stage]
    back = [DealStage(s) for s in reversed(PIPELINE) if s in targets and is_move_back(deal.stage, s)]
    return ([DealStage.LOST] if "lost" in targets else []) + back


def require_manage(actor: Actor, deal: Any) -> None:
    require(
        can_manage_deal,
        actor,
        deal,
        message=_("Only the organiser and the district where this deal is located may change it."),
    )


def _snapshot(deal: Deal, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(deal, f) for f in fields}


def record_history(
    db: Session,
    *,
    actor: Actor,
    deal: Deal,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str | None,
) -> None:
    """Append the change to the deal's history and the audit log (both keep before and after)."""
    db.add(
        DealHistory(
            deal_id=deal.id,
            actor_id=actor.account_id,
            action=action,
            before=audit.jsonable(before),
            after=audit.jsonable(after),
            note=note,
        )
    )
    audit.record(
        db,
        actor=actor,
        entity_type="deal",
        entity_id=deal.id,
        action=action,
        before=before,
        after=after,
        event_id=deal.event_id,
        note=note,
    )


def _notify_parties(db: Session, *, actor: Actor, deal: Deal, kind: str, payload: dict[str, Any]) -> None:
    """Tell the accounts of the deal's parties (except the one acting) what changed."""
    org_ids = {p.organisation_id for p in deal.parties}
    if not org_ids:
        return
    accounts = set(
        db.scalars(select(RoleAssignment.account_id).where(RoleAssignment.organisation_id.in_(org_ids)))
    )
    accounts.discard(actor.account_id)
    for account_id in sorted(accounts):
        audit.notify(
            db,
            account_id=account_id,
            kind=kind,
            payload={"deal_id": deal.id, "title": deal.title_zh, **payload},
            event_id=deal.event_id,
        )


def _check_stage_facts(
    stage: str,
    *,
    signed_amount: Decimal | None,
    signed_on: dt.date | None,
    lost_reason: str | None,
) -> None:
    """A signed or landed deal has an amount and a date; a lost deal has a reason."""
    details = []
    if stage in SIGNED_STAGES:
        if signed_amount is None:
            details.append(ErrorDetail(_("A signed deal needs the amount signed."), field="signed_amount"))
        if signed_on is None:
            details.append(ErrorDetail(_("A signed deal needs the date of signing."), field="signed_on"))
        elif signed_on > dt.date.today():
            # A signing is recorded once it has happened; a planned date belongs in a task, not here.
            details.append(
                ErrorDetail(_("The date of signing cannot be later than today."), field="signed_on")
            )
    if stage == "lost" and not (lost_reason or "").strip():
        details.append(ErrorDetail(_("Say why the deal was lost."), field="lost_reason"))
    if details:
        raise DomainError(details[0].message, field=details[0].field, details=details)


def _sync_opportunity(db: Session, *, actor: Actor, deal: Deal) -> None:
    """Carry the deal's progress to its linked project where the project's lifecycle allows it."""
    target = OPPORTUNITY_STATUS_FOR_STAGE.get(deal.stage)
    opp = deal.opportunity if deal.opportunity_id else None
    if target is None or opp is None or opp.status == target or not can_edit_opportunity(actor, opp):
        return
    path = [target] if target in OPPORTUNITY_TRANSITIONS[opp.status] else []
    if not path and target == "landed" and "signed" in OPPORTUNITY_TRANSITIONS[opp.status]:
        path = ["signed", "landed"]
    for status in path:
        opportunity_service.set_opportunity_state(
            db, actor=actor, opportunity=opp, to=status, note=_("Deal %(id)s moved") % {"id": deal.id}
        )


def _check_organisations(db: Session, org_ids: set[int]) -> None:
    """Refuse parties that name no organisation, saying which."""
    known = set(db.scalars(select(Organisation.id).where(Organisation.id.in_(org_ids)))) if org_ids else set()
    missing = sorted(org_ids - known)
    if missing:
        raise DomainError(
            _("No such organisation: %(id)s") % {"id": ", ".join(map(str, missing))}, field="parties"
        )


def create(db: Session, *, actor: Actor, data: DealCreate, provenance: str = "manual") -> Deal:
    """Open a deal (normally as a lead; a sheet may bring it in a later stage with that stage's facts)."""
    require(can_create_deals, actor, message=_("Only the organiser and district accounts may open deals."))
    values = data.model_dump(exclude={"parties"}, exclude_none=True)
    values["stage"] = data.stage.value
    if data.category is not None:
        values["category"] = data.category.value
    _check_stage_facts(
        values["stage"],
        signed_amount=data.signed_amount,
        signed_on=data.signed_on,
        lost_reason=data.lost_reason,
    )
    _check_organisations(db, {p.organisation_id for p in data.parties})
    if data.opportunity_id is not None and db.get(Opportunity, data.opportunity_id) is None:
        raise DomainError(_("No such project: %(id)s") % {"id": data.opportunity_id}, field="opportunity_id")
    deal = Deal(provenance=provenance, **values)
    deal.parties = [DealParty(organisation_id=p.organisation_id, role=p.role.value) for p in data.parties]
    require(
        can_manage_deal,
        actor,
        deal,
        message=_(
            "A district account opens deals only in its own district (naming itself as a party does not "
            "change that); the organiser opens deals of the events it organises."
        ),
    )
    db.add(deal)
    db.flush()
    after = {k: v for k, v in _snapshot(deal, TRACKED).items() if v not in (None, False)}
    after["parties"] = [[p.organisation_id, p.role] for p in deal.parties]
    record_history(db, actor=actor, deal=deal, action="create", before=None, after=after, note=None)
    return deal


def update(db: Session, *, actor: Actor, deal: Deal, data: DealUpdate, note: str | None = None) -> Deal:
    """Change a deal's facts (not its stage); the organiser or the district in charge only."""
    require_manage(actor, deal)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("category") is not None:
        changes["category"] = str(changes["category"])
    before, after = audit.diff(deal, changes)
    if not after:
        return deal
    if "district" in after or "event_id" in after:
        # The deal as it would be: a district cannot move a deal out to another district, nor an organiser
        # of one event to an event it does not organise.
        moved = SimpleNamespace(
            district=after.get("district", deal.district), event_id=after.get("event_id", deal.event_id)
        )
        require_manage(actor, moved)
    for key, value in after.items():
        setattr(deal, key, value)
    db.flush()
    record_history(db, actor=actor, deal=deal, action="update", before=before, after=after, note=note)
    return deal


def move_deal_to_stage(
    db: Session,
    *,
    actor: Actor,
    deal: Deal,
    to: str,
    note: str | None,
    lost_reason: str | None = None,
    signed_amount: Decimal | None = None,
    signed_on: dt.date | None = None,
    invested_amount: Decimal | None = None,
    landed_on: dt.date | None = None,
) -> Deal:
    """The one transition function of a deal: checks the move (refused in the request's language), its facts
    and who asks.

    Side effects: the stage and its facts (signed amount and date, landing date, invested amount, lost
    reason) are written; one DealHistory row and one audit entry record before and after; the accounts of the
    deal's parties (except the actor) get a `deal_stage` or `deal_amount` notification; a linked project
    follows the deal through `set_opportunity_state` where its lifecycle allows (with its own history and
    audit).

    A move to signed needs an amount and a date; a move to lost needs a reason (the note serves as one); a
    move back down the pipeline, or out of lost, needs a note saying why. Once signed, the amount can
    change only with a note saying why (recorded before and after), and leaving the signed stages needs a
    note too, so no signed amount ever disappears from the totals silently. Moving to the same stage is how
    a signed amount is corrected.
    """
    require_manage(actor, deal)
    target = DealStage(to).value
    current = deal.stage
    signed_amount, invested_amount = _cents(signed_amount), _cents(invested_amount)
    note = (note or "").strip() or None
    transitions.check(
        DEAL_TRANSITIONS,
        current,
        target,
        states=DealStage,
        message=_("A deal cannot go from %(a)s to %(b)s."),
        field="stage",
        allow_same=True,
    )
    new: dict[str, Any] = {"stage": target}
    if target in SIGNED_STAGES:
        new["signed_amount"] = signed_amount if signed_amount is not None else deal.signed_amount
        new["signed_on"] = signed_on or deal.signed_on
    elif signed_amount is not None:
        new["signed_amount"] = signed_amount
    if target == "landed":
        new["landed_on"] = landed_on or deal.landed_on or dt.date.today()
    if invested_amount is not None:
        new["invested_amount"] = invested_amount
    if target == "lost":  # the reason, or the note when the move came with a note alone (the board's form)
        new["lost_reason"] = (lost_reason or "").strip() or note
    elif current == "lost":
        new["lost_reason"] = None
    _check_stage_facts(
        target,
        signed_amount=new.get("signed_amount", deal.signed_amount),
        signed_on=new.get("signed_on", deal.signed_on),
        lost_reason=new.get("lost_reason"),
    )
    if note is None and target != current and is_move_back(current, target):
        raise DomainError(_("Moving a deal back needs a note saying why."), field="note")
    if current in SIGNED_STAGES and note is None:
        if new.get("signed_amount", deal.signed_amount) != deal.signed_amount:
            raise DomainError(
                _("Changing the amount of a signed deal needs a note saying why."), field="note"
            )
        if target not in SIGNED_STAGES:
            raise DomainError(
                _("Taking a signed deal out of the signed figures needs a note saying why."), field="note"
            )
    before, after = audit.diff(deal, new)
    if not after:
        return deal
    for key, value in after.items():
        setattr(deal, key, value)
    db.flush()
    action = "stage" if "stage" in after else "amount"
    record_history(db, actor=actor, deal=deal, action=action, before=before, after=after, note=note)
    _notify_parties(
        db,
        actor=actor,
        deal=deal,
        kind="deal_stage" if action == "stage" else "deal_amount",
        payload={"before": audit.jsonable(before), "after": audit.jsonable(after), "note": note},
    )
    _sync_opportunity(db, actor=actor, deal=deal)
    return deal


def _cents(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else Decimal(amount).quantize(Decimal("0.01"))


def apply_move(db: Session, *, actor: Actor, deal: Deal, move: StageMove) -> Deal:
    """`move_deal_to_stage` from a validated form or API body."""
    return move_deal_to_stage(
        db,
        actor=actor,
        deal=deal,
        to=move.to.value,
        note=move.note,
        lost_reason=move.lost_reason,
        signed_amount=move.signed_amount,
        signed_on=move.signed_on,
        invested_amount=move.invested_amount,
        landed_on=move.landed_on,
    )


def set_parties(
    db: Session, *, actor: Actor, deal: Deal, parties: list[tuple[int, str]], note: str | None = None
) -> Deal:
    """Replace the deal's parties (organisation id, role), recording who was added and removed."""
    require_manage(actor, deal)
    wanted = {(org_id, PartyRole(role).value) for org_id, role in parties}
    _check_organisations(db, {o for o, _r in wanted})
    present = {(p.organisation_id, p.role) for p in deal.parties}
    if wanted == present:
        return deal
    deal.parties = [p for p in deal.parties if (p.organisation_id, p.role) in wanted] + [
        DealParty(organisation_id=o, role=r) for o, r in sorted(wanted - present)
    ]
    require_manage(actor, deal)
    db.flush()
    record_history(
        db,
        actor=actor,
        deal=deal,
        action="parties",
        before={"parties": sorted(present)},
        after={"parties": sorted(wanted)},
        note=note,
    )
    return deal


def add_task(db: Session, *, actor: Actor, deal: Deal, data: TaskCreate) -> DealTask:
    """A follow-up task on the deal, with a due date and an owner account."""
    require_manage(actor, deal)
    task = DealTask(deal_id=deal.id, title=data.title, due_on=data.due_on, owner_id=data.owner_id)
    db.add(task)
    db.flush()
    record_history(
        db,
        actor=actor,
        deal=deal,
        action="task",
        before=None,
        after={"task": task.id, "title": task.title, "due_on": task.due_on, "owner_id": task.owner_id},
        note=None,
    )
    if data.owner_id is not None and data.owner_id != actor.account_id:
        audit.notify(
            db,
            account_id=data.owner_id,
            kind="deal_task",
            payload={"deal_id": deal.id, "title": deal.title_zh, "task": task.title, "due_on": task.due_on},
            event_id=deal.event_id,
        )
    return task


def complete_task(db: Session, *, actor: Actor, deal: Deal, task_id: int) -> DealTask:
    """Mark a follow-up task done (once)."""
    require_manage(actor, deal)
    task = db.get(DealTask, task_id)
    if task is None or task.deal_id != deal.id:
        raise NotFound(_("No such task: %(id)s") % {"id": task_id})
    if task.done_at is None:
        task.done_at = utcnow()
        db.flush()
        record_history(
            db,
            actor=actor,
            deal=deal,
            action="task_done",
            before={"task": task.id, "done_at": None},
            after={"task": task.id, "done_at": task.done_at},
            note=None,
        )
    return task


def set_announced(db: Session, *, actor: Actor, deal: Deal, announced: bool, note: str | None = None) -> Deal:
    """Make a signed deal public (or take it back): the organiser of its event only. Only signed and landed
    deals are announced; a deal that leaves the signed stages stops being public by itself (the visibility
    rule asks for both). Recorded in the deal's history and the audit log."""
    require(
        can_announce_deal,
        actor,
        deal,
        message=_("Only the organiser of the deal's event announces it."),
    )
    if announced and deal.stage not in SIGNED_STAGES:
        raise DomainError(_("Only a signed deal can be announced."), field="announced")
    if deal.announced == announced:
        return deal
    before, after = {"announced": deal.announced}, {"announced": announced}
    deal.announced = announced
    db.flush()
    record_history(db, actor=actor, deal=deal, action="announce", before=before, after=after, note=note)
    return deal
