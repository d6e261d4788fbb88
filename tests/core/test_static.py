"""Static files are compressed and cached: the 1.1 MB chart library is not sent in full on every visit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import login


def test_vendored_scripts_are_gzipped_and_cached_for_a_week(client: TestClient) -> None:
    response = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == "public, max-age=604800"
    assert response.num_bytes_downloaded < len(response.content) / 2


def test_our_stylesheet_is_revalidated_hourly(client: TestClient) -> None:
    response = client.get("/static/css/duijie.css")
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert "etag" in response.headers
    again = client.get("/static/css/duijie.css", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_pages_offer_a_skip_link_and_an_icon(client: TestClient) -> None:
    html = client.get("/projects").text
    assert '<a class="skip-link" href="#main">' in html
    assert 'id="main"' in html
    assert client.get("/static/favicon.svg").headers["content-type"].startswith("image/svg")


def test_the_organisers_pages_sit_in_one_menu_that_others_do_not_get(client: TestClient) -> None:
    assert 'data-testid="manage-menu"' not in client.get("/projects").text
    login(client, "organiser", "organiser-demo")
    html = client.get("/projects").text
    menu = html.split('data-testid="manage-menu"', 1)[1].split("</details>", 1)[0]
    for href in ('href="/organise/events"', 'href="/organise/organisations"', 'href="/people"', 'href="/audit"'):
        assert href in menu
