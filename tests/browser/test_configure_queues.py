"""Configure > Queues in Chromium: a supervisor gives a queue dated special hours (added, edited
and removed, checked before saving, the server's refusal shown beside the date), and shows the
archived queues and restores one; the API then says the same."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Browser, Locator, Page, Route, expect
from websockets.sync.client import connect

from desk_pages import PASSWORD, SUPERVISOR, api, sign_in

if TYPE_CHECKING:
    from conftest import LiveServer

DASH = "\u2013"  # between the ends of an interval, as the desk writes it


def _queue(page: Page, name: str, archived: bool = False) -> dict[str, Any]:
    path = "/admin/queues?archived=true" if archived else "/admin/queues"
    [queue] = [q for q in api(page, path)["queues"] if q["name"] == name]
    return queue


def _payments_hours(browser: Browser, url: str) -> tuple[Page, list[str], Locator]:
    """A supervisor on the Payments queue's form, its business hours shown."""
    page, errors = sign_in(browser, url, "/desk/configure/queues")
    queues = page.get_by_role("region", name="Queues")
    queues.get_by_role("button", name=re.compile("^Payments")).click()
    queues.get_by_role("radio", name="Set business hours").check()
    return page, errors, queues


def _special(queues: Locator, date: str) -> Locator:
    return queues.get_by_role("group", name=f"Special hours on {date}")


