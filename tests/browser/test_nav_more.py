"""The header's 更多 menu on a phone, without JavaScript: a worker's menu has nine items, so the last three
(培训, 消息, 我的) sit in a closed <details>; a click on 更多 opens it and a click on 我的 leads there, with
no sideways scroll at 360px, open or closed, at normal and at 200% text."""

from __future__ import annotations

import os

import pytest

from accounts.choices import Role
from core.models import InboxMessage
from tests.accounts.factories import UserFactory

from .helpers import nav_selector
from .test_journeys import SCREENS
from .test_training_journey import Person


def _sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_worker_reaches_an_item_in_more_by_clicking_on_a_phone_without_javascript(
    chromium, live_server, county_a
):
    worker = UserFactory(scope_unit=county_a, roles=[Role.WORKER], real_name="张建国")
    InboxMessage.objects.create(user=worker, body="明天8点上工，请准时到岗。")
    person = Person(
        chromium,
        live_server.url,
        "nav-more",
        viewport={"width": 360, "height": 640},
        java_script_enabled=False,
    )
    page = person.page
    person.log_in(worker.phone)

    more = page.locator("nav.site-nav details.nav-more")
    assert more.count() == 1 and more.get_attribute("open") is None
    shown = page.locator("nav.site-nav > ul > li > a").all_inner_texts()
    assert shown == ["找活", "我的工作", "收入", "我的找活", "维权投诉", "政策咨询"]  # the first six
    profile = page.locator(nav_selector("我的"))
    assert not profile.is_visible()  # in the closed menu
    # the unread message is counted on 更多 itself, so a closed menu does not hide it
    assert (
        more.locator("summary").inner_text().startswith("更多")
        and "1 条未读" in more.locator("summary").inner_text()
    )
    os.makedirs(SCREENS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENS, "nav-more-01-closed.png"), full_page=True)

    more.locator("summary").click()  # no script: the browser opens the <details>
    assert more.get_attribute("open") is not None and profile.is_visible()
    assert page.locator("nav.site-nav details.nav-more li a").all_inner_texts()[:2] == [
        "培训",
        "消息 1 条未读",
    ]
    page.screenshot(path=os.path.join(SCREENS, "nav-more-02-open.png"), full_page=True)
    assert _sideways(page) <= 1, "the open menu scrolls sideways at 360px"
    page.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
    page.screenshot(path=os.path.join(SCREENS, "nav-more-03-open-200.png"), full_page=True)
    assert _sideways(page) <= 1, "the open menu scrolls sideways at 200% text"
    page.evaluate("document.documentElement.style.removeProperty('font-size')")
    box = profile.bounding_box()
    assert (
        box and box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    )  # a finger's target

    with page.expect_navigation():
        profile.click()
    assert page.url == live_server.url + "/accounts/profile/"
    assert "张建国" in page.content()
    # on that page, 更多 is marked as holding the current page, and 我的 inside it is the current item
    assert page.locator("nav.site-nav details.nav-more summary.current").count() == 1
    assert page.locator('nav.site-nav details.nav-more a[aria-current="page"]').text_content() == "我的"
    assert not person.errors, person.errors

    # the helper that every journey's nav() goes through does the same: 消息, also in 更多
    person.nav("消息")
    assert page.url == live_server.url + "/accounts/inbox/"
    person.context.close()
