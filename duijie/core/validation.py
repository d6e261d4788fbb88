"""What the platform accepts as input, defined once: amounts, ids, dates and text with their bounds.

Each rule exists twice, in the same words: as a Pydantic `Annotated` type that the API's models use (a bad
value is a 422 naming the field, before any route runs) and as a plain function that raises a DomainError
naming the field (for forms, sheets and commands). The bounds follow what the database can hold: ids fit a
signed 64-bit integer, amounts are the ones `core.i18n.parse_amount` accepts (at most 10万亿元, whole fen),
text fits its column and carries no control characters (which break exports and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated

from annotated_types import Ge, Le
from fastapi import Path
from fastapi import Query as FastQuery
from pydantic import AfterValidator, BeforeValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from duijie.core.errors import DomainError
from duijie.core.i18n import MAX_AMOUNT, gettext, parse_amount

_ = gettext

MAX_ID = 2**63 - 1
# Text columns (descriptions, clauses, messages) have no limit of their own; nobody writes more than this.
TEXT_MAX = 20_000
FIRST_DAY = dt.date(1900, 1, 1)
YEARS_AHEAD = 10
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$"

# C0 control characters and DEL. NUL is never text; the others break .xlsx exports (openpyxl refuses them) and
# mean nothing on a page. Multi-line text keeps tab, line feed and carriage return.
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse(kind: str, message: str) -> PydanticCustomError:
    # The message goes in as context, so braces in what the user wrote are never read as placeholders.
    return PydanticCustomError(kind, "{message}", {"message": message})


def _not_null(value: object) -> object:
    if value is None:
        raise _refuse("not_null", _("This field cannot be emptied; leave it out to keep its value."))
    return value


# For an edit's field that the database requires: `Annotated[T | None, NOT_NULL] = None` keeps the value when
# the field is left out and refuses an explicit `null` (a 422 naming the field, not a failed write).
NOT_NULL = BeforeValidator(_not_null)


# -- amounts ----------------------------------------------------------------------------------------------------


def _amount(value: object) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str | int | float | Decimal):  # a list, an object: say what kind of thing came
        raise _refuse("amount", _("%(v)s is not an amount (write 1.5亿, 15000万 or 150000000)") % {
            "v": type(value).__name__
        })
    try:
        return parse_amount(value)
    except DomainError as exc:
        raise _refuse("amount", exc.message) from None


AMOUNT_TEXT_PATTERN = r"^[0-9][0-9,.]{0,30}(亿元|亿|万元|万|元)?$"

# An amount in yuan, or None when left empty: JSON numbers and text alike go through `parse_amount`.
# The JSON Schema is written inside the annotation, so no mutable table is left at module level.
Amount = Annotated[
    Decimal | None,
    BeforeValidator(_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": int(MAX_AMOUNT)},
                {"type": "string", "pattern": AMOUNT_TEXT_PATTERN, "examples": ["1.5亿", "15000万", "150000000"]},
                {"type": "null"},
            ],
            "description": "yuan, or text as offices write it (1.5亿, 15000万); non-negative, whole fen, at most 10万亿元",
        }
    ),
]


# -- ids ----------------------------------------------------------------------------------------------------------

def _no_bool(value: object) -> object:
    if isinstance(value, bool):  # JSON true is not the id 1
        raise _refuse("id", _("%(v)s is not an id") % {"v": value})
    return value


# A database id: 1 .. 2^63-1 (a body field beyond it would not fit the column).
Id = Annotated[int, BeforeValidator(_no_bool), Ge(1), Le(MAX_ID)]
# The same as a route's path or query parameter (FastAPI documents the bounds only when given this way).
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int, FastQuery(ge=1, le=MAX_ID)]


def check_id(value: object, *, field: str) -> int:
    """`value` (an int or ASCII digits) as an id, or DomainError naming `field`."""
    if isinstance(value, bool):
        raise DomainError(_("%(v)s is not an id") % {"v": value}, field=field)
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 19:
            raise DomainError(_("%(v)s is not an id") % {"v": value[:40]}, field=field)
        value = int(text)
    if not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise DomainError(_("%(v)s is not an id") % {"v": str(value)[:40]}, field=field)
    return value


def parse_id(text: str) -> int | None:
    """The id written in `text` (ASCII digits within 1..2^63-1), or None: for references that may be an id or a
    slug. `"²".isdigit()` is true, so `isdigit()` alone is no test."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 19 and 1 <= int(text) <= MAX_ID:
        return int(text)
    return None


