"""Managing what the supervisors' API could not before: new specialists (routed at once),
removing queues (deleted, archived, or refused while in use), restoring them, editing
shifts, password resets, the last supervisor, and the `config` signal."""

from __future__ import annotations

from typing import Any

import pytest

from support import PASSWORD, Desk, World
from tapline.actions import provision
from tapline.engine import UnknownSpecialist
from tapline.store.models import Specialist
from tapline.web.desk_auth import COOKIE

PAYMENT = {"flow": "booking", "step": "payment", "data": {"credits": 150}}
RULES = """\
[[rule]]
name = "booking payment"
when = 'flow == "booking" and step == "payment"'
queue = "Payments"
skills = { payments = 3 }
authority = ["refund_limit >= context.data.credits"]

[default]
queue = "General"
"""
SECRET = "a long enough password"
NEW: dict[str, Any] = {
    "email": "Cora@Example.com",
    "name": "Cora Costa",
    "role": "Refunds specialist",
    "password": SECRET,
    "skills": {"payments": 4},
    "authority": {"refund_limit": 500, "can_override_fare": True},
    "capacity": {"chat": 2, "voice": 1},
}


@pytest.fixture
def boss(world: World) -> World:
    """The world with a supervisor, `sofia`."""
    world.add_specialist("sofia", "Sofia Lind", skills={"support": 5}, supervisor=True)
    return world


def _loc(response: Any) -> list[Any]:
    assert response.status_code == 422, response.text
    loc: list[Any] = response.json()["detail"][0]["loc"][1:]
    return loc


def _queue(world: World, name: str, **extra: Any) -> dict[str, Any]:
    body = {"name": name, "skill": name.lower(), **extra}
    response = world.api("POST", "/admin/queues", "sofia", body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _sign_in_as(world: World, key: str, email: str, password: str) -> Desk:
    response = world.client.post("/api/v1/desk/signin", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    token = response.cookies[COOKIE]
    world.client.cookies.clear()
    me = response.json()["specialist"]
    row = Specialist(id=me["id"], email=me["email"], name=me["name"])
    world.specialists[key] = row
    desk = Desk(key, row, token, response.json()["csrf"])
    world.desks[key] = desk
    return desk


# -- A new specialist ------------------------------------------------------------------------


def test_a_new_specialist_signs_in_and_is_routed_by_skills_authority_and_capacity(
    boss: World,
) -> None:
    _queue(boss, "Payments")
    assert boss.api("PUT", "/admin/rules", "sofia", {"toml": RULES}).status_code == 200
    response = boss.api("POST", "/admin/specialists", "sofia", NEW)
    assert response.status_code == 201, response.text
    cora = response.json()
    assert cora == {
        "id": cora["id"],
        "name": "Cora Costa",
        "email": "cora@example.com",
        "role": "Refunds specialist",
        "skills": {"payments": 4},
        "authority": {"refund_limit": 500, "can_override_fare": True},
        "capacity": {"chat": 2, "voice": 1},
        "is_supervisor": False,
        "deactivated_at": None,
    }
    [row] = [r for r in boss.rows("specialists") if r["id"] == cora["id"]]
    assert row["password_hash"].startswith("$argon2id$")
    assert SECRET not in boss.database_text()
    # Known to the engine at once, offline until the desk connects, with everything.
    state = boss.rt.engine.specialist(cora["id"])
    assert (state.skills, state.authority) == (NEW["skills"], NEW["authority"])
    assert state.capacity == 2
    assert str(state.presence) == "offline"
    # Signs in with the password, and gets the payment request nobody else may take.
    _sign_in_as(boss, "cora", "cora@example.com", SECRET)
    with boss.desk("ben"), boss.desk("cora") as desk:
        created = boss.ask("c1", context=PAYMENT)
        assert created["queue"]["name"] == "Payments"
        offer = desk.until("offer", **{"offer.request_id": created["request_id"]})
        assert offer["offer"]["queue"]["name"] == "Payments"


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ({"email": "ANA@example.com"}, ["email"], "already exists"),
        ({"email": "not an email"}, ["email"], "An email address"),
        ({"password": "short"}, ["password"], "at least 10 characters"),
        ({"name": " "}, ["name"], "at least 1 character"),
        ({"skills": {"payments": 9}}, ["skills", "payments"], "1 to 5"),
        ({"capacity": {"chat": 99}}, ["capacity", "chat"], "0-20"),
        ({"is_admin": True}, ["is_admin"], "Extra inputs"),
    ],
)
def test_a_bad_new_specialist_is_refused_naming_the_field(
    boss: World, body: dict[str, Any], where: list[Any], message: str
) -> None:
    response = boss.api("POST", "/admin/specialists", "sofia", {**NEW, **body})
    assert _loc(response) == where
    assert message in response.json()["detail"][0]["msg"]
    assert len(boss.rows("specialists")) == 3
    for missing in ("email", "name", "password"):
        body = {k: v for k, v in NEW.items() if k != missing}
        assert _loc(boss.api("POST", "/admin/specialists", "sofia", body)) == [missing]


