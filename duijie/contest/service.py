"""Contest writes and simple reads: structure, entry states, conflicts, judge assignment, scores, rankings, awards.

The algorithms are pure and live beside this file (`assignment.py`, `conflicts.py`, `scoring.py`); this module
reads their input from the database, calls them, and stores what they return. Services flush; the caller's
unit of work commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased, joinedload

from duijie.contest import assignment as algo
from duijie.contest import conflicts as coi
from duijie.contest import scoring
from duijie.contest.enums import ENTRY_TRANSITIONS, EntryState, RoundKind
from duijie.contest.models import (
    Award,
    Conflict,
    ContestEntry,
    ContestField,
    ContestRegion,
    ContestRound,
    Judge,
    ReviewAssignment,
    Score,
)
from duijie.contest.permissions import can_judge, can_manage_contest
from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, InvalidTransition, NotFound, PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.models import AuditEntry
from duijie.core.permissions import require
from duijie.deals.models import Deal, DealParty
from duijie.directory.models import Account, Organisation, Person
from duijie.events.models import Event, EventSetting
from duijie.matching.affinity import GENERIC_TERMS, AffinityEngine, Profile, Side, lexical_tokens
from duijie.matching.taxonomy import normalize_industry

log = logging.getLogger(__name__)

CLOSE_IN_MEANING = 0.6
"""A semantic part (0–1, the engine's scale) from which a review's explanation says the two are close in
meaning, not only the number."""

SEMANTIC_EMBED_LIMIT = 400
"""Texts without a stored vector that an assignment run embeds itself (a few seconds on two cores: it runs
inside the organiser's request). A round with more scores by terms and fields alone and says so; the vectors
it did embed are kept (next to a SQLite file) for the next run."""
# Which entries a round without assignments takes: those waiting in the state its kind expects.
CANDIDATE_STATES: dict[str, tuple[str, ...]] = {
    RoundKind.PRELIMINARY.value: (EntryState.ELIGIBLE.value,),
    RoundKind.FIELD_TOP10.value: (EntryState.ADVANCED.value,),
    RoundKind.FINAL.value: (EntryState.ADVANCED.value,),
}
SYNTHETIC_STRUCTURE_KEY = "contest.synthetic_structure"
SUPPORT_KINDS = ("场景需求对接", "投融资", "空间落地", "创业辅导")
TOP_SCORE = 9.0
FIELD_TOP = 10


# ------------------------------------------------------------------------------------------------ reads


def get_event(db: Session, *, slug: str) -> Event:
    """The contest edition with this slug, or NotFound."""
    event = db.scalar(select(Event).where(Event.slug == slug, Event.kind == "contest"))
    if event is None:
        raise NotFound(_("No such contest: %(slug)s") % {"slug": slug})
    return event


def list_fields(db: Session, *, event: Event) -> list[ContestField]:
    """The edition's fields and sub-tracks, in the order they were created."""
    return list(
        db.scalars(select(ContestField).where(ContestField.event_id == event.id).order_by(ContestField.id))
    )


def list_regions(db: Session, *, event: Event) -> list[ContestRegion]:
    """The edition's regions, in the order they were created."""
    return list(
        db.scalars(select(ContestRegion).where(ContestRegion.event_id == event.id).order_by(ContestRegion.id))
    )


def list_rounds(db: Session, *, event: Event) -> list[ContestRound]:
    """The edition's rounds, preliminaries first, then the field rounds and the final."""
    return list(
        db.scalars(
            select(ContestRound)
            .where(ContestRound.event_id == event.id)
            .order_by(ContestRound.sequence, ContestRound.id)
        )
    )


def synthetic_codes(db: Session, *, event: Event) -> set[str]:
    """Codes of the fields and regions that are generated sample data rather than taken from a source."""
    value = db.scalar(
        select(EventSetting.value).where(
            EventSetting.event_id == event.id, EventSetting.key == SYNTHETIC_STRUCTURE_KEY
        )
    )
    return set(value or [])


def get_round(db: Session, *, event: Event, id: int) -> ContestRound:
    """A round of this edition, or NotFound (a round of another edition is not found either)."""
    rnd = db.get(ContestRound, id)
    if rnd is None or rnd.event_id != event.id:
        raise NotFound(_("No such round: %(id)s") % {"id": id})
    return rnd


def get_entry(db: Session, *, event: Event, id: int) -> ContestEntry:
    """An entry of this edition with its entrant, field and region, or NotFound."""
    entry = db.get(
        ContestEntry,
        id,
        options=[
            joinedload(ContestEntry.organisation),
            joinedload(ContestEntry.field),
            joinedload(ContestEntry.region),
        ],
    )
    if entry is None or entry.event_id != event.id:
        raise NotFound(_("No such entry: %(id)s") % {"id": id})
    return entry


def entry_by_code(db: Session, *, event: Event, code: str) -> ContestEntry | None:
    """The edition's entry with this number (FC7-0001), if any."""
    return db.scalar(select(ContestEntry).where(ContestEntry.event_id == event.id, ContestEntry.code == code))


def score_of(db: Session, row: ReviewAssignment) -> Score | None:
    """The score of a review, if the judge has saved one."""
    return db.scalar(select(Score).where(Score.assignment_id == row.id))


def get_judge(db: Session, *, event: Event, id: int) -> Judge:
    """A judge of this edition, or NotFound."""
    judge = db.get(Judge, id)
    if judge is None or judge.event_id != event.id:
        raise NotFound(_("No such judge: %(id)s") % {"id": id})
    return judge


def judge_for_actor(db: Session, *, event: Event, actor: Actor) -> Judge | None:
    """The judge record of the signed-in account in this edition, if it has one."""
    if actor.account_id is None:
        return None
    person_id = db.scalar(select(Account.person_id).where(Account.id == actor.account_id))
    if person_id is None:
        return None
    return db.scalar(select(Judge).where(Judge.event_id == event.id, Judge.person_id == person_id))


def get_assignment(db: Session, *, event: Event, id: int) -> ReviewAssignment:
    """A review of one of this edition's rounds, or NotFound."""
    row = db.get(ReviewAssignment, id)
    rnd = db.get(ContestRound, row.round_id) if row is not None else None
    if row is None or rnd is None or rnd.event_id != event.id:
        raise NotFound(_("No such review: %(id)s") % {"id": id})
    return row


def round_has_assignments(db: Session, rnd: ContestRound) -> bool:
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


def round_entries(db: Session, rnd: ContestRound) -> list[ContestEntry]:
    """The round's entries: those with reviews in it, or, before its assignment, those waiting for it."""
    assigned = select(ReviewAssignment.entry_id).where(ReviewAssignment.round_id == rnd.id)
    stmt = select(ContestEntry).options(joinedload(ContestEntry.organisation))
    if round_has_assignments(db, rnd):
        stmt = stmt.where(ContestEntry.id.in_(assigned))
    else:
        stmt = _scope(stmt, rnd).where(
            ContestEntry.event_id == rnd.event_id, ContestEntry.state.in_(CANDIDATE_STATES[rnd.kind])
        )
    return list(db.scalars(stmt.order_by(ContestEntry.id)))


def active_judges(db: Session, *, event: Event) -> list[Judge]:
    """The judges who can still be assigned (a judge who dropped out is inactive)."""
    return list(
        db.scalars(select(Judge).where(Judge.event_id == event.id, Judge.active.is_(True)).order_by(Judge.id))
    )


def last_run(db: Session, rnd: ContestRound) -> AuditEntry | None:
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


# ------------------------------------------------------------------------------------------------ writes


def _manage(actor: Actor) -> None:
    require(can_manage_contest, actor, message=_("Only the organiser may change the contest."))


def set_entry_state(
    db: Session, *, actor: Actor, entry: ContestEntry, to: str, note: str | None = None
) -> ContestEntry:
    """The one place an entry's state changes: checks the transition table and records the audit entry."""
    _manage(actor)
    target = EntryState(to)
    current = entry.state
    if target.value not in ENTRY_TRANSITIONS[current]:
        raise InvalidTransition(
            _("An entry cannot go from %(a)s to %(b)s.")
            % {"a": EntryState(current).label("zh_CN"), "b": target.label("zh_CN")},
            field="state",
        )
    entry.state = target.value
    audit.record(
        db,
        actor=actor,
        entity_type="contest_entry",
        entity_id=entry.id,
        action="state",
        before={"state": current},
        after={"state": target.value},
        event_id=entry.event_id,
        note=note,
    )
    return entry


def parse_criteria(text: str) -> list[dict[str, Any]]:
    """Criteria from one line each, `code | 中文名 | English name | weight`, refusing a line that is not."""
    criteria: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4 or not parts[0] or not parts[1]:
            raise DomainError(
                _("Criteria line %(n)s: write code | 中文名 | English name | weight.") % {"n": number},
                field="criteria",
            )
        try:
            weight = float(parts[3])
        except ValueError:
            weight = -1.0
        if not weight > 0:
            raise DomainError(
                _("Criteria line %(n)s: the weight must be a positive number.") % {"n": number},
                field="criteria",
            )
        if any(c["code"] == parts[0] for c in criteria):
            raise DomainError(
                _("Criteria line %(n)s: the code %(code)s appears twice.") % {"n": number, "code": parts[0]},
                field="criteria",
            )
        criteria.append(
            {"code": parts[0], "name_zh": parts[1], "name_en": parts[2] or None, "weight": weight}
        )
    if not criteria:
        raise DomainError(_("A round needs at least one criterion."), field="criteria")
    return criteria


def update_round(db: Session, *, actor: Actor, rnd: ContestRound, changes: dict[str, Any]) -> ContestRound:
    """Change a round's criteria, review parameters or advancement rule; criteria are frozen once scored."""
    _manage(actor)
    for name in ("judges_per_entry", "max_per_judge"):
        if name in changes and (changes[name] is None or changes[name] < 1):
            raise DomainError(_("Must be a whole number of at least 1."), field=name)
    if changes.get("advance_count") is not None and changes["advance_count"] < 0:
        raise DomainError(_("Must be a whole number of at least 0."), field="advance_count")
    if "criteria" in changes and changes["criteria"] != rnd.criteria and scored_count(db, rnd):
        raise DomainError(
            _("Scores have been submitted in this round; its criteria can no longer change."),
            field="criteria",
        )
    before, after = audit.diff(rnd, changes)
    if not after:
        return rnd
    for key, value in after.items():
        setattr(rnd, key, value)
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="contest_round",
        entity_id=rnd.id,
        action="update",
        before=before,
        after=after,
        event_id=rnd.event_id,
    )
    return rnd


# ------------------------------------------------------------------------------------------ structure

CODE_MAX = 40
NAME_MAX = 120


def _names(code: str, name_zh: str, name_en: str | None) -> tuple[str, str, str | None]:
    """The trimmed code and names, refusing an empty or over-long code or Chinese name."""
    code, name_zh, name_en = code.strip(), name_zh.strip(), (name_en or "").strip() or None
    if not code:
        raise DomainError(_("Enter a code."), field="code")
    if len(code) > CODE_MAX or any(ch.isspace() for ch in code):
        raise DomainError(
            _("A code has at most %(n)s characters and no spaces.") % {"n": CODE_MAX}, field="code"
        )
    if not name_zh:
        raise DomainError(_("Enter the Chinese name."), field="name_zh")
    if len(name_zh) > NAME_MAX or (name_en and len(name_en) > NAME_MAX):
        raise DomainError(_("A name has at most %(n)s characters.") % {"n": NAME_MAX}, field="name_zh")
    return code, name_zh, name_en


def _record_structure(
    db: Session, actor: Actor, kind: str, obj: Any, before: dict[str, Any], after: dict[str, Any], new: bool
) -> None:
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type=kind,
        entity_id=obj.id,
        action="create" if new else "update",
        before=before or None,
        after=after,
        event_id=obj.event_id,
    )


