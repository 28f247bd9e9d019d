"""`tapline demo --busy` in Chromium, as a newcomer plays it: a line is there, the widget shows
an honest estimate with its range and offers the callback and a slot; asking to be called back,
the customer is rung when a simulated specialist takes the request, answers, and is told in the
chat that the specialist is simulated and how to help as a person."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

GUARD = 60.0
"""Real seconds a condition may take: a hang guard, not timing."""


@dataclass
class BusyServer:
    url: str
    db: Path
    log: Path
    process: subprocess.Popen[bytes]

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + GUARD
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _healthy(server: BusyServer) -> bool:
    assert server.process.poll() is None, server.output()
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture
def busy_server(tmp_path: Path) -> Iterator[BusyServer]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAPLINE_")}
    env |= {
        "TAPLINE_DATA_DIR": str(tmp_path / "data"),
        # The defaults' behaviour in seconds rather than minutes.
        "TAPLINE_DEMO_BOTS": "2",
        "TAPLINE_DEMO_LINE": "2",
        "TAPLINE_DEMO_RATE": "60",
        "TAPLINE_DEMO_HANDLE": "10",
    }
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tapline", "demo", "--busy", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    server = BusyServer(f"http://127.0.0.1:{port}", tmp_path / "data" / "tapline.db", log, process)
    try:
        _until(lambda: _healthy(server), "the busy demo healthy")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _waiting(server: BusyServer) -> int:
    with sqlite3.connect(f"file:{server.db}?mode=ro", uri=True, timeout=10) as connection:
        sql = "SELECT count(*) FROM requests WHERE state IN ('waiting', 'offered')"
        return int(connection.execute(sql).fetchone()[0])


def test_a_newcomer_sees_the_line_the_estimate_and_is_called_back(
    browser: Browser, busy_server: BusyServer
) -> None:
    url = busy_server.url
    _until(lambda: _waiting(busy_server) >= 2, f"a line; the demo said\n{busy_server.output()}")

    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/demo#payment")
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill("Will my credits be used?")
    page.get_by_role("button", name="Request help").click()

    # People ahead, an honest estimate with its range, the callback and a slot.
    expect(page.locator("[data-tapline-estimate]")).to_have_text(
        re.compile(r"^Chat now · about \d+ min \(\d+\u2013\d+\)$")
    )
    place = re.compile(r"^You're (number \d+|next) in line\.$")  # the line moves meanwhile
    expect(page.get_by_text(place)).to_be_visible()
    expect(page.get_by_role("button", name="Schedule a time")).to_be_visible()
    page.get_by_role("button", name="Call me back when it's my turn").click()
    expect(
        page.get_by_role("heading", name="We'll ring you here when it's your turn")
    ).to_be_visible()

    # A simulated specialist takes it in turn: the page rings; the customer answers.
    ring = page.get_by_role("alertdialog")
    expect(ring).to_contain_text("Sim · ", timeout=GUARD * 1000)
    page.get_by_role("button", name="Answer").click()
    log = page.get_by_role("log")
    expect(log).to_contain_text("simulated specialists", timeout=GUARD * 1000)
    expect(log).to_contain_text("as Ana")
    assert not errors, errors
    page.close()
