"""The participant directory of an event: who takes part in its 1:1 meetings, what each offers and seeks, and
when two of them are both free.

b2match's loop (browse → open a profile → request a meeting → pick a time) needs three reads, all here:

- `search`: one page of participants with their profile cards, filtered by kind, industry, district and a text
  on names. An organisation's industries are a JSON list, which SQLite and PostgreSQL filter differently; so
  the event's participants are read in one query of light rows and filtered here, then only the page's cards
  are completed (their released projects and the viewer's requests with them, one query each). The page costs
  the same few queries whatever its size, and an event's participants number in the hundreds, not millions.
- `card`: the same card for one participant (the profile page), with more of what they offer and seek.
- `common_slots`: the slots where both sides are free (marked available, or never said) and neither already
  has a meeting, grouped by session: what a request may prefer (`MeetingRequest.sessions`).

Contact details (e-mail, phone) are never part of a card: they are shared once a meeting is agreed, on the
meetings page. Who may read the directory: the event's participants and its organisers (`may_browse`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.enums import LabelledEnum
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import bilingual, format_money
from duijie.core.i18n import gettext as _
from duijie.core.permissions import Predicate, predicate
from duijie.directory.enums import OrgKind
from duijie.directory.models import Account, Organisation, Person
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.events.models import Event
from duijie.marketplace.enums import RELEASED_STATES, OpportunityKind, ProjectCategory
from duijie.marketplace.models import Opportunity
from duijie.meetings.enums import RequestState
from duijie.meetings.models import (
    Availability,
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingSeat,
    MeetingSlot,
)
from duijie.meetings.permissions import organises_event
from duijie.meetings.service import local, slots_of

PER_PAGE = 20
# What a card shows of the organisation's projects on each side; the profile shows more.
CARD_ITEMS, PROFILE_ITEMS = 3, 12
CARD_WISHES = 2
# Investors first (whom enterprises come for), then governments and parks, then enterprises, then the rest.
KIND_ORDER = MappingProxyType({"investor": 0, "government": 1, "park": 1, "enterprise": 2})
# Released projects an organisation offers, and those in which it looks for something.
OFFER_KINDS = ("investment_project", "tech_offer", "space_offer")
SEEK_KINDS = ("tech_demand", "financing_need")
SEARCH_MAX = 100


class Stage(LabelledEnum):
    """The stages an investor says it invests at (`Organisation.preferences["stages"]`)."""

    SEED = "seed", "种子期", "Seed"
    ANGEL = "angel", "天使轮", "Angel"
    EARLY = "early", "早期", "Early stage"
    GROWTH = "growth", "成长期", "Growth"
    MATURE = "mature", "成熟期", "Mature"
    LISTED = "listed", "已上市", "Listed"


# -- who may read it ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """The event a directory page is about and the reader's own participant in it (None: not a participant)."""

    event: Event
    me: MeetingParticipant | None


@predicate
def takes_part(actor: Actor, seat: Any) -> bool:
    """The reader is a participant of the event's meetings."""
    return getattr(seat, "me", None) is not None


@predicate
def organises_seat_event(actor: Actor, seat: Any) -> bool:
    """The reader organises the event of the directory."""
    return organises_event(actor, getattr(seat, "event", None))


may_browse: Predicate = takes_part | organises_seat_event


def participant_of(db: Session, *, event: Event, account_id: int | None) -> MeetingParticipant | None:
    """The account's participant record in this event (one query), if it takes part in the meetings."""
    if account_id is None:
        return None
    return db.scalar(
        select(MeetingParticipant)
        .join(Account, Account.person_id == MeetingParticipant.person_id)
        .where(Account.id == account_id, MeetingParticipant.event_id == event.id)
    )


# -- the cards ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One thing a participant offers or seeks, in both languages; `link` opens the project it names."""

    kind: str
    text_zh: str
    text_en: str
    link: str | None = None
    opportunity_id: int | None = None

    @property
    def text(self) -> str:
        return bilingual(self.text_zh, self.text_en)