def save_field(
    db: Session,
    *,
    actor: Actor,
    event: Event,
    code: str,
    name_zh: str,
    name_en: str | None,
    parent_id: int | None = None,
    field_obj: ContestField | None = None,
) -> ContestField:
    """Create a field, or a sub-track when it has a parent field, or change one; codes are unique per edition."""
    _manage(actor)
    code, name_zh, name_en = _names(code, name_zh, name_en)
    clash = db.scalar(
        select(ContestField.id).where(ContestField.event_id == event.id, ContestField.code == code)
    )
    if clash is not None and (field_obj is None or clash != field_obj.id):
        raise DomainError(_("Another field already has the code %(code)s.") % {"code": code}, field="code")
    if parent_id is not None:
        parent = db.get(ContestField, parent_id)
        if parent is None or parent.event_id != event.id:
            raise DomainError(_("Choose a field of this contest."), field="parent_id")
        if parent.parent_id is not None or (field_obj is not None and parent.id == field_obj.id):
            raise DomainError(_("A sub-track belongs to a top-level field."), field="parent_id")
        if field_obj is not None and db.scalar(
            select(ContestField.id).where(ContestField.parent_id == field_obj.id).limit(1)
        ):
            raise DomainError(_("A field with sub-tracks cannot become a sub-track."), field="parent_id")
    values = {"code": code, "name_zh": name_zh, "name_en": name_en, "parent_id": parent_id}
    if field_obj is None:
        field_obj = ContestField(event_id=event.id, **values)
        db.add(field_obj)
        _record_structure(db, actor, "contest_field", field_obj, {}, values, True)
        return field_obj
    before, after = audit.diff(field_obj, values)
    if after:
        for key, value in after.items():
            setattr(field_obj, key, value)
        _record_structure(db, actor, "contest_field", field_obj, before, after, False)
    return field_obj


