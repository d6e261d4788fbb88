"""Matching profiles built from the database: investors, enterprises, opportunities, judges, entries, policies.

Each builder turns one record into the engine's `Profile`, with ids as strings of the record's primary key,
so that a stored `MatchScore` row names the records it joins. `fingerprint` hashes what the engine reads, so
that batch matching can tell which profiles changed since the last run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.directory.models import Organisation
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.matching.affinity import Profile
from duijie.matching.models import MatchFeedback

# Stage values stored on records, mapped to the engine's canonical stage names.
STAGE_NAMES: dict[str, str] = {
    "seed": "种子期",
    "early": "天使轮",
    "angel": "天使轮",
    "growth": "成长期",
    "mature": "成熟期",
    "listed": "已上市",
}

# Which stored left/right kinds each batch group joins, with the engine's pair kind.
GROUPS: dict[str, tuple[str, str, str]] = {
    "investor_project": ("investor", "project", "investor_project"),
    "investor_enterprise": ("investor", "enterprise", "investor_project"),
    "enterprise_enterprise": ("enterprise", "enterprise", "enterprise_enterprise"),
}

OPEN_STATUSES = ("published", "negotiating")
DECLINING = ("not_interested", "declined")


def _texts(*parts: str | None) -> list[str]:
    return [p.strip() for p in parts if p and p.strip()]


YI = Decimal(100_000_000)


def _yi(value: Any) -> Decimal | None:
    """Yuan as stored on records, in the engine's unit (亿元)."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)) / YI
    except InvalidOperation:
        return None


def _stages(values: Iterable[str]) -> list[str]:
    return [STAGE_NAMES.get(v, v) for v in values if v]


def investor_profile(org: Organisation, declined: Iterable[str] = (), deals: Iterable[str] = ()) -> Profile:
    """An investor: its stated preferences and, as documents, its description and its past deals."""
    prefs = org.preferences or {}
    return Profile(
        id=str(org.id),
        name=org.name_zh,
        texts=_texts(org.description_zh, org.description_en, *deals),
        industries=list(prefs.get("industries") or org.industries or []),
        district=org.district,
        preferred_districts=list(prefs.get("districts") or []),
        categories=list(prefs.get("categories") or []),
        stages=_stages(prefs.get("stages") or []),
        ticket_min=_yi(prefs.get("ticket_min")),
        ticket_max=_yi(prefs.get("ticket_max")),
        organisation=str(org.id),
        declined=sorted(declined),
    )


def enterprise_profile(org: Organisation, declined: Iterable[str] = ()) -> Profile:
    """An enterprise: what it does, its industries and where it sits."""
    return Profile(
        id=str(org.id),
        name=org.name_zh,
        texts=_texts(org.description_zh, org.description_en),
        industries=list(org.industries or []),
        district=org.district,
        stages=_stages([str((org.facts or {}).get("stage") or "")]),
        organisation=str(org.id),
        declined=sorted(declined),
    )


def opportunity_profile(opp: Opportunity) -> Profile:
    """An investment project, technology offer or demand: its title and summary and structured fields."""
    return Profile(
        id=str(opp.id),
        name=opp.title_zh,
        texts=_texts(f"{opp.title_zh}。{opp.summary_zh or ''}", opp.title_en, opp.summary_en),
        industries=[opp.industry] if opp.industry else [],
        district=opp.district,
        amount=_yi(opp.amount),
        categories=[opp.category] if opp.category else [],
        stages=_stages([opp.stage or ""]),
        organisation=str(opp.owner_org_id) if opp.owner_org_id else None,
    )


