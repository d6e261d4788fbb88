"""Contest pages: the public edition, finalists and winners; the organiser's structure, conflicts, assignment
and rankings; a judge's queue and scoring form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from duijie.contest import queries
from duijie.contest import service as contest_service
from duijie.contest.enums import EntryState, RoundKind
from duijie.contest.models import Award, ContestField, ContestRegion, ContestRound, Score
from duijie.contest.permissions import can_judge, can_manage_contest
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.core.web import check_csrf, get_actor, get_db, render
from duijie.events.models import Event

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
SUPPORT_EN = {
    "场景需求对接": "Matching with application scenarios",
    "投融资": "Investment and financing",
    "空间落地": "Space to set up",
    "创业辅导": "Start-up mentoring",
}


def _login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _page(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


def _organiser(actor: Actor) -> None:
    require(can_manage_contest, actor, message=_("Only the organiser may manage the contest."))


def _labels() -> dict[str, Any]:
    return {
        "kinds": {k.value: k for k in RoundKind},
        "states": {s.value: s for s in EntryState},
        "tie_labels": {
            "normalised score": _("Normalised score"),
            "raw mean": _("Raw mean"),
            "top scores": _("Number of top marks"),
            "earlier submission": _("Earlier submission"),
            "entry id": _("Entry number"),
        },
        "explanation_text": contest_service.explanation_text,
    }


# ------------------------------------------------------------------------------------------------ public


@router.get("/contests/{slug}")
def contest_page(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    event = contest_service.get_event(db, slug=slug)
    ov = queries.overview(db, event=event)
    return render(
        request,
        "contest/overview.html",
        {
            "event": event,
            "ov": ov,
            "finalists": queries.finalists(db, event=event, final=ov.final),
            "regions": contest_service.list_regions(db, event=event),
            "can_manage": can_manage_contest(actor),
            "is_judge": can_judge(actor, event),
            "figure_labels": {
                "entries": _("Entries"),
                "countries": _("Countries and regions"),
                "regions": _("Regions"),
                "fields": _("Fields"),
                "preliminary_contests": _("Regional and field contests"),
                "finalists": _("Finalists"),
                "international_share": _("International entries"),
            },
            **_labels(),
        },
    )


@router.get("/contests/{slug}/winners")
def winners_page(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    event = contest_service.get_event(db, slug=slug)
    return render(
        request,
        "contest/winners.html",
        {
            "event": event,
            "awards": queries.awards(db, event=event),
            "support_kinds": contest_service.SUPPORT_KINDS,
            "support_en": SUPPORT_EN,
            "can_manage": can_manage_contest(actor),
            "top10": queries.field_top10(db, event=event),
            "synthetic": contest_service.synthetic_codes(db, event=event),
        },
    )


# --------------------------------------------------------------------------------------------- organiser


@router.post("/contests/{slug}/awards/{award_id}/support")
async def award_support(
    slug: str,
    award_id: int,
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    award = db.get(Award, award_id)
    if award is None or award.event_id != event.id:
        raise NotFound(_("No such award: %(id)s") % {"id": award_id})
    contest_service.set_award_support(
        db, actor=actor, award=award, support=[str(v) for v in form.getlist("support")]
    )
    return RedirectResponse(f"/contests/{slug}/winners", status_code=303)


@router.get("/contests/{slug}/manage")
def manage_page(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    if not actor.is_authenticated:
        return _login(request)
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    forms: dict[str, dict[str, Any]] = {}
    q = request.query_params
    if q.get("field", "").isdigit():
        f = _structure_obj(db, event, ContestField, int(q["field"]))
        forms["field"] = {"id": f.id, "code": f.code, "name_zh": f.name_zh, "name_en": f.name_en or ""}
        forms["field"]["parent_id"] = str(f.parent_id or "")
    if q.get("region", "").isdigit():
        r = _structure_obj(db, event, ContestRegion, int(q["region"]))
        forms["region"] = {"id": r.id, "code": r.code, "name_zh": r.name_zh, "name_en": r.name_en or ""}
    if q.get("round", "").isdigit():
        forms["round"] = _round_values(contest_service.get_round(db, event=event, id=int(q["round"])))
    return _manage_page(request, db, event, forms, {}, 200)


def _structure_obj(db: Session, event: Event, model: Any, id: int) -> Any:
    """A field or region of this edition, or NotFound."""
    obj = db.get(model, id)
    if obj is None or obj.event_id != event.id:
        raise NotFound(_("Not found."))
    return obj


def _round_values(rnd: ContestRound) -> dict[str, Any]:
    """A round as the structure form shows it."""
    return {
        "id": rnd.id,
        "kind": rnd.kind,
        "name_zh": rnd.name_zh,
        "name_en": rnd.name_en or "",
        "field_id": str(rnd.field_id or ""),
        "region_id": str(rnd.region_id or ""),
        "sequence": str(rnd.sequence),
        "starts_on": rnd.starts_on.isoformat() if rnd.starts_on else "",
        "ends_on": rnd.ends_on.isoformat() if rnd.ends_on else "",
        "advance_count": "" if rnd.advance_count is None else str(rnd.advance_count),
        "judges_per_entry": str(rnd.judges_per_entry),
        "max_per_judge": str(rnd.max_per_judge),
        "same_country_rule": rnd.same_country_rule,
        "criteria": [
            {
                "code": c["code"],
                "name_zh": c["name_zh"],
                "name_en": c.get("name_en") or "",
                "weight": c["weight"],
            }
            for c in rnd.criteria
        ],
    }


CRITERIA_ROWS = 6


def _manage_page(
    request: Request,
    db: Session,
    event: Event,
    forms: dict[str, dict[str, Any]],
    errors: dict[str, dict[str, str]],
    status: int,
) -> Response:
    active, total = queries.judge_count(db, event=event)
    round_form = forms.get("round") or {"kind": "preliminary", "sequence": "1", "judges_per_entry": "5"}
    round_form.setdefault("max_per_judge", "30")
    rows = list(round_form.get("criteria") or [])
    round_form["criteria"] = rows + [{}] * max(0, CRITERIA_ROWS - len(rows))
    fields = contest_service.list_fields(db, event=event)
    return render(
        request,
        "contest/manage.html",
        {
            "event": event,
            "fields": fields,
            "top_fields": [f for f in fields if f.parent_id is None],
            "regions": contest_service.list_regions(db, event=event),
            "progress": queries.round_progress(db, event=event),
            "conflict_counts": queries.conflict_counts(db, event=event),
            "judges_active": active,
            "judges_total": total,
            "synthetic": contest_service.synthetic_codes(db, event=event),
            "notice": request.query_params.get("notice"),
            "forms": {
                "field": forms.get("field", {}),
                "region": forms.get("region", {}),
                "round": round_form,
            },
            "errors": {k: errors.get(k, {}) for k in ("field", "region", "round")},
            **_labels(),
        },
        status_code=status,
    )


def _opt_id(value: Any, name: str, errors: dict[str, str]) -> int | None:
    return _int(value, name, errors)


def _date(value: Any, name: str, errors: dict[str, str]) -> dt.date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None


def _domain(exc: DomainError, errors: dict[str, str]) -> None:
    if exc.status_code == 403:
        raise exc
    errors[exc.field or "form"] = exc.message


async def _structure_form(request: Request, db: Session, actor: Actor, slug: str) -> tuple[Event, Any]:
    """The organiser's posted structure form with its CSRF token checked, and the edition it changes."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    _organiser(actor)
    return contest_service.get_event(db, slug=slug), form


