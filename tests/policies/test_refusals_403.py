"""Refusals answer 403 with the reason in the page's language (never a 200 page saying "not allowed"), and the
policy self-check reads an amount spelt in Chinese numerals (两亿) as people type it."""

from __future__ import annotations

from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import csrf_of, in_english, login
from tests.contest import factories as cf

SUGGESTIONS_ZH = "仅主办方、企业所在区及企业本身可查看该企业可能适用的政策。"
SUGGESTIONS_EN = (
    "Only the organiser, the enterprise's district and the enterprise itself may see which policies may apply "
    "to it."
)


def test_another_enterprises_suggestions_and_facts_answer_403_in_both_languages(
    client: TestClient, db: Session
) -> None:
    mine, other = factories.organisation(db), factories.organisation(db)
    member = factories.account(db, role="enterprise", organisation=mine)
    db.commit()
    login(client, member.username, factories.PASSWORD)
    zh = client.get("/policies/suggest", params={"org": other.slug})
    assert zh.status_code == 403 and SUGGESTIONS_ZH in zh.text
    with in_english(client):
        en = client.get("/policies/suggest", params={"org": other.slug})
        check = client.get("/policies/check", params={"org": other.slug})
    assert en.status_code == 403 and SUGGESTIONS_EN in unescape(en.text)
    assert check.status_code == 403 and "Only the enterprise itself and the organiser" in check.text
    assert client.get("/policies/suggest", params={"org": mine.slug}).status_code == 200


def test_a_signed_in_account_that_judges_nothing_meets_403_on_the_review_page(client: TestClient, db: Session) -> None:
    edition = cf.contest(db)
    _judge, judge_login = cf.judge(db, event=edition)
    other = cf.contest(db)
    _, elsewhere = cf.judge(db, event=other)
    member = factories.account(db, role="enterprise", organisation=factories.organisation(db))
    db.commit()
    review = f"/contests/{edition.slug}/review"
    assert client.get(review, follow_redirects=False).status_code in (302, 303)  # anonymous: the login page
    login(client, member.username, factories.PASSWORD)
    zh = client.get(review)
    assert zh.status_code == 403 and "只有本届大赛的评委才有评审页面。" in zh.text
    with in_english(client):
        en = client.get(review)
    assert en.status_code == 403 and "Only the judges of this contest have a review page here." in en.text
    login(client, elsewhere.username, factories.PASSWORD)
    assert client.get(review).status_code == 403
    login(client, judge_login.username, factories.PASSWORD)
    assert client.get(review).status_code == 200


def test_the_self_check_reads_a_valuation_spelt_in_chinese_numerals(client: TestClient) -> None:
    data = {"csrf": csrf_of(client, "/policies/check"), "on": "2025-06-01", "revenue": "3亿元", "valuation": "两亿"}
    page = client.post("/policies/check", data=data)
    assert page.status_code == 200, page.text[-2000:]
    assert 'name="valuation"' in page.text and "2亿元" in page.text
    with in_english(client):
        bad = client.post("/policies/check", data={**data, "valuation": "两亿多"})
    assert bad.status_code == 422 and "Write an amount such as 2亿元, 500万元 or 1200000." in bad.text
