"""The meeting journey in a real browser: a participant answers a request and sees the contact appear, marks
availability, and gets the agenda; the organiser re-plans the grid (a background job the page follows until it
is done) and records a check-in; on a phone too."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import login, phone

pytestmark = pytest.mark.browser

BASE = "/events/invest-beijing-2024/meetings"



def test_participant_accepts_a_request_and_the_contact_appears(page: Page, live_server: str) -> None:
    login(page, live_server, "enterprise", "enterprise-demo")
    page.goto(live_server + BASE)
    waiting = page.locator("[data-testid=incoming] tr[data-state=requested][data-has-meeting='0']").first
    request_id = waiting.get_attribute("data-request")
    expect(waiting).to_contain_text("接受后可见")
    waiting.locator("[data-action=accept]").click()
    page.wait_for_url(f"**{BASE}#incoming")
    row = page.locator(f"[data-testid=incoming] tr[data-request='{request_id}']")
    expect(row).to_have_attribute("data-state", "accepted")
    expect(row.locator("td.contact")).to_contain_text("@demo.duijie.invalid")
    expect(row).to_contain_text("尚未排期")
    api = f"{live_server}/api/v1/events/invest-beijing-2024/meetings"
    busy = {m["starts_at"] for m in page.request.get(f"{api}/me/schedule").json()}
    free = next(s["id"] for s in page.request.get(f"{api}/slots").json() if s["starts_at"] not in busy)
    page.locator(f"[data-testid=availability-form] input[value='{free}']").uncheck()
    page.locator("[data-testid=availability-form] button[type=submit]").click()
    expect(page.locator("[data-testid=availability-saved]")).to_be_visible()
    page.goto(live_server + BASE + "/schedule")
    expect(page.locator("[data-testid=agenda] tbody tr[data-meeting]").first).to_be_visible()
    with page.expect_download() as download:
        page.click("[data-testid=ics-link]")
    assert download.value.suggested_filename == "invest-beijing-2024-meetings.ics"


def test_organiser_replans_then_checks_in_a_meeting(page: Page, live_server: str) -> None:
    login(page, live_server, "organiser", "organiser-demo")
    page.goto(live_server + BASE + "/grid")
    expect(page.locator("[data-testid=run-report]")).to_contain_text("先到先得")
    page.fill("[data-testid=run-form] input[name=time_limit]", "2")
    page.click("[data-testid=run-form] button[type=submit]")
    # The run is a background job: the page shows it queued or running and refreshes itself until it is done.
    page.wait_for_url(f"**{BASE}/grid?done=run")
    expect(page.locator("[data-testid=job]")).to_be_visible()
    expect(page.locator("[data-testid=run-done]")).to_be_visible(timeout=30_000)
    expect(page.locator("[data-testid=job-state]")).to_have_text("完成")
    expect(page.locator("[data-testid=run-gap]")).to_have_text("0.00 %")
    planned = page.locator("[data-testid=grid] td.m-planned").count()
    assert planned >= 1
    page.click("[data-testid=publish-form] button")
    expect(page.locator("[data-testid=grid] td.m-planned")).to_have_count(0)
    page.goto(live_server + BASE + "/desk")
    page.locator(".slot-tabs a").nth(3).click()
    row = page.locator("[data-testid=desk] tr[data-state=confirmed]").first
    meeting = row.get_attribute("data-meeting")
    row.locator("[data-action=checkin]").click()
    expect(page.locator(f"[data-testid=desk] tr[data-meeting='{meeting}']")).to_have_attribute(
        "data-state", "held"
    )


def test_meeting_pages_fit_a_phone(browser: Browser, live_server: str) -> None:
    context = phone(browser)
    page = context.new_page()
    login(page, live_server, "investor", "investor-demo")
    for path in ("", "/schedule"):
        page.goto(live_server + BASE + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path or '/'} scrolls sideways on a phone ({width}px)"
    context.close()


# For each e-mail, the pieces between its <wbr> break points (each its own text node) that a line break cut
# through; for each short action button, those whose word is laid out on more than one line.
_BROKEN = """() => {
    const lines = (node) => { const r = document.createRange(); r.selectNodeContents(node);
        return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; };
    const emails = [...document.querySelectorAll('.email')].flatMap((e) =>
        [...e.childNodes].filter((n) => n.nodeType === 3 && lines(n) > 1).map((n) => e.title + ': ' + n.data));
    const buttons = [...document.querySelectorAll('button.small')].filter((b) => b.offsetParent && lines(b) > 1)
        .map((b) => b.textContent.trim());
    return {emails, buttons, count: document.querySelectorAll('.email').length};
}"""


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_meeting_tables_break_no_word_on_a_desktop_or_a_phone(browser: Browser, live_server: str, lang: str) -> None:
    for size in ({"viewport": {"width": 1366, "height": 900}}, {"viewport": {"width": 390, "height": 844}, "is_mobile": True}):
        context = browser.new_context(**size)  # type: ignore[arg-type]
        page = context.new_page()
        login(page, live_server, "investor", "investor-demo")
        for path in ("", "/schedule"):
            page.goto(f"{live_server}{BASE}{path}?lang={lang}")
            found = page.evaluate(_BROKEN)
            assert found["count"] > 0, path
            assert found["emails"] == [] and found["buttons"] == [], (size, path, found)
        context.close()
