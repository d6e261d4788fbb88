"""Reading stored matches: recommendations with reasons, "not interested" feedback, who has no good match yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.permissions import Predicate, is_organiser, predicate
from duijie.directory.models import Organisation
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.marketplace.permissions import can_edit_opportunity
from duijie.matching.jobs import LAST_RUN_KEY, _setting
from duijie.matching.models import MatchFeedback, MatchScore
from duijie.matching.profiles import DECLINING
from duijie.matching.recommend import Unmatched, no_good_match

KINDS = ("investor", "enterprise", "project")
STRONG = 0.75
"""A part this close to its best value is shown as a reason for the match; weaker ones as caveats."""


@dataclass(frozen=True)
class Reason:
    """One part of a match in words; `good` when it speaks for the match."""

    name: str
    text: str
    good: bool


@dataclass(frozen=True)
class Suggestion:
    """A suggested counterpart with its score and reasons."""

    kind: str
    record: Any
    score: float
    reasons: list[Reason]
    row: MatchScore


@predicate
def acts_for_left(actor: Actor, target: Any) -> bool:
    """An account speaks for an investor or enterprise it belongs to, and for the projects its org owns."""
    kind, record = target
    if kind in ("investor", "enterprise"):
        return record.id in actor.organisations()
    if kind == "project":
        return record.owner_org_id in actor.organisations() or can_edit_opportunity(actor, record)
    return False


can_see_matches: Predicate = is_organiser | acts_for_left


def reasons_of(parts: list[dict[str, Any]]) -> list[Reason]:
    """Stored parts in words for the request's language: penalties first, then by weight of contribution."""
    zh = is_zh()
    penalties = [p for p in parts if p["contribution"] < 0]
    shown = sorted(
        (p for p in parts if p["contribution"] >= 0 and p.get("known", True) and p["weight"] > 0),
        key=lambda p: -p["contribution"],
    )
    out = [Reason(p["name"], p["zh"] if zh else p["en"], False) for p in penalties]
    out += [Reason(p["name"], p["zh"] if zh else p["en"], p["value"] >= STRONG) for p in shown]
    return out


def current_event(db: Session, slug: str | None = None) -> Event | None:
    """The event asked for, else the latest event with stored matches."""
    if slug:
        event = db.scalar(select(Event).where(Event.slug == slug))
        if event is None:
            raise NotFound(_("No event with this name."))
        return event
    return db.scalar(
        select(Event)
        .where(Event.id.in_(select(MatchScore.event_id)))
        .order_by(Event.starts_on.desc(), Event.id.desc())
        .limit(1)
    )


def events_with_matches(db: Session) -> list[Event]:
    """Events that have stored matches, latest first, for the event switch."""
    return list(
        db.scalars(
            select(Event)
            .where(Event.id.in_(select(MatchScore.event_id)))
            .order_by(Event.starts_on.desc(), Event.id.desc())
        )
    )


