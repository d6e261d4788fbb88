"""Browser journey of the deal pipeline as a bureau runs it: a forum signing advanced on the board to its contract,
landed with its date and site on the deal's page, its evidence attached, and verified by a second person (the
verifier) while the organiser who recorded the landing is never offered the verification. Looked at on a phone
in English."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import login, phone

pytestmark = pytest.mark.browser

BOARD = "/deals/board?event=invest-beijing-2024"


def _submit(page: Page, form: str) -> None:
    with page.expect_navigation():
        page.locator(form).locator("button[type=submit], button:not([type])").first.click()


def test_a_signing_goes_to_contract_landing_and_four_eyes_verification(
    page: Page, browser: Browser, live_server: str, tmp_path: Path
) -> None:
    login(page, live_server, "organiser", "organiser-demo")
    page.goto(live_server + BOARD)
    column = page.locator("#col-signed")
    card = column.locator("article.deal-card").filter(has=page.locator("[data-testid=advance]")).first
    title = card.locator("a.title").inner_text()
    href = card.locator("a.title").get_attribute("href")
    assert href is not None
    # The card's one click goes forward, asking only for what the contract stage needs.
    advance = card.locator("[data-testid=advance]")
    expect(advance.locator("button")).to_contain_text("推进到“正式合同”")
    today = dt.date.today().isoformat()
    advance.locator("input[name=contract_on]").fill(today)
    with page.expect_navigation():
        advance.locator("button").click()
    expect(page.locator("#col-contract")).to_contain_text(title)

    # On the deal's page the next stage lists what it still needs, and the move gives exactly that.
    page.goto(live_server + href)
    expect(page.get_by_test_id("next-stage")).to_contain_text("下一阶段：落地")
    expect(page.get_by_test_id("blockers")).to_contain_text("落地项目须填写落地地点。")
    move = page.locator("form[action$='/stage']")
    move.locator("select[name=to]").select_option("landed")
    move.locator("input[name=landed_on]").fill(today)
    move.locator("input[name=landed_site]").fill("顺义区中关村顺义园")
    _submit(page, "form[action$='/stage']")
    expect(page.get_by_test_id("stage")).to_have_text("落地")
    expect(page.get_by_test_id("blockers")).to_contain_text("核实须至少上传一份证明材料。")
    # The organiser recorded the landing: it holds no verifier role and is offered no verification.
    expect(page.get_by_test_id("verify-form")).to_have_count(0)
    licence = tmp_path / "licence.pdf"
    licence.write_bytes(b"%PDF-1.4\n% business licence\n%%EOF\n")
    evidence = page.get_by_test_id("evidence-form")
    evidence.locator("input[name=title]").fill("营业执照及租赁合同")
    evidence.locator("input[name=file]").set_input_files(str(licence))
    _submit(page, "[data-testid=evidence-form]")
    expect(page.get_by_test_id("evidence")).to_contain_text("营业执照及租赁合同")

    # A second person, the verifier, marks it verified.
    verifier = browser.new_context()
    other = verifier.new_page()
    try:
        login(other, live_server, "verifier", "verifier-demo")
        other.goto(live_server + href)
        expect(other.get_by_test_id("ready")).to_contain_text("已满足推进条件")
        _submit(other, "[data-testid=verify-form]")
        expect(other.get_by_test_id("stage")).to_have_text("已核实")
        expect(other.get_by_test_id("verified")).to_contain_text(today)
        history = other.locator("table.history-table")
        expect(history).to_contain_text("赵磊（示例）")
        expect(history).to_contain_text("顺义区中关村顺义园")
    finally:
        verifier.close()

    # On a phone, in English: the stages and the history read as words, and nothing overflows.
    small = phone(browser)
    try:
        mobile = small.new_page()
        login(mobile, live_server, "organiser", "organiser-demo")
        mobile.goto(f"{live_server}{href}?lang=en")
        expect(mobile.get_by_test_id("stage")).to_have_text("Verified")
        expect(mobile.locator("table.history-table")).to_contain_text("Landing site")
        assert not re.search(r"owner_id|verified_by_id|_on:", mobile.locator("table.history-table").inner_text())
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
    finally:
        small.close()
