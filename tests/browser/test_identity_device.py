"""The widget keeps a device secret and sends it with its create; the desk marks an unsigned
name beside a valid token as unverified, never as Verified."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import urllib.request
from typing import TYPE_CHECKING, Any

import jwt
from playwright.sync_api import Browser, Page, Request, expect

if TYPE_CHECKING:
    from conftest import LiveServer

PASSWORD = "skyway-demo-2026"


def _desk(browser: Browser, url: str) -> Page:
    desk = browser.new_context().new_page()
    desk.goto(f"{url}/desk")
    desk.get_by_label("Email").fill("ana@skyway.example")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    expect(desk.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()
    return desk


def _post(url: str, body: object) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_the_widget_sends_the_device_secret_it_keeps(
    browser: Browser, live_server: LiveServer
) -> None:
    page = browser.new_context().new_page()
    creates: list[Request] = []
    page.on(
        "request",
        lambda r: creates.append(r) if "/api/v1/requests" in r.url and r.method == "POST" else None,
    )
    page.goto(f"{live_server.url}/demo#payment")
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill("Stuck on payment")
    page.get_by_role("button", name="Request help").click()
    expect(page.get_by_role("log")).to_contain_text("Stuck on payment")
    [create] = creates
    sent = create.header_value("x-tapline-device")
    assert sent and re.fullmatch(r"[A-Za-z0-9_-]{43}", sent)
    kept = page.evaluate(
        "() => JSON.parse(Object.entries(localStorage).find(([k]) => k.endsWith(':device'))[1])"
    )
    assert kept == sent


def test_the_desk_marks_an_unsigned_name_beside_a_valid_token_unverified(
    browser: Browser, live_server: LiveServer
) -> None:
    url = live_server.url
    desk = _desk(browser, url)
    with sqlite3.connect(live_server.data_dir / "tapline.db") as db:
        key, secret = db.execute("SELECT public_key, secret FROM apps").fetchone()
    token = jwt.encode({"sub": "u-42", "exp": int(time.time()) + 600}, secret, "HS256")
    _post(
        f"{url}/api/v1/requests?app={key}",
        {
            "id": "c-unsigned-name",
            "description": "Who am I?",
            "user": {"id": "u-42", "name": "Mallory Claimed", "token": token},
        },
    )
    offer = desk.get_by_role("button", name=re.compile("^Accept chat with"))
    expect(offer).to_be_visible()
    assert "Mallory" not in (offer.get_attribute("aria-label") or "")
    offer.click()
    context_panel = desk.get_by_role("complementary", name=re.compile("context", re.I))
    expect(context_panel).to_contain_text("Verified")
    expect(context_panel).to_contain_text("Mallory Claimed (unverified)")
    expect(context_panel).to_contain_text("u-42")