def _records(db: Session, kind: str, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    model = Opportunity if kind == "project" else Organisation
    return {r.id: r for r in db.scalars(select(model).where(model.id.in_(ids)))}


def _declined(db: Session, account_id: int | None, left_kind: str, right_kind: str) -> set[tuple[int, int]]:
    if account_id is None:
        return set()
    rows = db.execute(
        select(MatchFeedback.left_id, MatchFeedback.right_id).where(
            MatchFeedback.account_id == account_id,
            MatchFeedback.left_kind == left_kind,
            MatchFeedback.right_kind == right_kind,
            MatchFeedback.response.in_(DECLINING),
        )
    )
    return {(a, b) for a, b in rows}


def recommendations(
    db: Session,
    *,
    event: Event,
    kind: str,
    record_id: int,
    want: str,
    account_id: int | None = None,
    limit: int = 10,
    industry: str | None = None,
    district: str | None = None,
) -> list[Suggestion]:
    """Stored suggestions of kind `want` for one record of kind `kind`, best first, without those refused.

    A record is on the left of investor→project, investor→enterprise and enterprise→enterprise rows; asking
    for investors for a project or an enterprise reads the same rows from the right.
    """
    if kind not in KINDS or want not in KINDS:
        raise DomainError(_("Unknown kind of record: use investor, enterprise or project."), field="kind")
    if want == "investor" and kind in ("project", "enterprise"):
        left_kind, right_kind, mine, other = "investor", kind, MatchScore.right_id, "left"
    else:
        left_kind, right_kind, mine, other = kind, want, MatchScore.left_id, "right"
    query = (
        select(MatchScore.id, MatchScore.left_id, MatchScore.right_id)
        .where(
            MatchScore.event_id == event.id,
            MatchScore.left_kind == left_kind,
            MatchScore.right_kind == right_kind,
            mine == record_id,
            MatchScore.score > 0,
        )
        .order_by(MatchScore.score.desc(), MatchScore.id)
    )
    refused = _declined(db, account_id, left_kind, right_kind)
    # Only ids and scores first: the explained parts are read for the rows shown, not for every candidate.
    candidates = [
        (row_id, right_id if other == "right" else left_id)
        for row_id, left_id, right_id in db.execute(query)
        if (left_id, right_id) not in refused
    ]
    if not (industry or district):
        candidates = candidates[:limit]
    records = _records(db, want, {rid for _, rid in candidates})
    chosen: list[tuple[int, Any]] = []
    for row_id, rid in candidates:
        record = records.get(rid)
        if record is None:
            continue
        if industry and industry not in _industries(record):
            continue
        if district and getattr(record, "district", None) != district:
            continue
        chosen.append((row_id, record))
        if len(chosen) >= limit:
            break
    rows = {r.id: r for r in db.scalars(select(MatchScore).where(MatchScore.id.in_([i for i, _ in chosen])))}
    return [
        Suggestion(want, record, rows[i].score, reasons_of(rows[i].parts), rows[i]) for i, record in chosen
    ]


def _industries(record: Any) -> list[str]:
    if isinstance(record, Opportunity):
        return [record.industry] if record.industry else []
    return list((record.preferences or {}).get("industries") or record.industries or [])


def get_record(db: Session, kind: str, record_id: int) -> Any:
    """An investor, enterprise or project by id, of the kind named."""
    if kind not in KINDS:
        raise DomainError(_("Unknown kind of record: use investor, enterprise or project."), field="kind")
    record = db.get(Opportunity if kind == "project" else Organisation, record_id)
    if record is None or (kind != "project" and record.kind != kind):
        raise NotFound(_("No such record."))
    return record


def mark_not_interested(
    db: Session, *, actor: Actor, event: Event, left_kind: str, left_id: int, right_kind: str, right_id: int
) -> MatchFeedback:
    """Record "not interested": the suggestion leaves the list at once and counts against similar ones."""
    if actor.account_id is None:
        raise DomainError(_("Log in to give feedback on suggestions."))
    left = get_record(db, left_kind, left_id)
    get_record(db, right_kind, right_id)
    if not (is_organiser | acts_for_left)(actor, (left_kind, left)):
        from duijie.core.errors import PermissionDenied

        raise PermissionDenied(_("You can only give feedback on your own suggestions."))
    feedback = db.scalar(
        select(MatchFeedback).where(
            MatchFeedback.account_id == actor.account_id,
            MatchFeedback.left_kind == left_kind,
            MatchFeedback.left_id == left_id,
            MatchFeedback.right_kind == right_kind,
            MatchFeedback.right_id == right_id,
        )
    )
    if feedback is None:
        feedback = MatchFeedback(
            account_id=actor.account_id,
            left_kind=left_kind,
            left_id=left_id,
            right_kind=right_kind,
            right_id=right_id,
        )
        db.add(feedback)
    feedback.response, feedback.at = "not_interested", utcnow()
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="match_feedback",
        entity_id=feedback.id,
        action="not_interested",
        after={"left": f"{left_kind}:{left_id}", "right": f"{right_kind}:{right_id}"},
        event_id=event.id,
    )
    return feedback


@dataclass(frozen=True)
class Lonely:
    """A participant with no good match yet: its record, best score and the bar it falls under."""

    kind: str
    record: Any
    best: float
    threshold: float


def no_good_match_yet(db: Session, *, event: Event) -> dict[str, list[Lonely]]:
    """Investors without a good project, and projects and enterprises without a good investor."""
    rows = db.execute(
        select(
            MatchScore.left_kind,
            MatchScore.left_id,
            MatchScore.right_kind,
            MatchScore.right_id,
            MatchScore.score,
        ).where(MatchScore.event_id == event.id, MatchScore.left_kind == "investor")
    ).all()
    from duijie.matching.profiles import event_enterprises, event_projects, investors

    sides: dict[str, dict[str, list[tuple[str, float]]]] = {
        "investor": {str(o.id): [] for o in investors(db)},
        "project": {str(p.id): [] for p in event_projects(db, event)},
        "enterprise": {str(o.id): [] for o in event_enterprises(db, event)},
    }
    for _lk, left_id, right_kind, right_id, score in rows:
        if right_kind == "project" and str(left_id) in sides["investor"]:
            sides["investor"][str(left_id)].append((str(right_id), score))
        if str(right_id) in sides[right_kind]:
            sides[right_kind][str(right_id)].append((str(left_id), score))
    out: dict[str, list[Lonely]] = {}
    for kind, results in sides.items():
        found: list[Unmatched] = no_good_match(results)
        records = _records(db, kind, {int(u.id) for u in found})
        out[kind] = [Lonely(kind, records[int(u.id)], u.best_score, u.threshold) for u in found]
    return out


def last_run(db: Session, event: Event) -> dict[str, Any] | None:
    """What the last batch run of the event did, if any."""
    setting = _setting(db, event, LAST_RUN_KEY)
    return setting.value if setting is not None else None


@dataclass(frozen=True)
class Pair:
    """A stored investor–project pair with its reasons, for the organiser's overview."""

    investor: Organisation
    project: Opportunity
    score: float
    reasons: list[Reason]


def best_pairs(db: Session, *, event: Event, limit: int = 10) -> list[Pair]:
    """The event's strongest investor–project suggestions: the meetings most worth arranging."""
    rows = list(
        db.scalars(
            select(MatchScore)
            .where(
                MatchScore.event_id == event.id,
                MatchScore.left_kind == "investor",
                MatchScore.right_kind == "project",
            )
            .order_by(MatchScore.score.desc(), MatchScore.id)
            .limit(limit)
        )
    )
    orgs = _records(db, "investor", {r.left_id for r in rows})
    projects = _records(db, "project", {r.right_id for r in rows})
    return [Pair(orgs[r.left_id], projects[r.right_id], r.score, reasons_of(r.parts)) for r in rows]
