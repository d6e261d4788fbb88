"""Translations (gettext catalogues compiled from the .po files at start-up) and locale-aware formatting.

zh_CN is the default; English is the second locale. Money is shown as the documents show it: 亿元 and 万元 in
Chinese, CNY with "100 million" / "bn" in English.
"""

from __future__ import annotations

import contextvars
import io
import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache
from pathlib import Path
from types import MappingProxyType

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


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Messages inside the block in `locale` (a command's `--lang`, a mail in its recipient's language)."""
    token = set_locale(locale)
    try:
        yield
    finally:
        reset_locale(token)


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


def format_money(amount: Decimal | int | None, locale: str | None = None) -> str:
    """亿元 from one hundred million up, 万元 below, in Chinese; CNY in billions or millions in English.

    An int is taken as yuan too: Jinja's `sum` of no amounts is the int 0 (the deal board's empty columns)."""
    if amount is None:
        return "—"
    amount = Decimal(amount)
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


# The largest amount any field holds: 10 trillion yuan (10万亿元), far above any deal or project, and small
# enough that the statistics' sums of fen stay within a 64-bit integer for thousands of rows.
MAX_AMOUNT = Decimal(10) ** 13
FEN = Decimal("0.01")
# What an office writes: ASCII digits with an optional decimal part (and, from programs, an exponent), then an
# optional unit. No sign, no underscores, no other scripts' digits; at most this many characters.
_AMOUNT_TEXT = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_AMOUNT_TEXT_MAX = 40
_UNITS = (("亿元", YI), ("亿", YI), ("万元", WAN), ("万", WAN), ("元", Decimal(1)))


def _short(number: int) -> str:
    """A huge integer named in a message without writing out its thousands of digits."""
    if abs(number) < 10**40:
        return str(number)
    return f"{'-' if number < 0 else ''}{number.bit_length() * 3 // 10}+-digit number"


def check_amount(value: Decimal, *, shown: object, field: str = "amount") -> Decimal:
    """`value` (yuan) as stored, or a DomainError naming `field` if it is not a finite, non-negative amount of
    whole fen up to MAX_AMOUNT; `shown` is what the user wrote, quoted in the message."""
    from duijie.core.errors import DomainError

    if not value.is_finite() or value < 0:
        raise DomainError(_("%(v)s is not a non-negative amount") % {"v": shown}, field=field)
    if value > MAX_AMOUNT:
        raise DomainError(
            _("%(v)s is above the largest amount accepted (10万亿元, 10 trillion yuan)") % {"v": shown},
            field=field,
        )
    if value != value.quantize(FEN):
        raise DomainError(
            _("%(v)s has fractions of a fen (at most two decimal places)") % {"v": shown}, field=field
        )
    return abs(value.quantize(FEN))  # "-0.0" is zero: stored and shown as 0


def parse_amount(text: str | int | float | Decimal, *, field: str = "amount") -> Decimal:
    """Yuan from what offices write: 1.5亿, 15000万, 150000000, "1,500万元", 3.2 亿元; refuses anything else.

    Refused, with a message naming `field`: negatives, booleans (JSON `true` is not an amount), NaN and
    infinities, amounts above MAX_AMOUNT, fractions of a fen (never rounded silently), digits of other scripts
    and `1_000`. Only DomainError leaves this function.
    """
    from duijie.core.errors import DomainError

    def not_an_amount() -> DomainError:
        return DomainError(
            _("%(v)s is not an amount (write 1.5亿, 15000万 or 150000000)") % {"v": shown}, field=field
        )

    shown = repr(text) if isinstance(text, str) and len(text) <= _AMOUNT_TEXT_MAX else text
    if isinstance(text, bool) or not isinstance(text, str | int | float | Decimal):
        raise not_an_amount()
    if isinstance(text, Decimal):
        return check_amount(text, shown=text, field=field)
    if isinstance(text, int):
        if abs(text) > MAX_AMOUNT:  # refused before turning a number of thousands of digits into text
            return check_amount(MAX_AMOUNT * (1 if text > 0 else -1) * 2, shown=_short(text), field=field)
        return check_amount(Decimal(text), shown=text, field=field)
    if isinstance(text, float):
        if math.isnan(text) or math.isinf(text):
            raise DomainError(_("%(v)s is not a non-negative amount") % {"v": text}, field=field)
        return check_amount(Decimal(repr(text)), shown=text, field=field)
    if len(text) > _AMOUNT_TEXT_MAX:
        shown = text[:_AMOUNT_TEXT_MAX] + "…"
        raise not_an_amount()
    raw = text.strip().replace(",", "").replace("，", "").replace(" ", "")
    spelled = chinese_amount(raw)
    if spelled is not None:
        return check_amount(spelled, shown=shown, field=field)
    multiplier = Decimal(1)
    for suffix, factor in _UNITS:
        if raw.endswith(suffix):
            raw = raw[: -len(suffix)]
            multiplier = factor
            break
    if raw.startswith("-") and _AMOUNT_TEXT.fullmatch(raw[1:]):
        raise DomainError(_("%(v)s is not a non-negative amount") % {"v": shown}, field=field)
    if not _AMOUNT_TEXT.fullmatch(raw):
        raise not_an_amount()
    try:
        with localcontext(prec=100):  # exact for every text that fits the length limit: nothing rounded
            value = Decimal(raw) * multiplier
    except ArithmeticError:
        raise not_an_amount() from None
    return check_amount(value, shown=shown, field=field)


_CN_DIGITS: Mapping[str, int] = MappingProxyType({"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9})
_CN_SMALL: Mapping[str, int] = MappingProxyType({"十": 10, "百": 100, "千": 1000})


def chinese_amount(text: str) -> Decimal | None:
    """Yuan from an amount spelt in Chinese numerals, as people say and type it: 两亿, 三千万元, 一亿五千万,
    两千五百万; None when `text` is not such a spelling (Arabic digits, other words), so the caller reads it its
    own way. Digits mixed with numerals (1.5千万) are not a spelling either and stay refused."""
    body = text.strip().removesuffix("元")
    if not body or any(ch not in _CN_DIGITS and ch not in _CN_SMALL and ch not in "万亿" for ch in body):
        return None
    if not any(ch in _CN_DIGITS or ch in _CN_SMALL for ch in body):
        return None  # 亿, 万亿: a unit without a number
    total = wan = section = number = 0
    previous = ""
    for ch in body:
        if ch in _CN_DIGITS:
            if previous in _CN_DIGITS and previous not in "零〇":
                return None  # 一二三: digits in a row are not how amounts are spelt
            number = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (number or 1) * _CN_SMALL[ch]
            number = 0
        elif ch == "万":
            if section + number == 0:
                return None
            wan += (section + number) * 10_000
            section = number = 0
        else:  # 亿, which also scales a 万 before it (万亿)
            if total + wan + section + number == 0:
                return None
            total = (total + wan + section + number) * 100_000_000
            wan = section = number = 0
        previous = ch
    return Decimal(total + wan + section + number)
