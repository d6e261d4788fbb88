"""Conflicts of interest between judges and entries: detected from the records, declared, and per round."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, joinedload

from duijie.contest import conflicts as coi
from duijie.contest.domain.judges import judge_for_actor, judge_ties
from duijie.contest.models import Conflict, ContestEntry, ContestRound, Judge, ReviewAssignment, Score
from duijie.contest.permissions import can_manage_contest, require_organiser
from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound, PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.deals.models import Deal, DealParty
from duijie.directory.models import Organisation
from duijie.events.models import Event


def org_name(org: Organisation | None) -> str | None:
    """An organisation's Chinese name, as conflict detection and the affinities compare organisations."""
    return org.name_zh if org is not None else None


def _investors_by_enterprise(db: Session, org_ids: set[int]) -> dict[int, tuple[coi.Tie, ...]]:
    """Who invested in each enterprise, from the signed deals it is a party to, dated by the signing."""
    if not org_ids:
        return {}
    enterprise = aliased(DealParty)
    investor = aliased(DealParty)
    rows = db.execute(
        select(enterprise.organisation_id, Organisation.name_zh, Deal.signed_on)
        .join(Deal, Deal.id == enterprise.deal_id)
        .join(investor, (investor.deal_id == Deal.id) & (investor.role == "investor"))
        .join(Organisation, Organisation.id == investor.organisation_id)
        .where(
            enterprise.role == "enterprise",
            enterprise.organisation_id.in_(org_ids),
            Deal.signed_on.is_not(None),
        )
    ).all()
    out: dict[int, list[coi.Tie]] = defaultdict(list)
    for org_id, name, signed_on in rows:
        out[org_id].append(coi.Tie(organisation=name, start=signed_on))
    return {k: tuple(v) for k, v in out.items()}


def _portfolio_by_investor(db: Session, org_ids: set[int]) -> dict[int, tuple[coi.Tie, ...]]:
    """Which companies each organisation invested in, from the signed deals it is an investor in."""
    if not org_ids:
        return {}
    enterprise = aliased(DealParty)
    investor = aliased(DealParty)
    rows = db.execute(
        select(investor.organisation_id, Organisation.name_zh, Deal.signed_on)
        .join(Deal, Deal.id == investor.deal_id)
        .join(enterprise, (enterprise.deal_id == Deal.id) & (enterprise.role == "enterprise"))
        .join(Organisation, Organisation.id == enterprise.organisation_id)
        .where(
            investor.role == "investor", investor.organisation_id.in_(org_ids), Deal.signed_on.is_not(None)
        )
    ).all()
    out: dict[int, list[coi.Tie]] = defaultdict(list)
    for org_id, name, signed_on in rows:
        out[org_id].append(coi.Tie(organisation=name, start=signed_on))
    return {k: tuple(v) for k, v in out.items()}


def detect_conflicts(db: Session, *, actor: Actor, event: Event, as_of: dt.date | None = None) -> int:
    """Find conflicts of interest for every judge and entry of the edition and store the new ones with reasons.

    Same organisation, an investment by the judge's organisation in the entrant within the look-back window
    (from signed deals), the judge's own recent employment at or investment in the entrant, a recent
    co-investment of judge and entrant in the same company (from the judge's ties and the entrant's signed
    deals) and declared conflicts always count; the same-country rule is a round's choice and is
    applied when that round is assigned. Returns how many conflicts were added.
    """
    require_organiser(actor, event.id)
    entries = list(
        db.scalars(
            select(ContestEntry)
            .options(joinedload(ContestEntry.organisation))
            .where(ContestEntry.event_id == event.id)
            .order_by(ContestEntry.id)
        )
    )
    judges = list(db.scalars(select(Judge).where(Judge.event_id == event.id).order_by(Judge.id)))
    org_ids = {j.organisation_id for j in judges if j.organisation_id}
    orgs = {o.id: o for o in db.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))}
    entrant_ids = {e.organisation_id for e in entries if e.organisation_id}
    backers = _investors_by_enterprise(db, entrant_ids)
    portfolio = _portfolio_by_investor(db, entrant_ids)
    records_e = [
        coi.EntryRecord(
            id=str(e.id),
            organisation=org_name(e.organisation) or f"entry:{e.code}",
            country=e.country,
            investors=backers.get(e.organisation_id or -1, ()),
            investments=portfolio.get(e.organisation_id or -1, ()),
        )
        for e in entries
    ]
    records_j = []
    for j in judges:
        employments, investments = judge_ties(j)
        records_j.append(
            coi.JudgeRecord(
                id=str(j.id),
                organisation=org_name(orgs.get(j.organisation_id or -1)),
                country=j.country,
                employments=employments,
                investments=investments,
            )
        )
    found = coi.detect_conflicts(records_e, records_j, coi.ConflictRules(as_of=as_of or event.starts_on))
    existing = set(
        db.execute(
            select(Conflict.entry_id, Conflict.judge_id)
            .join(Judge, Conflict.judge_id == Judge.id)
            .where(Judge.event_id == event.id)
        ).all()
    )
    added = 0
    for c in found:
        key = (int(c.entry_id), int(c.judge_id))
        if key in existing:
            continue
        db.add(Conflict(entry_id=key[0], judge_id=key[1], reason=c.reason[:200], source="detected"))
        added += 1
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="contest",
        entity_id=event.id,
        action="detect_conflicts",
        after={"added": added, "found": len(found)},
        event_id=event.id,
    )
    return added


