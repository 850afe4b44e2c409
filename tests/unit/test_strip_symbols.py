"""image/strip_symbols.py on a shared library gcc builds with debug information: the debug
sections and the static symbol table go, what the dynamic linker reads stays byte for byte."""

import ctypes
import shutil
import subprocess

import pytest

from tests.support.elf_strip import strip_and_check, strip_symbols

pytestmark = pytest.mark.skipif(not (shutil.which("gcc") and shutil.which("readelf")), reason="needs gcc and readelf")

SOURCE = """
#include <math.h>
static int helper(int x) { return x * 3; }
int triple_plus_four(int x) { return helper(x) + (int)sqrt(16.0); }
"""


@pytest.fixture
def library(tmp_path):
    (tmp_path / "lib.c").write_text(SOURCE)
    path = tmp_path / "libdemo.so"
    subprocess.run(["gcc", "-g", "-O1", "-shared", "-fPIC", "-o", path, tmp_path / "lib.c", "-lm"], check=True)
    return path


def test_debug_sections_and_symtab_are_dropped_and_the_library_still_works(library):
    assert ".comment" in strip_and_check(library)
    assert ctypes.CDLL(str(library)).triple_plus_four(5) == 19


def test_a_stripped_library_and_other_files_are_left_as_they_are(library, tmp_path):
    strip_symbols.strip_file(library)
    stripped = library.read_bytes()
    text = tmp_path / "notes.so.txt"
    text.write_text("not an ELF file")
    assert strip_symbols.strip_file(library) == 0 and library.read_bytes() == stripped
    assert strip_symbols.strip_file(text) == 0 and text.read_text() == "not an ELF file"


def test_stripping_is_deterministic(library, tmp_path):
    copy = tmp_path / "copy.so"
    shutil.copy2(library, copy)
    strip_symbols.strip_file(library)
    strip_symbols.strip_file(copy)
    assert library.read_bytes() == copy.read_bytes()
