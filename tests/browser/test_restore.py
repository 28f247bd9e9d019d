"""The seed story in Chromium: a customer at the payment step asks for help and closes the
page; opened again, one tap restores the flight, passengers and credits, the card is asked for
again with the reason, and no card digit was ever kept. The desk shows the app's session held
while the customer is helped and released once the request is resolved."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Browser, Page, expect

from desk_pages import sign_in

if TYPE_CHECKING:
    from conftest import LiveServer

SECOND = "Alex Traveller"


def _book_to_payment(page: Page, url: str) -> None:
    page.goto(f"{url}/demo?session=600")
    page.locator("#passengers").select_option("2")
    page.locator("#search-submit").click()
    page.locator("#select-SW214").click()
    page.locator("#passenger-2-name").fill(SECOND)
    page.locator("#passenger-2-dob").fill("1990-01-02")
    page.locator("#passenger-continue").click()
    expect(page.locator("#step-payment")).to_be_visible()
    page.locator("#apply-credits").check()
    page.locator("#demo-card").click()
    expect(page.locator("#card-number")).not_to_have_value("")


def test_restore_after_closing_the_page(browser: Browser, live_server: LiveServer) -> None:
    url = live_server.url
    desk, desk_errors = sign_in(browser, url, email="ana@skyway.example")
    customer = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page = customer.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    _book_to_payment(page, url)
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill("Will my credits be used?")
    page.get_by_role("button", name="Request help").click()
    # The banner says what the widget says: finding someone, then helped once Ana accepts.
    expect(page.locator("#assist-text")).to_contain_text("Finding a SkyWay specialist")

    desk.get_by_role("button", name=re.compile("^Accept chat with")).click()
    expect(page.locator("#assist-text")).to_contain_text("A SkyWay specialist is helping you")
    expect(page.locator("#session-status")).to_have_attribute("data-held", "true")
    session = desk.locator("#ctx-session").locator("xpath=..").locator("[data-session]")
    expect(session).to_have_attribute("data-session", "held")
    expect(session).not_to_contain_text("left")

    # Ana asks the app for more time: the SDK fires `hold` for the desk, the app reports back.
    page.evaluate(
        "() => { window.asked = []; Tapline.on('hold', (d) => window.asked.push(d.reason)); }"
    )
    desk.get_by_role("button", name="Ask the app for more time").click()
    expect(desk.get_by_text("Asked. The app reports back here.")).to_be_visible()
    page.wait_for_function("() => window.asked.includes('desk')")
    expect(session).to_have_attribute("data-session", "held")

    kept = page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
    assert "SW214" in kept and SECOND in kept
    assert "4242" not in kept, "a card digit was kept"
    page.close()

    # Opened again: back at the search step, and one tap restores the booking.
    page = customer.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/demo")
    expect(page.locator("#step-search")).to_be_visible()
    page.get_by_role("button", name="Restore what you entered").click()
    expect(page.locator("#step-payment")).to_be_visible()
    expect(page.locator("#summary-body")).to_contain_text("SW214")
    expect(page.locator("#apply-credits")).to_be_checked()
    expect(page.locator("#passenger-2-name")).to_have_value(SECOND)
    expect(page.locator("#card-number")).to_have_value("")
    expect(page.locator("#card-reask")).to_be_visible()
    expect(page.locator("#card-reask")).to_contain_text("the card number is never kept")
    expect(page.locator("[data-tapline-restore]")).to_contain_text(
        "For your safety the card number is never kept"
    )

    # Ana resolves: the desk says the session is released, and counts nothing down.
    desk.keyboard.press("Alt+s")
    desk.get_by_role("button", name=re.compile("^Resolve")).last.click()
    expect(session).to_have_attribute("data-session", "released")
    expect(session).not_to_contain_text("left")

    customer.close()
    assert not errors, errors
    assert not desk_errors, desk_errors
