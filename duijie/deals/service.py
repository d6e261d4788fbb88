"""Reads and writes of deals. `move_deal_to_stage` is the one place a deal's stage (and its signed amount)
changes; every write appends to the deal's history and the audit log. Services flush; the caller commits."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from types import MappingProxyType, SimpleNamespace
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from duijie.core import audit, i18n, transitions
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, ErrorDetail, InvalidTransition, NotFound, PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.core.permissions import require
from duijie.core.schemas import paginate_params
from duijie.deals.enums import (
    CLOSED_STATUSES,
    DEAL_DATES,
    DEAL_TRANSITIONS,
    EXIT_RULES,
    PIPELINE,
    SIGNED_STAGES,
    STATUSES_WITH_PLACE,
    DealStage,
    DealStatus,
    ExitRule,
    PartyRole,
    SourceKind,
    is_move_back,
    is_move_forward,
    stages_between,
)
from duijie.deals.models import Deal, DealEvidence, DealHistory, DealParty, DealTask, signed_clause
from duijie.deals.permissions import (
    can_add_evidence,
    can_announce_deal,
    can_create_deals,
    can_manage_deal,
    can_see_deal,
    can_see_evidence,
    can_verify_deal,
    sees_deal_internals,
    visible_deals,
)
from duijie.deals.schemas import DealCreate, DealFilters, DealUpdate, StageMove, StatusChange, TaskCreate
from duijie.deals.sources import reader_for
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
    "contract_on",
    "landed_on",
    "landed_site",
    "on_stage",
    "announced",
    "opportunity_id",
    "event_id",
    "stage",
    "status",
    "status_reason",
    "lost_to",
    "opened_on",
    "verified_on",
    "verified_by_id",
    "source_kind",
    "source_id",
    "source_label",
)

# The project status a deal's stage implies for its linked project.
OPPORTUNITY_STATUS_FOR_STAGE = {
    "negotiating": "negotiating",
    "intention": "negotiating",
    "signed": "signed",
    "contract": "signed",
    "landed": "landed",
    "verified": "landed",
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
        # As in the signed figures: signed at the forum or further, neither lost nor abandoned.
        stmt = stmt.where(signed_clause())
    elif filters.stage == "lost":  # the stage of old links: lost is a status now
        stmt = stmt.where(Deal.status == "lost")
    elif filters.stage:
        stmt = stmt.where(Deal.stage == filters.stage)
    if filters.status:
        stmt = stmt.where(Deal.status == filters.status)
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
    """The deals of an event the actor may see, for the kanban board: the live ones by stage in pipeline order,
    the lost and abandoned ones under "closed" (they keep their stage, but no longer move along)."""
    stmt = filtered(db, DealFilters(event=event, district=district), actor).options(
        selectinload(Deal.parties).selectinload(DealParty.organisation)
    )
    columns: dict[str, list[Deal]] = {s.value: [] for s in DealStage}
    columns["closed"] = []
    for deal in db.scalars(
        stmt.order_by(
            Deal.signed_amount.desc().nulls_last(), Deal.planned_amount.desc().nulls_last(), Deal.id
        )
    ):
        columns["closed" if deal.status in CLOSED_STATUSES else deal.stage].append(deal)
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
    offers by default), then back down the pipeline, nearest first. A lost or abandoned deal moves nowhere
    until it is reopened (its status set back to ongoing)."""
    return forward_moves(deal) + other_moves(deal)


def forward_moves(deal: Deal) -> list[DealStage]:
    """The later stages this deal may move to, the next one first (verified only through verification)."""
    if deal.status in CLOSED_STATUSES:
        return []
    targets = DEAL_TRANSITIONS[deal.stage]
    return [
        DealStage(s) for s in PIPELINE if s in targets and s != "verified" and is_move_forward(deal.stage, s)
    ]


def next_stage(deal: Deal) -> DealStage | None:
    """The stage the board's one-click action advances this deal to (None at the end, before verification, or
    when the deal is lost or abandoned)."""
    ahead = forward_moves(deal)
    return ahead[0] if ahead else None


