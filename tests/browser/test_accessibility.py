"""Accessibility: axe-core finds no serious or critical violation on Bench's main pages, and the main forms can be
reached, filled and sent with the keyboard alone, with a visible focus indicator on every control."""

import pytest
from playwright.sync_api import expect

from models import Role
from tests.browser import main_pages
from tests.browser.helpers import axe_violations, sign_in
from tests.browser.main_pages import SIGN_INS

# The demo data, loaded once for this module (see main_pages).
demo_site = main_pages.demo_site
database = main_pages.database

ROLES = [Role.MANAGER, Role.INTERVIEWER, Role.ADMIN]


def report(failures: dict[str, list[dict]]) -> str:
    """Each failing page, then its violations with the elements they were found on."""
    lines = []
    for where, violations in failures.items():
        lines.append(where)
        lines += [f"  {v['impact']} {v['id']}: {v['help']} on {v['nodes']}" for v in violations]
    return "\n".join(lines)


def test_the_sign_in_page_passes_axe(page):
    page.goto("/sign-in")
    assert axe_violations(page) == []


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value)
def test_every_main_page_of_a_role_passes_axe(demo_site, page, role):
    sign_in(page, SIGN_INS[role].email, SIGN_INS[role].password)
    failures = {}
    for name, url in demo_site[2][role]:
        response = page.goto(url)
        assert response.ok, f"{name} ({url}) answered {response.status}"
        if violations := axe_violations(page):
            failures[f"{name} ({url})"] = violations
    assert not failures, "serious or critical axe-core violations:\n" + report(failures)


# The form's tab stops in document order: each enabled, visible control, link or element with a tabindex, and of a
# radio group only the checked radio (or the first), as browsers do; arrow keys move within the group.
FIND_STOPS = """form => {
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const controls = 'input:not([type=hidden]), select, textarea, button';
  const stops = [], groups = new Set();
  for (const el of form.querySelectorAll(`${controls}, a[href], [tabindex]`)) {
    // A control taken out of the tab order (tabindex -1) still counts: the keyboard user must reach it.
    if (el.matches(':disabled') || !visible(el) || (el.tabIndex < 0 && !el.matches(controls))) continue;
    if (el.type === 'radio') {
      if (groups.has(el.name)) continue;
      groups.add(el.name);
      const group = [...form.querySelectorAll('input[type=radio]')].filter(r => r.name === el.name && visible(r));
      stops.push(group.find(r => r.checked) || group[0]);
    } else {
      stops.push(el);
    }
  }
  window.keyboardCheck = {form, stops};
  return stops.length;
}"""
# Where the focus is now: which tab stop (-1: none), whether it is inside the form, and whether it shows a focus ring
# (an outline, or Bootstrap's box-shadow, on the element or, for a visually hidden input, on its label).
FOCUS = """() => {
  const {form, stops} = window.keyboardCheck;
  const el = document.activeElement;
  const ring = e => { const s = getComputedStyle(e);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; };
  const name = el.labels?.[0]?.innerText || el.getAttribute('aria-label') || el.innerText || el.name || el.tagName;
  return {stop: stops.indexOf(el), inForm: form.contains(el), name: name.trim().slice(0, 60),
          ring: ring(el) || [...(el.labels || [])].some(ring)};
}"""
MAX_TABS = 250


def tab_through(page, form) -> list[str]:
    """Tab from the top of the page through ``form``; return what went wrong (nothing when every stop had its turn)."""
    count = page.evaluate(FIND_STOPS, form.element_handle())
    problems, expected = [], 0
    focus = page.evaluate(FOCUS)  # an autofocus field already holds the focus
    for _ in range(MAX_TABS):
        if focus["stop"] >= 0 and focus["stop"] == expected - 1:
            pass  # still on the same control: a date field takes one Tab per part (day, month, year)
        elif focus["stop"] >= 0:
            if focus["stop"] != expected:
                problems.append(f"tab stop {expected} skipped: focus went to {focus['name']!r} (stop {focus['stop']})")
                return problems
            if not focus["ring"]:
                problems.append(f"no visible focus indicator on {focus['name']!r}")
            expected += 1
        elif focus["inForm"]:
            problems.append(f"focus went to {focus['name']!r}, which is not visible or not a control")
        elif expected:  # it left the form
            break
        if expected == count:
            page.keyboard.press("Tab")
            if page.evaluate(FOCUS)["inForm"]:
                problems.append("the focus is trapped in the form after its last control")
            break
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
    if expected < count:
        problems.append(f"only {expected} of {count} tab stops reached in {MAX_TABS} presses of Tab")
    return problems


def tab_to(page, locator, presses: int = MAX_TABS) -> None:
    """Press Tab until ``locator`` has the focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def test_forms_are_reachable_and_usable_with_the_keyboard(demo_site, new_context):
    # Without animations the focus ring is drawn at once (Bootstrap honours prefers-reduced-motion).
    page = new_context(reduced_motion="reduce").new_page()
    pages = {name: url for role in ROLES for name, url in demo_site[2][role]}
    problems = {}

    page.goto("/sign-in")
    sign_in_form = page.locator("form").filter(has=page.get_by_role("button", name="Sign in"))
    problems["sign-in"] = tab_through(page, sign_in_form)
    page.goto("/sign-in")
    expect(page.get_by_label("E-mail")).to_be_focused()  # on arrival
    page.keyboard.type(SIGN_INS[Role.MANAGER].email)
    page.keyboard.press("Tab")
    page.keyboard.type(SIGN_INS[Role.MANAGER].password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out", include_hidden=True)).to_be_attached()

    forms = [
        ("candidate-new", "Add to the pool"),
        ("candidate-edit", "Save"),
        ("candidate", "Log call"),
        ("opening-form", "Create"),
        ("shortlist-form", "Create"),
        ("export", "Export"),
        ("consents", "Consent renewed"),
    ]
    for name, button in forms:
        page.goto(pages[name])
        form = page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True)).first
        problems[name] = tab_through(page, form)

    page.goto(pages["candidate-new"])
    tab_to(page, page.get_by_label("Name"))
    page.keyboard.type("Kim Keyboard")
    tab_to(page, page.get_by_role("button", name="Add to the pool"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Kim Keyboard")).to_be_visible()

    interviewer = new_context(reduced_motion="reduce").new_page()
    sign_in(interviewer, SIGN_INS[Role.INTERVIEWER].email, SIGN_INS[Role.INTERVIEWER].password)
    interviewer.goto(pages["scorecard"])
    form = interviewer.locator("form").filter(has=interviewer.get_by_role("button", name="Submit scorecard"))
    problems["scorecard"] = tab_through(interviewer, form)

    problems = {name: found for name, found in problems.items() if found}
    assert not problems, "keyboard problems:\n" + "\n".join(f"{name}: {found}" for name, found in problems.items())
