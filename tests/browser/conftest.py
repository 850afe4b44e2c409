"""A headless Chromium (the system's, driven by Playwright) that may talk to 127.0.0.1 and nothing else.

Every request the page makes to another host is refused and recorded, so a test can assert that the
UI never tried to reach the internet. A failing test leaves a screenshot in test-output/browser/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from tests.support.paths import TEST_OUTPUT

# Deadlines for expect(); the page gets the same for its actions and waits.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)

OUTPUT_DIR = TEST_OUTPUT / "browser"
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture(scope="session")
def browser() -> Browser:
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.access(executable, os.X_OK):
        pytest.fail(f"no Chromium at {executable}: install Debian's chromium or set CHROMIUM (scripts/test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def offsite_requests() -> list[str]:
    """URLs the page asked for on hosts other than 127.0.0.1 (all of them refused)."""
    return []


@pytest.fixture
def failed_responses() -> list[str]:
    """Every answer of 400 or more the page got, as "STATUS METHOD URL". A lab that cannot load its
    own scripts shows no error of its own: it just never starts."""
    return []


@pytest.fixture
def page(browser, offsite_requests, failed_responses, output_dir, request) -> Page:
    """A fresh page (own cookies) of 1280x800 that only reaches 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            offsite_requests.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", only_local)
    page = context.new_page()
    # WebSockets are not routed; a kernel channel to anywhere but 127.0.0.1 counts as off-site too.
    page.on("websocket", lambda ws: urlsplit(ws.url).hostname in LOCAL_HOSTS or offsite_requests.append(ws.url))
    page.on("response", lambda r: r.status >= 400 and failed_responses.append(f"{r.status} {r.request.method} {r.url}"))
    page.set_default_timeout(TIMEOUT_MS)
    failure_shot = output_dir / (re.sub(r"[^\w.-]+", "_", request.node.name) + "-at-failure.png")
    failure_shot.unlink(missing_ok=True)  # a shot from an earlier run must not pass for this one's
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=failure_shot, full_page=True)
        print(f"screenshot: {failure_shot}")
        print("failed responses:", *failed_responses or ["none"], sep="\n  ")
    context.close()
