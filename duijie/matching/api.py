"""JSON API: recommendations with their explained parts, "not interested" feedback, the batch job's state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.core.validation import QueryId
from duijie.core.web import get_db, require_login
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.matching import service as match_service
from duijie.matching import settings as weight_settings
from duijie.matching.jobs import job_status
from duijie.matching.permissions import can_see_matches, organiser_of_event
from duijie.matching.schemas import (
    FeedbackCreate,
    FeedbackRead,
    JobRead,
    Kind,
    PartRead,
    RecommendationPage,
    RecommendationRead,
    WeightsRead,
)

router = APIRouter(prefix="/api/v1", tags=["matching"])

def _names(kind: str, record: Any) -> tuple[str, str | None]:
    """A suggestion's name in both languages: an opportunity's title, a participant's person and organisation."""
    if kind in ("project", "demand", "offer"):
        return record.title_zh, record.title_en
    if kind == "participant":
        org, person = record.organisation, record.person
        if person is None:
            return org.name_zh, org.name_en
        return (
            f"{person.name_zh}（{org.name_zh}）",
            f"{person.name_en or person.name_zh} ({org.name_en or org.name_zh})",
        )
    return record.name_zh, record.name_en


def _read(s: match_service.Suggestion) -> RecommendationRead:
    record: Any = s.record
    name_zh, name_en = _names(s.kind, record)
    return RecommendationRead(
        kind=s.kind,
        id=record.id,
        name_zh=name_zh,
        name_en=name_en,
        score=round(s.score, 4),
        reasons=[r.text for r in s.reasons],
        parts=[
            PartRead(
                name=p["name"],
                value=p["value"],
                weight=p["weight"],
                contribution=p["contribution"],
                reason_zh=p["zh"],
                reason_en=p["en"],
            )
            for p in s.row.parts
        ],
    )


@router.get("/recommendations", response_model=RecommendationPage)
def list_recommendations(
    kind: Kind,
    id: QueryId,
    want: Kind,
    event: str | None = None,
    limit: int = Query(10, ge=1, le=50),
    industry: str | None = None,
    district: str | None = None,
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> RecommendationPage:
    """Suggestions of kind `want` for the record `kind`/`id`, each with its score and explained parts.

    Pairs: investor→project, investor→enterprise, enterprise→enterprise, demand→offer (a technology demand's
    offers), participant→participant (people to meet at an event), and the reverse of each (a project's or an
    enterprise's investors, an offer's demands). Only the organiser and whoever speaks for the record see them:
    that rule is about the record, so it is checked once the record is loaded.
    """
    record = match_service.get_record(db, kind, id)
    found = match_service.event_for(db, kind, record, event)
    require(
        can_see_matches,
        actor,
        (kind, record, found),
        message=_("You can only see the recommendations of your own organisation."),
    )
    if found is None:
        raise NotFound(_("No matches have been computed yet."))
    items = match_service.recommendations(
        db,
        event=found,
        kind=kind,
        record_id=id,
        want=want,
        account_id=actor.account_id,
        limit=limit,
        industry=industry,
        district=district,
    )
    return RecommendationPage(event=found.slug, kind=kind, id=id, want=want, items=[_read(s) for s in items])


@router.post("/recommendations/feedback", response_model=FeedbackRead, status_code=201)
def give_feedback(
    data: FeedbackCreate, db: Session = Depends(get_db), actor: Actor = Depends(require_login)
) -> FeedbackRead:
    """Mark a suggestion "not interested": it disappears for this account and weighs on similar ones (the
    service checks that the account speaks for the record, which the body names)."""
    event = match_service.current_event(db, data.event)
    assert event is not None
    feedback = match_service.mark_not_interested(
        db,
        actor=actor,
        event=event,
        left_kind=data.left_kind,
        left_id=data.left_id,
        right_kind=data.right_kind,
        right_id=data.right_id,
    )
    return FeedbackRead(
        id=feedback.id,
        left_kind=feedback.left_kind,
        left_id=feedback.left_id,
        right_kind=feedback.right_kind,
        right_id=feedback.right_id,
        response=feedback.response,
    )


@router.get(
    "/events/{slug}/matching/job", response_model=JobRead, dependencies=[Depends(organiser_of_event)]
)
def matching_job(
    request: Request, event: Event = Depends(event_from_slug), db: Session = Depends(get_db)
) -> JobRead:
    """The event's background matching job: state, step, progress, times and the error if it failed."""
    job = job_status(db, event)
    if job is None:
        return JobRead(event=event.slug, state=None, running=False)
    return JobRead(event=event.slug, **{k: v for k, v in job.items() if k in JobRead.model_fields})


def _weights_read(db: Session, event: Event) -> WeightsRead:
    state = weight_settings.weights_state(db, event)
    return WeightsRead(
        event=event.slug,
        kinds=state.kinds,
        weights=state.weights,
        defaults=state.defaults,
        overrides=state.overrides,
        stale=state.stale,
    )


@router.get(
    "/events/{slug}/matching/weights", response_model=WeightsRead, dependencies=[Depends(organiser_of_event)]
)
def get_weights(event: Event = Depends(event_from_slug), db: Session = Depends(get_db)) -> WeightsRead:
    """The event's part weights per pair kind (its overrides, else the defaults) and whether the stored matches
    were computed with other ones; `kinds` are those the event's groups use."""
    return _weights_read(db, event)


@router.put("/events/{slug}/matching/weights", response_model=WeightsRead)
def put_weights(
    data: Any = Body(..., examples=[{"investor_project": {"semantic": 0.3, "district": 0}}]),
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser_of_event),
) -> WeightsRead:
    """Replace the event's overrides with `{pair_kind: {part: weight}}` (each 0 to 1; `{}` restores the
    defaults); the stored matches change at the next run. A refused weight is named in `details[].field`
    as `pair_kind.part`."""
    weight_settings.set_weights(db, event=event, actor=actor, data=data)
    return _weights_read(db, event)