def test_a_specialist_added_elsewhere_gets_authority_and_capacities_on_connecting(
    boss: World,
) -> None:
    """`tapline specialist add` writes the row from another process: the engine learns of
    them when their desk connects, with all of it, not only skills and chats."""

    async def add_as_the_cli_does() -> str:
        async with boss.rt.sessions() as session, session.begin():
            row = await provision.add_specialist(
                session, email="dan@example.com", name="Dan Dias", password=PASSWORD
            )
            row.authority = {"refund_limit": 300}
            row.capacities = {"voice": 1}
            return row.id

    dan = boss.call(add_as_the_cli_does)
    with pytest.raises(UnknownSpecialist):
        boss.rt.engine.specialist(dan)
    _sign_in_as(boss, "dan", "dan@example.com", PASSWORD)
    with boss.desk("dan"):
        state = boss.rt.engine.specialist(dan)
        assert (state.skills, state.authority) == ({"support": 3}, {"refund_limit": 300})
        assert str(state.presence) == "available"


def test_a_password_reset_signs_their_desks_out(boss: World) -> None:
    ana = boss.specialists["ana"]
    old = boss.signin("ana")
    response = boss.api(
        "PATCH", f"/admin/specialists/{ana.id}", "sofia", {"password": "a brand new password"}
    )
    assert response.status_code == 200, response.text
    assert "password" not in response.json()
    assert boss.client.get("/api/v1/desk/state", headers=old.cookie).status_code == 401
    response = boss.client.post(
        "/api/v1/desk/signin", json={"email": ana.email, "password": PASSWORD}
    )
    assert response.status_code == 401
    _sign_in_as(boss, "ana", ana.email, "a brand new password")


def test_a_supervisor_changes_their_own_password_only_under_their_account(boss: World) -> None:
    """Here it would need no current password and keep their other desks signed in."""
    sofia = boss.specialists["sofia"]
    response = boss.api(
        "PATCH", f"/admin/specialists/{sofia.id}", "sofia", {"password": "a brand new password"}
    )
    assert _loc(response) == ["password"]
    assert "current" in response.json()["detail"][0]["msg"]
    response = boss.client.post(
        "/api/v1/desk/signin", json={"email": sofia.email, "password": PASSWORD}
    )
    assert response.status_code == 200  # unchanged


def test_the_last_supervisor_stays_one(boss: World) -> None:
    sofia = boss.specialists["sofia"].id
    response = boss.api("PATCH", f"/admin/specialists/{sofia}", "sofia", {"is_supervisor": False})
    assert response.status_code == 409
    assert "last supervisor" in response.json()["detail"]
    ana = boss.specialists["ana"].id
    boss.api("PATCH", f"/admin/specialists/{ana}", "sofia", {"is_supervisor": True})
    response = boss.api("PATCH", f"/admin/specialists/{sofia}", "sofia", {"is_supervisor": False})
    assert response.status_code == 200
    assert boss.api("GET", "/admin/queues", "sofia").status_code == 403


# -- Removing a queue -----------------------------------------------------------------------


