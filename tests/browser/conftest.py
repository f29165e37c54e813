"""Real-browser fixtures: Debian's Chromium driven by Playwright, an axe-core check on
every page, and a screenshot of every step (and of any failure) under var/."""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django refuses database access
# from a thread with a running loop unless told that this is intended (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "browser-screenshots"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install` installs Debian's chromium for the browser tests")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = SCREENSHOTS / _safe(request.node.name)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "failure.png"), full_page=True)
    context.close()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, so the page fixture can see a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# The reference data that data migrations load; a browser test's database is emptied
# between tests (they run in real transactions), so it is loaded again before each.
DATA_MIGRATIONS = [
    ("jigsaw.casework.migrations.0002_default_timescales", "add"),
    ("jigsaw.access.migrations.0006_default_retention_schedule", "add_defaults"),
    ("jigsaw.workforce.migrations.0003_default_caseload_weights", "add_defaults"),
    ("jigsaw.escalation.migrations.0002_default_escalation_policy", "add"),
    (
        "jigsaw.casework.migrations.0008_missing_episodes_and_private_fostering",
        "add_private_fostering_timescales",
    ),
]


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    from importlib import import_module

    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(import_module(module), function)(apps, None)