def save_region(
    db: Session,
    *,
    actor: Actor,
    event: Event,
    code: str,
    name_zh: str,
    name_en: str | None,
    region: ContestRegion | None = None,
) -> ContestRegion:
    """Create or change a region (赛区); codes are unique per edition."""
    _manage(actor)
    code, name_zh, name_en = _names(code, name_zh, name_en)
    clash = db.scalar(
        select(ContestRegion.id).where(ContestRegion.event_id == event.id, ContestRegion.code == code)
    )
    if clash is not None and (region is None or clash != region.id):
        raise DomainError(_("Another region already has the code %(code)s.") % {"code": code}, field="code")
    values = {"code": code, "name_zh": name_zh, "name_en": name_en}
    if region is None:
        region = ContestRegion(event_id=event.id, **values)
        db.add(region)
        _record_structure(db, actor, "contest_region", region, {}, values, True)
        return region
    before, after = audit.diff(region, values)
    if after:
        for key, value in after.items():
            setattr(region, key, value)
        _record_structure(db, actor, "contest_region", region, before, after, False)
    return region


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
    _manage(actor)
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
    changes = {
        "judges_per_entry": values.get("judges_per_entry"),
        "max_per_judge": values.get("max_per_judge"),
        "advance_count": values.get("advance_count"),
        "same_country_rule": bool(values.get("same_country_rule")),
        "criteria": criteria_from_rows(values.get("criteria") or []),
    }
    main = {
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
        _record_structure(db, actor, "contest_round", rnd, {}, {**main, **changes}, True)
        return rnd
    if (kind != rnd.kind or field_id != rnd.field_id or region_id != rnd.region_id) and round_has_assignments(
        db, rnd
    ):
        raise DomainError(
            _("Judges are assigned in this round; its stage, field and region can no longer change."),
            field="kind",
        )
    return update_round(db, actor=actor, rnd=rnd, changes={**main, **changes})


def scored_count(db: Session, rnd: ContestRound) -> int:
    """How many scores of the round are submitted; once any is, the assignment is frozen."""
    return (
        db.scalar(
            select(func.count(Score.id))
            .join(ReviewAssignment, Score.assignment_id == ReviewAssignment.id)
            .where(ReviewAssignment.round_id == rnd.id, Score.submitted_at.is_not(None))
        )
        or 0
    )


# ---------------------------------------------------------------------------------------------- conflicts


def _org_name(org: Organisation | None) -> str | None:
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


TIE_KINDS = ("employment", "investment")


def _tie_date(value: Any, number: int) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("Tie %(n)s: write dates as YYYY-MM-DD.") % {"n": number}, field="ties") from None


