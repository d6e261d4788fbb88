"""Published figures read with their printed qualifier (超, 余, 约, 近) against the records."""

from __future__ import annotations

from decimal import Decimal

import pytest

from duijie.insight.figures import agrees, english


@pytest.mark.parametrize(
    ("qualifier", "published", "computed", "expected"),
    [
        (None, "610", "610", True),
        (None, "610", "613", False),
        ("超", "608", "613", True),
        ("超", "610", "610", True),
        ("超", "610", "609.9", False),
        ("超过", "1434", "1434.5", True),
        ("余", "5000", "5999", True),
        ("余", "5000", "6000", False),
        ("余", "5000", "4999", False),
        ("余", "86", "90", True),
        ("约", "650", "680", True),
        ("约", "650", "700", False),
        ("近", "100", "96", True),
        ("近", "100", "101", False),
    ],
)
def test_qualifiers_as_printed(qualifier: str | None, published: str, computed: str, expected: bool) -> None:
    assert agrees(qualifier, Decimal(published), Decimal(computed)) is expected


def test_english_pages_say_the_qualifier_in_words() -> None:
    assert [english(q) for q in ("超", "余", "约", "近", None)] == ["over", "more than", "about", "nearly", ""]
