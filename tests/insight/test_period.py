"""The period filter reads what people type, and a period it cannot read is named beside the field."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from duijie.core.errors import DomainError
from duijie.insight.queries import parse_period


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ("2024年", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ("2024-05", dt.date(2024, 5, 1), dt.date(2024, 5, 31)),
        ("2024-5", dt.date(2024, 5, 1), dt.date(2024, 5, 31)),
        ("2024年4月", dt.date(2024, 4, 1), dt.date(2024, 4, 30)),
        ("2024/12", dt.date(2024, 12, 1), dt.date(2024, 12, 31)),
        ("２０２４年２月", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2024-01-01..2024-06-30", dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
        ("2024年1月1日至2024年6月30日", dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
    ],
)
def test_periods_as_people_write_them(text: str, start: dt.date, end: dt.date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["二〇二四", "2024-13", "2024-06-30..2024-01-01", "last year"])
def test_unreadable_periods_are_refused_on_the_field(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_period(text)
    assert caught.value.field == "period"


@pytest.mark.parametrize(
    ("lang", "expected"), [("zh_CN", "不是有效的期间"), ("en", "is not a period: write a year")]
)
def test_the_dashboard_keeps_standing_with_the_message_beside_the_field(
    client: TestClient, lang: str, expected: str
) -> None:
    response = client.get("/dashboard", params={"period": "明年", "lang": lang})
    assert response.status_code == 200
    html = response.text
    assert 'id="period-error"' in html and expected in html
    assert 'value="明年"' in html
    assert 'data-testid="released-count"' in html
