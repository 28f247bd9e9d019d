"""Configure in Chromium: a supervisor adds a specialist (and sees the server's refusal
beside its field), gives them a shift, edits it, and sets a queue's business hours and
closed dates; the API then says the same."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Browser, Locator, Page, expect

from desk_pages import api, sign_in

if TYPE_CHECKING:
    from conftest import LiveServer


def _tab(page: Page, name: str) -> Locator:
    page.get_by_role("navigation", name="Configure sections").get_by_role("link", name=name).click()
    return page.get_by_role("region", name=name)


def _new_specialist(panel: Locator, email: str) -> None:
    panel.get_by_role("button", name="New specialist").click()
    panel.get_by_label("Name", exact=True).fill("Cora Costa")
    panel.get_by_label("Role").fill("Refunds specialist")
    panel.get_by_label("Email").fill(email)
    panel.get_by_label("Password").fill("a long enough password")
    panel.get_by_role("button", name="Add skill").click()
    panel.get_by_label("Skill", exact=True).fill("payments")
    panel.get_by_role("combobox", name="Level").select_option("4")
    panel.get_by_role("button", name="Add attribute").click()
    panel.get_by_role("textbox", name="Attribute").fill("refund_limit")
    panel.get_by_role("spinbutton", name="Value").fill("500")
    panel.get_by_label("Voice").fill("1")
    panel.get_by_role("button", name="Save specialist").click()


def test_a_supervisor_adds_a_specialist_and_a_shift_and_sets_a_queues_hours(
    browser: Browser, live_server: LiveServer
) -> None:
    url = live_server.url
    page, errors = sign_in(browser, url, "/desk/configure/specialists")
    panel = page.get_by_role("region", name="Specialists")
    expect(panel.get_by_role("button", name=re.compile("Ana Ferreira"))).to_be_visible()

    # An email already in use: the server's 422 is shown beside the Email field.
    _new_specialist(panel, "ana@skyway.example")
    email = panel.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    beside = panel.locator(".field.has-error", has=page.get_by_label("Email"))
    expect(beside.locator(".field-error")).to_contain_text("already exists")
    expect(panel.get_by_role("alert")).to_contain_text("already exists")
    # Nothing typed is lost: fix the email and save again.
    email.fill("cora@skyway.example")
    panel.get_by_role("button", name="Save specialist").click()
    expect(panel.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    expect(panel.get_by_role("button", name=re.compile("Cora Costa"))).to_be_visible()
    [cora] = [
        s for s in api(page, "/admin/specialists")["specialists"] if s["name"] == "Cora Costa"
    ]
    assert cora["email"] == "cora@skyway.example"
    assert cora["skills"] == {"payments": 4}
    assert cora["authority"] == {"refund_limit": 500}
    assert cora["capacity"] == {"chat": 3, "voice": 1, "video": 0}

    # A weekly shift on Mondays, 09:00-17:00 in Lisbon; then edited to end at 13:00.
    shifts = _tab(page, "Shifts")
    shifts.get_by_label("Specialist").select_option(label="Cora Costa")
    expect(shifts.get_by_role("heading", name="Shifts of Cora Costa")).to_be_visible()
    shifts.get_by_label("Time zone").fill("Europe/Lisbon")
    shifts.get_by_role("button", name="Add hours on Monday").click()
    shifts.get_by_role("button", name="Add shift").click()
    expect(shifts.get_by_role("status").filter(has_text="Shift added.")).to_be_visible()
    [shift] = api(page, f"/admin/shifts?specialist_id={cora['id']}")["shifts"]
    assert (shift["timezone"], shift["weekly"]["mon"]) == ("Europe/Lisbon", [["09:00", "17:00"]])
    shifts.get_by_role("button", name=re.compile("Edit the weekly shift Mon 09:00")).click()
    expect(shifts.get_by_role("heading", name="Edit shift")).to_be_visible()
    shifts.get_by_label("Monday, interval 1, until").fill("13:00")
    shifts.get_by_role("button", name="Save shift").click()
    expect(shifts.get_by_role("status").filter(has_text="Shift saved.")).to_be_visible()
    [edited] = api(page, f"/admin/shifts?specialist_id={cora['id']}")["shifts"]
    assert (edited["id"], edited["weekly"]["mon"]) == (shift["id"], [["09:00", "13:00"]])

    # The Payments queue: business hours (Mon-Fri 09:00-17:00 by default), a closed date.
    queues = _tab(page, "Queues")
    queues.get_by_role("button", name=re.compile("^Payments")).click()
    queues.get_by_role("radio", name="Set business hours").check()
    queues.get_by_role("button", name="Add hours on Saturday").click()
    queues.get_by_label("Add a date to closed dates").fill("2027-12-25")
    queues.get_by_role("button", name="Add date").click()
    queues.get_by_role("button", name="Save queue").click()
    expect(queues.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    [payments] = [q for q in api(page, "/admin/queues")["queues"] if q["name"] == "Payments"]
    hours = payments["hours"]
    assert hours["mon"] == hours["fri"] == hours["sat"] == [["09:00", "17:00"]]
    assert hours["sun"] == []
    assert hours["closed_on"] == ["2027-12-25"]
    assert payments["timezone"] == "Europe/Lisbon"
    assert errors == [], errors


def test_a_queue_in_use_is_not_removed_and_says_why(
    browser: Browser, live_server: LiveServer
) -> None:
    """The seed's rules send requests to Payments: removing it is refused, with the reason."""
    page, errors = sign_in(browser, live_server.url, "/desk/configure/queues")
    queues = page.get_by_role("region", name="Queues")
    queues.get_by_role("button", name=re.compile("^Payments")).click()
    page.on("dialog", lambda dialog: dialog.accept())
    queues.get_by_role("button", name="Remove queue").click()
    expect(queues.get_by_role("alert")).to_contain_text("routing rules send requests to")
    names = [q["name"] for q in api(page, "/admin/queues")["queues"]]
    assert names == ["General", "Payments"]
    # A new, unused queue is removed for good.
    queues.get_by_role("button", name="New queue").click()
    queues.get_by_label("Name").fill("Returns <b>desk</b>")
    queues.get_by_label("Skill").fill("returns")
    queues.get_by_role("button", name="Save queue").click()
    expect(queues.get_by_role("button", name="Returns <b>desk</b>")).to_be_visible()
    queues.get_by_role("button", name="Remove queue").click()
    expect(page.locator("#toasts").get_by_role("status")).to_contain_text("deleted")
    names = [q["name"] for q in api(page, "/admin/queues")["queues"]]
    assert names == ["General", "Payments"]
    assert errors == [], errors


