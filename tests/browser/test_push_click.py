"""A click on the ring's system notification, in Chromium, through a real desktop.

CDP can deliver a push but can't click a notification, and a `NotificationEvent` made by a
script can't `waitUntil`, focus a window or open one. So Chromium is given a desktop: a private
D-Bus session bus with a notification server on it (the freedesktop.org Notifications API, as
GNOME's or KDE's), a small script run by Debian's own Python with its dbus and GLib bindings.
Chromium hands its notifications to that server (Notify, with the Answer button as an action),
and the test clicks them the way a desktop does, by emitting `ActionInvoked`. Chromium then
fires a trusted `notificationclick` in the service worker, with the user activation that lets
it focus a tab or open one: the worker's real handler, run by the browser.

What a headless Chromium can't show: focus. Every tab reports itself focused and visible, so
"the worker focuses the tab" is not asserted; that it answers in the tab the customer was on,
not in the other one in front, is.

The push itself is delivered through the DevTools protocol as in test_push.py, with the payload
the server sends (src/tapline/push.py), while the server really rings the callback: a specialist
accepts it over the socket, as in test_callbacks.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect
from websockets.sync.client import ClientConnection, connect

from browser.conftest import CHROMIUM, CHROMIUM_ARGS
from browser.test_callbacks import Specialist, _http, signed_in
from browser.test_push import NOTIFICATIONS, _ask_for_a_callback, _registration, _watch

if TYPE_CHECKING:
    from conftest import LiveServer

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, with python3-dbus and python3-gi
Event = dict[str, Any]

# A session bus of our own: nothing is activated on it, and only this test's processes use it.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={path}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# The notification server: one JSON line on stdout per call Chromium makes; a line on stdin
# ({"id": ..., "action": ...}) clicks, as a desktop does when the user clicks the notification
# ("default") or one of its buttons (the action's key). It never closes a notification by
# itself, so a close seen here is the browser's (the worker's `notification.close()`).
NOTIFYD = r"""
import json, sys
import dbus, dbus.service, dbus.mainloop.glib
from gi.repository import GLib

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
IFACE = "org.freedesktop.Notifications"

