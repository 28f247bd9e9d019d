"""Hostile text stays text in the widget and the desk; a reload resumes the conversation."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Browser, Page, expect

if TYPE_CHECKING:
    from conftest import LiveServer

HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold</b>'


def _desk(browser: Browser, url: str) -> Page:
    desk = browser.new_context().new_page()
    desk.goto(f"{url}/desk")
    desk.get_by_label("Email").fill("ana@skyway.example")
    desk.get_by_label("Password").fill("skyway-demo-2026")
    desk.get_by_role("button", name="Sign in").click()
    expect(desk.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()
    return desk


def _ask_for_help(page: Page, url: str, description: str) -> None:
    page.goto(f"{url}/demo#payment")
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill(description)
    page.get_by_role("button", name="Request help").click()


def _pwned(page: Page) -> object:
    return page.evaluate("() => window.pwned")


def test_hostile_text_is_rendered_as_text(browser: Browser, live_server: LiveServer) -> None:
    desk = _desk(browser, live_server.url)
    page = browser.new_context().new_page()
    _ask_for_help(page, live_server.url, HOSTILE)
    desk.get_by_role("button", name=re.compile("^Accept chat with")).click()
    thread = desk.get_by_role("list", name="Conversation")
    expect(thread.locator(".msg-body").first).to_have_text(HOSTILE)
    desk.get_by_role("textbox", name=re.compile("reply|message", re.I)).fill(HOSTILE)
    desk.keyboard.press("Enter")
    log = page.get_by_role("log")
    expect(log).to_contain_text(HOSTILE)
    assert desk.locator("img[src=x], b:text('bold')").count() == 0
    assert page.locator("img[src=x]").count() == 0
    assert _pwned(desk) is None and _pwned(page) is None


def test_a_reload_resumes_the_thread_and_keeps_the_session_held(
    browser: Browser, live_server: LiveServer
) -> None:
    desk = _desk(browser, live_server.url)
    page = browser.new_context().new_page()
    _ask_for_help(page, live_server.url, "Stuck on payment")
    desk.get_by_role("button", name=re.compile("^Accept chat with")).click()
    desk.get_by_role("textbox", name=re.compile("reply|message", re.I)).fill("First reply")
    desk.keyboard.press("Enter")
    expect(page.get_by_role("log")).to_contain_text("First reply")

    page.reload()
    expect(page.locator("#session-status")).to_have_attribute("data-held", "true")
    if not page.get_by_role("log").is_visible():
        page.get_by_role("button", name="Get help").click()
    expect(page.get_by_role("log")).to_contain_text("First reply")
    desk.get_by_role("textbox", name=re.compile("reply|message", re.I)).fill("After reload")
    desk.keyboard.press("Enter")
    expect(page.get_by_role("log")).to_contain_text("After reload")
    expect(page.get_by_role("log").get_by_text("First reply")).to_have_count(1)
