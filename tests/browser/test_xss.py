"""An XSS corpus through every field a stranger or a specialist writes, in Chromium.

Customer-supplied (into the desk: request list, offer, thread, context panel, wallboard):
description, messages, context flow, step, data keys and values, form field labels and
values, errors, journey events and props, page title and URL, the unsigned user name, the
rating comment. Specialist-supplied (into the widget): messages, name and role, resolve note.

Every page is hooked: a dialog, a console message from a payload, a script error, or a
request to anything but the server's own paths fails the test; the payloads' own beacons
(`window.__xss`, a `/xss-hit` fetch, an image from elsewhere) must never fire; and the text
shows literally where it is shown.
"""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Browser, Page, expect
from websockets.sync.client import connect

if TYPE_CHECKING:
    from conftest import LiveServer

PASSWORD = "skyway-demo-2026"
MARK = "tlxss"
CORPUS = [
    f"<script>window.__xss=1;console.log('{MARK}')</script>",
    f"<img src=x onerror=\"window.__xss=2;fetch('/xss-hit')\">{MARK}",
    f"<svg onload=alert('{MARK}')>",
    f"<svg><script>alert('{MARK}')</script></svg>",
    f'"><img src=//evil.invalid/{MARK}.png>',
    f"' onmouseover='alert(1)' data-x='{MARK}",
    f'" autofocus onfocus="alert(\'{MARK}\')" x="',
    f"javascript:alert('{MARK}')",
    f"[click me](javascript:alert('{MARK}'))",
    f"<a href=\"javascript:alert('{MARK}')\">link</a>",
    f"</textarea><script>alert('{MARK}')</script>",
    f"</title><script>alert('{MARK}')</script>",
    f"<iframe src=\"javascript:alert('{MARK}')\"></iframe>",
    f"<details open ontoggle=alert('{MARK}')>",
    f"<body onload=alert('{MARK}')>",
    f"<math><mtext><table><mglyph><style><img src=x onerror=alert('{MARK}')>",
    f"${{alert('{MARK}')}} `${{document.cookie}}` {{{{constructor.constructor('alert(1)')()}}}}",
    f"\u202eevil\u202c <b>{MARK}</b> \u200bzero\ufeffwidth",
    f"\uff1cscript\uff1ealert('{MARK}')\uff1c/script\uff1e",
    f"<scr<script>ipt>alert('{MARK}')</scr</script>ipt>",
    f"<style>@import 'http://evil.invalid/{MARK}.css';</style>",
    f"<link rel=stylesheet href=//evil.invalid/{MARK}.css>",
    f"<meta http-equiv=refresh content=\"0;url=javascript:alert('{MARK}')\">",
    f"data:text/html,<script>alert('{MARK}')</script>",
    f"&lt;script&gt;alert('{MARK}')&lt;/script&gt; &amp; &#60;b&#62;",
    f"<object data=\"javascript:alert('{MARK}')\"></object>",
    "<" * 300 + MARK + ">" * 300,
    ("<img src=x onerror=alert(1)>" * 40)[:1500],
]
SHORT = [p for p in CORPUS if len(p) <= 120]
"""What fits where the desk clips text (names, flow and step)."""


def _app_key(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / "tapline.db") as db:
        return str(db.execute("SELECT public_key FROM apps").fetchone()[0])


