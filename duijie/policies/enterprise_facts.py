"""An enterprise's facts for the rules: read from its directory profile and the facts it stated, read from the
self-check form (each value checked on its own), written back for the form, and stored on the profile (audited).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.i18n import mark as _l
from duijie.core.permissions import require
from duijie.core.validation import parse_id
from duijie.directory.models import Organisation
from duijie.policies.facts import (
    DISTRICTS,
    FACTS,
    FLAGS,
    INDUSTRIES,
    PARKS,
    FactDef,
    FactType,
    format_money,
    parse_value,
    plain,
)
from duijie.policies.permissions import can_see_decisions


def _clean(fact: FactDef, raw: Any) -> Any | None:
    """Keep a stored value only if it is valid for its fact, as JSON-able data."""
    try:
        value = parse_value(fact, raw)
    except ValueError:
        return None
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def canonical_facts(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Facts as stored on a profile: JSON-able (amounts in 元 as text, dates in ISO), a `flags` list spelled
    out as one yes/no per flag, unknown or invalid values dropped."""
    facts: dict[str, Any] = {}
    flags = raw.get("flags")
    if isinstance(flags, list | tuple | set | frozenset):
        for flag in FLAGS:
            facts[flag] = flag in flags
    for name, value in raw.items():
        fact = FACTS.get(name)
        if fact is None or value is None:
            continue
        cleaned = _clean(fact, value)
        if cleaned is not None:
            facts[name] = cleaned
    return facts


def organisation_facts(org: Organisation) -> dict[str, Any]:
    """The facts an evaluation reads for an organisation: its profile (district, park, industries, flags) under
    the facts it stated; values outside the vocabulary are left out rather than failing the whole evaluation."""
    raw: dict[str, Any] = {}
    if org.district in DISTRICTS:
        raw["registered_district"] = org.district
    if org.park in PARKS:
        raw["park"] = org.park
    industries = [i for i in org.industries or [] if i in INDUSTRIES]
    if industries:
        raw["industries"] = industries
    profile_flags = set(org.flags or [])
    for flag in FLAGS:
        raw[flag] = flag in profile_flags
    stated = dict(org.facts or {})
    for flag in stated.pop("flags", None) or []:
        if flag in FLAGS:
            raw[flag] = True
    raw.update(stated)
    facts: dict[str, Any] = {}
    for name, value in raw.items():
        fact = FACTS.get(name)
        if fact is None or value is None:
            continue
        cleaned = _clean(fact, value)
        if cleaned is not None:
            facts[name] = cleaned
    return facts


FACT_HINTS = {
    FactType.MONEY: _l("Write an amount such as 2亿元, 500万元 or 1200000."),
    FactType.RATIO: _l("Write a ratio such as 5% or 0.05."),
    FactType.INT: _l("Write a whole number that is not negative."),
    FactType.NUMBER: _l("Write a number that is not negative."),
    FactType.DATE: _l("Write a date as YYYY-MM-DD."),
    FactType.BOOL: _l("Choose yes or no."),
    FactType.ENUM: _l("Choose one of the listed values."),
    FactType.SET: _l("Choose among the listed values."),
}


def facts_from_form(
    form: Mapping[str, Any], industries: Sequence[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Read the self-check form: each filled fact checked on its own, errors by field, blanks left missing."""
    facts: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, fact in FACTS.items():
        if fact.type == FactType.SET:
            if industries:
                raw: Any = list(industries)
            else:
                continue
        else:
            raw = str(form.get(name) or "").strip()
            if raw == "":
                continue
            if fact.type == FactType.BOOL:
                raw = raw == "yes"
        cleaned = _clean(fact, raw)
        if cleaned is None:
            errors[name] = _(FACT_HINTS[fact.type])
            if fact.past_only and _clean(dataclasses.replace(fact, past_only=False), raw) is not None:
                errors[name] = _("%(fact)s cannot be later than today.") % {"fact": fact.label("zh" if is_zh() else "en")}
            continue
        facts[name] = cleaned
    return facts, errors


def form_values(facts: Mapping[str, Any]) -> dict[str, str]:
    """Write facts as the self-check form shows them: amounts in 亿元/万元, ratios in %, yes/no."""
    values: dict[str, str] = {}
    for name, value in facts.items():
        fact = FACTS.get(name)
        if fact is None:
            continue
        if fact.type == FactType.MONEY:
            values[name] = format_money(Decimal(str(value)), "zh")
        elif fact.type == FactType.RATIO:
            values[name] = f"{plain(Decimal(str(value)) * 100)}%"
        elif fact.type == FactType.BOOL:
            values[name] = "yes" if value else "no"
        elif fact.type != FactType.SET:
            values[name] = str(value)
    return values


def get_organisation(db: Session, *, ref: str | int) -> Organisation:
    """An organisation by id or slug."""
    text = str(ref).strip()
    number = parse_id(text)
    org = db.get(Organisation, number) if number is not None else None
    if org is None:
        org = db.scalar(select(Organisation).where(Organisation.slug == text))
    if org is None:
        raise NotFound(_("No such organisation: %(ref)s") % {"ref": text}, field="organisation")
    return org


def own_organisation(db: Session, actor: Actor) -> Organisation | None:
    """The enterprise an enterprise account acts for, if any."""
    ids = sorted(actor.organisations("enterprise"))
    return db.get(Organisation, ids[0]) if ids else None


def organisations_with_facts(db: Session) -> list[Organisation]:
    """Enterprises that stated facts of their own, for the organiser's picker."""
    orgs = db.scalars(
        select(Organisation).where(Organisation.kind == "enterprise").order_by(Organisation.name_zh)
    )
    return [o for o in orgs if o.facts]


def save_facts(db: Session, *, actor: Actor, organisation: Organisation, facts: Mapping[str, Any]) -> None:
    """Store facts on an organisation's profile (the enterprise itself or the organiser), audited."""
    require(
        can_see_decisions,
        actor,
        organisation,
        message=_("Only the enterprise itself and the organiser may change its facts."),
    )
    new = dict(facts)
    old = dict(organisation.facts or {})
    if new != old:
        organisation.facts = new
        audit.record(
            db,
            actor=actor,
            entity_type="organisation",
            entity_id=organisation.id,
            action="facts",
            before=old,
            after=new,
        )
        db.flush()
