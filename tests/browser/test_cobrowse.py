"""Co-browse in two browsers: the specialist asks, the customer allows, the desk shows the
page live (never a typed card number, never a script of the page), and Stop ends it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Browser, Page, WebSocket, expect

if TYPE_CHECKING:
    from conftest import LiveServer

CARD = "4111 1111 1111 1111"


def _desk(browser: Browser, url: str, frames: list[str]) -> Page:
    desk = browser.new_context().new_page()

    def record(ws: WebSocket) -> None:
        ws.on("framereceived", lambda payload: frames.append(str(payload)))

    desk.on("websocket", record)
    desk.goto(f"{url}/desk")
    desk.get_by_label("Email").fill("ana@skyway.example")
    desk.get_by_label("Password").fill("skyway-demo-2026")
    desk.get_by_role("button", name="Sign in").click()
    expect(desk.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()
    return desk


def _connected(browser: Browser, url: str, frames: list[str]) -> tuple[Page, Page]:
    desk = _desk(browser, url, frames)
    page = browser.new_context().new_page()
    page.goto(f"{url}/demo#payment")
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill("My card is refused")
    page.get_by_role("button", name="Request help").click()
    desk.get_by_role("button", name=re.compile("^Accept chat with")).click()
    expect(page.get_by_role("log")).to_contain_text("joined")
    return desk, page


def test_the_specialist_sees_the_page_only_while_the_customer_allows(
    browser: Browser, live_server: LiveServer
) -> None:
    frames: list[str] = []
    desk, page = _connected(browser, live_server.url, frames)
    page.locator("#card-number").fill(CARD)  # typed before: masked in the snapshot

    desk.get_by_role("button", name="See page").click()
    expect(desk.get_by_text("Waiting for the customer to allow it…")).to_be_visible()
    prompt = page.get_by_role("alertdialog", name="Ana Ferreira would like to see this page")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text("What you type stays hidden")
    prompt.get_by_role("button", name="Allow", exact=True).click()

    banner = page.get_by_role("region", name="Screen sharing")
    expect(banner).to_contain_text("Ana Ferreira can see this page")
    expect(desk.get_by_text("Live · customer's page")).to_be_visible()
    replay = desk.frame_locator("iframe.cobrowse-frame").frame_locator("iframe")
    expect(replay.get_by_text("€150.00 refund credits")).to_be_visible()

    # Typed while live, and a hostile part added to the page: neither reaches the desk.
    page.locator("#card-number").fill("")
    page.locator("#card-number").press_sequentially(CARD.replace(" ", ""))
    page.evaluate(
        """() => {
          const p = document.createElement("p");
          p.id = "hostile";
          p.textContent = "hostile part";
          const img = document.createElement("img");
          img.setAttribute("src", "x");
          img.setAttribute("onerror", "top.pwned = 1");
          const s = document.createElement("script");
          s.textContent = "top.pwned = 2";
          p.append(img, s);
          document.body.append(p);
        }"""
    )
    expect(replay.get_by_text("hostile part")).to_be_visible()
    desk.wait_for_function("() => true")
    assert desk.evaluate("() => window.pwned") is None
    inner = desk.frames
    assert all(f.evaluate("() => window.pwned === undefined") for f in inner)
    digits = re.compile(r"4111[\s-]*1111[\s-]*1111[\s-]*1111")
    assert not any(digits.search(f) for f in frames)
    assert all(not digits.search(f.content()) for f in inner)
    assert any("cobrowse.events" in f for f in frames)

    # The customer stops: the desk's view stops at once.
    banner.get_by_role("button", name="Stop sharing this page with Ana Ferreira").click()
    expect(banner).to_be_hidden()
    expect(desk.get_by_text("Stopped by the customer.")).to_be_visible()
    expect(desk.locator("iframe.cobrowse-frame")).to_be_hidden()
    expect(desk.get_by_role("button", name="See page")).to_be_visible()