def _post(url: str, body: object, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def hostile_context(url: str, offset: int = 0) -> dict[str, Any]:
    """Every place in a context a customer writes, each holding payloads of the corpus."""
    pick = lambda i: CORPUS[(i + offset) % len(CORPUS)]  # noqa: E731
    return {
        "flow": SHORT[offset % len(SHORT)],
        "step": SHORT[(offset + 1) % len(SHORT)],
        "data": {pick(i)[:90] + str(i): pick(i + 1) for i in range(len(CORPUS))},
        "fields": [
            {
                "form": pick(i),
                "name": f"f{i}",
                "label": pick(i),
                "value": pick(i + 2),
                "filled": True,
                "masked": False,
            }
            for i in range(len(CORPUS))
        ],
        "errors": [{"code": pick(i)[:90], "message": pick(i + 3), "at": 1} for i in range(20)],
        "journey": [
            {"event": pick(i)[:90], "props": {pick(i)[:50]: pick(i + 4)}, "at": 2}
            for i in range(len(CORPUS))
        ],
        "page": {"url": f"{url}/demo#{pick(0)[:50]}", "title": pick(offset + 5)},
    }


def create_hostile_request(url: str, key: str, offset: int) -> dict[str, Any]:
    created: dict[str, Any] = _post(
        f"{url}/api/v1/requests?app={key}",
        {
            "id": f"xss-{offset}",
            "description": CORPUS[offset % len(CORPUS)],
            "user": {"id": SHORT[offset % len(SHORT)], "name": SHORT[(offset + 2) % len(SHORT)]},
            "context": hostile_context(url, offset),
        },
        {"X-Tapline-Device": f"device-secret-for-the-xss-corpus-{offset:04d}"},
    )
    return created


class Customer:
    """The customer's socket, as the widget speaks it."""

    def __init__(self, url: str, key: str, created: dict[str, Any]) -> None:
        ws_url = url.replace("http", "ws", 1) + f"/ws/customer?app={key}"
        self.ws = connect(ws_url, origin=url, legacy=True)  # type: ignore[arg-type]
        self.send({"type": "hello", "request_id": created["request_id"],
                   "token": created["customer_token"], "last_seq": 0})  # fmt: skip
        self.until("welcome")

    def send(self, frame: dict[str, Any]) -> None:
        self.ws.send(json.dumps(frame))

    def until(self, kind: str, frame_id: str | None = None) -> dict[str, Any]:
        while True:
            frame: dict[str, Any] = json.loads(self.ws.recv(timeout=15))
            if frame.get("type") == "error":
                raise AssertionError(frame)
            if frame.get("type") == kind and (frame_id is None or frame.get("id") == frame_id):
                return frame

    def write(self, frame: dict[str, Any]) -> None:
        self.send(frame)
        self.until("ack", frame["id"])


class Watch:
    """Everything a page does that a payload could have made it do."""

    def __init__(self, page: Page, url: str) -> None:
        self.problems: list[str] = []
        self.url = url
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self._console(m.type, m.text))
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on("request", lambda r: self._request(r.url))

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"dialog: {dialog.type} {dialog.message}")
        dialog.dismiss()

    def _console(self, kind: str, text: str) -> None:
        noise = ("WebSocket", "Failed to load resource")  # the network's words, not a payload's
        if MARK in text or (kind == "error" and not any(n in text for n in noise)):
            self.problems.append(f"console {kind}: {text}")

    def _request(self, address: str) -> None:
        if address.startswith(("data:", "blob:")):
            return
        ours = address.startswith(self.url + "/") and not re.search(
            r"xss-hit|/x(\?|$)|evil|" + MARK, address
        )
        if not ours:
            self.problems.append(f"request: {address}")

    def assert_quiet(self, page: Page) -> None:
        assert page.evaluate("() => window.__xss") is None
        assert not self.problems, self.problems


