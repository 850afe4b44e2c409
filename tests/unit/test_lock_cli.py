"""The command line, with uv replaced by a stand-in (tests/lock runs the real one): what each
command writes and prints, the cut-off bookkeeping, and that failures change no file."""

from __future__ import annotations

import os
import re

import pytest

from lock import header
from lock.cli import main
from tests.support.lock_helpers import run_lock

OLD = "2024-06-01T00:00:00Z"


def run(root, capsys, *args):
    """main() in root, quiet: stderr holds errors only (without -q a progress line comes first)."""
    code = main(
        [*args, "-q", "--project", str(root)]
        if args and args[0] in ("add", "upgrade", "check")
        else ["-q", "--project", str(root), *args]
    )
    out, err = capsys.readouterr()
    return code, out, err


def recorded(root):
    return header.parse((root / "requirements.lock").read_text()).settings


def test_lock_writes_pins_and_reports_them(project, fake_resolver, capsys):
    root = project("six\nattrs\n")
    code, out, _ = run(root, capsys, "--exclude-newer", "2024-06-01")
    assert code == 0
    assert out.splitlines()[1:] == ["  added       attrs 1.0", "  added       six 1.0"]
    assert sorted(c["platform"] for c in fake_resolver.calls) == ["aarch64-manylinux_2_28", "x86_64-manylinux_2_28"]
    assert {c["python"] for c in fake_resolver.calls} == {"3.13"}
    assert [c["preferences"] for c in fake_resolver.calls] == [{}, {}]  # no lock yet: nothing to keep
    assert recorded(root).cutoffs.exclude_newer == OLD


def test_relock_reuses_the_recorded_cutoff_and_is_byte_identical(project, fake_resolver, capsys):
    root = project("six\n")
    run(root, capsys, "--exclude-newer", "2024-06-01")
    lock = root / "requirements.lock"
    before, stat = lock.read_bytes(), lock.stat()
    code, out, _ = run(root, capsys)
    assert code == 0 and out.startswith("lock: requirements.lock is up to date")
    assert fake_resolver.calls[-1]["cutoffs"].exclude_newer == OLD
    assert fake_resolver.calls[-1]["preferences"] == {"six": "1.0"}  # the pins the resolver keeps if it can
    assert lock.read_bytes() == before and lock.stat().st_mtime_ns == stat.st_mtime_ns  # not even rewritten
    lock.unlink()
    run(root, capsys, "--exclude-newer", OLD)
    assert lock.read_bytes() == before


