"""`tapline demo --busy` as a newcomer runs it: a real server process whose simulated
specialists and customers speak the real protocol. A customer of the test's own (the traveller,
as the demo's page signs him) joins the line and is told what the README promises; the bots
resolve requests; stopping leaves nothing of theirs in line. Waits are on conditions, each with
a guard; nothing is timed."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx2
import pytest
from websockets.sync.client import connect

from tapline.demo.busy import shows_the_offer, words
from tapline.demo.seed import DEMO_PASSWORD, SIM_ROLE

GUARD = 60.0
"""Real seconds any one condition may take before the test fails: a hang guard."""
T = TypeVar("T")


def _until(condition: Callable[[], T | None], what: str, guard: float = GUARD) -> T:
    deadline = time.monotonic() + guard
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {guard} s: {what}")
        time.sleep(0.1)


class Busy:
    def __init__(self, url: str, db: Path, log: Path, process: subprocess.Popen[bytes]) -> None:
        self.url, self.db, self.log, self.process = url, db, log, process

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10) as connection:
            return connection.execute(sql).fetchall()

    def count(self, sql: str) -> int:
        return int(self.rows(sql)[0][0])


@pytest.fixture
def busy(tmp_path: Path, free_port: int) -> Iterator[Busy]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAPLINE_")}
    env |= {
        "TAPLINE_DATA_DIR": str(tmp_path / "data"),
        "TAPLINE_LOG_LEVEL": "warning",
        # Two simulated specialists, a line of three, short chats, customers as fast as
        # the caps allow: the same code as the defaults, in seconds rather than minutes.
        "TAPLINE_DEMO_BOTS": "2",
        "TAPLINE_DEMO_LINE": "3",
        "TAPLINE_DEMO_RATE": "60",
        "TAPLINE_DEMO_HANDLE": "8",
        "COLUMNS": "200",
    }
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tapline", "demo", "--busy", "--port", str(free_port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{free_port}"
    server = Busy(url, tmp_path / "data" / "tapline.db", log, process)
    try:
        _until(lambda: _healthy(server), f"the demo healthy; it said:\n{server.output()}", 90.0)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _healthy(server: Busy) -> bool:
    if server.process.poll() is not None:
        raise AssertionError(f"the demo exited:\n{server.output()}")
    try:
        return httpx2.get(f"{server.url}/healthz", timeout=2, trust_env=False).status_code == 200
    except httpx2.HTTPError:
        return False


@pytest.fixture
def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


WAITING = "SELECT count(*) FROM requests WHERE state IN ('waiting', 'offered')"
BY_BOTS = (
    "SELECT count(*) FROM requests r JOIN specialists s ON s.id = r.specialist_id "
    f"WHERE r.state = 'resolved' AND s.role = '{SIM_ROLE}'"
)


def test_a_newcomer_finds_a_line_an_honest_estimate_and_the_offers(busy: Busy) -> None:
    # Requests are waiting: the simulated customers formed a line.
    _until(lambda: busy.count(WAITING) >= 2, "two simulated customers waiting")

    # The traveller, as the demo's page signs him, asks for help on the payment step.
    key, created = _traveller_asks(busy, "newcomer-1")
    assert created["queue"]["name"] == "Payments"
    assert created["estimate"]["position"] >= 2, created  # people ahead
    assert created["options"]["callback"] is True, created

    # Its socket is told the estimate with its range, and offered the callback and slots.
    url = f"{busy.url.replace('http', 'ws', 1)}/ws/customer?app={key}"
    with connect(url, origin=busy.url) as ws:  # type: ignore[arg-type]
        hello = {"request_id": created["request_id"], "token": created["customer_token"]}
        ws.send(json.dumps({"type": "hello", "last_seq": 0, **hello}))
        estimate = _estimate(ws)
        assert 0 < estimate["low"] < estimate["mean"] < estimate["high"], estimate
        assert estimate["options"]["callback"] is True
        assert estimate["options"]["schedule"] is True
        ws.send(json.dumps({"type": "cancel", "id": "newcomer-cancel"}))
        _frame(ws, lambda f: f.get("type") == "ack" and f.get("id") == "newcomer-cancel")

    # The simulated specialists resolved requests; the console said what to do.
    _until(lambda: busy.count(BY_BOTS) >= 2, "two requests resolved by simulated specialists")
    output = busy.output()
    assert "2 simulated specialists on" in output
    assert "The line is ready after" in output and "/demo" in output and "as Ana" in output

    # The seed story still plays: Ana signs in and is offered the traveller's next request,
    # never a simulated customer's, though they wait.
    with _desk(busy, "ana@skyway.example") as ana:
        _until(lambda: busy.count(WAITING) >= 1, "a simulated customer waiting")
        _, again = _traveller_asks(busy, "newcomer-2")
        mine = again["request_id"]
        offer = _frame(ana, lambda f: f.get("type") == "offer")
        assert offer["offer"]["request_id"] == mine, offer
        ana.send(json.dumps({"type": "accept", "id": "a1", "request_id": mine}))
        _frame(ana, lambda f: f.get("type") == "ack" and f.get("id") == "a1")
        resolve = {"type": "resolve", "id": "r1", "request_id": mine, "disposition": "resolved"}
        ana.send(json.dumps(resolve))
        _frame(ana, lambda f: f.get("type") == "ack" and f.get("id") == "r1")

    # Stopped (SIGTERM; uvicorn exits by the signal it got): the bots first cancel their
    # customers' requests and resolve their chats, through the server still running.
    busy.process.send_signal(signal.SIGTERM)
    assert busy.process.wait(30) in (0, -signal.SIGTERM)
    assert "Traceback" not in busy.output(), busy.output()
    left = busy.rows(
        "SELECT state, client_id, customer FROM requests "
        "WHERE state IN ('waiting', 'offered', 'connected')"
    )
    assert left == [], left
    rated = busy.count("SELECT count(*) FROM requests WHERE rating IS NOT NULL")
    outcomes = dict(busy.rows("SELECT state, count(*) FROM requests GROUP BY state"))
    assert outcomes.get("resolved", 0) >= 2 and rated >= 1, (outcomes, rated)


def _traveller_asks(busy: Busy, client_id: str) -> tuple[str, dict[str, Any]]:
    with httpx2.Client(base_url=busy.url, timeout=10, trust_env=False) as client:
        session = client.get("/demo/api/session").json()
        context = {"flow": "booking", "step": "payment", "data": {"fare": 164.7, "credits": 150}}
        body = {"id": client_id, "description": "Will my credits be used?"}
        body |= {"user": session["user"], "context": context}
        path = f"/api/v1/requests?app={session['app']}"
        response = client.post(path, json=body, headers={"Origin": busy.url})
    assert response.status_code == 201, response.text
    return str(session["app"]), response.json()


@contextlib.contextmanager
def _desk(busy: Busy, email: str) -> Iterator[Any]:
    """A person's desk over the protocol: signed in, `hello`, available."""
    with httpx2.Client(base_url=busy.url, timeout=10, trust_env=False) as client:
        signin = {"email": email, "password": DEMO_PASSWORD}
        response = client.post("/api/v1/desk/signin", json=signin, headers={"Origin": busy.url})
    assert response.status_code == 200, response.text
    cookie = f"tapline_desk={response.cookies['tapline_desk']}"
    url = f"{busy.url.replace('http', 'ws', 1)}/ws/specialist"
    with connect(url, additional_headers={"Origin": busy.url, "Cookie": cookie}) as ws:
        ws.send(json.dumps({"type": "hello", "last_seq": 0}))
        ws.send(json.dumps({"type": "presence", "id": "p1", "status": "available"}))
        _frame(ws, lambda f: f.get("type") == "ack" and f.get("id") == "p1")
        yield ws


def _estimate(ws: Any) -> dict[str, Any]:
    return _frame(ws, lambda f: f.get("type") == "estimate" and f.get("mean") is not None)


def _frame(ws: Any, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + GUARD
    while time.monotonic() < deadline:
        frame: dict[str, Any] = json.loads(ws.recv(timeout=GUARD))
        if wanted(frame):
            return frame
    raise AssertionError("the frame expected did not come")


def test_the_console_words_an_estimate_as_the_widget_does() -> None:
    assert words(400, 240, 600) == "about 7 min (4\u201310)"
    assert words(40, 10, 80) == "less than a minute"


def test_what_the_newcomer_must_see_is_people_ahead_a_range_and_the_callback() -> None:
    options = {"callback": True}
    seen = {"position": 3, "mean": 400, "low": 240, "high": 600, "options": options}
    assert shows_the_offer(seen)
    assert not shows_the_offer(None)
    assert not shows_the_offer(seen | {"position": 1})
    assert not shows_the_offer(seen | {"mean": None, "low": None, "high": None})
    assert not shows_the_offer(seen | {"options": {"callback": False}})
    assert not shows_the_offer(seen | {"low": 400})
