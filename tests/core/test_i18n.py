from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from duijie.core.errors import DomainError
from duijie.core.i18n import format_money, parse_amount, yi_str

LOCALE = Path(__file__).resolve().parents[2] / "duijie" / "locale"


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("1.5亿", "150000000.00"),
        ("15000万", "150000000.00"),
        ("150000000", "150000000.00"),
        ("1,500万元", "15000000.00"),
        ("902.21亿元", "90221000000.00"),
        (" 3.2 亿 ", "320000000.00"),
    ],
)
def test_parse_amount_accepts_the_forms_offices_write(text: str, yuan: str) -> None:
    assert parse_amount(text) == Decimal(yuan)


@pytest.mark.parametrize("text", ["abc", "1.5千万", "-3亿", "NaN"])
def test_parse_amount_refuses_other_text_naming_the_field(text: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_amount(text, field="amount")
    assert err.value.field == "amount"


def test_format_money_uses_yi_and_wan_in_chinese_and_cny_in_english() -> None:
    assert format_money(Decimal("143400000000"), "zh_CN") == "1434亿元"
    assert format_money(Decimal("90221000000"), "zh_CN") == "902.21亿元"
    assert format_money(Decimal("15000000"), "zh_CN") == "1500万元"
    assert format_money(Decimal("1020000000"), "en") == "CNY 1.02 bn"
    assert format_money(Decimal("15000000"), "en") == "CNY 15 M"
    assert format_money(None) == "—"


def test_yi_str_prints_amounts_as_the_reports_do() -> None:
    assert yi_str(Decimal("143400000000")) == "1434"
    assert yi_str(Decimal("90221000000")) == "902.21"
    assert yi_str(Decimal("0")) == "0"


def test_every_interface_string_has_a_chinese_translation() -> None:
    with (LOCALE / "messages.pot").open("rb") as fh:
        template = read_po(fh)
    with (LOCALE / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = catalogue.get(message.id, context=message.context)
        strings = translated.string if translated else None
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(message.id)
    assert missing == []


def test_catalogue_template_is_up_to_date_with_the_templates() -> None:
    """A `_()` added to a page without `make messages` would show English on the Chinese site."""
    from babel.messages.extract import extract_from_dir

    root = LOCALE.parent
    found = {
        (msg[2] if isinstance(msg[2], str) else msg[2][0])
        for msg in extract_from_dir(
            str(root),
            method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
            keywords={"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "pgettext": ((1, "c"), 2)},
        )
    }
    with (LOCALE / "messages.pot").open("rb") as fh:
        known = {(m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(fh) if m.id}
    assert sorted(found - known) == []