def other_moves(deal: Deal) -> list[DealStage]:
    """The deliberate moves, each needing a note: back down the pipeline, nearest first."""
    if deal.status in CLOSED_STATUSES:
        return []
    targets = DEAL_TRANSITIONS[deal.stage]
    return [DealStage(s) for s in reversed(PIPELINE) if s in targets and is_move_back(deal.stage, s)]


def _fact(deal: Deal, field: str, values: dict[str, Any], evidence: int | None = None) -> Any:
    """A fact of the deal as it would be after a move: the value the move brings, else the deal's own."""
    if field == "parties":
        return list(deal.parties)
    if field == "evidence":
        return evidence if evidence is not None else len(deal.evidence)
    return values[field] if field in values else getattr(deal, field)


def rule_holds(rule: ExitRule, deal: Deal, values: dict[str, Any], *, evidence: int | None = None) -> bool:
    """Whether one exit rule holds for the deal as the move would leave it (a rule on a fact not given holds
    unless it is "required": "required" reports the missing fact once)."""
    value = _fact(deal, rule.field, values, evidence)
    if rule.kind == "required":
        return value not in (None, "", [], 0)
    if value is None:
        return True
    if rule.kind == "not_future":
        return bool(value <= dt.date.today())
    if rule.kind == "not_before":
        other = _fact(deal, rule.other or "opened_on", values)
        return other is None or bool(value >= other)
    raise ValueError(f"unknown exit rule kind {rule.kind!r}")


def blocking(deal: Deal, target: str, values: dict[str, Any] | None = None) -> list[ErrorDetail]:
    """What stops the deal entering `target` (and every stage a forward move passes), as the exit rules say,
    each naming its field: empty when the move may go."""
    entered = set(stages_between(deal.stage, target))
    given = values or {}
    return [
        ErrorDetail(_(rule.message), field=rule.field)
        for rule in EXIT_RULES
        if rule.stage in entered and not rule_holds(rule, deal, given)
    ]


def next_stage_report(db: Session, *, actor: Actor, deal: Deal) -> dict[str, Any]:
    """What `GET /api/v1/deals/{id}/next-stage` and the deal's page say: the next stage and exactly what blocks
    it (the exit rules not yet met; for verification also who may verify)."""
    locale = i18n.get_locale()
    closed = deal.status in CLOSED_STATUSES
    target = None if closed or deal.stage == PIPELINE[-1] else PIPELINE[PIPELINE.index(deal.stage) + 1]
    blockers = blocking(deal, target) if target else []
    report: dict[str, Any] = {
        "deal_id": deal.id,
        "stage": deal.stage,
        "stage_label": DealStage(deal.stage).label(locale),
        "status": deal.status,
        "status_label": DealStatus(deal.status).label(locale),
        "next": target,
        "next_label": DealStage(target).label(locale) if target else None,
        "blocking": [{"field": d.field, "message": d.message} for d in blockers],
        "ready": target is not None and not blockers,
        "verifier_needed": target == "verified",
    }
    if closed:
        report["blocking"] = [
            {"field": "status", "message": _("A lost or abandoned deal moves on only once it is reopened.")}
        ]
    elif target == "verified":
        lander = landed_by(deal)
        report["landed_by"] = lander
        report["may_verify"] = can_verify_deal(actor, deal) and actor.account_id != lander and not blockers
    return report


def landed_by(deal: Deal) -> int | None:
    """The account that moved the deal to landed (or opened it there): the one account that may not verify it."""
    for row in reversed(deal.history):
        if row.action in ("stage", "create") and (row.after or {}).get("stage") == "landed":
            return row.actor_id
    return None


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


def _raise(details: list[ErrorDetail]) -> None:
    if details:
        raise DomainError(details[0].message, field=details[0].field, details=details)


