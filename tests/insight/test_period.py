"""The period filter reads what people type, and a period it cannot read is named beside the field."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.core.auth import ANONYMOUS
from duijie.core.errors import DomainError
from duijie.insight.queries import make_scope, parse_period
from tests import factories
from tests.marketplace import factories as market


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


def test_a_draft_event_of_the_period_counts_only_for_those_who_may_see_it(db: Session) -> None:
    draft = factories.event(db, starts_on=dt.date(2031, 3, 1), ends_on=dt.date(2031, 3, 2), is_published=False)
    shown = factories.event(db, starts_on=dt.date(2031, 3, 5), ends_on=dt.date(2031, 3, 6))
    market.project(db, draft)
    market.project(db, shown)
    reader = make_scope(db, period="2031-03", actor=ANONYMOUS)
    command_line = make_scope(db, period="2031-03")
    assert reader.event_ids == [shown.id]
    assert sorted(command_line.event_ids or []) == sorted([draft.id, shown.id])
