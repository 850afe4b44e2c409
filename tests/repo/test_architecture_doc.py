"""docs/architecture.md matches the tree: every module of lock/ and every script is named in it,
and every file it names exists."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.paths import PROJECT_ROOT as ROOT
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_module_and_script_is_in_the_picture():
    modules = {p.name for p in (ROOT / "lock").glob("*.py") if p.name != "__init__.py"} | {"wheelhouse/"}
    scripts = {p.name for p in (ROOT / "scripts").iterdir() if p.is_file()}
    scripts |= {f"lib/{p.name}" for p in (ROOT / "scripts" / "lib").iterdir()}
    words = set(re.findall(r"[\w./-]+", DOC))
    missing = sorted(m for m in modules | scripts if m not in words)
    assert not missing, f"docs/architecture.md does not mention {missing}"


def test_every_path_it_names_exists():
    paths = re.findall(r"`((?:lock|scripts|tests|image|docs)/[\w./-]+)`", DOC)
    assert paths
    gone = sorted(p for p in paths if not (ROOT / p).exists())
    assert not gone, f"docs/architecture.md names files that do not exist: {gone}"
