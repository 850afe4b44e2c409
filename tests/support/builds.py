"""How tests build the image: the same scripts/build that users run (engine, base image, CA secret,
SOURCE_DATE_EPOCH as users get them)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.paths import PROJECT_ROOT


def build(tag: str, *args: str, context: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Build with scripts/build (engine, base image, CA secret, SOURCE_DATE_EPOCH as users get them)."""
    environment = {**os.environ, **(env or {})}
    if context is not None:
        environment["BUILD_CONTEXT"] = str(context)
    return subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "build"), "--tag", tag, *args],
        env=environment, capture_output=True, text=True, timeout=1800,
    )