def _check_dates(values: dict[str, Any], opened_on: dt.date) -> None:
    """No date of a deal is later than today or earlier than the day the deal was opened."""
    details = []
    today = dt.date.today()
    if opened_on > today:
        details.append(ErrorDetail(_("A deal cannot be opened on a day after today."), field="opened_on"))
    for field in DEAL_DATES:
        day = values.get(field)
        if day is None:
            continue
        if day > today:
            details.append(
                ErrorDetail(
                    _("%(field)s cannot be later than today.") % {"field": _(DATE_LABELS[field])}, field=field
                )
            )
        elif day < opened_on:
            details.append(
                ErrorDetail(
                    _("%(field)s is before the deal was opened (%(day)s).")
                    % {"field": _(DATE_LABELS[field]), "day": opened_on.isoformat()},
                    field=field,
                )
            )
    _raise(details)


# The facts the exit rules ask for before the signing.
EARLY_FIELDS = frozenset(r.field for r in EXIT_RULES if PIPELINE.index(r.stage) < PIPELINE.index("signed"))


def _as_lead(deal: Deal) -> Deal:
    """The deal with its facts, at the first stage: what a forward move from the start would be judged on."""
    facts = ("industry", "district", "planned_amount", "signed_amount", "signed_on", "contract_on", "landed_on",
             "landed_site", "opened_on")  # fmt: skip
    start = SimpleNamespace(
        stage="lead", parties=deal.parties, evidence=[], **{f: getattr(deal, f) for f in facts}
    )
    return start  # type: ignore[return-value]


DATE_LABELS = MappingProxyType(
    {"signed_on": _l("Signed on"), "contract_on": _l("Contract concluded on"), "landed_on": _l("Landed on")}
)


def _check_source(db: Session, values: dict[str, Any]) -> None:
    """The deal's source: a known kind; a session or meeting named by a record that exists (its label then
    taken from the record unless one is given); any other kind cited in words. Writes the label into `values`."""
    kind = values.get("source_kind")
    source_id = values.get("source_id")
    label = (values.get("source_label") or "").strip() or None
    if kind is None:
        if source_id is not None or label is not None:
            _raise([ErrorDetail(_("Say what kind of source this is."), field="source_kind")])
        return
    kind = SourceKind(kind).value
    values["source_kind"] = kind
    reader = reader_for(kind)
    if reader is None:
        if source_id is not None:
            _raise(
                [ErrorDetail(_("This kind of source is cited in words, not by a number."), field="source_id")]
            )
        if label is None:
            _raise(
                [
                    ErrorDetail(
                        _("Say which %(kind)s sourced the deal.")
                        % {"kind": SourceKind(kind).label(i18n.get_locale())},
                        field="source_label",
                    )
                ]
            )
        return
    if source_id is None:
        _raise(
            [
                ErrorDetail(
                    _("Give the number of the %(kind)s that sourced the deal.")
                    % {"kind": SourceKind(kind).label(i18n.get_locale())},
                    field="source_id",
                )
            ]
        )
    found = reader.read(db, int(source_id)) if source_id is not None else None
    if found is None:
        _raise(
            [
                ErrorDetail(
                    _("No %(kind)s numbered %(id)s.")
                    % {"kind": SourceKind(kind).label(i18n.get_locale()), "id": source_id},
                    field="source_id",
                )
            ]
        )
        return
    values["source_label"] = label or (
        found[0] if i18n.get_locale().startswith("zh") or not found[1] else found[1]
    )