def test_a_specialist_added_by_another_supervisor_appears_without_a_reload(
    browser: Browser, live_server: LiveServer
) -> None:
    watching, watching_errors = sign_in(browser, live_server.url, "/desk/configure/specialists")
    mine = watching.get_by_role("region", name="Specialists")
    expect(mine.get_by_role("button", name=re.compile("Ana Ferreira"))).to_be_visible()
    expect(mine.get_by_role("button", name=re.compile("Cora Costa"))).to_have_count(0)
    other, other_errors = sign_in(browser, live_server.url, "/desk/configure/specialists")
    theirs = other.get_by_role("region", name="Specialists")
    expect(theirs.get_by_role("button", name=re.compile("Ana Ferreira"))).to_be_visible()
    _new_specialist(theirs, "cora@skyway.example")
    expect(theirs.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    # The first supervisor's list follows the `config` signal; no reload, no click.
    expect(mine.get_by_role("button", name=re.compile("Cora Costa"))).to_be_visible()
    assert watching_errors == [] and other_errors == []


def test_rules_saved_by_another_supervisor_show_unless_being_edited(
    browser: Browser, live_server: LiveServer
) -> None:
    """An untouched rules editor follows the `config` signal; one with edits keeps them and
    says that saving replaces what is now in use."""
    watching, watching_errors = sign_in(browser, live_server.url, "/desk/configure/rules")
    other, other_errors = sign_in(browser, live_server.url, "/desk/configure/rules")
    mine = watching.get_by_label("Routing rules (TOML)")
    theirs = other.get_by_label("Routing rules (TOML)")
    expect(mine).to_have_value(re.compile(r"\[\[rule\]\]|\[default\]"))
    expect(theirs).to_have_value(mine.input_value())
    original = mine.input_value()
    theirs.fill(original + "\n# checked by Sofia on Monday\n")
    other.get_by_role("button", name="Save rules").click()
    expect(other.get_by_text(re.compile("Saved at"))).to_be_visible()
    expect(mine).to_have_value(re.compile("checked by Sofia on Monday"))
    expect(watching.get_by_text(re.compile("changed elsewhere: these are in use"))).to_be_visible()

    mine.fill(mine.input_value() + "\n# my own note\n")
    theirs.fill(original + "\n# checked again\n")
    other.get_by_role("button", name="Save rules").click()
    expect(watching.get_by_text(re.compile("saving yours replaces them"))).to_be_visible()
    expect(mine).to_have_value(re.compile("my own note"))
    assert "checked again" not in mine.input_value()
    assert watching_errors == [] and other_errors == []


def test_a_shift_added_by_another_supervisor_appears_without_a_reload(
    browser: Browser, live_server: LiveServer
) -> None:
    pages = [sign_in(browser, live_server.url, "/desk/configure/shifts") for _ in range(2)]
    mine, theirs = (page.get_by_role("region", name="Shifts") for page, _ in pages)
    for panel in (mine, theirs):
        panel.get_by_label("Specialist").select_option(label="Ana Ferreira")
        expect(panel.get_by_role("heading", name="Shifts of Ana Ferreira")).to_be_visible()
    saturday = re.compile("Edit the weekly shift Sat 09:00")
    expect(mine.get_by_role("button", name=saturday)).to_have_count(0)
    theirs.get_by_label("Time zone").fill("Europe/Lisbon")
    theirs.get_by_role("button", name="Add hours on Saturday").click()
    theirs.get_by_role("button", name="Add shift").click()
    expect(theirs.get_by_role("status").filter(has_text="Shift added.")).to_be_visible()
    expect(mine.get_by_role("button", name=saturday)).to_have_count(1)
    assert [errors for _, errors in pages] == [[], []]