def test_first_lock_without_cutoff_uses_now(project, fake_resolver, capsys):
    root = project("six\n")
    assert run(root, capsys)[0] == 0
    assert re.fullmatch(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", recorded(root).cutoffs.exclude_newer)


def test_add_appends_relocks_and_gives_new_packages_their_own_cutoff(project, fake_resolver, capsys):
    root = project("# keep me\nsix  # and me\n")
    run(root, capsys, "--exclude-newer", OLD)
    code, out, _ = run(root, capsys, "add", "Attrs >= 20", "idna", "--exclude-newer", "2025-01-01")
    assert code == 0
    assert fake_resolver.calls[-1]["preferences"] == {"six": "1.0"}  # every other pin stays where it can
    assert (root / "requirements.in").read_text() == "# keep me\nsix  # and me\nAttrs>=20\nidna\n"
    s = recorded(root)
    assert s.cutoffs.exclude_newer == OLD
    assert s.cutoffs.packages == (("attrs", "2025-01-01T00:00:00Z"), ("idna", "2025-01-01T00:00:00Z"))
    assert "  added       attrs 1.0\n" in out and "  added       idna 1.0\n" in out
    assert main(["check", "--project", str(root)]) == 0
    assert sorted(p.name for p in root.iterdir()) == [
        "Dockerfile",
        "pyproject.toml",
        "requirements.in",
        "requirements.lock",
        "requirements.lock.index-view",
    ]


def test_add_keeps_crlf_files_crlf(project, fake_resolver, capsys):
    root = project("six\n")
    (root / "requirements.in").write_bytes(b"six\r\n")
    run(root, capsys, "add", "attrs")
    assert (root / "requirements.in").read_bytes() == b"six\r\nattrs\r\n"


@pytest.mark.parametrize(
    ("specs", "code", "message"),
    [
        (["nosuch"], 3, "lock: error: unknown package 'nosuch'\n"),
        (["attrs>>2"], 2, "lock: error: lock add 'attrs>>2': malformed requirement 'attrs>>2': "),
        (
            ["SIX>=1"],
            2,
            "lock: error: lock add 'SIX>=1': six is already required (requirements.in:2: 'six'); edit that line instead\n",
        ),
        (
            ["idna"],
            2,
            "lock: error: lock add 'idna': idna is already required (dev.in:1: 'idna'); edit that line instead\n",
        ),
        (["attrs", "Attrs"], 2, "lock: error: lock add 'Attrs': attrs is given twice\n"),
        (["-e ."], 2, "lock: error: lock add '-e .': "),
        (
            ["git+https://github.com/pallets/flask"],
            2,
            "lock: error: lock add 'git+https://github.com/pallets/flask': VCS requirement",
        ),
        (["./pkg"], 2, "lock: error: lock add './pkg': local path"),
    ],
)
def test_failed_add_leaves_every_file_byte_for_byte(project, fake_resolver, capsys, snapshot, specs, code, message):
    root = project("# comment\nsix\n-r dev.in\n", files={"dev.in": "idna\n"})
    run(root, capsys, "--exclude-newer", OLD)
    fake_resolver.unknown = {"nosuch"}
    before = snapshot(root)
    got, out, err = run(root, capsys, "add", *specs)
    assert got == code
    assert err.startswith(message) if not message.endswith("\n") else err == message
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert snapshot(root) == before


def test_upgrade_moves_the_global_cutoff_and_drops_per_package_ones(project, fake_resolver, capsys):
    root = project("six\n")
    run(root, capsys, "--exclude-newer", OLD)
    run(root, capsys, "add", "attrs", "--exclude-newer", "2024-07-01")
    fake_resolver.versions = {"six": "1.1"}
    code, out, _ = run(root, capsys, "upgrade", "--exclude-newer", "2025-01-01")
    assert code == 0
    assert fake_resolver.calls[-1]["preferences"] == {}  # every pin may move
    assert recorded(root).cutoffs.exclude_newer == "2025-01-01T00:00:00Z"
    assert recorded(root).cutoffs.packages == ()
    assert "  upgraded    six 1.0 -> 1.1\n" in out
    assert (
        "  cut-off     exclude-newer 2024-06-01T00:00:00Z, attrs 2024-07-01T00:00:00Z -> exclude-newer 2025-01-01T00:00:00Z\n"
        in out
    )


def test_upgrade_named_packages_only(project, fake_resolver, capsys):
    root = project("six\nattrs\n")
    run(root, capsys, "--exclude-newer", OLD)
    code, _, _ = run(root, capsys, "upgrade", "SIX", "--exclude-newer", "2025-01-01")
    assert code == 0
    s = recorded(root)
    assert (s.cutoffs.exclude_newer, s.cutoffs.packages) == (OLD, (("six", "2025-01-01T00:00:00Z"),))
    assert fake_resolver.calls[-1]["cutoffs"] == s.cutoffs
    assert fake_resolver.calls[-1]["preferences"] == {"attrs": "1.0"}  # six may move, attrs stays


def test_a_new_global_cutoff_keeps_no_pin(project, fake_resolver, capsys):
    root = project("six\n")
    run(root, capsys, "--exclude-newer", OLD)
    assert run(root, capsys, "--exclude-newer", "2025-01-01")[0] == 0
    assert fake_resolver.calls[-1]["preferences"] == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["upgrade", "numpy"],
            "lock: error: lock upgrade 'numpy': numpy is not in requirements.lock (to add it: lock add numpy)\n",
        ),
        (["upgrade", "not a name"], "lock: error: lock upgrade 'not a name': not a package name\n"),
        (["upgrade", "--exclude-newer", "soon"], "lock: error: --exclude-newer: cannot read 'soon' as a date"),
        (["--exclude-newer", "2999-01-01"], "lock: error: --exclude-newer: 2999-01-01T00:00:00Z is in the future"),
    ],
)
def test_bad_upgrade_arguments(project, fake_resolver, capsys, snapshot, args, message):
    root = project("six\n")
    run(root, capsys, "--exclude-newer", OLD)
    before = snapshot(root)
    code, _, err = run(root, capsys, *args)
    assert code == 2 and err.startswith(message) and len(err.splitlines()) == 1
    assert snapshot(root) == before


