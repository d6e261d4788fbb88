"""The reads behind the portal's pages: they gather records of several modules (events, marketplace, deals,
meetings, insight's figures), which is why they live on the top floor and not in any one of those modules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from duijie.agenda.models import AgendaSession, SessionSpeaker
from duijie.core.auth import Actor
from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.deals.models import Deal, DealParty
from duijie.deals.permissions import visible_deals
from duijie.directory.models import Organisation
from duijie.directory.organisations import listed
from duijie.directory.permissions import can_decide_sign_ups
from duijie.events.models import Event, PublishedFigure
from duijie.events.permissions import visible_clause
from duijie.insight.figures import agrees
from duijie.insight.queries import EventStats, event_stats
from duijie.marketplace.enums import RELEASED_STATES
from duijie.marketplace.models import Opportunity
from duijie.meetings.models import MeetingSlot
from duijie.registration import service as registration

# How many projects and deals an organisation page lists (the largest and the latest first).
ORGANISATION_LIST_LIMIT = 50

# The published figures the event page checks against the records, each with the computed figure's name.
CHECKED_FIGURES = ("released_count", "released_amount", "signed_count", "signed_amount")


def published_events(db: Session) -> list[Event]:
    """The published events, the latest first: the home page's list."""
    return list(
        db.scalars(select(Event).where(Event.is_published.is_(True)).order_by(Event.starts_on.desc(), Event.id))
    )


def latest_contest_slug(db: Session) -> str | None:
    """The most recent published contest edition, where the navigation's "contest" entry leads."""
    return db.scalar(
        select(Event.slug)
        .where(Event.kind == "contest", Event.is_published.is_(True))
        .order_by(Event.starts_on.desc())
        .limit(1)
    )


def latest_meetings_slug(db: Session) -> str | None:
    """The most recent event with a meeting grid, where the navigation's "meetings" entry leads."""
    return db.scalar(
        select(Event.slug)
        .join(MeetingSlot, MeetingSlot.event_id == Event.id)
        .where(Event.is_published.is_(True))
        .order_by(Event.starts_on.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class OrganisationPage:
    """What the organisation page shows: the directory record, its released projects and the deals it is in."""

    org: Organisation
    projects: list[Opportunity]
    deals: list[Deal]


def organisation_page(db: Session, *, slug: str, actor: Actor) -> OrganisationPage:
    """The organisation with this slug, its projects and the deals it is in that the reader may see (see
    deals.permissions), or a translated 404."""
    # The organiser who decides on sign-ups also sees an applicant's organisation, which nobody else does yet.
    shown = [] if can_decide_sign_ups(actor) else [listed()]
    org = db.scalar(select(Organisation).where(Organisation.slug == slug, *shown))
    if org is None:
        raise NotFound(_("No such organisation: %(id)s") % {"id": slug})
    projects = list(
        db.scalars(
            select(Opportunity)
            .where(Opportunity.owner_org_id == org.id, Opportunity.status.in_(RELEASED_STATES))
            .options(selectinload(Opportunity.event))
            .order_by(Opportunity.amount.desc())
            .limit(ORGANISATION_LIST_LIMIT)
        )
    )
    deals = list(
        db.scalars(
            select(Deal)
            .join(DealParty)
            .where(DealParty.organisation_id == org.id, visible_deals(actor))
            .options(selectinload(Deal.event))
            .order_by(Deal.signed_on.desc(), Deal.id)
            .limit(ORGANISATION_LIST_LIMIT)
        )
    )
    return OrganisationPage(org=org, projects=projects, deals=deals)


@dataclass(frozen=True)
class FigureCheck:
    """A figure the organiser published next to the same figure summed from the records."""

    figure: PublishedFigure
    published: str
    computed: str

    @property
    def ok(self) -> bool:
        """The records bear the figure out, read with its printed qualifier (超608 holds for 613)."""
        return agrees(self.figure.qualifier, Decimal(self.published), Decimal(self.computed))


@dataclass(frozen=True)
class EventPage:
    """What the event page shows: the figures computed from the records, the published ones checked against
    them, the other published figures, and the events held within this one."""

    event: Event
    stats: EventStats
    checks: list[FigureCheck]
    other_figures: list[PublishedFigure]
    children: list[Event]
    programme: ProgrammeSummary | None = None


@dataclass
class ProgrammeSummary:
    """The forum part of an event page: how big the programme is, and whether one may register."""

    sessions: int
    parallel_forums: int
    speakers: int
    days: int
    registration_open: bool


def programme_summary(db: Session, event: Event) -> ProgrammeSummary | None:
    """The programme's size (sessions not cancelled, parallel forums, distinct people on them, days) and whether
    a public registration category is open; None when the event has neither a programme nor registration."""
    live = (AgendaSession.event_id == event.id, AgendaSession.cancelled_at.is_(None))
    sessions, forums, first, last = db.execute(
        select(
            func.count(AgendaSession.id),
            func.count(AgendaSession.id).filter(AgendaSession.kind == "parallel_forum"),
            func.min(AgendaSession.starts_at),
            func.max(AgendaSession.starts_at),
        ).where(*live)
    ).one()
    speakers = db.scalar(
        select(func.count(func.distinct(SessionSpeaker.person_id)))
        .join(AgendaSession, AgendaSession.id == SessionSpeaker.session_id)
        .where(*live)
    )
    open_now = bool(registration.public_categories(db, event=event))
    if not sessions and not open_now:
        return None
    days = (last.date() - first.date()).days + 1 if first is not None and last is not None else 0
    return ProgrammeSummary(
        sessions=sessions, parallel_forums=forums, speakers=speakers or 0, days=days, registration_open=open_now
    )


def event_page(db: Session, event: Event, actor: Actor) -> EventPage:
    """The event's figures and the events within it that the reader may see."""
    stats = event_stats(db, event)
    figures = {f.key: f for f in db.scalars(select(PublishedFigure).where(PublishedFigure.event_id == event.id))}
    computed = {
        "released_count": str(stats.released.count),
        "released_amount": stats.released.amount_yi,
        "signed_count": str(stats.signed.count),
        "signed_amount": stats.signed.amount_yi,
    }
    checks = [
        FigureCheck(figure=fig, published=f"{fig.value.normalize():f}", computed=computed[key])
        for key in CHECKED_FIGURES
        if (fig := figures.get(key)) is not None
    ]
    other = [f for k, f in figures.items() if not k.startswith(("released_", "signed_"))]
    children = list(
        db.scalars(
            select(Event).where(Event.parent_id == event.id, visible_clause(actor)).order_by(Event.starts_on)
        )
    )
    return EventPage(
        event=event, stats=stats, checks=checks, other_figures=other, children=children,
        programme=programme_summary(db, event),
    )  # fmt: skip