def _signed_in(browser: Browser, url: str, email: str, path: str = "/desk") -> tuple[Page, Watch]:
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    watch = Watch(page, url)
    page.goto(f"{url}{path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()
    return page, watch


def _no_injected_markup(page: Page) -> None:
    """No element a payload names exists in the page or in any open shadow root."""
    found = page.evaluate(
        """mark => {
          const hits = [];
          const bad = /javascript:|evil\\.invalid/i;
          const walk = root => {
            for (const el of root.querySelectorAll('*')) {
              for (const a of el.attributes) {
                const url = /^(href|src|srcdoc|action|formaction|data|xlink:href|style)$/i;
                const risky = /^on/i.test(a.name) || (url.test(a.name) && bad.test(a.value));
                if (risky) hits.push(el.outerHTML.slice(0, 120));
              }
              const tag = el.tagName;
              const active = ['SCRIPT', 'IFRAME', 'OBJECT', 'META'].includes(tag);
              if (active && el.outerHTML.includes(mark)) hits.push(tag);
              if (tag === 'IMG' && /(^|\\/)x$/.test(el.getAttribute('src') || '')) hits.push('img');
              if (el.shadowRoot) walk(el.shadowRoot);
            }
          };
          walk(document);
          return hits;
        }""",
        MARK,
    )
    assert not found, found


def test_customer_text_stays_text_in_the_desk(browser: Browser, live_server: LiveServer) -> None:
    url = live_server.url
    key = _app_key(live_server.data_dir)
    desk, watch = _signed_in(browser, url, "ana@skyway.example")
    board, board_watch = _signed_in(browser, url, "sofia@skyway.example", "/desk/wallboard")

    created = [create_hostile_request(url, key, offset) for offset in (0, 7)]
    offer = desk.get_by_role("button", name=re.compile("^Accept chat with")).first
    expect(offer).to_be_visible()
    offer.click()
    thread = desk.get_by_role("list", name="Conversation")
    expect(thread.locator(".msg-body").first).to_have_text(CORPUS[0])
    customer = Customer(url, key, created[0])
    for index, payload in enumerate(CORPUS):
        customer.write({"type": "message", "id": f"m{index}", "body": payload})
    for payload in CORPUS:
        expect(thread.get_by_text(payload, exact=True).last).to_be_attached()
    customer.write({"type": "context", "id": "ctx1", "context": hostile_context(url, 3)})

    panel = desk.get_by_role("complementary", name=re.compile("context", re.I))
    expect(panel).to_contain_text(SHORT[3 % len(SHORT)])  # the new flow, literally
    for journey_more in panel.get_by_role("button", name=re.compile("show (all|more)", re.I)).all():
        journey_more.click()
    # the unsigned name and the data, errors, fields and journey render as text
    text = panel.inner_text()
    assert CORPUS[5] in text or CORPUS[5][:60] in text
    assert "<script>" in text and "onerror" in text

    # the second request: its offer card and list entry
    second = desk.get_by_role("button", name=re.compile("^Accept chat with"))
    if second.count():
        second.first.click()
        expect(thread.locator(".msg-body").first).to_have_text(CORPUS[7])

    # the specialist resolves; the customer rates with a hostile comment
    desk.keyboard.press("Escape")
    rid = created[0]["request_id"]
    for page in (desk, board):
        page.wait_for_timeout(300)
    ana_resolves(url, desk, rid)
    customer.write({"type": "rate", "id": "rate1", "score": 1, "comment": CORPUS[1]})
    customer.ws.close()

    board.reload()
    expect(board.get_by_role("heading").first).to_be_visible()
    desk.wait_for_timeout(500)
    for page, hooks in ((desk, watch), (board, board_watch)):
        _no_injected_markup(page)
        hooks.assert_quiet(page)


def ana_resolves(url: str, desk: Page, request_id: str) -> None:
    """Resolve through the desk's own session, with a hostile note."""
    cookies = {c["name"]: c["value"] for c in desk.context.cookies()}
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Origin": url}
    with connect(url.replace("http", "ws", 1) + "/ws/specialist", additional_headers=headers) as ws:
        ws.send(json.dumps({"type": "hello", "last_seq": 0}))
        ws.send(json.dumps({"type": "resolve", "id": "res1", "request_id": request_id,
                            "disposition": "resolved", "note": CORPUS[2]}))  # fmt: skip
        while True:
            frame = json.loads(ws.recv(timeout=15))
            assert frame.get("type") != "error", frame
            if frame.get("type") == "ack" and frame.get("id") == "res1":
                return


def test_specialist_text_stays_text_in_the_widget(
    browser: Browser, live_server: LiveServer
) -> None:
    url = live_server.url
    sofia, _ = _signed_in(browser, url, "sofia@skyway.example")
    people = sofia.request.get(f"{url}/api/v1/admin/specialists").json()
    people = people.get("specialists", people) if isinstance(people, dict) else people
    ana = next(p for p in people if p["email"] == "ana@skyway.example")
    csrf = sofia.request.get(f"{url}/api/v1/desk/state").json()["csrf"]
    renamed = sofia.request.patch(
        f"{url}/api/v1/admin/specialists/{ana['id']}",
        data=json.dumps({"name": SHORT[1], "role": SHORT[2]}),
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf, "Origin": url},
    )
    assert renamed.ok, renamed.text()

    desk, _ = _signed_in(browser, url, "ana@skyway.example")
    page = browser.new_context().new_page()
    watch = Watch(page, url)
    page.goto(f"{url}/demo#payment")
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill(CORPUS[3])
    page.get_by_role("button", name="Request help").click()
    desk.get_by_role("button", name=re.compile("^Accept chat with")).click()
    reply = desk.get_by_role("textbox", name=re.compile("reply|message", re.I))
    for payload in CORPUS:
        reply.fill(payload)
        desk.keyboard.press("Enter")
    log = page.get_by_role("log")
    for payload in CORPUS:
        expect(log.get_by_text(payload, exact=True).last).to_be_attached()
    widget = page.locator("[data-tapline-widget]")
    expect(widget).to_contain_text(SHORT[1])  # the specialist's name, literally
    rid = page.evaluate("() => Tapline.requestId")
    ana_resolves(url, desk, rid)
    expect(widget).to_contain_text(re.compile("resolved|how did|rate", re.I))
    page.wait_for_timeout(500)
    _no_injected_markup(page)
    watch.assert_quiet(page)
