"""Reading stored matches: recommendations with reasons, "not interested" feedback, who has no good match yet.

Stored kinds: investors and enterprises are organisations; projects, technology demands and offers are
opportunities; participants are an event's meeting participants (shown with their person and organisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, NotFound, PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.directory.models import Organisation, Person
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.events.models import Event
from duijie.events.service import get_event
from duijie.marketplace.models import Opportunity
from duijie.matching.models import MatchFeedback, MatchScore
from duijie.matching.permissions import can_see_matches
from duijie.matching.profiles import DECLINING, GROUPS, OPPORTUNITY_KINDS
from duijie.matching.recommend import Unmatched, no_good_match
from duijie.matching.taxonomy import BY_NAME

KINDS = ("investor", "enterprise", "project", "demand", "offer", "participant")
STORED: dict[tuple[str, str], str] = {(left, right): group for group, (left, right, _) in GROUPS.items()}
"""Which group stores each (left kind, right kind) pair; asking for the reverse reads the same rows."""
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


@dataclass(frozen=True)
class Participant:
    """A meeting participant of an event as pages show it: the person and the organisation behind them."""

    id: int
    event_id: int
    person: Person | None
    organisation: Organisation

    @property
    def district(self) -> str | None:
        return self.organisation.district

    @property
    def provenance(self) -> str:
        return self.organisation.provenance


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
        return get_event(db, slug=slug)
    return db.scalar(
        select(Event)
        .where(Event.id.in_(select(MatchScore.event_id)))
        .order_by(Event.starts_on.desc(), Event.id.desc())
        .limit(1)
    )


def event_for(db: Session, kind: str, record: Any, slug: str | None = None) -> Event | None:
    """The event to read a record's suggestions at: the one asked for, else the record's own (an
    opportunity's or a participant's), else the latest event with stored matches."""
    if slug:
        return current_event(db, slug)
    if kind in OPPORTUNITY_KINDS and record.event_id is not None:
        return db.get(Event, record.event_id)
    if kind == "participant":
        return db.get(Event, record.event_id)
    return current_event(db)


def events_with_matches(db: Session) -> list[Event]:
    """Events that have stored matches, latest first, for the event switch."""
    return list(
        db.scalars(
            select(Event)
            .where(Event.id.in_(select(MatchScore.event_id)))
            .order_by(Event.starts_on.desc(), Event.id.desc())
        )
    )


def _participants(db: Session, ids: set[int]) -> dict[int, Participant]:
    from duijie.meetings.models import MeetingParticipant

    rows = db.execute(
        select(MeetingParticipant, Organisation, Person)
        .join(Organisation, Organisation.id == MeetingParticipant.organisation_id)
        .outerjoin(Person, Person.id == MeetingParticipant.person_id)
        .where(MeetingParticipant.id.in_(ids))
    )
    return {p.id: Participant(p.id, p.event_id, person, org) for p, org, person in rows}


def _records(db: Session, kind: str, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    if kind == "participant":
        return _participants(db, ids)
    if kind in OPPORTUNITY_KINDS:
        query = select(Opportunity).options(joinedload(Opportunity.owner)).where(Opportunity.id.in_(ids))
        return {r.id: r for r in db.scalars(query)}
    return {r.id: r for r in db.scalars(select(Organisation).where(Organisation.id.in_(ids)))}


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

    A record is on the left of investor→project, investor→enterprise, enterprise→enterprise, demand→offer
    and participant→participant rows; asking for investors for a project or an enterprise, or for demands for
    an offer, reads the same rows from the right.
    """
    if kind not in KINDS or want not in KINDS:
        raise DomainError(_unknown_kind(), field="kind")
    if (kind, want) in STORED:
        left_kind, right_kind, mine, other = kind, want, MatchScore.left_id, "right"
    elif (want, kind) in STORED:
        left_kind, right_kind, mine, other = want, kind, MatchScore.right_id, "left"
    else:
        raise DomainError(
            _("No suggestions of this kind are made for this record: ask for %(pairs)s.")
            % {"pairs": ", ".join(f"{a}→{b}" for a, b in STORED)},
            field="want",
        )
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
        if industry and not in_industry(record, industry):
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


FILTER_INDUSTRIES: tuple[str, ...] = tuple(INDUSTRY_EN)
"""The industries a list can be narrowed to: the platform's taxonomy (a parent also keeps its sub-industries)."""
FILTER_DISTRICTS: tuple[str, ...] = tuple(DISTRICT_EN)
"""The districts a list can be narrowed to: Beijing's 16 districts and the Economic-Technological Area."""


@dataclass(frozen=True)
class Filters:
    """An industry and a district to narrow suggestions to; None leaves that side open."""

    industry: str | None = None
    district: str | None = None

    @classmethod
    def of(cls, industry: str | None, district: str | None) -> Filters:
        """Filters from a page's query, values outside the lists dropped (a stale link shows everything)."""
        return cls(
            industry if industry in FILTER_INDUSTRIES else None,
            district if district in FILTER_DISTRICTS else None,
        )

    @property
    def active(self) -> bool:
        return bool(self.industry or self.district)


