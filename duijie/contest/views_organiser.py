"""The organiser's contest pages: the structure (fields, regions, rounds), conflicts of interest and judges' ties,
the support given to winners, and reopening a score. Every route is the organiser's (`Depends(organiser)`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
    date,
    note_error,
    organiser,
    padded_rows,
    page,
    page_number,
    whole,
)
from duijie.contest.domain.awards import get_award, set_award_support
from duijie.contest.domain.conflicts import declare_conflict, detect_conflicts
from duijie.contest.domain.entries import entry_by_code
from duijie.contest.domain.judges import get_judge, parse_ties, set_judge_ties, ties_text
from duijie.contest.domain.reviews import get_assignment
from duijie.contest.domain.rounds import get_round, save_round
from duijie.contest.domain.scores import reopen_score
from duijie.contest.domain.structure import (
    list_fields,
    list_regions,
    save_field,
    save_region,
    synthetic_codes,
)
from duijie.contest.models import ContestField, ContestRegion, ContestRound, Score
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.validation import parse_id
from duijie.core.web import csrf_form, get_db
from duijie.events.models import Event

router = APIRouter(include_in_schema=False)


# ------------------------------------------------------------------------------------------------ structure


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
    round_form["criteria"] = padded_rows(list(round_form.get("criteria") or []))
    fields = list_fields(db, event=event)
    return page(
        request,
        "contest/manage.html",
        {
            "event": event,
            "fields": fields,
            "top_fields": [f for f in fields if f.parent_id is None],
            "regions": list_regions(db, event=event),
            "progress": queries.round_progress(db, event=event),
            "conflict_counts": queries.conflict_counts(db, event=event),
            "judges_active": active,
            "judges_total": total,
            "synthetic": synthetic_codes(db, event=event),
            "notice": request.query_params.get("notice"),
            "forms": {
                "field": forms.get("field", {}),
                "region": forms.get("region", {}),
                "round": round_form,
            },
            "errors": {k: errors.get(k, {}) for k in ("field", "region", "round")},
        },
        status_code=status,
    )


@router.get("/contests/{slug}/manage")
def manage_page(
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """The edition's structure and progress, with the forms that add or (with ?field=, ?region=, ?round=) edit."""
    forms: dict[str, dict[str, Any]] = {}
    q = request.query_params
    if (field_id := parse_id(q.get("field", ""))) is not None:
        f = _structure_obj(db, event, ContestField, field_id)
        forms["field"] = {"id": f.id, "code": f.code, "name_zh": f.name_zh, "name_en": f.name_en or ""}
        forms["field"]["parent_id"] = str(f.parent_id or "")
    if (region_id := parse_id(q.get("region", ""))) is not None:
        r = _structure_obj(db, event, ContestRegion, region_id)
        forms["region"] = {"id": r.id, "code": r.code, "name_zh": r.name_zh, "name_en": r.name_en or ""}
    if (round_id := parse_id(q.get("round", ""))) is not None:
        forms["round"] = _round_values(get_round(db, event=event, id=round_id))
    return _manage_page(request, db, event, forms, {}, 200)


INTS = {
    "id",
    "parent_id",
    "field_id",
    "region_id",
    "sequence",
    "advance_count",
    "judges_per_entry",
    "max_per_judge",
}
DATES = {"starts_on", "ends_on"}
STRUCTURE_KEYS = {
    "field": ("id", "code", "name_zh", "name_en", "parent_id"),
    "region": ("id", "code", "name_zh", "name_en"),
    "round": (
        "id", "kind", "name_zh", "name_en", "field_id", "region_id", "sequence", "starts_on", "ends_on",
        "advance_count", "judges_per_entry", "max_per_judge",
    ),
}  # fmt: skip


