"""A headless Chromium (the system's, driven by Playwright) whose pages may talk to 127.0.0.1 and
nothing else: every request to another host is refused and recorded, so a test can assert that the
UI never tried to reach the internet. Fixtures: `browser` in tests/conftest.py, `page` in
tests/browser/conftest.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Route, expect, sync_playwright

# Deadlines for expect(); pages get the same for their actions and waits.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)

LOCAL_HOSTS = {"127.0.0.1"}

CHROMIUM_ARGS = [
    "--no-sandbox",  # root in a VM or container: Chromium's sandbox needs user namespaces
    "--disable-gpu",
    # No traffic of the browser's own: no update, sync, field trials or first-run fetches.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--no-proxy-server",
    # Belt and braces: no host name resolves, so nothing the routing below misses can leave.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.access(executable, os.X_OK):
        pytest.fail(f"no Chromium at {executable}: install Debian's chromium or set CHROMIUM (scripts/test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def local_only_context(browser: Browser, offsite_requests: list[str]) -> BrowserContext:
    """A fresh context (own cookies) of 1280x800 that only reaches 127.0.0.1; the URLs of what it
    asked for elsewhere (all refused) go to `offsite_requests`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            offsite_requests.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", only_local)
    return context