def declare_conflict(
    db: Session, *, actor: Actor, event: Event, judge: Judge, entry: ContestEntry, reason: str
) -> Conflict:
    """Record a conflict the judge or the entrant declared; the pair is never assigned afterwards. The organiser
    records any judge's; a judge declares their own (on their review page)."""
    own = judge_for_actor(db, event=event, actor=actor)
    if own is None or own.id != judge.id:
        require_organiser(actor, event.id)
    if judge.event_id != event.id or entry.event_id != event.id:
        raise NotFound(_("The judge and the entry must belong to this contest."))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the judge is conflicted."), field="reason")
    existing = db.scalar(select(Conflict).where(Conflict.judge_id == judge.id, Conflict.entry_id == entry.id))
    if existing is not None:
        raise DomainError(
            _("This conflict is already recorded: %(reason)s") % {"reason": existing.reason}, field="entry"
        )
    assigned = db.scalar(
        select(ReviewAssignment.id).where(
            ReviewAssignment.judge_id == judge.id, ReviewAssignment.entry_id == entry.id
        )
    )
    if assigned is not None:
        raise DomainError(
            _("The judge already reviews this entry; drop the judge from the round or reassign it first."),
            field="entry",
        )
    row = Conflict(
        judge_id=judge.id, entry_id=entry.id, reason=f"declared: {reason}"[:200], source="declared"
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="conflict",
        entity_id=row.id,
        action="declare",
        after={"judge_id": judge.id, "entry_id": entry.id, "reason": row.reason},
        event_id=event.id,
    )
    return row


def conflict_in(db: Session, *, event: Event, id: int, judge: Judge | None = None) -> Conflict:
    """A conflict of the edition (and of `judge`, when given); a translated 404 otherwise, so another edition's
    conflicts are neither shown nor guessed."""
    row = db.scalar(
        select(Conflict).join(Judge, Conflict.judge_id == Judge.id).where(Conflict.id == id, Judge.event_id == event.id)
    )
    if row is None or (judge is not None and row.judge_id != judge.id):
        raise NotFound(_("No such conflict: %(id)s") % {"id": id}, field="conflict")
    return row


def assignment_locked(db: Session, *, entry_id: int) -> bool:
    """Whether a round reviewing the entry has a submitted score: its assignment can no longer be re-run, so a
    withdrawn conflict would change nothing there and is the organiser's decision alone."""
    rounds = select(ReviewAssignment.round_id).where(ReviewAssignment.entry_id == entry_id)
    return (
        db.scalar(
            select(Score.id)
            .join(ReviewAssignment, Score.assignment_id == ReviewAssignment.id)
            .where(ReviewAssignment.round_id.in_(rounds), Score.submitted_at.is_not(None))
            .limit(1)
        )
        is not None
    )


def withdraw_conflict(db: Session, *, actor: Actor, event: Event, conflict: Conflict) -> None:
    """Withdraw a declared conflict: the pair may be assigned again from the next assignment run on (reviews
    already assigned stay as they are).

    The organiser withdraws any declared conflict; a judge their own, while no score is submitted in a round
    reviewing the entry (the assignment is then locked). A detected conflict is refused: detection would find it
    again. Side effects: the conflict row is deleted; an audit entry "withdraw" keeps what it said."""
    own = judge_for_actor(db, event=event, actor=actor)
    organises = can_manage_contest(actor, event)
    if not organises and (own is None or own.id != conflict.judge_id):
        raise PermissionDenied(_("Only the organiser and the judge concerned may withdraw this conflict."))
    if conflict.source != "declared":
        raise DomainError(
            _("Only a declared conflict can be withdrawn; a detected one is found again by the next detection."),
            field="conflict",
        )
    if not organises and assignment_locked(db, entry_id=conflict.entry_id):
        raise DomainError(
            _("Scores are already submitted for this entry, so its assignment is locked; ask the organiser to "
              "withdraw the conflict."),
            field="conflict",
        )  # fmt: skip
    before = {"judge_id": conflict.judge_id, "entry_id": conflict.entry_id, "reason": conflict.reason}
    conflict_id = conflict.id
    db.delete(conflict)
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="conflict",
        entity_id=conflict_id,
        action="withdraw",
        before=before,
        event_id=event.id,
    )


def conflicts_of(
    db: Session, *, rnd: ContestRound, entries: Sequence[ContestEntry], judges: Sequence[Judge]
) -> dict[tuple[int, int], str]:
    """Every conflicted (entry, judge) pair of a round with its reason: stored ones and the round's own rules."""
    entry_ids = [e.id for e in entries]
    out: dict[tuple[int, int], str] = {}
    for entry_id, judge_id, reason in db.execute(
        select(Conflict.entry_id, Conflict.judge_id, Conflict.reason).where(Conflict.entry_id.in_(entry_ids))
    ).all():
        out[(entry_id, judge_id)] = reason
    if rnd.same_country_rule:
        by_country: dict[str, list[int]] = defaultdict(list)
        for e in entries:
            by_country[e.country].append(e.id)
        for j in judges:
            for entry_id in by_country.get(j.country, ()):
                out.setdefault((entry_id, j.id), f"same country ({j.country})")
    return out
