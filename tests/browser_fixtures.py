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
    """A fresh browser page (its own cookies); a screenshot lands in test-output/ at the end."""
    with tempfile.TemporaryDirectory():
        context = browser.new_context(viewport={"width": 390, "height": 844})
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        tab.screenshot(path=str(output_dir / f"{request.node.name}.png"), full_page=True)
        context.close()
