"""An organisation's facts and preferences: the typed keys the policy checks and the matching read, edited on the
organisation's page, through the API and on the command line, all through `clean_section`.

`Organisation.facts` holds what an enterprise states about itself (revenue, R&D spend, headcount, founding date
...). Which facts exist is the policy package's knowledge, one floor up, so it lists them through the hook
`FACT_FIELDS` and this module reads, checks and stores them without importing it. `Organisation.preferences`
holds what an investor looks for (industries, districts, kinds of project, stages, a ticket range in yuan); those
keys are the directory's own, and the matching reads them.

Values are stored as their readers expect: amounts as yuan in plain text ("200000000"), ratios as plain text
("0.05"), dates in ISO, whole numbers as numbers, yes/no as booleans, lists of reference values. A key the editor
does not know (one an import stored) is kept as it is; a blank value removes its key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from duijie.core.errors import DomainError, ErrorDetail
from duijie.core.hooks import Hook
from duijie.core.i18n import WAN, YI, get_locale, is_zh, parse_amount
from duijie.core.i18n import gettext as _
from duijie.core.validation import FIRST_DAY
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN


class Kind(StrEnum):
    """How a value is typed, read and stored."""

    AMOUNT = "amount"  # yuan: 2亿, 3000万, 1.5亿元, 两亿, 200000000
    DATE = "date"
    INT = "int"
    NUMBER = "number"
    RATIO = "ratio"  # 5% or 0.05
    BOOL = "bool"
    CHOICE = "choice"
    CHOICES = "choices"


@dataclass(frozen=True)
class DataField:
    """One typed key of the facts or the preferences, as the editor shows, reads and stores it."""

    key: str
    label_zh: str
    label_en: str
    kind: Kind
    # (stored value, Chinese name, English name) of each allowed value of a choice.
    choices: tuple[tuple[str, str, str], ...] = ()
    unit_zh: str = ""
    unit_en: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    # A date that has happened (a founding date): one after today is a typing slip, not a plan.
    past_only: bool = False

    def label(self, locale: str | None = None) -> str:
        """The label in the page's language."""
        if is_zh(locale or get_locale()):
            return self.label_zh
        return self.label_en[:1].upper() + self.label_en[1:]

    def unit(self, locale: str | None = None) -> str:
        """The unit shown after the label, in the page's language; none when the label already says it (R&D staff
        counted in R&D staff)."""
        zh = is_zh(locale or get_locale())
        unit, label = (self.unit_zh, self.label_zh) if zh else (self.unit_en, self.label_en)
        return "" if unit.casefold() in label.casefold() else unit

    def choice_label(self, value: str, locale: str | None = None) -> str:
        """An allowed value's name in the page's language."""
        for stored, zh, en in self.choices:
            if stored == value:
                return zh if is_zh(locale or get_locale()) else en
        return value


FACT_FIELDS: Hook[Callable[[], Sequence[DataField]]] = Hook("directory.fact_fields")
"""The facts an organisation states, filled by the package that evaluates them (policies): each contribution
returns its fields in the order the editor shows them."""

CATEGORY_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("enterprise_financing", "企业融资", "Enterprise financing"),
    ("park_cooperation", "园区合作", "Park cooperation"),
    ("building_cooperation", "楼宇合作", "Building cooperation"),
    ("land_financing", "土地融资", "Land financing"),
)
STAGE_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("seed", "种子期", "Seed"),
    ("early", "早期（天使轮）", "Early (angel)"),
    ("growth", "成长期", "Growth"),
    ("mature", "成熟期", "Mature"),
    ("listed", "已上市", "Listed"),
)

PREFERENCE_FIELDS: tuple[DataField, ...] = (
    DataField(
        "industries", "关注产业", "industries", Kind.CHOICES,
        choices=tuple((zh, zh, en) for zh, en in INDUSTRY_EN.items()),
    ),
    DataField(
        "districts", "关注区域", "districts", Kind.CHOICES,
        choices=tuple((zh, zh, en) for zh, en in DISTRICT_EN.items()),
    ),
    DataField("categories", "项目类别", "kinds of project", Kind.CHOICES, choices=CATEGORY_CHOICES),
    DataField("stages", "投资阶段", "stages", Kind.CHOICES, choices=STAGE_CHOICES),
    DataField("ticket_min", "单笔投资下限", "smallest ticket", Kind.AMOUNT, unit_zh="元", unit_en="CNY"),
    DataField("ticket_max", "单笔投资上限", "largest ticket", Kind.AMOUNT, unit_zh="元", unit_en="CNY"),
)  # fmt: skip

