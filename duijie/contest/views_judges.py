"""The organiser's page of an edition's judges (`/contests/{slug}/judges`): who judges, their expertise,
affiliation, ties and declared conflicts; inviting a judge by e-mail, editing one, declaring a conflict for one
and removing one who has not scored. Every form comes back filled in with the refusal beside its field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.contest import queries
from duijie.contest.deps import contest_from_slug, judge, note_error, organiser, page
from duijie.contest.domain.conflicts import conflict_in, declare_conflict, withdraw_conflict
from duijie.contest.domain.entries import entry_by_code
from duijie.contest.domain.judge_setup import (
    invite_judge,
    judge_in,
    list_judges,
    own_conflicts,
    remove_judge,
    update_judge,
)
from duijie.contest.domain.judges import judge_for_actor, parse_ties, ties_text
from duijie.contest.models import Judge
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.web import csrf_form, get_db
from duijie.events.models import Event

router = APIRouter(include_in_schema=False)

INVITE_FIELDS = ("email", "name", "organisation", "expertise", "ties", "locale")


def _page(
    request: Request,
    db: Session,
    event: Event,
    *,
    invite: dict[str, str] | None = None,
    edit: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The judges page; `edit` holds the form of the judge being edited (`edit["judge"]` is its number)."""
    return page(
        request,
        "contest/judges.html",
        {
            "event": event,
            "rows": list_judges(db, event=event),
            "invite": invite or {},
            "edit": edit or {},
            "errors": errors or {},
            "notice": request.query_params.get("done", ""),
        },
        status_code=status_code,
    )


def _edit_values(db: Session, event: Event, judge_id: int) -> dict[str, str]:
    judge = judge_in(db, event=event, id=judge_id)
    org_ref = ""
    if judge.organisation_id:
        from duijie.directory.models import Organisation

        org = db.get(Organisation, judge.organisation_id)
        org_ref = org.slug if org is not None and org.slug else str(judge.organisation_id)
    return {
        "judge": str(judge.id),
        "expertise": judge.expertise or "",
        "organisation": org_ref,
        "ties": ties_text(judge),
        "active": "1" if judge.active else "",
    }


@router.get("/contests/{slug}/judges")
def judges_page(
    request: Request,
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(organiser),
    db: Session = Depends(get_db),
) -> Response:
    """The edition's judges; with ?judge=N the edit form of judge N comes filled in."""
    picked = request.query_params.get("judge", "").strip()
    edit = _edit_values(db, event, int(picked)) if picked.isdigit() else None
    return _page(request, db, event, edit=edit)


def _back(event: Event, done: str, judge_id: int | None = None) -> RedirectResponse:
    anchor = f"#judge-{judge_id}" if judge_id else ""
    return RedirectResponse(f"/contests/{event.slug}/judges?done={done}{anchor}", status_code=303)


@router.post("/contests/{slug}/judges")
def invite_form(
    request: Request,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(organiser),
    db: Session = Depends(get_db),
) -> Response:
    """Invite a judge by e-mail with their expertise, affiliation and ties."""
    values = {k: str(form.get(k, "")).strip() for k in INVITE_FIELDS}
    values["ties"] = str(form.get("ties", ""))
    errors: dict[str, str] = {}
    try:
        invite_judge(
            db, actor=actor, event=event, email=values["email"], name=values["name"] or None,
            expertise=values["expertise"], organisation=values["organisation"] or None,
            ties=_ties(values["ties"]), locale=values["locale"] or None,
        )  # fmt: skip
    except DomainError as exc:
        note_error(exc, errors, default="email")
        return _page(request, db, event, invite=values, errors=errors, status_code=422)
    return _back(event, "invited")


def _ties(text: str) -> list[dict[str, Any]]:
    return parse_ties(text) if text.strip() else []


@router.post("/contests/{slug}/judges/{judge_id}")
def edit_form(
    request: Request,
    judge_id: int,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(organiser),
    db: Session = Depends(get_db),
) -> Response:
    """Save a judge's expertise, affiliation, ties and whether they are still active."""
    judge = judge_in(db, event=event, id=judge_id)
    values = {
        "judge": str(judge.id),
        "expertise": str(form.get("expertise", "")),
        "organisation": str(form.get("organisation", "")).strip(),
        "ties": str(form.get("ties", "")),
        "active": "1" if form.get("active") else "",
    }
    errors: dict[str, str] = {}
    try:
        update_judge(
            db, actor=actor, event=event, judge=judge,
            changes={"expertise": values["expertise"], "organisation": values["organisation"] or None,
                     "ties": _ties(values["ties"]), "active": bool(values["active"])},
        )  # fmt: skip
    except DomainError as exc:
        note_error(exc, errors, default="expertise")
        return _page(request, db, event, edit=values, errors=errors, status_code=422)
    return _back(event, "saved", judge.id)


@router.post("/contests/{slug}/judges/{judge_id}/conflicts")
def conflict_form(
    request: Request,
    judge_id: int,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(organiser),
    db: Session = Depends(get_db),
) -> Response:
    """Record a conflict the judge declared with an entry of the edition (by its number)."""
    judge = judge_in(db, event=event, id=judge_id)
    edit = _edit_values(db, event, judge.id)
    edit.update({"entry": str(form.get("entry", "")).strip(), "reason": str(form.get("reason", "")).strip()})
    errors: dict[str, str] = {}
    entry = entry_by_code(db, event=event, code=edit["entry"]) if edit["entry"] else None
    if entry is None:
        errors["entry"] = (
            _("No entry %(code)s in this edition.") % {"code": edit["entry"]} if edit["entry"]
            else _("Enter the entry number.")
        )  # fmt: skip
    else:
        try:
            declare_conflict(db, actor=actor, event=event, judge=judge, entry=entry, reason=edit["reason"])
        except DomainError as exc:
            note_error(exc, errors, default="entry")
    if errors:
        return _page(request, db, event, edit=edit, errors=errors, status_code=422)
    return _back(event, "declared", judge.id)


