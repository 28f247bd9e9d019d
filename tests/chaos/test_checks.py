"""The checker itself: a clean run passes, and each kind of damage is named.

No server here: a small log and the clients' views are made by hand, then broken one way
at a time, so a chaos run that reports no problem means something.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace as Row
from typing import Any

from chaos.checks import Log, Report, check
from chaos.clients import Customer, Holding, Specialist, Tally
from chaos.harness import Desk


def _message(mid: int, sender: str, client_id: str, body: str = "x") -> Row:
    return Row(
        id=mid, request_id="r1", sender=sender, client_id=client_id, body=body,
        specialist_id="s1" if sender == "specialist" else None,
    )  # fmt: skip


def _wire(row: Row) -> dict[str, Any]:
    return {"id": row.id, "client_id": row.client_id, "sender": row.sender, "body": row.body}


def _world() -> tuple[Log, Customer, Specialist]:
    rows = [
        _message(1, "customer", "desc-c1.ask"),
        _message(2, "system", "sys1"),
        _message(3, "customer", "c1.m1", "c1 line 1 of 1"),
        _message(4, "specialist", "DeskA.re.c1.m1"),
    ]
    events = [
        Row(id=1, stream="customer:r1", seq=1, type="message", payload={}),
        Row(id=2, stream="specialist:s1", seq=1, type="offer", payload={}),
        Row(id=3, stream="customer:r1", seq=2, type="request.state", payload={}),
        Row(id=4, stream="specialist:s1", seq=2, type="request.assigned",
            payload={"request": {"id": "r1"}}),
        Row(id=5, stream="customer:r1", seq=3, type="message", payload={}),
        Row(id=6, stream="customer:r1", seq=4, type="message", payload={}),
        Row(id=7, stream="customer:r1", seq=5, type="message", payload={}),
        Row(id=8, stream="customer:r1", seq=6, type="request.state", payload={}),
        Row(id=9, stream="specialist:s1", seq=3, type="request.state",
            payload={"request_id": "r1", "state": "resolved"}),
    ]  # fmt: skip
    log = Log(
        requests={
            "r1": Row(
                id="r1", state="resolved", cause=None, specialist_id="s1", ended_at=datetime.now()
            )
        },
        messages={"r1": rows},
        events=events,
        streams={"customer:r1": 6, "specialist:s1": 3},
        offers=[Row(request_id="r1", specialist_id="s1", outcome="accepted")],
    )
    tally = Tally()
    customer = Customer(None, "pk", "c1", tally, 1, 0.0)  # type: ignore[arg-type]
    customer.request_id = "r1"
    for event in events:
        if event.stream != "customer:r1":
            continue
        frame: dict[str, Any] = {"seq": event.seq, "type": event.type}
        if event.type == "message":
            frame["message"] = _wire(rows[len(customer.messages())])
        else:
            frame["state"] = "connected" if event.seq == 2 else "resolved"
            customer.states.append(frame)
        customer.events.append(frame)
        customer.cursor = event.seq
    customer.acked.append(
        ({"type": "message", "id": "c1.m1"}, {"type": "ack", "result": {"message_id": 3}})
    )
    desk = Specialist(None, Desk("s1", "Desk A", "tls_x"), tally, 0.0)  # type: ignore[arg-type]
    desk.events = [
        {"seq": 1, "type": "offer"},
        {"seq": 2, "type": "request.assigned"},
        {"seq": 3, "type": "request.state"},
    ]
    desk.cursor = 3
    holding = Holding("r1", [_wire(r) for r in rows], 2, "resolved", True)
    desk.holdings.append(holding)
    desk.acked.append(
        (
            {"type": "message", "id": "DeskA.re.c1.m1", "request_id": "r1"},
            {"type": "ack", "result": {"message_id": 4}},
        )
    )
    return log, customer, desk


def _problems(log: Log, customer: Customer, desk: Specialist) -> list[str]:
    report = Report(tally=customer.tally)
    check(log, [customer], [desk], report)
    return report.problems


def test_a_clean_run_has_no_problem() -> None:
    assert _problems(*_world()) == []


def test_a_message_the_customer_never_got_is_lost() -> None:
    log, customer, desk = _world()
    del customer.events[4]  # the specialist's answer (row 4)
    for n, event in enumerate(customer.events, 1):
        event["seq"] = n
    customer.cursor = len(customer.events)
    problems = _problems(log, customer, desk)
    assert any("missing [4]" in p for p in problems), problems
    assert any("never told" in p for p in problems), problems


def test_a_message_seen_twice_or_stored_twice_is_duplicated() -> None:
    log, customer, desk = _world()
    desk.holdings[0].messages.insert(3, desk.holdings[0].messages[2])
    log.messages["r1"].append(_message(5, "customer", "c1.m1"))
    problems = _problems(log, customer, desk)
    assert any("2 rows for one write" in p for p in problems), problems
    assert any("DeskA" in p and "repeated [3]" in p for p in problems), problems


def test_messages_out_of_order_are_reordered() -> None:
    log, customer, desk = _world()
    holding = desk.holdings[0]
    holding.messages[2], holding.messages[3] = holding.messages[3], holding.messages[2]
    problems = _problems(log, customer, desk)
    assert any("reordered" in p for p in problems), problems


def test_an_acked_message_missing_from_the_thread_is_lost() -> None:
    log, customer, desk = _world()
    customer.acked.append(
        ({"type": "message", "id": "c1.m2"}, {"type": "ack", "result": {"message_id": 99}})
    )
    problems = _problems(log, customer, desk)
    assert any("acked c1.m2 is not in the thread" in p for p in problems), problems


def test_two_specialists_at_once_is_a_double_assignment() -> None:
    log, customer, desk = _world()
    log.events.insert(
        4,
        Row(id=4.5, stream="specialist:s2", seq=1, type="request.assigned",
            payload={"request": {"id": "r1"}}),
    )  # fmt: skip
    problems = _problems(log, customer, desk)
    assert any("double assignment: r1 to s2" in p for p in problems), problems


def test_a_customer_not_told_the_outcome_is_found() -> None:
    log, customer, desk = _world()
    customer.states.pop()
    problems = _problems(log, customer, desk)
    assert any("last told 'connected'" in p for p in problems), problems


def test_a_gap_the_server_sent_is_a_problem() -> None:
    log, customer, desk = _world()
    customer.tally.gaps.append("c1: seq 5 after 3")
    problems = _problems(log, customer, desk)
    assert any("gap sent by the server" in p for p in problems), problems