SECTIONS: tuple[str, ...] = ("facts", "preferences")


def fact_fields() -> list[DataField]:
    """Every fact the registered packages know, in their order."""
    return [f for contribution in FACT_FIELDS for f in contribution()]


def fields_of(section: str) -> list[DataField]:
    """The fields of `facts` or `preferences`."""
    return fact_fields() if section == "facts" else list(PREFERENCE_FIELDS)


def shown_sections(kind: str, facts: Mapping[str, Any] | None, preferences: Mapping[str, Any] | None) -> list[str]:
    """The sections an organisation's edit page shows: an enterprise states facts, an investor preferences; any
    organisation that already holds some keeps its section."""
    found = []
    if (kind == "enterprise" or facts) and fact_fields():
        found.append("facts")
    if kind == "investor" or preferences:
        found.append("preferences")
    return found


# -- reading one value -------------------------------------------------------------------------------------------

_TRUE = frozenset({"yes", "true", "y", "1", "是"})
_FALSE = frozenset({"no", "false", "n", "0", "否"})
_RATIO = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*(%)?$")


def _plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros: how amounts and ratios are stored."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _choice(field: DataField, text: str, where: str) -> str:
    folded = text.strip().casefold()
    for stored, zh, en in field.choices:
        if folded in (stored.casefold(), zh.casefold(), en.casefold()):
            return stored
    names = "、".join(field.choice_label(stored) for stored, _zh, _en in field.choices)
    raise DomainError(
        _("Unknown value %(v)s; choose from: %(allowed)s.") % {"v": text[:60], "allowed": names}, field=where
    )


def _items(raw: object) -> list[str]:
    parts = [str(v) for v in raw] if isinstance(raw, list | tuple) else re.split(r"[,，、;；\n]", str(raw))
    return [p.strip() for p in parts if p.strip()]


def _number(field: DataField, raw: object, where: str, *, whole: bool) -> int | str:
    message = _("Write a whole number that is not negative.") if whole else _("Write a number that is not negative.")
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        raise DomainError(message, field=where)
    try:
        number = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        raise DomainError(message, field=where) from None
    if not number.is_finite() or number < 0 or number > Decimal(10) ** 15 or (whole and number != int(number)):
        raise DomainError(message, field=where)
    if field.minimum is not None and number < field.minimum:
        raise DomainError(message, field=where)
    return int(number) if whole else _plain(number)


def _ratio(field: DataField, raw: object, where: str) -> str:
    message = _("Write a ratio such as 5% or 0.05.")
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        raise DomainError(message, field=where)
    match = _RATIO.match(str(raw).strip())
    if match is None:
        raise DomainError(message, field=where)
    number = Decimal(match.group(1)) / (100 if match.group(2) else 1)
    top = field.maximum if field.maximum is not None else Decimal(1)
    if number > top:
        raise DomainError(_("Write a ratio of at most %(max)s.") % {"max": f"{_plain(top * 100)}%"}, field=where)
    return _plain(number)


def _date(field: DataField, raw: object, where: str) -> str:
    try:
        day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise DomainError(_("Write a date as YYYY-MM-DD."), field=where) from None
    if field.past_only and day > dt.date.today():
        raise DomainError(_("%(fact)s cannot be later than today.") % {"fact": field.label()}, field=where)
    if day < FIRST_DAY:
        raise DomainError(_("Write a date from 1900 on."), field=where)
    return day.isoformat()


