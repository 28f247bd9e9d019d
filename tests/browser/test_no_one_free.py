"""No one on duty (the plain demo, nobody signed in): the widget says so, leads with the
callback and the slots, and never offers "Chat now"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Browser, expect

if TYPE_CHECKING:
    from conftest import LiveServer


def test_with_no_one_free_the_widget_leads_with_the_callback_and_slots(
    browser: Browser, live_server: LiveServer
) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/demo#payment")
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill("Will my credits be used?")
    page.get_by_role("button", name="Request help").click()

    heading = page.get_by_text("No one is free to chat right now.", exact=True)
    callback = page.get_by_role("button", name="Call me back when it's my turn")
    slots = page.get_by_role("button", name="Schedule a time")
    line = page.locator("[data-tapline-estimate]")
    for each in (heading, callback, slots):
        expect(each).to_be_visible()
    expect(line).to_have_text("Or wait here: we'll connect you as soon as someone is free.")
    expect(page.get_by_text("Chat now")).to_have_count(0)
    # The choices come first; waiting is the last choice, below them.
    top = {
        name: box["y"]
        for name, box in (
            ("heading", heading.bounding_box()),
            ("callback", callback.bounding_box()),
            ("slots", slots.bounding_box()),
            ("line", line.bounding_box()),
        )
        if box is not None
    }
    assert top["heading"] < top["callback"] < top["slots"] < top["line"], top
    assert not errors, errors
    page.close()
