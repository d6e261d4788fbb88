"""Creating and editing organisations: their profile, kind, district, industries and flags, in Chinese and English.

The web pages, the API and the command line all call these, so a rule is written once and refuses in the same
words everywhere. `clean_organisation` turns text (a form, a command's options) or typed values (the API's
models) into column values and collects every problem with the field it concerns, in the request's language,
so a form comes back with each message beside its field. Every write is audited.

Organisers create organisations and edit any; someone holding a role on an organisation edits its profile but
not its kind or slug (its address and what the platform takes it for).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, ErrorDetail, NotFound, PermissionDenied
from duijie.core.i18n import get_locale
from duijie.core.i18n import gettext as _
from duijie.core.validation import TEXT_MAX, is_slug, text_problem
from duijie.directory import profile_data
from duijie.directory.enums import OrgFlag, OrgKind, SignUpState
from duijie.directory.models import Organisation, SignUp
from duijie.directory.permissions import (
    can_create_organisation,
    can_edit_organisation,
    can_rename_organisation,
)
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN

# The fields an organiser sets, in the order forms and commands show them.
FIELDS: tuple[str, ...] = (
    "slug",
    "kind",
    "name_zh",
    "name_en",
    "country",
    "district",
    "park",
    "industries",
    "flags",
    "website",
    "description_zh",
    "description_en",
)
REQUIRED: frozenset[str] = frozenset({"slug", "kind", "name_zh"})
# What only an organiser changes.
IDENTITY: frozenset[str] = frozenset({"slug", "kind"})
LISTS: frozenset[str] = frozenset({"industries", "flags"})
# One-line text fields and the length of their column.
LINES: Mapping[str, int] = MappingProxyType({"name_zh": 200, "name_en": 200, "park": 80, "website": 200})
MULTILINE: frozenset[str] = frozenset({"description_zh", "description_en"})
DEFAULT_COUNTRY = "CN"
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_WEBSITE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)


def _invalid(errors: list[ErrorDetail]) -> DomainError:
    return DomainError("；".join(e.message for e in errors) if len(errors) > 1 else errors[0].message, details=errors)


def _blank(value: object) -> bool:
    if isinstance(value, (list, tuple)):
        return False
    return value is None or (isinstance(value, str) and not value.strip())


def _items(value: object) -> list[str]:
    """A list field given as a list, or as text separated by commas, 、 or line breaks."""
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    else:
        parts = re.split(r"[,，、;；\n]", str(value))
    found: list[str] = []
    for part in (p.strip() for p in parts):
        if part and part not in found:
            found.append(part)
    return found


def _choices(pairs: Sequence[tuple[str, str]]) -> str:
    return "、".join(f"{value} ({label})" if label != value else value for value, label in pairs)


def _flag_items(items: list[str], errors: list[ErrorDetail]) -> list[str] | None:
    known = {f.value for f in OrgFlag}
    by_label = {f.label(loc): f.value for f in OrgFlag for loc in ("zh_CN", "en")}
    values = [by_label.get(i, i) for i in items]
    unknown = [i for i, v in zip(items, values, strict=True) if v not in known]
    if unknown:
        allowed = _choices([(f.value, f.label(get_locale())) for f in OrgFlag])
        errors.append(
            ErrorDetail(
                _("Unknown flag %(v)s; choose from: %(allowed)s.") % {"v": "、".join(unknown)[:120], "allowed": allowed},
                field="flags",
            )
        )
        return None
    return values


def _industry_items(items: list[str], errors: list[ErrorDetail]) -> list[str] | None:
    by_en = {en.lower(): zh for zh, en in INDUSTRY_EN.items()}
    values = [i if i in INDUSTRY_EN else by_en.get(i.lower(), i) for i in items]
    unknown = [i for i, v in zip(items, values, strict=True) if v not in INDUSTRY_EN]
    if unknown:
        errors.append(
            ErrorDetail(
                _("Unknown industry %(v)s; choose from: %(allowed)s.")
                % {"v": "、".join(unknown)[:120], "allowed": "、".join(INDUSTRY_EN)},
                field="industries",
            )
        )
        return None
    return values


def _text(name: str, text: str, errors: list[ErrorDetail]) -> str | None:
    limit = LINES.get(name, TEXT_MAX)
    if len(text) > limit:
        errors.append(
            ErrorDetail(
                _("The text is too long: %(n)s characters, at most %(max)s.") % {"n": len(text), "max": limit},
                field=name,
            )
        )
        return None
    problem = text_problem(text, multiline=name in MULTILINE)
    if problem:
        errors.append(ErrorDetail(problem, field=name))
        return None
    return text


def clean_organisation(raw: Mapping[str, object], *, creating: bool) -> dict[str, Any]:
    """The given fields of `raw` as column values; raises one DomainError listing every problem with its field.

    On creation every required field must be given and the others get their defaults; on an edit only the fields
    present change (a blank optional field is emptied)."""
    values, errors = _clean(raw, creating=creating)
    if errors:
        raise _invalid(errors)
    return values


def _clean(raw: Mapping[str, object], *, creating: bool) -> tuple[dict[str, Any], list[ErrorDetail]]:
    errors: list[ErrorDetail] = []
    values: dict[str, Any] = {}
    for name in FIELDS:
        if name not in raw:
            if creating and name in REQUIRED:
                errors.append(ErrorDetail(_("Fill in this field."), field=name))
            continue
        value = raw[name]
        if _blank(value):
            if name in REQUIRED:
                errors.append(ErrorDetail(_("Fill in this field."), field=name))
            elif name == "country":
                values[name] = DEFAULT_COUNTRY
            elif name in LISTS:
                values[name] = []
            else:
                values[name] = None
            continue
        if name == "industries":
            found = _industry_items(_items(value), errors)
            if found is not None:
                values[name] = found
            continue
        if name == "flags":
            found = _flag_items(_items(value), errors)
            if found is not None:
                values[name] = found
            continue
        text = str(value).strip()
        if name == "slug":
            if not is_slug(text):
                errors.append(
                    ErrorDetail(
                        _("Use lower-case letters, digits and hyphens (such as zhongguancun-ai), at most 80."),
                        field=name,
                    )
                )
                continue
        elif name == "kind":
            if text not in {k.value for k in OrgKind}:
                allowed = _choices([(k.value, k.label(get_locale())) for k in OrgKind])
                errors.append(ErrorDetail(_("Choose one of: %(allowed)s.") % {"allowed": allowed}, field=name))
                continue
        elif name == "country":
            text = text.upper()
            if not _COUNTRY.match(text):
                errors.append(
                    ErrorDetail(_("Write the country's two-letter ISO code, such as CN, DE or US."), field=name)
                )
                continue
        elif name == "district":
            if text not in DISTRICT_EN:
                by_en = {en.lower(): zh for zh, en in DISTRICT_EN.items()}
                if text.lower() in by_en:
                    text = by_en[text.lower()]
                else:
                    errors.append(
                        ErrorDetail(
                            _("There is no district “%(v)s”; choose from: %(allowed)s.")
                            % {"v": text[:40], "allowed": "、".join(DISTRICT_EN)},
                            field=name,
                        )
                    )
                    continue
        else:
            cleaned = _text(name, text, errors)
            if cleaned is None:
                continue
            if name == "website" and not _WEBSITE.match(text):
                errors.append(
                    ErrorDetail(_("Write the full address, beginning with http:// or https://."), field=name)
                )
                continue
            if name == "name_zh" and len(text) < 2:
                errors.append(ErrorDetail(_("Write at least two characters."), field=name))
                continue
        values[name] = text
    if creating:
        values.setdefault("country", DEFAULT_COUNTRY)
        values.setdefault("industries", [])
        values.setdefault("flags", [])
    return values, errors


def _slug_taken(db: Session, slug: str, errors: list[ErrorDetail]) -> None:
    if db.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        errors.append(
            ErrorDetail(_("The slug “%(slug)s” is taken by another organisation.") % {"slug": slug}, field="slug")
        )


def _data_sections(data: Mapping[str, object], org: Organisation | None, errors: list[ErrorDetail]) -> dict[str, Any]:
    """The facts and preferences given (each a mapping of keys to change), merged into what `org` holds; the
    problems go to `errors` with their field (`facts.revenue`)."""
    values: dict[str, Any] = {}
    for section in profile_data.SECTIONS:
        if section not in data or data[section] is None:
            continue
        raw = data[section]
        if not isinstance(raw, Mapping):
            errors.append(ErrorDetail(_("Give the keys and their values as an object."), field=section))
            continue
        merged, problems = profile_data.clean_section(section, raw, getattr(org, section, None) if org else None)
        errors.extend(problems)
        values[section] = merged
    return values


def snapshot(org: Organisation) -> dict[str, Any]:
    """The organisation's profile as the history keeps it."""
    return {name: getattr(org, name) for name in FIELDS}


