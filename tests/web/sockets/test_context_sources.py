"""Context per tab and device, and the customer's presence, as the desk sees them."""

from __future__ import annotations

from typing import Any

from support import ORIGIN, Socket, World

STEPS = ["search", "select", "passenger", "payment", "confirmed"]
PAYING = {
    "flow": "booking",
    "step": "payment",
    "steps": STEPS,
    "data": {"fare": 412, "credits_applied": True, "total_due": 12.7},
    "source": {"tab": "tab-1", "device": "dev-1", "ua": "desktop"},
}


def _search(tab: str, device: str = "dev-1", ua: str = "desktop") -> dict[str, Any]:
    source = {"tab": tab, "device": device, "ua": ua}
    return {"flow": "booking", "step": "search", "steps": STEPS, "data": {}, "source": source}


def _state(world: World, request_id: str) -> dict[str, Any]:
    state = world.api("GET", "/desk/state", "ana").json()
    [request] = [r for r in state["requests"] if r["id"] == request_id]
    return dict(request)


def test_a_second_tab_on_search_keeps_the_payment_step_and_its_data(world: World) -> None:
    with world.desk("ana") as desk:
        created, assigned = world.connect(desk, context=PAYING)
        rid = created["request_id"]
        [first] = assigned["sources"]
        assert (first["id"], first["step"], first["furthest"]["step"]) == (
            "dev-1/tab-1",
            "payment",
            "payment",
        )
        assert "source" not in assigned["context"]  # the tag is not the app's context
        with world.widget(created) as widget:
            widget.send({"type": "context", "id": "c2", "context": _search("tab-2")})
            widget.ack("c2")
            updated = desk.until("context.updated", request_id=rid)
        request = _state(world, rid)  # while it is hers
    source = updated["source"]
    assert (source["id"], source["tab"], source["step"]) == ("dev-1/tab-2", "tab-2", "search")
    assert (source["step_rank"], source["furthest"]["rank"]) == (0, 0)
    by_id = {s["id"]: s for s in request["sources"]}
    assert set(by_id) == {"dev-1/tab-1", "dev-1/tab-2"}
    kept = by_id["dev-1/tab-1"]["furthest"]
    assert (kept["step"], kept["rank"]) == ("payment", 3)
    assert kept["context"]["data"] == PAYING["data"]


def test_a_reload_back_on_search_keeps_the_furthest_context(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk, context=PAYING)
        rid = created["request_id"]
        with world.widget(created) as widget:
            widget.send({"type": "context", "id": "c2", "context": _search("tab-1")})
            widget.ack("c2")
            updated = desk.until("context.updated", request_id=rid)
        [source] = _state(world, rid)["sources"]
    furthest = updated["source"]["furthest"]
    assert (furthest["step"], furthest["context"]) == ("payment", None)  # keep yours
    assert [h["step"] for h in updated["source"]["history"]] == ["payment", "search"]
    assert source["step"] == "search"
    assert source["furthest"]["context"]["data"]["total_due"] == 12.7


def test_a_context_without_tab_ids_is_one_anonymous_source(world: World) -> None:
    with world.desk("ana") as desk:
        created, assigned = world.connect(desk, context={"step": "search"})
        rid = created["request_id"]
        with world.widget(created) as widget:
            for n, step in enumerate(["payment", "search"]):
                widget.send({"type": "context", "id": f"c{n}", "context": {"step": step}})
                widget.ack(f"c{n}")
                updated = desk.until("context.updated", request_id=rid, **{"source.step": step})
    assert [s["id"] for s in assigned["sources"]] == [""]
    assert updated["context"]["step"] == "search"  # as before: the latest context
    assert (updated["source"]["id"], updated["source"]["ua"]) == ("", "unknown")
    [row] = world.rows("context_sources")
    assert (row["source"], row["step"], row["peak_step"]) == ("", "search", "payment")


def test_a_bad_tag_gets_an_error_and_the_socket_stays_open(world: World) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        bad = {**_search("tab-1"), "source": {"tab": "../etc", "device": "d"}}
        widget.send({"type": "context", "id": "bad", "context": bad})
        error = widget.error("bad_frame")
        assert error["ref"] == "bad" and "source.tab" in error["message"]
        widget.send({"type": "context", "id": "good", "context": _search("tab-1")})
        widget.ack("good")


def test_sources_are_capped_per_request(world: World) -> None:
    created = world.ask(context=PAYING)
    with world.widget(created) as widget:
        for n in range(10):
            widget.send({"type": "context", "id": f"c{n}", "context": _search(f"t{n}")})
            widget.ack(f"c{n}")
    kept = {row["source"] for row in world.rows("context_sources")}
    assert len(kept) == 8
    assert "dev-1/tab-1" in kept  # the furthest is never the one forgotten
    assert {"dev-1/t8", "dev-1/t9"} <= kept


def _presence(desk: Socket, rid: str, state: str) -> dict[str, Any]:
    frame = desk.until("customer.presence", request_id=rid, **{"presence.state": state})
    return dict(frame["presence"])


def test_the_desk_hears_here_away_and_gone(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        rid = created["request_id"]
        with world.widget(created) as widget:
            _presence(desk, rid, "here")
            widget.send({"type": "visibility", "visible": False})
            _presence(desk, rid, "away")
            widget.send({"type": "visibility", "visible": "no"})
            assert widget.error("bad_frame")["ref"] is None
            widget.send({"type": "visibility", "visible": True})
            _presence(desk, rid, "here")
        gone = _presence(desk, rid, "gone")
        assert _state(world, rid)["presence"] == gone
    assert isinstance(gone["since"], int)


def test_a_hidden_page_says_away_from_its_hello_and_another_shown_tab_is_here(
    world: World,
) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        rid = created["request_id"]
        with world.socket(f"/ws/customer?app={world.key}", {"Origin": ORIGIN}) as hidden:
            hello = {"type": "hello", "request_id": rid, "token": created["customer_token"]}
            hidden.send({**hello, "last_seq": 0, "visible": False})
            hidden.until("welcome")
            _presence(desk, rid, "away")
            with world.widget(created):
                _presence(desk, rid, "here")
            _presence(desk, rid, "away")