def _check_status(status: str, reason: str | None) -> None:
    """A status other than ongoing says why."""
    if status != "ongoing" and not (reason or "").strip():
        _raise(
            [
                ErrorDetail(
                    _("Say why the deal is %(status)s.")
                    % {"status": DealStatus(status).label(i18n.get_locale())},
                    field="status_reason",
                )
            ]
        )


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
    values["status"] = data.status.value
    # Who may open this deal (its event, its district) is decided before what it says is checked.
    require(
        can_manage_deal,
        actor,
        SimpleNamespace(district=values.get("district"), event_id=values.get("event_id")),
        message=_(
            "A district account opens deals only in its own district (naming itself as a party does not "
            "change that); the organiser opens deals of the events it organises."
        ),
    )
    # A deal recorded after the fact was opened no later than its first recorded date.
    dates = [values[f] for f in DEAL_DATES if values.get(f) is not None]
    values.setdefault("opened_on", min([dt.date.today(), *dates]))
    _check_dates(values, values["opened_on"])
    _check_status(values["status"], data.status_reason)
    _check_organisations(db, {p.organisation_id for p in data.parties})
    _check_source(db, values)
    if data.opportunity_id is not None and db.get(Opportunity, data.opportunity_id) is None:
        raise DomainError(_("No such project: %(id)s") % {"id": data.opportunity_id}, field="opportunity_id")
    deal = Deal(provenance=provenance, **values)
    deal.parties = [DealParty(organisation_id=p.organisation_id, role=p.role.value) for p in data.parties]
    # A deal entered at a later stage (an import, a deal recorded after the fact) has the facts of the signing,
    # contract and landing its stage implies, as a move there would need them; the facts of the stages before
    # the signing (industry, place, planned amount) are the pipeline's own work and may be unknown for a deal
    # recorded afterwards. Verified only through verification.
    if deal.stage == "verified":
        raise DomainError(_("A deal is verified only through verification, with evidence."), field="stage")
    _raise([d for d in blocking(_as_lead(deal), deal.stage) if d.field not in EARLY_FIELDS])
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
    _sync_opportunity(db, actor=actor, deal=deal)  # a deal opened as signed makes its project signed
    return deal


def update(db: Session, *, actor: Actor, deal: Deal, data: DealUpdate, note: str | None = None) -> Deal:
    """Change a deal's facts (not its stage); the organiser or the district in charge only."""
    require_manage(actor, deal)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("category") is not None:
        changes["category"] = str(changes["category"])
    if {"source_kind", "source_id", "source_label"} & set(changes):
        source = {k: changes.get(k, getattr(deal, k)) for k in ("source_kind", "source_id", "source_label")}
        if "source_kind" in changes and changes["source_kind"] != deal.source_kind:
            source = {k: changes.get(k) for k in source}  # a new kind: the old record and label go with it
        elif "source_id" in changes and "source_label" not in changes:
            source["source_label"] = None  # another record: its own label
        _check_source(db, source)
        changes.update(source)
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


# The facts a stage records, cleared when a deal moves back below that stage (so the facts always match the
# stage, and the cycle times read from the log agree with the live ones).
STAGE_FACTS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "signed": ("signed_on",),
        "contract": ("contract_on",),
        "landed": ("landed_on", "landed_site"),
        "verified": ("verified_on", "verified_by_id"),
    }
)


