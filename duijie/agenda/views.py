"""The programme's public pages: timetable, session list and pages, speakers, the personal agenda, stars and
calendar files.

Every page of an event is public on purpose for a published event (a draft is the same 404 as no event, through
`event_from_slug`); starring and the personal agenda need a signed-in account (`require_login`); the personal
feed is opened by the secret token in its address alone, since calendar applications poll without a session.

Times are shown in the event's zone unless the reader chose another (`tz` query, remembered in a cookie): see
`timezones.py`. English pages show the English texts, a missing one replaced by the Chinese marked `lang="zh"`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from email.utils import format_datetime
from hashlib import sha256
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.agenda import feeds, queries, stars, timezones
from duijie.agenda.hooks_public import feed_key
from duijie.agenda.models import AgendaSession
from duijie.core import i18n
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import NotFound
from duijie.core.i18n import bilingual
from duijie.core.i18n import gettext as _
from duijie.core.web import csrf_form, get_actor, get_db, render, require_login, safe_next
from duijie.directory.accounts import actor_for_account
from duijie.directory.models import Account
from duijie.events.deps import event_from_slug
from duijie.events.models import Event

router = APIRouter(include_in_schema=False)

SPEAKERS_PAGE = 60
# The query parameters a share link drops: the reader's own zone and language are theirs, not the page's.
_PERSONAL = ("tz", "lang")


def _choice(request: Request, event_timezone: str | None) -> timezones.Choice:
    return timezones.choose(
        request.query_params.get("tz"), unquote(request.cookies.get(timezones.COOKIE, "")), event_timezone=event_timezone
    )


def _remember(response: Response, request: Request, choice: timezones.Choice) -> Response:
    """Keeps the zone the reader just chose for their next pages (the event's own: forget the choice)."""
    asked = request.query_params.get("tz")
    if asked is None or choice.error:
        return response
    if asked == timezones.EVENT_ZONE:
        response.delete_cookie(timezones.COOKIE)
    else:
        # Quoted: a cookie value may not hold "/", which every zone name but UTC has.
        response.set_cookie(timezones.COOKIE, quote(choice.name, safe=""), max_age=365 * 24 * 3600, samesite="lax")
    return response


def _links(request: Request, drop: Iterable[str] = ()) -> dict[str, str]:
    """The page's address to share (without the reader's zone and language, nor the values in `drop`: filters
    that were refused) and its language alternates."""
    dropped = set(_PERSONAL) | set(drop)
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in dropped]
    base = str(request.url.replace(query=""))
    share = base + ("?" + urlencode(kept) if kept else "")
    sep = "&" if kept else "?"
    return {
        "share_url": share,
        "alt_zh": share + sep + "lang=zh_CN",
        "alt_en": share + sep + "lang=en",
    }


def _zones(choice: timezones.Choice, moment: dt.datetime) -> list[tuple[str, str]]:
    """The switch's options: the event's zone first, the common zones, and the chosen one if it is none of
    those (a zone a browser reported)."""
    own = (timezones.EVENT_ZONE, _("Event time: %(zone)s") % {"zone": timezones.zone_label(choice.event_name, moment)})
    names = [name for name, _label in timezones.COMMON_ZONES]
    options = [own] + [(n, timezones.zone_label(n, moment)) for n in names]
    if choice.asked not in names and choice.asked != timezones.EVENT_ZONE and choice.error is None:
        options.append((choice.asked, timezones.zone_label(choice.asked, moment)))
    return options


