"""A sensitive-data sweep: cards in every format, CVV-like values and passwords through every
path a customer or specialist writes, then the database (every table, as text), the server's
log and the desk's DOM are searched: nothing found.

The SDK's own capture (masked fields, a shown password, cards typed in free text) is swept by
test_sdk_masking.py; this one covers the API and both sockets, as a hostile client sends them.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Browser, expect
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).parent))
from test_xss import Customer, _app_key, _post, _signed_in

if TYPE_CHECKING:
    from conftest import LiveServer

CARDS = {
    "4111111111111111": [
        "4111 1111 1111 1111",
        "4111  1111  1111  1111",
        "4111.1111.1111.1111",
        "4111/1111/1111/1111",
        "4111_1111_1111_1111",
        "4111-1111-1111-1111",
        "4111\n1111\n1111\n1111",
        "4111\t1111\t1111\t1111",
        "4111\u00a01111\u00a01111\u00a01111",
        "4111\u202f1111\u202f1111\u202f1111",
        "4111\u200b1111\u200b1111\u200b1111",
        "4\u00ad111111111111111",
        "card4111111111111111",
        "x4111-1111-1111-1111",
        "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
    ],
    "5555555555554444": ["5555 5555 5555 4444", "5555-5555-5555-4444"],
    "378282246310005": ["3782 822463 10005", "378282246310005"],
}
FORMATS = [fmt for group in CARDS.values() for fmt in group]
PASSWORD_TYPED = "Hunter2-S3cret-Pw"
CVV = "7391"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _found(text: str) -> list[str]:
    """Any card (even with every other character dropped), or a masked field's value."""
    hits = [card for card in CARDS if card in _digits(text)]
    hits += [fmt for fmt in FORMATS if fmt in text]
    if PASSWORD_TYPED in text:
        hits.append("password")
    if re.search(rf"(?<![0-9]){CVV}(?![0-9])", text):
        hits.append("cvv")
    return hits


def _cells(data_dir: Path) -> list[str]:
    cells: list[str] = []
    with sqlite3.connect(data_dir / "tapline.db") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                cells += [str(v) for v in row if v is not None]
    return cells


def _context(formats: list[str]) -> dict[str, Any]:
    f = lambda i: formats[i % len(formats)]  # noqa: E731
    return {
        "flow": "pay " + f(0),
        "step": f(1),
        "data": {
            f"k {f(2)}": f(3),
            "n": 4111111111111111,
            "e": 4.111111111111111e15,
            "nested": [{"card": f(4)}],
        },
        "fields": [
            {
                "form": "pay",
                "name": "card_number",
                "label": "Card",
                "value": f(5),
                "filled": True,
                "masked": False,
            },
            {
                "form": "pay",
                "name": "cvv",
                "label": "CVV",
                "value": CVV,
                "filled": True,
                "masked": True,
            },
            {
                "form": "pay",
                "name": "password",
                "label": "Password",
                "value": PASSWORD_TYPED,
                "filled": True,
                "masked": True,
            },
            {
                "form": "pay",
                "name": "notes",
                "label": f(6),
                "value": "see " + f(7),
                "filled": True,
                "masked": False,
            },
        ],
        "errors": [{"code": f(8), "message": "declined " + f(9), "at": 1}],
        "journey": [{"event": "typed " + f(10), "props": {"v": f(11)}, "at": 2}],
        "page": {"url": "https://shop.example/pay", "title": "Pay " + f(12)},
    }


FRAME_ECHO = re.compile(r"^DEBUG: +[<>] (TEXT|BINARY) ")
"""At debug level uvicorn hands its logger to the websockets library, which logs the first 75
bytes of every frame: what customers type, cards included (see test_the_log_holds_no_card)."""


def _log_lines(live_server: LiveServer, *, frames: bool) -> list[str]:
    lines = live_server.log_text().splitlines()
    assert any("/api/v1/requests" in line for line in lines)  # the server's log, and full
    return [line for line in lines if frames or not FRAME_ECHO.match(line)]


def _sweep(browser: Browser, live_server: LiveServer) -> None:
    url = live_server.url
    key = _app_key(live_server.data_dir)
    desk, _ = _signed_in(browser, url, "ana@skyway.example")

    created = _post(
        f"{url}/api/v1/requests?app={key}",
        {
            "id": "sweep-1",
            "description": "my card " + FORMATS[0] + " was charged twice, cvv " + "[" + "]",
            "user": {"id": "u-sweep", "name": "Sam " + FORMATS[1]},
            "context": _context(FORMATS),
        },
        {"X-Tapline-Device": "device-secret-for-the-sensitive-sweep-0001"},
    )
    desk.get_by_role("button", name=re.compile("^Accept chat with")).click()
    customer = Customer(url, key, created)
    for index, fmt in enumerate(FORMATS):
        customer.write({"type": "message", "id": f"m{index}", "body": f"it is {fmt} ok"})
    customer.write({"type": "context", "id": "c1", "context": _context(FORMATS[5:])})

    # the specialist writes cards too: a message and the resolve note
    cookies = {c["name"]: c["value"] for c in desk.context.cookies()}
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Origin": url}
    rid = created["request_id"]
    with connect(url.replace("http", "ws", 1) + "/ws/specialist", additional_headers=headers) as ws:
        ws.send(json.dumps({"type": "hello", "last_seq": 0}))
        for index, frame in enumerate(
            [
                {"type": "message", "request_id": rid, "body": "read back: " + FORMATS[2]},
                {
                    "type": "resolve",
                    "request_id": rid,
                    "disposition": "resolved",
                    "note": "card " + FORMATS[3],
                },
            ]
        ):
            ws.send(json.dumps({**frame, "id": f"s{index}"}))
            while True:
                answer = json.loads(ws.recv(timeout=15))
                assert answer.get("type") != "error", answer
                if answer.get("type") == "ack" and answer.get("id") == f"s{index}":
                    break
    customer.write({"type": "rate", "id": "r1", "score": 2, "comment": "charged " + FORMATS[4]})
    customer.ws.close()

    thread = desk.get_by_role("list", name="Conversation")
    expect(thread).to_contain_text("[card number removed]")
    desk.wait_for_timeout(500)

    assert not _found(desk.content())
    assert not _found(desk.locator("body").inner_text())
    for cell in _cells(live_server.data_dir):
        assert not _found(cell), cell[:300]


def test_no_card_password_or_cvv_is_stored_logged_or_shown(
    browser: Browser, live_server: LiveServer
) -> None:
    _sweep(browser, live_server)
    for line in _log_lines(live_server, frames=False):
        assert not _found(line), line


def test_the_log_holds_no_card_even_at_debug_level(
    browser: Browser, live_server: LiveServer
) -> None:
    _sweep(browser, live_server)
    for line in _log_lines(live_server, frames=True):
        assert not _found(line), line
