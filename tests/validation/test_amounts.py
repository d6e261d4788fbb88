"""Amounts: what `parse_amount`, the API's `Amount` type and the Money column accept, and the sums that
must never overflow. Every refusal is a message naming the field, never a 500 and never a silent change."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from duijie.core.db import AmountError, money_sum
from duijie.core.errors import DomainError
from duijie.core.i18n import MAX_AMOUNT, WAN, YI, format_money, parse_amount
from duijie.core.validation import Amount
from duijie.deals.models import Deal
from duijie.insight.queries import StatsScope, compute_stats
from duijie.marketplace.models import Opportunity
from tests.conftest import login

FAST = settings(max_examples=200, deadline=None)

# What offices write and what each means in yuan.
WRITTEN = [
    ("1.5亿", Decimal("150000000.00")),
    ("15000万", Decimal("150000000.00")),
    ("1,500万元", Decimal("15000000.00")),
    ("3.2 亿元", Decimal("320000000.00")),
    ("150000000", Decimal("150000000.00")),
    ("0.01", Decimal("0.01")),
    ("0.001亿", Decimal("100000.00")),
    ("10万亿", None),  # exactly the cap, written with 万亿: not a unit we read
    ("1e13", MAX_AMOUNT),
]

REFUSED = [
    True, False, -1, -0.5, "-1", "-0", "+5", "1e17", 1e17, 1e300, "1e300", "1e20亿", "99999999999亿",
    float("nan"), float("inf"), float("-inf"), "NaN", "Infinity", "inf", Decimal("NaN"), Decimal("-1"),
    Decimal("1e14"), "0.001", 0.001, "1e-300", 1e-300, "٣٤٥", "１２３", "1_000", "", "亿", "1.2.3", "0x10",
    "x" * 1000, 10**5000, MAX_AMOUNT + Decimal("0.01"),
]


@pytest.mark.parametrize(("text", "yuan"), WRITTEN)
def test_parse_amount_reads_what_offices_write(text: str, yuan: Decimal | None) -> None:
    if yuan is None:
        with pytest.raises(DomainError):
            parse_amount(text)
    else:
        assert parse_amount(text) == yuan


@pytest.mark.parametrize("value", REFUSED, ids=lambda v: f"{type(v).__name__}-{str(v)[:20]}" if not isinstance(v, int) or abs(v) < 10**100 else "huge-int")
def test_parse_amount_refuses_with_a_message_naming_the_field(value: object) -> None:
    with pytest.raises(DomainError) as caught:
        parse_amount(value, field="signed_amount")  # type: ignore[arg-type]
    assert caught.value.field == "signed_amount"
    assert caught.value.message


@FAST
@given(
    st.one_of(
        st.text(max_size=60),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.from_regex(r"-?[0-9٣１]{0,20}(\.[0-9]{0,5})?([eE]-?[0-9]{1,5})?(亿元|亿|万元|万|元)?", fullmatch=True),
    )
)
def test_parse_amount_never_fails_otherwise_and_never_accepts_a_bad_amount(value: object) -> None:
    try:
        result = parse_amount(value)  # type: ignore[arg-type]
    except DomainError as exc:
        assert exc.message and exc.field == "amount"
        return
    assert not isinstance(value, bool)
    assert isinstance(result, Decimal) and result.is_finite()
    assert Decimal(0) <= result <= MAX_AMOUNT
    assert result == result.quantize(Decimal("0.01"))
    if isinstance(value, int | float | Decimal):
        assert result == Decimal(repr(value) if isinstance(value, float) else value)  # nothing rounded


@FAST
@given(st.integers(min_value=0, max_value=int(MAX_AMOUNT) * 100))
def test_amounts_round_trip_through_their_written_forms(fen: int) -> None:
    yuan = Decimal(fen) / 100
    assert parse_amount(f"{yuan:f}") == yuan
    assert parse_amount(f"{yuan / WAN:f}万") == yuan
    assert parse_amount(f"{yuan / YI:f}亿元") == yuan
    shown = format_money(yuan)  # rounded for the page, but always readable back as an amount
    assert parse_amount(shown) >= 0


def test_format_money_takes_the_int_zero_of_an_empty_sum() -> None:
    assert format_money(sum([])) == "0元"
    assert format_money(0, "en") == "CNY 0"


class _Body(BaseModel):
    amount: Amount = None


@pytest.mark.parametrize(
    "value", [True, False, -50000000000, 1e17, "1e300", 0.001, "0.001", [1], {"a": 1}], ids=repr
)
def test_the_amount_type_refuses_json_values_naming_the_field(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        _Body.model_validate({"amount": value})
    (error,) = caught.value.errors()
    assert error["loc"] == ("amount",)
    assert error["type"] == "amount"


def test_the_amount_type_reads_numbers_text_and_empty() -> None:
    assert _Body.model_validate({"amount": 150000000}).amount == Decimal("150000000.00")
    assert _Body.model_validate({"amount": "1.5亿"}).amount == Decimal("150000000.00")
    assert _Body.model_validate({"amount": 0.5}).amount == Decimal("0.50")
    assert _Body.model_validate({"amount": ""}).amount is None
    assert _Body.model_validate({"amount": None}).amount is None


@pytest.mark.parametrize("value", [Decimal("-1"), Decimal("1e14"), Decimal("0.001"), Decimal("NaN"), 1.005, True, "5"])
def test_a_money_attribute_refuses_a_bad_amount_naming_it(value: object) -> None:
    deal = Deal(title_zh="测试项目")
    with pytest.raises(AmountError) as caught:
        deal.signed_amount = value  # type: ignore[assignment]
    assert caught.value.field == "signed_amount"
    assert isinstance(caught.value, ValueError)


def test_the_money_column_refuses_a_bad_amount_when_it_is_written(db: Session) -> None:
    """The last line of defence, for writes that bypass the mapped attributes."""
    with pytest.raises(StatementError) as caught:
        db.execute(insert(Deal).values(title_zh="测试项目", stage="lead", signed_amount=Decimal("-5")))
    assert isinstance(caught.value.orig, AmountError)


def test_statistics_sum_thousands_of_amounts_at_the_cap_without_overflow(db: Session) -> None:
    """10,000 projects of 10万亿元 each: 10^19 fen, past a 64-bit integer; the statistics still answer."""
    event_id = db.scalar(select(Opportunity.event_id).where(Opportunity.event_id.is_not(None)).limit(1))
    before = db.scalar(select(money_sum(Opportunity.amount)).where(Opportunity.event_id == event_id)) or 0
    db.execute(
        insert(Opportunity),
        [
            {"kind": "investment_project", "title_zh": f"上限项目{i}", "amount": MAX_AMOUNT, "event_id": event_id,
             "status": "published"}
            for i in range(10_000)
        ],
    )
    total = db.scalar(select(money_sum(Opportunity.amount)).where(Opportunity.event_id == event_id))
    assert total is not None
    assert math.isclose(float(total), float(before + MAX_AMOUNT * 10_000), rel_tol=1e-12)
    compute_stats(db, StatsScope())  # the dashboard's figures: no "integer overflow"


def test_the_api_refuses_a_negative_signed_amount_and_keeps_the_figures(client) -> None:  # type: ignore[no-untyped-def]
    login(client, "organiser", "organiser-demo")
    deal = client.get("/api/v1/deals", params={"stage": "negotiating", "page_size": 1}).json()["items"][0]
    response = client.post(
        f"/api/v1/deals/{deal['id']}/stage",
        json={"to": "signed", "signed_amount": -50000000000, "signed_on": "2024-04-25"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "signed_amount"
    for value in (True, "1e30", 1e17, "0.001"):
        response = client.patch(f"/api/v1/deals/{deal['id']}", json={"planned_amount": value})
        assert response.status_code == 422, value
        assert response.json()["error"]["details"][0]["field"] == "planned_amount"


def test_the_opportunity_list_refuses_a_fractional_or_huge_minimum(client) -> None:  # type: ignore[no-untyped-def]
    for value in ("0.001", "1e-30", "1e17"):
        response = client.get("/api/v1/opportunities", params={"min_amount": value})
        assert response.status_code == 422, value
        assert response.json()["error"]["details"][0]["field"] == "min_amount"
    assert client.get("/api/v1/opportunities", params={"min_amount": "1.5亿"}).status_code == 200
