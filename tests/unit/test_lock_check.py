"""`lock check`: offline, fast, and says what differs -- stale inputs, changed targets, hand edits."""

from __future__ import annotations

import re
import subprocess

import pytest

from lock import header
from lock.backends import uv as uv_backend
from lock.cli import main
from tests.support.lock_helpers import run_lock


@pytest.fixture
def locked(project, fake_resolver):
    root = project(
        "# the image\nsix\n-r dev.in\n-c constraints.txt\n",
        files={"dev.in": "attrs>=20\n", "constraints.txt": "attrs<30\n"},
    )
    assert main(["--project", str(root), "-q", "--exclude-newer", "2024-06-01"]) == 0
    return root


def check(root, capsys, *args):
    code = main(["check", "--project", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_fresh_lock_passes(locked, capsys):
    code, out, err = check(locked, capsys)
    assert code == 0, err
    assert out.startswith("lock: requirements.lock is up to date (2 packages, Python 3.13, ")


def test_comment_and_spacing_edits_do_not_make_it_stale(locked, capsys):
    req = locked / "requirements.in"
    req.write_text("# the image, edited comment\n  SIX   # same package\n\n-r dev.in\n-c constraints.txt\n")
    assert check(locked, capsys)[0] == 0


def test_new_requirement_is_named(locked, capsys):
    with (locked / "requirements.in").open("a") as f:
        f.write("numpy\n")
    code, out, err = check(locked, capsys)
    assert code == 1
    assert err.splitlines() == [
        "lock: requirements.lock is out of date -- run `lock` to update it:",
        "  - requirements.in changed since the lock was made: `numpy` (requirements.in:5) is not in the lock",
    ]


def test_removed_and_unsatisfied_requirements_are_named(locked, capsys):
    (locked / "requirements.in").write_text("six>=2\n-r dev.in\n-c constraints.txt\n")
    (locked / "dev.in").write_text("")
    code, _, err = check(locked, capsys)
    assert code == 1
    assert "`six>=2` (requirements.in:1) does not allow the locked six==1.0" in err
    assert (
        "dev.in changed since the lock was made: `attrs` is no longer in dev.in (the lock has it as a direct requirement)"
        in err
    )


def test_changed_constraints_file(locked, capsys):
    (locked / "constraints.txt").write_text("attrs<1\n")
    _, _, err = check(locked, capsys)
    assert (
        "constraints.txt changed since the lock was made: `attrs<1` (constraints.txt:1) does not allow the locked attrs==1.0"
        in err
    )


def test_new_and_dropped_include(locked, capsys):
    (locked / "extra.in").write_text("idna\n")
    (locked / "requirements.in").write_text("six\n-r extra.in\n-c constraints.txt\n")
    code, _, err = check(locked, capsys)
    assert code == 1
    assert "extra.in is a new input (requirements file) since the lock was made" in err
    assert "dev.in is no longer an input of the lock" in err


def test_dockerfile_python_change(locked, capsys):
    (locked / "Dockerfile").write_text("ARG BASE_IMAGE=python:3.14-slim-trixie\n")
    code, _, err = check(locked, capsys)
    assert code == 1
    assert "Dockerfile:1 now uses Python 3.14 (python:3.14-slim-trixie); the lock was made for Python 3.13" in err


def test_platform_change(locked, capsys):
    pyproject = locked / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(', "aarch64-manylinux_2_28"', ""))
    _, _, err = check(locked, capsys)
    assert (
        "pyproject.toml [tool.lock] platforms are now x86_64-manylinux_2_28; the lock was made for "
        "x86_64-manylinux_2_28 aarch64-manylinux_2_28"
    ) in err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("six==1.0 \\", "six>=1.0 \\"), "requirements.lock:"),
        (lambda t: t + "idna==3.7\n", "'idna==3.7' has no --hash"),
        (
            lambda t: re.sub(r"(--hash=sha256:)[0-9a-f]{64}", r"\g<1>" + "0" * 64, t, count=1),
            "its pins were edited by hand",
        ),
        (lambda t: t + "# a note\n", "its pins were edited by hand"),
        (
            lambda t: t.replace("exclude-newer: 2024-06-01T00:00:00Z", "exclude-newer: 2025-06-01T00:00:00Z"),
            "its header was edited by hand",
        ),
        (lambda t: t.replace("DO NOT EDIT", "edit freely"), "its header was edited by hand"),
        (lambda t: header.parse(t).body, "no lock header"),
    ],
)
def test_hand_edits(locked, capsys, edit, message):
    lock = locked / "requirements.lock"
    edited = edit(lock.read_text())
    assert edited != lock.read_text()
    lock.write_text(edited)
    code, _, err = check(locked, capsys)
    assert code == 1
    assert err.startswith("lock: requirements.lock was edited by hand -- run `lock` to regenerate it")
    assert message in err


def test_unpinned_line_is_named_with_line_number(locked, capsys):
    lock = locked / "requirements.lock"
    lines = lock.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("six=="))
    lines[number - 1] = lines[number - 1].replace("six==1.0", "six")
    lock.write_text("".join(lines))
    _, _, err = check(locked, capsys)
    assert f"  - requirements.lock:{number}: 'six' is not pinned with ==" in err


def test_missing_lock(project, capsys):
    code, _, err = check(project("six\n"), capsys)
    assert code == 1
    assert err.startswith("lock: requirements.lock does not exist -- run `lock` to create it")


def test_broken_requirements_in_is_an_input_error(locked, capsys):
    (locked / "requirements.in").write_text("six\n-e .\n")
    code, _, err = check(locked, capsys)
    assert code == 2
    assert (
        err
        == "lock: error: requirements.in:2: editable requirement '-e .' cannot be locked reproducibly; require a released version\n"
    )


def test_check_runs_no_resolver(locked, capsys, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("lock check must not run a subprocess or look for uv")

    monkeypatch.setattr(subprocess, "run", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    monkeypatch.setattr(uv_backend, "uv_bin", forbidden)
    assert check(locked, capsys)[0] == 0


def test_check_works_offline_as_a_process(locked):
    # No PATH (so no uv) and a dead proxy: check must need neither. Its speed is a benchmark
    # (tests/benchmarks/test_lock_time.py), not an assertion here.
    env = {"PATH": "/nonexistent", "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    proc = run_lock(locked, "check", env=env)
    assert proc.returncode == 0, proc.stderr


def test_crlf_lock_is_edited_and_lock_rewrites_it(locked, capsys):
    lock = locked / "requirements.lock"
    lf = lock.read_bytes()
    lock.write_bytes(lf.replace(b"\n", b"\r\n"))
    code, _, err = check(locked, capsys)
    assert code == 1
    assert err.splitlines() == [
        "lock: requirements.lock was edited by hand -- run `lock` to regenerate it "
        "(change requirements.in, or use `lock add` / `lock upgrade`, instead of the lock):",
        "  - requirements.lock: its line ends were changed to CRLF (lock writes LF)",
    ]
    assert main(["--project", str(locked), "-q"]) == 0
    assert lock.read_bytes() == lf
    assert check(locked, capsys)[0] == 0


def test_consistent_reformatting_is_edited(locked, capsys):
    """Trailing spaces with a recomputed body-sha256: the pins match, the bytes are not lock's."""
    lock = locked / "requirements.lock"
    parsed = header.parse(lock.read_text())
    body = parsed.body.replace(" \\\n", "   \\\n")
    lock.write_text(header.render(parsed.settings, body))
    code, _, err = check(locked, capsys)
    assert code == 1
    assert "its bytes are not what lock writes" in err
