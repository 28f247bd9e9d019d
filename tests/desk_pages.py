"""The desk in Chromium, as the browser tests sign in and read the API."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, Page, expect

PASSWORD = "skyway-demo-2026"
"""Every seeded demo account's password."""
SUPERVISOR = "sofia@skyway.example"


def sign_in(
    browser: Browser, url: str, path: str = "/desk", email: str = SUPERVISOR
) -> tuple[Page, list[str]]:
    """A new browser context signed in at `path`, and the page's script errors as they come."""
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}{path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()
    return page, errors


def api(page: Page, path: str) -> Any:
    """The signed-in desk's own session (the page's cookie) reading the API."""
    origin = re.sub(r"^(https?://[^/]+).*$", r"\1", page.url)
    response = page.request.get(f"{origin}/api/v1{path}")
    assert response.ok, response.text()
    return response.json()