def check_ties(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """A judge's ties in stored form, refusing an unknown kind, a missing organisation or inverted dates."""
    out: list[dict[str, Any]] = []
    for number, item in enumerate(items, start=1):
        kind = str(item.get("kind") or "").strip()
        kind = {"任职": "employment", "投资": "investment"}.get(kind, kind.casefold())
        if kind not in TIE_KINDS:
            raise DomainError(
                _("Tie %(n)s: the kind must be employment or investment.") % {"n": number}, field="ties"
            )
        organisation = str(item.get("organisation") or "").strip()
        if not organisation:
            raise DomainError(_("Tie %(n)s: name the organisation.") % {"n": number}, field="ties")
        start = _tie_date(item.get("start"), number)
        end = _tie_date(item.get("end"), number)
        if start and end and end < start:
            raise DomainError(_("Tie %(n)s: it ends before it starts.") % {"n": number}, field="ties")
        out.append(
            {
                "kind": kind,
                "organisation": organisation[:200],
                "start": start.isoformat() if start else None,
                "end": end.isoformat() if end else None,
            }
        )
    return out


def parse_ties(text: str) -> list[dict[str, Any]]:
    """Ties from one line each, `employment|investment | organisation | start | end` (end may be empty)."""
    items: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")] + ["", "", ""]
        items.append({"kind": parts[0], "organisation": parts[1], "start": parts[2], "end": parts[3]})
    return check_ties(items)


def ties_text(judge: Judge) -> str:
    """A judge's ties as the lines the edit form takes."""
    return "\n".join(
        f"{t['kind']} | {t['organisation']} | {t.get('start') or ''} | {t.get('end') or ''}"
        for t in judge.ties
    )


def judge_ties(judge: Judge) -> tuple[tuple[coi.Tie, ...], tuple[coi.Tie, ...]]:
    """A judge's stored ties as conflict detection takes them: employments, then investments."""
    out: dict[str, list[coi.Tie]] = {k: [] for k in TIE_KINDS}
    for t in judge.ties or ():
        start, end = t.get("start"), t.get("end")
        out.setdefault(t.get("kind", ""), []).append(
            coi.Tie(
                organisation=t["organisation"],
                start=dt.date.fromisoformat(start) if start else None,
                end=dt.date.fromisoformat(end) if end else None,
            )
        )
    return tuple(out["employment"]), tuple(out["investment"])


def set_judge_ties(db: Session, *, actor: Actor, judge: Judge, ties: Iterable[dict[str, Any]]) -> Judge:
    """Replace a judge's employment and investment history, which the next conflict detection reads."""
    _manage(actor)
    checked = check_ties(ties)
    before, after = audit.diff(judge, {"ties": checked})
    if not after:
        return judge
    judge.ties = checked
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="judge",
        entity_id=judge.id,
        action="ties",
        before=before,
        after=after,
        event_id=judge.event_id,
    )
    return judge


def detect_conflicts(db: Session, *, actor: Actor, event: Event, as_of: dt.date | None = None) -> int:
    """Find conflicts of interest for every judge and entry of the edition and store the new ones with reasons.

    Same organisation, an investment by the judge's organisation in the entrant within the look-back window
    (from signed deals), the judge's own recent employment at or investment in the entrant, a recent
    co-investment of judge and entrant in the same company (from the judge's ties and the entrant's signed
    deals) and declared conflicts always count; the same-country rule is a round's choice and is
    applied when that round is assigned. Returns how many conflicts were added.
    """
    _manage(actor)
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
            organisation=_org_name(e.organisation) or f"entry:{e.code}",
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
                organisation=_org_name(orgs.get(j.organisation_id)),
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
    """Record a conflict the judge or the entrant declared; the pair is never assigned afterwards."""
    _manage(actor)
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


def conflicts_of(
    db: Session, rnd: ContestRound, entries: Sequence[ContestEntry], judges: Sequence[Judge]
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


# --------------------------------------------------------------------------------------------- assignment


@dataclass
class AffinityInput:
    """A round's affinity matrix with what is needed to explain any of its pairs."""

    entries: list[ContestEntry]
    judges: list[Judge]
    table: algo.AffinityTable
    engine: AffinityEngine
    entry_side: Side
    judge_side: Side
    field_names: dict[str, tuple[str, str]]
    semantic: bool = True
    """Whether the semantic part counted: False when too many texts had no vector yet."""


def _entry_industry(entry: ContestEntry, fields: dict[int, ContestField]) -> list[str]:
    f = fields.get(entry.field_id) if entry.field_id else None
    while f is not None and f.parent_id is not None:
        f = fields.get(f.parent_id)
    return [f.name_zh] if f is not None else []


def entry_texts(entry: ContestEntry) -> list[str]:
    """The documents of an entry that judge assignment compares: its title and its description."""
    return [t for t in (entry.title_zh, entry.description) if t]


def judge_texts(judge: Judge) -> list[str]:
    """The documents of a judge that judge assignment compares: the expertise statement."""
    return [judge.expertise] if judge.expertise else []


def entry_profile(entry: ContestEntry, fields: dict[int, ContestField]) -> Profile:
    """What the matching engine compares on an entry's side: its texts, its field and its entrant."""
    return Profile(
        id=str(entry.id),
        texts=entry_texts(entry),
        industries=_entry_industry(entry, fields),
        organisation=_org_name(entry.organisation),
        country=entry.country,
    )


def judge_profile(judge: Judge, field_names: Iterable[str], org: Organisation | None) -> Profile:
    """A judge's side: the expertise text and the fields it names."""
    text = judge.expertise or ""
    return Profile(
        id=str(judge.id),
        texts=judge_texts(judge),
        industries=[name for name in field_names if name in text],
        organisation=_org_name(org),
        country=judge.country,
    )


def affinity_input(
    db: Session, rnd: ContestRound, entries: list[ContestEntry], judges: list[Judge]
) -> AffinityInput:
    """Judge-entry affinities from the matching engine (rows: entries, columns: judges)."""
    fields = {f.id: f for f in db.scalars(select(ContestField).where(ContestField.event_id == rnd.event_id))}
    top = [f for f in fields.values() if f.parent_id is None]
    org_ids = {j.organisation_id for j in judges if j.organisation_id}
    orgs = (
        {o.id: o for o in db.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))}
        if org_ids
        else {}
    )
    eps = [entry_profile(e, fields) for e in entries]
    jps = [judge_profile(j, [f.name_zh for f in top], orgs.get(j.organisation_id or -1)) for j in judges]
    semantic = _attach_vectors(db, [*jps, *eps])
    engine = AffinityEngine(
        "judge_entry", weights=None if semantic else {"semantic": 0.0}, tokenizer=_tokens
    ).fit(jps, eps)
    jside, eside = engine.encode(jps), engine.encode(eps)
    values = engine.score_matrix(jside, eside).T.astype(np.float64)
    table = algo.AffinityTable(
        entries=tuple(p.id for p in eps), judges=tuple(p.id for p in jps), values=np.round(values, 4)
    )
    return AffinityInput(
        entries=entries,
        judges=judges,
        table=table,
        engine=engine,
        entry_side=eside,
        judge_side=jside,
        field_names={normalize_industry(f.name_zh): (f.name_zh, f.name_en or f.name_zh) for f in top},
        semantic=semantic,
    )


