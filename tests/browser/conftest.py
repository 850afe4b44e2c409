"""The browser tests' page: one fresh local-only context each (tests/support/browser.py), the answers
of 400 and more it got, and a screenshot in test-output/browser/ when a test fails.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.support.browser import LOCAL_HOSTS, TIMEOUT_MS, local_only_context


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
    context = local_only_context(browser, offsite_requests)
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