def fingerprint(profile: Profile) -> str:
    """A hash of everything the engine reads from a profile (not its vectors, which follow its texts)."""
    data = {
        "texts": profile.texts,
        "industries": profile.industries,
        "district": profile.district,
        "country": profile.country,
        "pd": profile.preferred_districts,
        "pc": profile.preferred_countries,
        "tmin": str(profile.ticket_min),
        "tmax": str(profile.ticket_max),
        "amount": str(profile.amount),
        "categories": profile.categories,
        "stages": profile.stages,
        "exclusions": profile.exclusions,
        "declined": profile.declined,
        "organisation": profile.organisation,
    }
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def declined_by(db: Session, left_kind: str, right_kind: str) -> dict[int, set[str]]:
    """Right ids each left record marked "not interested" (through any of its accounts)."""
    rows = db.execute(
        select(MatchFeedback.left_id, MatchFeedback.right_id).where(
            MatchFeedback.left_kind == left_kind,
            MatchFeedback.right_kind == right_kind,
            MatchFeedback.response.in_(DECLINING),
        )
    )
    out: dict[int, set[str]] = {}
    for left_id, right_id in rows:
        out.setdefault(left_id, set()).add(str(right_id))
    return out


def past_deals(db: Session, event: Event, limit: int = 10) -> dict[int, list[str]]:
    """Each investor's latest deals of other events as short documents (title and description).

    Deals of the event being matched are left out: they are on its own projects, and would only echo them.
    """
    from duijie.deals.models import Deal, DealParty

    rows = db.execute(
        select(DealParty.organisation_id, Deal.title_zh, Deal.description_zh)
        .join(Deal, Deal.id == DealParty.deal_id)
        .join(Organisation, Organisation.id == DealParty.organisation_id)
        .where(Organisation.kind == "investor", (Deal.event_id != event.id) | Deal.event_id.is_(None))
        .order_by(DealParty.organisation_id, Deal.id.desc())
    )
    out: dict[int, list[str]] = {}
    for org_id, title, description in rows:
        texts = out.setdefault(org_id, [])
        if len(texts) < limit:
            texts.append(f"{title}。{description or ''}".rstrip("。") if description else title)
    return out


def investors(db: Session) -> list[Organisation]:
    """Every investor organisation; investors look at all events' projects."""
    return list(
        db.scalars(select(Organisation).where(Organisation.kind == "investor").order_by(Organisation.id))
    )


def event_projects(db: Session, event: Event) -> list[Opportunity]:
    """The event's open investment projects."""
    return list(
        db.scalars(
            select(Opportunity)
            .where(
                Opportunity.event_id == event.id,
                Opportunity.kind == "investment_project",
                Opportunity.status.in_(OPEN_STATUSES),
            )
            .order_by(Opportunity.id)
        )
    )


def event_enterprises(db: Session, event: Event) -> list[Organisation]:
    """Enterprises taking part in an event: owners of its opportunities and its meeting participants."""
    from duijie.meetings.models import MeetingParticipant

    owners = select(Opportunity.owner_org_id).where(Opportunity.event_id == event.id)
    participants = select(MeetingParticipant.organisation_id).where(MeetingParticipant.event_id == event.id)
    return list(
        db.scalars(
            select(Organisation)
            .where(
                Organisation.kind == "enterprise",
                Organisation.id.in_(owners) | Organisation.id.in_(participants),
            )
            .order_by(Organisation.id)
        )
    )


def group_profiles(db: Session, event: Event, group: str) -> tuple[list[Profile], list[Profile]]:
    """Left and right profiles of one batch group of an event."""
    left_kind, right_kind, _ = GROUPS[group]
    declined = declined_by(db, left_kind, right_kind)
    if group == "enterprise_enterprise":
        people = [enterprise_profile(o, declined.get(o.id, ())) for o in event_enterprises(db, event)]
        return people, people
    deals = past_deals(db, event)
    left = [investor_profile(o, declined.get(o.id, ()), deals.get(o.id, ())) for o in investors(db)]
    if group == "investor_project":
        return left, [opportunity_profile(p) for p in event_projects(db, event)]
    return left, [enterprise_profile(o) for o in event_enterprises(db, event)]
