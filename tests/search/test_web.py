"""The search page, `GET /api/v1/search` and `duijie search` on the demo."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from duijie.search.cli import search as search_command
from tests.conftest import in_english


@pytest.fixture(autouse=True)
def _no_background_embedding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUIJIE_SEARCH_EMBED", "off")


def test_search_page_groups_hits_by_kind_with_marked_snippets(client: TestClient) -> None:
    page = client.get("/search", params={"q": "集成电路"})
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="group-opportunity"' in html and 'data-testid="group-policy"' in html
    assert html.index('data-testid="group-opportunity"') < html.index('data-testid="group-policy"')
    assert "<mark>集成电路</mark>" in html
    assert "项目与技术" in html and "政策" in html


def test_search_page_in_english_with_filters(client: TestClient) -> None:
    with in_english(client):
        page = client.get(
            "/search",
            params={
                "q": "integrated circuits",
                "kind": "opportunity",
                "district": "海淀区",
                "amount_min": "1亿",
            },
        )
    assert page.status_code == 200
    assert 'data-testid="group-organisation"' not in page.text
    assert "Projects and technology" in page.text
    assert "<mark>integrated</mark>" in page.text
    assert 'value="1亿"' in page.text


def test_search_page_without_query_explains_itself(client: TestClient) -> None:
    page = client.get("/search")
    assert page.status_code == 200
    assert "中英文均可" in page.text
    assert 'data-testid="result-count"' not in page.text


def test_search_page_bad_amount_is_an_error_page(client: TestClient) -> None:
    page = client.get("/search", params={"q": "x", "amount_min": "lots"})
    assert page.status_code == 422
    assert "lots" in page.text


def test_api_returns_groups_counts_and_snippets(client: TestClient) -> None:
    response = client.get("/api/v1/search", params={"q": "人工智能", "limit": 2, "mode": "lexical"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "人工智能" and body["mode"] == "lexical"
    kinds = [g["kind"] for g in body["groups"]]
    assert kinds[0] == "opportunity" and "policy" in kinds
    for group in body["groups"]:
        assert 1 <= len(group["hits"]) <= 2 and group["count"] == body["counts"][group["kind"]]
        for hit in group["hits"]:
            assert "<mark>" in hit["snippet"] and hit["url"].startswith("/")
    assert body["total"] == sum(body["counts"].values())


def test_api_errors_name_the_field(client: TestClient) -> None:
    bad_kind = client.get("/api/v1/search", params={"q": "x", "kind": "spaceship"})
    assert bad_kind.status_code == 422
    assert bad_kind.json()["error"]["details"][0]["field"] == "kind"
    missing = client.get("/api/v1/search")
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["field"] == "q"


def test_cli_prints_json_and_text(engine: Engine) -> None:
    path = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    result = runner.invoke(
        search_command,
        ["--db", path, "集成电路", "--kind", "policy", "--format", "json", "--mode", "lexical"],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [g["kind"] for g in body["groups"]] == ["policy"]
    assert body["groups"][0]["hits"][0]["title_zh"] == "集成电路设计企业流片支持"
    text = runner.invoke(
        search_command, ["--db", path, "集成电路", "--kind", "policy", "--limit", "1", "--mode", "lexical"]
    )
    assert text.exit_code == 0
    assert text.output.splitlines()[0] == "== policy (3)"
    assert "**集成电路**" in text.output
    bad = runner.invoke(search_command, ["--db", path, "x", "--kind", "spaceship"])
    assert bad.exit_code == 2
    assert "类型无效" in bad.output
