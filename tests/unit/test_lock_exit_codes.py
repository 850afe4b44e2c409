"""One exit-code contract (lock/errors.py): bad input of any kind is 2 and is refused before the
resolver runs; messages are one capped line. The resolver is the stand-in: it must not be called."""

from __future__ import annotations

import pytest

from lock.cli import main
from lock.errors import MAX_MESSAGE


def run(root, capsys, *args):
    code = main(["-q", "--project", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("requirements", "line"),
    [
        ("six \\\n", 1),  # the last line continues into nothing
        ("six\nattrs \\\n\nnumpy\n", 2),  # a continuation into a blank line: uv refuses it too
    ],
)
def test_dangling_continuation_is_input_error(project, fake_resolver, snapshot, capsys, requirements, line):
    root = project(requirements)
    before = snapshot(root)
    code, _, err = run(root, capsys)
    assert code == 2
    assert err.startswith(f"lock: error: requirements.in:{line}: the line ends with `\\` (a continuation)")
    assert fake_resolver.calls == [] and snapshot(root) == before


def test_continuation_into_a_comment_is_fine(project, fake_resolver, capsys):
    root = project("six \\\n# a comment\n")
    assert run(root, capsys)[0] == 0


@pytest.mark.parametrize("platform", ["aarch64-manylinux_2_27", "x86_64-musllinux_1_2"])
def test_platform_uv_cannot_take_is_input_error(project, fake_resolver, snapshot, capsys, platform):
    root = project("six\n", platforms=("x86_64-manylinux_2_28", platform))
    before = snapshot(root)
    code, _, err = run(root, capsys)
    assert code == 2
    assert err.startswith(f"lock: error: pyproject.toml [tool.lock] platforms: unsupported platform '{platform}'")
    assert fake_resolver.calls == [] and snapshot(root) == before


@pytest.mark.parametrize("args", [(), ("add",)])
def test_huge_name_is_input_error_with_a_short_message(project, fake_resolver, snapshot, capsys, args):
    huge = "a" * 100_000
    root = project("six\n" if args else f"{huge}\n")
    before = snapshot(root)
    code, _, err = run(root, capsys, *args, *([huge] if args else []))
    assert code == 2
    assert "is longer than 128 characters" in err and "(100000 characters)" in err
    assert len(err) < MAX_MESSAGE + 50 and err.count("\n") == 1
    assert fake_resolver.calls == [] and snapshot(root) == before


def test_every_message_is_capped(project, fake_resolver, capsys):
    root = project("six\n")
    code, _, err = run(root, capsys, "upgrade", "x" * 50_000)
    assert code == 2 and len(err) <= MAX_MESSAGE + len("lock: error: \n")


def test_missing_output_directory_is_input_error_before_resolving(project, fake_resolver, capsys):
    root = project("six\n")
    (root / "pyproject.toml").write_text((root / "pyproject.toml").read_text() + 'output = "nowhere/x.lock"\n')
    code, _, err = run(root, capsys)
    assert code == 2 and "its directory nowhere does not exist" in err
    assert fake_resolver.calls == []


def test_unreadable_input_is_one_line_naming_it(project, fake_resolver, capsys):
    root = project("-r sub\n", files={"sub/x": ""})  # sub is a directory
    code, _, err = run(root, capsys)
    assert code == 2 and err == "lock: error: requirements.in:1: sub is a directory, not a requirements file\n"


def test_input_uv_refuses_is_still_input_error(tmp_path):
    """Should lock's own checks ever let through what uv refuses, the real uv's refusal is 2, not
    "index unreachable" (4). uv checks its arguments before touching the network."""
    from lock.backends import uv as uv_backend
    from lock.cutoff import Cutoffs
    from lock.errors import InputError
    from lock.config import Platform

    (tmp_path / "requirements.in").write_text("six\n")
    odd = Platform("x86_64-musllinux_1_2", "x86_64", "musl", None)  # bypasses Platform.parse
    with pytest.raises(InputError, match=r"^uv refused the input for Python 3.13 on x86_64-musllinux_1_2: invalid value"):
        uv_backend.resolve(root=tmp_path, requirements="requirements.in", python="3.13", platform=odd,
                           cutoffs=Cutoffs("2024-06-01T00:00:00Z"))
    (tmp_path / "requirements.in").write_text("six \\\n\n")
    x86 = Platform.parse("x86_64-manylinux_2_28")
    with pytest.raises(InputError, match="Couldn't parse requirement"):
        uv_backend.resolve(root=tmp_path, requirements="requirements.in", python="3.13", platform=x86,
                           cutoffs=Cutoffs("2024-06-01T00:00:00Z"))


def test_the_exit_code_table_documents_every_code_and_the_check_order():
    """docs/lock-exit-codes.md: one row per code of lock/errors.py, and check's order over several locks."""
    import re

    from lock import errors
    from tests.support.paths import PROJECT_ROOT

    text = (PROJECT_ROOT / "docs" / "lock-exit-codes.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([\d, ]+) \|", text, re.M)
    documented = [int(c) for row in rows for c in row.split(",") if c.strip()]
    codes = {v for k, v in vars(errors).items() if k.startswith("EXIT_")}
    assert set(documented) >= codes and 143 in documented and 129 in documented
    order = [int(c) for c in re.findall(r"^\d\. \*\*(\d)\*\*", text, re.M)]
    assert tuple(order) == errors.CHECK_SEVERITY
