"""The callback story in Chromium: with every specialist busy the widget shows an honest estimate
and its range; the customer asks to be called back and closes the page; a specialist frees up;
the page opened again rings; the customer answers and lands in the chat, and the specialist has
their context."""

from __future__ import annotations

import contextlib
import json
import re
import time
import urllib.request
import uuid
from typing import TYPE_CHECKING, Any, cast

from playwright.sync_api import Browser, Page, expect
from websockets.sync.client import ClientConnection, connect

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from conftest import LiveServer

PASSWORD = "skyway-demo-2026"
Frame = dict[str, Any]


def _http(
    url: str, method: str = "GET", body: object = None, headers: dict[str, str] | None = None
) -> tuple[Any, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null"), response.headers


@contextlib.contextmanager
def signed_in(url: str, email: str) -> Iterator[Specialist]:
    """The desk without its UI: sign in over HTTP and speak the specialist socket, so the test
    decides exactly when a specialist is busy and when they free up."""
    _, headers = _http(
        f"{url}/api/v1/desk/signin", "POST", {"email": email, "password": PASSWORD}, {"Origin": url}
    )
    cookie = headers.get("set-cookie", "").split(";")[0]
    with connect(
        url.replace("http", "ws", 1) + "/ws/specialist",
        additional_headers={"Origin": url, "Cookie": cookie},
    ) as ws:
        yield Specialist(ws)


class Specialist:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.seen: list[Frame] = []
        self.send({"type": "hello", "last_seq": 0})
        self.until(lambda f: f.get("type") == "welcome")
        self.write({"type": "presence", "status": "available"})

    def send(self, frame: Frame) -> None:
        self.ws.send(json.dumps(frame))

    def write(self, frame: Frame) -> Frame:
        frame_id = uuid.uuid4().hex
        self.send({**frame, "id": frame_id})
        return self.until(
            lambda f: (
                (f.get("type") == "ack" and f.get("id") == frame_id)
                or (f.get("type") == "error" and f.get("ref") == frame_id)
            )
        )

    def until(self, match: Callable[[Frame], bool], timeout: float = 30) -> Frame:
        for frame in self.seen:
            if match(frame) and not frame.get("_used"):
                frame["_used"] = True
                return frame
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            raw = self.ws.recv(timeout=max(0.1, end - time.monotonic()))
            frame = cast("Frame", json.loads(raw))
            self.seen.append(frame)
            if match(frame):
                frame["_used"] = True
                return frame
        raise AssertionError(f"no frame matched; seen: {[f.get('type') for f in self.seen]}")

    def accept(self, request_id: str) -> Frame:
        self.until(lambda f: f.get("type") == "offer" and f["offer"]["request_id"] == request_id)
        ack = self.write({"type": "accept", "request_id": request_id})
        assert ack["type"] == "ack", ack
        return self.until(
            lambda f: f.get("type") == "request.assigned" and f["request"]["id"] == request_id
        )


def _offer_callbacks_from(url: str, seconds: int) -> None:
    """As the supervisor would in Configure: offer "call me back" once a wait may pass
    `seconds` (the default, 5 minutes, is longer than a wait behind one busy specialist)."""
    signed, headers = _http(
        f"{url}/api/v1/desk/signin",
        "POST",
        {"email": "sofia@skyway.example", "password": PASSWORD},
        {"Origin": url},
    )
    auth = {
        "Origin": url,
        "Cookie": headers.get("set-cookie", "").split(";")[0],
        "X-CSRF-Token": signed["csrf"],
    }
    queues, _ = _http(f"{url}/api/v1/admin/queues", headers=auth)
    for queue in queues["queues"]:
        _http(
            f"{url}/api/v1/admin/queues/{queue['id']}",
            "PATCH",
            {"callback_threshold": seconds},
            auth,
        )


def _book_to_payment(page: Page, url: str) -> None:
    page.goto(f"{url}/demo?session=600")
    page.locator("#search-submit").click()
    page.locator("#select-SW214").click()
    page.locator("#passenger-continue").click()
    expect(page.locator("#step-payment")).to_be_visible()
    page.locator("#apply-credits").check()


def test_a_callback_rings_the_page_opened_again(browser: Browser, live_server: LiveServer) -> None:
    url = live_server.url
    app_key = _http(f"{url}/demo/api/session")[0]["app"]
    _offer_callbacks_from(url, 60)

    with signed_in(url, "ana@skyway.example") as ana:
        _story(browser, url, app_key, ana)


def _story(browser: Browser, url: str, app_key: str, ana: Specialist) -> None:
    # Ana is the only specialist online, and her three chats are taken.
    fillers = []
    for n in range(3):
        created, _ = _http(
            f"{url}/api/v1/requests?app={app_key}",
            "POST",
            {
                "id": f"filler-{n}",
                "description": f"Filler {n}",
                "user": {"id": f"f{n}", "name": f"Filler {n}", "email": None, "token": None},
                "context": {"flow": "booking", "step": "search"},
            },
        )
        ana.accept(created["request_id"])
        fillers.append(created["request_id"])

    customer = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page = customer.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    _book_to_payment(page, url)
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill("Will my credits be used?")
    page.get_by_role("button", name="Request help").click()

    # 1. An honest estimate with its range, and the choice to be called back.
    estimate = page.locator("[data-tapline-estimate]")
    expect(estimate).to_have_text(
        re.compile(
            r"^Chat now · (less than a minute \(up to \d+ (min|h)\)|about \d+½? (min|h) \(.+\))$"
        )
    )
    page.get_by_role("button", name="Call me back when it's my turn").click()
    expect(
        page.get_by_role("heading", name="We'll ring you here when it's your turn")
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"^Usually within .*min\. You can close this page\.$"))
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"^We promise to ring by "))).to_be_visible()
    request_id = page.evaluate("() => Tapline.requestId")
    page.close()

    # 2. A specialist frees up and takes the callback: the customer is rung.
    ana.write({"type": "resolve", "request_id": fillers[0], "disposition": "resolved"})
    assigned = ana.accept(request_id)
    context = assigned["request"]["context"]
    assert (context["flow"], context["step"]) == ("booking", "payment"), context
    assert any(f["name"] == "use_credits" for f in context["fields"]), context["fields"]

    # 3. The page opened again rings; the customer answers and is in the chat.
    page = customer.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/demo")
    ring = page.get_by_role("alertdialog")
    expect(ring).to_contain_text("Ana Ferreira")
    expect(ring).to_contain_text(re.compile(r"left to answer"))
    answer = page.get_by_role("button", name="Answer")
    expect(answer).to_be_focused()
    answer.click()
    expect(ring).to_be_hidden()
    ana.until(lambda f: f.get("type") == "callback.ring_ended" and f.get("reason") == "answered")
    ana.write({"type": "message", "request_id": request_id, "body": "Your credits go first."})
    log = page.get_by_role("log")
    expect(log).to_contain_text("Your credits go first.")
    page.get_by_role("textbox", name="Message").fill("Thank you!")
    page.keyboard.press("Enter")
    ana.until(lambda f: f.get("type") == "message" and f["message"]["body"] == "Thank you!")
    # The journey so far came along to the new page.
    updated = ana.until(
        lambda f: f.get("type") == "context.updated" and f["request_id"] == request_id
    )
    events = [j["event"] for j in updated["context"].get("journey", [])]
    assert "flight_selected" in events, events

    customer.close()
    assert not errors, errors