@dataclass
class StructureForm:
    """A posted field, region or round form: the text as typed (shown again on error), the parsed values and the
    errors found while parsing, each under its field name (`form` for the record id)."""

    name: str
    shown: dict[str, Any]
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, name: str, form: FormData) -> StructureForm:
        """Parse the form of `name` ("field", "region" or "round"): whole numbers, dates, and a round's criteria."""
        shown: dict[str, Any] = {k: str(form.get(k, "")) for k in STRUCTURE_KEYS[name]}
        out = cls(name=name, shown=shown, values={})
        for key, text in shown.items():
            if key in INTS:
                out.values[key] = whole(text, "form" if key == "id" else key, out.errors)
            elif key in DATES:
                out.values[key] = date(text, key, out.errors)
            else:
                out.values[key] = text
        if name == "round":
            shown["same_country_rule"] = out.values["same_country_rule"] = (
                form.get("same_country_rule") == "on"
            )
            shown["criteria"] = out.values["criteria"] = criteria_rows(form)
        return out


def _save_structure(
    request: Request, db: Session, event: Event, form: StructureForm, save: Callable[[dict[str, Any]], str]
) -> Response:
    """Run `save` with the parsed values (it returns where to go next) unless parsing found errors; on any error
    show the manage page again with the values as typed and each message beside its field."""
    if not form.errors:
        try:
            return RedirectResponse(save(form.values), status_code=303)
        except DomainError as exc:
            note_error(exc, form.errors)
    return _manage_page(request, db, event, {form.name: form.shown}, {form.name: form.errors}, 422)