def _attach_vectors(db: Session, profiles: list[Profile]) -> bool:
    """Give each profile its documents' vectors: the stored ones (shipped with the demo, or kept next to a
    SQLite file by earlier runs), the rest embedded here when they are few. False when too many are missing
    for a web request: the round is then scored by terms and fields alone."""
    from duijie.matching.jobs import vector_cache
    from duijie.text.embed import content_hash, embed_with_cache, get_embedder

    cache, path = vector_cache(db.get_bind().engine.url.render_as_string(hide_password=False))
    key = {t: content_hash(t) for p in profiles for t in p.texts}
    missing = [t for t, k in key.items() if k not in cache]
    if len(missing) > SEMANTIC_EMBED_LIMIT:
        log.info("judge assignment without the semantic part: %d texts have no vector", len(missing))
        return False
    if missing:
        embed_with_cache(get_embedder(), missing, cache)
        if path is not None:
            cache.save(path)
    for profile in profiles:
        if profile.texts:
            profile.embeddings = np.stack([cache[key[t]] for t in profile.texts])
    return True


@lru_cache(maxsize=20_000)
def _cached_tokens(text: str) -> tuple[str, ...]:
    from duijie.text.tokenize import tokenize

    return tuple(tokenize(text))


def _tokens(text: str) -> list[str]:
    """The text module's tokens, remembered across rounds: judges' expertise texts come back every run."""
    return list(_cached_tokens(text))


def _terms(profile: Profile, cache: dict[str, set[str]]) -> set[str]:
    if profile.id not in cache:
        cache[profile.id] = {t for text in profile.texts for t in lexical_tokens(text, _tokens)}
    return cache[profile.id]


def explanations(inp: AffinityInput, pairs: Sequence[tuple[str, str]]) -> list[str]:
    """Why each judge fits each entry, in Chinese then English (one line each), for all pairs at once.

    Built from the engine's part values: the field the two share (or not) and the domain terms they share,
    the rarest first.
    """
    if not pairs:
        return []
    eng = inp.engine
    li = np.array([inp.judge_side.position[j] for _e, j in pairs], dtype=np.int64)
    ri = np.array([inp.entry_side.position[e] for e, _j in pairs], dtype=np.int64)
    score, values, conflicted, _declined = eng.pair_scores(inp.judge_side, inp.entry_side, li, ri)
    cache: dict[str, set[str]] = {}
    out = []
    for k in range(len(pairs)):
        jp, ep = inp.judge_side.profiles[li[k]], inp.entry_side.profiles[ri[k]]
        field = ep.industries[0] if ep.industries else ""
        if field and field in jp.industries:
            name_zh, name_en = inp.field_names.get(field, (field, field))
            zh = [f"同属{name_zh}领域"]
            en = [f"both in {name_en}"]
        else:
            zh, en = ["专长领域不同"], ["different field of expertise"]
        common = _terms(jp, cache) & _terms(ep, cache)
        whole = {t for t in common if not any(t != o and t in o for o in common)} - GENERIC_TERMS
        shared = sorted(whole, key=lambda t: (-eng.idf.get(t, eng.default_idf), t))[:4]
        if shared:
            zh.append("共同术语：" + "、".join(shared))
            en.append("shared terms: " + ", ".join(shared))
        else:
            zh.append("无共同术语")
            en.append("no shared terms")
        lex = float(values["lexical"][0][k]) if "lexical" in values else 0.0
        ind = float(values["industry"][0][k]) if "industry" in values else 0.0
        if conflicted[k]:
            zh.insert(0, "同一机构")
            en.insert(0, "same organisation")
        parts_zh, parts_en = [f"术语{lex:.2f}", f"领域{ind:.2f}"], [f"terms {lex:.2f}", f"field {ind:.2f}"]
        if "semantic" in values and bool(values["semantic"][1][k]):
            sem = float(values["semantic"][0][k])
            parts_zh.insert(0, f"语义{sem:.2f}")
            parts_en.insert(0, f"meaning {sem:.2f}")
            if sem >= CLOSE_IN_MEANING:
                zh.insert(1 if conflicted[k] else 0, "专长与项目内容语义相近")
                en.insert(1 if conflicted[k] else 0, "expertise close in meaning to the entry")
        head_zh = f"匹配度{score[k]:.2f}（{'，'.join(parts_zh)}）"
        head_en = f"Affinity {score[k]:.2f} ({', '.join(parts_en)})"
        out.append(f"{head_zh}：{'；'.join(zh)}"[:240] + "\n" + f"{head_en}: {'; '.join(en)}"[:250])
    return out


def explanation_text(explanation: str | None, locale: str) -> str:
    """The stored explanation in the reader's language."""
    if not explanation:
        return ""
    zh, _sep, en = explanation.partition("\n")
    return zh if locale.startswith("zh") or not en else en


