"""image/startup-modules.txt, the modules the build compiles to bytecode, is what a start of the
built image imports: scripts/startup-modules, run on the image under test, writes the committed
file byte for byte. It fails after a `lock upgrade` that changed what a start imports; the fix is
the command in the message."""

import subprocess

import pytest

from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.image

COMMITTED = PROJECT_ROOT / "image" / "startup-modules.txt"


def modules(text: str) -> set[str]:
    return {line for line in text.splitlines() if line and not line.startswith("#")}


def test_committed_start_up_modules_are_what_a_start_imports(image, tmp_path):
    found = tmp_path / "startup-modules.txt"
    result = subprocess.run([PROJECT_ROOT / "scripts" / "startup-modules", "--image", image, "--output", found],
                            capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]
    found_modules, committed_modules = modules(found.read_text()), modules(COMMITTED.read_text())
    assert result.stdout.strip() == f"{found}: {len(found_modules)} modules"
    new, gone = found_modules - committed_modules, committed_modules - found_modules
    assert not new and not gone, (
        f"image/startup-modules.txt is stale: a start of {image} imports {len(new)} modules it does not list "
        f"({sorted(new)[:5]}...) and not {len(gone)} it lists ({sorted(gone)[:5]}...); "
        "run scripts/startup-modules and commit the file")
    assert found.read_bytes() == COMMITTED.read_bytes(), "same modules, but not the header scripts/startup-modules writes"


def test_the_built_image_compiled_every_listed_module(image):
    # Unchecked-hash .pyc (flags field 1, PEP 552) for every listed source: none missing, none checked.
    result = subprocess.run(["docker", "run", "-i", "--rm", "--network", "none", image, "python", "-c",
                             "import importlib.util, pathlib, sys, sysconfig\n"
                             "site = pathlib.Path(sysconfig.get_path('purelib'))\n"
                             "listed = [l for l in sys.stdin.read().splitlines() if l and not l.startswith('#')]\n"
                             "pycs = [pathlib.Path(importlib.util.cache_from_source(site / l)) for l in listed]\n"
                             "flags = [p.read_bytes()[4] if p.exists() else None for p in pycs]\n"
                             "print(len(listed), flags.count(1), flags.count(None))"],
                            input=COMMITTED.read_text(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    listed, unchecked, missing = map(int, result.stdout.split())
    assert listed > 1000 and unchecked == listed and missing == 0, result.stdout
