"""The participant directory of an event and meeting requests made from where people decide.

- `GET /events/{slug}/meetings/people`: every participant of the event's meetings as a profile card, filtered by
  kind, industry, district and a text on names, a page at a time; each card offers "Request a meeting" to a
  participant (not on their own card; "already requested (state)" once they asked).
- `GET /events/{slug}/meetings/people/{participant_id}`: one participant's profile, with the same action.
- `GET /events/{slug}/meetings/people/{participant_id}/request`: the request form, with the recipient filled in
  (and the project a reader came from, `?opportunity=`), proposing the sessions where both are free. It posts
  to the meetings page's own handler (`POST /events/{slug}/meetings/requests`), which sends a refused form back
  here (`request_form_again`).
- `GET /api/v1/events/{slug}/meetings/people[/{participant_id}[/common-slots]]`: the same for other systems
  (`api`, included by `meetings/api.py`).

Who may read: the event's participants and its organisers (`directory.may_browse`); requesting is for its
participants. Anonymous visitors meet the login page (401 on the API), everyone else a 403.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.i18n import mark as _l
from duijie.core.schemas import ErrorBody
from duijie.core.validation import PathId
from duijie.core.web import allow, get_actor, get_db, render
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.meetings import directory, queries
from duijie.meetings import service as meeting_service
from duijie.meetings.enums import RequestState
from duijie.meetings.schemas_directory import (
    CommonSlotsRead,
    DirectoryPageRead,
    ParticipantCardRead,
    card_read,
    common_read,
    page_read,
)

router = APIRouter(include_in_schema=False)
api = APIRouter(
    prefix="/people",
    tags=["meetings"],
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)


def seat_of(
    event: Event = Depends(event_from_slug), db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> directory.Seat:
    """The event of the path and the reader's participant in it (loaded once per request)."""
    return directory.Seat(event, directory.participant_of(db, event=event, account_id=actor.account_id))


reader = allow(
    directory.may_browse,
    on=seat_of,
    message=_l("Only the participants and organisers of this event can see who takes part in its meetings."),
)
participant = allow(
    directory.takes_part, on=seat_of, message=_l("Only participants of this event can request meetings.")
)


def _session_label(session: str) -> str:
    return queries.session_label(session, is_zh())


PAGE_FUNCTIONS: Mapping[str, Any] = MappingProxyType({
    "RS": RequestState,
    "session_label": _session_label,
    "kind_label": lambda k: directory.label_of(directory.OrgKind, k),
    "district_label": directory.district_label,
    "industry_label": directory.industry_label,
})


def _render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return render(request, template, {**PAGE_FUNCTIONS, **context}, status_code=status_code)


# -- pages -------------------------------------------------------------------------------------------------


@router.get("/events/{slug}/meetings/people")
def people_page(
    request: Request,
    seat: directory.Seat = Depends(seat_of),
    db: Session = Depends(get_db),
    actor: Actor = Depends(reader),
) -> Response:
    """The directory: a page of profile cards; a filter it cannot read is named beside its field and left out."""
    params = dict(request.query_params)
    filters, errors = directory.parse_filters(params)
    page = directory.search(db, event=seat.event, filters=filters, viewer=seat.me)
    return _render(
        request,
        "meetings/people/list.html",
        {
            "event": seat.event,
            "me": seat.me,
            "result": page,
            "filters": filters,
            "params": filters.query(),
            "values": params,
            "errors": errors,
        },
        status_code=422 if errors else 200,
    )


@router.get("/events/{slug}/meetings/people/{participant_id}")
def person_page(
    request: Request,
    participant_id: PathId,
    seat: directory.Seat = Depends(seat_of),
    db: Session = Depends(get_db),
    actor: Actor = Depends(reader),
) -> Response:
    """One participant's profile: who they are, what they offer and seek, and the request action."""
    card = directory.card(db, event=seat.event, participant_id=participant_id, viewer=seat.me)
    common = None
    # When they could meet matters until a meeting is asked for (by the reader) or agreed.
    settled = card.request is not None and (card.request.outgoing or card.request.state == "accepted")
    if seat.me is not None and not card.own and not settled:
        other = meeting_service.get_participant(db, event=seat.event, id=participant_id)
        common = directory.common_slots(db, event=seat.event, a=seat.me, b=other)
    return _render(
        request,
        "meetings/people/profile.html",
        {"event": seat.event, "me": seat.me, "card": card, "common": common},
    )


