"""Deactivating a specialist (someone leaves, or goes on long leave) and reactivating them:
refused for oneself and the last supervisor; signed out everywhere and refused at sign-in
like a wrong password; no longer routed to (a pending offer and connected chats go to
someone else, each customer told); their shifts leave the staffing plan; skipped by the
restore at start; back, routed again, when reactivated. (Migration 0005: test_migrate.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from support import PASSWORD, World
from tapline.actions import staff
from tapline.engine import UnknownSpecialist
from tapline.errors import Conflict

SIGNED_OUT = 4401


@pytest.fixture
def boss(world: World) -> World:
    """The world with a supervisor, `sofia`."""
    world.add_specialist("sofia", "Sofia Lind", skills={"support": 5}, supervisor=True)
    return world


def _deactivate(world: World, who: str, by: str = "sofia") -> Any:
    specialist_id = world.specialists[who].id
    return world.api("POST", f"/admin/specialists/{specialist_id}/deactivate", by)


def _reactivate(world: World, who: str, by: str = "sofia") -> Any:
    specialist_id = world.specialists[who].id
    return world.api("POST", f"/admin/specialists/{specialist_id}/reactivate", by)


def _signin(world: World, who: str, password: str = PASSWORD) -> Any:
    email = world.specialists[who].email
    response = world.client.post("/api/v1/desk/signin", json={"email": email, "password": password})
    world.client.cookies.clear()
    return response


# -- Who may, and the list -----------------------------------------------------------------


def test_nobody_deactivates_themselves_and_only_supervisors_may(boss: World) -> None:
    response = _deactivate(boss, "sofia")
    assert response.status_code == 409
    assert "can't deactivate yourself" in response.json()["detail"]
    assert _deactivate(boss, "ben", by="ana").status_code == 403
    response = boss.api("POST", "/admin/specialists/sp_nope/deactivate", "sofia")
    assert response.status_code == 404
    response = boss.api("POST", "/admin/specialists/sp_nope/reactivate", "sofia")
    assert response.status_code == 404
    ben = boss.specialists["ben"].id
    response = boss.api("POST", f"/admin/specialists/{ben}/deactivate", "sofia", csrf=False)
    assert response.status_code == 403
    assert all(row["deactivated_at"] is None for row in boss.rows("specialists"))


def test_the_last_active_supervisor_stays(boss: World) -> None:
    """Two supervisors deactivating each other at once: the lock orders them, and the second
    (whose author is gone by then) is refused. A deactivated supervisor counts for nothing
    when the last active one gives up the role either."""
    boss.add_specialist("zoe", "Zoe Park", skills={"support": 2}, supervisor=True)
    sofia, zoe = boss.specialists["sofia"].id, boss.specialists["zoe"].id
    assert _deactivate(boss, "zoe").status_code == 200

    with pytest.raises(Conflict, match="last supervisor"):
        boss.call(staff.deactivate_specialist, boss.rt, sofia, zoe)
    response = boss.api("PATCH", f"/admin/specialists/{sofia}", "sofia", {"is_supervisor": False})
    assert response.status_code == 409
    assert "last supervisor" in response.json()["detail"]
    # Zoe back: now Sofia may go, by Zoe's hand.
    assert _reactivate(boss, "zoe").status_code == 200
    assert _deactivate(boss, "sofia", by="zoe").status_code == 200


def test_the_list_shows_active_specialists_unless_asked_for_deactivated_ones(boss: World) -> None:
    response = _deactivate(boss, "ana")
    assert response.status_code == 200, response.text
    ana = response.json()
    assert ana["id"] == boss.specialists["ana"].id
    assert isinstance(ana["deactivated_at"], int)
    # Again: the same answer, nothing changes.
    again = _deactivate(boss, "ana").json()
    assert again["deactivated_at"] == ana["deactivated_at"]

    listed = boss.api("GET", "/admin/specialists", "sofia").json()["specialists"]
    assert [p["name"] for p in listed] == ["Ben Okafor", "Sofia Lind"]
    assert all(p["deactivated_at"] is None for p in listed)
    everyone = boss.api("GET", "/admin/specialists?deactivated=true", "sofia").json()
    assert [(p["name"], p["deactivated_at"]) for p in everyone["specialists"]] == [
        ("Ben Okafor", None),
        ("Sofia Lind", None),
        ("Ana Ferreira", ana["deactivated_at"]),
    ]
    # The row stays; it can't be changed while deactivated; its email is not free.
    assert len(boss.rows("specialists")) == 3
    response = boss.api("PATCH", f"/admin/specialists/{ana['id']}", "sofia", {"role": "Lead"})
    assert response.status_code == 409
    assert "reactivate" in response.json()["detail"]
    body = {"email": "ana@example.com", "name": "Ana F", "password": "a long enough password"}
    response = boss.api("POST", "/admin/specialists", "sofia", body)
    assert response.status_code == 422
    assert "deactivated: reactivate them instead" in response.json()["detail"][0]["msg"]

    back = _reactivate(boss, "ana").json()
    assert back["deactivated_at"] is None
    assert _reactivate(boss, "ana").json() == back


def test_supervisors_desks_hear_of_it(boss: World) -> None:
    ana = boss.specialists["ana"].id
    with boss.desk("sofia") as sofia:
        _deactivate(boss, "ana")
        sofia.until("config", what="specialist", id=ana, change="deactivated")
        _reactivate(boss, "ana")
        sofia.until("config", what="specialist", id=ana, change="reactivated")


# -- Signed out, and refused at sign-in -----------------------------------------------------


def test_they_are_signed_out_everywhere_and_refused_like_a_wrong_password(boss: World) -> None:
    first = boss.signin("ana")
    with boss.desk("ana") as desk:
        second = boss.signin("ana")  # another browser
        assert _deactivate(boss, "ana").status_code == 200
        desk.until("signed_out")
        with pytest.raises(WebSocketDisconnect) as closed:
            desk.next()
        assert closed.value.code == SIGNED_OUT
    ana = boss.specialists["ana"].id
    assert [r for r in boss.rows("desk_sessions") if r["specialist_id"] == ana] == []
    for desk_session in (first, second):
        response = boss.client.get("/api/v1/desk/state", headers=desk_session.cookie)
        assert response.status_code == 401
        assert boss.denied("/ws/specialist", desk_session.cookie).status_code == 403

    # The right password of a deactivated account: the same answer as a wrong one.
    refused = _signin(boss, "ana")
    wrong = _signin(boss, "ana", "not the password")
    unknown = boss.client.post(
        "/api/v1/desk/signin", json={"email": "nobody@example.com", "password": PASSWORD}
    )
    assert refused.status_code == wrong.status_code == unknown.status_code == 401
    assert refused.json() == wrong.json() == unknown.json()
    assert "tapline_desk" not in refused.cookies

    # Reactivated: the same password works again.
    assert _reactivate(boss, "ana").status_code == 200
    assert _signin(boss, "ana").status_code == 200


def test_a_session_made_while_they_were_deactivated_opens_nothing(boss: World) -> None:
    """A sign-in racing the deactivation (its password checked just before) gets a session
    that the desk's guard still refuses."""
    desk = boss.signin("ana")
    ana = boss.specialists["ana"].id
    boss.execute("UPDATE specialists SET deactivated_at = created_at WHERE id = :id", id=ana)
    assert boss.client.get("/api/v1/desk/state", headers=desk.cookie).status_code == 401
    assert boss.denied("/ws/specialist", desk.cookie).status_code == 403