def move_deal_to_stage(
    db: Session,
    *,
    actor: Actor,
    deal: Deal,
    to: str,
    note: str | None,
    signed_amount: Decimal | None = None,
    signed_on: dt.date | None = None,
    contract_on: dt.date | None = None,
    invested_amount: Decimal | None = None,
    landed_on: dt.date | None = None,
    landed_site: str | None = None,
) -> Deal:
    """The one transition function of a deal's stage: checks the move (refused in the request's language), the
    exit rules of every stage it enters, its dates and who asks.

    Side effects: the stage and its facts (signed amount and date, contract date, landing date and site,
    invested amount) are written; one DealHistory row and one audit entry record before and after; the accounts
    of the deal's parties (except the actor) get a `deal_stage` or `deal_amount` notification; a linked project
    follows the deal through `set_opportunity_state` where its lifecycle allows (with its own history and
    audit).

    A forward move needs the facts `EXIT_RULES` lists for each stage it enters (all of them reported at once).
    A move back down the pipeline needs a note saying why and clears the dates of the stages it leaves. Once
    signed, the amount changes only with a note saying why (recorded before and after), so no signed amount
    ever changes the totals silently; moving to the same stage is how a signed amount is corrected. A lost or
    abandoned deal is reopened (`set_status`) before it moves. Verified is entered only through `verify`.
    """
    require_manage(actor, deal)
    target = DealStage(to).value
    current = deal.stage
    signed_amount, invested_amount = _cents(signed_amount), _cents(invested_amount)
    note = (note or "").strip() or None
    if deal.status in CLOSED_STATUSES:
        raise InvalidTransition(
            _("A lost or abandoned deal moves on only once it is reopened."), field="status"
        )
    if target == "verified" and current != "verified":
        raise InvalidTransition(
            _("A deal is verified only through verification, with evidence."), field="stage"
        )
    transitions.check(
        DEAL_TRANSITIONS,
        current,
        target,
        states=DealStage,
        message=_("A deal cannot go from %(a)s to %(b)s."),
        field="stage",
        allow_same=True,
    )
    given = {
        "signed_amount": signed_amount,
        "signed_on": signed_on,
        "contract_on": contract_on,
        "landed_on": landed_on,
        "landed_site": (landed_site or "").strip() or None,
        "invested_amount": invested_amount,
    }
    new: dict[str, Any] = {"stage": target, **{k: v for k, v in given.items() if v is not None}}
    if is_move_back(current, target):
        if note is None:
            raise DomainError(_("Moving a deal back needs a note saying why."), field="note")
        for stage, facts in STAGE_FACTS.items():
            if PIPELINE.index(target) < PIPELINE.index(stage):
                new.update(dict.fromkeys(facts))
    _raise(blocking(deal, target, new))
    _check_dates({f: new.get(f, getattr(deal, f)) for f in DEAL_DATES}, deal.opened_on)
    if (
        current in SIGNED_STAGES
        and note is None
        and new.get("signed_amount", deal.signed_amount) != deal.signed_amount
    ):
        raise DomainError(_("Changing the amount of a signed deal needs a note saying why."), field="note")
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
        signed_amount=move.signed_amount,
        signed_on=move.signed_on,
        contract_on=move.contract_on,
        invested_amount=move.invested_amount,
        landed_on=move.landed_on,
        landed_site=move.landed_site,
    )


def set_status(db: Session, *, actor: Actor, deal: Deal, change: StatusChange) -> Deal:
    """How the deal is going (ongoing, delayed, dormant, lost, abandoned), beside its stage.

    A status other than ongoing says why; a lost deal may say the city or country it went to. Reopening a lost
    or abandoned deal (back to ongoing) needs a note. A signed deal that is lost or abandoned leaves the signed
    figures, which its reason then explains. Recorded in the history and the audit log; the parties are told."""
    require_manage(actor, deal)
    status = change.to.value
    reason = (change.reason or "").strip() or None
    note = (change.note or "").strip() or None
    _check_status(status, reason)
    if deal.status in CLOSED_STATUSES and status not in CLOSED_STATUSES and note is None and reason is None:
        raise DomainError(_("Reopening a lost or abandoned deal needs a note saying why."), field="note")
    new: dict[str, Any] = {
        "status": status,
        "status_reason": reason if status != "ongoing" else None,
        "lost_to": ((change.lost_to or "").strip() or None) if status in STATUSES_WITH_PLACE else None,
    }
    before, after = audit.diff(deal, new)
    if not after:
        return deal
    for key, value in after.items():
        setattr(deal, key, value)
    db.flush()
    record_history(
        db, actor=actor, deal=deal, action="status", before=before, after=after, note=note or reason
    )
    _notify_parties(
        db,
        actor=actor,
        deal=deal,
        kind="deal_stage",
        payload={"before": audit.jsonable(before), "after": audit.jsonable(after), "note": note or reason},
    )
    return deal


