"""The supervisor's configuration API: who may use it, queues, specialists, rules, shifts."""

from __future__ import annotations

from typing import Any

import pytest

from support import World

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

PAYMENT = {"flow": "booking", "step": "payment", "data": {"credits": 150}}


@pytest.fixture
def boss(world: World) -> World:
    """The world with a supervisor, `sofia`."""
    world.add_specialist("sofia", "Sofia Lind", skills={"support": 5}, supervisor=True)
    return world


def _queue(world: World, name: str = "General") -> dict[str, Any]:
    queues = world.api("GET", "/admin/queues", "sofia").json()["queues"]
    found: dict[str, Any] = next(q for q in queues if q["name"] == name)
    return found


def _payments(world: World, **extra: Any) -> dict[str, Any]:
    response = world.api(
        "POST", "/admin/queues", "sofia", {"name": "Payments", "skill": "payments", **extra}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def refusal(response: Any) -> tuple[list[Any], str]:
    """A 422's first error: where (`loc` after "body") and the message."""
    assert response.status_code == 422, response.text
    [error, *_] = response.json()["detail"]
    return error["loc"][1:], error["msg"]


def refused_at(response: Any, where: list[Any], message: str) -> bool:
    """A 422 with an error at `where` (or inside it: one branch of a union) saying `message`."""
    assert response.status_code == 422, response.text
    return any(
        e["loc"][1 : len(where) + 1] == where and message in e["msg"]
        for e in response.json()["detail"]
    )


# -- Who may -------------------------------------------------------------------------------

ENDPOINTS = [
    ("GET", "/wallboard", None),
    ("GET", "/admin/queues", None),
    ("POST", "/admin/queues", {"name": "Payments", "skill": "payments"}),
    ("PATCH", "/admin/queues/q_x", {"priority": 1}),
    ("GET", "/admin/specialists", None),
    ("PATCH", "/admin/specialists/s_x", {"role": "Boss"}),
    ("GET", "/admin/rules", None),
    ("PUT", "/admin/rules", {"toml": RULES}),
    ("GET", "/admin/shifts", None),
    ("POST", "/admin/shifts", {"specialist_id": "s_x", "start": 0, "end": 1}),
    ("DELETE", "/admin/shifts/sh_x", None),
    ("PATCH", "/admin/shifts/sh_x", {"start": 0, "end": 1}),
    ("DELETE", "/admin/queues/q_x", None),
    ("POST", "/admin/queues/q_x/restore", None),
    (
        "POST",
        "/admin/specialists",
        {"email": "eve@example.com", "name": "Eve", "password": "long enough password"},
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_specialists_who_are_not_supervisors_get_403(
    boss: World, method: str, path: str, body: Any
) -> None:
    response = boss.api(method, path, "ana", body)
    assert response.status_code == 403
    assert response.json() == {"detail": "Supervisors only."}
    assert boss.client.request(method, f"/api/v1{path}", json=body).status_code == 401
    assert [q["name"] for q in boss.rows("queues")] == ["General"]
    assert boss.rows("routing_rules") == []
    assert len(boss.rows("specialists")) == 3


@pytest.mark.parametrize(("method", "path", "body"), [e for e in ENDPOINTS if e[0] != "GET"])
def test_writes_need_the_csrf_token_and_our_origin(
    boss: World, method: str, path: str, body: Any
) -> None:
    response = boss.api(method, path, "sofia", body, csrf=False)
    assert response.status_code == 403
    assert response.json() == {"detail": "Missing or wrong CSRF token."}
    desk = boss.desks["sofia"]
    response = boss.client.request(
        method,
        f"/api/v1{path}",
        json=body,
        headers={**desk.cookie, "X-CSRF-Token": desk.csrf, "Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert [q["name"] for q in boss.rows("queues")] == ["General"]
    assert len(boss.rows("specialists")) == 3
    assert boss.rows("routing_rules") == []
    assert len(boss.rows("specialists")) == 3


def test_a_supervisor_reads_the_configuration(boss: World) -> None:
    [general] = boss.api("GET", "/admin/queues", "sofia").json()["queues"]
    assert general == {
        "id": general["id"],
        "name": "General",
        "skill": "support",
        "priority": 0,
        "timezone": "UTC",
        "hours": None,
        "sticky_seconds": 60.0,
        "widen_after": [],
        "callback_threshold": 300.0,
        "fallback_queue_id": None,
        "service_target_seconds": 60.0,
        "archived_at": None,
    }
    people = boss.api("GET", "/admin/specialists", "sofia").json()["specialists"]
    assert [p["name"] for p in people] == ["Ana Ferreira", "Ben Okafor", "Sofia Lind"]
    assert people[0] == {
        "id": boss.specialists["ana"].id,
        "name": "Ana Ferreira",
        "email": "ana@example.com",
        "role": "Payments specialist",
        "skills": {"support": 3},
        "authority": {},
        "capacity": {"chat": 2},
        "is_supervisor": False,
        "deactivated_at": None,
    }
    assert boss.api("GET", "/admin/rules", "sofia").json() == {"toml": "", "updated_at": None}
    assert boss.api("GET", "/admin/shifts", "sofia").json() == {"shifts": []}


# -- Queues --------------------------------------------------------------------------------


def test_create_and_patch_a_queue(boss: World) -> None:
    hours = {"mon": [["08:00", "20:00"]], "sat": [["09:00", "13:00"]], "closed_on": ["2027-12-25"]}
    created = _payments(
        boss,
        priority=10,
        timezone="Europe/Lisbon",
        hours=hours,
        widen_after=[120, 300],
        callback_threshold=240,
        service_target_seconds=30,
    )
    general = _queue(boss)
    assert created == {
        "id": created["id"],
        "name": "Payments",
        "skill": "payments",
        "priority": 10,
        "timezone": "Europe/Lisbon",
        "hours": hours,
        "sticky_seconds": 60.0,
        "widen_after": [120.0, 300.0],
        "callback_threshold": 240.0,
        "fallback_queue_id": None,
        "service_target_seconds": 30.0,
        "archived_at": None,
    }
    assert _queue(boss, "Payments") == created
    policy = boss.rt.engine.queue_policy(created["id"])
    assert (policy.priority, policy.widen_after, policy.anyone_after) == (10, 120, 300)

    response = boss.api(
        "PATCH",
        f"/admin/queues/{created['id']}",
        "sofia",
        {"fallback_queue_id": general["id"], "widen_after": [60], "hours": None},
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched == {
        **created,
        "fallback_queue_id": general["id"],
        "widen_after": [60.0],
        "hours": None,
    }
    policy = boss.rt.engine.queue_policy(created["id"])
    assert (policy.widen_after, policy.anyone_after, policy.fallback) == (60, None, general["id"])
    # The desks' queue list follows.
    state = boss.client.get("/api/v1/desk/state", headers=boss.signin("ana").cookie).json()
    assert [q["name"] for q in state["queues"]] == ["General", "Payments"]


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ({"timezone": "Mars/Olympus"}, ["timezone"], "Unknown time zone 'Mars/Olympus'."),
        ({"timezone": "../etc/passwd"}, ["timezone"], "Unknown time zone '../etc/passwd'."),
        (
            {"hours": {"mon": [["08:00", "12:00"], ["11:00", "14:00"]]}},
            ["hours", "mon"],
            "ranges 08:00-12:00 and 11:00-14:00 overlap",
        ),
        ({"hours": {"wed": [["13:00", "1400"]]}}, ["hours", "wed"], "'1400' is not a time of day"),
        ({"hours": {"funday": [["08:00", "12:00"]]}}, ["hours", "funday"], "Extra inputs"),
        (
            {"hours": {"closed_on": ["2027-01-01", "2027-02-30"]}},
            ["hours", "closed_on", 1],
            "'2027-02-30': not a date (YYYY-MM-DD)",
        ),
        (
            {"hours": {"special": {"2027-12-24": [["08:00", "12:00"], ["11:00", "14:00"]]}}},
            ["hours", "special", "2027-12-24"],
            "overlap",
        ),
        ({"hours": {"mon": [["08:00", "09:00"]] * 13}}, ["hours", "mon"], "at most 12"),
        ({"hours": {"closed_on": ["2027-01-01"] * 401}}, ["hours", "closed_on"], "at most 400"),
        ({"widen_after": [300, 120]}, ["widen_after"], "widen_after is [T1, T2] with T1 <= T2."),
        ({"widen_after": [1, 2, 3]}, ["widen_after"], "at most 2"),
        ({"name": "   "}, ["name"], "at least 1 character"),
        ({"name": "x" * 201}, ["name"], "at most 200"),
        ({"skill": "Pay Ments"}, ["skill"], "should match pattern"),
        ({"priority": 1000}, ["priority"], "less than or equal to 100"),
        ({"colour": "red"}, ["colour"], "Extra inputs"),
    ],
)
def test_a_bad_queue_is_refused_naming_the_field(
    boss: World, body: dict[str, Any], where: list[Any], message: str
) -> None:
    response = boss.api(
        "POST", "/admin/queues", "sofia", {"name": "Payments", "skill": "payments", **body}
    )
    loc, msg = refusal(response)
    assert (loc, message in msg) == (where, True), msg
    general = _queue(boss)
    response = boss.api("PATCH", f"/admin/queues/{general['id']}", "sofia", body)
    loc, msg = refusal(response)
    assert (loc, message in msg) == (where, True), msg
    assert [q["name"] for q in boss.rows("queues")] == ["General"]
    assert _queue(boss) == general


def test_a_queue_cannot_fall_back_on_itself_or_share_a_name(boss: World) -> None:
    general = _queue(boss)
    response = boss.api(
        "PATCH", f"/admin/queues/{general['id']}", "sofia", {"fallback_queue_id": general["id"]}
    )
    assert refusal(response) == (["fallback_queue_id"], "A queue cannot be its own fallback.")
    response = boss.api("POST", "/admin/queues", "sofia", {"name": "General", "skill": "x"})
    assert refusal(response) == (["name"], "A queue named 'General' exists already.")
    payments = _payments(boss)
    response = boss.api("PATCH", f"/admin/queues/{payments['id']}", "sofia", {"name": "General"})
    assert refusal(response)[0] == ["name"]
    # Its own name again is no clash.
    response = boss.api("PATCH", f"/admin/queues/{general['id']}", "sofia", {"name": "General"})
    assert response.status_code == 200
    assert _queue(boss) == general


def test_unknown_queues_and_fallbacks_are_refused(boss: World) -> None:
    response = boss.api("PATCH", "/admin/queues/q_nope", "sofia", {"priority": 3})
    assert response.status_code == 404
    general = _queue(boss)
    response = boss.api(
        "PATCH", f"/admin/queues/{general['id']}", "sofia", {"fallback_queue_id": "q_nope"}
    )
    assert refusal(response) == (["fallback_queue_id"], "No such fallback queue.")
    assert _queue(boss) == general


def test_hours_are_checked_in_the_queues_own_time_zone(boss: World) -> None:
    """A patch of the time zone alone is checked against the hours already stored."""
    payments = _payments(boss, timezone="Europe/Lisbon", hours={"mon": [["09:00", "17:00"]]})
    response = boss.api(
        "PATCH", f"/admin/queues/{payments['id']}", "sofia", {"timezone": "Nowhere/Else"}
    )
    assert refusal(response)[0] == ["timezone"]
    response = boss.api(
        "PATCH", f"/admin/queues/{payments['id']}", "sofia", {"timezone": "America/New_York"}
    )
    assert response.json()["timezone"] == "America/New_York"
    assert boss.rt.queue_rows[payments["id"]].timezone == "America/New_York"


def test_the_engine_follows_a_queue_patch(boss: World) -> None:
    payments = _payments(boss, widen_after=[])
    boss.api("PATCH", f"/admin/queues/{payments['id']}", "sofia", {"priority": 7})
    assert boss.rt.engine.queue_policy(payments["id"]).priority == 7
    boss.api("PATCH", f"/admin/queues/{payments['id']}", "sofia", {"sticky_seconds": 5})
    assert boss.rt.engine.queue_policy(payments["id"]).sticky_seconds == 5
    assert boss.rt.engine.queue_policy(payments["id"]).priority == 7


# -- Specialists ---------------------------------------------------------------------------


def test_patch_a_specialist(boss: World) -> None:
    ana = boss.specialists["ana"].id
    response = boss.api(
        "PATCH",
        f"/admin/specialists/{ana}",
        "sofia",
        {
            "role": "Refunds lead",
            "skills": {"support": 4, "payments": 5},
            "authority": {"refund_limit": 500, "can_override_fare": True},
            "capacity": {"chat": 3, "voice": 1},
        },
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": ana,
        "name": "Ana Ferreira",
        "email": "ana@example.com",
        "role": "Refunds lead",
        "skills": {"support": 4, "payments": 5},
        "authority": {"refund_limit": 500, "can_override_fare": True},
        "capacity": {"chat": 3, "voice": 1},
        "is_supervisor": False,
        "deactivated_at": None,
    }
    state = boss.rt.engine.specialist(ana)
    assert state.skills == {"support": 4, "payments": 5}
    assert state.authority == {"refund_limit": 500, "can_override_fare": True}
    assert state.capacity == 3
    # A later patch of one channel keeps the others.
    response = boss.api("PATCH", f"/admin/specialists/{ana}", "sofia", {"capacity": {"video": 1}})
    assert response.json()["capacity"] == {"chat": 3, "voice": 1, "video": 1}
    [row] = [r for r in boss.rows("specialists") if r["id"] == ana]
    assert (row["role"], row["capacity"], row["capacities"]) == (
        "Refunds lead",
        3,
        {"voice": 1, "video": 1},
    )


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ({"skills": {"payments": 6}}, ["skills", "payments"], "Skill levels go from 1 to 5."),
        ({"skills": {"payments": 0}}, ["skills", "payments"], "Skill levels go from 1 to 5."),
        ({"skills": {"Pay ments": 3}}, ["skills", "Pay ments", "[key]"], "pattern"),
        ({"skills": {f"s{i}": 1 for i in range(31)}}, ["skills"], "at most 30"),
        ({"capacity": {"chat": 21}}, ["capacity", "chat"], "Capacity is 0-20 per channel."),
        ({"capacity": {"chat": -1}}, ["capacity", "chat"], "Capacity is 0-20 per channel."),
        ({"capacity": {"fax": 1}}, ["capacity", "fax"], "chat, voice, video"),
        ({"authority": {"refund limit": 1}}, ["authority", "refund limit", "[key]"], "pattern"),
        ({"authority": {"note": "x" * 201}}, ["authority", "note"], "at most 200"),
        ({"authority": {f"a{i}": 1 for i in range(31)}}, ["authority"], "at most 30"),
        ({"role": ""}, ["role"], "at least 1 character"),
        ({"password": "short"}, ["password"], "at least 10 characters"),
    ],
)
def test_a_bad_specialist_patch_is_refused_naming_the_field(
    boss: World, body: dict[str, Any], where: list[Any], message: str
) -> None:
    ana = boss.specialists["ana"].id
    response = boss.api("PATCH", f"/admin/specialists/{ana}", "sofia", body)
    assert refused_at(response, where, message), response.text
    assert boss.rt.engine.specialist(ana).skills == {"support": 3}
    assert boss.api("PATCH", "/admin/specialists/s_nope", "sofia", {"role": "x"}).status_code == (
        404
    )


def test_a_skill_change_changes_who_gets_the_offer(boss: World) -> None:
    """Ben has no payments skill: a payments request waits for Ana until Ben gets it."""
    _payments(boss)
    assert boss.api("PUT", "/admin/rules", "sofia", {"toml": RULES}).status_code == 200
    ana, ben = boss.specialists["ana"].id, boss.specialists["ben"].id
    boss.api("PATCH", f"/admin/specialists/{ana}", "sofia", {"skills": {"payments": 3}})
    boss.api("PATCH", f"/admin/specialists/{ana}", "sofia", {"authority": {"refund_limit": 500}})
    with boss.desk("ben") as desk:
        created = boss.ask("c1", context=PAYMENT)
        assert created["queue"]["name"] == "Payments"
        boss.settle()
        assert boss.rows("offers") == []
        response = boss.api(
            "PATCH",
            f"/admin/specialists/{ben}",
            "sofia",
            {"skills": {"support": 3, "payments": 4}, "authority": {"refund_limit": 200}},
        )
        assert response.status_code == 200
        desk.until("offer", **{"offer.request_id": created["request_id"]})


# -- Rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "line", "words"),
    [
        ('[[rule]]\nqueue = "General"\nwhen = "flow = 1"\n\n[default]\nqueue = "General"\n', 3, ""),
        ("[[rule]]\nqueue = \n", 2, ""),  # TOML syntax
        (
            '[default]\nqueue = "General"\n\n[[rule]]\nwhen = \'step == "x"\'\nqueue = "Nowhere"\n',
            6,
            "Nowhere",
        ),
        (
            '[default]\nqueue = "General"\n[[rule]]\nqueue = "General"\n'
            "skills = { payments = 7 }\n",
            5,
            "level must be 1 to 5",
        ),
        ('[[rule]]\nqueue = "General"\nprio = 1\n[default]\nqueue = "General"\n', 3, "prio"),
        ('[[rule]]\nqueue = "General"\n', None, "default"),
        (
            '[default]\nqueue = "General"\n\n[queue.General]\npriority = 3\n',
            4,
            "on the queue itself",
        ),
    ],
)
def test_invalid_rules_are_refused_with_the_line(
    boss: World, toml: str, line: int | None, words: str
) -> None:
    assert boss.api("PUT", "/admin/rules", "sofia", {"toml": RULES}).status_code == 422  # no queue
    response = boss.api("PUT", "/admin/rules", "sofia", {"toml": toml})
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors[0]["line"] == line, errors
    assert words in errors[0]["message"]
    assert all(set(e) == {"line", "message"} for e in errors)
    assert boss.rows("routing_rules") == []
    assert boss.rt.rules is None


def test_rules_naming_an_unknown_queue_say_which_line(boss: World) -> None:
    response = boss.api("PUT", "/admin/rules", "sofia", {"toml": RULES})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["line"] == 4
    assert "Payments" in error["message"]


def test_valid_rules_are_in_force_at_once(boss: World) -> None:
    """The issue's example: the payment step with 150 in credits goes to Payments, and only
    to a specialist with payments >= 3 and refund_limit >= 150."""
    payments = _payments(boss)
    response = boss.api("PUT", "/admin/rules", "sofia", {"toml": RULES})
    assert response.status_code == 200, response.text
    saved = boss.api("GET", "/admin/rules", "sofia").json()
    assert saved["toml"] == RULES
    assert isinstance(saved["updated_at"], int)
    [row] = boss.rows("routing_rules")
    assert row["updated_by"] == boss.specialists["sofia"].id

    boss.add_specialist("low", "Lou Low", skills={"payments": 2}, authority={"refund_limit": 1000})
    boss.add_specialist("poor", "Pat Poor", skills={"payments": 5}, authority={"refund_limit": 100})
    boss.add_specialist("able", "Abe Able", skills={"payments": 3}, authority={"refund_limit": 150})
    with boss.desk("low") as low, boss.desk("poor") as poor:
        created = boss.ask("c1", context=PAYMENT)
        assert created["queue"] == {"id": payments["id"], "name": "Payments"}
        [request] = boss.rows("requests")
        assert request["queue_id"] == payments["id"]
        assert request["requirements"] == {
            "skills": {"payments": 3},
            "authority": ["refund_limit >= 150"],
        }
        boss.settle()
        assert boss.rows("offers") == []
        with boss.desk("able") as able:
            able.until("offer", **{"offer.request_id": created["request_id"]})
        low.send({"type": "ping"})
        poor.send({"type": "ping"})
        low.until("pong")
        poor.until("pong")
        assert not [f for f in low.seen + poor.seen if f.get("type") == "offer"]
        # Another step goes to the default queue, which the rules name.
        other = boss.ask("c2", context={"flow": "booking", "step": "seats"})
        assert other["queue"]["name"] == "General"
    # A new ruleset replaces it at once.
    rules = RULES.replace('step == "payment"', 'step == "seats"')
    assert boss.api("PUT", "/admin/rules", "sofia", {"toml": rules}).status_code == 200
    assert boss.ask("c3", context=PAYMENT)["queue"]["name"] == "General"
    assert boss.ask("c4", context={"flow": "booking", "step": "seats"})["queue"]["name"] == (
        "Payments"
    )


# -- Shifts --------------------------------------------------------------------------------


def test_shifts_create_list_and_delete(boss: World) -> None:
    ana, ben = boss.specialists["ana"].id, boss.specialists["ben"].id
    weekly = {
        "specialist_id": ana,
        "timezone": "Europe/Lisbon",
        "weekly": {"mon": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]},
    }
    response = boss.api("POST", "/admin/shifts", "sofia", weekly)
    assert response.status_code == 201, response.text
    first = response.json()
    assert first == {**weekly, "id": first["id"], "start": None, "end": None}
    start = int(boss.clock.now() * 1000)
    dated = {"specialist_id": ben, "start": start, "end": start + 3_600_000}
    second = boss.api("POST", "/admin/shifts", "sofia", dated).json()
    assert second == {**dated, "id": second["id"], "timezone": "UTC", "weekly": None}
    assert boss.api("GET", "/admin/shifts", "sofia").json() == {"shifts": [first, second]}
    assert boss.api("GET", f"/admin/shifts?specialist_id={ben}", "sofia").json() == {
        "shifts": [second]
    }
    # The staffing plan follows: Ben is on shift now, Ana (Friday 09:00 Lisbon) later.
    now = boss.clock.now()
    assert boss.rt.staffing.specialists(now, "support") == [ben]
    assert boss.rt.staffing.on_shift(ana, now + 3600)

    assert boss.api("DELETE", f"/admin/shifts/{second['id']}", "sofia").status_code == 204
    assert boss.api("DELETE", f"/admin/shifts/{second['id']}", "sofia").status_code == 404
    assert boss.api("GET", "/admin/shifts", "sofia").json() == {"shifts": [first]}
    assert not boss.rt.staffing.on_shift(ben, now)


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ({"timezone": "Nowhere/Else", "start": 0, "end": 1}, ["timezone"], "Unknown time zone"),
        ({"start": 10, "end": 5}, ["end"], "A shift ends after it starts."),
        ({"start": 0, "end": 32 * 86_400_000}, ["end"], "at most 31 days"),
        ({"start": -1, "end": 5}, ["start"], "greater than or equal to 0"),
        ({"start": 10}, ["weekly"], "A shift is weekly hours, or a dated start and end."),
        ({}, ["weekly"], "A shift is weekly hours, or a dated start and end."),
        (
            {"weekly": {"mon": [["09:00", "17:00"]]}, "start": 0, "end": 1},
            ["weekly"],
            "A shift is weekly hours, or a dated start and end.",
        ),
        ({"weekly": {"mon": [["09:00", "25:00"]]}}, ["weekly", "mon"], "'25:00'"),
        ({"weekly": {"someday": [["09:00", "17:00"]]}}, ["weekly", "someday"], "Extra inputs"),
        ({"weekly": {"mon": []}}, ["weekly"], "at least one interval"),
        ({"weekly": {"mon": [["09:00"]]}}, ["weekly", "mon", 0], "at least 2 items"),
    ],
)
def test_bad_shifts_are_refused_naming_the_field(
    boss: World, body: dict[str, Any], where: list[Any], message: str
) -> None:
    body = {"specialist_id": boss.specialists["ana"].id, **body}
    loc, msg = refusal(boss.api("POST", "/admin/shifts", "sofia", body))
    assert (loc, message in msg) == (where, True), msg
    assert boss.rows("shifts") == []
    body = {"specialist_id": "s_nope", "weekly": {"mon": [["09:00", "17:00"]]}}
    response = boss.api("POST", "/admin/shifts", "sofia", body)
    assert response.status_code == 404
    assert response.json() == {"detail": "No such specialist."}
