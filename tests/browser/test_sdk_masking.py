"""The SDK masks a field by what it is, not by what it shows, and never sends a card number.

A checkout page with a password behind a "show password" toggle, card fields by their
`autocomplete`, fields named like secrets, a `data-tapline-mask` block and a free-text field
holding card numbers in many formats. After the customer asks for help, no secret is in
anything the page sent, in any table of the database, or in the desk's DOM; the ordinary
fields still arrive, so the test is not passing on an empty capture.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Browser, Page, expect

if TYPE_CHECKING:
    from conftest import LiveServer

PASSWORD = "skyway-demo-2026"
SHOWN_AFTER_TYPING = "Tr0ub4dor-horse"
SHOWN_BEFORE_TYPING = "correct-battery-staple"
CARD = "4111111111111111"
SECRETS = {
    "f1": SHOWN_AFTER_TYPING,  # type=password, then shown: masked only by its first type
    "f2": SHOWN_BEFORE_TYPING,  # shown before anything was typed
    "cc_a": "5555 5555 5555 4444",  # autocomplete=cc-number
    "cc_b": "7391",  # autocomplete=cc-csc
    "cc_c": "08/31",  # autocomplete=cc-exp
    "cc_d": "0931",  # autocomplete="billing cc-exp-month"
    "user_pin": "482915",
    "cvv2": "8264",
    "ibanNumber": "GB33BUKB20201555555555",
    "ssn": "078-05-1120",
    "cardNumber": "378282246310005",
    "pwdConfirm": "Secr3t-confirm",
    "otp_code": "553190",
    "inmask": "Mothers-maiden-Quill",  # inside data-tapline-mask
}
# Typed into an unmasked free-text field, one format at a time: the SDK never sends them.
CARD_FORMATS = [
    "4111 1111 1111 1111",
    "4111  1111  1111  1111",
    "4111.1111.1111.1111",
    "4111/1111/1111/1111",
    "4111-1111-1111-1111",
    "4111_1111_1111_1111",
    "4111\u00a01111\u00a01111\u00a01111",
    "4111\u202f1111\u202f1111\u202f1111",
    "4111\t1111\t1111\t1111",
    "4111\u200b1111\u200b1111\u200b1111",
    "card4111111111111111",
    "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
]
SHOWN = {"seat": "Seat 14C please"}  # an ordinary field: it must arrive

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Checkout</title></head><body>
<form id="checkout" data-tapline-capture="checkout">
  <label for="f1">Word</label><input id="f1" name="f1" type="password">
  <button type="button" id="show1">Show</button>
  <label for="f2">Other word</label><input id="f2" name="f2" type="password">
  <button type="button" id="show2">Show</button>
  <label>A <input name="cc_a" autocomplete="cc-number"></label>
  <label>B <input name="cc_b" autocomplete="cc-csc"></label>
  <label>C <input name="cc_c" autocomplete="cc-exp"></label>
  <label>D <input name="cc_d" autocomplete="billing cc-exp-month"></label>
  <label>E <input name="user_pin"></label>
  <label>F <input id="cvv2"></label>
  <label>G <input name="ibanNumber"></label>
  <label>H <input name="ssn"></label>
  <label>I <input name="cardNumber"></label>
  <label>J <input name="pwdConfirm"></label>
  <label>K <input name="otp_code"></label>
  <div data-tapline-mask><label>L <input name="inmask"></label></div>
  <label>Seat <input name="seat"></label>
  <label>Notes <textarea name="notes"></textarea></label>
</form>
<script src="/sdk/tapline.js"></script>
<script>
  for (const n of ["1", "2"]) {
    document.getElementById("show" + n).addEventListener("click", () => {
      const input = document.getElementById("f" + n);
      input.type = input.type === "password" ? "text" : "password";
    });
  }
  Tapline.init({ app: "%(app)s" });
</script>
</body></html>
"""


def _app_key(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / "tapline.db") as db:
        return str(db.execute("SELECT public_key FROM apps").fetchone()[0])


def database_text(data_dir: Path) -> list[str]:
    """Every cell of every table, as text."""
    cells: list[str] = []
    with sqlite3.connect(data_dir / "tapline.db") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                cells += [str(v) for v in row if v is not None]
    return cells