@dataclass(frozen=True)
class RequestMark:
    """The request between the reader and a participant: the reader's own (outgoing) or theirs to the reader."""

    id: int
    state: str
    outgoing: bool

    @property
    def state_label(self) -> str:
        return label_of(RequestState, self.state)


@dataclass
class Card:
    """A participant as the directory shows them: person, organisation, what they offer and seek."""

    id: int
    name_zh: str
    name_en: str | None
    title: str | None
    org_zh: str | None
    org_en: str | None
    org_slug: str | None
    kind: str | None
    country: str | None
    district: str | None
    industries: list[str]
    description_zh: str | None
    description_en: str | None
    synthetic: bool
    offers: list[Point] = field(default_factory=list)
    seeks: list[Point] = field(default_factory=list)
    more_offers: int = 0
    more_seeks: int = 0
    own: bool = False
    request: RequestMark | None = None

    @property
    def name(self) -> str:
        """The person's name in the current language (the Chinese one when there is no English)."""
        return bilingual(self.name_zh, self.name_en)

    @property
    def org(self) -> str:
        """The organisation's name in the current language."""
        return bilingual(self.org_zh, self.org_en)

    @property
    def other_org_name(self) -> str | None:
        """The organisation's name in the other language, shown small under the first."""
        shown = self.org
        other = self.org_en if shown == self.org_zh else self.org_zh
        return other if other and other != shown else None

    @property
    def description(self) -> str:
        return bilingual(self.description_zh, self.description_en)

    @property
    def kind_label(self) -> str:
        return label_of(OrgKind, self.kind)

    @property
    def district_label(self) -> str:
        return district_label(self.district)

    @property
    def industry_labels(self) -> list[str]:
        return [industry_label(i) for i in self.industries]


def label_of(enum: type[LabelledEnum], value: str | None) -> str:
    """An enum value's label in the current language (the value itself when it is not a member)."""
    if not value:
        return ""
    try:
        member = enum(value)
    except ValueError:
        return value
    return bilingual(member.zh, member.en)  # type: ignore[attr-defined]


def district_label(district: str | None) -> str:
    return bilingual(district, DISTRICT_EN.get(district or "")) if district else ""


def industry_label(industry: str) -> str:
    return bilingual(industry, INDUSTRY_EN.get(industry))


def _industries(org: Organisation | None) -> list[str]:
    """What the organisation works in, then what it invests in, without repeats."""
    if org is None:
        return []
    prefs = org.preferences or {}
    return list(dict.fromkeys([*(org.industries or []), *(prefs.get("industries") or [])]))


def _both(values: Iterable[str], zh: dict[str, str] | None = None, en: dict[str, str] | None = None) -> tuple[str, str]:
    """A list in Chinese (、) and English (, ) from per-value names."""
    items = list(values)
    return (
        "、".join((zh or {}).get(v, v) for v in items),
        ", ".join((en or {}).get(v, v) for v in items),
    )


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def preference_points(org: Organisation | None) -> tuple[list[Point], list[Point]]:
    """What an investor's stated preferences offer (capital, in tickets of a size) and seek (industries,
    stages, kinds of project, districts)."""
    if org is None:
        return [], []
    prefs = org.preferences or {}
    offers: list[Point] = []
    seeks: list[Point] = []
    lo, hi = _money(prefs.get("ticket_min")), _money(prefs.get("ticket_max"))
    if lo is not None or hi is not None:
        zh_range = "–".join(format_money(v, "zh_CN") for v in (lo, hi) if v is not None)
        en_range = " – ".join(format_money(v, "en") for v in (lo, hi) if v is not None)
        offers.append(Point("capital", f"投资：单笔{zh_range}", f"Capital: tickets of {en_range}"))
    if prefs.get("industries"):
        zh, en = _both(prefs["industries"], en=INDUSTRY_EN)
        seeks.append(Point("industries", f"关注行业：{zh}", f"Industries: {en}"))
    if prefs.get("stages"):
        stages = [Stage(s) if s in Stage._value2member_map_ else None for s in prefs["stages"]]
        zh = "、".join(s.zh if s else str(v) for s, v in zip(stages, prefs["stages"], strict=True))  # type: ignore[attr-defined]
        en = ", ".join(s.en if s else str(v) for s, v in zip(stages, prefs["stages"], strict=True))  # type: ignore[attr-defined]
        seeks.append(Point("stages", f"投资阶段：{zh}", f"Stages: {en}"))
    if prefs.get("categories"):
        names = {c.value: (c.zh, c.en) for c in ProjectCategory}  # type: ignore[attr-defined]
        zh, en = _both(
            prefs["categories"],
            zh={k: v[0] for k, v in names.items()},
            en={k: v[1] for k, v in names.items()},
        )
        seeks.append(Point("categories", f"项目类型：{zh}", f"Kinds of project: {en}"))
    if prefs.get("districts"):
        zh, en = _both(prefs["districts"], en=DISTRICT_EN)
        seeks.append(Point("districts", f"关注区域：{zh}", f"Districts: {en}"))
    return offers, seeks


