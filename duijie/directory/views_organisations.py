"""The organisation pages of organisers and members: the list of organisations (search by name, filter by kind),
the form to create one, and the form to edit one's profile with its stated facts (an enterprise's, which the
policy checks read) and its investment preferences (an investor's, which the matching reads).

The list and the creation form are for organisers; the edit form for an organiser (any organisation) or for
someone holding a role on that organisation (its profile only: kind and slug are shown, not editable). A refused
form comes back filled in, each message beside its field, in the page's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.web import allow, csrf_form, get_db, render
from duijie.directory import organisations as service
from duijie.directory import profile_data
from duijie.directory.api_organisations import organisation_editor, organisation_from_slug
from duijie.directory.enums import OrgFlag, OrgKind
from duijie.directory.models import Organisation
from duijie.directory.permissions import can_create_organisation, can_rename_organisation
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN

router = APIRouter(include_in_schema=False)

PREFIX = "/organise/organisations"
PAGE_SIZE = 25
any_organiser = allow(can_create_organisation)


def _errors(exc: DomainError) -> dict[str, str]:
    """The messages of a refusal by field (`form` for one that names none), the first per field."""
    found: dict[str, str] = {}
    for detail in exc.details:
        found.setdefault(detail.field or "form", detail.message)
    return found


def _form_data(form: FormData, *, identity: bool) -> tuple[dict[str, object], dict[str, object]]:
    """What the form sends the service, and what the form shows again (lists as lists)."""
    names = [n for n in service.FIELDS if identity or n not in service.IDENTITY]
    data: dict[str, object] = {}
    for name in names:
        if name in service.LISTS:
            data[name] = [str(v) for v in form.getlist(name)]
        else:
            data[name] = str(form.get(name, "")).strip()
    return data, dict(data)


def _values(org: Organisation) -> dict[str, object]:
    values: dict[str, object] = {
        name: (getattr(org, name) if getattr(org, name) is not None else "") for name in service.FIELDS
    }
    for section in profile_data.SECTIONS:
        values[section] = profile_data.form_values(section, getattr(org, section))
    return values


def _sections(org: Organisation | None) -> list[str]:
    """The facts and preferences sections the organisation's form carries."""
    if org is None:
        return []
    return profile_data.shown_sections(org.kind, org.facts, org.preferences)


def _with_sections(form: FormData, org: Organisation | None, data: dict[str, object], shown: dict[str, object]) -> None:
    """Adds the sections' keys the form sends (every one: a blank removes its key) and what it shows again."""
    for section in _sections(org):
        raw = profile_data.form_section(section, form)
        data[section] = raw
        shown[section] = dict(raw)


def _page(
    request: Request,
    org: Organisation | None,
    values: Mapping[str, object],
    errors: Mapping[str, str],
    *,
    identity: bool,
    status: int = 200,
) -> Response:
    return render(
        request,
        "directory/organisations/form.html",
        {
            "org": org,
            "values": values,
            "errors": errors,
            "identity": identity,
            "kinds": list(OrgKind),
            "flags": list(OrgFlag),
            "districts": DISTRICT_EN,
            "industries": INDUSTRY_EN,
            "saved": request.query_params.get("saved"),
            "today": dt.date.today().isoformat(),
            "sections": [
                (section, profile_data.fields_of(section), values.get(section) or {}) for section in _sections(org)
            ],
        },
        status_code=status,
    )


@router.get(PREFIX)
def organisation_list(request: Request, actor: Actor = Depends(any_organiser), db: Session = Depends(get_db)) -> Response:
    """The organisations by name, one page at a time, searched by a part of the name and filtered by kind."""
    q = str(request.query_params.get("q", "")).strip()[:100]
    kind = str(request.query_params.get("kind", ""))
    kind = kind if kind in {k.value for k in OrgKind} else ""
    raw = str(request.query_params.get("page", "1"))
    page = int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1
    rows, total = service.search_organisations(
        db, q=q or None, kind=kind or None, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    pages = max(1, -(-total // PAGE_SIZE))
    params = {k: v for k, v in {"q": q, "kind": kind}.items() if v}
    return render(
        request,
        "directory/organisations/list.html",
        {"rows": rows, "total": total, "page": page, "pages": pages, "params": params, "q": q, "kind": kind,
         "kinds": list(OrgKind), "districts": DISTRICT_EN},
    )  # fmt: skip


@router.get(PREFIX + "/new")
def new_organisation_form(request: Request, actor: Actor = Depends(any_organiser)) -> Response:
    """An empty form, an enterprise in China by default."""
    values: dict[str, object] = {name: "" for name in service.FIELDS}
    values.update({"kind": OrgKind.ENTERPRISE.value, "country": "CN", "industries": [], "flags": []})
    return _page(request, None, values, {}, identity=True)


@router.post(PREFIX + "/new")
def create_organisation(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(any_organiser),
    db: Session = Depends(get_db),
) -> Response:
    """Create the organisation and open its edit form."""
    data, shown = _form_data(form, identity=True)
    try:
        with db.begin_nested():
            org = service.create_organisation(db, actor=actor, data=data)
    except DomainError as exc:
        return _page(request, None, shown, _errors(exc), identity=True, status=exc.status_code)
    return RedirectResponse(f"/organisations/{org.slug}/edit?saved=1", status_code=303)


@router.get("/organisations/{slug}/edit")
def edit_organisation_form(
    request: Request,
    actor: Actor = Depends(organisation_editor),
    org: Organisation = Depends(organisation_from_slug),
) -> Response:
    """The profile as it is."""
    return _page(request, org, _values(org), {}, identity=bool(can_rename_organisation(actor, org)))


@router.post("/organisations/{slug}/edit")
def update_organisation(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(organisation_editor),
    org: Organisation = Depends(organisation_from_slug),
    db: Session = Depends(get_db),
) -> Response:
    """Save the profile (a member's form carries no kind or slug) and show it again."""
    identity = bool(can_rename_organisation(actor, org))
    data, shown = _form_data(form, identity=identity)
    _with_sections(form, org, data, shown)
    try:
        with db.begin_nested():
            service.update_organisation(db, actor=actor, org=org, data=data)
    except DomainError as exc:
        db.refresh(org)
        if not identity:
            shown.update({"slug": org.slug, "kind": org.kind})
        return _page(request, org, shown, _errors(exc), identity=identity, status=exc.status_code)
    return RedirectResponse(f"/organisations/{org.slug}/edit?saved=1", status_code=303)
