"""The organiser's round pages: a round's rules and criteria, its judge assignment (run as a background job, whose
state and progress the page shows), replacing a judge who dropped out, its reviews, ranking and closing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.contest import queries
from duijie.contest.deps import (
    PAGE_SIZE,
    contest_from_slug,
    criteria_rows,
    note_error,
    organiser,
    padded_rows,
    page,
    page_number,
    whole,
)
from duijie.contest.domain.judges import get_judge
from duijie.contest.domain.rankings import close_round, ranking
from duijie.contest.domain.reviews import drop_judge
from duijie.contest.domain.rounds import (
    criteria_from_rows,
    get_round,
    last_run,
    round_entries,
    round_has_assignments,
    scored_count,
    update_round,
)
from duijie.contest.domain.structure import list_fields, list_regions
from duijie.contest.jobs import job_status, start_job
from duijie.contest.models import ContestRound
from duijie.contest.scoring import Method
from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.web import csrf_form, get_db
from duijie.events.models import Event

router = APIRouter(include_in_schema=False)


def _certificate_text(run: dict[str, Any] | None) -> tuple[str, str]:
    """The certificate's method and proof in the reader's language (the algorithm words them in English)."""
    if not run:
        return "", ""
    method = str(run.get("method", ""))
    if method.startswith("CP-SAT"):
        name = _("Exact constraint programming (CP-SAT): the lowest entry first, then the total")
    elif method.startswith("Lagrangian"):
        rounds = "".join(c for c in method.split("(")[-1] if c.isdigit()) or "0"
        name = _("Lagrangian weighted min-cost flows (%(n)s rounds)") % {"n": rounds}
        if "local search" in method:
            name += _(" and local search")
    elif "freed slots" in method:
        name = _("Min-cost flow over the freed places only")
    else:
        name = _("Min-cost flow")
    if run.get("objective") == "total":
        proof = _(
            "The flow is optimal for the affinities at the stated resolution; its whole-number solution is also "
            "optimal for the linear relaxation, so no assignment can do better than the bound."
        )
    elif run.get("exact"):
        proof = _("The affinity of the worst-off entry is proven to be the highest possible.")
    else:
        proof = _(
            "The bound comes from weighted min-cost flows (a Lagrangian relaxation) and from the best judges the "
            "worst-off entry could have; no assignment can do better than it."
        )
    return name, proof


def _round_page(
    request: Request, db: Session, event: Event, rnd: ContestRound, *, status: int = 200, **extra: Any
) -> Response:
    """The round page: figures, the last run and its certificate, the assignment job, loads, criteria, closing."""
    run = last_run(db, rnd=rnd)
    method, proof = _certificate_text(run.after if run else None)
    job = job_status(db, event=event)
    return page(
        request,
        "contest/round.html",
        {
            "certificate_method": method,
            "certificate_proof": proof,
            "event": event,
            "rnd": rnd,
            "run": run.after if run else None,
            "run_at": run.at if run else None,
            "job": job,
            "job_here": job is not None and job.get("round_id") == rnd.id,
            "loads": queries.judge_loads(db, rnd=rnd),
            "entries": len(round_entries(db, rnd=rnd)),
            "scored": scored_count(db, rnd=rnd),
            "has_assignments": round_has_assignments(db, rnd=rnd),
            "fields": {f.id: f for f in list_fields(db, event=event)},
            "regions": {r.id: r for r in list_regions(db, event=event)},
            "criteria_rows_shown": padded_rows(list(rnd.criteria)),
            "errors": {},
            "values": {},
            "notice": request.query_params.get("notice"),
            "done": request.query_params.get("done"),
            **extra,
        },
        status_code=status,
    )


@router.get("/contests/{slug}/rounds/{round_id}")
def round_page(
    round_id: int,
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """A round: its last assignment with the certificate, the running job, loads, criteria and rules."""
    return _round_page(request, db, event, get_round(db, event=event, id=round_id))


@router.post("/contests/{slug}/rounds/{round_id}")
def round_update(
    round_id: int,
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    """Change the round's criteria and review rules (criteria are frozen once a score is in)."""
    rnd = get_round(db, event=event, id=round_id)
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {
        "judges_per_entry": whole(form.get("judges_per_entry"), "judges_per_entry", errors),
        "max_per_judge": whole(form.get("max_per_judge"), "max_per_judge", errors),
        "advance_count": whole(form.get("advance_count"), "advance_count", errors),
        "same_country_rule": form.get("same_country_rule") == "on",
    }
    typed = criteria_rows(form)
    try:
        changes["criteria"] = criteria_from_rows(typed)
    except DomainError as exc:
        errors["criteria"] = exc.message
    if not errors:
        try:
            update_round(db, actor=actor, rnd=rnd, changes=changes)
            return RedirectResponse(f"/contests/{event.slug}/rounds/{rnd.id}?notice=saved", status_code=303)
        except DomainError as exc:
            note_error(exc, errors)
    return _round_page(
        request,
        db,
        event,
        rnd,
        status=422,
        errors=errors,
        values=dict(form),
        criteria_rows_shown=padded_rows(list(typed)),
    )