def opportunity_point(opp: Opportunity) -> Point:
    """A released project as a line of a card: its kind and title, linked to its page."""
    kind = OpportunityKind(opp.kind) if opp.kind in OpportunityKind._value2member_map_ else None
    zh_kind = kind.zh if kind else opp.kind  # type: ignore[attr-defined]
    en_kind = kind.en if kind else opp.kind  # type: ignore[attr-defined]
    return Point(
        opp.kind,
        f"{zh_kind}：{opp.title_zh}",
        f"{en_kind}: {opp.title_en or opp.title_zh}",
        link=f"/projects/{opp.id}",
        opportunity_id=opp.id,
    )


def _card(p: MeetingParticipant, person: Person, org: Organisation | None) -> Card:
    return Card(
        id=p.id,
        name_zh=person.name_zh,
        name_en=person.name_en,
        title=person.title,
        org_zh=org.name_zh if org else None,
        org_en=org.name_en if org else None,
        org_slug=org.slug if org else None,
        kind=org.kind if org else None,
        country=org.country if org else None,
        district=org.district if org else None,
        industries=_industries(org),
        description_zh=org.description_zh if org else None,
        description_en=org.description_en if org else None,
        synthetic=p.provenance == "synthetic",
    )


def _rows(db: Session, event: Event, only: int | None = None) -> list[tuple[MeetingParticipant, Person, Organisation | None]]:
    stmt = (
        select(MeetingParticipant, Person, Organisation)
        .join(Person, Person.id == MeetingParticipant.person_id)
        .outerjoin(Organisation, Organisation.id == MeetingParticipant.organisation_id)
        .where(MeetingParticipant.event_id == event.id)
    )
    if only is not None:
        stmt = stmt.where(MeetingParticipant.id == only)
    return [(p, person, org) for p, person, org in db.execute(stmt)]


