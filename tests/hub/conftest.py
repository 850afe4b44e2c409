"""The hub tests' browser: the browser suite's Chromium (tests/browser/conftest.py), which reaches
127.0.0.1 only, with one fresh context per hub user so that two users are logged in at once."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser.conftest import LOCAL_HOSTS, browser, output_dir  # noqa: F401 -- fixtures reused
from playwright.sync_api import Browser, BrowserContext


@pytest.fixture
def offsite_requests() -> list[str]:
    """URLs any user's page asked for on hosts other than 127.0.0.1 (all of them refused)."""
    return []


@pytest.fixture
def user_context(browser: Browser, offsite_requests):  # noqa: F811
    """user_context() -> a new browser context (own cookies) that only reaches 127.0.0.1."""
    contexts: list[BrowserContext] = []

    def only_local(route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            offsite_requests.append(route.request.url)
            route.abort("blockedbyclient")

    def new() -> BrowserContext:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.route("**/*", only_local)
        contexts.append(context)
        return context

    yield new
    for context in contexts:
        context.close()