def in_industry(record: Any, industry: str) -> bool:
    """Whether a record belongs to the industry asked for, or to one of its sub-industries (生物科技 is in
    医药健康)."""
    for name in _industries(record):
        known = BY_NAME.get(name)
        if name == industry or (known is not None and known.parent == industry):
            return True
    return False


def _industries(record: Any) -> list[str]:
    if isinstance(record, Opportunity):
        return [record.industry] if record.industry else []
    if isinstance(record, Participant):
        record = record.organisation
    return list((record.preferences or {}).get("industries") or record.industries or [])


def _unknown_kind() -> str:
    """The message for a kind that is not one of KINDS, in the request's language."""
    return _("Unknown kind of record: use investor, enterprise, project, demand, offer or participant.")


def get_record(db: Session, kind: str, record_id: int) -> Any:
    """An investor, enterprise, project, technology demand or offer, or meeting participant by id."""
    if kind not in KINDS:
        raise DomainError(_unknown_kind(), field="kind")
    if kind == "participant":
        found = _participants(db, {record_id}).get(record_id)
        if found is None:
            raise NotFound(_("No such record."))
        return found
    if kind in OPPORTUNITY_KINDS:
        opp = db.get(Opportunity, record_id)
        if opp is None or opp.kind != OPPORTUNITY_KINDS[kind]:
            raise NotFound(_("No such record."))
        return opp
    record = db.get(Organisation, record_id)
    if record is None or record.kind != kind:
        raise NotFound(_("No such record."))
    return record


def people_to_meet(
    db: Session,
    *,
    event: Event,
    participant_id: int,
    limit: int = 5,
    account_id: int | None = None,
    filters: Filters = Filters(),
) -> list[Suggestion]:
    """Other participants of the event's meetings whom this one may want to meet, and who want it too
    (without those the account marked "not interested")."""
    return recommendations(
        db,
        event=event,
        kind="participant",
        record_id=participant_id,
        want="participant",
        account_id=account_id,
        limit=limit,
        industry=filters.industry,
        district=filters.district,
    )


# What an opportunity's page suggests: its matching kind and the kind of counterpart it is shown.
COUNTERPARTS: dict[str, tuple[str, str]] = {
    "investment_project": ("project", "investor"),
    "tech_demand": ("demand", "offer"),
    "tech_offer": ("offer", "demand"),
}


def opportunity_matches(db: Session, actor: Actor, opp: Opportunity, limit: int = 5) -> dict[str, Any]:
    """The suggestions an opportunity's page shows (a project's investors, a demand's offers, an offer's
    demands) if the actor may see them: {"opp", "want", "allowed", "items"}."""
    kind, want = COUNTERPARTS.get(opp.kind, ("", ""))
    allowed = bool(kind) and can_see_matches(actor, (kind, opp))
    items: list[Suggestion] = []
    if allowed and opp.event is not None:
        items = recommendations(db, event=opp.event, kind=kind, record_id=opp.id, want=want, limit=limit)
    return {"opp": opp, "want": want, "allowed": allowed, "items": items}


def own_participants(db: Session, *, event: Event, organisation_ids: set[int]) -> list[Participant]:
    """The event's meeting participants who stand for the given organisations, in a fixed order."""
    from duijie.meetings.models import MeetingParticipant

    if not organisation_ids:
        return []
    rows = db.execute(
        select(MeetingParticipant, Organisation, Person)
        .join(Organisation, Organisation.id == MeetingParticipant.organisation_id)
        .outerjoin(Person, Person.id == MeetingParticipant.person_id)
        .where(
            MeetingParticipant.event_id == event.id, MeetingParticipant.organisation_id.in_(organisation_ids)
        )
        .order_by(MeetingParticipant.id)
    )
    return [Participant(p.id, p.event_id, person, org) for p, org, person in rows]


def owned_opportunities(db: Session, *, kind: str, organisation_ids: set[int]) -> list[Opportunity]:
    """Open technology demands or offers (or projects) of the given organisations, at events with matches."""
    from duijie.matching.profiles import OPEN_STATUSES

    if not organisation_ids:
        return []
    return list(
        db.scalars(
            select(Opportunity)
            .where(
                Opportunity.kind == OPPORTUNITY_KINDS[kind],
                Opportunity.owner_org_id.in_(organisation_ids),
                Opportunity.status.in_(OPEN_STATUSES),
                Opportunity.event_id.in_(select(MatchScore.event_id)),
            )
            .order_by(Opportunity.id)
        )
    )


def mark_not_interested(
    db: Session, *, actor: Actor, event: Event, left_kind: str, left_id: int, right_kind: str, right_id: int
) -> MatchFeedback:
    """Record "not interested": the suggestion leaves the list at once and counts against similar ones."""
    if actor.account_id is None:
        raise DomainError(_("Log in to give feedback on suggestions."))
    left = get_record(db, left_kind, left_id)
    get_record(db, right_kind, right_id)
    if not can_see_matches(actor, (left_kind, left, event)):
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