def test_a_queue_never_used_is_deleted(boss: World) -> None:
    payments = _queue(boss, "Payments")
    response = boss.api("DELETE", f"/admin/queues/{payments['id']}", "sofia")
    assert response.json() == {"id": payments["id"], "outcome": "deleted"}
    assert [q["name"] for q in boss.rows("queues")] == ["General"]
    assert payments["id"] not in boss.rt.queue_names
    state = boss.client.get("/api/v1/desk/state", headers=boss.signin("ana").cookie).json()
    assert [q["name"] for q in state["queues"]] == ["General"]
    assert boss.api("DELETE", f"/admin/queues/{payments['id']}", "sofia").status_code == 404
    # Its name is free again.
    _queue(boss, "Payments")


def test_a_queue_with_requests_waiting_is_refused_then_archived_once_they_end(
    boss: World,
) -> None:
    """Refused (409) while anyone waits or is helped there: nobody loses their place. Once
    they are done it is archived, kept for their history, out of every list."""
    general = next(q for q in boss.rows("queues"))
    _queue(boss, "Payments")
    created = boss.ask("c1", context={"flow": "x"})  # no rules: the first queue, General
    assert created["queue"]["name"] == "General"
    assert boss.api("DELETE", f"/admin/queues/{general['id']}", "sofia").status_code == 409
    response = boss.api("DELETE", f"/admin/queues/{general['id']}", "sofia")
    assert "1 request in 'General' is not finished" in response.json()["detail"]
    assert boss.rt.engine.request(created["request_id"]).queue_id == general["id"]

    with boss.widget(created) as widget:
        widget.send({"type": "cancel", "id": "x1"})
        widget.ack("x1")
    response = boss.api("DELETE", f"/admin/queues/{general['id']}", "sofia")
    assert response.json() == {"id": general["id"], "outcome": "archived"}
    [row] = [r for r in boss.rows("queues") if r["id"] == general["id"]]
    assert row["archived_at"] is not None
    listed = boss.api("GET", "/admin/queues", "sofia").json()["queues"]
    assert [q["name"] for q in listed] == ["Payments"]
    everything = boss.api("GET", "/admin/queues?archived=true", "sofia").json()["queues"]
    assert [(q["name"], q["archived_at"] is None) for q in everything] == [
        ("Payments", True),
        ("General", False),
    ]
    # New requests go to a queue in use; the wallboard and rules no longer see it.
    assert boss.ask("c2", context={"flow": "x"})["queue"]["name"] == "Payments"
    board = boss.api("GET", "/wallboard", "sofia").json()
    assert [q["name"] for q in board["queues"]] == ["Payments"]
    response = boss.api("PUT", "/admin/rules", "sofia", {"toml": RULES})
    assert response.status_code == 422
    assert "General" in response.json()["errors"][0]["message"]
    # An archived queue keeps its name, can't be changed, and can be restored.
    response = boss.api("POST", "/admin/queues", "sofia", {"name": "General", "skill": "x"})
    assert "archived" in response.json()["detail"][0]["msg"]
    response = boss.api("PATCH", f"/admin/queues/{general['id']}", "sofia", {"priority": 2})
    assert response.status_code == 409
    response = boss.api("POST", f"/admin/queues/{general['id']}/restore", "sofia")
    assert response.status_code == 200
    assert response.json()["archived_at"] is None
    assert general["id"] in boss.rt.queue_names
    assert boss.api("PUT", "/admin/rules", "sofia", {"toml": RULES}).status_code == 200


def test_a_queue_the_rules_or_a_fallback_name_stays(boss: World) -> None:
    general = next(q for q in boss.rows("queues"))
    payments = _queue(boss, "Payments", fallback_queue_id=general["id"])
    response = boss.api("DELETE", f"/admin/queues/{general['id']}", "sofia")
    assert response.status_code == 409
    assert "Payments fall(s) back on 'General'" in response.json()["detail"]
    assert boss.api("PUT", "/admin/rules", "sofia", {"toml": RULES}).status_code == 200
    response = boss.api("DELETE", f"/admin/queues/{payments['id']}", "sofia")
    assert response.status_code == 409
    assert "routing rules" in response.json()["detail"]
    rules = 'tier_claim = "tier"\n[default]\nqueue = "General"\n'
    assert boss.api("PUT", "/admin/rules", "sofia", {"toml": rules}).status_code == 200
    response = boss.api("DELETE", f"/admin/queues/{payments['id']}", "sofia")
    assert response.json()["outcome"] == "deleted"


