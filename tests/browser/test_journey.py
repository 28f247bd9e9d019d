"""The seed story, end to end in Chromium: book, get stuck on payment, be helped, lose nothing."""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import LiveServer
from playwright.sync_api import Browser, Page, expect

CARD = "4242 4242 4242 4242"
CARD_DIGITS = CARD.replace(" ", "")
PASSWORD = "skyway-demo-2026"


def _book_to_payment(page: Page, url: str) -> None:
    page.goto(f"{url}/demo?session=12")
    page.locator("#search-submit").click()
    page.locator("#select-SW214").click()
    page.locator("#passenger-continue").click()
    expect(page.locator("#step-payment")).to_be_visible()
    page.locator("#apply-credits").check()
    page.locator("#card-number").fill(CARD)
    page.locator("#card-exp").fill("12 / 29")
    page.locator("#card-cvc").fill("123")
    page.locator("#card-name").fill("Sam Rivera")


def _desk_sign_in(desk: Page, url: str) -> None:
    desk.goto(f"{url}/desk")
    desk.get_by_label("Email").fill("ana@skyway.example")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()


def test_the_seed_story(browser: Browser, live_server: LiveServer) -> None:
    url = live_server.url
    customer = browser.new_context(viewport={"width": 1280, "height": 900})
    specialist = browser.new_context(viewport={"width": 1440, "height": 900})
    page = customer.new_page()
    desk = specialist.new_page()
    _desk_sign_in(desk, url)  # before it, the desk's snapshot is a 401, as it should be
    expect(desk.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()
    errors: list[str] = []
    for each in (page, desk):
        each.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        each.on("pageerror", lambda e: errors.append(str(e)))
    _book_to_payment(page, url)

    # 1. The customer taps "Get help" on the payment step and describes the problem.
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill(
        "Will my refund credits be used, or my card?"
    )
    page.get_by_role("button", name="Request help").click()
    expect(page.locator("#session-status")).to_have_attribute("data-held", "true")

    # 2. The specialist accepts and sees where the customer is and what they typed.
    desk.get_by_role("button", name=re.compile("^Accept chat with")).click()
    context_panel = desk.get_by_role("complementary", name=re.compile("context", re.I))
    expect(context_panel).to_contain_text("payment")
    expect(context_panel).to_contain_text("Verified")
    expect(context_panel).to_contain_text("fare")
    expect(context_panel).to_contain_text("credits")
    card_row = context_panel.locator("li, tr, div").filter(has_text="Card number").last
    expect(card_row).to_contain_text(re.compile("filled", re.I))
    expect(context_panel).not_to_contain_text(CARD_DIGITS[-4:] * 1 + " ")
    assert CARD_DIGITS not in desk.content() and CARD not in desk.content()

    reply = "Your €150 credits are applied first; the card pays only the rest."
    desk.get_by_role("textbox", name=re.compile("reply|message", re.I)).fill(reply)
    desk.keyboard.press("Enter")

    # 3. The customer sees the reply; the app session does not expire while help is active.
    expect(page.get_by_role("log")).to_contain_text(reply)
    page.wait_for_timeout(13_000)  # longer than the demo's 12 s session
    expect(page.locator("#session-status")).to_have_attribute("data-held", "true")
    expect(page.locator("#step-payment")).to_be_visible()
    expect(page.locator("#card-number")).to_have_value(CARD)

    # 4. The specialist resolves; the customer rates; the rating is stored.
    desk.keyboard.press("Alt+s")
    desk.get_by_role("button", name=re.compile("^Resolve")).last.click()
    page.get_by_role("radio", name="5 stars").check()
    page.get_by_role("button", name=re.compile("Send|Rate|Submit", re.I)).click()
    expect(page.get_by_text(re.compile("thank", re.I))).to_be_visible()

    db = live_server.data_dir / "tapline.db"
    with sqlite3.connect(db) as connection:
        rating, state, disposition = connection.execute(
            "SELECT rating, state, disposition FROM requests"
        ).fetchone()
    assert (rating, state, disposition) == (5, "resolved", "resolved")

    # 5. The card number is nowhere: not in any stored byte, not in the server's log.
    customer.close()
    specialist.close()
    for path in live_server.data_dir.glob("tapline.db*"):
        raw = path.read_bytes()
        assert CARD_DIGITS.encode() not in raw and CARD.encode() not in raw, path
    with sqlite3.connect(db) as connection:
        dump = "\n".join(connection.iterdump())
    assert CARD_DIGITS not in dump and CARD not in dump
    log = live_server.log_text()
    assert CARD_DIGITS not in log and CARD not in log
    assert not errors, errors
