"""The figures an organiser publishes for an event (152 projects, 1434 亿元) with where they were published.

The event page checks them against the records; a figure names its source as a reader can look it up (a
document's title and publisher, or a web address), never a file name. Added, edited and removed on the web,
in the API and on the command line through these functions; every write is audited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, ErrorDetail, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.validation import text_problem
from duijie.events.models import Event, PublishedFigure

FIELDS: tuple[str, ...] = ("key", "label_zh", "label_en", "qualifier", "value", "unit", "source")
REQUIRED: frozenset[str] = frozenset({"key", "label_zh", "label_en", "value", "unit"})
LINES: Mapping[str, int] = MappingProxyType(
    {"label_zh": 120, "label_en": 120, "qualifier": 20, "unit": 20, "source": 500}
)
NUMBER = re.compile(r"[0-9]{1,16}(\.[0-9]{1,16})?")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
# A value as published, stored exactly as amounts are (whole hundredths, below 10^13): 5000, 1434.5, 16.25.
MAX_VALUE = Decimal(10) ** 13
# A source that is only a file name (001_6293e60d3791e49e.txt, 报告.pdf) tells a reader nothing.
FILE_NAME = re.compile(r"^[^\s/\\]+\.(txt|pdf|docx?|xlsx?|csv|pptx?|html?|md|json)$", re.IGNORECASE)


def _invalid(errors: list[ErrorDetail]) -> DomainError:
    return DomainError("；".join(e.message for e in errors) if len(errors) > 1 else errors[0].message, details=errors)


def parse_value(value: object) -> Decimal:
    """A published number: digits with an optional decimal point (thousands separators allowed); ValueError with
    the reason in the request's language otherwise."""
    if isinstance(value, bool):
        raise ValueError(_("%(v)s is not a number (write 5000 or 1434.5).") % {"v": value})
    text = str(value).strip().replace(",", "").replace("，", "")
    if not NUMBER.fullmatch(text):  # "6.5E+2" is how a figure must never be written, nor read
        raise ValueError(_("%(v)s is not a number (write 5000 or 1434.5).") % {"v": str(value)[:40]})
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("%(v)s is not a number (write 5000 or 1434.5).") % {"v": str(value)[:40]}) from None
    if not number.is_finite() or number < 0 or number >= MAX_VALUE:
        raise ValueError(_("%(v)s is not a number (write 5000 or 1434.5).") % {"v": str(value)[:40]})
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and number != number.quantize(Decimal("0.01")):
        raise ValueError(_("Write at most two decimals."))
    return number


def clean_figure(raw: Mapping[str, object], *, creating: bool) -> dict[str, Any]:
    """The given fields as column values; one DomainError listing every problem with its field."""
    errors: list[ErrorDetail] = []
    values: dict[str, Any] = {}
    for name in FIELDS:
        if name not in raw:
            if creating and name in REQUIRED:
                errors.append(ErrorDetail(_("Fill in this field."), field=name))
            continue
        value = raw[name]
        if value is None or (isinstance(value, str) and not value.strip()):
            if name in REQUIRED:
                errors.append(ErrorDetail(_("Fill in this field."), field=name))
            else:
                values[name] = None
            continue
        if name == "value":
            try:
                values[name] = parse_value(value)
            except ValueError as exc:
                errors.append(ErrorDetail(str(exc), field=name))
            continue
        text = str(value).strip()
        if name == "key":
            if not KEY_PATTERN.fullmatch(text):
                errors.append(
                    ErrorDetail(
                        _("Use lower-case letters, digits and underscores, starting with a letter (such as signed_amount)."),
                        field=name,
                    )
                )
                continue
        else:
            limit = LINES[name]
            if len(text) > limit:
                errors.append(
                    ErrorDetail(
                        _("The text is too long: %(n)s characters, at most %(max)s.") % {"n": len(text), "max": limit},
                        field=name,
                    )
                )
                continue
            problem = text_problem(text, multiline=False)
            if problem:
                errors.append(ErrorDetail(problem, field=name))
                continue
            if name == "source" and FILE_NAME.fullmatch(text):
                errors.append(
                    ErrorDetail(
                        _("Name the document a reader can look up (title, publisher, date) or give its web address, "
                          "not a file name."),
                        field=name,
                    )
                )
                continue
        values[name] = text
    if errors:
        raise _invalid(errors)
    return values


def get_figure(db: Session, *, event: Event, key: str) -> PublishedFigure:
    """The event's figure with this key, or a translated 404."""
    figure = db.scalar(select(PublishedFigure).where(PublishedFigure.event_id == event.id, PublishedFigure.key == key))
    if figure is None:
        raise NotFound(_("The event has no published figure “%(key)s”.") % {"key": key[:80]}, field="key")
    return figure