@router.post("/contests/{slug}/rounds/{round_id}/assign")
def round_assign(
    round_id: int,
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    """Queue the round's judge assignment (it runs in the background; the round page follows it). A run that
    cannot start is refused here (422), a second one while one runs too (409)."""
    rnd = get_round(db, event=event, id=round_id)
    errors: dict[str, str] = {}
    min_per_judge = whole(form.get("min_per_judge"), "assign", errors) or 0
    if min_per_judge < 0:
        errors["assign"] = _("Must be a whole number of at least 0.")
    status = 422
    if not errors:
        try:
            start_job(
                db,
                event=event,
                round_id=rnd.id,
                actor=actor,
                objective="fair" if form.get("objective") == "fair" else "total",
                min_per_judge=min_per_judge,
            )
            return RedirectResponse(f"/contests/{event.slug}/rounds/{rnd.id}?done=assign", status_code=303)
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            errors["assign"] = exc.message
            status = 409 if exc.status_code == 409 else 422
    return _round_page(request, db, event, rnd, status=status, errors=errors, values=dict(form))


@router.post("/contests/{slug}/rounds/{round_id}/drop")
def round_drop(
    round_id: int,
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    """Hand the reviews of a judge who dropped out to others; every other review stays."""
    rnd = get_round(db, event=event, id=round_id)
    errors: dict[str, str] = {}
    judge_id = whole(form.get("judge"), "drop", errors)
    if judge_id is not None:
        try:
            judge = get_judge(db, event=event, id=judge_id)
            result = drop_judge(db, actor=actor, rnd=rnd, judge=judge)
            return RedirectResponse(
                f"/contests/{event.slug}/rounds/{rnd.id}?notice=dropped&moved={result.removed}",
                status_code=303,
            )
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            errors["drop"] = exc.message
    else:
        errors.setdefault("drop", _("Choose the judge who dropped out."))
    return _round_page(request, db, event, rnd, status=422, errors=errors)


@router.post("/contests/{slug}/rounds/{round_id}/close")
def round_close(
    round_id: int,
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    """Apply the round's advancement rule once every score is in."""
    rnd = get_round(db, event=event, id=round_id)
    try:
        close_round(db, actor=actor, rnd=rnd)
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        return _round_page(request, db, event, rnd, status=422, errors={"close": exc.message})
    return RedirectResponse(f"/contests/{event.slug}/rounds/{rnd.id}/ranking", status_code=303)


@router.get("/contests/{slug}/rounds/{round_id}/reviews")
def round_reviews(
    round_id: int,
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """Every review of the round with its affinity, reasons and score."""
    rnd = get_round(db, event=event, id=round_id)
    items, total, number, pages = queries.round_reviews(
        db, rnd=rnd, page=page_number(request), page_size=PAGE_SIZE
    )
    return page(
        request,
        "contest/reviews.html",
        {
            "event": event,
            "rnd": rnd,
            "items": items,
            "total": total,
            "page": number,
            "pages": pages,
            "params": {},
        },
    )


@router.get("/contests/{slug}/rounds/{round_id}/ranking")
def round_ranking(
    round_id: int,
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """The round's ranking, raw and normalised side by side, with what separated tied entries."""
    rnd = get_round(db, event=event, id=round_id)
    method: Method = "zscore" if request.query_params.get("method") == "zscore" else "bias"
    result = ranking(db, rnd=rnd, method=method)
    return page(
        request,
        "contest/ranking.html",
        {
            "event": event,
            "rnd": rnd,
            "result": result,
            "method": method,
            "field_by_code": {f.code: f for f in list_fields(db, event=event)},
        },
    )