def create_organisation(db: Session, *, actor: Actor, data: Mapping[str, object]) -> Organisation:
    """A new organisation, entered by an organiser.

    Side effects: the organisation row; an audit entry "create". The caller commits."""
    if not can_create_organisation(actor, None):
        raise PermissionDenied(_("Only an organiser creates organisations."))
    values, errors = _clean(data, creating=True)
    values.update(_data_sections(data, None, errors))
    if "slug" in values:
        _slug_taken(db, values["slug"], errors)
    if errors:
        raise _invalid(errors)
    org = Organisation(**values, provenance="manual")
    db.add(org)
    db.flush()
    audit.record(db, actor=actor, entity_type="organisation", entity_id=org.id, action="create", after=snapshot(org))
    return org


def update_organisation(db: Session, *, actor: Actor, org: Organisation, data: Mapping[str, object]) -> Organisation:
    """The organisation with the given fields changed (the others as they were).

    A member may change the profile but not the kind or slug: giving a different one is refused on its field.
    `data` may hold `facts` and `preferences` (the keys to change, a blank removing one: `profile_data`).
    Side effects: the changed columns; an audit entry "update" with before and after, none when nothing changed.
    The caller commits."""
    if not can_edit_organisation(actor, org):
        raise PermissionDenied(_("You may edit only your own organisation's profile."))
    values, errors = _clean(data, creating=False)
    values.update(_data_sections(data, org, errors))
    if not can_rename_organisation(actor, org):
        for name in sorted(IDENTITY & set(values)):
            if values[name] != getattr(org, name):
                errors.append(ErrorDetail(_("Only an organiser changes this field."), field=name))
    if "slug" in values and values["slug"] != org.slug:
        _slug_taken(db, values["slug"], errors)
    if errors:
        raise _invalid(errors)
    audit.apply(db, actor=actor, obj=org, changes=values, entity_type="organisation", action="update")
    return org


