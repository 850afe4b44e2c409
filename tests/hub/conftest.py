"""The hub tests' browser contexts: one fresh context per hub user (tests/support/browser.py: own
cookies, 127.0.0.1 only), so that two users are logged in at once."""

from __future__ import annotations

import pytest

from tests.support.browser import local_only_context


@pytest.fixture
def offsite_requests() -> list[str]:
    """URLs any user's page asked for on hosts other than 127.0.0.1 (all of them refused)."""
    return []


@pytest.fixture
def user_context(browser, offsite_requests):
    """user_context() -> a new browser context (own cookies) that only reaches 127.0.0.1."""
    contexts = []

    def new():
        contexts.append(local_only_context(browser, offsite_requests))
        return contexts[-1]

    yield new
    for context in contexts:
        context.close()
