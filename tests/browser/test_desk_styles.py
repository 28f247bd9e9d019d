"""Each desk view's stylesheet stays in its view: Configure's form fields don't restyle the
customer's Form section on the desk (every desk stylesheet loads on every desk page)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Browser, expect

if TYPE_CHECKING:
    from conftest import LiveServer


def test_the_form_section_keeps_its_rows_beside_configure_styles(
    browser: Browser, live_server: LiveServer
) -> None:
    url = live_server.url
    desk = browser.new_context().new_page()
    desk.goto(f"{url}/desk")
    desk.get_by_label("Email").fill("ana@skyway.example")
    desk.get_by_label("Password").fill("skyway-demo-2026")
    desk.get_by_role("button", name="Sign in").click()
    expect(desk.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()
    loaded = desk.evaluate(
        "() => [...document.styleSheets].some((s) => (s.href || '').endsWith('/configure.css'))"
    )
    assert loaded, "Configure's stylesheet is expected on every desk page"

    page = browser.new_context().new_page()
    page.goto(f"{url}/demo#payment")
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill("The card is refused")
    page.get_by_role("button", name="Request help").click()
    desk.get_by_role("button", name=re.compile("^Accept chat with")).click()

    form = desk.locator("section.ctx-section", has=desk.get_by_role("heading", name="Form"))
    rows = form.locator("li.field")
    expect(rows.first).to_be_visible()
    styles = rows.evaluate_all(
        """(rows) => rows.map((row) => {
          const [name, value] = row.children;
          const n = name.getBoundingClientRect(), v = value.getBoundingClientRect();
          return { display: getComputedStyle(row).display,
                   sameLine: Math.abs(n.top - v.top) < 2, valueRight: v.left >= n.right };
        })"""
    )
    assert styles
    for style in styles:
        assert style == {"display": "flex", "sameLine": True, "valueRight": True}, styles
