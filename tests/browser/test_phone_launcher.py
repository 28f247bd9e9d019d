"""On a phone the floating Get help button never covers the page's fields (the one being
typed in above all) or an error the page shows: at every scroll position of the demo's
payment step it moves to the other corner, shrinks to its icon, rises along the side, or
steps away."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Browser, Page, expect

if TYPE_CHECKING:
    from conftest import LiveServer

# What of the page's the launcher covers now: a field (the focused one above all), a visible
# error, or the two controls it was seen covering ("Use the test card", Back). Empty when it
# covers none of them (or is stepped away).
OVERLAPS = """() => {
  const host = document.querySelector("[data-tapline-widget]");
  const button = host && host.shadowRoot.querySelector(".tl-launcher");
  if (!button || getComputedStyle(button).visibility === "hidden") return [];
  const b = button.getBoundingClientRect();
  if (!b.width) return [];
  const shown = (el) => el.getClientRects().length > 0 && !el.closest("[hidden]");
  const watched = "[role=alert], .field-error, input, select, textarea, #demo-card, [data-goto]";
  const seen = [...document.querySelectorAll(watched)].filter(shown);
  return seen.filter((el) => {
    const r = el.getBoundingClientRect();
    return r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom;
  }).map((el) => el.id || el.className);
}"""


def _to_payment(page: Page, url: str) -> None:
    page.goto(f"{url}/demo?session=600")
    page.locator("#search-submit").click()
    page.locator("#select-SW214").click()
    page.locator("#passenger-continue").click()
    expect(page.locator("#step-payment")).to_be_visible()
    expect(page.get_by_role("button", name="Get help")).to_be_visible()


def _scroll_through(page: Page, what: str) -> int:
    """Every 60 px of the payment step, the launcher settles clear of the page's content."""
    top = int(page.locator("#step-payment").evaluate("(s) => s.offsetTop"))
    end = int(page.evaluate("() => document.documentElement.scrollHeight - innerHeight"))
    positions = [*range(max(0, top - 200), end + 1, 60), end]
    for y in positions:
        page.evaluate(f"() => window.scrollTo(0, {y})")
        try:
            page.wait_for_function(f"() => ({OVERLAPS})().length === 0", timeout=3000)
        except Exception as err:  # the guard: say what is covered where
            covered = page.evaluate(OVERLAPS)
            raise AssertionError(f"{what}: at scroll {y} the launcher covers {covered}") from err
    return len(positions)


def test_the_launcher_never_covers_fields_or_errors_on_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _to_payment(page, live_server.url)

    for field in ("#card-cvc", "#card-name", "#card-number", "#card-exp"):
        page.locator(field).focus()
        assert _scroll_through(page, field) > 3

    # A declined payment: the error right after it, with nothing focused and then the CVC.
    page.get_by_role("button", name="Use the test card").click()
    page.locator("#card-exp").fill("12 / 30")
    page.locator("#card-cvc").fill("123")
    page.locator("#card-name").fill("Ada Lovelace")
    page.get_by_role("button", name="Pay now").click()
    expect(page.get_by_text("Payment not completed")).to_be_visible()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    _scroll_through(page, "the payment error")
    page.locator("#card-cvc").focus()
    _scroll_through(page, "the payment error and the CVC")

    # Still there to ask for help, and the panel opens from wherever it went.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator("#card-cvc").blur()
    launcher = page.get_by_role("button", name="Get help")
    expect(launcher).to_be_visible()
    launcher.click()
    expect(page.get_by_role("dialog", name="Get help")).to_be_visible()