# -- Routing --------------------------------------------------------------------------------


def test_a_connected_chat_goes_back_to_the_line_and_to_someone_else(boss: World) -> None:
    ana, ben = boss.specialists["ana"].id, boss.specialists["ben"].id
    with boss.desk("ana") as ana_desk:
        created, _ = boss.connect(ana_desk)
        request_id = created["request_id"]
        with boss.widget(created) as widget, boss.desk("ben") as ben_desk:
            assert _deactivate(boss, "ana").status_code == 200
            ana_desk.until("signed_out")
            joined = widget.until("message", **{"message.sender": "system"})
            assert "joined" in joined["message"]["body"]  # from before: the replay
            note = widget.until("message", **{"message.sender": "system"})
            assert "finding someone else" in note["message"]["body"]
            offer = ben_desk.until("offer", **{"offer.request_id": request_id})
            assert offer["offer"]["request_id"] == request_id
            ben_desk.send({"type": "accept", "id": "a1", "request_id": request_id})
            ben_desk.ack("a1")
            ben_desk.until("request.assigned", **{"request.id": request_id})
            [row] = boss.rows("requests")
            assert (row["state"], row["specialist_id"]) == ("connected", ben)
            state = boss.rt.engine.specialist(ana)
            assert str(state.presence) == "offline"
            assert (state.skills, state.capacity) == ({}, 0)
            # Their closed desk's drop, due now, takes nothing from anyone.
            boss.beat(1.0)
            assert boss.rt.engine.request(request_id).specialist_id == ben


