"""Route dependencies of the policy pages and API: the records a route is about, loaded from its path, query or
form, and the permission rules with this package's refusals, which say what is needed in the request's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core.auth import Actor
from duijie.core.errors import PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.core.permissions import Predicate
from duijie.core.web import csrf_form, get_actor, get_db, require_login
from duijie.directory.models import Organisation
from duijie.policies.enterprise_facts import get_organisation, own_organisation
from duijie.policies.models import Policy
from duijie.policies.permissions import can_see_decisions
from duijie.policies.records import get_policy

AUTHOR_REFUSAL = _l("Only the organiser and district governments author policies.")
EDIT_REFUSAL = _l("You may only edit the policies of your own district.")
MATCH_REFUSAL = _l("Only the organiser may search enterprises for a policy.")
DECISIONS_REFUSAL = _l("Only the enterprise itself and the organiser may see its eligibility decisions.")
SUGGESTIONS_REFUSAL = _l(
    "Only the organiser, the enterprise's district and the enterprise itself may see which policies may apply "
    "to it."
)


def allowed(rule: Predicate, message: str, *, on: Callable[..., Any] | None = None) -> Callable[..., Actor]:
    """`core.web.allow` with a refusal that names who may do this: the signed-in actor if `rule(actor, obj)`
    holds (`obj` loaded by the dependency `on`), the login page for an anonymous visitor, otherwise 403 with
    `message` (marked with `_l` where it is defined) translated for this request."""

    def _load_none() -> None:
        return None

    def dependency(actor: Actor = Depends(require_login), obj: Any = Depends(on or _load_none)) -> Actor:
        if not rule(actor, obj):
            raise PermissionDenied(_(message))
        return actor

    dependency.__name__ = f"allow_{rule.name}"
    return dependency


def policy_from_slug(slug: str, db: Session = Depends(get_db)) -> Policy:
    """The policy named in the path, with its versions and package (404 if there is none)."""
    return get_policy(db, slug=slug)


def organisation_from_ref(ref: str, db: Session = Depends(get_db)) -> Organisation:
    """The organisation named in the path by id or slug (404 if there is none)."""
    return get_organisation(db, ref=ref)


def suggestion_subject(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Organisation | None:
    """The enterprise the suggestions page is about: `?org=` (id or slug), else the one the account acts for,
    else none (the organiser's or a district's picker)."""
    ref = (request.query_params.get("org") or "").strip()
    return get_organisation(db, ref=ref) if ref else own_organisation(db, actor)


def _checked(request: Request, db: Session, actor: Actor, ref: str | None) -> Organisation | None:
    """The self-check is open to everyone; naming an enterprise reads its stated facts and kept decisions,
    which only the enterprise itself and the organiser may see."""
    if not ref:
        return own_organisation(db, actor)
    require_login(request)  # an anonymous visitor meets the login page, which brings them back here
    org = get_organisation(db, ref=ref)
    if not can_see_decisions(actor, org):
        raise PermissionDenied(_(DECISIONS_REFUSAL))
    return org


def organisation_to_check(
    request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> Organisation | None:
    """The enterprise of the self-check page: `?org=` for those who may see its decisions, else the actor's own."""
    return _checked(request, db, actor, (request.query_params.get("org") or "").strip() or None)


def form_organisation_to_check(
    request: Request,
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Organisation | None:
    """The enterprise of a posted self-check: the form's `org` for those who may see its decisions, else the
    actor's own."""
    return _checked(request, db, actor, str(form.get("org") or "").strip() or None)
