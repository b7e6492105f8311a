"""What browser tests do again and again: sign in, check accessibility and sideways scrolling."""

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.factories import PASSWORD

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__test__/axe.min.js"
SERIOUS = {"serious", "critical"}


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person would, and wait for the home page."""
    page.goto("/sign-in")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # The button sits in the closed account menu, hidden until opened.
    expect(page.get_by_role("button", name="Sign out", include_hidden=True)).to_be_attached()


def open_dropdown(page: Page, button: Locator) -> None:
    """Open a Bootstrap dropdown menu. Bootstrap's script comes last on the page, and a click that lands
    before it has run opens nothing: wait for the page's load event first."""
    expect(button).to_be_visible()
    page.wait_for_load_state("load")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page and return its serious and critical violations.

    The test serves axe-core itself, from the same origin, so the app's Content-Security-Policy
    (scripts from 'self' only) lets it run unchanged.
    """
    if not AXE.exists():
        raise RuntimeError(f"axe-core is not installed at {AXE}: run `make test` (npm ci in tests/browser).")
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page.add_script_tag(url=AXE_URL)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0: it does not scroll sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