def _complete(
    db: Session,
    event: Event,
    found: Sequence[tuple[MeetingParticipant, Person, Organisation | None]],
    viewer: MeetingParticipant | None,
    limit: int,
) -> list[Card]:
    """Cards for these rows with their projects and the viewer's requests: two queries whatever their number."""
    cards = [_card(p, person, org) for p, person, org in found]
    orgs = {org.id: org for _p, _person, org in found if org is not None}
    by_org: dict[int, list[Opportunity]] = defaultdict(list)
    if orgs:
        for opp in db.scalars(
            select(Opportunity)
            .where(Opportunity.owner_org_id.in_(list(orgs)), Opportunity.status.in_(sorted(RELEASED_STATES)))
            # Newest first; this event's are put first below.
            .order_by(Opportunity.published_at.desc(), Opportunity.id.desc())
        ):
            by_org[opp.owner_org_id or 0].append(opp)
    marks: dict[int, RequestMark] = {}
    if viewer is not None and cards:
        ids = [c.id for c in cards]
        for r in db.scalars(
            select(MeetingRequest)
            .where(
                MeetingRequest.event_id == event.id,
                or_(
                    and_(MeetingRequest.requester_id == viewer.id, MeetingRequest.recipient_id.in_(ids)),
                    and_(MeetingRequest.recipient_id == viewer.id, MeetingRequest.requester_id.in_(ids)),
                ),
            )
            .order_by(MeetingRequest.id)
        ):
            outgoing = r.requester_id == viewer.id
            other = r.recipient_id if outgoing else r.requester_id
            # The reader's own request says more than theirs (it is what "request a meeting" would repeat).
            if other not in marks or outgoing:
                marks[other] = RequestMark(r.id, r.state, outgoing)
    for card, (_p, _person, org) in zip(cards, found, strict=True):
        offers, seeks = preference_points(org)
        projects = sorted(by_org.get(org.id, []) if org else [], key=lambda o: o.event_id != event.id)
        offered = [opportunity_point(o) for o in projects if o.kind in OFFER_KINDS]
        sought = [opportunity_point(o) for o in projects if o.kind in SEEK_KINDS]
        # A card keeps an investor's first two wishes (industries, stages); the profile shows them all.
        wishes = seeks[:CARD_WISHES] if limit == CARD_ITEMS else seeks
        card.offers = offers + offered[:limit]
        card.seeks = wishes + sought[:limit]
        card.more_offers = max(0, len(offered) - limit)
        card.more_seeks = max(0, len(sought) - limit) + len(seeks) - len(wishes)
        card.own = viewer is not None and card.id == viewer.id
        card.request = marks.get(card.id)
    return cards


# -- search ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the reader narrowed the directory to; empty values do not filter."""

    kind: str | None = None
    industry: str | None = None
    district: str | None = None
    q: str | None = None
    page: int = 1

    @property
    def active(self) -> bool:
        return bool(self.kind or self.industry or self.district or self.q)

    def query(self, **changes: Any) -> dict[str, Any]:
        """The filters as query parameters (for links to other pages of the same search)."""
        values = {"kind": self.kind, "industry": self.industry, "district": self.district, "q": self.q}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def parse_filters(params: dict[str, str]) -> tuple[Filters, dict[str, str]]:
    """Filters from query parameters, and a message per field that could not be read (that filter is then
    left out, so the page still shows the directory with the message beside the field)."""
    errors: dict[str, str] = {}
    kind = (params.get("kind") or "").strip() or None
    if kind is not None and kind not in OrgKind._value2member_map_:
        errors["kind"] = _("Unknown kind of participant: %(value)s") % {"value": kind}
        kind = None
    q = (params.get("q") or "").strip() or None
    if q is not None and len(q) > SEARCH_MAX:
        errors["q"] = _("The search text is too long: at most %(n)s characters.") % {"n": SEARCH_MAX}
        q = None
    raw_page = (params.get("page") or "1").strip()
    try:
        page = int(raw_page)
    except ValueError:
        page = 0
    if page < 1:
        errors["page"] = _("The page number must be a whole number from 1: %(value)s") % {"value": raw_page}
        page = 1
    return (
        Filters(
            kind=kind,
            industry=(params.get("industry") or "").strip() or None,
            district=(params.get("district") or "").strip() or None,
            q=q,
            page=page,
        ),
        errors,
    )


@dataclass
class Facets:
    """The values the filters offer: those present among the event's participants."""

    kinds: list[str]
    industries: list[str]
    districts: list[str]


@dataclass
class DirectoryPage:
    cards: list[Card]
    total: int
    page: int
    pages: int
    per_page: int
    facets: Facets
    filters: Filters


def _matches(row: tuple[MeetingParticipant, Person, Organisation | None], filters: Filters) -> bool:
    _p, person, org = row
    if filters.kind and (org.kind if org else None) != filters.kind:
        return False
    if filters.district and (org.district if org else None) != filters.district:
        return False
    if filters.industry and filters.industry not in _industries(org):
        return False
    if filters.q:
        names = (person.name_zh, person.name_en, org.name_zh if org else None, org.name_en if org else None)
        needle = filters.q.casefold()
        if not any(needle in n.casefold() for n in names if n):
            return False
    return True


