"""The host's CA bundle: the one place that says which certificates this project's downloads trust.

SSL_CERT_FILE, else REQUESTS_CA_BUNDLE, else the first system bundle that exists (Debian's, Red
Hat's, Alpine's/macOS's): what pip, uv and curl on the host trust, so a TLS-intercepting proxy's CA
added there works. Python uses `ssl_context()`; the scripts run this file (scripts/lib/common.sh
host_ca_bundle: `python3 lock/ca_bundle.py` prints the path, exit 1 when there is none) to pass the
bundle to builds as a BuildKit secret. Standard library only: it runs before any venv exists.
"""

from __future__ import annotations

import os
import ssl
import sys
from collections.abc import Mapping

SYSTEM_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem")


def path(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    for candidate in (env.get("SSL_CERT_FILE"), env.get("REQUESTS_CA_BUNDLE"), *SYSTEM_BUNDLES):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.R_OK):
            return candidate
    return None


def ssl_context(env: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """A client context trusting path(), else Python's defaults."""
    return ssl.create_default_context(cafile=path(env))


if __name__ == "__main__":
    found = path()
    if found:
        print(found)
    sys.exit(0 if found else 1)
