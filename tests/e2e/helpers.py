"""What every browser journey does first: log in through the real form, or open a phone-sized page."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, Page

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def login(page: Page, base: str, username: str, password: str) -> None:
    """Logs in through the login form and waits for the home page, as a person would."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def phone(browser: Browser) -> BrowserContext:
    """A phone-sized, touch-enabled browser context (close it when done)."""
    return browser.new_context(**PHONE)  # type: ignore[arg-type]
