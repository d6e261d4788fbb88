"""Matching profiles built from the database: investors, enterprises, opportunities, meeting participants.

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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.directory.models import Organisation
from duijie.directory.organisations import listed
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.matching.models import MatchFeedback
from duijie.matching.profile import Profile, canonical_category

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
    "demand_offer": ("demand", "offer", "demand_offer"),
    "participant_participant": ("participant", "participant", "participant_participant"),
}
"""Each group's stored kinds and engine pair kind; a group whose two sides are of one kind (partners,
participants) is matched reciprocally: both must want the meeting."""

# The marketplace kind behind each stored opportunity kind of matching.
OPPORTUNITY_KINDS: dict[str, str] = {
    "project": "investment_project",
    "demand": "tech_demand",
    "offer": "tech_offer",
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
    """An investment project, technology offer or demand: its title and summary and structured fields.

    A technology demand's amount is the budget its owner set aside, so it bounds what an offer may ask
    (the engine's ticket range); an offer's and a project's amount is what they ask.
    """
    budget = _yi(opp.amount) if opp.kind == "tech_demand" else None
    return Profile(
        id=str(opp.id),
        name=opp.title_zh,
        texts=_texts(f"{opp.title_zh}。{opp.summary_zh or ''}", opp.title_en, opp.summary_en),
        industries=[opp.industry] if opp.industry else [],
        district=opp.district,
        ticket_max=budget,
        amount=None if opp.kind == "tech_demand" else _yi(opp.amount),
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


def _without_names(text: str, names: Iterable[str]) -> str:
    """The text with the given organisation names (and their short forms) taken out."""
    forms: set[str] = set()
    for name in names:
        if not name:
            continue
        short = name.removesuffix("（示例）").removesuffix(" (sample)")
        forms |= {name, short, short.removesuffix("有限公司"), short.removesuffix(" Co., Ltd.")}
    for form in sorted((f for f in forms if len(f) >= 2), key=len, reverse=True):
        text = text.replace(form, "")
    return text


def deal_document(
    industry: str | None, category: str | None, summary: str | None, names: Iterable[str] = ()
) -> str:
    """What a deal invested in, in words: industry, category and the project's summary, without any names.

    A deal's title names the counterparty; as a profile document it would make every project that shares a
    name look like the investor's kind of project, however little else they share.
    """
    head = " ".join(x for x in (industry, canonical_category(category) if category else None) if x)
    body = _without_names(summary or "", names).strip(" 。，")
    if head and body:
        return f"{head}项目：{body}。"
    return f"{head}项目" if head else (f"{body}。" if body else "")


def past_deals(db: Session, event: Event, limit: int = 10) -> dict[int, list[str]]:
    """Each investor's latest deals of other events as short documents of what was invested in.

    Deals of the event being matched are left out: they are on its own projects, and would only echo them.
    """
    from duijie.deals.models import Deal, DealParty

    rows = db.execute(
        select(
            DealParty.organisation_id,
            Deal.id,
            func.coalesce(Opportunity.industry, Deal.industry),
            func.coalesce(Opportunity.category, Deal.category),
            func.coalesce(Opportunity.summary_zh, Deal.description_zh),
        )
        .join(Deal, Deal.id == DealParty.deal_id)
        .join(Organisation, Organisation.id == DealParty.organisation_id)
        .outerjoin(Opportunity, Opportunity.id == Deal.opportunity_id)
        .where(Organisation.kind == "investor", (Deal.event_id != event.id) | Deal.event_id.is_(None))
        .order_by(DealParty.organisation_id, Deal.id.desc())
    ).all()
    names: dict[int, list[str]] = {}
    deal_ids = sorted({row[1] for row in rows})
    for start in range(0, len(deal_ids), 500):
        chunk = deal_ids[start : start + 500]
        for deal_id, zh, en in db.execute(
            select(DealParty.deal_id, Organisation.name_zh, Organisation.name_en)
            .join(Organisation, Organisation.id == DealParty.organisation_id)
            .where(DealParty.deal_id.in_(chunk))
        ):
            names.setdefault(deal_id, []).extend(n for n in (zh, en) if n)
    out: dict[int, list[str]] = {}
    for org_id, deal_id, industry, category, summary in rows:
        texts = out.setdefault(org_id, [])
        document = deal_document(industry, category, summary, names.get(deal_id, ()))
        if len(texts) < limit and document:
            texts.append(document)
    return out


def investors(db: Session) -> list[Organisation]:
    """Every investor organisation; investors look at all events' projects."""
    return list(
        db.scalars(select(Organisation).where(Organisation.kind == "investor", listed()).order_by(Organisation.id))
    )


def event_opportunities(db: Session, event: Event, kind: str = "project") -> list[Opportunity]:
    """The event's open opportunities of one matching kind (project, demand or offer)."""
    return list(
        db.scalars(
            select(Opportunity)
            .where(
                Opportunity.event_id == event.id,
                Opportunity.kind == OPPORTUNITY_KINDS[kind],
                Opportunity.status.in_(OPEN_STATUSES),
            )
            .order_by(Opportunity.id)
        )
    )


def event_projects(db: Session, event: Event) -> list[Opportunity]:
    """The event's open investment projects."""
    return event_opportunities(db, event, "project")


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
                listed(),
                Organisation.id.in_(owners) | Organisation.id.in_(participants),
            )
            .order_by(Organisation.id)
        )
    )


