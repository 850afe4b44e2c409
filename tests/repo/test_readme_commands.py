"""Every command README, CONTRIBUTING and docs/ show exists and answers --help, with every option
they give it, so they cannot name a command or option that is gone; the lock tool as a user has it
(`scripts/lock`, or `.venv/bin/lock` once set up: nothing assumes uv or .venv on PATH). `.ci/run`
is the exception: it is what runs this suite (checked to run exactly scripts/test). Every script in
scripts/ is named in CONTRIBUTING's layout table."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.support.paths import PROJECT_ROOT

DOCS = ["README.md", "CONTRIBUTING.md", *sorted(str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "docs").rglob("*.md"))]
README = "\n".join((PROJECT_ROOT / name).read_text() for name in DOCS)
# `scripts/NAME ...` or `python3 scripts/lib/NAME.py ...`, up to a comment, backtick or line end.
COMMAND = re.compile(r"(?<![\w/.-])(python3 )?(scripts/[\w./-]*[\w])([^`#\n|]*)")
LOCK = re.compile(r"(?:scripts/lock|\.venv/bin/lock) (add|remove|upgrade|check|diff)\b([^`#\n|]*)")


def options(rest: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])(--[a-z][\w-]*)", rest))


def commands() -> dict[tuple[str, ...], set[str]]:
    """{command line to ask for help: options README gives it}."""
    found: dict[tuple[str, ...], set[str]] = {}
    for python, path, rest in COMMAND.findall(README):
        if (PROJECT_ROOT / path).is_dir() or (path.startswith("scripts/lib/") and path.endswith(".sh")):
            continue  # a folder, or a library the scripts source (named as a file, never run)
        key = ("python3", path) if python else (path,)
        # scripts/lock's options belong to its subcommands: LOCK below checks them there.
        found.setdefault(key, set()).update(options(rest) if path != "scripts/lock" else ())
    for sub, rest in LOCK.findall(README):
        found.setdefault((".venv/bin/lock", sub), set()).update(options(rest))
    return found


COMMANDS = commands()


def test_readme_names_the_commands_it_should():
    names = {" ".join(c) for c in COMMANDS}
    assert {"scripts/start", "scripts/stop", "scripts/test", "scripts/lock", "scripts/bench",
            ".venv/bin/lock add", ".venv/bin/lock remove", ".venv/bin/lock check", ".venv/bin/lock diff"} <= names, names


@pytest.mark.parametrize("name", DOCS)
def test_no_command_needs_uv_or_the_venv_on_path(name):
    """`uv run X` and a bare `pytest` or `pre-commit` fail in a shell with only README's prerequisites."""
    text = (PROJECT_ROOT / name).read_text()
    bad = re.findall(r"(?:^|[`(]|\$ )((?:uv run|pytest|pre-commit) [^`\n]*)", text, re.M)
    assert not bad, f"{name}: {bad}"


@pytest.mark.parametrize("command", sorted(COMMANDS), ids=" ".join)
def test_command_exists_and_answers_help_with_its_options(command):
    path = PROJECT_ROOT / command[command[0] == "python3"]
    assert path.is_file(), f"README names {path.relative_to(PROJECT_ROOT)}, which does not exist"
    if command[0] != "python3":
        assert os.access(path, os.X_OK), f"README runs {command[0]}, which is not executable"
    result = subprocess.run([*command, "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(command)} --help: exit {result.returncode}\n{result.stderr}"
    help_text = result.stdout
    passed_on = re.search(r"arguments go to", help_text, re.I)
    missing = {o for o in COMMANDS[command] if o not in help_text}
    assert not missing or passed_on, f"README gives {' '.join(command)} {missing}, which its --help does not know"


def test_every_script_is_in_readme():
    scripts = sorted(p.name for p in (PROJECT_ROOT / "scripts").iterdir() if p.is_file())
    contributing = (PROJECT_ROOT / "CONTRIBUTING.md").read_text()
    layout = next(line for line in contributing.splitlines() if line.startswith("| `scripts/`"))
    assert [s for s in scripts if f"`{s}`" not in layout] == [], layout


def test_ci_run_is_scripts_test():
    """.ci/run is not asked for --help: it is what runs this suite."""
    run = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert os.access(PROJECT_ROOT / ".ci" / "run", os.X_OK)
    assert re.search(r"^exec scripts/test$", run, re.M), run
