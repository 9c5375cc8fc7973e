"""Helpers the browser journeys share: reaching a header menu item that may sit in the 更多 menu."""

from __future__ import annotations


def nav_selector(label: str) -> str:
    """The header menu's link with exactly this label (in the line or in 更多)."""
    return f'nav.site-nav >> text="{label}"'


def reveal(page, selector: str) -> None:
    """Open the closed <details> (the header's 更多) that holds the first element ``selector`` matches, by a
    click on its summary as a person would (no JavaScript needed); do nothing when it is already visible."""
    target = page.locator(selector).first
    target.wait_for(state="attached")
    if target.evaluate("el => { const d = el.closest('details'); return !!d && !d.open; }"):
        target.locator("xpath=ancestor::details[1]/summary").click()
        target.wait_for(state="visible")


def nav_click(page, label: str) -> None:
    """Click the header menu item ``label`` (opening 更多 first when it is in there); waits for the page."""
    selector = nav_selector(label)
    reveal(page, selector)
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state()
