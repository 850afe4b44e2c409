"""Attacks that failed against the image, kept failing: a jupyter_server or JupyterLab upgrade
must not quietly undo them. One server for all (each check is a request or two)."""

import re

import pytest
import requests

pytestmark = pytest.mark.image

TOKEN = "attack-test-token-0123456789"


@pytest.fixture
def server(containers):
    return containers.run_server(token=TOKEN)


def test_the_attacks_that_hold_still_hold(server):
    # Path traversal out of the root, raw and encoded.
    for path in ("/api/contents/../../../etc/passwd", "/api/contents/%2e%2e/%2e%2e/etc/passwd",
                 "/files/..%2f..%2f..%2fetc%2fpasswd", "/api/contents/notebooks/..%2f..%2f..%2fetc%2fpasswd"):
        response = server.get(path)
        assert response.status_code in (400, 403, 404) and "root:" not in response.text, (path, response.status_code)

    # A browser session: the token once in the URL, then only cookies (as a page another site made
    # the browser load would have them).
    browser = requests.Session()
    login = browser.get(f"{server.url}/lab?token={TOKEN}", timeout=10)
    assert login.status_code == 200
    cookies = [value for key, value in login.raw.headers.items() if key.lower() == "set-cookie"] or \
        login.history[0].raw.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("username-"))
    assert "httponly" in session_cookie.lower(), session_cookie
    new_notebook = {"type": "notebook"}
    # XSRF: a cookie but no _xsrf token.
    assert browser.post(f"{server.url}/api/contents/notebooks", json=new_notebook, timeout=10).status_code == 403
    # Cross-origin: the cookie, the _xsrf token, and another site's Origin.
    xsrf = browser.cookies.get("_xsrf")
    cross = browser.post(f"{server.url}/api/contents/notebooks", json=new_notebook, timeout=10,
                         headers={"X-XSRFToken": xsrf, "Origin": "http://evil.example"})
    assert cross.status_code in (403, 404), cross.status_code
    same = browser.post(f"{server.url}/api/contents/notebooks", json=new_notebook, timeout=10,
                        headers={"X-XSRFToken": xsrf})
    assert same.status_code == 201, "the checks above must fail for the attack, not for every request"

    # Security headers: no framing by other sites, no content sniffing.
    headers = server.get("/lab").headers
    assert "frame-ancestors 'self'" in headers.get("Content-Security-Policy", ""), headers
    assert headers.get("X-Content-Type-Options") == "nosniff", headers

    # The token never reaches the logs, even from URLs that carry it.
    server.get(f"/api/status?token={TOKEN}")
    assert TOKEN not in server.logs(), re.findall(r".*token.*", server.logs())[:5]