def _saved_or_form(
    request: Request,
    db: Session,
    event: Event,
    name: str,
    shown: dict[str, Any],
    errors: dict[str, str],
    save: Callable[[], str],
) -> Response:
    """Run `save` (which returns where to go next) unless the form already has errors; on any error show the
    manage page again with the values as typed and each message beside its field."""
    if not errors:
        try:
            return RedirectResponse(save(), status_code=303)
        except DomainError as exc:
            _domain(exc, errors)
    return _manage_page(request, db, event, {name: shown}, {name: errors}, 422)


@router.post("/contests/{slug}/fields")
async def save_field(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    event, form = await _structure_form(request, db, actor, slug)
    values = {k: str(form.get(k, "")) for k in ("id", "code", "name_zh", "name_en", "parent_id")}
    errors: dict[str, str] = {}
    obj_id = _int(values["id"], "form", errors)
    parent_id = _opt_id(values["parent_id"], "parent_id", errors)

    def save() -> str:
        contest_service.save_field(
            db,
            actor=actor,
            event=event,
            code=values["code"],
            name_zh=values["name_zh"],
            name_en=values["name_en"],
            parent_id=parent_id,
            field_obj=_structure_obj(db, event, ContestField, obj_id) if obj_id else None,
        )
        return f"/contests/{slug}/manage?notice=saved#structure"

    return _saved_or_form(request, db, event, "field", values, errors, save)


@router.post("/contests/{slug}/regions")
async def save_region(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    event, form = await _structure_form(request, db, actor, slug)
    values = {k: str(form.get(k, "")) for k in ("id", "code", "name_zh", "name_en")}
    errors: dict[str, str] = {}
    obj_id = _int(values["id"], "form", errors)

    def save() -> str:
        contest_service.save_region(
            db,
            actor=actor,
            event=event,
            code=values["code"],
            name_zh=values["name_zh"],
            name_en=values["name_en"],
            region=_structure_obj(db, event, ContestRegion, obj_id) if obj_id else None,
        )
        return f"/contests/{slug}/manage?notice=saved#structure"

    return _saved_or_form(request, db, event, "region", values, errors, save)


@router.post("/contests/{slug}/rounds")
async def save_round(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    event, form = await _structure_form(request, db, actor, slug)
    keys = (
        "id", "kind", "name_zh", "name_en", "field_id", "region_id", "sequence", "starts_on", "ends_on",
        "advance_count", "judges_per_entry", "max_per_judge",
    )  # fmt: skip
    shown: dict[str, Any] = {k: str(form.get(k, "")) for k in keys}
    shown["same_country_rule"] = form.get("same_country_rule") == "on"
    shown["criteria"] = [
        {k: str(form.get(f"c{i}_{k}", "")) for k in ("code", "name_zh", "name_en", "weight")}
        for i in range(CRITERIA_ROWS)
    ]
    errors: dict[str, str] = {}
    obj_id = _int(shown["id"], "form", errors)
    values: dict[str, Any] = {
        "kind": shown["kind"],
        "name_zh": shown["name_zh"],
        "name_en": shown["name_en"],
        "field_id": _opt_id(shown["field_id"], "field_id", errors),
        "region_id": _opt_id(shown["region_id"], "region_id", errors),
        "sequence": _int(shown["sequence"], "sequence", errors),
        "starts_on": _date(shown["starts_on"], "starts_on", errors),
        "ends_on": _date(shown["ends_on"], "ends_on", errors),
        "advance_count": _int(shown["advance_count"], "advance_count", errors),
        "judges_per_entry": _int(shown["judges_per_entry"], "judges_per_entry", errors),
        "max_per_judge": _int(shown["max_per_judge"], "max_per_judge", errors),
        "same_country_rule": shown["same_country_rule"],
        "criteria": shown["criteria"],
    }

    def save() -> str:
        rnd = contest_service.get_round(db, event=event, id=obj_id) if obj_id else None
        rnd = contest_service.save_round(db, actor=actor, event=event, values=values, rnd=rnd)
        return f"/contests/{slug}/rounds/{rnd.id}?notice=saved"

    return _saved_or_form(request, db, event, "round", shown, errors, save)


@router.post("/contests/{slug}/conflicts/detect")
async def detect_conflicts(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    event = contest_service.get_event(db, slug=slug)
    added = contest_service.detect_conflicts(db, actor=actor, event=event)
    return RedirectResponse(f"/contests/{slug}/conflicts?added={added}", status_code=303)


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


def _round_context(db: Session, event: Event, rnd: Any, **extra: Any) -> dict[str, Any]:
    run = contest_service.last_run(db, rnd)
    method, proof = _certificate_text(run.after if run else None)
    return {
        "certificate_method": method,
        "certificate_proof": proof,
        "event": event,
        "rnd": rnd,
        "run": run.after if run else None,
        "run_at": run.at if run else None,
        "loads": queries.judge_loads(db, rnd=rnd),
        "entries": len(contest_service.round_entries(db, rnd)),
        "scored": contest_service.scored_count(db, rnd),
        "has_assignments": contest_service.round_has_assignments(db, rnd),
        "fields": {f.id: f for f in contest_service.list_fields(db, event=event)},
        "regions": {r.id: r for r in contest_service.list_regions(db, event=event)},
        "criteria_text": "\n".join(
            f"{c['code']} | {c['name_zh']} | {c.get('name_en') or ''} | {c['weight']:g}" for c in rnd.criteria
        ),
        "errors": {},
        "values": {},
        **_labels(),
        **extra,
    }


@router.get("/contests/{slug}/rounds/{round_id}")
def round_page(
    slug: str,
    round_id: int,
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    if not actor.is_authenticated:
        return _login(request)
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    rnd = contest_service.get_round(db, event=event, id=round_id)
    return render(
        request,
        "contest/round.html",
        _round_context(db, event, rnd, notice=request.query_params.get("notice")),
    )


def _int(value: Any, name: str, errors: dict[str, str]) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        errors[name] = _("Enter a whole number.")
        return None


@router.post("/contests/{slug}/rounds/{round_id}")
async def round_update(
    slug: str,
    round_id: int,
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    rnd = contest_service.get_round(db, event=event, id=round_id)
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {
        "judges_per_entry": _int(form.get("judges_per_entry"), "judges_per_entry", errors),
        "max_per_judge": _int(form.get("max_per_judge"), "max_per_judge", errors),
        "advance_count": _int(form.get("advance_count"), "advance_count", errors),
        "same_country_rule": form.get("same_country_rule") == "on",
    }
    try:
        changes["criteria"] = contest_service.parse_criteria(str(form.get("criteria", "")))
    except DomainError as exc:
        errors["criteria"] = exc.message
    if not errors:
        try:
            contest_service.update_round(db, actor=actor, rnd=rnd, changes=changes)
            return RedirectResponse(f"/contests/{slug}/rounds/{rnd.id}?notice=saved", status_code=303)
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            errors[exc.field or "form"] = exc.message
    ctx = _round_context(db, event, rnd, errors=errors, values=dict(form))
    ctx["criteria_text"] = str(form.get("criteria", ""))
    return render(request, "contest/round.html", ctx, status_code=422)


@router.post("/contests/{slug}/rounds/{round_id}/assign")
async def round_assign(
    slug: str,
    round_id: int,
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    rnd = contest_service.get_round(db, event=event, id=round_id)
    objective = "fair" if form.get("objective") == "fair" else "total"
    errors: dict[str, str] = {}
    min_per_judge = _int(form.get("min_per_judge"), "min_per_judge", errors) or 0
    if not errors:
        try:
            contest_service.run_assignment(
                db, actor=actor, rnd=rnd, objective=objective, min_per_judge=min_per_judge
            )
            return RedirectResponse(f"/contests/{slug}/rounds/{rnd.id}?notice=assigned", status_code=303)
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            errors["assign"] = exc.message
            details = [d.message for d in exc.details if d.message != exc.message][:10]
            if details:
                errors["assign_details"] = "；".join(details)
    return render(
        request,
        "contest/round.html",
        _round_context(db, event, rnd, errors=errors, values=dict(form)),
        status_code=422,
    )


@router.post("/contests/{slug}/rounds/{round_id}/drop")
async def round_drop(
    slug: str,
    round_id: int,
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    rnd = contest_service.get_round(db, event=event, id=round_id)
    errors: dict[str, str] = {}
    judge_id = _int(form.get("judge"), "drop", errors)
    if judge_id is not None:
        try:
            judge = contest_service.get_judge(db, event=event, id=judge_id)
            result = contest_service.drop_judge(db, actor=actor, rnd=rnd, judge=judge)
            return RedirectResponse(
                f"/contests/{slug}/rounds/{rnd.id}?notice=dropped&moved={result.removed}", status_code=303
            )
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            errors["drop"] = exc.message
    else:
        errors.setdefault("drop", _("Choose the judge who dropped out."))
    return render(
        request, "contest/round.html", _round_context(db, event, rnd, errors=errors), status_code=422
    )


@router.post("/contests/{slug}/rounds/{round_id}/close")
async def round_close(
    slug: str,
    round_id: int,
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    rnd = contest_service.get_round(db, event=event, id=round_id)
    try:
        contest_service.close_round(db, actor=actor, rnd=rnd)
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        return render(
            request,
            "contest/round.html",
            _round_context(db, event, rnd, errors={"close": exc.message}),
            status_code=422,
        )
    return RedirectResponse(f"/contests/{slug}/rounds/{rnd.id}/ranking", status_code=303)


@router.get("/contests/{slug}/rounds/{round_id}/reviews")
def round_reviews(
    slug: str,
    round_id: int,
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    if not actor.is_authenticated:
        return _login(request)
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    rnd = contest_service.get_round(db, event=event, id=round_id)
    items, total, page, pages = queries.round_reviews(db, rnd=rnd, page=_page(request), page_size=PAGE_SIZE)
    return render(
        request,
        "contest/reviews.html",
        {
            "event": event,
            "rnd": rnd,
            "items": items,
            "total": total,
            "page": page,
            "pages": pages,
            "params": {},
            **_labels(),
        },
    )


@router.get("/contests/{slug}/rounds/{round_id}/ranking")
def round_ranking(
    slug: str,
    round_id: int,
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    if not actor.is_authenticated:
        return _login(request)
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    rnd = contest_service.get_round(db, event=event, id=round_id)
    method = "zscore" if request.query_params.get("method") == "zscore" else "bias"
    result = contest_service.ranking(db, rnd=rnd, method=method)
    fields = {f.code: f for f in contest_service.list_fields(db, event=event)}
    return render(
        request,
        "contest/ranking.html",
        {
            "event": event,
            "rnd": rnd,
            "result": result,
            "method": method,
            "field_by_code": fields,
            **_labels(),
        },
    )


@router.get("/contests/{slug}/conflicts")
def conflicts_page(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    if not actor.is_authenticated:
        return _login(request)
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    values: dict[str, Any] = {}
    picked = request.query_params.get("judge", "").strip()
    if picked.isdigit():
        judge = contest_service.get_judge(db, event=event, id=int(picked))
        values = {"tie_judge": str(judge.id), "ties": contest_service.ties_text(judge)}
    return _conflicts(request, db, event, {}, values, 200)


def _conflicts(
    request: Request, db: Session, event: Event, errors: dict[str, str], values: dict[str, Any], status: int
) -> Response:
    items, total, page, pages = queries.conflicts(db, event=event, page=_page(request), page_size=PAGE_SIZE)
    tied = queries.judges_with_ties(db, event=event)
    return render(
        request,
        "contest/conflicts.html",
        {
            "event": event,
            "items": items,
            "total": total,
            "page": page,
            "pages": pages,
            "params": {},
            "counts": queries.conflict_counts(db, event=event),
            "added": request.query_params.get("added"),
            "errors": errors,
            "values": values,
            "tied": tied,
        },
        status_code=status,
    )


@router.post("/contests/{slug}/judges/ties")
async def judge_ties(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    errors: dict[str, str] = {}
    values = {"tie_judge": str(form.get("tie_judge", "")).strip(), "ties": str(form.get("ties", ""))}
    judge_id = _int(values["tie_judge"], "tie_judge", errors)
    if judge_id is None:
        errors.setdefault("tie_judge", _("Enter the judge's number."))
    if not errors:
        try:
            judge = contest_service.get_judge(db, event=event, id=judge_id)  # type: ignore[arg-type]
            ties = contest_service.parse_ties(values["ties"])
            contest_service.set_judge_ties(db, actor=actor, judge=judge, ties=ties)
            return RedirectResponse(f"/contests/{slug}/conflicts?judge={judge.id}#ties", status_code=303)
        except NotFound as exc:
            errors["tie_judge"] = exc.message
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            errors[exc.field or "form"] = exc.message
    return _conflicts(request, db, event, errors, values, 422)


@router.post("/contests/{slug}/conflicts")
async def declare_conflict(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    errors: dict[str, str] = {}
    values = {k: str(form.get(k, "")).strip() for k in ("judge", "entry", "reason")}
    judge_id = _int(values["judge"], "judge", errors)
    entry = None
    if values["entry"]:
        entry = contest_service.entry_by_code(db, event=event, code=values["entry"])
    if entry is None:
        errors["entry"] = _("No entry has this number in this contest.")
    if judge_id is None:
        errors.setdefault("judge", _("Enter the judge's number."))
    if not errors:
        try:
            judge = contest_service.get_judge(db, event=event, id=judge_id)  # type: ignore[arg-type]
            contest_service.declare_conflict(
                db, actor=actor, event=event, judge=judge, entry=entry, reason=values["reason"]
            )  # type: ignore[arg-type]
            return RedirectResponse(f"/contests/{slug}/conflicts", status_code=303)
        except NotFound as exc:
            errors["judge"] = exc.message
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            errors[exc.field or "form"] = exc.message
    return _conflicts(request, db, event, errors, values, 422)


@router.post("/contests/{slug}/scores/{score_id}/reopen")
async def reopen_score(
    slug: str,
    score_id: int,
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    _organiser(actor)
    event = contest_service.get_event(db, slug=slug)
    score = db.get(Score, score_id)
    if score is None:
        raise NotFound(_("No such score: %(id)s") % {"id": score_id})
    row = contest_service.get_assignment(db, event=event, id=score.assignment_id)
    contest_service.reopen_score(db, actor=actor, score=score, reason=str(form.get("reason", "")))
    return RedirectResponse(f"/contests/{slug}/rounds/{row.round_id}/reviews", status_code=303)


# ------------------------------------------------------------------------------------------------- judge


def _my_judge(db: Session, event: Event, actor: Actor) -> Any:
    judge = contest_service.judge_for_actor(db, event=event, actor=actor)
    if judge is None:
        raise NotFound(_("Your account is not a judge of this contest."))
    return judge


@router.get("/contests/{slug}/review")
def judge_queue(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Response:
    if not actor.is_authenticated:
        return _login(request)
    event = contest_service.get_event(db, slug=slug)
    judge = _my_judge(db, event, actor)
    queue = queries.judge_queue(db, judge=judge)
    return render(
        request,
        "contest/queue.html",
        {
            "event": event,
            "judge": judge,
            "queue": queue,
            "open": sum(1 for r in queue if r.status != "submitted"),
            **_labels(),
        },
    )


def _score_context(db: Session, event: Event, row: Any, **extra: Any) -> dict[str, Any]:
    rnd = db.get(ContestRound, row.round_id)
    entry = contest_service.get_entry(db, event=event, id=row.entry_id)
    score = contest_service.score_of(db, row)
    return {
        "event": event,
        "row": row,
        "rnd": rnd,
        "entry": entry,
        "score": score,
        "marks": {k: v for k, v in ((score.values or {}) if score else {}).items()},
        "comment": score.comment if score else "",
        "errors": {},
        **_labels(),
        **extra,
    }


@router.get("/contests/{slug}/review/{assignment_id}")
def score_form(
    slug: str,
    assignment_id: int,
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    if not actor.is_authenticated:
        return _login(request)
    event = contest_service.get_event(db, slug=slug)
    row = contest_service.get_assignment(db, event=event, id=assignment_id)
    if not can_manage_contest(actor) and _my_judge(db, event, actor).id != row.judge_id:
        raise NotFound(_("No such review: %(id)s") % {"id": assignment_id})
    return render(
        request, "contest/score.html", _score_context(db, event, row, saved=request.query_params.get("saved"))
    )


@router.post("/contests/{slug}/review/{assignment_id}")
async def score_submit(
    slug: str,
    assignment_id: int,
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    event = contest_service.get_event(db, slug=slug)
    row = contest_service.get_assignment(db, event=event, id=assignment_id)
    rnd = db.get(ContestRound, row.round_id)
    assert rnd is not None
    errors: dict[str, str] = {}
    marks: dict[str, float] = {}
    raw = {c["code"]: str(form.get(f"mark_{c['code']}", "")).strip() for c in rnd.criteria}
    for c in rnd.criteria:
        text = raw[c["code"]]
        try:
            marks[c["code"]] = float(text)
        except ValueError:
            errors[c["code"]] = _("%(criterion)s: give a mark from 0 to 10.") % {"criterion": c["name_zh"]}
    comment = str(form.get("comment", ""))
    submit = form.get("action") == "submit"
    if not errors:
        try:
            contest_service.save_score(db, actor=actor, row=row, marks=marks, comment=comment, submit=submit)
            if submit:
                return RedirectResponse(f"/contests/{slug}/review?done={row.id}", status_code=303)
            return RedirectResponse(f"/contests/{slug}/review/{row.id}?saved=1", status_code=303)
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            errors[exc.field or "form"] = exc.message
    ctx = _score_context(db, event, row, errors=errors)
    ctx["marks"] = raw
    ctx["comment"] = comment
    return render(request, "contest/score.html", ctx, status_code=422)
