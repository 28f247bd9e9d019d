"""A second tab during a chat: the desk keeps the payment step and its data, shows both
tabs, and says the customer is gone once their tabs close."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import LiveServer
from playwright.sync_api import Browser, Page, expect

PASSWORD = "skyway-demo-2026"


def _book_to_payment(page: Page, url: str) -> None:
    page.goto(f"{url}/demo?session=600")
    page.locator("#search-submit").click()
    page.locator("#select-SW214").click()
    page.locator("#passenger-continue").click()
    expect(page.locator("#step-payment")).to_be_visible()
    page.locator("#apply-credits").check()


def _desk_sign_in(desk: Page, url: str) -> None:
    desk.goto(f"{url}/desk")
    desk.get_by_label("Email").fill("ana@skyway.example")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    expect(desk.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()


def test_a_second_tab_keeps_the_payment_step_and_closing_says_gone(
    browser: Browser, live_server: LiveServer
) -> None:
    url = live_server.url
    customer = browser.new_context(viewport={"width": 1280, "height": 900})
    specialist = browser.new_context(viewport={"width": 1440, "height": 900})
    page = customer.new_page()
    desk = specialist.new_page()
    errors: list[str] = []
    for each in (page, desk):
        each.on("pageerror", lambda e: errors.append(str(e)))
    _desk_sign_in(desk, url)
    _book_to_payment(page, url)
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill("Are my credits used first?")
    page.get_by_role("button", name="Request help").click()
    desk.get_by_role("button", name=re.compile("^Accept chat with")).click()

    panel = desk.get_by_role("complementary", name=re.compile("context", re.I))
    where = panel.locator(".where-reached")
    expect(where).to_contain_text("Furthest")
    expect(where).to_contain_text("payment")
    expect(panel).to_contain_text("credits_applied")
    header = desk.locator(".thread-head .state")
    expect(header).to_have_text("Customer here")

    # A second tab of the same browser opens the app on its search step.
    second = customer.new_page()
    second.on("pageerror", lambda e: errors.append(str(e)))
    second.goto(f"{url}/demo?session=600")
    expect(second.locator("#step-search")).to_be_visible()
    sources = panel.locator(".where-sources li")
    expect(sources).to_have_count(2)
    expect(sources.filter(has_text="search")).to_have_count(1)
    expect(where).to_contain_text(re.compile(r"Furthest\s*payment"))
    expect(panel.locator("#ctx-data")).to_contain_text("as of payment")
    expect(panel).to_contain_text("fare")
    expect(panel).to_contain_text("credits_applied")

    # The customer closes their tabs: the desk says so, with since when.
    second.close()
    page.close()
    expect(header).to_have_text(re.compile(r"^Customer gone since \d"))
    specialist.close()
    customer.close()
    assert not errors, errors
