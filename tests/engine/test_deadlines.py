from __future__ import annotations

from tapline.engine.deadlines import DeadlineKind, Deadlines

OFFER = DeadlineKind.OFFER
GRACE = DeadlineKind.GRACE


def test_due_deadlines_come_out_in_time_order_then_set_order() -> None:
    deadlines = Deadlines()
    deadlines.add(20.0, GRACE, "b")
    deadlines.add(10.0, OFFER, "a")
    deadlines.add(20.0, OFFER, "c")
    deadlines.add(30.0, OFFER, "d")
    assert deadlines.next_at() == 10.0
    out = []
    while (d := deadlines.pop_due(20.0)) is not None:
        out.append((d.at, d.kind, d.request_id))
    assert out == [(10.0, OFFER, "a"), (20.0, GRACE, "b"), (20.0, OFFER, "c")]
    assert deadlines.next_at() == 30.0
    assert len(deadlines) == 1


def test_nothing_is_due_before_its_time() -> None:
    deadlines = Deadlines()
    deadlines.add(10.0, OFFER, "a")
    assert deadlines.pop_due(9.99) is None
    assert deadlines.pop_due(10.0) is not None


def test_cancelled_deadlines_never_come_out() -> None:
    deadlines = Deadlines()
    token = deadlines.add(10.0, OFFER, "a")
    deadlines.add(15.0, GRACE, "b")
    deadlines.cancel(token)
    deadlines.cancel(token)
    deadlines.cancel(None)
    assert deadlines.next_at() == 15.0
    d = deadlines.pop_due(100.0)
    assert d is not None and d.request_id == "b"
    assert deadlines.pop_due(100.0) is None
    assert deadlines.next_at() is None


def test_many_cancellations_do_not_grow_the_heap_without_bound() -> None:
    deadlines = Deadlines()
    keep = deadlines.add(1e9, GRACE, "far")
    for i in range(10_000):
        deadlines.cancel(deadlines.add(5e8 + i, OFFER, f"r{i}"))
    assert len(deadlines._heap) < 2_000
    assert deadlines.next_at() == 1e9
    deadlines.cancel(keep)
    assert deadlines.next_at() is None