# Slugs as the platform makes them: lower-case ASCII letters, digits and inner hyphens, up to 80 characters.
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]


def is_slug(text: str) -> bool:
    return re.fullmatch(SLUG_PATTERN, text) is not None


# -- dates --------------------------------------------------------------------------------------------------------


def last_day() -> dt.date:
    """The latest date accepted anywhere: ten years from today."""
    today = dt.date.today()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def date_problem(value: dt.date) -> str | None:
    """Why `value` is not a plausible date for the platform's records, or None."""
    latest = last_day()
    if not FIRST_DAY <= value <= latest:
        return _("%(v)s is outside the dates accepted (%(first)s to %(last)s)") % {
            "v": value.isoformat(),
            "first": FIRST_DAY.isoformat(),
            "last": latest.isoformat(),
        }
    return None


def check_date(value: dt.date, *, field: str) -> dt.date:
    """`value` if it lies between 1900-01-01 and ten years from today, else DomainError naming `field`."""
    problem = date_problem(value)
    if problem:
        raise DomainError(problem, field=field)
    return value


def _date(value: dt.date) -> dt.date:
    problem = date_problem(value)
    if problem:
        raise _refuse("date_range", problem)
    return value


# A date of a record (signing, due, founding, landing): 1900-01-01 to ten years from today.
Day = Annotated[dt.date, AfterValidator(_date)]


# -- text ---------------------------------------------------------------------------------------------------------


def text_problem(value: str, *, multiline: bool) -> str | None:
    """Why `value` cannot be stored as text, or None: control characters (tab and line breaks are allowed in
    multi-line text)."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL_LINE).search(value)
    if found:
        return _("The text contains a control character (U+%(code)04X) at position %(at)s; remove it.") % {
            "code": ord(found.group()),
            "at": found.start() + 1,
        }
    return None


def check_text(value: str, *, field: str, max_length: int, multiline: bool = False) -> str:
    """`value` if it fits `max_length` characters and carries no control characters, else DomainError."""
    if len(value) > max_length:
        raise DomainError(
            _("The text is too long: %(n)s characters, at most %(max)s.") % {"n": len(value), "max": max_length},
            field=field,
        )
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise DomainError(problem, field=field)
    return value


def _line(value: str) -> str:
    problem = text_problem(value, multiline=False)
    if problem:
        raise _refuse("control_character", problem)
    return value


def _multiline(value: str) -> str:
    problem = text_problem(value, multiline=True)
    if problem:
        raise _refuse("control_character", problem)
    return value


# Markers for `Annotated[str, ...]`: no control characters in one line / in multi-line text.
ONE_LINE = AfterValidator(_line)
MULTI_LINE = AfterValidator(_multiline)

# One line of text up to the length of its column (String(n)); `Field(min_length=...)` may add a minimum.
Line24 = Annotated[str, StringConstraints(max_length=24), ONE_LINE]
Line40 = Annotated[str, StringConstraints(max_length=40), ONE_LINE]
Line80 = Annotated[str, StringConstraints(max_length=80), ONE_LINE]
Line120 = Annotated[str, StringConstraints(max_length=120), ONE_LINE]
Line200 = Annotated[str, StringConstraints(max_length=200), ONE_LINE]
Line300 = Annotated[str, StringConstraints(max_length=300), ONE_LINE]
# A record's title (String(200)), at least two characters.
Title = Annotated[str, StringConstraints(min_length=2, max_length=200), ONE_LINE]
# Text that may run over several lines: a note (String(500)), a message, a description (Text columns).
Note500 = Annotated[str, StringConstraints(max_length=500), MULTI_LINE]
Para = Annotated[str, StringConstraints(max_length=TEXT_MAX), MULTI_LINE]

# A search query or a filter word, and the search box's limit.
QUERY_MAX = 200
QueryText = Annotated[str, StringConstraints(max_length=QUERY_MAX), ONE_LINE]