def event_participants(db: Session, event: Event) -> list[Any]:
    """The event's meeting participants with the organisation behind each, in a fixed order."""
    from duijie.meetings.models import MeetingParticipant

    return list(
        db.execute(
            select(MeetingParticipant, Organisation)
            .join(Organisation, Organisation.id == MeetingParticipant.organisation_id)
            .where(MeetingParticipant.event_id == event.id)
            .order_by(MeetingParticipant.id)
        )
    )


def participant_profile(
    participant_id: int, org: Organisation, offers: Iterable[Opportunity] = (), declined: Iterable[str] = ()
) -> Profile:
    """A participant of an event's meetings, through its organisation: what it does and what it brings.

    Its documents are the organisation's description and its open opportunities (projects, technology offers
    and demands); its industries are an investor's preferred ones, else the organisation's, else those of its
    opportunities (a district government states none, but the projects it brings do).
    """
    offers = list(offers)
    prefs = org.preferences or {}
    industries = list(prefs.get("industries") or org.industries or [])
    if not industries:
        industries = sorted({o.industry for o in offers if o.industry})
    return Profile(
        id=str(participant_id),
        name=org.name_zh,
        texts=_texts(
            org.description_zh, org.description_en, *(f"{o.title_zh}。{o.summary_zh or ''}" for o in offers)
        ),
        industries=industries,
        district=org.district,
        country=org.country,
        preferred_districts=list(prefs.get("districts") or []),
        organisation=str(org.id),
        declined=sorted(declined),
    )


PARTICIPANT_DOCUMENTS = 5


def participant_profiles(db: Session, event: Event) -> list[Profile]:
    """Profiles of every meeting participant of the event, with up to five open opportunities of each."""
    pairs = event_participants(db, event)
    org_ids = sorted({org.id for _, org in pairs})
    offers: dict[int, list[Opportunity]] = {}
    for start in range(0, len(org_ids), 500):
        for opp in db.scalars(
            select(Opportunity)
            .where(
                Opportunity.owner_org_id.in_(org_ids[start : start + 500]),
                Opportunity.status.in_(OPEN_STATUSES),
            )
            .order_by(Opportunity.owner_org_id, Opportunity.id.desc())
        ):
            mine = offers.setdefault(opp.owner_org_id or 0, [])
            if len(mine) < PARTICIPANT_DOCUMENTS:
                mine.append(opp)
    declined = declined_by(db, "participant", "participant")
    return [
        participant_profile(p.id, org, offers.get(org.id, ()), declined.get(p.id, ())) for p, org in pairs
    ]


def group_profiles(db: Session, event: Event, group: str) -> tuple[list[Profile], list[Profile]]:
    """Left and right profiles of one batch group of an event."""
    left_kind, right_kind, _ = GROUPS[group]
    if group == "participant_participant":
        people = participant_profiles(db, event)
        return people, people
    declined = declined_by(db, left_kind, right_kind)
    if group == "enterprise_enterprise":
        people = [enterprise_profile(o, declined.get(o.id, ())) for o in event_enterprises(db, event)]
        return people, people
    if group == "demand_offer":
        demands = []
        for opp in event_opportunities(db, event, "demand"):
            profile = opportunity_profile(opp)
            profile.declined = sorted(declined.get(opp.id, ()))
            demands.append(profile)
        return demands, [opportunity_profile(o) for o in event_opportunities(db, event, "offer")]
    deals = past_deals(db, event)
    left = [investor_profile(o, declined.get(o.id, ()), deals.get(o.id, ())) for o in investors(db)]
    if group == "investor_project":
        return left, [opportunity_profile(p) for p in event_projects(db, event)]
    return left, [enterprise_profile(o) for o in event_enterprises(db, event)]
