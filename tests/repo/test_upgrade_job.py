"""The weekly upgrade job, run as lock-upgrade.yml writes it, and its commit checked as ci.yml checks it.

In a scratch repository (a clone of a local bare `origin`) whose base lock, `hub` layer, hub server
lock and extend example lock are locked against an index this test serves on 127.0.0.1
(tests/support/local_index.py), the index gets newer versions of locked packages and of the build
tools; then the upgrade job's shell steps run from the YAML
(tests/support/workflows.py), the pull request step included: its `git push` goes to the bare
origin and `gh` is a stand-in that records its calls (GitHub's API is not what is tested).
Then ci.yml's lock-check steps run in a fresh clone of the pushed branch.

Not run in that scratch repository (each named with its reason in ELSEWHERE): the steps that need
the real package index, npm's registry or Docker Hub, and the one that builds the image. The dev
environment's and npm's steps run alone below (network)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.support.local_index import LocalIndex
from tests.support.paths import PROJECT_ROOT
from tests.support.repo_copy import copy_project
from tests.support.workflows import load, run_step, step

CUTOFF = "2026-06-01T00:00:00Z"
BEFORE = "2026-01-01T00:00:00Z"
NEWER = "2026-07-01T00:00:00Z"  # after the lock's cut-off, before the upgrade's (now)
WORKFLOW, JOB = "lock-upgrade.yml", "upgrade"
# Steps that run a command here; the others are GitHub's actions or build the image.
STEPS = ("lock check --resolve", "lock upgrade", "Upgrade the hub server's lock", "diff")
PR_STEP = "Open or update the pull request"
CI_STEPS = ("uv run lock check", "lock check of the hub server's", "lock check --resolve")
ELSEWHERE = {
    "Install the project tooling (uv, hash-checked; then uv sync)": "the package index; the checkout's .venv stands in",
    "Upgrade the dev environment (uv.lock)": "the package index: test_the_dev_environment_step_... below",
    "Upgrade the hub image's npm lockfiles": "npm's registry: test_the_npm_step_... below",
    "Re-pin the base image": "Docker Hub; tests/reproducible/test_pin_base.py pins from a local registry",
    "Refresh the start-up modules": "builds the image: tests/image/test_startup_modules.py",
}
# The fake build tools: versions as build-tools.txt pins them, and a newer uv.
TOOLS = [("uv", "0.13.9"), ("uv", "0.14.0"), ("pyelftools", "0.33"), ("dumb-init", "1.2.5.post1")]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def changed_files(repo: Path) -> set[str]:
    """Every path the working tree changed, added or deleted (untracked files included)."""
    lines = git(repo, "status", "--porcelain", "--untracked-files=all", "-z").split("\0")
    return {line[3:] for line in lines if line}


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory):
    """(clone, origin, fresh clone of the pushed branch, env, gh calls) after the job's steps ran."""
    root = tmp_path_factory.mktemp("upgrade-job")
    index = LocalIndex(root / "index")
    for name, version, requires in [("demo-app", "1.0", ["demo-dep"]), ("demo-dep", "1.0", []),
                                    ("demo-hub", "1.0", ["demo-dep"]), ("demo-server", "1.0", []),
                                    ("demo-extra", "1.0", ["demo-dep"])]:
        index.add_wheel(name, version, BEFORE, requires=requires)
    for name, version in TOOLS:
        index.add_wheel(name, version, BEFORE)
    bin_dir = root / "bin"
    bin_dir.mkdir()
    # gh: records its arguments; `pr list` finds no open pull request, so the step creates one.
    (bin_dir / "gh").write_text(f'#!/bin/sh\necho "$*" >> "{root}/gh-calls"\n')
    (bin_dir / "gh").chmod(0o755)
    with index.serve() as url:
        # uv's cache: one for making the seed, a fresh one for the job (a runner starts without one).
        env = {"UV_DEFAULT_INDEX": url, "UV_CACHE_DIR": str(root / "seed-cache"),
               # The install step's environment: this checkout's .venv, not synced again.
               "UV_PROJECT_ENVIRONMENT": str(PROJECT_ROOT / ".venv"), "UV_NO_SYNC": "1",
               # The runner has setup-python's 3.13; without one uv would try to download it (no network).
               "UV_PYTHON_DOWNLOADS": "never",
               "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               "GH_TOKEN": "unused", "BASE": "main",
               "GIT_AUTHOR_DATE": "2026-12-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-12-01T00:00:00Z"}
        # The repository as it is on main: the project, its locks made from a tiny index at CUTOFF.
        seed = copy_project(root / "seed")
        (seed / "requirements.in").write_text("demo-app\n")
        (seed / "requirements-hub.in").write_text("demo-hub\n")
        (seed / "requirements-hub5.in").write_text("demo-hub\n")  # every layer of pyproject.toml
        (seed / "hub" / "requirements.in").write_text("demo-server\n")
        (seed / "examples" / "extend" / "requirements.in").write_text("demo-extra\n")
        for project in (".", "hub"):
            made = subprocess.run(["uv", "run", "lock", "--project", project, "--exclude-newer", CUTOFF], cwd=seed,
                                  capture_output=True, text=True, env={**os.environ, **env}, timeout=300)
            assert made.returncode == 0, made.stderr
        (seed / "examples" / "extend" / "image-locks").mkdir()
        (seed / "examples" / "extend" / "image-locks" / "requirements.lock").write_bytes(
            (seed / "requirements.lock").read_bytes())
        made = subprocess.run(["uv", "run", "lock", "--project", "examples/extend", "--exclude-newer", CUTOFF],
                              cwd=seed, capture_output=True, text=True, env={**os.environ, **env}, timeout=300)
        assert made.returncode == 0, made.stderr
        git(seed, "init", "--quiet", "--initial-branch=main")
        git(seed, "add", "--all")
        git(seed, "-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "--quiet", "-m", "seed")
        subprocess.run(["git", "clone", "--quiet", "--bare", str(seed), str(root / "origin.git")], check=True,
                       timeout=60)
        subprocess.run(["git", "clone", "--quiet", str(root / "origin.git"), str(root / "clone")], check=True,
                       timeout=60)
        clone = root / "clone"

        # A week later: newer versions of a base package and of the layer's package.
        index.add_wheel("demo-app", "1.1", NEWER, requires=["demo-dep"])
        index.add_wheel("demo-hub", "1.1", NEWER, requires=["demo-dep"])
        index.add_wheel("demo-server", "1.1", NEWER)
        index.add_wheel("demo-extra", "1.1", NEWER, requires=["demo-dep"])

        env["UV_CACHE_DIR"] = str(root / "job-cache")
        temp = root / "runner-temp"
        results = {name: run_step(WORKFLOW, JOB, name, clone, temp, env=env) for name in STEPS}
        for name, result in results.items():
            assert result.returncode == 0, f"{WORKFLOW} step {name!r} failed:\n{result.stdout}\n{result.stderr}"
        assert results["diff"].outputs == {"changed": "true"}, results["diff"].outputs
        changed = changed_files(clone)
        pr = run_step(WORKFLOW, JOB, PR_STEP, clone, temp, env=env)
        assert pr.returncode == 0, f"the pull request step failed:\n{pr.stdout}\n{pr.stderr}"

        pushed = root / "pushed"
        subprocess.run(["git", "clone", "--quiet", "--branch", load(WORKFLOW)["jobs"][JOB]["env"]["BRANCH"],
                        str(root / "origin.git"), str(pushed)], check=True, timeout=60)
        checks = {name: run_step("ci.yml", "lock-check", name, pushed, root / "ci-temp", env=env)
                  for name in CI_STEPS}
        yield {"clone": clone, "pushed": pushed, "changed": changed, "checks": checks,
               "summary": (temp / "summary.md").read_text(),
               "gh": (root / "gh-calls").read_text().splitlines()}


def test_the_commit_holds_exactly_what_the_commands_changed(upgraded):
    changed = upgraded["changed"]
    # What `lock upgrade` rewrites when a base pin and a layer pin move (a floor, not the list).
    assert changed >= {"requirements.lock", "requirements.lock.index-view", "pylock.toml",
                       "requirements-hub.lock", "requirements-hub.lock.index-view",
                       "hub/requirements.lock", "hub/requirements.lock.index-view",
                       "examples/extend/requirements-extend.lock", "image/build-tools.txt"}, changed
    committed = set(git(upgraded["pushed"], "diff", "--name-only", "HEAD~1", "HEAD").split())
    assert committed == changed, f"staged {sorted(committed)}, the commands changed {sorted(changed)}"
    assert changed_files(upgraded["clone"]) == set(), "the job left changes out of its commit"
    assert "demo-app==1.1 " in (upgraded["pushed"] / "requirements.lock").read_text()
    assert "demo-hub==1.1 " in (upgraded["pushed"] / "requirements-hub.lock").read_text()
    assert "demo-server==1.1 " in (upgraded["pushed"] / "hub" / "requirements.lock").read_text()
    assert "demo-extra==1.1 " in (upgraded["pushed"] / "examples" / "extend" / "requirements-extend.lock").read_text()
    assert "uv==0.14.0 " in (upgraded["pushed"] / "image" / "build-tools.txt").read_text()


def test_ci_lock_check_passes_on_the_pushed_branch(upgraded):
    for name, result in upgraded["checks"].items():
        assert result.returncode == 0, f"ci.yml step {name!r} failed on the upgrade commit:\n{result.stderr}"


def test_the_pull_request_is_opened_with_the_diff_as_its_body(upgraded):
    assert upgraded["gh"][0].startswith("pr list --head lock/weekly-upgrade --base main"), upgraded["gh"]
    assert upgraded["gh"][1].startswith("pr create --head lock/weekly-upgrade --base main --title Weekly"), upgraded["gh"]
    message = git(upgraded["pushed"], "log", "-1", "--format=%B")
    assert "demo-app" in message and "1.1" in message, message


def test_the_summary_names_every_upgraded_lock(upgraded):
    summary = upgraded["summary"]
    for name in ("demo-app", "hub/requirements.lock", "demo-server", "requirements-extend.lock", "demo-extra",
                 "image/build-tools.txt", "uv==0.14.0"):
        assert name in summary, summary


def test_every_run_step_of_the_job_is_run_here_or_named_as_left_to_github():
    """A step added to the job must be run by this test or be listed in ELSEWHERE with the reason."""
    for s in load(WORKFLOW)["jobs"][JOB]["steps"]:
        if "run" in s:
            name = s.get("name") or s.get("id") or s["run"]
            assert (any(step(WORKFLOW, JOB, n) == s for n in (*STEPS, PR_STEP))
                    or name in ELSEWHERE), f"{WORKFLOW} step {name!r} is neither run by this test nor listed"


@pytest.mark.network
def test_the_dev_environment_step_moves_the_tool_pins_with_build_tools(tmp_path):
    """Against the real index: pyproject.toml's uv and pyelftools follow build-tools.txt, and the
    upgraded uv.lock is one `uv sync --locked` accepts."""
    project = copy_project(tmp_path / "project")
    tools = project / "image" / "build-tools.txt"
    tools.write_text(re.sub(r"^pyelftools==\S+", "pyelftools==0.32", tools.read_text(), flags=re.M))
    result = run_step(WORKFLOW, JOB, "Upgrade the dev environment", project, tmp_path / "temp")
    assert result.returncode == 0, result.stderr
    assert '"pyelftools==0.32"' in (project / "pyproject.toml").read_text()
    assert 'name = "pyelftools"\nversion = "0.32"' in (project / "uv.lock").read_text()
    assert (tmp_path / "temp" / "before" / "uv.lock").is_file(), "the diff step compares against this copy"
    check = subprocess.run(["uv", "lock", "--check"], cwd=project, capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stderr


def test_the_npm_step_does_nothing_without_a_lockfile(tmp_path):
    project = copy_project(tmp_path / "project")
    for folder in ("proxy", "node"):
        (project / "hub" / folder / "package-lock.json").unlink(missing_ok=True)
    result = run_step(WORKFLOW, JOB, "Upgrade the hub image's npm lockfiles", project, tmp_path / "temp")
    assert result.returncode == 0, result.stderr
    assert not list((project / "hub").rglob("package-lock.json"))


@pytest.mark.network
def test_the_npm_step_updates_the_lockfile_within_package_json(tmp_path):
    """npm's registry: a lockfile holding an older version than package.json's range allows moves up."""
    project = copy_project(tmp_path / "project")
    (project / "hub" / "node" / "package-lock.json").unlink()  # the proxy's folder alone: no Node.js download
    hub = project / "hub" / "proxy"
    (hub / "package.json").write_text('{"name": "t", "private": true, "dependencies": {"commander": "^11.0.0"}}\n')
    made = subprocess.run(["npm", "install", "--package-lock-only", "--no-audit", "--no-fund", "commander@11.0.0"],
                          cwd=hub, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    (hub / "package.json").write_text('{"name": "t", "private": true, "dependencies": {"commander": "^11.0.0"}}\n')
    result = run_step(WORKFLOW, JOB, "Upgrade the hub image's npm lockfiles", project, tmp_path / "temp")
    assert result.returncode == 0, result.stderr
    lock = json.loads((hub / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/commander"]["version"] != "11.0.0"
    assert (tmp_path / "temp" / "before" / "hub" / "proxy" / "package-lock.json").is_file()