@router.post("/contests/{slug}/fields")
def save_field_form(
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    """Add a field (a sub-track when it has a parent) or change one."""

    def save(v: dict[str, Any]) -> str:
        obj = _structure_obj(db, event, ContestField, v["id"]) if v["id"] else None
        save_field(
            db,
            actor=actor,
            event=event,
            code=v["code"],
            name_zh=v["name_zh"],
            name_en=v["name_en"],
            parent_id=v["parent_id"],
            field_obj=obj,
        )
        return f"/contests/{event.slug}/manage?notice=saved#structure"

    return _save_structure(request, db, event, StructureForm.read("field", form), save)


@router.post("/contests/{slug}/regions")
def save_region_form(
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    """Add a region or change one."""

    def save(v: dict[str, Any]) -> str:
        obj = _structure_obj(db, event, ContestRegion, v["id"]) if v["id"] else None
        save_region(
            db,
            actor=actor,
            event=event,
            code=v["code"],
            name_zh=v["name_zh"],
            name_en=v["name_en"],
            region=obj,
        )
        return f"/contests/{event.slug}/manage?notice=saved#structure"

    return _save_structure(request, db, event, StructureForm.read("region", form), save)


@router.post("/contests/{slug}/rounds")
def save_round_form(
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    """Add a round or change one (its stage, scope, dates, review rules and criteria)."""

    def save(v: dict[str, Any]) -> str:
        rnd = get_round(db, event=event, id=v["id"]) if v["id"] else None
        rnd = save_round(db, actor=actor, event=event, values=v, rnd=rnd)
        return f"/contests/{event.slug}/rounds/{rnd.id}?notice=saved"

    return _save_structure(request, db, event, StructureForm.read("round", form), save)


# ------------------------------------------------------------------------------------------------ conflicts


def _conflicts(
    request: Request, db: Session, event: Event, errors: dict[str, str], values: dict[str, Any], status: int
) -> Response:
    items, total, number, pages = queries.conflicts(
        db, event=event, page=page_number(request), page_size=PAGE_SIZE
    )
    return page(
        request,
        "contest/conflicts.html",
        {
            "event": event,
            "items": items,
            "total": total,
            "page": number,
            "pages": pages,
            "params": {},
            "counts": queries.conflict_counts(db, event=event),
            "added": request.query_params.get("added"),
            "errors": errors,
            "values": values,
            "tied": queries.judges_with_ties(db, event=event),
        },
        status_code=status,
    )


@router.get("/contests/{slug}/conflicts")
def conflicts_page(
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """The conflicts of interest with their reasons, and (with ?judge=) a judge's ties to edit."""
    values: dict[str, Any] = {}
    picked = parse_id(request.query_params.get("judge", ""))
    if picked is not None:
        judge = get_judge(db, event=event, id=picked)
        values = {"tie_judge": str(judge.id), "ties": ties_text(judge)}
    return _conflicts(request, db, event, {}, values, 200)


@router.post("/contests/{slug}/conflicts/detect")
def detect_conflicts_form(
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    """Detect the conflicts of every judge and entry and store the new ones."""
    added = detect_conflicts(db, actor=actor, event=event)
    return RedirectResponse(f"/contests/{event.slug}/conflicts?added={added}", status_code=303)


@router.post("/contests/{slug}/judges/ties")
def judge_ties_form(
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    """Replace a judge's employment and investment ties (one per line)."""
    errors: dict[str, str] = {}
    values = {"tie_judge": str(form.get("tie_judge", "")).strip(), "ties": str(form.get("ties", ""))}
    judge_id = whole(values["tie_judge"], "tie_judge", errors)
    if judge_id is None:
        errors.setdefault("tie_judge", _("Enter the judge's number."))
    if judge_id is not None and not errors:
        try:
            judge = get_judge(db, event=event, id=judge_id)
            set_judge_ties(db, actor=actor, judge=judge, ties=parse_ties(values["ties"]))
            return RedirectResponse(
                f"/contests/{event.slug}/conflicts?judge={judge.id}#ties", status_code=303
            )
        except NotFound as exc:
            errors["tie_judge"] = exc.message
        except DomainError as exc:
            note_error(exc, errors)
    return _conflicts(request, db, event, errors, values, 422)


@router.post("/contests/{slug}/conflicts")
def declare_conflict_form(
    request: Request,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    """Record a conflict a judge or an entrant declared."""
    errors: dict[str, str] = {}
    values = {k: str(form.get(k, "")).strip() for k in ("judge", "entry", "reason")}
    judge_id = whole(values["judge"], "judge", errors)
    entry = entry_by_code(db, event=event, code=values["entry"]) if values["entry"] else None
    if entry is None:
        errors["entry"] = _("No entry has this number in this contest.")
    if judge_id is None:
        errors.setdefault("judge", _("Enter the judge's number."))
    if entry is not None and judge_id is not None and not errors:
        try:
            judge = get_judge(db, event=event, id=judge_id)
            declare_conflict(db, actor=actor, event=event, judge=judge, entry=entry, reason=values["reason"])
            return RedirectResponse(f"/contests/{event.slug}/conflicts", status_code=303)
        except NotFound as exc:
            errors["judge"] = exc.message
        except DomainError as exc:
            note_error(exc, errors)
    return _conflicts(request, db, event, errors, values, 422)


# ----------------------------------------------------------------------------------------- awards, scores


@router.post("/contests/{slug}/awards/{award_id}/support")
def award_support(
    award_id: int,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    """Record which kinds of support a winner has received."""
    award = get_award(db, event=event, id=award_id)
    set_award_support(db, actor=actor, award=award, support=[str(v) for v in form.getlist("support")])
    return RedirectResponse(f"/contests/{event.slug}/winners", status_code=303)


@router.post("/contests/{slug}/scores/{score_id}/reopen")
def reopen_score_form(
    score_id: int,
    actor: Actor = Depends(organiser),
    event: Event = Depends(contest_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
) -> Response:
    """Unlock a submitted score so that its judge can change it; the reason is kept."""
    score = db.get(Score, score_id)
    if score is None:
        raise NotFound(_("No such score: %(id)s") % {"id": score_id})
    row = get_assignment(db, event=event, id=score.assignment_id)
    reopen_score(db, actor=actor, score=score, reason=str(form.get("reason", "")))
    return RedirectResponse(f"/contests/{event.slug}/rounds/{row.round_id}/reviews", status_code=303)
