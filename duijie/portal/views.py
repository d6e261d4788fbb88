"""The pages that gather several modules: the home page, the navigation's redirects, the organisation page and
the event page with its figures. Every route here is public on purpose: these pages show what is published."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.web import get_actor, get_db, render
from duijie.directory import users
from duijie.events.deps import event_from_slug
from duijie.events.figures import figure_text
from duijie.events.models import Event
from duijie.exhibition.models import Achievement
from duijie.insight.queries import event_stats
from duijie.matching.service import highlights as match_highlights
from duijie.meetings.directory import meeting_offers
from duijie.portal import permissions as rules
from duijie.portal import queries

router = APIRouter(include_in_schema=False)

# How many suggestions the home page's "recommended for you" card shows.
HIGHLIGHTS = 3


@router.get("/")
def home(request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)) -> Response:
    """The public front page; an investor or enterprise account also sees its best few suggestions (the
    matching module returns none for other accounts and for anonymous visitors)."""
    events = queries.published_events(db)
    summits = [(e, event_stats(db, e)) for e in events if e.kind == "summit"]
    highlights = match_highlights(db, actor=actor, limit=HIGHLIGHTS)
    # A new installation: no event yet, and perhaps no account either (then the first step is /setup).
    setup_needed = not events and not actor.is_authenticated and not users.any_account(db)
    return render(
        request,
        "portal/home.html",
        {"events": events, "summits": summits, "highlights": highlights, "setup_needed": setup_needed},
    )


@router.get("/contests")
def latest_contest(db: Session = Depends(get_db)) -> Response:
    """The navigation's "contest" entry: the most recent contest edition (the home page when there is none)."""
    slug = queries.latest_contest_slug(db)
    return RedirectResponse(f"/contests/{slug}" if slug else "/", status_code=307)


@router.get("/meetings")
def latest_meetings(db: Session = Depends(get_db)) -> Response:
    """The navigation's "meetings" entry: the most recent event with a meeting grid (else the home page)."""
    slug = queries.latest_meetings_slug(db)
    return RedirectResponse(f"/events/{slug}/meetings" if slug else "/", status_code=307)


@router.get("/organisations/{slug}")
def organisation_page(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    """Who the organisation is (directory), its released projects (marketplace) and the deals it is in that the
    reader may see (deals)."""
    page = queries.organisation_page(db, slug=slug, actor=actor)
    return render(
        request,
        "portal/organisation.html",
        {
            "org": page.org,
            "projects": page.projects,
            "deals": page.deals,
            "rules": rules,
            # Its participants at the reader's events, to request a meeting with (meetings' directory).
            "meeting_offers": meeting_offers(db, actor=actor, organisation_ids=[page.org.id]),
        },
    )


@router.get("/events/{slug}")
def event_page(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    """What the event is, its headline figures computed from the records and checked against the published ones."""
    page = queries.event_page(db, event, actor)
    return render(
        request,
        "portal/event.html",
        {
            "event": page.event,
            "stats": page.stats,
            "checks": page.checks,
            "other_figures": page.other_figures,
            "children": page.children,
            "programme": page.programme,
            "achievements": db.scalar(
                select(func.count()).select_from(Achievement).where(Achievement.event_id == page.event.id)
            ),
            "rules": rules,
            "figure_text": figure_text,
        },
    )
