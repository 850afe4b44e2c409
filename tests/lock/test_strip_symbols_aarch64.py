"""image/strip_symbols.py on a real aarch64 library: markupsafe's _speedups from the lock's aarch64
wheel (24 kB, built with debug information), downloaded through the lock's index client and checked
against the lock's sha256. The host's readelf reads aarch64: the debug sections and the static
symbol table go, what the dynamic linker reads stays byte for byte."""

import re
import shutil
import zipfile

import pytest

from lock import index
from tests.support.elf_strip import readelf, strip_and_check
from tests.support.paths import PROJECT_ROOT

pytestmark = [pytest.mark.network, pytest.mark.skipif(not shutil.which("readelf"), reason="needs readelf")]

PACKAGE = "markupsafe"
WHEEL_TAG = "cp313-cp313-manylinux2014_aarch64"
LIBRARY = "markupsafe/_speedups.cpython-313-aarch64-linux-gnu.so"


def locked_hashes(name):
    """The sha256 of every file requirements.lock allows for `name`."""
    text = (PROJECT_ROOT / "requirements.lock").read_text()
    entry = re.search(rf"^{re.escape(name)}==\S+((?: \\\n +--hash=sha256:[0-9a-f]+)+)", text, re.M)
    assert entry, f"{name} is not in requirements.lock"
    return set(re.findall(r"sha256:([0-9a-f]+)", entry.group(1)))


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    hashes = locked_hashes(PACKAGE)
    client = index.shared(index.index_url())
    wheel = next(f for f in client.page(PACKAGE) if WHEEL_TAG in f.filename and f.sha256 in hashes)
    folder = tmp_path_factory.mktemp("aarch64")
    client.download(wheel.url, wheel.sha256, folder / wheel.filename)  # fails unless the sha256 matches
    path = folder / "_speedups.so"
    path.write_bytes(zipfile.ZipFile(folder / wheel.filename).read(LIBRARY))
    return path


def test_an_aarch64_library_loses_its_debug_sections_and_symtab_and_keeps_what_loads_it(library):
    assert "Machine:                           AArch64" in readelf("-h", library)
    mapped = loaded_bytes(library)
    assert ".dynsym" in strip_and_check(library)
    assert loaded_bytes(library) == mapped


def loaded_bytes(path):
    """The file bytes of every PT_LOAD segment (what the loader maps), the ELF header left out: its
    section-header fields (e_shoff, e_shnum) change with the sections, and the loader does not read them."""
    data = bytes(64) + path.read_bytes()[64:]
    segments = re.findall(r"^\s+LOAD\s+0x([0-9a-f]+)\s+\S+\s+\S+\s+0x([0-9a-f]+)", readelf("-l", path), re.M)
    assert segments
    return [data[int(offset, 16):int(offset, 16) + int(size, 16)] for offset, size in segments]