def _page(
    request: Request,
    template: str,
    event: Event | None,
    choice: timezones.Choice,
    context: dict[str, Any],
    *,
    moment: dt.datetime | None = None,
    status: int = 200,
) -> Response:
    """Renders a programme page with what every one of them shows: the zone switch, its labels, the share
    link and the language alternates; remembers a zone just chosen."""
    when = moment or (
        dt.datetime.combine(event.starts_on, dt.time(12), tzinfo=dt.UTC) if event is not None else utcnow()
    )
    ctx: dict[str, Any] = {
        "event": event,
        "zone": choice,
        "zone_options": _zones(choice, when),
        "zone_label": choice.label(when),
        "zone_offset": timezones.offset_text(when, choice.tz),
        "event_zone_label": timezones.zone_label(choice.event_name, when),
        "span": lambda s: timezones.span(choice, s.starts_at, s.ends_at) if s.starts_at and s.ends_at else None,
        "day_label": timezones.day_label,
        "kind_label": lambda v: queries.label(queries.KINDS, v),
        "mode_label": lambda v: queries.label(queries.MODES, v),
        "language_label": lambda v: queries.label(queries.LANGUAGES, v),
        "role_label": lambda v: queries.label(queries.ROLES, v),
        "industry_label": queries.industry_label,
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **_links(request),
    }
    ctx.update(context)
    return _remember(render(request, template, ctx, status_code=status), request, choice)


def _day(request: Request, days: list[dt.date], choice: timezones.Choice) -> tuple[dt.date | None, str | None]:
    """The day the timetable shows: the asked one, else today if the programme runs today, else the first."""
    asked = str(request.query_params.get("day", "")).strip()
    if asked:
        try:
            day = dt.date.fromisoformat(asked)
        except ValueError:
            return (days[0] if days else None), _("Write the day as 2026-04-25.")
        if day in days:
            return day, None
        return (days[0] if days else None), _("The programme has no session on %(day)s.") % {"day": asked[:20]}
    today = choice.day(utcnow())
    return (today if today in days else (days[0] if days else None)), None