def _order(row: tuple[MeetingParticipant, Person, Organisation | None]) -> tuple[Any, ...]:
    p, person, org = row
    return (KIND_ORDER.get(org.kind if org else "", 3), org.name_zh if org else "", person.name_zh, p.id)


def search(
    db: Session, *, event: Event, filters: Filters, viewer: MeetingParticipant | None, per_page: int = PER_PAGE
) -> DirectoryPage:
    """One page of the event's participants that match the filters, each with its card (three queries)."""
    rows = _rows(db, event)
    kinds_present = {org.kind for _p, _person, org in rows if org is not None}
    facets = Facets(
        kinds=[k.value for k in OrgKind if k.value in kinds_present],
        industries=sorted(
            {i for _p, _person, org in rows for i in _industries(org)},
            key=lambda i: (list(INDUSTRY_EN).index(i) if i in INDUSTRY_EN else len(INDUSTRY_EN), i),
        ),
        districts=sorted(
            {org.district for _p, _person, org in rows if org is not None and org.district},
            key=lambda d: (list(DISTRICT_EN).index(d) if d in DISTRICT_EN else len(DISTRICT_EN), d),
        ),
    )
    found = sorted((r for r in rows if _matches(r, filters)), key=_order)
    pages = max(1, -(-len(found) // per_page))
    page = min(filters.page, pages)
    window = found[(page - 1) * per_page : page * per_page]
    return DirectoryPage(
        cards=_complete(db, event, window, viewer, CARD_ITEMS),
        total=len(found),
        page=page,
        pages=pages,
        per_page=per_page,
        facets=facets,
        filters=filters,
    )


def card(db: Session, *, event: Event, participant_id: int, viewer: MeetingParticipant | None) -> Card:
    """One participant's profile (a translated 404 for another event's or an unknown one)."""
    found = _rows(db, event, only=participant_id)
    if not found:
        raise NotFound(
            _("No such participant in this event: %(id)s") % {"id": participant_id}, field="participant"
        )
    return _complete(db, event, found, viewer, PROFILE_ITEMS)[0]


# -- when both are free ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotChoice:
    """A slot both sides are free in, with its local times."""

    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def start(self) -> str:
        return f"{local(self.starts_at):%H:%M}"

    @property
    def end(self) -> str:
        return f"{local(self.ends_at):%H:%M}"


@dataclass
class SessionChoice:
    """A session of the grid and the slots of it both sides are free in."""

    session: str
    slots: list[SlotChoice]
    total: int


@dataclass
class CommonSlots:
    """When two participants could meet: the sessions with common free slots (none: they never are), and
    whether the event has any slot at all (the organiser may not have set the grid up yet)."""

    sessions: list[SessionChoice]
    has_slots: bool

    @property
    def count(self) -> int:
        return sum(len(s.slots) for s in self.sessions)


def common_slots(
    db: Session, *, event: Event, a: MeetingParticipant, b: MeetingParticipant
) -> CommonSlots:
    """The slots where both are available (a participant who never marked any is free throughout) and neither
    already has a meeting, grouped by session in time order (three queries)."""
    slots: list[MeetingSlot] = slots_of(db, event=event)
    marked: dict[int, set[int]] = defaultdict(set)
    for pid, sid in db.execute(
        select(Availability.participant_id, Availability.slot_id).where(
            Availability.participant_id.in_([a.id, b.id])
        )
    ):
        marked[pid].add(sid)
    busy = set(
        db.scalars(
            select(MeetingSeat.slot_id)
            .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
            .where(Meeting.event_id == event.id, MeetingSeat.participant_id.in_([a.id, b.id]))
        )
    )

    def free(pid: int, slot_id: int) -> bool:
        return pid not in marked or slot_id in marked[pid]

    sessions: list[SessionChoice] = []
    for s in slots:
        if not sessions or sessions[-1].session != s.session:
            sessions.append(SessionChoice(s.session, [], 0))
        sessions[-1].total += 1
        if s.id not in busy and free(a.id, s.id) and free(b.id, s.id):
            sessions[-1].slots.append(SlotChoice(s.id, s.starts_at, s.ends_at))
    return CommonSlots([s for s in sessions if s.slots], bool(slots))


# -- the request form --------------------------------------------------------------------------------------


def linkable_projects(
    db: Session, *, event: Event, organisation_ids: Iterable[int | None], also: int | None = None
) -> list[Opportunity]:
    """The projects a request between two organisations may name: the released projects of either in this
    event, and the one the reader came from (`also`), wherever it was released."""
    ids = [i for i in organisation_ids if i is not None]
    conditions = []
    if ids:
        conditions.append(
            and_(
                Opportunity.owner_org_id.in_(ids),
                Opportunity.event_id == event.id,
                Opportunity.status.in_(sorted(RELEASED_STATES)),
            )
        )
    if also is not None:
        conditions.append(Opportunity.id == also)
    if not conditions:
        return []
    return list(db.scalars(select(Opportunity).where(or_(*conditions)).order_by(Opportunity.title_zh)))


def check_project(db: Session, opportunity_id: str | None) -> int | None:
    """The `opportunity` a link carries, as an id; a value that names no project is refused beside the field."""
    if not opportunity_id:
        return None
    try:
        value = int(opportunity_id)
    except ValueError:
        value = 0
    if value <= 0 or db.get(Opportunity, value) is None:
        raise DomainError(_("No such project: %(id)s") % {"id": opportunity_id}, field="opportunity")
    return value


# -- where people decide -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """A participant the reader may ask for a meeting at an event both take part in."""

    event: Event
    card: Card


def meeting_offers(
    db: Session, *, actor: Actor, organisation_ids: Iterable[int | None]
) -> list[Offer]:
    """For a page about organisations (a project's owner, an organisation itself): their participants at the
    events where the reader takes part too, with the reader's request to each if any; nothing for anonymous
    readers, non-participants or the reader's own participant (four queries)."""
    ids = {i for i in organisation_ids if i is not None}
    if actor.account_id is None or not ids:
        return []
    mine = list(
        db.scalars(
            select(MeetingParticipant)
            .join(Account, Account.person_id == MeetingParticipant.person_id)
            .where(Account.id == actor.account_id)
        )
    )
    if not mine:
        return []
    by_event = {p.event_id: p for p in mine}
    theirs = [
        row
        for row in db.execute(
            select(MeetingParticipant, Person, Organisation, Event)
            .join(Person, Person.id == MeetingParticipant.person_id)
            .join(Organisation, Organisation.id == MeetingParticipant.organisation_id)
            .join(Event, Event.id == MeetingParticipant.event_id)
            .where(
                MeetingParticipant.organisation_id.in_(ids),
                MeetingParticipant.event_id.in_(list(by_event)),
                Event.is_published.is_(True),
            )
            .order_by(Event.starts_on.desc(), MeetingParticipant.id)
        )
        if row[0].id != by_event[row[0].event_id].id
    ]
    if not theirs:
        return []
    marks: dict[int, RequestMark] = {}
    for r in db.scalars(
        select(MeetingRequest).where(
            or_(
                and_(
                    MeetingRequest.requester_id.in_([p.id for p in mine]),
                    MeetingRequest.recipient_id.in_([row[0].id for row in theirs]),
                ),
                and_(
                    MeetingRequest.recipient_id.in_([p.id for p in mine]),
                    MeetingRequest.requester_id.in_([row[0].id for row in theirs]),
                ),
            )
        )
    ):
        outgoing = r.requester_id == by_event[r.event_id].id
        other = r.recipient_id if outgoing else r.requester_id
        if other not in marks or outgoing:
            marks[other] = RequestMark(r.id, r.state, outgoing)
    offers = []
    for p, person, org, event in theirs:
        c = _card(p, person, org)
        c.request = marks.get(p.id)
        offers.append(Offer(event, c))
    return offers