@dataclass
class RunSummary:
    """What an assignment run did, as shown to the organiser and kept in the audit history."""

    objective: str
    entries: int
    judges: int
    pairs: int
    conflicts: int
    total_affinity: float
    mean_affinity: float
    min_affinity: float
    min_entry_total: float
    load_min: int
    load_max: int
    judges_used: int
    method: str
    value: float
    upper_bound: float
    exact: bool
    gap: float
    detail: str
    loads: dict[str, int] = field(default_factory=dict)
    semantic: bool = True
    """Whether the affinities counted the meaning of the texts (see SEMANTIC_EMBED_LIMIT)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the audit history's JSON."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _summary(
    result: algo.Assignment, n_entries: int, n_judges: int, n_conflicts: int, *, semantic: bool
) -> RunSummary:
    used = {j: n for j, n in result.judge_loads.items() if n}
    cert = result.certificate
    return RunSummary(
        objective=result.objective,
        entries=n_entries,
        judges=n_judges,
        pairs=len(result.pairs),
        conflicts=n_conflicts,
        total_affinity=round(result.total_affinity, 4),
        mean_affinity=round(result.mean_affinity, 4),
        min_affinity=round(result.min_affinity, 4),
        min_entry_total=round(result.min_entry_total, 4),
        load_min=min(used.values()) if used else 0,
        load_max=max(used.values()) if used else 0,
        judges_used=len(used),
        method=cert.method,
        value=round(cert.value, 4),
        upper_bound=round(cert.upper_bound, 4),
        exact=cert.exact,
        gap=round(cert.gap, 6),
        detail=cert.detail,
        loads=used,
        semantic=semantic,
    )


def run_assignment(
    db: Session, *, actor: Actor, rnd: ContestRound, objective: str = "total", min_per_judge: int = 0
) -> RunSummary:
    """Assign k judges to every entry of the round optimally and store the reviews with affinity and reasons.

    Refused once a score is submitted in the round (replace a judge with `drop_judge` instead). Entries
    waiting for the round move to 'in review'.
    """
    _manage(actor)
    if scored_count(db, rnd):
        raise DomainError(
            _(
                "Scores have been submitted in this round; the assignment can no longer be re-run. Replace a judge who drops out instead."
            ),
            field="round",
        )
    event = db.get(Event, rnd.event_id)
    assert event is not None
    entries = round_entries(db, rnd)
    if not entries:
        raise DomainError(_("This round has no entries to assign."), field="round")
    judges = active_judges(db, event=event)
    if not judges:
        raise DomainError(_("The contest has no active judges."), field="judges")
    inp = affinity_input(db, rnd, entries, judges)
    conflicted = conflicts_of(db, rnd, entries, judges)
    pairs = [(str(e), str(j)) for e, j in conflicted]
    result = algo.assign(
        inp.table,
        judges_per_entry=rnd.judges_per_entry,
        max_per_judge=rnd.max_per_judge,
        min_per_judge=min_per_judge,
        conflicts=pairs,
        objective=objective,  # type: ignore[arg-type]
    )
    db.execute(
        delete(Score).where(
            Score.assignment_id.in_(select(ReviewAssignment.id).where(ReviewAssignment.round_id == rnd.id))
        )
    )
    db.execute(delete(ReviewAssignment).where(ReviewAssignment.round_id == rnd.id))
    now = utcnow()
    why = explanations(inp, [(e, j) for e, j, _a in result.pairs])
    db.add_all(
        ReviewAssignment(
            round_id=rnd.id,
            judge_id=int(j),
            entry_id=int(e),
            affinity=round(a, 4),
            explanation=text,
            created_at=now,
        )
        for (e, j, a), text in zip(result.pairs, why, strict=True)
    )
    for entry in entries:
        if entry.state != EntryState.IN_REVIEW.value:
            set_entry_state(
                db, actor=actor, entry=entry, to=EntryState.IN_REVIEW.value, note=f"round {rnd.id}"
            )
    summary = _summary(result, len(entries), len(judges), len(conflicted), semantic=inp.semantic)
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="contest_round",
        entity_id=rnd.id,
        action="assign",
        after=summary.as_dict(),
        event_id=rnd.event_id,
        note=objective,
    )
    return summary


@dataclass
class DropSummary:
    """A judge's reviews handed to others: which pairs went, which came, and what the new pairs are worth."""

    removed: int
    added: list[tuple[int, int, float]]
    value: float
    upper_bound: float
    exact: bool


def drop_judge(db: Session, *, actor: Actor, rnd: ContestRound, judge: Judge) -> DropSummary:
    """Replace a judge who dropped out of a round: only that judge's reviews move; every other stays."""
    _manage(actor)
    scored = db.scalar(
        select(func.count(Score.id))
        .join(ReviewAssignment, Score.assignment_id == ReviewAssignment.id)
        .where(
            ReviewAssignment.round_id == rnd.id,
            ReviewAssignment.judge_id == judge.id,
            Score.submitted_at.is_not(None),
        )
    )
    if scored:
        raise DomainError(
            _("This judge has already submitted %(n)s scores in this round; they stay part of the result.")
            % {"n": scored},
            field="judge",
        )
    rows = list(db.scalars(select(ReviewAssignment).where(ReviewAssignment.round_id == rnd.id)))
    if not any(r.judge_id == judge.id for r in rows):
        raise DomainError(_("This judge has no reviews in this round."), field="judge")
    event = db.get(Event, rnd.event_id)
    assert event is not None
    entries = round_entries(db, rnd)
    judges = [j for j in active_judges(db, event=event) if j.id != judge.id] + [judge]
    inp = affinity_input(db, rnd, entries, judges)
    conflicted = conflicts_of(db, rnd, entries, judges)
    result = algo.reassign(
        inp.table,
        [(str(r.entry_id), str(r.judge_id)) for r in rows],
        dropped_judge=str(judge.id),
        judges_per_entry=rnd.judges_per_entry,
        max_per_judge=rnd.max_per_judge,
        conflicts=[(str(e), str(j)) for e, j in conflicted],
    )
    gone = [r for r in rows if r.judge_id == judge.id]
    for r in gone:
        db.delete(r)
    db.flush()
    why = explanations(inp, [(e, j) for e, j, _a in result.added])
    db.add_all(
        ReviewAssignment(
            round_id=rnd.id, judge_id=int(j), entry_id=int(e), affinity=round(a, 4), explanation=text
        )
        for (e, j, a), text in zip(result.added, why, strict=True)
    )
    judge.active = False
    cert = result.assignment.certificate
    db.flush()
    added = [(int(e), int(j), round(a, 4)) for e, j, a in result.added]
    audit.record(
        db,
        actor=actor,
        entity_type="contest_round",
        entity_id=rnd.id,
        action="reassign",
        before={"judge_id": judge.id, "pairs": [[r.entry_id, r.judge_id] for r in gone]},
        after={
            "added": [[e, j, a] for e, j, a in added],
            **_summary(
                result.assignment, len(entries), len(judges) - 1, len(conflicted), semantic=inp.semantic
            ).as_dict(),
        },
        event_id=rnd.event_id,
        note=f"judge {judge.id} dropped out",
    )
    return DropSummary(
        removed=len(gone), added=added, value=cert.value, upper_bound=cert.upper_bound, exact=cert.exact
    )


