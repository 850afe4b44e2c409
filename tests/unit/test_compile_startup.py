"""image/compile_startup.py compile, as the build runs it, in a throwaway venv: the listed modules
get unchecked-hash bytecode, byte-identical run to run; modules no longer installed are skipped and
counted; a line that is not a relative .py path stops it with the file and line, before anything
is written."""

import pathlib
import subprocess
import sys
import venv

import pytest

from tests.support.paths import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "image" / "compile_startup.py"
TAG = sys.implementation.cache_tag  # the throwaway venv runs this Python


@pytest.fixture
def site(tmp_path):
    """A venv without pip (fast) and its site-packages, holding a small package."""
    venv.create(tmp_path / "venv", with_pip=False)
    python = tmp_path / "venv" / "bin" / "python"
    site = pathlib.Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                       check=True, capture_output=True, text=True).stdout.strip())
    for name in ("a", "b", "c", "d", "e"):
        (site / "pkg" / name).mkdir(parents=True)
        (site / "pkg" / name / "__init__.py").write_text(f"VALUE = {{'{name}', 1, 2.5}}\n")
    (site / "pkg" / "__init__.py").write_text("")
    return python, site


@pytest.fixture
def listing(tmp_path):
    return tmp_path / "startup-modules.txt"


def compile_list(python, listing, text=None):
    """Run `compile_startup.py compile LISTING` as the build does, after writing text into it if given."""
    if text is not None:
        listing.write_text(text)
    return subprocess.run([python, SCRIPT, "compile", listing], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})


def pycs(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*.pyc"))}


def test_listed_modules_get_unchecked_hash_bytecode_the_same_every_run(site, listing):
    python, site_packages = site
    result = compile_list(python, listing,
                          "# a comment\npkg/__init__.py\npkg/a/__init__.py\n\npkg/c/__init__.py\npkg/e/__init__.py\n")
    assert result.returncode == 0, result.stderr
    assert "compiled the 4 modules" in result.stderr and "not in this venv" not in result.stderr
    first = pycs(site_packages)
    assert sorted(first) == [f"pkg/{d}__pycache__/__init__.{TAG}.pyc" for d in ("", "a/", "c/", "e/")]
    assert {data[4] for data in first.values()} == {1}  # PEP 552 flags: hash-based, unchecked
    for pyc in site_packages.rglob("*.pyc"):
        pyc.unlink()
    assert compile_list(python, listing).returncode == 0
    assert pycs(site_packages) == first


def test_modules_no_longer_installed_are_skipped_and_counted(site, listing):
    python, site_packages = site
    result = compile_list(python, listing, "pkg/a/__init__.py\ngone/__init__.py\ngone/module.py\n")
    assert result.returncode == 0, result.stderr
    assert "2 modules of startup-modules.txt are not in this venv, skipped" in result.stderr
    assert "scripts/startup-modules" in result.stderr
    assert list(pycs(site_packages)) == [f"pkg/a/__pycache__/__init__.{TAG}.pyc"]


@pytest.mark.parametrize("line", ["/opt/venv/lib/python3.13/site-packages/pkg/a/__init__.py",
                                  "../../../etc/passwd.py", "pkg/a/", "pkg/a/data.json"])
def test_a_line_that_is_not_a_relative_module_path_stops_it_naming_the_line(site, listing, line):
    python, site_packages = site
    result = compile_list(python, listing, f"# header\npkg/a/__init__.py\n{line}\n")
    assert result.returncode == 1
    assert result.stderr.strip() == f"{listing}:3: not a .py path relative to site-packages: {line!r}"
    assert pycs(site_packages) == {}


def test_public_lists_the_data_packages_modules_but_private_ones_and_tests(tmp_path):
    venv.create(tmp_path / "venv", with_pip=False)
    python = tmp_path / "venv" / "bin" / "python"
    site = pathlib.Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                       check=True, capture_output=True, text=True).stdout.strip())
    for path in ("sklearn/__init__.py", "sklearn/linear_model/__init__.py", "sklearn/linear_model/_base.py",
                 "sklearn/_loss/loss.py", "sklearn/tests/test_x.py", "sklearn/conftest.py", "sklearn/__main__.py",
                 "scipy/stats/__init__.py", "scipy/stats/morestats.py", "otherpkg/__init__.py"):
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text("")
    result = subprocess.run([python, SCRIPT, "public"], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["scipy.stats", "scipy.stats.morestats", "sklearn", "sklearn.linear_model"]
