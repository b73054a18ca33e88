"""A real Chromium (Debian's package) driven by Playwright, for the pages people use."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request, output_dir) -> Iterator:
    """A fresh browser page (its own cookies); a screenshot lands in test-output/ at the end.

    Chromium reports what the Content-Security-Policy blocked on the console; those reports
    are kept in `page.csp_violations`, and a test that leaves any fails."""
    with tempfile.TemporaryDirectory():
        context = browser.new_context(viewport={"width": 390, "height": 844})
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        tab.csp_violations = []
        tab.on("console", lambda message: _keep_csp_violation(tab.csp_violations, message))
        yield tab
        tab.screenshot(path=str(output_dir / f"{request.node.name}.png"), full_page=True)
        context.close()
        assert tab.csp_violations == [], "the Content-Security-Policy blocked something"


def _keep_csp_violation(violations: list[str], message) -> None:
    if "Content Security Policy" in message.text:
        violations.append(message.text)
