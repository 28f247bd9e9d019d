"""The end of a request in the widget: the conversation stays readable (and can be saved
as a copy) beside the rating; cancelling is asked first; no rating when no one helped."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Browser, Page, expect

if TYPE_CHECKING:
    from conftest import LiveServer

REPLY = "Use the test card 4242 and your credits are applied first."


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


def test_the_conversation_stays_after_resolve_and_downloads(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    desk = _desk(browser, live_server.url)
    page = browser.new_context(accept_downloads=True).new_page()
    _ask_for_help(page, live_server.url, "The card is refused")
    # A cancel question left open goes when the specialist joins: nothing to cancel there.
    page.get_by_role("button", name="Cancel request").filter(visible=True).click()
    ask = page.get_by_role("alertdialog", name="Cancel your request?")
    expect(ask).to_be_visible()
    desk.get_by_role("button", name=re.compile("^Accept chat with")).click()
    expect(ask).to_be_hidden()
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    desk.get_by_role("textbox", name=re.compile("reply|message", re.I)).fill(REPLY)
    desk.keyboard.press("Enter")
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text(REPLY)

    desk.keyboard.press("Alt+s")
    desk.get_by_role("button", name=re.compile("^Resolve")).last.click()
    expect(page.get_by_text("Your request is resolved.")).to_be_visible()
    # The advice is still there to re-read, with the rating as a card below it.
    expect(log).to_be_visible()
    expect(log).to_contain_text(REPLY)
    expect(page.get_by_text("How was the help you got?")).to_be_visible()
    expect(page.get_by_text(re.compile("saves a copy", re.I))).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("button", name="Download a copy").click()
    download = info.value
    assert re.fullmatch(r"conversation-\d{4}-\d{2}-\d{2}\.txt", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert REPLY in text and "copy" in text

    page.get_by_role("radio", name="5 stars").check()
    page.get_by_role("button", name="Send rating").click()
    expect(page.get_by_text("Thank you for your feedback.")).to_be_visible()
    expect(log).to_contain_text(REPLY)


def test_cancel_is_asked_first_and_not_rated_without_help(
    browser: Browser, live_server: LiveServer
) -> None:
    page = browser.new_context().new_page()
    _ask_for_help(page, live_server.url, "Nobody answers")
    cancel = page.get_by_role("button", name="Cancel request").filter(visible=True)
    cancel.click()
    ask = page.get_by_role("alertdialog", name="Cancel your request?")
    expect(ask).to_be_visible()
    expect(ask.get_by_role("button", name="Keep my request")).to_be_focused()

    # Escape keeps the request and puts focus back on the button.
    page.keyboard.press("Escape")
    expect(ask).to_be_hidden()
    expect(cancel).to_be_focused()
    expect(page.get_by_role("dialog")).to_be_visible()

    page.keyboard.press("Enter")
    expect(ask).to_be_visible()
    page.keyboard.press("Tab")
    expect(ask.get_by_role("button", name="Yes, cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(ask.get_by_role("button", name="Keep my request")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your request was cancelled.")).to_be_visible()
    expect(page.get_by_text("How was the help you got?")).to_be_hidden()
    expect(page.get_by_role("button", name="Send rating")).to_be_hidden()
    expect(page.get_by_role("button", name="Close", exact=True)).to_be_visible()
