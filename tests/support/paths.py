"""Where the project is, computed once for the whole suite."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEST_OUTPUT = PROJECT_ROOT / "test-output"  # figures, screenshots and reports a run leaves behind
