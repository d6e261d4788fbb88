"""Translations (gettext catalogues compiled from the .po files at start-up) and locale-aware formatting.

zh_CN is the default; English is the second locale. Money is shown as the documents show it: 亿元 and 万元 in
Chinese, CNY with "100 million" / "bn" in English.
"""

from __future__ import annotations

import contextvars
import io
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("duijie_locale", default=DEFAULT_LOCALE)

YI = Decimal(100_000_000)
WAN = Decimal(10_000)


@cache
def translations(locale: str) -> NullTranslations:
    """The catalogue of `locale`, compiled in memory from its .po file so no build step can go stale."""
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def normalize_locale(value: str | None) -> str:
    if not value:
        return DEFAULT_LOCALE
    value = value.replace("-", "_")
    if value.lower().startswith("en"):
        return "en"
    if value.lower().startswith("zh"):
        return "zh_CN"
    return DEFAULT_LOCALE


def set_locale(locale: str) -> contextvars.Token[str]:
    return _current.set(normalize_locale(locale))


def reset_locale(token: contextvars.Token[str]) -> None:
    """Restores the locale that was current before `set_locale` returned `token`."""
    _current.reset(token)


def get_locale() -> str:
    return _current.get()


def is_zh(locale: str | None = None) -> bool:
    return (locale or get_locale()).startswith("zh")


def gettext(message: str) -> str:
    return translations(get_locale()).ugettext(message)


def mark(message: str) -> str:
    """Marks a string for translation where it is defined (import it as `_l`, the extraction keyword); it is
    translated where it is shown, in the language of that request."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_locale()).ungettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(get_locale()).upgettext(context, message)


_ = gettext


def bilingual(zh: str | None, en: str | None, locale: str | None = None) -> str:
    """The record's name in the current locale, falling back to the other language rather than to nothing."""
    if is_zh(locale):
        return zh or en or ""
    return en or zh or ""


def _trim(value: Decimal, places: int) -> str:
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def to_yi(amount: Decimal | None) -> Decimal:
    """Yuan to 亿元, exact."""
    return (amount or Decimal(0)) / YI


def yi_str(amount: Decimal | None) -> str:
    """An amount in 亿元 as the documents print it: 1434, 902.21 (exact; no trailing zeros)."""
    value = to_yi(amount)
    text = f"{value.normalize():f}" if value != 0 else "0"
    return text


def format_money(amount: Decimal | None, locale: str | None = None) -> str:
    """亿元 from one hundred million up, 万元 below, in Chinese; CNY in billions or millions in English."""
    if amount is None:
        return "—"
    if is_zh(locale):
        if abs(amount) >= YI:
            return f"{_trim(amount / YI, 2)}亿元"
        if abs(amount) >= WAN:
            return f"{_trim(amount / WAN, 2)}万元"
        return f"{_trim(amount, 2)}元"
    if abs(amount) >= Decimal(1_000_000_000):
        return f"CNY {_trim(amount / Decimal(1_000_000_000), 3)} bn"
    if abs(amount) >= Decimal(1_000_000):
        return f"CNY {_trim(amount / Decimal(1_000_000), 2)} M"
    return f"CNY {_trim(amount, 2)}"


def parse_amount(text: str | int | float | Decimal, *, field: str = "amount") -> Decimal:
    """Yuan from what offices write: 1.5亿, 15000万, 150000000, "1,500万元", 3.2 亿元; refuses anything else."""
    from duijie.core.errors import DomainError

    if isinstance(text, Decimal):
        return text
    if isinstance(text, int):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(repr(text))
    raw = text.strip().replace(",", "").replace("，", "").replace(" ", "")
    multiplier = Decimal(1)
    for suffix, factor in (("亿元", YI), ("亿", YI), ("万元", WAN), ("万", WAN), ("元", Decimal(1))):
        if raw.endswith(suffix):
            raw = raw[: -len(suffix)]
            multiplier = factor
            break
    try:
        value = Decimal(raw)
    except ArithmeticError:
        raise DomainError(
            f"{text!r} is not an amount (write 1.5亿, 15000万 or 150000000)", field=field
        ) from None
    if not value.is_finite() or value < 0:
        raise DomainError(f"{text!r} is not a non-negative amount", field=field)
    return (value * multiplier).quantize(Decimal("0.01"))