# ------------------------------------------------------------------------------------------------ scores


def criteria_of(rnd: ContestRound) -> list[scoring.Criterion]:
    """The round's criteria as the scoring algorithm takes them."""
    return [scoring.Criterion(name=c["code"], weight=float(c["weight"])) for c in rnd.criteria]


def _may_score(db: Session, actor: Actor, row: ReviewAssignment, event: Event) -> None:
    """The assigned judge scores; the organiser may enter a paper score sheet on the judge's behalf."""
    if can_manage_contest(actor):
        return
    mine = judge_for_actor(db, event=event, actor=actor) if can_judge(actor, event) else None
    if mine is None or mine.id != row.judge_id:
        raise PermissionDenied(_("Only the judge this entry is assigned to may score it."))


def save_score(
    db: Session,
    *,
    actor: Actor,
    row: ReviewAssignment,
    marks: dict[str, float],
    comment: str | None,
    submit: bool,
    at: dt.datetime | None = None,
) -> Score:
    """Save a judge's marks (a draft, or submitted and then locked); a locked score is refused."""
    rnd = db.get(ContestRound, row.round_id)
    assert rnd is not None
    event = db.get(Event, rnd.event_id)
    assert event is not None
    _may_score(db, actor, row, event)
    score = score_of(db, row)
    if score is not None and score.locked:
        raise DomainError(
            _("This score was submitted and is locked; the organiser can reopen it."), field="score"
        )
    try:
        total = scoring.weighted_total(marks, criteria_of(rnd))
    except scoring.ScoringError as exc:
        name = next((c["name_zh"] for c in rnd.criteria if c["code"] == exc.field), exc.field)
        raise DomainError(
            _("%(criterion)s: give a mark from 0 to 10.") % {"criterion": name}, field=exc.field
        ) from None
    if score is None:
        score = Score(assignment_id=row.id)
        db.add(score)
    before = {"values": dict(score.values or {}), "total": score.total, "comment": score.comment}
    score.values = {k: float(v) for k, v in marks.items()}
    score.total = Decimal(str(round(total, 2)))
    score.comment = (comment or "").strip() or None
    if submit:
        score.submitted_at = at or utcnow()
        score.locked = True
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="score",
        entity_id=score.id,
        action="submit" if submit else "draft",
        before=before,
        after={"values": score.values, "total": score.total, "comment": score.comment},
        event_id=event.id,
    )
    return score


def reopen_score(db: Session, *, actor: Actor, score: Score, reason: str) -> Score:
    """Unlock a submitted score so the judge can change it; the reason goes into the audit history."""
    _manage(actor)
    if not score.locked:
        raise DomainError(_("This score is not locked."), field="score")
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the score is reopened."), field="reason")
    row = db.get(ReviewAssignment, score.assignment_id)
    rnd = db.get(ContestRound, row.round_id) if row else None
    score.locked = False
    score.submitted_at = None
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="score",
        entity_id=score.id,
        action="reopen",
        before={"locked": True},
        after={"locked": False},
        event_id=rnd.event_id if rnd else None,
        note=reason[:500],
    )
    return score


# ---------------------------------------------------------------------------------------------- rankings


@dataclass
class RankRow:
    """One entry in a round's ranking: raw and normalised side by side, and what separated it."""

    entry: ContestEntry
    group: str
    rank: int
    raw_mean: float
    normalised: float
    zscore: float
    n_scores: int
    top_scores: int
    separated_by: str | None
    advances: bool


@dataclass
class Ranking:
    """A round's rankings per group, the normalisation used and how complete the scoring is."""

    method: str
    groups: dict[str, list[RankRow]]
    expected: int
    submitted: int
    judge_offsets: dict[int, float]

    @property
    def complete(self) -> bool:
        """Whether every review of the round has a submitted score."""
        return self.expected > 0 and self.submitted == self.expected

    def rows(self) -> list[RankRow]:
        """All ranked entries, group after group."""
        return [r for rows in self.groups.values() for r in rows]


def rule_of(rnd: ContestRound) -> scoring.AdvancementRule:
    """Field and preliminary rounds advance the top n of each field; the final awards the top n overall."""
    n = rnd.advance_count or 0
    return scoring.AdvancementRule(
        kind="top_overall" if rnd.kind == RoundKind.FINAL.value else "top_per_group", n=n
    )


