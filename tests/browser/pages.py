"""Page objects: what a user does on each page, in the user's words; each step is
screenshotted and checked with axe-core."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import SCREENSHOTS, _safe

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
NAVIGATION_BARS = re.compile("^(Primary navigation|Oversight and partnership)$")


class Journey:
    """A user's walk through Jigsaw: every page visited is screenshotted and axe-checked."""

    def __init__(self, page: Page, base_url: str, name: str) -> None:
        self.page = page
        self.base_url = base_url
        self.folder = SCREENSHOTS / _safe(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.step = 0

    def visit(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.checkpoint(path)

    def checkpoint(self, label: str) -> None:
        """Screenshot the page as it is now and fail on serious accessibility problems."""
        self.page.wait_for_load_state("load")
        self.step += 1
        self.page.screenshot(
            path=str(self.folder / f"{self.step:02d}-{_safe(label)[:40]}.png"), full_page=True
        )
        assert_accessible(self.page)

    def submit(self, button: str, label: str) -> None:
        """Press a form's button and wait for the page it leads to (Jigsaw's session check
        runs before the form goes, so the navigation starts a moment after the click)."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button).click()
        self.checkpoint(label)

    def sign_in(self, username: str, password: str) -> None:
        self.visit("/sign-in")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.submit("Sign in", "signed in")
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()

    def nav(self, label: str) -> None:
        """Follow a link on either navigation bar: the day's work, or oversight's."""
        bars = self.page.get_by_role("navigation", name=NAVIGATION_BARS)
        with self.page.expect_navigation():
            bars.get_by_role("link", name=label, exact=True).click()
        self.checkpoint(label)


def assert_accessible(page: Page) -> None:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    blocking = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
    assert not blocking, f"accessibility violations on {page.url}:\n{json.dumps(blocking, indent=2)}"


class Keyboard:
    """Working a page with the keyboard alone, as someone who cannot use a mouse does: Tab
    forward to each field in the order the page is read, type, choose a radio with the
    arrow keys, press a link or button with Enter. No clicks."""

    def __init__(self, page: Page, *, limit: int = 60) -> None:
        self.page = page
        self.limit = limit

    def is_focused(self, target: Locator) -> bool:
        return bool(target.evaluate("element => element === document.activeElement"))

    def tab_to(self, target: Locator) -> None:
        """Press Tab until the target has the focus; fail if it is not reached."""
        for _ in range(self.limit):
            if self.is_focused(target):
                return
            self.page.keyboard.press("Tab")
        assert self.is_focused(target), f"Tab never reached {target}"

    def choose(self, group: Locator, option: Locator) -> None:
        """Tab into a radio group, then move with the down arrow until the option is chosen
        (in a browser the arrow keys both move the focus and choose)."""
        self.tab_to(group.get_by_role("radio").first)
        for _ in range(group.get_by_role("radio").count()):
            if option.is_checked():
                return
            self.page.keyboard.press("ArrowDown")
        assert option.is_checked(), f"the arrow keys never chose {option}"