@router.post("/contests/{slug}/judges/{judge_id}/conflicts/{conflict_id}/withdraw")
def withdraw_conflict_form(
    request: Request,
    judge_id: int,
    conflict_id: int,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(organiser),
    db: Session = Depends(get_db),
) -> Response:
    """Withdraw a conflict declared for the judge; the pair may be assigned from the next assignment run on."""
    judge = judge_in(db, event=event, id=judge_id)
    conflict = conflict_in(db, event=event, id=conflict_id, judge=judge)
    try:
        withdraw_conflict(db, actor=actor, event=event, conflict=conflict)
    except DomainError as exc:
        errors: dict[str, str] = {}
        note_error(exc, errors, default="judge")
        errors["judge"] = errors.pop("conflict", errors.get("judge", ""))
        return _page(request, db, event, edit=_edit_values(db, event, judge.id), errors=errors, status_code=422)
    return _back(event, "withdrawn", judge.id)


@router.post("/contests/{slug}/judges/{judge_id}/remove")
def remove_form(
    request: Request,
    judge_id: int,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(organiser),
    db: Session = Depends(get_db),
) -> Response:
    """Remove a judge who has submitted no score; otherwise the page says how many they submitted."""
    judge = judge_in(db, event=event, id=judge_id)
    try:
        remove_judge(db, actor=actor, event=event, judge=judge)
    except DomainError as exc:
        errors: dict[str, str] = {}
        note_error(exc, errors, default="judge")
        return _page(request, db, event, edit=_edit_values(db, event, judge_id), errors=errors, status_code=422)
    return _back(event, "removed")


# ------------------------------------------------------------------------------ the judge's own profile

judge_only = judge
"""`actor: Actor = Depends(judge_only)`: a judge of the edition; others 403, anonymous visitors log in."""


def _own_judge(db: Session, event: Event, actor: Actor) -> Judge:
    own = judge_for_actor(db, event=event, actor=actor)
    if own is None:
        raise PermissionDenied(_("Your account is not a judge of this contest."))
    return own


def _queue_page(
    request: Request, db: Session, event: Event, judge: Judge, values: dict[str, str], errors: dict[str, str]
) -> Response:
    """The judge's review page again, the form that failed filled in with its refusal beside the field."""
    queue = queries.judge_queue(db, judge=judge)
    return page(
        request,
        "contest/queue.html",
        {
            "event": event,
            "judge": judge,
            "queue": queue,
            "open": sum(1 for r in queue if r.status != "submitted"),
            "my_conflicts": own_conflicts(db, judge=judge),
            "values": values,
            "errors": errors,
        },
        status_code=422,
    )


@router.post("/contests/{slug}/review/profile")
def own_expertise_form(
    request: Request,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(judge_only),
    db: Session = Depends(get_db),
) -> Response:
    """A judge keeps their own expertise up to date (it guides the next assignment)."""
    judge = _own_judge(db, event, actor)
    values = {"expertise": str(form.get("expertise", ""))}
    try:
        update_judge(db, actor=actor, event=event, judge=judge, changes={"expertise": values["expertise"]})
    except DomainError as exc:
        errors: dict[str, str] = {}
        note_error(exc, errors, default="expertise")
        return _queue_page(request, db, event, judge, values, errors)
    return RedirectResponse(f"/contests/{event.slug}/review?done=profile#profile", status_code=303)


@router.post("/contests/{slug}/review/conflicts/{conflict_id}/withdraw")
def own_conflict_withdraw(
    request: Request,
    conflict_id: int,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(judge_only),
    db: Session = Depends(get_db),
) -> Response:
    """A judge withdraws a conflict they declared, while the entry's assignment is not locked by a score."""
    judge = _own_judge(db, event, actor)
    conflict = conflict_in(db, event=event, id=conflict_id, judge=judge)
    try:
        withdraw_conflict(db, actor=actor, event=event, conflict=conflict)
    except DomainError as exc:
        errors: dict[str, str] = {}
        note_error(exc, errors, default="conflict")
        return _queue_page(request, db, event, judge, {}, errors)
    return RedirectResponse(f"/contests/{event.slug}/review?done=withdrawn#conflicts", status_code=303)


@router.post("/contests/{slug}/review/conflicts")
def own_conflict_form(
    request: Request,
    form: FormData = Depends(csrf_form),
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(judge_only),
    db: Session = Depends(get_db),
) -> Response:
    """A judge declares a conflict with an entry of the edition (by its number); the pair is never assigned."""
    judge = _own_judge(db, event, actor)
    values = {k: str(form.get(k, "")).strip() for k in ("entry", "reason")}
    errors: dict[str, str] = {}
    entry = entry_by_code(db, event=event, code=values["entry"]) if values["entry"] else None
    if entry is None:
        errors["entry"] = (
            _("No entry %(code)s in this edition.") % {"code": values["entry"]} if values["entry"]
            else _("Enter the entry number.")
        )  # fmt: skip
    else:
        try:
            declare_conflict(db, actor=actor, event=event, judge=judge, entry=entry, reason=values["reason"])
        except DomainError as exc:
            note_error(exc, errors, default="entry")
    if errors:
        return _queue_page(request, db, event, judge, values, errors)
    return RedirectResponse(f"/contests/{event.slug}/review?done=declared#conflicts", status_code=303)