@router.get("/events/{slug}/agenda")
def agenda_page(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    """The timetable of one day (tabs for the others) by time and room, in the reader's chosen zone."""
    choice = _choice(request, event.timezone)
    days = queries.session_days(db, event, choice)
    day, day_error = _day(request, days, choice)
    sessions: list[AgendaSession] = []
    if day is not None:
        sessions = queries.sessions_between(db, event, *queries.day_bounds(choice, day))
    grid = queries.timetable(sessions, queries.rooms(db, event))
    found = queries.speakers_by_id(db, event, queries.speaker_ids(sessions))
    moment = sessions[0].starts_at if sessions else None
    return _page(
        request,
        "agenda/public/agenda.html",
        event,
        choice,
        {
            "days": days,
            "day": day,
            "day_error": day_error,
            "grid": grid,
            "people": queries.people_on(sessions, found),
            "starred": queries.starred_ids(db, actor.account_id, [s.id for s in sessions]),
            "unscheduled": queries.unscheduled(db, event),
        },
        moment=moment,
        status=200,
    )


@router.get("/events/{slug}/sessions")
def sessions_page(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    """The event's sessions, filtered (topic, industry, language, type, day, room, words) and by pages; a value
    that names nothing of this event gets its message beside its field."""
    choice = _choice(request, event.timezone)
    rooms, tracks, industries = queries.rooms(db, event), queries.tracks(db, event), queries.industries(db, event)
    params = dict(request.query_params)
    f = queries.parse_filters(
        params,
        room_ids={r.id for r in rooms},
        track_ids={t.id for t in tracks},
        industry_codes=set(industries),
    )
    rows, total = queries.filtered_sessions(db, event, f, choice)
    found = queries.speakers_by_id(db, event, queries.speaker_ids(rows))
    kept = {k: v for k, v in f.values.items() if v and k not in f.errors}
    return _page(
        request,
        "agenda/public/sessions.html",
        event,
        choice,
        {
            "rows": rows,
            "total": total,
            "filters": f,
            "params": kept,
            "pages": max(1, -(-total // queries.PAGE_SIZE)),
            "rooms": rooms,
            "tracks": tracks,
            "industries": industries,
            "kinds": list(queries.KINDS),
            "languages": list(queries.LANGUAGES),
            "days": queries.session_days(db, event, choice),
            "people": queries.people_on(rows, found),
            "starred": queries.starred_ids(db, actor.account_id, [s.id for s in rows]),
            **_links(request, drop=f.errors),
        },
        moment=rows[0].starts_at if rows and rows[0].starts_at else None,
        status=422 if f.errors else 200,
    )


def _session_or_404(db: Session, event: Event, session_id: str) -> AgendaSession:
    session = queries.get_session(db, event, int(session_id)) if session_id.isdigit() and len(session_id) < 12 else None
    if session is None:
        raise NotFound(_("This session is not on the programme of this event."), field="session")
    return session


def _site(request: Request) -> tuple[str, str]:
    """The site's host (for UIDs) and base address (for links), as this request reached it."""
    return request.url.hostname or "duijie", f"{request.url.scheme}://{request.url.netloc}"


@router.get("/events/{slug}/sessions/{session_id}.ics")
def session_ics(
    session_id: str,
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """The session as a calendar file ("add to calendar"): the same UID as in the personal feed."""
    session = _session_or_404(db, event, session_id)
    if session.starts_at is None or session.ends_at is None:
        raise NotFound(_("This session has no time yet, so it cannot be added to a calendar."), field="session")
    host, base = _site(request)
    body = feeds.calendar(
        [session], {event.id: event}, host=host, base_url=base,
        name=bilingual(session.title_zh, session.title_en), feed=False,
    )  # fmt: skip
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="session-{session.id}.ics"'},
    )


@router.get("/events/{slug}/sessions/{session_id}")
def session_page(
    session_id: str,
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    """One session: time in the chosen zone, room, interpretation, mode and stream, language, topic, people,
    description, calendar file, star and share link."""
    session = _session_or_404(db, event, session_id)
    choice = _choice(request, event.timezone)
    found = queries.speakers_by_id(db, event, queries.speaker_ids([session]))
    return _page(
        request,
        "agenda/public/session.html",
        event,
        choice,
        {
            "s": session,
            "people": queries.people_on([session], found)[session.id],
            "starred": session.id in queries.starred_ids(db, actor.account_id, [session.id]),
            # When read in another zone, the event's own time as well (what the venue's clocks will say).
            "event_span": (
                timezones.span(timezones.choose(None, None, event_timezone=event.timezone), session.starts_at, session.ends_at)
                if session.starts_at and session.ends_at
                else None
            ),
        },
        moment=session.starts_at,
    )


@router.post("/events/{slug}/sessions/{session_id}/star")
def star_session(
    session_id: str,
    actor: Actor = Depends(require_login),
    form: FormData = Depends(csrf_form),
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """Star (`star=1`) or unstar (`star=0`) the session, then back to the page the button was on."""
    session = _session_or_404(db, event, session_id)
    assert actor.account_id is not None
    stars.set_star(db, account_id=actor.account_id, session=session, starred=form.get("star") != "0")
    target = safe_next(form.get("next"), f"/events/{event.slug}/sessions/{session.id}")
    return RedirectResponse(target, status_code=303)


@router.get("/events/{slug}/speakers")
def speakers_page(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """Everyone speaking or moderating at the event, with title and organisation, by pages of `SPEAKERS_PAGE`
    (a forum has a thousand speakers)."""
    choice = _choice(request, event.timezone)
    everyone = queries.event_speakers(db, event)
    pages = max(1, -(-len(everyone) // SPEAKERS_PAGE))
    asked = str(request.query_params.get("page", "1"))
    page = min(int(asked), pages) if asked.isdigit() and 0 < len(asked) < 7 and int(asked) > 0 else 1
    shown = everyone[(page - 1) * SPEAKERS_PAGE : page * SPEAKERS_PAGE]
    return _page(
        request, "agenda/public/speakers.html", event, choice,
        {"speakers": shown, "total": len(everyone), "page": page, "pages": pages},
    )  # fmt: skip


@router.get("/events/{slug}/speakers/{person_id}")
def speaker_page(
    person_id: str,
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    """A speaker: bio in the page's language (the other marked as such when missing) and their sessions here."""
    pid = int(person_id) if person_id.isdigit() and len(person_id) < 12 else None
    sessions = queries.sessions_of_person(db, event, pid) if pid is not None else []
    if pid is None or not sessions:
        raise NotFound(_("This person is not on the programme of this event."), field="person")
    found = queries.speakers_by_id(db, event, queries.speaker_ids(sessions))
    choice = _choice(request, event.timezone)
    return _page(
        request,
        "agenda/public/speaker.html",
        event,
        choice,
        {
            "speaker": found[pid],
            "rows": sessions,
            "people": queries.people_on(sessions, found),
            "roles": {s.id: next((x.role for x in s.speakers if x.person_id == pid), "speaker") for s in sessions},
            "starred": queries.starred_ids(db, actor.account_id, [s.id for s in sessions]),
        },
        moment=sessions[0].starts_at,
    )


def _account(db: Session, actor: Actor) -> Account:
    account = db.get(Account, actor.account_id) if actor.account_id is not None else None
    if account is None:
        raise NotFound(_("No such account."))
    return account


@router.get("/me/agenda")
def my_agenda(request: Request, db: Session = Depends(get_db), actor: Actor = Depends(require_login)) -> Response:
    """My starred sessions of every event and my 1:1 meetings, in one chronological list in the chosen zone,
    with the address of the feed that carries the sessions to a calendar."""
    account = _account(db, actor)
    entries = stars.personal_agenda(db, account=account, actor=actor)
    first = next((e for e in entries if e.event is not None), None)
    choice = _choice(request, first.event.timezone if first and first.event else None)
    key = feed_key()
    feed_url = None
    if key is not None:
        token = key.token(db, account, request.app.state.settings.secret_key)
        feed_url = str(request.url_for("agenda_feed", token=token))
    now = utcnow()
    return _page(
        request,
        "agenda/public/me_agenda.html",
        None,
        choice,
        {
            "entries": entries,
            "upcoming": [e for e in entries if e.ends_at is None or e.ends_at >= now],
            "past": [e for e in entries if e.ends_at is not None and e.ends_at < now],
            "entry_span": lambda e: timezones.span(choice, e.starts_at, e.ends_at) if e.starts_at and e.ends_at else None,
            "feed_url": feed_url,
            "webcal": ("webcal://" + feed_url.split("://", 1)[1]) if feed_url else None,
        },
        moment=next((e.starts_at for e in entries if e.starts_at), None),
    )


@router.get("/agenda/calendar/{token}.ics", name="agenda_feed")
def agenda_feed(token: str, request: Request, db: Session = Depends(get_db)) -> Response:
    """The starred sessions as a subscribed calendar. Public on purpose: the token in the address is the key
    (the meetings feed's token, reset on "My calendar"); a wrong or reset one is a 404."""
    key = feed_key()
    account = key.account(db, token, request.app.state.settings.secret_key) if key is not None else None
    if account is None:
        raise NotFound(_("No such calendar feed: the address is wrong or was reset."))
    sessions = queries.starred_sessions(db, account.id, actor_for_account(account))
    ids = {s.event_id for s in sessions}
    events = {e.id: e for e in db.scalars(select(Event).where(Event.id.in_(ids)))} if ids else {}
    host, base = _site(request)
    # The calendar reads in the account's own language, whatever the polling client sends.
    locale = i18n.set_locale(i18n.normalize_locale(account.locale or i18n.get_locale()))
    try:
        body = feeds.calendar(
            sessions, events, host=host, base_url=base, name=_("My forum agenda · duijie"), feed=True
        )
    finally:
        i18n.reset_locale(locale)
    etag = '"' + sha256(body.encode()).hexdigest()[:32] + '"'
    last = feeds.last_modified(sessions, account.created_at)
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(last, usegmt=True),
        "Cache-Control": "private, no-cache",
    }
    if request.headers.get("if-none-match", "").strip().removeprefix("W/") == etag:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="duijie-agenda.ics"'
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


# The organiser's programme pages are written apart and served with these.
from duijie.agenda import views_manage  # noqa: E402

router.include_router(views_manage.router)
