"""The API's guards against cross-site writes and inputs the database cannot hold."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import login


def test_a_signed_in_write_from_another_site_is_refused_before_it_reaches_a_route(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    evil = client.post("/api/v1/no-such-route", json={}, headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403 and evil.json()["error"]["status"] == 403
    referer = client.post(
        "/api/v1/no-such-route", json={}, headers={"Origin": "", "Referer": "http://evil.example/page"}
    )
    assert referer.status_code == 403
    own = client.post("/api/v1/no-such-route", json={})
    assert own.status_code == 404


def test_a_write_with_a_body_that_is_not_json_is_refused(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    plain = client.post(
        "/api/v1/no-such-route", content=b'{"to": "signed"}', headers={"Content-Type": "text/plain"}
    )
    assert plain.status_code == 415 and "JSON" in plain.json()["error"]["message"]


def test_an_anonymous_call_is_left_to_the_route(client: TestClient) -> None:
    client.headers.pop("Origin", None)
    assert client.post("/api/v1/no-such-route", json={}, headers={"Origin": "http://evil.example"}).status_code == 404


def test_ids_beyond_64_bits_are_refused_not_a_server_error(client: TestClient) -> None:
    for path in ("/api/v1/opportunities/9223372036854775808", "/projects/9223372036854775808"):
        response = client.get(path)
        assert response.status_code in (404, 422), (path, response.status_code)
