"""Security headers on every answer, vendored API docs, and inline scripts allowed only by the request's nonce."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import login


def test_every_page_forbids_framing_sniffing_and_foreign_scripts(client: TestClient) -> None:
    for path in ("/", "/projects", "/static/css/duijie.css", "/api/v1/events", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, path
        assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0], path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers  # only behind HTTPS (DUIJIE_SECURE_COOKIES)


def test_inline_scripts_carry_the_nonce_of_their_own_response(client: TestClient) -> None:
    first, second = client.get("/dashboard"), client.get("/dashboard")
    nonces = []
    for page in (first, second):
        nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
        assert nonce is not None
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", page.text)
        assert inline, "the dashboard draws its charts with inline scripts"
        assert all(f'nonce="{nonce.group(1)}"' in attrs for attrs in inline)
        nonces.append(nonce.group(1))
    assert nonces[0] != nonces[1]
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", first.text), "no inline event handlers (the CSP blocks them)"


def test_pages_for_a_signed_in_user_are_not_cached(client: TestClient) -> None:
    assert "no-store" not in client.get("/").headers.get("cache-control", "")
    login(client, "organiser", "organiser-demo")
    assert client.get("/").headers["cache-control"] == "no-store"


def test_the_api_reference_runs_only_vendored_scripts(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/static/") for s in sources)
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert "<script>" not in page.text