def test_a_supervisor_sets_edits_and_removes_dated_special_hours(
    browser: Browser, live_server: LiveServer
) -> None:
    page, errors, queues = _payments_hours(browser, live_server.url)
    special = queues.get_by_role("group", name="Special hours", exact=True)
    expect(special).to_contain_text("None: every date follows its weekday.")

    # Christmas Eve (a Friday): the row starts from Friday's hours, and says what they are.
    add_date = queues.get_by_label("Add a date with special hours")
    add_date.fill("2027-12-24")
    queues.get_by_role("button", name="Add special date").click()
    eve = _special(queues, "2027-12-24")
    expect(eve).to_contain_text(f"Friday, usually 09:00{DASH}17:00")
    expect(eve.get_by_label("2027-12-24, interval 1, from")).to_be_focused()
    expect(eve.get_by_label("2027-12-24, interval 1, until")).to_have_value("17:00")
    eve.get_by_label("2027-12-24, interval 1, from").fill("08:00")
    eve.get_by_label("2027-12-24, interval 1, until").fill("13:00")

    # The same date again is refused beside the picker; Enter adds, from the keyboard.
    add_date.fill("2027-12-24")
    add_date.press("Enter")
    expect(special).to_contain_text("2027-12-24 already has special hours")
    expect(queues.get_by_role("group", name="Special hours on 2027-12-24")).to_have_count(1)
    add_date.fill("2027-12-31")
    add_date.press("Enter")
    eve_31 = _special(queues, "2027-12-31")
    expect(eve_31.get_by_label("2027-12-31, interval 1, from")).to_be_focused()
    eve_31.get_by_label("2027-12-31, interval 1, until").fill("12:00")
    eve_31.get_by_role("button", name="Add hours on 2027-12-31").click()
    expect(eve_31.get_by_label("2027-12-31, interval 2, from")).to_have_value("12:00")
    eve_31.get_by_label("2027-12-31, interval 2, from").fill("11:00")
    eve_31.get_by_label("2027-12-31, interval 2, until").fill("16:00")

    # Overlapping intervals are refused before anything is sent, beside their date.
    queues.get_by_role("button", name="Save queue").click()
    overlapping = f"09:00{DASH}12:00 and 11:00{DASH}16:00"
    expect(eve_31.locator(".field-error")).to_have_text(f"{overlapping} overlap.")
    expect(eve_31.get_by_label("2027-12-31, interval 2, from")).to_have_attribute(
        "aria-invalid", "true"
    )
    summary = queues.get_by_role("alert")
    expect(summary).to_contain_text(f"Special hours on 2027-12-31: {overlapping} overlap.")
    summary.get_by_role("button", name=re.compile("Special hours on 2027-12-31")).click()
    expect(eve_31.get_by_label("2027-12-31, interval 1, from")).to_be_focused()
    assert _queue(page, "Payments")["hours"] is None
    eve_31.get_by_label("2027-12-31, interval 2, from").fill("14:00")

    # A date both closed and special: the server opens it with the special hours; the row says so.
    queues.get_by_label("Add a date to closed dates").fill("2027-12-24")
    queues.get_by_role("button", name="Add date").click()
    expect(eve.locator(".field-note")).to_have_text(
        "2027-12-24 is also a closed date: the special hours win, so the queue opens "
        f"08:00{DASH}13:00 that day. To keep it closed, remove it here."
    )
    queues.get_by_role("button", name="Remove 2027-12-24", exact=True).click()
    expect(eve.locator(".field-note")).to_be_hidden()

    queues.get_by_role("button", name="Save queue").click()
    expect(queues.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    hours = _queue(page, "Payments")["hours"]
    assert hours["special"] == {
        "2027-12-24": [["08:00", "13:00"]],
        "2027-12-31": [["09:00", "12:00"], ["14:00", "16:00"]],
    }
    assert hours["closed_on"] == []
    assert hours["fri"] == [["09:00", "17:00"]]

    # Opened again from what the server holds: edit one date (a new day), remove the other.
    page.reload()
    queues.get_by_role("button", name=re.compile("^Payments")).click()
    eve = _special(queues, "2027-12-24")
    expect(eve.get_by_label("2027-12-24, interval 1, until")).to_have_value("13:00")
    eve.get_by_label("Special date").fill("2027-12-23")
    eve = _special(queues, "2027-12-23")
    expect(eve).to_contain_text(f"Thursday, usually 09:00{DASH}17:00")
    eve.get_by_label("2027-12-23, interval 1, until").fill("12:30")
    _special(queues, "2027-12-31").get_by_role(
        "button", name="Remove special hours on 2027-12-31"
    ).click()
    expect(_special(queues, "2027-12-31")).to_have_count(0)
    expect(queues.get_by_text("Unsaved changes")).to_be_visible()
    queues.get_by_role("button", name="Save queue").click()
    expect(queues.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    assert _queue(page, "Payments")["hours"]["special"] == {"2027-12-23": [["08:00", "12:30"]]}

    # The server's own refusal goes beside the date it names. The desk checks overlaps first,
    # so the request is changed on its way to make the server refuse one.
    def overlap(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        body["hours"]["special"]["2027-12-23"].append(["12:00", "14:00"])
        route.continue_(post_data=json.dumps(body))

    page.route(re.compile(r"/api/v1/admin/queues/[^/]+$"), overlap)
    eve.get_by_label("2027-12-23, interval 1, from").fill("09:00")
    queues.get_by_role("button", name="Save queue").click()
    expect(eve.locator(".field-error")).to_contain_text("overlap")
    expect(eve.get_by_label("Special date")).to_have_attribute("aria-invalid", "true")
    expect(queues.get_by_role("alert")).to_contain_text("Special hours on 2027-12-23:")
    expect(eve.get_by_label("2027-12-23, interval 1, from")).to_have_value("09:00")
    page.unroute(re.compile(r"/api/v1/admin/queues/[^/]+$"))
    assert _queue(page, "Payments")["hours"]["special"] == {"2027-12-23": [["08:00", "12:30"]]}
    assert errors == [], errors


# -- Archived queues --------------------------------------------------------------------------


def _http(url: str, method: str = "GET", body: object = None, **headers: str) -> tuple[Any, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json", **headers},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null"), response.headers


def _queue_with_history(url: str) -> None:
    """A "Returns" queue one request went through (then cancelled by its customer), so that
    removing it archives it; the rules then no longer name it, as before."""
    signed, headers = _http(
        f"{url}/api/v1/desk/signin",
        "POST",
        {"email": SUPERVISOR, "password": PASSWORD},
        Origin=url,
    )
    auth = {
        "Origin": url,
        "Cookie": headers.get("set-cookie", "").split(";")[0],
        "X-CSRF-Token": signed["csrf"],
    }
    _http(f"{url}/api/v1/admin/queues", "POST", {"name": "Returns", "skill": "returns"}, **auth)
    rules = _http(f"{url}/api/v1/admin/rules", **auth)[0]["toml"]
    returns = '[[rule]]\nname = "returns"\nwhen = \'flow == "returns"\'\nqueue = "Returns"\n\n'
    with_returns = rules.replace("[default]", returns + "[default]")
    _http(f"{url}/api/v1/admin/rules", "PUT", {"toml": with_returns}, **auth)

    app_key = _http(f"{url}/demo/api/session")[0]["app"]
    created, _ = _http(
        f"{url}/api/v1/requests?app={app_key}",
        "POST",
        {
            "id": "returns-1",
            "description": "Where do I send it back?",
            "user": {"id": "r1", "name": "Rita", "email": None, "token": None},
            "context": {"flow": "returns"},
        },
    )
    assert created["queue"]["name"] == "Returns", created
    with connect(
        url.replace("http", "ws", 1) + f"/ws/customer?app={app_key}",
        additional_headers={"Origin": url},
    ) as ws:
        hello = {"type": "hello", "request_id": created["request_id"], "last_seq": 0}
        ws.send(json.dumps({**hello, "token": created["customer_token"]}))
        ws.send(json.dumps({"type": "cancel", "id": "cancel-1"}))
        while True:
            frame = json.loads(ws.recv(timeout=30))
            if frame.get("type") == "ack" and frame.get("id") == "cancel-1":
                break
            assert frame.get("type") != "error", frame
    _http(f"{url}/api/v1/admin/rules", "PUT", {"toml": rules}, **auth)


def test_a_supervisor_shows_archived_queues_and_restores_one(
    browser: Browser, live_server: LiveServer
) -> None:
    _queue_with_history(live_server.url)
    page, errors = sign_in(browser, live_server.url, "/desk/configure/queues")
    queues = page.get_by_role("region", name="Queues")
    dialogs: list[str] = []

    def answer(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)

    # Removing a queue with history archives it: it leaves the list.
    queues.get_by_role("button", name=re.compile("^Returns")).click()
    queues.get_by_role("button", name="Remove queue").click()
    expect(page.locator("#toasts").get_by_role("status")).to_contain_text("archived")
    expect(queues.get_by_role("button", name=re.compile("^Returns"))).to_have_count(0)
    assert _queue(page, "Returns", archived=True)["archived_at"] is not None

    # Shown on request, with when it was archived and a Restore button.
    archived = queues.get_by_role("list", name="Archived queues")
    expect(archived).to_be_hidden()
    queues.get_by_label("Show archived queues").check()
    expect(archived.get_by_role("listitem")).to_have_count(1)
    expect(archived).to_contain_text(re.compile(r"Returns\s*returns · archived "))
    archived.get_by_role("button", name="Restore Returns").click()

    # Asked first, saying what restoring does; then said, and the lists follow.
    assert len(dialogs) == 2, dialogs
    assert dialogs[1].startswith("Restore the queue Returns?")
    assert "Requests reach it only when the routing rules" in dialogs[1]
    expect(queues.get_by_role("status").filter(has_text="Queue Returns restored")).to_be_visible()
    expect(archived).to_contain_text("No archived queues.")
    restored = queues.get_by_role("list", name="Queues", exact=True).get_by_role(
        "button", name=re.compile("^Returns")
    )
    expect(restored).to_be_focused()
    assert _queue(page, "Returns")["archived_at"] is None

    # Back in use: it can be edited again.
    restored.click()
    queues.get_by_label("Priority").fill("5")
    queues.get_by_role("button", name="Save queue").click()
    expect(queues.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    assert _queue(page, "Returns")["priority"] == 5
    assert errors == [], errors


def test_the_archived_list_follows_another_supervisors_removal(
    browser: Browser, live_server: LiveServer
) -> None:
    _queue_with_history(live_server.url)
    watching, watching_errors = sign_in(browser, live_server.url, "/desk/configure/queues")
    mine = watching.get_by_role("region", name="Queues")
    mine.get_by_label("Show archived queues").check()
    archived = mine.get_by_role("list", name="Archived queues")
    expect(archived).to_contain_text("No archived queues.")

    other, other_errors = sign_in(browser, live_server.url, "/desk/configure/queues")
    theirs = other.get_by_role("region", name="Queues")
    other.on("dialog", lambda dialog: dialog.accept())
    theirs.get_by_role("button", name=re.compile("^Returns")).click()
    theirs.get_by_role("button", name="Remove queue").click()
    expect(other.locator("#toasts").get_by_role("status")).to_contain_text("archived")

    # No reload, no click: the `config` signal brings it to the first supervisor's lists.
    expect(archived.get_by_role("button", name="Restore Returns")).to_be_visible()
    expect(mine.get_by_role("button", name=re.compile("^Returns"))).to_have_count(0)
    assert watching_errors == [] and other_errors == []


def test_a_day_with_more_intervals_than_the_server_takes_is_refused_beside_it(
    browser: Browser, live_server: LiveServer
) -> None:
    page, errors, queues = _payments_hours(browser, live_server.url)
    before = api(page, "/admin/queues")["queues"]
    for _ in range(13):  # Saturday had none: 13 intervals, one more than a day may have
        queues.get_by_role("button", name="Add hours on Saturday").click()
    queues.get_by_role("button", name="Save queue").click()
    expect(queues.get_by_text("Saturday: At most 12 intervals in one day.")).to_be_visible()
    assert api(page, "/admin/queues")["queues"] == before  # nothing was sent
    assert errors == [], errors
