"""Configure > Specialists in Chromium: a supervisor can't deactivate themselves (the button
says why), deactivates a specialist after being told what happens (their open desk is
signed out at once, and they can't sign in), then shows the deactivated specialists and
reactivates them; the API says the same each time."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Browser, Dialog, Page, expect

from desk_pages import PASSWORD, api, sign_in

if TYPE_CHECKING:
    from conftest import LiveServer

ANA = "ana@skyway.example"


def _people(page: Page, deactivated: bool = False) -> dict[str, dict[str, Any]]:
    path = "/admin/specialists?deactivated=true" if deactivated else "/admin/specialists"
    return {s["name"]: s for s in api(page, path)["specialists"]}


def _ana_and_a_supervisor(
    browser: Browser, url: str
) -> tuple[tuple[Page, list[str]], tuple[Page, list[str]]]:
    """Ana at her connected desk, and a supervisor in Configure, Specialists."""
    ana = sign_in(browser, url, "/desk", email=ANA)
    expect(ana[0].get_by_text("Connected", exact=True)).to_be_visible()
    return ana, sign_in(browser, url, "/desk/configure/specialists")


def test_a_supervisor_deactivates_a_specialist_and_reactivates_them(
    browser: Browser, live_server: LiveServer
) -> None:
    (ana_page, ana_errors), (page, errors) = _ana_and_a_supervisor(browser, live_server.url)
    panel = page.get_by_role("region", name="Specialists")
    deactivate = panel.get_by_role("button", name="Deactivate specialist")

    # Oneself: the button is there but disabled, and says why.
    panel.get_by_role("button", name=re.compile("^Sofia Lind")).click()
    expect(deactivate).to_be_disabled()
    reason = "You can't deactivate yourself: another supervisor has to."
    expect(panel.get_by_text(reason)).to_be_visible()
    expect(deactivate).to_have_accessible_description(reason)

    # Ana: asked first, saying what happens to her chats and offers. No: nothing changes.
    dialogs: list[str] = []
    answers = [False, True, True]

    def answer(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        if answers.pop(0):
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", answer)
    panel.get_by_role("button", name=re.compile("^Ana Ferreira")).click()
    expect(panel.get_by_role("heading", name="Ana Ferreira")).to_be_visible()
    expect(deactivate).to_be_enabled()
    deactivate.click()
    assert dialogs[0].startswith("Deactivate Ana Ferreira?")
    assert "go back to the front of the line for someone else" in dialogs[0]
    assert "an offer they hold goes to someone else" in dialogs[0]
    assert _people(page)["Ana Ferreira"]["deactivated_at"] is None

    # Yes: she leaves the list, focus goes to "New specialist", and her desk is signed out.
    deactivate.click()
    expect(panel.get_by_role("button", name=re.compile("^Ana Ferreira"))).to_have_count(0)
    expect(panel.get_by_role("button", name="New specialist")).to_be_focused()
    expect(page.get_by_text("Ana Ferreira deactivated: signed out").first).to_be_visible()
    assert "Ana Ferreira" not in _people(page)
    assert _people(page, deactivated=True)["Ana Ferreira"]["deactivated_at"] is not None
    expect(ana_page.get_by_text("Your session ended.")).to_be_visible()
    ana_page.get_by_label("Email").fill(ANA)
    ana_page.get_by_label("Password").fill(PASSWORD)
    ana_page.get_by_role("button", name="Sign in").click()
    expect(ana_page.get_by_text("Email or password is wrong.")).to_be_visible()

    # Shown with when, and reactivated (asked first); focus lands on her, back in the list.
    panel.get_by_label("Show deactivated specialists").check()
    gone = panel.get_by_role("list", name="Deactivated specialists")
    expect(gone).to_contain_text("Ana Ferreira")
    expect(gone).to_contain_text("deactivated")
    gone.get_by_role("button", name="Reactivate Ana Ferreira").click()
    assert dialogs[2].startswith("Reactivate Ana Ferreira?")
    expect(panel.get_by_role("status").filter(has_text="Ana Ferreira reactivated")).to_be_visible()
    back = panel.get_by_role("button", name=re.compile("^Ana Ferreira"))
    expect(back).to_be_focused()
    expect(gone).to_contain_text("No deactivated specialists.")
    assert _people(page)["Ana Ferreira"]["deactivated_at"] is None
    ana_page.get_by_role("button", name="Sign in").click()
    expect(ana_page.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()
    assert errors == [] and ana_errors == []


def test_a_supervisor_sets_a_new_password_for_a_specialist(
    browser: Browser, live_server: LiveServer
) -> None:
    (ana_page, ana_errors), (page, errors) = _ana_and_a_supervisor(browser, live_server.url)
    panel = page.get_by_role("region", name="Specialists")
    panel.get_by_role("button", name=re.compile("^Ana Ferreira")).click()
    new_password = panel.get_by_label("New password")
    expect(new_password).to_have_value("")

    # Untouched (the password left empty), nothing is sent; too short, refused beside it.
    panel.get_by_role("button", name="Save specialist").click()
    expect(panel.get_by_role("status").filter(has_text="Nothing changed.")).to_be_visible()
    new_password.fill("short")
    panel.get_by_role("button", name="Save specialist").click()
    too_short = re.compile("A new password needs at least 10 characters")
    expect(panel.get_by_text(too_short)).to_have_count(2)  # beside the field and in the summary

    # A new one: saved, Ana's desk is signed out, the old password no longer works.
    new_password.fill("a brand new passphrase")
    panel.get_by_role("button", name="Save specialist").click()
    expect(panel.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    expect(ana_page.get_by_text("Your session ended.")).to_be_visible()
    ana_page.get_by_label("Email").fill(ANA)
    ana_page.get_by_label("Password").fill(PASSWORD)
    ana_page.get_by_role("button", name="Sign in").click()
    expect(ana_page.get_by_text("Email or password is wrong.")).to_be_visible()
    ana_page.get_by_label("Password").fill("a brand new passphrase")
    ana_page.get_by_role("button", name="Sign in").click()
    expect(ana_page.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()
    assert "password" not in str(_people(page)["Ana Ferreira"])
    assert errors == [] and ana_errors == []