def organisation_by_slug(db: Session, slug: str) -> Organisation:
    """The organisation whose address is `slug`; a 404 in the request's language otherwise."""
    org = db.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound(_("There is no organisation “%(slug)s”.") % {"slug": slug[:80]}, field="slug")
    return org


def search_organisations(
    db: Session, *, q: str | None = None, kind: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[Organisation], int]:
    """One page of organisations matching a name (Chinese or English, any part) and a kind, by name; and how
    many match in all."""
    stmt = select(Organisation)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(Organisation.name_zh.ilike(pattern, escape="\\"), Organisation.name_en.ilike(pattern, escape="\\"))
        )
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(db.scalars(stmt.order_by(Organisation.name_zh, Organisation.id).offset(offset).limit(limit)))
    return rows, total


SIGN_UP_PROVENANCE = "sign-up"


def listed() -> ColumnElement[bool]:
    """The organisations the public pages, the API and the matching may show: every one but those a sign-up
    made whose sign-up is not approved. Anyone can sign up, so an applicant's organisation stays out of the
    directory, the recommendations and policy outreach until the organiser has vetted it, and a declined one
    never enters them; organisers still find it on their own pages."""
    approved = exists(
        select(SignUp.id).where(SignUp.organisation_id == Organisation.id, SignUp.state == SignUpState.APPROVED.value)
    )
    return or_(Organisation.provenance.is_(None), Organisation.provenance != SIGN_UP_PROVENANCE, approved)
