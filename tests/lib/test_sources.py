"""Where a context came from: tags, ranks, the furthest step, and every cap."""

from __future__ import annotations

from typing import Any

import pytest

from tapline.lib import sources

STEPS = ["search", "select", "passenger", "payment", "confirmed"]


def _tag(tab: str, device: str = "d1", ua: str = "desktop") -> dict[str, Any]:
    return {"tab": tab, "device": device, "ua": ua}


def _say(rows: list[dict[str, Any]], context: dict[str, Any], now: int) -> dict[str, Any]:
    context, tag = sources.split(dict(context))
    row = next((r for r in rows if r["source"] == tag["key"]), None)
    if row is None:
        row = sources.new_row(tag, now)
        rows.append(row)
    sources.apply(rows, row, context, now)
    return row


def test_a_context_without_a_tag_is_the_anonymous_source() -> None:
    context, tag = sources.split({"step": "search", "fields": []})
    assert context == {"step": "search", "fields": []}
    assert tag == {"key": "", "tab": None, "device": None, "ua": "unknown"}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("tab-1", "context.source must be an object"),
        ({"tab": "a/b"}, "context.source.tab must be 1-64"),
        ({"tab": "t", "device": "x" * 65}, "context.source.device must be 1-64"),
        ({"tab": 7}, "context.source.tab must be 1-64"),
        ({"tab": "t", "ua": "fridge"}, "context.source.ua must be"),
    ],
)
def test_a_bad_tag_is_refused_with_what_is_wrong(source: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sources.split({"source": source})


def test_a_second_tab_on_an_earlier_step_keeps_the_furthest_of_the_first() -> None:
    rows: list[dict[str, Any]] = []
    paying = {"step": "payment", "steps": STEPS, "data": {"fare": 412}}
    first = _say(rows, {**paying, "source": _tag("t1")}, 1)
    second = _say(rows, {"step": "search", "steps": STEPS, "source": _tag("t2")}, 2)
    order = sources.order_of(rows)
    assert (first["peak_step"], first["peak"]["data"]) == ("payment", {"fare": 412})
    assert second["peak_step"] == "search"
    assert order["payment"] > order["search"]
    assert sources.wire(rows, first)["furthest"]["rank"] == 3


def test_going_back_keeps_the_furthest_context_and_records_the_history() -> None:
    rows: list[dict[str, Any]] = []
    tag = _tag("t1")
    _say(rows, {"step": "payment", "steps": STEPS, "data": {"credits": 150}, "source": tag}, 1)
    row = _say(rows, {"step": "search", "steps": STEPS, "data": {}, "source": tag}, 2)
    assert (row["step"], row["peak_step"], row["peak"]["data"]) == (
        "search",
        "payment",
        {"credits": 150},
    )
    assert row["history"] == [{"step": "payment", "at": 1}, {"step": "search", "at": 2}]
    wired = sources.wire(rows, {**row, "peak": None})  # as an update that did not move it
    assert wired["furthest"] == {"step": "payment", "rank": 3, "at": 1, "context": None}
    assert wired["step_rank"] == 0


def test_without_a_declared_order_steps_rank_in_the_order_first_seen() -> None:
    rows: list[dict[str, Any]] = []
    tag = _tag("t1")
    for at, step in enumerate(["search", "select", "payment", "search"], start=1):
        row = _say(rows, {"step": step, "source": tag}, at)
    assert (row["step"], row["peak_step"], row["peak_at"]) == ("search", "payment", 3)


def test_a_context_without_a_step_never_moves_the_furthest() -> None:
    rows: list[dict[str, Any]] = []
    _say(rows, {"step": "payment", "data": {"a": 1}}, 1)
    row = _say(rows, {"data": {"a": 2}}, 2)
    assert (row["peak_step"], row["peak"]["data"], row["step"]) == ("payment", {"a": 1}, None)


def test_history_and_first_sightings_are_capped() -> None:
    rows: list[dict[str, Any]] = []
    for at in range(sources.SEEN_MAX + 10):
        row = _say(rows, {"step": f"s{at}", "source": _tag("t1")}, at)
    assert len(row["history"]) == sources.HISTORY_MAX
    assert row["history"][-1]["step"] == f"s{sources.SEEN_MAX + 9}"
    assert len(row["seen"]) == sources.SEEN_MAX


def test_past_the_cap_the_stalest_source_goes_but_never_the_furthest() -> None:
    rows: list[dict[str, Any]] = []
    _say(rows, {"step": "payment", "steps": STEPS, "source": _tag("paying")}, 0)
    for at in range(1, sources.SOURCES_MAX + 1):
        _say(rows, {"step": "search", "steps": STEPS, "source": _tag(f"t{at}")}, at)
    newest = rows[-1]
    gone = sources.evict(rows, newest)
    assert gone is not None and gone["source"] == "d1/t1"
    rows.remove(gone)
    assert sources.evict(rows, newest) is None
    assert len(rows) == sources.SOURCES_MAX