def test_the_last_queue_stays(boss: World) -> None:
    """With no rules, requests go to the first queue: there must be one."""
    general = next(q for q in boss.rows("queues"))
    response = boss.api("DELETE", f"/admin/queues/{general['id']}", "sofia")
    assert response.status_code == 409
    assert "last queue" in response.json()["detail"]


# -- Shifts ---------------------------------------------------------------------------------


def test_a_shift_is_edited_and_the_staffing_plan_follows(boss: World) -> None:
    ana = boss.specialists["ana"].id
    now = boss.clock.now()
    start = int(now * 1000)
    body = {"specialist_id": ana, "start": start, "end": start + 3_600_000}
    shift = boss.api("POST", "/admin/shifts", "sofia", body).json()
    assert boss.rt.staffing.on_shift(ana, now)
    # Later the same day: not on now any more.
    later = {"start": start + 7_200_000, "end": start + 10_800_000}
    response = boss.api("PATCH", f"/admin/shifts/{shift['id']}", "sofia", later)
    assert response.status_code == 200, response.text
    assert response.json() == {**shift, **later}
    assert not boss.rt.staffing.on_shift(ana, now)
    assert boss.rt.staffing.on_shift(ana, now + 9000)
    # Only the end: the start is kept, and checked against it.
    response = boss.api("PATCH", f"/admin/shifts/{shift['id']}", "sofia", {"end": start})
    assert _loc(response) == ["end"]
    # Made weekly, in a time zone: the dated times go.
    weekly = {"timezone": "Europe/Lisbon", "weekly": {"sat": [["10:00", "14:00"]]}}
    response = boss.api("PATCH", f"/admin/shifts/{shift['id']}", "sofia", weekly)
    assert response.json() == {**shift, **weekly, "start": None, "end": None}
    response = boss.api("PATCH", f"/admin/shifts/{shift['id']}", "sofia", {"timezone": "X/Y"})
    assert _loc(response) == ["timezone"]
    response = boss.api(
        "PATCH", f"/admin/shifts/{shift['id']}", "sofia", {"weekly": {"sat": [["10:00", "9"]]}}
    )
    assert _loc(response) == ["weekly", "sat"]
    assert boss.api("GET", "/admin/shifts", "sofia").json()["shifts"] == [
        {**shift, **weekly, "start": None, "end": None}
    ]
    assert boss.api("PATCH", "/admin/shifts/sh_nope", "sofia", later).status_code == 404


def test_a_specialist_has_at_most_50_shifts(boss: World) -> None:
    ana = boss.specialists["ana"].id
    body = {"specialist_id": ana, "weekly": {"mon": [["09:00", "10:00"]]}}
    for _ in range(50):
        assert boss.api("POST", "/admin/shifts", "sofia", body).status_code == 201
    response = boss.api("POST", "/admin/shifts", "sofia", body)
    assert response.status_code == 409
    assert "At most 50 shifts" in response.json()["detail"]


# -- Supervisors hear of it -----------------------------------------------------------------


def test_supervisors_desks_hear_of_each_change(boss: World) -> None:
    with boss.desk("sofia") as sofia, boss.desk("ana") as ana:
        payments = _queue(boss, "Payments")
        sofia.until("config", what="queue", id=payments["id"], change="created")
        boss.api("PATCH", f"/admin/queues/{payments['id']}", "sofia", {"priority": 3})
        sofia.until("config", what="queue", change="updated")
        boss.api("PUT", "/admin/rules", "sofia", {"toml": RULES})
        sofia.until("config", what="rules", change="updated")
        cora = boss.api("POST", "/admin/specialists", "sofia", NEW).json()
        sofia.until("config", what="specialist", id=cora["id"], change="created")
        body = {"specialist_id": cora["id"], "weekly": {"mon": [["09:00", "17:00"]]}}
        shift = boss.api("POST", "/admin/shifts", "sofia", body).json()
        sofia.until("config", what="shift", id=shift["id"], change="created")
        ana.send({"type": "ping"})
        ana.until("pong")
        assert not [f for f in ana.seen if f.get("type") == "config"]
