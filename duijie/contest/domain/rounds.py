"""Rounds of a contest edition: their scope, review rules and criteria, and which entries each one takes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from duijie.contest import scoring
from duijie.contest.domain.structure import NAME_MAX, record_created
from duijie.contest.enums import EntryState, RoundKind
from duijie.contest.models import (
    ContestEntry,
    ContestField,
    ContestRegion,
    ContestRound,
    ReviewAssignment,
    Score,
)
from duijie.contest.permissions import require_organiser
from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.models import AuditEntry
from duijie.events.models import Event

# Which entries a round without assignments takes: those waiting in the state its kind expects.
CANDIDATE_STATES: dict[str, tuple[str, ...]] = {
    RoundKind.PRELIMINARY.value: (EntryState.ELIGIBLE.value,),
    RoundKind.FIELD_TOP10.value: (EntryState.ADVANCED.value,),
    RoundKind.FINAL.value: (EntryState.ADVANCED.value,),
}


def list_rounds(db: Session, *, event: Event) -> list[ContestRound]:
    """The edition's rounds, preliminaries first, then the field rounds and the final."""
    return list(
        db.scalars(
            select(ContestRound)
            .where(ContestRound.event_id == event.id)
            .order_by(ContestRound.sequence, ContestRound.id)
        )
    )


def get_round(db: Session, *, event: Event, id: int) -> ContestRound:
    """A round of this edition, or NotFound (a round of another edition is not found either)."""
    rnd = db.get(ContestRound, id)
    if rnd is None or rnd.event_id != event.id:
        raise NotFound(_("No such round: %(id)s") % {"id": id})
    return rnd


def round_has_assignments(db: Session, *, rnd: ContestRound) -> bool:
    """Whether the round's assignment has been run (its entries are then those reviewed)."""
    return (
        db.scalar(select(ReviewAssignment.id).where(ReviewAssignment.round_id == rnd.id).limit(1)) is not None
    )


def _scope(stmt: Any, rnd: ContestRound) -> Any:
    if rnd.field_id is not None:
        stmt = stmt.where(ContestEntry.field_id == rnd.field_id)
    if rnd.region_id is not None:
        stmt = stmt.where(ContestEntry.region_id == rnd.region_id)
    return stmt


def round_entries(db: Session, *, rnd: ContestRound) -> list[ContestEntry]:
    """The round's entries: those with reviews in it, or, before its assignment, those waiting for it."""
    assigned = select(ReviewAssignment.entry_id).where(ReviewAssignment.round_id == rnd.id)
    stmt = select(ContestEntry).options(joinedload(ContestEntry.organisation))
    if round_has_assignments(db, rnd=rnd):
        stmt = stmt.where(ContestEntry.id.in_(assigned))
    else:
        stmt = _scope(stmt, rnd).where(
            ContestEntry.event_id == rnd.event_id, ContestEntry.state.in_(CANDIDATE_STATES[rnd.kind])
        )
    return list(db.scalars(stmt.order_by(ContestEntry.id)))


def last_run(db: Session, *, rnd: ContestRound) -> AuditEntry | None:
    """The latest assignment run of a round, whose summary and certificate the audit entry keeps."""
    return db.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.entity_type == "contest_round",
            AuditEntry.entity_id == rnd.id,
            AuditEntry.action.in_(("assign", "reassign")),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def scored_count(db: Session, *, rnd: ContestRound) -> int:
    """How many scores of the round are submitted; once any is, the assignment is frozen."""
    return (
        db.scalar(
            select(func.count(Score.id))
            .join(ReviewAssignment, Score.assignment_id == ReviewAssignment.id)
            .where(ReviewAssignment.round_id == rnd.id, Score.submitted_at.is_not(None))
        )
        or 0
    )


def update_round(db: Session, *, actor: Actor, rnd: ContestRound, changes: dict[str, Any]) -> ContestRound:
    """Change a round's criteria, review parameters or advancement rule; criteria are frozen once scored."""
    require_organiser(actor, rnd.event_id)
    for name in ("judges_per_entry", "max_per_judge"):
        if name in changes and (changes[name] is None or changes[name] < 1):
            raise DomainError(_("Must be a whole number of at least 1."), field=name)
    if changes.get("advance_count") is not None and changes["advance_count"] < 0:
        raise DomainError(_("Must be a whole number of at least 0."), field="advance_count")
    if "criteria" in changes and changes["criteria"] != rnd.criteria and scored_count(db, rnd=rnd):
        raise DomainError(
            _("Scores have been submitted in this round; its criteria can no longer change."),
            field="criteria",
        )
    audit.apply(
        db,
        actor=actor,
        obj=rnd,
        changes=changes,
        entity_type="contest_round",
        action="update",
        event_id=rnd.event_id,
    )
    return rnd


