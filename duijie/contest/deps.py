"""Route dependencies and page helpers of the contest: the edition named in the path, who may use a route, the
review a judge may open, reading whole numbers and dates from forms, and rendering with the contest's rules.

Every contest route states its rule through these dependencies, so the rule is checked before the route reads
anything else: an anonymous visitor meets the login page, anyone else without the right meets 403 (or 404 for a
review that is not theirs), and no page is rendered for them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from duijie.contest import permissions
from duijie.contest.domain.affinities import explanation_text
from duijie.contest.domain.reviews import get_assignment
from duijie.contest.domain.scores import may_score
from duijie.contest.enums import EntryState, RoundKind
from duijie.contest.models import ReviewAssignment
from duijie.contest.permissions import can_judge, can_manage_contest
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.core.web import allow, get_actor, get_db, render, require_login
from duijie.events.models import Event
from duijie.events.service import get_visible_event

PAGE_SIZE = 50


def contest_from_slug(slug: str, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)) -> Event:
    """The contest edition named in the path (`/contests/{slug}`), or a translated 404 (also for a draft edition
    the reader does not organise, so a draft's slug tells nothing)."""
    return get_visible_event(db, slug=slug, actor=actor, kind="contest")


organiser = allow(can_manage_contest, on=contest_from_slug)
"""`actor: Actor = Depends(organiser)`: the organiser of the edition; others 403, anonymous visitors log in."""

JUDGE_REFUSAL = _l("Only the judges of this contest have a review page here.")
judge = allow(can_judge, on=contest_from_slug, message=JUDGE_REFUSAL)
"""`actor: Actor = Depends(judge)`: a judge account of the edition; any other account 403 (in the page's language),
anonymous visitors log in."""


def my_review(
    assignment_id: int,
    actor: Actor = Depends(require_login),
    event: Event = Depends(contest_from_slug),
    db: Session = Depends(get_db),
) -> ReviewAssignment:
    """The review in the path, if the signed-in actor may score it (its judge, or the organiser entering a paper
    sheet); for anyone else it does not exist (404), so nothing of it is shown or guessed."""
    row = get_assignment(db, event=event, id=assignment_id)
    if not may_score(db, actor=actor, row=row, event=event):
        raise NotFound(_("No such review: %(id)s") % {"id": assignment_id})
    return row


def page(request: Request, template: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    """Render a contest page with the contest's rules (`P`, for `can(actor, P.can_manage_contest, event)`) and
    the labels its templates share."""
    return render(
        request, template, {**labels(), "contest_perms": permissions, **context}, status_code=status_code
    )


def labels() -> dict[str, Any]:
    """Round kinds, entry states and the tie-break names the templates show."""
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
        "explanation_text": explanation_text,
    }


def page_number(request: Request) -> int:
    """The `page` query parameter, 1 when missing or not a number."""
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


def whole(value: Any, name: str, errors: dict[str, str]) -> int | None:
    """A whole number typed in a form (None when empty); a bad one is noted in `errors` under `name`."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        errors[name] = _("Enter a whole number.")
        return None


def date(value: Any, name: str, errors: dict[str, str]) -> dt.date | None:
    """A date typed as YYYY-MM-DD (None when empty); a bad one is noted in `errors` under `name`."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None


def note_error(exc: DomainError, errors: dict[str, str], default: str = "form") -> None:
    """Put a service's refusal beside its field; a refusal of permission is not a form error and goes on."""
    if exc.status_code == 403:
        raise exc
    errors[exc.field or default] = exc.message


CRITERIA_ROWS = 6
"""How many criterion rows a round's form offers (the demo's rounds use four); empty rows are skipped."""


def criteria_rows(form: Any) -> list[dict[str, str]]:
    """A round form's criterion rows as typed (`c0_name_zh`, `c0_weight`, ...), for `criteria_from_rows`."""
    return [
        {k: str(form.get(f"c{i}_{k}", "")) for k in ("code", "name_zh", "name_en", "weight")}
        for i in range(CRITERIA_ROWS)
    ]


def padded_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A round's criteria with empty rows after them, up to the form's rows, so one more can be added."""
    return rows + [{}] * max(0, CRITERIA_ROWS - len(rows))