# What a document of evidence may be: the formats a bureau receives, at most 10 MB each.
EVIDENCE_TYPES: MappingProxyType[str, str] = MappingProxyType(
    {
        ".pdf": "application/pdf",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
MAX_EVIDENCE = 10 * 1024 * 1024


def add_evidence(
    db: Session, *, actor: Actor, deal: Deal, title: str, filename: str, data: bytes
) -> DealEvidence:
    """Attach a document that proves the landing (the organiser, the district in charge or a verifier)."""
    require(
        can_add_evidence,
        actor,
        deal,
        message=_("Only the organiser, the district in charge and the verifiers attach evidence to a deal."),
    )
    name = (filename or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:200]
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    details = []
    if not (title or "").strip():
        details.append(ErrorDetail(_("Say what the document is."), field="title"))
    if suffix not in EVIDENCE_TYPES:
        details.append(
            ErrorDetail(
                _("A document of evidence is a PDF, an image (PNG, JPEG) or a Word or Excel file."),
                field="file",
            )
        )
    if not data:
        details.append(ErrorDetail(_("Choose the document to attach."), field="file"))
    elif len(data) > MAX_EVIDENCE:
        details.append(ErrorDetail(_("A document of evidence is at most 10 MB."), field="file"))
    _raise(details)
    item = DealEvidence(
        deal_id=deal.id,
        title=title.strip()[:200],
        filename=name,
        content_type=EVIDENCE_TYPES[suffix],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by_id=actor.account_id,
    )
    db.add(item)
    db.flush()
    db.refresh(deal, ["evidence"])
    record_history(
        db,
        actor=actor,
        deal=deal,
        action="evidence",
        before=None,
        after={"evidence": item.title, "filename": item.filename, "sha256": item.sha256},
        note=None,
    )
    return item


def evidence_of(db: Session, *, actor: Actor, deal: Deal, evidence_id: int) -> DealEvidence:
    """One document of the deal's evidence, for those who may read it (a 404 for anyone else, as for a deal)."""
    item = db.get(DealEvidence, evidence_id)
    if item is None or item.deal_id != deal.id or not can_see_evidence(actor, deal):
        raise NotFound(_("No such document: %(id)s") % {"id": evidence_id})
    return item


def verify(
    db: Session, *, actor: Actor, deal: Deal, note: str | None = None, checked_on: dt.date | None = None
) -> Deal:
    """Four-eyes verification of a landing: a verifier of the deal's event, never the account that moved it to
    landed, and only with evidence attached. The deal becomes verified by this account on the day of the check
    (today unless given; never later than today nor before the landing)."""
    require(
        can_verify_deal,
        actor,
        deal,
        message=_("Only a verifier of this deal's event marks it verified."),
    )
    if deal.status in CLOSED_STATUSES:
        raise InvalidTransition(
            _("A lost or abandoned deal moves on only once it is reopened."), field="status"
        )
    if deal.stage != "landed":
        raise InvalidTransition(
            _("Only a landed deal can be verified (this one is %(stage)s).")
            % {"stage": DealStage(deal.stage).label(i18n.get_locale())},
            field="stage",
        )
    if actor.account_id is not None and actor.account_id == landed_by(deal):
        raise PermissionDenied(
            _("The person who recorded the landing cannot also verify it: another verifier must."),
            field="verifier",
        )
    _raise(blocking(deal, "verified"))
    day = checked_on or dt.date.today()
    if day > dt.date.today() or (deal.landed_on is not None and day < deal.landed_on):
        _raise(
            [ErrorDetail(_("The day of the check is between the landing and today."), field="verified_on")]
        )
    new = {"stage": "verified", "verified_on": day, "verified_by_id": actor.account_id}
    before, after = audit.diff(deal, new)
    for key, value in after.items():
        setattr(deal, key, value)
    db.flush()
    record_history(db, actor=actor, deal=deal, action="verify", before=before, after=after, note=note)
    _notify_parties(
        db,
        actor=actor,
        deal=deal,
        kind="deal_stage",
        payload={"before": audit.jsonable(before), "after": audit.jsonable(after), "note": note},
    )
    _sync_opportunity(db, actor=actor, deal=deal)
    return deal


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