def test_upgrade_of_one_package_needs_a_lock(project, fake_resolver, capsys):
    code, _, err = run(project("six\n"), capsys, "upgrade", "six")
    assert code == 2 and "run `lock` first" in err


def test_platforms_that_disagree_write_nothing(project, fake_resolver, capsys):
    root = project("numpy\n")
    fake_resolver.versions = {("numpy", "aarch64-manylinux_2_28"): "0.9"}
    code, _, err = run(root, capsys, "--exclude-newer", OLD)
    assert code == 3
    assert err.startswith(
        "lock: error: the target platforms resolve to different versions of numpy (1.0 on x86_64-manylinux_2_28, 0.9 on aarch64-manylinux_2_28"
    )
    assert not (root / "requirements.lock").exists()


def test_interrupt_writes_nothing(project, fake_resolver, capsys, snapshot):
    root = project("six\n")
    fake_resolver.interrupt = True
    code, _, err = run(root, capsys, "add", "attrs")
    assert code == 130 and err == "lock: interrupted; no file was changed\n"
    assert snapshot(root) == {
        "Dockerfile": (root / "Dockerfile").read_bytes(),
        "pyproject.toml": (root / "pyproject.toml").read_bytes(),
        "requirements.in": b"six\n",
    }


def test_missing_requirements_in(project, fake_resolver, capsys):
    root = project("six\n")
    (root / "requirements.in").unlink()
    code, _, err = run(root, capsys)
    assert code == 2
    assert (
        err
        == "lock: error: requirements.in: not found (create it, or set [tool.lock] requirements in pyproject.toml)\n"
    )
    assert not (root / "requirements.lock").exists()


def test_malformed_line_leaves_the_lock_alone(project, fake_resolver, capsys, snapshot):
    root = project("six\n")
    run(root, capsys, "--exclude-newer", OLD)
    (root / "requirements.in").write_text("six\nnumpy>>2\n")
    before = snapshot(root)
    code, _, err = run(root, capsys)
    assert code == 2
    assert (
        err.startswith("lock: error: requirements.in:2: malformed requirement 'numpy>>2'")
        and len(err.splitlines()) == 1
    )
    assert snapshot(root) == before


def test_pip_tools_refuses_a_target_it_cannot_resolve_for(project, capsys):
    root = project("six\n", python="3.99")
    code, _, err = run(root, capsys, "--backend", "pip-tools")
    assert code == 2
    assert err.startswith("lock: error: pip-tools resolves for the running Python ") and "use the uv backend" in err
    assert len(err.splitlines()) == 1
    assert not (root / "requirements.lock").exists()


