"""The supervisor's wallboard and Configure in Chromium: live counts, the supervisors-only gate,
and routing-rule errors shown beside their lines."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Browser, Page, expect

from desk_pages import SUPERVISOR, sign_in

if TYPE_CHECKING:
    from conftest import LiveServer

SPECIALIST = "ana@skyway.example"


def _console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_a_supervisor_sees_a_waiting_request_counted_live(
    browser: Browser, live_server: LiveServer
) -> None:
    url = live_server.url
    board = sign_in(browser, url, email=SUPERVISOR)[0]
    errors = _console_errors(board)
    # Away, so the request waits in the queue instead of being offered to the supervisor.
    board.get_by_role("radio", name="Away").click()
    expect(board.get_by_role("radio", name="Away")).to_have_attribute("aria-checked", "true")
    board.get_by_role("link", name="Wallboard").click()
    expect(board).to_have_url(re.compile("/desk/wallboard$"))
    expect(board.get_by_role("heading", name="Wallboard")).to_be_visible()
    expect(board.get_by_role("status").filter(has_text="Live")).to_be_visible()
    # The seed's rule sends the payment step to the Payments queue.
    payments = board.get_by_role("region", name="Payments")
    waiting = payments.locator(".wb-waiting .wb-value")
    expect(waiting).to_have_text("0")

    customer = browser.new_context().new_page()
    customer.goto(f"{url}/demo#payment")
    customer.get_by_role("button", name="Get help").click()
    customer.get_by_label("What's getting in your way?").fill("Which one pays, credits or card?")
    customer.get_by_role("button", name="Request help").click()

    # No reload: the `wallboard` signal on the desk socket brings it.
    expect(waiting).to_have_text("1", timeout=10_000)
    expect(payments.locator(".wb-oldest .wb-value")).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(board.locator(".wb-totals")).to_contain_text("1")
    # A reload keeps the view (the server serves the page at /desk/wallboard too).
    board.reload()
    expect(
        board.get_by_role("region", name="Payments").locator(".wb-waiting .wb-value")
    ).to_have_text("1")
    assert not errors


def test_a_specialist_who_is_not_a_supervisor_is_refused(
    browser: Browser, live_server: LiveServer
) -> None:
    desk = sign_in(browser, live_server.url, "/desk/wallboard", SPECIALIST)[0]
    expect(desk.get_by_role("heading", name="Supervisors only")).to_be_visible()
    expect(desk.locator(".wb-queue")).to_have_count(0)
    expect(desk.get_by_role("link", name="Wallboard")).to_have_count(0)
    desk.get_by_role("link", name="Back to the desk").click()
    expect(desk).to_have_url(re.compile("/desk$"))
    expect(desk.get_by_role("complementary", name=re.compile("context", re.I))).to_be_visible()


def test_a_routing_rule_with_an_error_shows_its_line(
    browser: Browser, live_server: LiveServer
) -> None:
    desk = sign_in(browser, live_server.url, email=SUPERVISOR)[0]
    errors = _console_errors(desk)
    desk.get_by_role("link", name="Configure").click()
    desk.get_by_role("link", name="Routing rules").click()
    rules = desk.get_by_label("Routing rules (TOML)")
    expect(rules).to_be_editable()
    rules.fill(
        "# rules\n"
        "[[rule]]\n"
        'name = "credits"\n'
        "when = 'flow == \"booking\"'\n"
        'queue = "Nowhere"\n'
        "\n"
        "[default]\n"
        'queue = "General"\n'
    )
    desk.get_by_role("button", name="Save rules").click()
    refusal = desk.get_by_role("alert").filter(has_text="refused")
    expect(refusal).to_contain_text("Nowhere")
    expect(refusal.get_by_role("button", name=re.compile(r"^Line 5:"))).to_be_visible()
    expect(desk.locator(".gutter li").nth(4)).to_have_class(re.compile("has-error"))
    expect(desk.locator(".line-notes li").nth(4)).to_contain_text("Nowhere")
    # What was typed stays, and the error takes the caret to its line.
    expect(rules).to_have_value(re.compile('queue = "Nowhere"'))
    refusal.get_by_role("button", name=re.compile(r"^Line 5:")).click()
    expect(desk.locator(".caret-pos")).to_have_text(re.compile(r"^Line 5,"))
    assert not errors
