"""Contest pages: the public edition, finalists and winners, and a judge's queue and scoring form. The organiser's
pages are in `views_organiser.py` (structure, conflicts, awards) and `views_rounds.py` (rounds, assignment,
rankings); their routes are served through this module's router."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.contest import queries, views_judges, views_organiser, views_rounds
from duijie.contest.deps import contest_from_slug, judge, my_review, page
from duijie.contest.domain.awards import SUPPORT_KINDS
from duijie.contest.domain.entries import get_entry
from duijie.contest.domain.judge_setup import own_conflicts
from duijie.contest.domain.judges import judge_for_actor
from duijie.contest.domain.scores import check_marks, save_score, score_of
from duijie.contest.domain.structure import list_regions, synthetic_codes
from duijie.contest.models import ContestRound, ReviewAssignment
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.web import csrf_form, get_actor, get_db
from duijie.events.models import Event

router = APIRouter(include_in_schema=False)
router.include_router(views_organiser.router)
router.include_router(views_rounds.router)
router.include_router(views_judges.router)

SUPPORT_EN = {
    "场景需求对接": "Matching with application scenarios",
    "投融资": "Investment and financing",
    "空间落地": "Space to set up",
    "创业辅导": "Start-up mentoring",
}


# ------------------------------------------------------------------------------------------------ public


@router.get("/contests/{slug}")
def contest_page(
    request: Request,
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """The edition's figures beside the published ones, its fields and regions, and the finalists (public)."""
    ov = queries.overview(db, event=event)
    return page(
        request,
        "contest/overview.html",
        {
            "event": event,
            "ov": ov,
            "finalists": queries.finalists(db, event=event, final=ov.final),
            "regions": list_regions(db, event=event),
            "figure_labels": {
                "entries": _("Entries"),
                "countries": _("Countries and regions"),
                "regions": _("Regions"),
                "fields": _("Fields"),
                "preliminary_contests": _("Regional and field contests"),
                "finalists": _("Finalists"),
                "international_share": _("International entries"),
            },
        },
    )


@router.get("/contests/{slug}/winners")
def winners_page(
    request: Request,
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """The winners with their places and support, and each field's TOP10 (public)."""
    return page(
        request,
        "contest/winners.html",
        {
            "event": event,
            "awards": queries.awards(db, event=event),
            "support_kinds": SUPPORT_KINDS,
            "support_en": SUPPORT_EN,
            "top10": queries.field_top10(db, event=event),
            "synthetic": synthetic_codes(db, event=event),
        },
    )


# ------------------------------------------------------------------------------------------------- judge


@router.get("/contests/{slug}/review")
def judge_queue(
    request: Request,
    actor: Actor = Depends(judge),
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """The signed-in judge's reviews in this edition (403 for any other account: the page exists, it is not
    theirs)."""
    own = judge_for_actor(db, event=event, actor=actor)
    if own is None:
        raise PermissionDenied(_("Your account is not a judge of this contest."))
    queue = queries.judge_queue(db, judge=own)
    return page(
        request,
        "contest/queue.html",
        {
            "event": event,
            "judge": own,
            "queue": queue,
            "open": sum(1 for r in queue if r.status != "submitted"),
            "my_conflicts": own_conflicts(db, judge=own),
            "notice": request.query_params.get("done", ""),
        },
    )


def _score_context(db: Session, event: Event, row: ReviewAssignment, **extra: Any) -> dict[str, Any]:
    rnd = db.get(ContestRound, row.round_id)
    score = score_of(db, row=row)
    return {
        "event": event,
        "row": row,
        "rnd": rnd,
        "entry": get_entry(db, event=event, id=row.entry_id),
        "score": score,
        "marks": dict((score.values or {}) if score else {}),
        "comment": score.comment if score else "",
        "errors": {},
        **extra,
    }


@router.get("/contests/{slug}/review/{assignment_id}")
def score_form(
    request: Request,
    row: ReviewAssignment = Depends(my_review),
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """The scoring form of one review: for its judge (or the organiser), 404 for anyone else."""
    return page(
        request, "contest/score.html", _score_context(db, event, row, saved=request.query_params.get("saved"))
    )


@router.post("/contests/{slug}/review/{assignment_id}")
def score_submit(
    request: Request,
    row: ReviewAssignment = Depends(my_review),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    """Save the marks as a draft or submit them; who may post is checked before the form is read."""
    rnd = db.get(ContestRound, row.round_id)
    assert rnd is not None
    errors: dict[str, str] = {}
    marks: dict[str, float] = {}
    raw = {c["code"]: str(form.get(f"mark_{c['code']}", "")).strip() for c in rnd.criteria}
    for c in rnd.criteria:
        try:
            marks[c["code"]] = float(raw[c["code"]])
        except ValueError:
            errors[c["code"]] = _("%(criterion)s: give a mark from 0 to 10.") % {"criterion": c["name_zh"]}
    try:
        check_marks(rnd, marks)
    except DomainError as exc:
        for detail in exc.details:
            errors.setdefault(detail.field or "form", detail.message)
    comment = str(form.get("comment", ""))
    submit = form.get("action") == "submit"
    if not errors:
        try:
            save_score(db, actor=actor, row=row, marks=marks, comment=comment, submit=submit)
            if submit:
                return RedirectResponse(f"/contests/{event.slug}/review?done={row.id}", status_code=303)
            return RedirectResponse(f"/contests/{event.slug}/review/{row.id}?saved=1", status_code=303)
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            for detail in exc.details:
                errors.setdefault(detail.field or "form", detail.message)
    ctx = _score_context(db, event, row, errors=errors)
    ctx["marks"] = raw
    ctx["comment"] = comment
    return page(request, "contest/score.html", ctx, status_code=422)