def test_diff_prints_markdown(project, fake_resolver, capsys, tmp_path):
    root = project("six\n")
    run(root, capsys, "--exclude-newer", OLD)
    old = tmp_path / "old.lock"
    old.write_bytes((root / "requirements.lock").read_bytes())
    fake_resolver.versions = {"six": "1.1"}
    run(root, capsys, "upgrade", "--exclude-newer", "2025-01-01")
    assert main(["diff", str(old), str(root / "requirements.lock")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("### Dependency changes in `requirements.lock`\n")
    assert "Cut-off (uploads up to): exclude-newer 2024-06-01T00:00:00Z → exclude-newer 2025-01-01T00:00:00Z" in out
    assert "| `six` | upgraded | 1.0 | 1.1 |" in out
    assert main(["diff", "--exit-code", str(old), str(root / "requirements.lock")]) == 1
    assert main(["diff", "--exit-code", str(old), str(old)]) == 0
    assert main(["diff", "--format", "text", str(old), str(root / "requirements.lock")]) == 0
    assert capsys.readouterr().out.endswith("  upgraded    six 1.0 -> 1.1\n")


def test_diff_reads_locks_without_our_header(tmp_path, capsys):
    (tmp_path / "a").write_text("# made by hand\nsix==1.0 \\\n    --hash=sha256:" + "a" * 64 + "\n")
    (tmp_path / "b").write_text("# made by hand: no packages\n")
    assert main(["diff", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert "| `six` | removed | 1.0 |  |" in capsys.readouterr().out
    assert main(["diff", os.devnull, str(tmp_path / "a")]) == 0  # no lock yet
    assert "| `six` | added |  | 1.0 |" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["frobnicate"], "lock: error: argument COMMAND: invalid choice: 'frobnicate'"),
        (["--backend", "poetry"], "lock: error: argument --backend: invalid choice: 'poetry'"),
        (["add"], "lock: error: the following arguments are required: SPEC"),
        (["diff", "only-one"], "lock: error: the following arguments are required: NEW"),
        (["diff", "nope.lock", "nope2.lock"], "lock: error: nope.lock: not found"),
        (["--project", "/nonexistent/dir"], "lock: error: --project /nonexistent/dir: not a directory"),
    ],
)
def test_usage_errors_are_one_line_exit_2(capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and len(err.splitlines()) == 1


def test_no_pyproject(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    assert capsys.readouterr().err.startswith("lock: error: no pyproject.toml in ")


def test_python_dash_m_and_help(tmp_path):
    proc = run_lock(tmp_path, "--help")
    assert proc.returncode == 0
    assert "Exit codes: 0 ok, 1 check failed" in " ".join(proc.stdout.split())


def test_relock_uses_the_backend_the_lock_was_made_with(project, fake_resolver, capsys):
    root = project("six\n", python="3.99")
    run(root, capsys, "--exclude-newer", OLD)
    lock = root / "requirements.lock"
    parsed = header.parse(lock.read_text())
    pip_tools = header.Settings(**{**parsed.settings.__dict__, "backend": "pip-tools"})
    lock.write_text(header.render(pip_tools, parsed.body))
    code, _, err = run(root, capsys)  # no --backend: pip-tools, which refuses Python 3.99
    assert code == 2 and err.startswith("lock: error: pip-tools resolves for the running Python")
    assert run(root, capsys, "--backend", "uv")[0] == 0


def test_unwritable_output_is_one_line(project, fake_resolver, capsys):
    root = project("six\n")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'output = "missing-dir/requirements.lock"\n')
    code, _, err = run(root, capsys)
    assert code == 2 and err == (
        "lock: error: cannot write missing-dir/requirements.lock: its directory missing-dir does not exist\n"
    )


def test_help_names_the_real_default_cut_off(tmp_path):
    """The default cut-off is now minus [tool.lock] settle-hours, not now: the help says so."""
    for command in ("add", "upgrade"):
        proc = run_lock(tmp_path, command, "--help")
        assert proc.returncode == 0
        assert "settle-hours" in " ".join(proc.stdout.split()), proc.stdout
    proc = run_lock(tmp_path, "remove", "--help")
    assert proc.returncode == 0 and "PKG" in proc.stdout


def test_a_stopped_run_names_the_downloads_it_kept(tmp_path):
    """A wheelhouse stopped midway keeps the wheels it finished (each complete and checked): the
    message said "no file was changed" over 22 of them."""
    from lock import atomic
    from lock.cli import _what_changed

    with pytest.raises(KeyboardInterrupt):
        with atomic.transaction() as tx:
            with atomic.replacing(tmp_path / "a-1.0-py3-none-any.whl") as f:
                f.write(b"wheel")
            raise KeyboardInterrupt
    assert tx.kept == [(tmp_path / "a-1.0-py3-none-any.whl").resolve()]
    message = _what_changed(tx)
    assert message.startswith("1 downloaded file(s) kept in ") and "no other file was changed" in message, message
