"""Open report pages in Debian's headless Chromium through Playwright, offline.

``chromium_page()`` yields a Playwright page and the list of console errors it logged. When
Chromium or Playwright is missing the test skips with the reason, unless the environment sets
RNNLENS_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .browser import FLAGS, chromium, unavailable

# playwright starts Chromium headless itself; the other flags are the screenshot helper's
CHROMIUM_ARGS = [flag for flag in FLAGS if flag != "--headless"]


@contextmanager
def chromium_page(width: int = 1200, height: int = 900) -> Iterator[tuple[Any, list[str]]]:
    """A fresh page (no network: every request other than file:// and data: is aborted)."""
    executable = chromium()
    if executable is None:
        unavailable("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            def offline(route: Any) -> None:
                if route.request.url.startswith(("file:", "data:")):
                    route.continue_()
                else:
                    errors.append(f"network request: {route.request.url}")
                    route.abort()

            page.route("**/*", offline)
            yield page, errors
        finally:
            browser.close()
