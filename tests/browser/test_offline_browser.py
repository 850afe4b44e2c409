"""The guard the browser tests rely on: the page cannot reach hosts other than 127.0.0.1 unnoticed."""

import pytest

pytestmark = pytest.mark.browser


def test_requests_to_other_hosts_are_refused_and_recorded(page, offsite_requests):
    outcome = page.evaluate(
        "url => fetch(url).then(() => 'reached', error => 'refused: ' + error)", "https://jupyter.org/"
    )
    assert outcome.startswith("refused"), outcome
    assert offsite_requests == ["https://jupyter.org/"]