def say(**event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()

class Server(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(bus, "/org/freedesktop/Notifications")
        self.last = 0

    @dbus.service.method(IFACE, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["body", "actions"]

    @dbus.service.method(IFACE, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("tapline-test", "tapline", "1.0", "1.2")

    @dbus.service.method(IFACE, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        nid = int(replaces) or self.last + 1
        self.last = max(self.last, nid)
        say(event="notify", id=nid, summary=str(summary), body=str(body),
            actions=[str(a) for a in actions])
        return dbus.UInt32(nid)

    @dbus.service.method(IFACE, in_signature="u", out_signature="")
    def CloseNotification(self, nid):
        say(event="close", id=int(nid))
        self.NotificationClosed(nid, dbus.UInt32(3))

    @dbus.service.signal(IFACE, signature="us")
    def ActionInvoked(self, nid, action):
        pass

    @dbus.service.signal(IFACE, signature="uu")
    def NotificationClosed(self, nid, reason):
        pass

bus = dbus.SessionBus()
name = dbus.service.BusName(IFACE, bus, do_not_queue=True)
server = Server(bus)

def command(source, condition):
    line = sys.stdin.readline()
    if not line:
        loop.quit()
        return False
    click = json.loads(line)
    server.ActionInvoked(dbus.UInt32(click["id"]), click["action"])
    say(event="clicked", id=click["id"], action=click["action"])
    return True

GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, command)
say(event="ready")
loop = GLib.MainLoop()
loop.run()
"""


@dataclass
class Desktop:
    server: NotificationServer
    address: str  # of its session bus


class NotificationServer:
    """The notification server, as the test sees it: what Chromium showed and closed."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.events: queue.Queue[Event] = queue.Queue()
        self.seen: list[Event] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.events.put(json.loads(line))

    def until(self, match: Callable[[Event], bool], timeout: float = 30) -> Event:
        for event in self.seen:
            if match(event):
                return event
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no such notification event; seen: {self.seen}")
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(event)
            if match(event):
                return event

    def click(self, shown: Event, button: str | None = None) -> None:
        """Click the notification's body, or the button labelled `button`."""
        pairs = dict(zip(shown["actions"][1::2], shown["actions"][::2], strict=True))
        action = "default" if button is None else pairs[button]
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"id": shown["id"], "action": action}) + "\n")
        self.process.stdin.flush()
        self.until(lambda e: e["event"] == "clicked" and e["id"] == shown["id"])


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    """A desktop per test, like the browser: no notification is left over from another."""
    for tool in ("/usr/bin/dbus-daemon", SYSTEM_PYTHON):
        if not Path(tool).exists():
            raise RuntimeError(
                f"{tool} is missing: apt-get install -y dbus python3-dbus python3-gi"
            )
    where = tmp_path / "desktop"
    where.mkdir()
    (where / "bus.conf").write_text(BUS_CONFIG.format(path=where / "bus"))
    (where / "notifyd.py").write_text(NOTIFYD)
    with contextlib.ExitStack() as stack:
        bus_log = stack.enter_context((where / "bus.log").open("w"))
        server_log = stack.enter_context((where / "notifyd.log").open("w"))
        bus = stack.enter_context(
            subprocess.Popen(
                [
                    "/usr/bin/dbus-daemon",
                    "--nofork",
                    "--print-address=1",
                    "--config-file",
                    str(where / "bus.conf"),
                ],
                stdout=subprocess.PIPE,
                stderr=bus_log,
                text=True,
            )
        )
        stack.callback(_stop, bus)
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        server = stack.enter_context(
            subprocess.Popen(
                [SYSTEM_PYTHON, str(where / "notifyd.py")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=server_log,
                text=True,
                env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": address},
            )
        )
        stack.callback(_stop, server)
        notifications = NotificationServer(server)
        notifications.until(lambda e: e["event"] == "ready")
        yield Desktop(notifications, address)


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def context(
    playwright_instance: Playwright, desktop: Desktop, tmp_path: Path
) -> Iterator[BrowserContext]:
    """Chromium as conftest.py launches it, on the desktop's session bus, with a profile of
    its own on disk: a click on a notification of a `browser.new_context()` (an extra
    off-the-record profile) is routed to no profile, so Chromium just closes it. Other host
    names resolve to nothing: a real profile has the Push API, and it must not reach Google."""
    context = playwright_instance.chromium.launch_persistent_context(
        tmp_path / "profile",
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        headless=True,
        env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": desktop.address},
    )
    yield context
    context.close()


def _ring(
    context: BrowserContext,
    page: Page,
    url: str,
    request_id: str,
    desktop: NotificationServer,
    ring: Event | None = None,
) -> Event:
    """The server's push for this ring (`ring`: the `callback.ring` the customer's socket got,
    whose attempt and end the push carries too), delivered to the worker; the notification
    shown."""
    cdp, registration_id = _registration(context, page, f"{url}/demo/assets/")
    payload = {
        "type": "tapline.ring",
        "request_id": request_id,
        "queue": "Payments",
        "attempt": ring["attempt"] if ring else 1,
        "expires_at": ring["expires_at"] if ring else int((time.time() + 60) * 1000),
        "title": "Ana Ferreira is ready to help you",
        "body": "It's your turn at SkyWay. Answer to start.",
        "url": f"{url}/demo",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": f"{url}/", "registrationId": registration_id, "data": json.dumps(payload)},
    )
    cdp.detach()
    return desktop.until(
        lambda e: e["event"] == "notify" and e["summary"] == "Ana Ferreira is ready to help you"
    )


class CustomerSocket:
    """The customer's socket, spoken by the test (protocol.md): it sees each ring as the
    widget does, with the attempt and end that the push for it carries."""

    def __init__(self, ws: ClientConnection, request_id: str, token: str) -> None:
        self.ws = ws
        self.seen: list[Event] = []
        ws.send(
            json.dumps({"type": "hello", "request_id": request_id, "token": token, "last_seq": 0})
        )
        self.until(lambda f: f.get("type") == "welcome")

    def until(self, match: Callable[[Event], bool], timeout: float = 30) -> Event:
        for frame in self.seen:
            if match(frame):
                return frame
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            frame = json.loads(self.ws.recv(timeout=max(0.1, end - time.monotonic())))
            self.seen.append(frame)
            if match(frame):
                return frame
        raise AssertionError(f"no frame matched; seen: {[f.get('type') for f in self.seen]}")


@contextlib.contextmanager
def customer_socket(url: str, page: Page, request_id: str) -> Iterator[CustomerSocket]:
    """Opened with the request's customer token, read from the widget's store in `page`."""
    app_key = _http(f"{url}/demo/api/session")[0]["app"]
    token = page.evaluate(
        "(key) => JSON.parse(sessionStorage.getItem(key)).customer_token", f"tapline:{app_key}"
    )
    with connect(
        url.replace("http", "ws", 1) + f"/ws/customer?app={app_key}",
        additional_headers={"Origin": url},
    ) as ws:
        yield CustomerSocket(ws, request_id, token)


# What the worker remembers of a press on Answer (tapline-sw.js), read from its IndexedDB.
REMEMBERED = """async (requestId) => {
  if (!(await indexedDB.databases()).some(d => d.name === "tapline-sw")) return null;
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open("tapline-sw");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    if (!db.objectStoreNames.contains("answers")) return null;
    return await new Promise((resolve, reject) => {
      const got = db.transaction("answers").objectStore("answers").get(requestId);
      got.onsuccess = () => resolve(got.result ?? null);
      got.onerror = () => reject(got.error);
    });
  } finally {
    db.close();
  }
}"""


def _held(page: Page, request_id: str) -> list[Any]:
    held: list[Any] = page.evaluate(NOTIFICATIONS, f"tapline-ring-{request_id}")
    return held


def _rung(ana: Specialist, request_id: str) -> None:
    """Ana comes online and takes the callback: the server rings the customer."""
    ana.accept(request_id)
    ana.until(
        lambda f: (
            f.get("type") == "callback"
            and f["request_id"] == request_id
            and f["callback"]["state"] == "ringing"
        )
    )


def _customer(context: BrowserContext, url: str) -> tuple[Page, str, list[str]]:
    context.grant_permissions(["notifications"], origin=url)
    page = context.pages[0]
    problems: list[str] = []
    _watch(page, problems)
    return page, _ask_for_a_callback(page, url), problems


def _opened(context: BrowserContext, url: str) -> Page:
    """The tab the worker opened, beside the blank one (Playwright reports it once told)."""
    for page in context.pages[1:]:
        return page
    return context.wait_for_event("page")


def _answered_in(page: Page, ana: Specialist, request_id: str) -> None:
    """The ring is answered: the server says so, and the customer is in the chat with Ana."""
    expect(page.get_by_role("alertdialog")).to_be_hidden()
    ana.until(
        lambda f: (
            f.get("type") == "callback.ring_ended"
            and f["request_id"] == request_id
            and f["reason"] == "answered"
        )
    )
    ana.write({"type": "message", "request_id": request_id, "body": "Your credits go first."})
    expect(page.get_by_role("log")).to_contain_text("Your credits go first.")
    page.get_by_role("textbox", name="Message").fill("Thank you!")
    page.keyboard.press("Enter")
    ana.until(lambda f: f.get("type") == "message" and f["message"]["body"] == "Thank you!")


def test_answer_on_the_notification_answers_in_the_tab_the_customer_was_on(
    context: BrowserContext, live_server: LiveServer, desktop: Desktop
) -> None:
    url = live_server.url
    page, request_id, problems = _customer(context, url)
    # Another page of the same site, opened later and in front: not the one to answer in.
    other = context.new_page()
    other.goto(f"{url}/healthz")
    with signed_in(url, "ana@skyway.example") as ana:
        _rung(ana, request_id)
        expect(page.get_by_role("alertdialog")).to_contain_text("Ana Ferreira")
        shown = _ring(context, page, url, request_id, desktop.server)
        assert shown["body"].endswith("It's your turn at SkyWay. Answer to start.")
        assert len(_held(page, request_id)) == 1

        desktop.server.click(shown, "Answer")
        # The worker closed it (the desktop never closes one by itself).
        desktop.server.until(lambda e: e["event"] == "close" and e["id"] == shown["id"])
        _answered_in(page, ana, request_id)
        assert _held(page, request_id) == []
        assert other.url == f"{url}/healthz"
        assert len(context.pages) == 2  # nothing opened
    assert not problems, problems


def test_answer_with_no_tab_open_opens_the_page_which_answers_at_once(
    context: BrowserContext, live_server: LiveServer, desktop: Desktop
) -> None:
    url = live_server.url
    page, request_id, problems = _customer(context, url)
    blank = context.new_page()  # a tab of another origin, for the DevTools protocol
    with customer_socket(url, page, request_id) as customer:
        page.close()
        with signed_in(url, "ana@skyway.example") as ana:
            _rung(ana, request_id)  # rung with no page open: only the push reaches the customer
            ring = customer.until(lambda f: f.get("type") == "callback.ring")
            shown = _ring(context, blank, url, request_id, desktop.server, ring)

            desktop.server.click(shown, "Answer")
            desktop.server.until(lambda e: e["event"] == "close" and e["id"] == shown["id"])
            opened = _opened(context, url)
            opened_problems: list[str] = []
            _watch(opened, opened_problems)
            expect(opened).to_have_url(f"{url}/demo")  # the page the customer was on
            # It resumes the request, which rings, and answers it at once: no second tap. The
            # customer (and their screen reader) is told why.
            _answered_in(opened, ana, request_id)
            expect(opened.locator(".tl-sr[role=status]")).to_have_text(
                "You answered on the notification. Connecting you with Ana Ferreira…"
            )
            assert _held(opened, request_id) == []
            # The press was given away once: the worker keeps nothing of it.
            assert opened.evaluate(REMEMBERED, request_id) is None
            answers = [f for f in ana.seen if f.get("type") == "callback.ring_ended"]
            assert [f["reason"] for f in answers] == ["answered"], answers
    assert not problems, problems
    assert not opened_problems, opened_problems


def test_answer_pressed_for_an_earlier_ring_does_not_answer_the_next_one(
    context: BrowserContext, live_server: LiveServer, desktop: Desktop
) -> None:
    """A ring ended early (its specialist left: the engine's `hold`), and the next specialist
    rings again with the same attempt number, since the one left is not counted. The earlier
    ring's notification is still on screen (nothing takes it away: "Left open"), and the
    customer presses its Answer with no page open. Only the ring's end tells the two apart."""
    url = live_server.url
    page, request_id, problems = _customer(context, url)
    blank = context.new_page()
    with customer_socket(url, page, request_id) as customer:
        page.close()
        with signed_in(url, "ana@skyway.example") as ana:
            _rung(ana, request_id)
            ring = customer.until(lambda f: f.get("type") == "callback.ring")
            earlier = {**ring, "expires_at": ring["expires_at"] - 5000}
            shown = _ring(context, blank, url, request_id, desktop.server, earlier)

            desktop.server.click(shown, "Answer")
            desktop.server.until(lambda e: e["event"] == "close" and e["id"] == shown["id"])
            opened = _opened(context, url)
            opened_problems: list[str] = []
            _watch(opened, opened_problems)
            expect(opened).to_have_url(f"{url}/demo")
            # The page rings this ring, asks the worker, which gives the press away (no longer
            # kept) and says it was not this ring's: Answer waits for the customer.
            ring_view = opened.get_by_role("alertdialog")
            expect(ring_view).to_contain_text("Ana Ferreira")
            opened.wait_for_function(
                f"async (id) => (await ({REMEMBERED})(id)) === null", arg=request_id
            )
            answer = opened.get_by_role("button", name="Answer")
            expect(answer).to_be_focused()
            expect(answer).to_be_enabled()
            expect(answer).not_to_have_attribute("aria-busy", "true")
            expect(ring_view).to_contain_text("left to answer")
            assert not [f for f in ana.seen if f.get("type") == "callback.ring_ended"]
            opened.keyboard.press("Enter")  # the customer answers it themself
            _answered_in(opened, ana, request_id)
            expect(opened.locator(".tl-sr[role=status]")).not_to_contain_text("notification")
    assert not problems, problems
    assert not opened_problems, opened_problems


def test_a_click_on_the_notification_body_opens_the_panel_without_answering(
    context: BrowserContext, live_server: LiveServer, desktop: Desktop
) -> None:
    url = live_server.url
    page, request_id, problems = _customer(context, url)
    with signed_in(url, "ana@skyway.example") as ana:
        _rung(ana, request_id)
        ring = page.get_by_role("alertdialog")
        expect(ring).to_contain_text("Ana Ferreira")
        page.get_by_role("button", name="Close help").click()
        expect(ring).to_be_hidden()
        shown = _ring(context, page, url, request_id, desktop.server)

        desktop.server.click(shown)  # the body, not a button
        desktop.server.until(lambda e: e["event"] == "close" and e["id"] == shown["id"])
        # The panel opens on the ring, still ringing: the customer chooses there.
        expect(ring).to_be_visible()
        expect(ring).to_contain_text("left to answer")
        answer = page.get_by_role("button", name="Answer")
        expect(answer).to_be_enabled()
        expect(answer).not_to_have_attribute("aria-busy", "true")
        expect(page.get_by_role("button", name="Not now")).to_be_enabled()
        assert _held(page, request_id) == []
        assert not [f for f in ana.seen if f.get("type") == "callback.ring_ended"]
        answer.click()
        _answered_in(page, ana, request_id)
    assert not problems, problems
