"""The browser suite's own plumbing: a server, Chromium, a sign-in, axe-core."""

from playwright.sync_api import expect

from models import Role
from tests.browser.helpers import axe_violations, sign_in
from tests.factories import make_user


def test_a_manager_signs_in_and_the_home_page_passes_axe(live_app, page):
    with live_app.app_context():
        make_user(Role.MANAGER, email="max@example.com", name="Max Manager")
    sign_in(page, "max@example.com")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe_violations(page) == []