def list_figures(db: Session, *, event: Event) -> list[PublishedFigure]:
    return list(
        db.scalars(select(PublishedFigure).where(PublishedFigure.event_id == event.id).order_by(PublishedFigure.id))
    )


def _snapshot(figure: PublishedFigure) -> dict[str, Any]:
    return {name: getattr(figure, name) for name in FIELDS}


def _taken(db: Session, event: Event, key: str) -> DomainError | None:
    exists = db.scalar(
        select(PublishedFigure.id).where(PublishedFigure.event_id == event.id, PublishedFigure.key == key)
    )
    if exists is None:
        return None
    return DomainError(_("The event already has a figure “%(key)s”.") % {"key": key}, field="key")


def add_figure(db: Session, *, actor: Actor, event: Event, data: Mapping[str, object]) -> PublishedFigure:
    """A new published figure of the event. Side effects: the row; an audit entry "create"."""
    values = clean_figure(data, creating=True)
    taken = _taken(db, event, values["key"])
    if taken:
        raise taken
    figure = PublishedFigure(event_id=event.id, provenance="manual", **values)
    db.add(figure)
    db.flush()
    audit.record(
        db, actor=actor, entity_type="published_figure", entity_id=figure.id, action="create",
        after=_snapshot(figure), event_id=event.id,
    )  # fmt: skip
    return figure


def update_figure(
    db: Session, *, actor: Actor, event: Event, figure: PublishedFigure, data: Mapping[str, object]
) -> PublishedFigure:
    """The figure with the given fields changed. Side effects: the columns; an audit entry "update"."""
    values = clean_figure(data, creating=False)
    if "key" in values and values["key"] != figure.key:
        taken = _taken(db, event, values["key"])
        if taken:
            raise taken
    audit.apply(
        db, actor=actor, obj=figure, changes=values, entity_type="published_figure", action="update",
        event_id=event.id,
    )  # fmt: skip
    return figure


def delete_figure(db: Session, *, actor: Actor, event: Event, figure: PublishedFigure) -> None:
    """Remove the figure. Side effects: the row; an audit entry "delete" keeping what it said."""
    before = _snapshot(figure)
    figure_id = figure.id
    if figure in event.figures:
        event.figures.remove(figure)
    db.delete(figure)
    db.flush()
    audit.record(
        db, actor=actor, entity_type="published_figure", entity_id=figure_id, action="delete", before=before,
        event_id=event.id,
    )  # fmt: skip


# Qualifiers Chinese writes after the number (5000余名), the others before it (超608亿元, 约650家).
AFTER_NUMBER = frozenset({"余", "多", "有余"})
QUALIFIER_EN = MappingProxyType({"超": "over", "超过": "over", "逾": "over", "余": "over", "多": "over", "有余": "over",
                "约": "about", "大约": "about", "近": "nearly", "将近": "nearly"})  # fmt: skip
# English for the units figures are printed in; counts need no unit word beside their label.
UNIT_EN = MappingProxyType(
    {"个": "", "项": "", "家": "", "名": "", "人": "", "位": "", "场": "", "届": "", "%": "%", "万元": "", "亿元": ""}
)


def _plain(value: Decimal) -> str:
    """1434, 902.21, 5,000: never an exponent (6.5E+2), thousands grouped."""
    text = f"{value.normalize():f}"
    whole, _dot, fraction = text.partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def figure_text(figure: PublishedFigure, *, zh: bool) -> str:
    """A published figure as a reader of the page's language reads it: 5000余名, 超608亿元, 约650家; in English
    over 5,000, over 60.8 billion yuan, about 650."""
    qualifier = (figure.qualifier or "").strip()
    if zh:
        number = f"{figure.value.normalize():f}"
        if qualifier in AFTER_NUMBER:
            return f"{number}{qualifier}{figure.unit}"
        return f"{qualifier}{number}{figure.unit}"
    if figure.unit == "亿元":
        number = f"{_plain(figure.value / 10)} billion yuan"
    elif figure.unit == "万元":
        number = f"{_plain(figure.value / 100)} million yuan"
    else:
        unit = UNIT_EN.get(figure.unit, figure.unit)
        number = _plain(figure.value) + (unit if unit == "%" else f" {unit}" if unit else "")
    word = QUALIFIER_EN.get(qualifier, "about" if qualifier else "")
    return f"{word} {number}".strip()
