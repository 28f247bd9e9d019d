"""The slot picker keeps Book in view however many times a day has, and groups the times
under Morning, Afternoon and Evening in the customer's own clock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Browser, expect

if TYPE_CHECKING:
    from conftest import LiveServer

PARTS = {"Morning": (0, 12), "Afternoon": (12, 17), "Evening": (17, 24)}


def test_book_stays_in_view_and_times_are_grouped(
    browser: Browser, live_server: LiveServer
) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    page.goto(f"{live_server.url}/demo#payment")
    page.get_by_role("button", name="Get help").click()
    page.get_by_label("What's getting in your way?").fill("I'd rather talk later")
    page.get_by_role("button", name="Request help").click()
    schedule = page.get_by_role("button", name="Schedule a time")
    picker = page.get_by_role("region", name="Schedule a time")
    expect(schedule.or_(picker)).to_be_visible()
    if schedule.is_visible():
        schedule.click()
    times = page.get_by_role("group", name="Times on", exact=False)
    slots = times.locator("button")
    expect(slots.first).to_be_visible()

    # The day with the most times, so the list is as long as it gets.
    days = page.get_by_role("tab")
    best, most = 0, -1
    for i in range(days.count()):
        days.nth(i).click()
        n = slots.count()
        if n > most:
            best, most = i, n
    days.nth(best).click()
    assert most >= 20, most

    # Every time sits under the heading of its part of the day.
    groups = page.locator(".tl-part")
    seen = 0
    for g in range(groups.count()):
        group = groups.nth(g)
        label = group.get_by_role("heading").inner_text()
        low, high = PARTS[label]
        hours = group.locator("button").evaluate_all(
            "(bs) => bs.map((b) => new Date(Number(b.dataset.start)).getHours())"
        )
        seen += len(hours)
        assert hours and all(low <= h < high for h in hours), (label, hours)
    assert seen == most

    slots.last.click()
    book = page.get_by_role("button", name="Book", exact=False).filter(visible=True)
    expect(book).to_be_enabled()
    body = page.locator(".tl-body")
    for where in ("top", "bottom"):
        body.evaluate(f"(b) => b.scrollTo(0, {'0' if where == 'top' else 'b.scrollHeight'})")
        box = book.bounding_box()
        frame = body.bounding_box()
        assert box and frame
        assert (
            box["y"] >= frame["y"] - 1
            and box["y"] + box["height"] <= frame["y"] + frame["height"] + 1
        ), (where, box, frame)
        assert box["y"] + box["height"] <= 860
        hit = book.evaluate(
            """(b) => { const r = b.getBoundingClientRect();
              const x = r.x + r.width / 2, y = r.y + r.height / 2;
              return b.getRootNode().elementFromPoint(x, y) === b; }"""
        )
        assert hit, where
