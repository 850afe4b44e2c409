"""image/strip_symbols.py loaded for tests, and the check every stripped library must pass (the
host's own x86-64 build in tests/unit, a locked aarch64 wheel's library in tests/lock)."""

from __future__ import annotations

import importlib.util
import subprocess

from tests.support.paths import PROJECT_ROOT

_spec = importlib.util.spec_from_file_location("strip_symbols", PROJECT_ROOT / "image" / "strip_symbols.py")
strip_symbols = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(strip_symbols)


def readelf(*args) -> str:
    return subprocess.run(["readelf", "-W", *args], check=True, capture_output=True, text=True).stdout


def strip_and_check(library) -> str:
    """Strip `library` in place: its debug sections and symtab were there and are gone, the bytes
    saved are what strip_file says, and the program headers, dynamic section and dynsym (what
    loads it) are unchanged. Returns readelf's section list after, for checks of the caller's own."""
    before_sections, loaded = readelf("-S", library), readelf("-l", "-d", "--dyn-syms", library)
    assert ".debug_info" in before_sections and ".symtab" in before_sections
    size = library.stat().st_size

    saved = strip_symbols.strip_file(library)

    after_sections = readelf("-S", library)
    assert saved == size - library.stat().st_size > 0
    assert ".debug_" not in after_sections and ".symtab" not in after_sections and ".strtab" not in after_sections
    assert ".shstrtab" in after_sections
    assert readelf("-l", "-d", "--dyn-syms", library) == loaded
    return after_sections
