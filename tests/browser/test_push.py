"""Web Push in Chromium: the demo registers its service worker (which brings in tapline's)
when the customer chooses "call me back", under the strict CSP; a push delivered to that
worker shows the ring as a notification, with an Answer button and one per request; and when
the browser can't subscribe (Chromium's push service is out of reach here, and a test
profile has none), the widget says honestly that the browser won't ring with the page closed.

The push is delivered through the DevTools protocol (`ServiceWorker.deliverPushMessage`),
exactly as a push service would hand it to the browser; the server's side of Web Push (VAPID,
aes128gcm, a real push service on 127.0.0.1) is tested in tests/lib/test_push.py.
"""

from __future__ import annotations

import json
import urllib.request
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, expect

if TYPE_CHECKING:
    from conftest import LiveServer

UNAVAILABLE = (
    "This browser can't ring while this page is closed. "
    "Keep it open, or open it again before your turn."
)
DENIED = (
    "Notifications are off for this site in your browser, so it won't ring while this page "
    "is closed. Keep it open, or open it again before your turn."
)


def _ask_for_a_callback(page: Page, url: str) -> str:
    """No specialist is online, so the wait has no end in sight: "call me back" is offered."""
    page.goto(f"{url}/demo")
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill("Will my credits be used?")
    page.get_by_role("button", name="Request help").click()
    page.get_by_role("button", name="Call me back when it's my turn").click()
    expect(
        page.get_by_role("heading", name="We'll ring you here when it's your turn")
    ).to_be_visible()
    request_id: str = page.evaluate("() => Tapline.requestId")
    return request_id


def _watch(page: Page, problems: list[str]) -> None:
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )


def _registration(context: BrowserContext, page: Page, scope: str) -> tuple[CDPSession, str]:
    cdp = context.new_cdp_session(page)
    updates: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: updates.append(event))
    cdp.send("ServiceWorker.enable")  # then reports every registration, as events

    def found() -> list[str]:
        return [
            r["registrationId"]
            for update in updates
            for r in update["registrations"]
            if r["scopeURL"] == scope and not r["isDeleted"]
        ]

    # Events are dispatched while Playwright waits on the page: wait a frame at a time until
    # the report is in (a condition, bounded by frames rather than a clock).
    for _ in range(600):
        if found():
            break
        page.evaluate("() => new Promise(requestAnimationFrame)")
    assert found(), updates
    return cdp, found()[-1]


NOTIFICATIONS = """async (tag) => {
  const [registration] = await navigator.serviceWorker.getRegistrations();
  return (await registration.getNotifications({tag})).map(n => ({
    title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction,
    actions: n.actions.map(a => ({action: a.action, title: a.title})), data: n.data}));
}"""


def test_the_worker_shows_the_ring_and_the_widget_is_honest_without_push(
    browser: Browser, live_server: LiveServer
) -> None:
    url = live_server.url
    with urllib.request.urlopen(f"{url}/demo/assets/sw.js", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/javascript")
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    context = browser.new_context()
    context.grant_permissions(["notifications"], origin=url)
    page = context.new_page()
    problems: list[str] = []
    _watch(page, problems)
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text))
    request_id = _ask_for_a_callback(page, url)

    # Permission is granted, the worker registers, but subscribing fails here: said plainly.
    note = page.locator("[data-tapline-push]:visible")
    expect(note).to_have_text(UNAVAILABLE)
    # The developer sees why in the console (a test profile is incognito: no Push API).
    assert any(w.startswith("[tapline] Web Push: AbortError") for w in warnings), warnings
    registrations = page.evaluate(
        """async () => (await navigator.serviceWorker.getRegistrations())
             .map(r => [r.scope, r.active && r.active.scriptURL])"""
    )
    assert registrations == [[f"{url}/demo/assets/", f"{url}/demo/assets/sw.js"]]

    # A push, as the server sends it (docs/subsystems/callbacks.md, "Web Push").
    cdp, registration_id = _registration(context, page, f"{url}/demo/assets/")
    tag = f"tapline-ring-{request_id}"

    def deliver(attempt: int, body: str) -> None:
        payload = {
            "type": "tapline.ring",
            "request_id": request_id,
            "queue": "Payments",
            "attempt": attempt,
            "expires_at": 0,
            "title": "Ana Ferreira is ready to help you",
            "body": body,
            "url": f"{url}/demo",
        }
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": f"{url}/", "registrationId": registration_id, "data": json.dumps(payload)},
        )

    deliver(1, "It's your turn at SkyWay. Answer to start.")
    page.wait_for_function(f"async (tag) => (await ({NOTIFICATIONS})(tag)).length > 0", arg=tag)
    [shown] = page.evaluate(NOTIFICATIONS, tag)
    assert shown == {
        "title": "Ana Ferreira is ready to help you",
        "body": "It's your turn at SkyWay. Answer to start.",
        "tag": tag,
        "requireInteraction": True,
        "actions": [{"action": "answer", "title": "Answer"}],
        # The ring's attempt and end name it: a press on Answer is remembered for this ring.
        "data": {
            "tapline": True,
            "request_id": request_id,
            "url": f"{url}/demo",
            "attempt": 1,
            "expires_at": 0,
        },
    }
    # The next attempt replaces it: one notification per request.
    deliver(2, "<b>Second</b> ring")
    page.wait_for_function(
        f"async (tag) => (await ({NOTIFICATIONS})(tag)).some(n => n.body.includes('Second'))",
        arg=tag,
    )
    [again] = page.evaluate(NOTIFICATIONS, tag)
    assert again["body"] == "<b>Second</b> ring"  # plain text, as sent

    # A push that isn't tapline's is left alone (a host's own worker may handle it).
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": f"{url}/", "registrationId": registration_id, "data": '{"type": "news"}'},
    )
    deliver(3, "Third ring")
    page.wait_for_function(
        f"async (tag) => (await ({NOTIFICATIONS})(tag)).some(n => n.body === 'Third ring')",
        arg=tag,
    )
    titles = page.evaluate(
        """async () => (await (await navigator.serviceWorker.getRegistrations())[0]
             .getNotifications()).map(n => n.tag)"""
    )
    assert titles == [tag]
    context.close()
    assert not problems, problems


def test_a_customer_who_refuses_notifications_is_told_the_browser_wont_ring(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context()  # no permission granted: Chromium refuses the prompt
    page = context.new_page()
    problems: list[str] = []
    _watch(page, problems)
    _ask_for_a_callback(page, live_server.url)
    expect(page.locator("[data-tapline-push]:visible")).to_have_text(DENIED)
    assert page.evaluate("() => Notification.permission") == "denied"
    context.close()
    assert not problems, problems