def _request_context(
    db: Session,
    seat: directory.Seat,
    recipient_id: int,
    values: dict[str, Any],
    errors: dict[str, str],
) -> dict[str, Any]:
    """What the request form shows: the recipient's card, the sessions both are free in, the projects the
    request may name (the two sides' own in this event, and the one the reader came from)."""
    me = seat.me
    assert me is not None  # the route lets only participants through
    card = directory.card(db, event=seat.event, participant_id=recipient_id, viewer=me)
    if card.own:
        raise DomainError(_("You cannot request a meeting with yourself."), field="recipient")
    other = meeting_service.get_participant(db, event=seat.event, id=recipient_id)
    opportunity = values.get("opportunity") or None
    try:
        also = directory.check_project(db, opportunity)
    except DomainError as exc:
        errors = {"opportunity": exc.message, **errors}
        also, values = None, {**values, "opportunity": ""}
    return {
        "event": seat.event,
        "me": me,
        "card": card,
        "common": directory.common_slots(db, event=seat.event, a=me, b=other),
        "projects": directory.linkable_projects(
            db, event=seat.event, organisation_ids=(me.organisation_id, other.organisation_id), also=also
        ),
        "values": values,
        "chosen": set(values.get("sessions") or []),
        "errors": errors,
    }


@router.get("/events/{slug}/meetings/people/{participant_id}/request")
def request_form(
    request: Request,
    participant_id: PathId,
    seat: directory.Seat = Depends(seat_of),
    db: Session = Depends(get_db),
    actor: Actor = Depends(participant),
) -> Response:
    """The request form with the recipient (and the project, `?opportunity=`) filled in."""
    values = {"opportunity": (request.query_params.get("opportunity") or "").strip(), "message": "", "sessions": []}
    context = _request_context(db, seat, participant_id, values, {})
    return _render(
        request, "meetings/people/request.html", context, status_code=422 if context["errors"] else 200
    )


def request_form_again(
    request: Request,
    db: Session,
    event: Event,
    actor: Actor,
    values: dict[str, str],
    sessions: list[str],
    errors: dict[str, str],
) -> Response | None:
    """The request form sent back with the message beside its field (called by the meetings page's POST
    handler for a form posted from here); None when the recipient cannot be read, so the caller shows its own
    page."""
    seat = directory.Seat(event, directory.participant_of(db, event=event, account_id=actor.account_id))
    try:
        recipient_id = int(values.get("recipient") or "")
    except ValueError:
        return None
    if seat.me is None or recipient_id == seat.me.id:
        return None
    context = _request_context(db, seat, recipient_id, {**values, "sessions": sessions}, errors)
    return _render(request, "meetings/people/request.html", context, status_code=422)


# -- API ---------------------------------------------------------------------------------------------------


@api.get("", response_model=DirectoryPageRead)
def people_api(
    seat: directory.Seat = Depends(seat_of),
    db: Session = Depends(get_db),
    actor: Actor = Depends(reader),
    kind: Annotated[str | None, Query(max_length=20)] = None,
    industry: Annotated[str | None, Query(max_length=40)] = None,
    district: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=directory.SEARCH_MAX)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = directory.PER_PAGE,
) -> DirectoryPageRead:
    """A page of the event's participants with their profile cards (no contact details)."""
    filters, errors = directory.parse_filters(
        {"kind": kind or "", "industry": industry or "", "district": district or "", "q": q or "", "page": str(page)}
    )
    if errors:
        field, message = next(iter(errors.items()))
        raise DomainError(message, field=field)
    return page_read(directory.search(db, event=seat.event, filters=filters, viewer=seat.me, per_page=page_size))


@api.get("/{participant_id}", response_model=ParticipantCardRead)
def person_api(
    participant_id: PathId,
    seat: directory.Seat = Depends(seat_of),
    db: Session = Depends(get_db),
    actor: Actor = Depends(reader),
) -> ParticipantCardRead:
    """One participant's profile card."""
    return card_read(directory.card(db, event=seat.event, participant_id=participant_id, viewer=seat.me))


@api.get("/{participant_id}/common-slots", response_model=CommonSlotsRead)
def common_slots_api(
    participant_id: PathId,
    seat: directory.Seat = Depends(seat_of),
    db: Session = Depends(get_db),
    actor: Actor = Depends(participant),
) -> CommonSlotsRead:
    """The slots where the signed-in participant and this one are both free and neither has a meeting, by
    session: what `sessions` of a new request (`POST .../meetings/requests`) may prefer."""
    assert seat.me is not None  # the dependency lets only participants through
    other = meeting_service.get_participant(db, event=seat.event, id=participant_id)
    if other.id == seat.me.id:
        raise DomainError(_("You cannot request a meeting with yourself."), field="participant")
    common = directory.common_slots(db, event=seat.event, a=seat.me, b=other)
    return common_read(other.id, common, {s.session: _session_label(s.session) for s in common.sessions})
