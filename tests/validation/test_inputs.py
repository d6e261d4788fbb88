"""Ids, dates, text and rule documents sent to the API: each bad value is a 422 naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from duijie.core.errors import DomainError
from duijie.core.validation import MAX_ID, check_date, check_id, check_text, parse_id
from tests.conftest import login

TOO_BIG = str(MAX_ID + 1)


def _field(response) -> str:  # type: ignore[no-untyped-def]
    return response.json()["error"]["details"][0]["field"]


@pytest.mark.parametrize("path", [f"/api/v1/opportunities/{TOO_BIG}", "/api/v1/opportunities/0"])
def test_ids_beyond_the_column_are_refused_naming_the_parameter(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert _field(response) == "opportunity_id"


@pytest.mark.parametrize("path", [f"/api/v1/deals/{TOO_BIG}", f"/api/v1/deals/{TOO_BIG}/tasks", f"/deals/{TOO_BIG}"])
def test_ids_beyond_the_column_are_refused_everywhere(client: TestClient, path: str) -> None:
    """Signed in (an anonymous reader of a deal's tasks is refused at the door first), the id itself is a 422."""
    login(client, "organiser", "organiser-demo")
    assert client.get(path).status_code == 422


def test_ids_in_bodies_are_bounded(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    deal = client.get("/api/v1/deals", params={"page_size": 1}).json()["items"][0]
    for body, field in (
        ({"title": "跟进", "owner_id": MAX_ID + 1}, "owner_id"),
        ({"title": "跟进", "owner_id": 0}, "owner_id"),
        ({"title": "跟进", "owner_id": True}, "owner_id"),
    ):
        response = client.post(f"/api/v1/deals/{deal['id']}/tasks", json=body)
        assert response.status_code == 422, body
        assert _field(response) == field
    response = client.patch(f"/api/v1/deals/{deal['id']}", json={"event_id": MAX_ID + 1})
    assert response.status_code == 422 and _field(response) == "event_id"


def test_a_unicode_digit_is_no_id_and_no_slug(client: TestClient) -> None:
    assert parse_id("²") is None and parse_id("12") == 12 and parse_id(TOO_BIG) is None
    response = client.get("/api/v1/events/%C2%B2/meetings/slots")
    assert response.status_code in (401, 404)  # an unknown event (or a login first), never a 500
    response = client.post("/api/v1/policies/evaluate", json={"organisation_id": "²"})
    assert response.status_code == 422 and _field(response).startswith("organisation_id")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_dates_outside_the_range_are_refused_naming_the_field(client: TestClient, day: str) -> None:
    login(client, "organiser", "organiser-demo")
    deal = client.get("/api/v1/deals", params={"page_size": 1}).json()["items"][0]
    response = client.post(f"/api/v1/deals/{deal['id']}/tasks", json={"title": "跟进", "due_on": day})
    assert response.status_code == 422 and _field(response) == "due_on"
    response = client.post(
        f"/api/v1/deals/{deal['id']}/stage", json={"to": "signed", "signed_amount": "1亿", "signed_on": day}
    )
    assert response.status_code == 422 and _field(response) == "signed_on"


def test_the_date_range_is_1900_to_ten_years_ahead() -> None:
    assert check_date(dt.date(1900, 1, 1), field="d") == dt.date(1900, 1, 1)
    with pytest.raises(DomainError):
        check_date(dt.date.today() + dt.timedelta(days=3700), field="d")


@pytest.mark.parametrize("text", ["Haidian\x1fTower", "a\x00b", "line\nbreak", "tab\there"])
def test_control_characters_in_a_title_are_refused_naming_the_field(client: TestClient, text: str) -> None:
    login(client, "organiser", "organiser-demo")
    opp = client.get("/api/v1/opportunities", params={"page_size": 1}).json()["items"][0]
    response = client.patch(f"/api/v1/opportunities/{opp['id']}", json={"title_en": text})
    assert response.status_code == 422
    assert _field(response) == "title_en"


def test_multi_line_text_keeps_line_breaks_but_not_nul(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    opp = client.get("/api/v1/opportunities", params={"page_size": 1}).json()["items"][0]
    ok = client.patch(f"/api/v1/opportunities/{opp['id']}", json={"summary_en": "One.\r\n\tTwo."})
    assert ok.status_code == 200 and ok.json()["summary_en"] == "One.\r\n\tTwo."
    refused = client.patch(f"/api/v1/opportunities/{opp['id']}", json={"summary_en": "One.\x00"})
    assert refused.status_code == 422 and _field(refused) == "summary_en"


def test_text_longer_than_its_column_is_refused(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    opp = client.get("/api/v1/opportunities", params={"page_size": 1}).json()["items"][0]
    for field, size in (("industry", 41), ("contact_phone", 41), ("summary_zh", 20_001)):
        response = client.patch(f"/api/v1/opportunities/{opp['id']}", json={field: "x" * size})
        assert response.status_code == 422 and _field(response) == field


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/v1/opportunities/{opp}", "title_zh"), ("/api/v1/deals/{deal}", "on_stage"),
     ("/api/v1/deals/{deal}", "amount_estimated"), ("/api/v1/deals/{deal}", "title_zh")],
)
def test_null_for_a_required_field_is_a_422_naming_it(client: TestClient, path: str, field: str) -> None:
    login(client, "organiser", "organiser-demo")
    opp = client.get("/api/v1/opportunities", params={"page_size": 1}).json()["items"][0]
    deal = client.get("/api/v1/deals", params={"page_size": 1}).json()["items"][0]
    response = client.patch(path.format(opp=opp["id"], deal=deal["id"]), json={field: None})
    assert response.status_code == 422
    assert _field(response) == field


def test_plain_checks_name_the_field() -> None:
    with pytest.raises(DomainError) as caught:
        check_text("a\x1fb", field="title", max_length=10)
    assert caught.value.field == "title"
    with pytest.raises(DomainError):
        check_text("x" * 11, field="title", max_length=10)
    assert check_text("a\nb", field="note", max_length=10, multiline=True) == "a\nb"
    with pytest.raises(DomainError):
        check_id("²", field="id")
    assert check_id("42", field="id") == 42


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "rule",
    [_nested(3000), {"all": [{"not": None}]}, "- " * 3000 + "x", "{all: " * 2000, "x: " + "y" * 70_000],
    ids=["yaml-lists-3000", "data", "block-3000", "flow-unclosed", "size-70k"],
)
def test_a_deep_or_huge_rule_is_refused_before_it_is_parsed(client: TestClient, rule: object) -> None:
    """Anonymous, as the public form's check is: a 422 with a message, never a RecursionError."""
    if isinstance(rule, dict):
        node: object = {"fact": "revenue", "op": ">=", "value": "1亿"}
        for _ in range(30):
            node = {"not": node}
        rule = node
    response = client.post("/api/v1/policies/validate", json={"rule": rule})
    assert response.status_code == 422, response.text[:300]
    assert _field(response) == "rule"


def test_a_sound_rule_still_validates(client: TestClient) -> None:
    response = client.post(
        "/api/v1/policies/validate", json={"rule": {"all": [{"fact": "revenue", "op": ">=", "value": "2亿元"}]}}
    )
    assert response.status_code == 200


def test_the_search_page_searches_the_first_200_characters_and_says_so(client: TestClient) -> None:
    response = client.get("/search", params={"q": "集成电路" * 1500})
    assert response.status_code == 200
    assert 'data-testid="search-shortened"' in response.text
    assert "“" + "集成电路" * 50 + "”" in response.text  # the 200 characters searched, no more
    assert client.get("/api/v1/search", params={"q": "x" * 201}).status_code == 422
    assert 'data-testid="search-shortened"' not in client.get("/search", params={"q": "集成电路"}).text