def criteria_from_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Criteria from form rows of code/name_zh/name_en/weight; empty rows are skipped, weights must be positive."""
    criteria: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=1):
        name_zh = str(row.get("name_zh") or "").strip()
        name_en = str(row.get("name_en") or "").strip() or None
        weight_text = str(row.get("weight") or "").strip()
        if not (name_zh or name_en or weight_text):
            continue
        if not name_zh:
            raise DomainError(_("Criterion %(n)s: enter the Chinese name.") % {"n": number}, field="criteria")
        try:
            weight = float(weight_text)
        except ValueError:
            weight = -1.0
        if not weight > 0:
            raise DomainError(
                _("Criterion %(n)s: the weight must be a positive number.") % {"n": number}, field="criteria"
            )
        code = str(row.get("code") or "").strip() or f"c{number}"
        while any(c["code"] == code for c in criteria):
            code = f"{code}_{number}"
        criteria.append({"code": code, "name_zh": name_zh, "name_en": name_en, "weight": weight})
    if not criteria:
        raise DomainError(_("A round needs at least one criterion."), field="criteria")
    return criteria


def save_round(
    db: Session, *, actor: Actor, event: Event, values: dict[str, Any], rnd: ContestRound | None = None
) -> ContestRound:
    """Create a round or change one: its stage, names, scope, order, dates, review rules and criteria.

    A preliminary contest belongs to a field or a region, a field's TOP10 round to a field, the final to
    neither; the Chinese name is unique per edition.
    """
    require_organiser(actor, event.id)
    kind = str(values.get("kind") or "")
    if kind not in {k.value for k in RoundKind}:
        raise DomainError(_("Choose the stage of the round."), field="kind")
    name_zh = str(values.get("name_zh") or "").strip()
    name_en = str(values.get("name_en") or "").strip() or None
    if not name_zh:
        raise DomainError(_("Enter the Chinese name."), field="name_zh")
    if len(name_zh) > NAME_MAX or (name_en and len(name_en) > NAME_MAX):
        raise DomainError(_("A name has at most %(n)s characters.") % {"n": NAME_MAX}, field="name_zh")
    clash = db.scalar(
        select(ContestRound.id).where(ContestRound.event_id == event.id, ContestRound.name_zh == name_zh)
    )
    if clash is not None and (rnd is None or clash != rnd.id):
        raise DomainError(_("Another round already has this name."), field="name_zh")
    field_id, region_id = values.get("field_id"), values.get("region_id")
    if field_id is not None:
        f = db.get(ContestField, field_id)
        if f is None or f.event_id != event.id:
            raise DomainError(_("Choose a field of this contest."), field="field_id")
    if region_id is not None:
        r = db.get(ContestRegion, region_id)
        if r is None or r.event_id != event.id:
            raise DomainError(_("Choose a region of this contest."), field="region_id")
    if kind == RoundKind.PRELIMINARY.value and field_id is None and region_id is None:
        raise DomainError(_("A preliminary contest belongs to a field or a region."), field="field_id")
    if kind == RoundKind.FIELD_TOP10.value and (field_id is None or region_id is not None):
        raise DomainError(_("A field's TOP10 round belongs to one field and no region."), field="field_id")
    if kind == RoundKind.FINAL.value and (field_id is not None or region_id is not None):
        raise DomainError(_("The final belongs to no field or region."), field="field_id")
    sequence = values.get("sequence")
    if sequence is None or sequence < 1:
        raise DomainError(_("Must be a whole number of at least 1."), field="sequence")
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(_("The round ends before it starts."), field="ends_on")
    changes: dict[str, Any] = {
        "judges_per_entry": values.get("judges_per_entry"),
        "max_per_judge": values.get("max_per_judge"),
        "advance_count": values.get("advance_count"),
        "same_country_rule": bool(values.get("same_country_rule")),
        "criteria": criteria_from_rows(values.get("criteria") or []),
    }
    main: dict[str, Any] = {
        "kind": kind,
        "name_zh": name_zh,
        "name_en": name_en,
        "field_id": field_id,
        "region_id": region_id,
        "sequence": sequence,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    if rnd is None:
        for name in ("judges_per_entry", "max_per_judge"):
            if changes[name] is None or changes[name] < 1:
                raise DomainError(_("Must be a whole number of at least 1."), field=name)
        if changes["advance_count"] is not None and changes["advance_count"] < 0:
            raise DomainError(_("Must be a whole number of at least 0."), field="advance_count")
        rnd = ContestRound(event_id=event.id, **main, **changes)
        db.add(rnd)
        record_created(db, actor=actor, entity_type="contest_round", obj=rnd, values={**main, **changes})
        return rnd
    if (kind != rnd.kind or field_id != rnd.field_id or region_id != rnd.region_id) and round_has_assignments(
        db, rnd=rnd
    ):
        raise DomainError(
            _("Judges are assigned in this round; its stage, field and region can no longer change."),
            field="kind",
        )
    return update_round(db, actor=actor, rnd=rnd, changes={**main, **changes})


def criteria_of(rnd: ContestRound) -> list[scoring.Criterion]:
    """The round's criteria as the scoring algorithm takes them."""
    return [scoring.Criterion(name=c["code"], weight=float(c["weight"])) for c in rnd.criteria]
