"""Every staff access to a customer's context is audit-logged (`tapline.audit`), secret-free."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from support import World
from tapline.lib.identity import sign_customer

SECRET_BITS = ("PNR-7Q2XKD", "sam.rivera@example.com", "Sam Rivera", "Refund credit 412")


def _ask(world: World, client_id: str) -> dict[str, Any]:
    token = sign_customer(
        world.app.secret, "traveller-sam", "Sam Rivera", "sam.rivera@example.com", 4_000_000_000
    )
    return world.ask(
        client_id,
        user={"token": token},
        context={
            "flow": "booking",
            "step": "payment",
            "data": {"booking": "PNR-7Q2XKD", "credit": "Refund credit 412"},
        },
    )


def _audits(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        record.audit  # type: ignore[attr-defined]
        for record in caplog.records
        if record.name == "tapline.audit"
    ]


def _secret_free(world: World, caplog: pytest.LogCaptureFixture, *tokens: str) -> None:
    """Nothing a log line holds is the context, the customer's identity, or a credential."""
    lines = [
        record.getMessage() + json.dumps(getattr(record, "audit", None))
        for record in caplog.records
        if record.name == "tapline.audit"
    ]
    assert lines
    for line in lines:
        for bit in (*SECRET_BITS, *tokens):
            assert bit not in line


def test_the_desk_snapshot_logs_each_request_and_offer_it_shows(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tapline.audit")
    with world.desk("ana") as desk:
        created, _ = world.connect(desk, "c1")  # ana's own chat
        world.connect(desk, "c2")  # ana at capacity (2)
        offered = _ask(world, "c3")  # for ben, offered when his desk opens
        with world.desk("ben") as ben_desk:
            ben_desk.until("offer", **{"offer.request_id": offered["request_id"]})
            caplog.clear()
            before = datetime.now(UTC)
            response = world.api("GET", "/desk/state", "ben")
            assert response.status_code == 200
            assert response.json()["offers"][0]["context"]["data"]["booking"] == "PNR-7Q2XKD"
            records = _audits(caplog)
            # Ana's snapshot, while her desk is open: her two chats, nothing of ben's offer.
            assert world.api("GET", "/desk/state", "ana").status_code == 200
            shown = {
                (r["what"], r["specialist_id"], r["request_id"])
                for r in _audits(caplog)[len(records) :]
            }
    ben = world.desks["ben"]
    assert [(r["what"], r["specialist_id"], r["request_id"]) for r in records] == [
        ("desk.state.offer", ben.specialist.id, offered["request_id"])
    ]
    record = records[0]
    assert record["event"] == "context_access"
    assert record["session_id"].startswith("ds")
    assert record["address"] == "testclient"
    assert datetime.fromisoformat(record["at"]) >= before.replace(microsecond=0)

    ana = world.desks["ana"].specialist.id
    assert ("desk.state", ana, created["request_id"]) in shown
    assert {what for what, _, _ in shown} == {"desk.state"}
    assert len(shown) == 2
    _secret_free(
        world,
        caplog,
        created["customer_token"],
        offered["customer_token"],
        world.desks["ana"].token,
        world.desks["ana"].csrf,
        ben.token,
        ben.csrf,
    )


def test_a_snapshot_with_no_customer_in_it_logs_nothing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tapline.audit")
    _ask(world, "c1")  # waiting: nobody's desk is open
    assert world.api("GET", "/desk/state", "ana").status_code == 200
    assert _audits(caplog) == []


def test_accepting_an_offer_is_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="tapline.audit")
    with world.desk("ana") as desk:
        created, _ = world.connect(desk, "c1")
    ana = world.desks["ana"]
    records = [r for r in _audits(caplog) if r["what"] == "desk.accept"]
    assert [(r["specialist_id"], r["request_id"]) for r in records] == [
        (ana.specialist.id, created["request_id"])
    ]
    _secret_free(world, caplog, created["customer_token"], ana.token, ana.csrf)