def read_value(field: DataField, raw: object, *, section: str) -> Any:
    """The stored form of one typed value, None for a blank (the key is removed); a DomainError naming
    `section.key` in the request's language otherwise."""
    where = f"{section}.{field.key}"
    if raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, list | tuple) and not raw):
        return None
    if field.kind == Kind.AMOUNT:
        if isinstance(raw, list | dict):
            raise DomainError(_("Write an amount such as 2亿, 3000万 or 200000000."), field=where)
        return _plain(parse_amount(raw, field=where))  # type: ignore[arg-type]
    if field.kind == Kind.INT:
        return _number(field, raw, where, whole=True)
    if field.kind == Kind.NUMBER:
        return _number(field, raw, where, whole=False)
    if field.kind == Kind.RATIO:
        return _ratio(field, raw, where)
    if field.kind == Kind.DATE:
        return _date(field, raw, where)
    if field.kind == Kind.BOOL:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().casefold()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise DomainError(_("Choose yes or no."), field=where)
    if field.kind == Kind.CHOICE:
        return _choice(field, str(raw), where)
    found: list[str] = []
    for item in _items(raw):
        value = _choice(field, item, where)
        if value not in found:
            found.append(value)
    return found or None


def _decimal(value: object) -> Decimal | None:
    """A stored amount as a number; None when absent or unreadable (an import's leftover is not compared)."""
    try:
        number = Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None


def clean_section(
    section: str, raw: Mapping[str, object], current: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[ErrorDetail]]:
    """`current` with the keys of `raw` changed (a blank removes its key), and every problem with its field
    (`facts.revenue`): unknown keys, badly typed values, a smallest ticket above the largest."""
    fields = {f.key: f for f in fields_of(section)}
    values = dict(current or {})
    errors: list[ErrorDetail] = []
    for key, value in raw.items():
        field = fields.get(key)
        if field is None:
            errors.append(
                ErrorDetail(
                    _("Unknown key %(key)s; the keys are: %(known)s.")
                    % {"key": str(key)[:60], "known": ", ".join(fields)},
                    field=f"{section}.{key}"[:120],
                )
            )
            continue
        try:
            parsed = read_value(field, value, section=section)
        except DomainError as exc:
            errors.append(ErrorDetail(exc.message, field=exc.field or f"{section}.{key}"))
            continue
        if parsed is None:
            values.pop(key, None)
        else:
            values[key] = parsed
    low, high = _decimal(values.get("ticket_min")), _decimal(values.get("ticket_max"))
    if section == "preferences" and not errors and low is not None and high is not None and low > high:
        errors.append(
            ErrorDetail(
                _("The smallest ticket is above the largest; swap them or correct one."),
                field="preferences.ticket_min",
            )
        )
    return values, errors


# -- showing values in the form ----------------------------------------------------------------------------------


def _amount_text(value: Decimal, locale: str) -> str:
    """An amount as the form shows it, exactly (saving the form untouched changes nothing)."""
    if not is_zh(locale):
        whole, _dot, fraction = _plain(value).partition(".")
        return f"{int(whole):,}" + (f".{fraction}" if fraction else "")
    if value >= YI:
        return f"{_plain(value / YI)}亿"
    if value >= WAN:
        return f"{_plain(value / WAN)}万"
    return _plain(value)


def form_values(section: str, stored: Mapping[str, Any] | None, locale: str | None = None) -> dict[str, Any]:
    """The section's stored values as its form shows them: amounts in 亿/万 (grouped digits in English), ratios
    in %, yes/no, lists as lists."""
    locale = locale or get_locale()
    shown: dict[str, Any] = {}
    for field in fields_of(section):
        value = (stored or {}).get(field.key)
        if value is None:
            shown[field.key] = [] if field.kind == Kind.CHOICES else ""
            continue
        try:
            if field.kind == Kind.AMOUNT:
                shown[field.key] = _amount_text(Decimal(str(value)), locale)
            elif field.kind == Kind.RATIO:
                shown[field.key] = f"{_plain(Decimal(str(value)) * 100)}%"
            elif field.kind == Kind.BOOL:
                shown[field.key] = "yes" if value is True else "no" if value is False else ""
            elif field.kind == Kind.CHOICES:
                shown[field.key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
            else:
                shown[field.key] = str(value)
        except (InvalidOperation, ValueError):
            shown[field.key] = str(value)
    return shown


def form_section(section: str, form: Any) -> dict[str, object]:
    """What a submitted form says of a section (inputs named `facts.revenue`; lists as checkboxes)."""
    found: dict[str, object] = {}
    for field in fields_of(section):
        name = f"{section}.{field.key}"
        if field.kind == Kind.CHOICES:
            found[field.key] = [str(v) for v in form.getlist(name)]
        else:
            found[field.key] = str(form.get(name, "")).strip()
    return found
