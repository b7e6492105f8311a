"""Layout: the main pages at phone (375 px) and desktop (1280 px) widths; none scrolls sideways on a phone.

Full-page screenshots of each page at both widths are kept in browser-artifacts/layout/ for a person to look at.
"""

import pytest

from models import Role
from tests.browser import main_pages
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.browser.helpers import sideways_overflow, sign_in
from tests.browser.main_pages import SIGN_INS

# The demo data, loaded once for this module (see main_pages).
demo_site = main_pages.demo_site
database = main_pages.database

FOLDER = ARTIFACTS / "layout"
# The elements that stick out past the window's right edge (the innermost ones, which cause it), to name in a failure.
STICKING_OUT = """() => [...document.body.querySelectorAll('*')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                && ![...el.children].some(child => child.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 5)
  .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + [...el.classList].map(c => '.' + c).join(''))"""


def check_layout(page, name: str, url: str) -> str | None:
    """Screenshot a page at both widths; return what sticks out at phone width, if it scrolls sideways there."""
    page.set_viewport_size(PHONE)
    response = page.goto(url)
    assert response.ok, f"{name} ({url}) answered {response.status}"
    page.screenshot(path=FOLDER / f"{name}-{PHONE['width']}.png", full_page=True)
    overflow = sideways_overflow(page)
    problem = f"{name} ({url}): {overflow} px too wide, {page.evaluate(STICKING_OUT)}" if overflow else None
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=FOLDER / f"{name}-{DESKTOP['width']}.png", full_page=True)
    return problem


def test_the_sign_in_page_fits_a_phone(page):
    FOLDER.mkdir(parents=True, exist_ok=True)
    assert check_layout(page, "sign-in", "/sign-in") is None


@pytest.mark.parametrize("role", [Role.MANAGER, Role.INTERVIEWER, Role.ADMIN], ids=lambda role: role.value)
def test_the_main_pages_of_a_role_fit_a_phone(demo_site, page, role):
    FOLDER.mkdir(parents=True, exist_ok=True)
    sign_in(page, SIGN_INS[role].email, SIGN_INS[role].password)
    problems = [check_layout(page, name, url) for name, url in demo_site[2][role]]
    problems = [problem for problem in problems if problem]
    assert not problems, "pages that scroll sideways at 375 px:\n" + "\n".join(problems)