def lab_page(browser: Browser, live_server: LiveServer, html: str) -> Page:
    """A host page of our own on the server's origin: the page is loaded from the server (so
    Chromium's local-network checks let it reach the server's sockets, as a routed page would
    not), then its document replaced; CSP is bypassed for the test's inline script only."""
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(f"{live_server.url}/healthz")
    page.set_content(html % {"app": _app_key(live_server.data_dir)})
    return page


def _desk(browser: Browser, url: str) -> Page:
    desk = browser.new_context().new_page()
    desk.goto(f"{url}/desk")
    desk.get_by_label("Email").fill("ana@skyway.example")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    expect(desk.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()
    return desk


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _holds(text: str, secret: str) -> bool:
    """A short number may sit inside a timestamp by chance: it counts only on its own."""
    if secret.isdigit():
        return re.search(rf"(?<![0-9]){secret}(?![0-9])", text) is not None
    return secret in text


def _leaks(text: str) -> list[str]:
    found = [name for name, secret in SECRETS.items() if _holds(text, secret)]
    found += [f"card {fmt!r}" for fmt in CARD_FORMATS if fmt in text]
    if CARD in _digits(text) or "5555555555554444" in _digits(text):
        found.append("card digits")
    return found


def test_masking_follows_what_a_field_is_and_no_card_leaves_the_page(
    browser: Browser, live_server: LiveServer
) -> None:
    url = live_server.url
    desk = _desk(browser, url)
    page = lab_page(browser, live_server, PAGE)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url + " " + (r.post_data or "")))
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(str(f))))
    page.wait_for_function("() => window.Tapline && window.Tapline.context")

    # One password typed and then shown, the other shown before anything was typed.
    page.locator("#f1").fill(SHOWN_AFTER_TYPING)
    page.locator("#show1").click()
    page.locator("#show2").click()
    expect(page.locator("#f1")).to_have_attribute("type", "text")
    expect(page.locator("#f2")).to_have_attribute("type", "text")
    page.locator("#f2").fill(SHOWN_BEFORE_TYPING)
    for name, secret in SECRETS.items():
        if name not in ("f1", "f2"):
            page.locator(f"[name={name}], #{name}").fill(secret)
    page.locator("[name=seat]").fill(SHOWN["seat"])

    # Each card format alone in the free-text field: the whole value stays on the device.
    for fmt in CARD_FORMATS:
        page.locator("[name=notes]").fill(f"my card is {fmt} thanks")
        captured = page.evaluate("() => JSON.stringify(Tapline.context)")
        assert not _leaks(captured), (fmt, captured)
    context = page.evaluate("() => Tapline.context")
    fields = {f["name"]: f for f in context["fields"]}
    for name in SECRETS:
        assert fields[name]["masked"] is True and fields[name]["filled"] is True, fields[name]
        assert "value" not in fields[name]
    assert fields["seat"]["value"] == SHOWN["seat"] and not fields["seat"]["masked"]

    # Cards through the SDK's other doors: data, errors, journey, flow and step.
    page.evaluate(
        """formats => {
          Tapline.setContext({flow: "pay " + formats[0], step: formats[1],
                              data: {card: formats[2], ["k " + formats[3]]: formats[4],
                                     n: 4111111111111111}});
          Tapline.trackError({code: formats[5], message: "declined " + formats[6]});
          Tapline.track("typed " + formats[7], {v: formats[8], w: formats[9]});
        }""",
        CARD_FORMATS,
    )
    assert not _leaks(page.evaluate("() => JSON.stringify(Tapline.context)"))

    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill("Payment keeps failing")
    page.get_by_role("button", name="Request help").click()
    desk.get_by_role("button", name=re.compile("^Accept chat with")).click()
    panel = desk.get_by_role("complementary", name=re.compile("context", re.I))
    expect(panel).to_contain_text(SHOWN["seat"])
    expect(panel.locator(".masked.is-filled")).to_have_count(len(SECRETS) + 1)  # + notes
    # The page edits the form while the specialist watches: the update is masked too.
    page.locator("#f1").fill(SHOWN_AFTER_TYPING + "!")
    page.locator("[name=seat]").fill("Seat 15A")
    expect(panel).to_contain_text("Seat 15A")

    assert not _leaks(desk.content())
    assert not _leaks(desk.locator("body").inner_text())
    for message in sent:
        assert not _leaks(message), message
    for cell in database_text(live_server.data_dir):
        assert not _leaks(cell), cell
    assert not _leaks(live_server.log_text())
