"""Take the README's screenshots: the widget on the demo, and the desk, mid-conversation.

Run: .venv/bin/python scripts/screenshots.py  (starts its own demo server on a free port)
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    data = tempfile.mkdtemp()
    server = subprocess.Popen(
        [sys.executable, "-m", "tapline", "demo", "--port", str(port)],
        env={**os.environ, "TAPLINE_DATA_DIR": data},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        shoot(url)
    finally:
        server.terminate()
        server.wait()


def shoot(url: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        desk = browser.new_context(viewport={"width": 1440, "height": 860}).new_page()
        page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
        desk.goto(url + "/desk")
        desk.get_by_label("Email").fill("ana@skyway.example")
        desk.get_by_label("Password").fill("skyway-demo-2026")
        desk.get_by_role("button", name="Sign in").click()
        page.goto(url + "/demo")
        page.locator("#search-submit").click()
        page.locator("#select-SW214").click()
        page.locator("#passenger-continue").click()
        page.locator("#apply-credits").check()
        page.locator("#card-number").fill("4242 4242 4242 4242")
        page.locator("#card-exp").fill("12 / 29")
        page.locator("#card-cvc").fill("123")
        page.locator("#card-name").fill("Sam Rivera")
        page.locator("#pay").click()
        page.get_by_role("button", name="Get help").click()
        page.get_by_label("What's getting in your way?").fill(
            "Will my refund credits be used, or my card? The total looks odd."
        )
        page.get_by_role("button", name="Request help").click()
        desk.get_by_role("button", name=re.compile("^Accept chat with")).click()
        reply = desk.get_by_role("textbox", name=re.compile("reply|message", re.I))
        reply.fill(
            "Hi Sam, I can see your booking. Your €150 credits apply first; "
            "the card pays only the rest."
        )
        desk.keyboard.press("Enter")
        page.get_by_role("log").get_by_text("credits apply first").wait_for()
        page.get_by_role("textbox", name=re.compile("message", re.I)).fill("Great, thanks!")
        page.keyboard.press("Enter")
        desk.locator(".msg-body", has_text="Great, thanks!").wait_for()
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT / "widget.png"))
        desk.screenshot(path=str(OUT / "desk.png"))
        browser.close()
    print(f"wrote {OUT / 'widget.png'} and {OUT / 'desk.png'}")


if __name__ == "__main__":
    main()