def test_a_pending_offer_is_withdrawn_and_made_to_someone_else(boss: World) -> None:
    ana = boss.specialists["ana"].id
    with boss.desk("ana") as ana_desk:
        created = boss.ask()
        request_id = created["request_id"]
        ana_desk.until("offer", **{"offer.request_id": request_id})
        with boss.desk("ben") as ben_desk:
            assert boss.rt.engine.request(request_id).specialist_id == ana  # still Ana's
            assert _deactivate(boss, "ana").status_code == 200
            ben_desk.until("offer", **{"offer.request_id": request_id})
    offers = [(o["specialist_id"], o["outcome"]) for o in boss.rows("offers")]
    assert offers[0] == (ana, "specialist_left")
    assert offers[1][0] == boss.specialists["ben"].id


def test_their_shifts_stop_counting_in_the_staffing_plan_and_slots(boss: World) -> None:
    ana = boss.specialists["ana"].id
    now = boss.clock.now()
    start = int(now * 1000)
    body = {"specialist_id": ana, "start": start, "end": start + 8 * 3_600_000}
    assert boss.api("POST", "/admin/shifts", "sofia", body).status_code == 201
    [book] = boss.rt.slot_books.values()
    assert boss.rt.staffing.specialists(now + 3600, "support") == [ana]
    assert book.slots(now)
    slot = book.slots(now)[0].start

    assert _deactivate(boss, "ana").status_code == 200
    assert not boss.rt.staffing.on_shift(ana, now + 3600)
    assert boss.rt.staffing.specialists(now + 3600, "support") == []
    assert book.capacity(slot) == 0
    assert book.slots(now) == []
    # The shift is kept (for when they come back), and listed.
    assert len(boss.api("GET", f"/admin/shifts?specialist_id={ana}", "sofia").json()["shifts"]) == 1

    assert _reactivate(boss, "ana").status_code == 200
    assert boss.rt.staffing.specialists(now + 3600, "support") == [ana]
    assert book.capacity(slot) > 0


def test_the_wallboard_no_longer_counts_them(boss: World) -> None:
    def offline() -> int:
        [queue] = boss.api("GET", "/wallboard", "sofia").json()["queues"]
        count: int = queue["specialists"]["offline"]
        return count

    before = offline()
    _deactivate(boss, "ana")
    assert offline() == before - 1


def test_reactivated_they_are_routed_again_from_offline(boss: World) -> None:
    ana = boss.specialists["ana"].id
    assert _deactivate(boss, "ana").status_code == 200
    assert _reactivate(boss, "ana").status_code == 200
    state = boss.rt.engine.specialist(ana)
    assert str(state.presence) == "offline"  # until their desk connects
    assert (state.skills, state.capacity) == ({"support": 3}, 2)
    boss.desks.pop("ana", None)  # the old session is gone: sign in afresh
    with boss.desk("ana") as desk:
        assert str(boss.rt.engine.specialist(ana).presence) == "available"
        created = boss.ask()
        desk.until("offer", **{"offer.request_id": created["request_id"]})


def test_the_restore_at_start_skips_them_and_reactivating_registers_them(boss: World) -> None:
    ana = boss.specialists["ana"].id
    assert _deactivate(boss, "ana").status_code == 200
    boss.restart()
    with pytest.raises(UnknownSpecialist):
        boss.rt.engine.specialist(ana)
    assert not boss.rt.staffing.skills(ana)
    with boss.desk("ben") as desk:
        created = boss.ask()
        desk.until("offer", **{"offer.request_id": created["request_id"]})
    assert _reactivate(boss, "ana").status_code == 200
    state = boss.rt.engine.specialist(ana)
    assert (str(state.presence), state.skills) == ("offline", {"support": 3})