LONELY_SIDES: tuple[tuple[str, str, str], ...] = (
    ("investor", "investor_project", "left"),
    ("project", "investor_project", "right"),
    ("enterprise", "investor_enterprise", "right"),
    ("demand", "demand_offer", "left"),
    ("offer", "demand_offer", "right"),
    ("participant", "participant_participant", "left"),
)
"""Who is judged on which group's suggestions: an enterprise on its investors, a participant on its peers."""


def _members(db: Session, event: Event, kind: str) -> list[int]:
    """Ids of everyone of one kind the event's batch matches."""
    from duijie.matching.profiles import event_enterprises, event_opportunities, event_participants, investors

    if kind == "investor":
        return [o.id for o in investors(db)]
    if kind == "enterprise":
        return [o.id for o in event_enterprises(db, event)]
    if kind == "participant":
        return [p.id for p, _ in event_participants(db, event)]
    return [o.id for o in event_opportunities(db, event, kind)]


def no_good_match_yet(db: Session, *, event: Event) -> dict[str, list[Lonely]]:
    """For each side the event matches (both sides of its group present), those without a good match yet."""
    rows = db.execute(
        select(
            MatchScore.left_kind,
            MatchScore.left_id,
            MatchScore.right_kind,
            MatchScore.right_id,
            MatchScore.score,
        ).where(MatchScore.event_id == event.id)
    ).all()
    members = {kind: _members(db, event, kind) for kind, _g, _s in LONELY_SIDES}
    out: dict[str, list[Lonely]] = {}
    for kind, group, side in LONELY_SIDES:
        left_kind, right_kind, _pk = GROUPS[group]
        if not members[left_kind] or not members[right_kind]:
            continue
        results: dict[str, list[tuple[str, float]]] = {str(i): [] for i in members[kind]}
        for lk, left_id, rk, right_id, score in rows:
            if (lk, rk) != (left_kind, right_kind):
                continue
            mine, other = (left_id, right_id) if side == "left" else (right_id, left_id)
            if str(mine) in results:
                results[str(mine)].append((str(other), score))
        found: list[Unmatched] = no_good_match(results)
        records = _records(db, kind, {int(u.id) for u in found})
        out[kind] = [Lonely(kind, records[int(u.id)], u.best_score, u.threshold) for u in found]
    return out


@dataclass(frozen=True)
class Pair:
    """A stored pair with its reasons, for the organiser's overview."""

    left_kind: str
    left: Any
    right_kind: str
    right: Any
    score: float
    reasons: list[Reason]


def best_pairs(db: Session, *, event: Event, group: str = "investor_project", limit: int = 10) -> list[Pair]:
    """The event's strongest suggestions of one group: the meetings and trades most worth arranging."""
    left_kind, right_kind, _pk = GROUPS[group]
    rows = list(
        db.scalars(
            select(MatchScore)
            .where(
                MatchScore.event_id == event.id,
                MatchScore.left_kind == left_kind,
                MatchScore.right_kind == right_kind,
            )
            .order_by(MatchScore.score.desc(), MatchScore.id)
            .limit(limit)
        )
    )
    lefts = _records(db, left_kind, {r.left_id for r in rows})
    rights = _records(db, right_kind, {r.right_id for r in rows})
    return [
        Pair(left_kind, lefts[r.left_id], right_kind, rights[r.right_id], r.score, reasons_of(r.parts))
        for r in rows
        if r.left_id in lefts and r.right_id in rights
    ]


TEXT_PARTS = ("semantic", "lexical")
"""Parts measured on the texts; the others compare stated facts."""


@dataclass(frozen=True)
class Highlights:
    """The few best suggestions a participant's home page shows: for whom, at which event, of which kind."""

    event: Event
    party: Organisation
    want: str
    items: list[Suggestion]

    def first_reason(self, suggestion: Suggestion) -> Reason | None:
        """The reason that speaks most for a suggestion, a stated fact (industry, amount, district ...) before
        text similarity, which reads less clearly on its own; else its first caveat."""
        good = [r for r in suggestion.reasons if r.good]
        plain = [r for r in good if r.name not in TEXT_PARTS]
        found = plain or good or suggestion.reasons
        return found[0] if found else None


def highlights(db: Session, *, actor: Actor, limit: int = 3) -> Highlights | None:
    """The top of the first list of the account's recommendations page (an investor's projects, else an
    enterprise's investors), at the latest event with matches; None for other accounts."""
    for role, want in (("investor", "project"), ("enterprise", "investor")):
        ids = sorted(actor.organisations(role))
        if not ids:
            continue
        party = db.get(Organisation, ids[0])
        event = current_event(db)
        if party is None or event is None:
            return None
        items = recommendations(
            db,
            event=event,
            kind=role,
            record_id=party.id,
            want=want,
            account_id=actor.account_id if role == "investor" else None,
            limit=limit,
        )
        return Highlights(event, party, want, items)
    return None