def ranking(db: Session, *, rnd: ContestRound, method: str = "bias") -> Ranking:
    """Normalised rankings of a round from its submitted scores, per field (the final ranks all together)."""
    rows = db.execute(
        select(ReviewAssignment.entry_id, ReviewAssignment.judge_id, Score.total, Score.submitted_at)
        .join(Score, Score.assignment_id == ReviewAssignment.id, isouter=True)
        .where(ReviewAssignment.round_id == rnd.id)
    ).all()
    submitted = [(e, j, float(t)) for e, j, t, at in rows if at is not None and t is not None]
    if not submitted:
        return Ranking(method=method, groups={}, expected=len(rows), submitted=0, judge_offsets={})
    scores = [scoring.Score(str(e), str(j), t) for e, j, t in submitted]
    norm = scoring.normalise_scores(scores, method=method, top_score=TOP_SCORE)  # type: ignore[arg-type]
    z = scoring.normalise_scores(scores, method="zscore", top_score=TOP_SCORE)
    entries = {
        e.id: e
        for e in db.scalars(
            select(ContestEntry)
            .options(joinedload(ContestEntry.organisation), joinedload(ContestEntry.field))
            .where(ContestEntry.id.in_({int(k) for k in norm.entries}))
        )
    }
    final = rnd.kind == RoundKind.FINAL.value
    groups = {
        k: ("" if final else (entries[int(k)].field.code if entries[int(k)].field else ""))
        for k in norm.entries
    }
    items = scoring.rank_items(norm, groups, {k: entries[int(k)].submitted_at for k in norm.entries})
    ranked = scoring.rank(items)
    advancing = set(scoring.advance(items, rule_of(rnd)))
    out: dict[str, list[RankRow]] = {}
    for group, lst in ranked.items():
        out[group] = [
            RankRow(
                entry=entries[int(r.entry_id)],
                group=group,
                rank=r.rank,
                raw_mean=r.raw_mean,
                normalised=r.normalised,
                zscore=z.entries[r.entry_id].normalised,
                n_scores=norm.entries[r.entry_id].n_scores,
                top_scores=r.top_scores,
                separated_by=r.separated_by,
                advances=r.entry_id in advancing,
            )
            for r in lst
        ]
    return Ranking(
        method=method,
        groups=out,
        expected=len(rows),
        submitted=len(submitted),
        judge_offsets={int(k): v for k, v in norm.judge_offsets.items()},
    )


def close_round(db: Session, *, actor: Actor, rnd: ContestRound) -> list[int]:
    """Apply the round's advancement rule once every score is in: the best advance, the others are eliminated."""
    _manage(actor)
    result = ranking(db, rnd=rnd)
    if not result.complete:
        raise DomainError(
            _("%(done)s of %(all)s scores are submitted; close the round when all are in.")
            % {"done": result.submitted, "all": result.expected},
            field="round",
        )
    advanced: list[int] = []
    for row in result.rows():
        if row.entry.state != EntryState.IN_REVIEW.value:
            continue
        target = EntryState.ADVANCED if row.advances else EntryState.ELIMINATED
        set_entry_state(
            db, actor=actor, entry=row.entry, to=target.value, note=f"round {rnd.id} rank {row.rank}"
        )
        if row.advances:
            advanced.append(row.entry.id)
    audit.record(
        db,
        actor=actor,
        entity_type="contest_round",
        entity_id=rnd.id,
        action="close",
        after={"advanced": advanced, "rule": rule_of(rnd).kind, "n": rnd.advance_count},
        event_id=rnd.event_id,
    )
    return advanced


# ------------------------------------------------------------------------------------------------ awards


def check_support(support: Iterable[str]) -> list[str]:
    """The support given, in the fixed order of the four kinds; anything else is refused."""
    chosen = list(dict.fromkeys(s.strip() for s in support if s.strip()))
    unknown = [s for s in chosen if s not in SUPPORT_KINDS]
    if unknown:
        raise DomainError(
            _("Unknown support %(name)s; choose from %(kinds)s.")
            % {"name": unknown[0], "kinds": "、".join(SUPPORT_KINDS)},
            field="support",
        )
    return [s for s in SUPPORT_KINDS if s in chosen]


def give_award(
    db: Session,
    *,
    actor: Actor,
    entry: ContestEntry,
    rank: int,
    name_zh: str,
    name_en: str | None,
    prize_zh: str | None,
    support: Iterable[str],
    provenance: str = "manual",
) -> Award:
    """Award an advanced entry of the final a place and the support it receives."""
    _manage(actor)
    if db.scalar(select(Award.id).where(Award.entry_id == entry.id)) is not None:
        raise DomainError(_("This entry already has an award."), field="entry")
    award = Award(
        event_id=entry.event_id,
        entry_id=entry.id,
        rank=rank,
        name_zh=name_zh,
        name_en=name_en,
        prize_zh=prize_zh,
        support=check_support(support),
        provenance=provenance,
    )
    db.add(award)
    set_entry_state(db, actor=actor, entry=entry, to=EntryState.AWARDED.value, note=name_zh)
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="award",
        entity_id=award.id,
        action="create",
        after={"entry_id": entry.id, "rank": rank, "name_zh": name_zh, "support": award.support},
        event_id=entry.event_id,
    )
    return award


def set_award_support(db: Session, *, actor: Actor, award: Award, support: Iterable[str]) -> Award:
    """Record which of the four kinds of support a winner has received."""
    _manage(actor)
    chosen = check_support(support)
    before, after = audit.diff(award, {"support": chosen})
    if not after:
        return award
    award.support = chosen
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="award",
        entity_id=award.id,
        action="support",
        before=before,
        after=after,
        event_id=award.event_id,
    )
    return award


def person_names(db: Session, judges: Iterable[Judge]) -> dict[int, Person]:
    """The people behind judges, by judge id, in one query."""
    judges = list(judges)
    people = {p.id: p for p in db.scalars(select(Person).where(Person.id.in_({j.person_id for j in judges})))}
    return {j.id: people[j.person_id] for j in judges if j.person_id in people}
