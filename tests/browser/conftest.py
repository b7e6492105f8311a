"""Browser tests: the real app on a real HTTP server, driven by Debian's Chromium through Playwright.

Each test gets a fresh, migrated database (SQLite, or PostgreSQL when BENCH_TEST_DATABASE_URL is
set), the app with CSRF protection on as in production, and a werkzeug server on a free port of
127.0.0.1. ``make test`` installs Chromium (``apt-get install chromium``) and axe-core (npm)
first. A failing test leaves a screenshot of every page it had open in browser-artifacts/failures/.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from hiring import ROOT
from tests.conftest import POSTGRES_URL

CHROMIUM = Path(os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium"))
# Screenshots of failures and of the layout checks; CI leaves the folder on disk.
ARTIFACTS = ROOT / "browser-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
# How long an action or an expectation waits: generous, because a CI machine with two cores can be busy.
WAIT_MS = 15_000
expect.set_options(timeout=WAIT_MS)


# Checks of what pages look like, not of what they store: run once, on SQLite.
RENDERING_ONLY = {"test_accessibility.py", "test_layout.py"}


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder ``browser``; leave the rendering checks out of the PostgreSQL run."""
    here = Path(__file__).parent
    ours = [item for item in items if Path(item.fspath).is_relative_to(here)]
    for item in ours:
        item.add_marker(pytest.mark.browser)
    if POSTGRES_URL:
        rendering = [item for item in ours if Path(item.fspath).name in RENDERING_ONLY]
        config.hook.pytest_deselected(items=rendering)
        items[:] = [item for item in items if item not in rendering]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures can tell whether it failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the whole run (Playwright downloads no browser of its own)."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: run `make test`, which installs it, or set BENCH_CHROMIUM.")
    with sync_playwright() as playwright:
        # The sandbox needs user namespaces that containers (and CI, as root) do not give.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, server, request) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts (separate sessions) on the server; screenshot their pages if the test fails."""
    contexts: list[BrowserContext] = []

    def open_context(viewport: dict = DESKTOP, **options) -> BrowserContext:
        context = browser.new_context(base_url=server, viewport=viewport, accept_downloads=True, **options)
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context

    yield open_context
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = ARTIFACTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        for number, page in enumerate(p for context in contexts for p in context.pages):
            page.screenshot(path=folder / f"{name}-{number}.png", full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    """One page in its own context, at desktop width."""
    return new_context().new_page()
