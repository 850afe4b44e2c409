"""Builder step: drop jedi's bundled third-party type stubs for modules that are not installed.

jedi ships typeshed's stubs for ~150 third-party distributions (~25 MB). It reads a stub only
when the module it describes is imported, so stubs of modules that are not in this venv can never
be used: no completion changes. Stubs of installed modules (six, dateutil, ...) are kept.
"""

import importlib.util
import pathlib
import shutil

import jedi

STUBS = pathlib.Path(jedi.__file__).parent / "third_party" / "typeshed" / "stubs"


def installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


removed = 0
for distribution in sorted(p for p in STUBS.iterdir() if p.is_dir()):
    modules = [p.name.removesuffix(".pyi") for p in distribution.iterdir() if p.is_dir() or p.suffix == ".pyi"]
    if not any(installed(m) for m in modules):
        removed += sum(f.stat().st_size for f in distribution.rglob("*") if f.is_file())
        shutil.rmtree(distribution)
print(f"removed {removed / 1e6:.1f} MB of stubs for modules that are not installed")
