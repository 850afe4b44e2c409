"""The package index as the wheelhouse reads it: PEP 691 JSON project pages (each file's name, URL
and sha256) and the files themselves, over HTTPS trusting the host's CA bundle (lock.ca_bundle),
with retries on what is likely transient. lock.wheel_info reads wheel metadata through it too."""

from __future__ import annotations

import json
import os
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from lock import ca_bundle
from lock.errors import ResolutionError, ResolverError

DEFAULT_INDEX = "https://pypi.org/simple"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
USER_AGENT = "jupyterlab-minimalist-wheelhouse"
_RETRIES = 3
_TIMEOUT = 60


@dataclass(frozen=True)
class WheelFile:
    filename: str
    url: str
    sha256: str


def index_url() -> str:
    for variable in ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"):
        if os.environ.get(variable):
            return os.environ[variable].rstrip("/")
    return DEFAULT_INDEX


def redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.username or parts.password:
        parts = parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else ""))
    return urllib.parse.urlunsplit(parts)


class Index:
    def __init__(self, url: str, context: ssl.SSLContext | None = None):
        self.url = url.rstrip("/")
        self.context = context or ca_bundle.ssl_context()

    def open(self, url: str, accept: str | None = None):
        """urlopen with retries on what is likely transient (connection errors, timeouts, 5xx)."""
        headers = {"User-Agent": USER_AGENT}
        if accept:
            headers["Accept"] = accept
        last: Exception | None = None
        for attempt in range(_RETRIES):
            try:
                return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=_TIMEOUT,
                                              context=self.context if url.startswith("https:") else None)
            except urllib.error.HTTPError as e:
                if e.code < 500:
                    raise
                last = e
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                last = e
            if attempt + 1 < _RETRIES:
                time.sleep(2**attempt)  # back off before retrying a transient failure
        reason = getattr(last, "reason", last)
        raise ResolverError(f"cannot reach {redact(url)}: {reason} (network or proxy? SSL_CERT_FILE for a proxy's CA)")

    def files(self, name: str) -> list[WheelFile]:
        """The files of project `name` that have a sha256, from its PEP 691 JSON page."""
        page = f"{self.url}/{name}/"
        try:
            with self.open(page, accept=SIMPLE_JSON) as response:
                content_type = response.headers.get("Content-Type", "")
                body = response.read()
                final = response.geturl()
        except urllib.error.HTTPError as e:
            if e.code == 404:
                raise ResolutionError(f"{name} is not on the index {redact(self.url)}") from None
            raise ResolverError(f"{redact(page)}: HTTP {e.code} {e.reason}") from None
        if not content_type.split(";")[0].strip().startswith("application/vnd.pypi.simple.v1+json"):
            raise ResolverError(
                f"{redact(page)} answered {content_type or 'without a content type'}, not PEP 691 JSON "
                f"({SIMPLE_JSON}); use an index that supports it (UV_INDEX_URL / PIP_INDEX_URL)"
            )
        try:
            data = json.loads(body)
            listed = data["files"]
        except (ValueError, KeyError, TypeError):
            raise ResolverError(f"{redact(page)}: not a PEP 691 project page") from None
        out = []
        for entry in listed:
            sha256 = (entry.get("hashes") or {}).get("sha256")
            if entry.get("filename") and entry.get("url") and sha256:
                out.append(WheelFile(entry["filename"], urllib.parse.urljoin(final, entry["url"]), sha256.lower()))
        return out
