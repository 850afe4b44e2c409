"""Generated inputs for the surfaces the hardening round covers: layer tables, cut-off values,
random byte edits of each derived file, and signals at random points of a multi-lock run.

Seeded and bounded: the first three run in-process with no resolver (well under a minute in
all); the signal runs use the real uv against an index the test serves on 127.0.0.1."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.support.local_index import LocalIndex
from tests.support.lock_helpers import lock_environment, run_lock, snapshot, write_project

from lock import index_view
from lock.cli import main
from lock.commands import open_config
from lock.cutoff import Cutoffs, is_timestamp, parse_timestamp
from lock.errors import InputError

pytestmark = pytest.mark.generated


def bounded(examples: int):
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# -- layer tables ---------------------------------------------------------------------------------

PATHS = ["requirements.lock", "requirements.in", "pyproject.toml", "Dockerfile", "pylock.toml",
         "requirements.lock.index-view", "a.lock", "b.lock", "a.in", "sub/c.lock", "./a.lock", "sub/../b.lock",
         "../outside.lock", "/tmp/abs.lock", "", "image-locks/requirements.lock"]
NAMES = st.one_of(st.sampled_from(["hub", "gpu", "a", "x-1", "Hub", "a b", "-x", "a" * 65, "a" * 64, "é"]),
                  st.text(min_size=1, max_size=8))
PATH = st.one_of(st.sampled_from(PATHS), st.integers(), st.text(max_size=6))
LAYER = st.dictionaries(st.sampled_from(["requirements", "output", "other"]), PATH, max_size=2)


def _toml(value) -> str:
    import json

    return json.dumps(value) if isinstance(value, str | int) else '""'


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    return write_project(tmp_path_factory.mktemp("layers") / "p", "six\n")


@seed(31)
@bounded(300)
@given(layers=st.dictionaries(NAMES, LAYER, max_size=3), base=st.one_of(st.none(), PATH),
       output=st.one_of(st.none(), PATH), pylock=st.booleans())
def test_generated_layer_tables_never_let_an_output_clobber(plain, layers, base, output, pylock):
    lines = ['[project]\nname = "demo"\nversion = "0"\n\n[tool.lock]\nplatforms = ["x86_64-manylinux_2_28"]\n']
    if base is not None:
        lines.append(f"base-lock = {_toml(base)}\n")
    if output is not None:
        lines.append(f"output = {_toml(output)}\n")
    if pylock:
        lines.append('pylock = "pylock.toml"\n')
    for name, table in layers.items():
        lines.append(f"\n[tool.lock.layers.{_toml(name)}]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in table.items()))
    (plain / "pyproject.toml").write_text("".join(lines))
    try:
        config = open_config(str(plain))
    except InputError as e:
        assert "pyproject.toml" in str(e) and "\n" not in str(e)
        return
    from lock import config_paths, pylock as pylock_module

    inputs, outputs = config_paths.files(config, pylock_module.path_for(config), "base")
    root = plain.resolve()
    written = [Path(os.path.realpath(p)) for _, p in outputs]
    assert len(set(written)) == len(written)
    assert not set(written) & {Path(os.path.realpath(p)) for _, p in inputs}
    assert all(root in p.parents for p in written)


# -- cut-off values -------------------------------------------------------------------------------

ZONES = st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-12)),
                         dt.timezone(dt.timedelta(hours=5, minutes=30))])
STAMPS = st.one_of(
    st.builds(lambda d, z: d.replace(tzinfo=z).isoformat(), st.datetimes(), ZONES),
    st.builds(lambda d: d.date().isoformat(), st.datetimes()),
    st.text(max_size=30),
    st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "2024-06-01T12:00:00", "2024-02-30",
                     "2024-06-01T24:00:00Z", "2024-06-01T12:00:00+25:00"]),
)


@seed(32)
@bounded(500)
@given(text=STAMPS)
def test_generated_cut_off_values_are_a_utc_stamp_or_one_line(text):
    try:
        stamp = parse_timestamp(text)
    except InputError as e:
        assert str(e).startswith("--exclude-newer: ") and "\n" not in str(e)
        return
    assert is_timestamp(stamp) and stamp <= parse_timestamp(dt.datetime.now(dt.UTC).isoformat())
    when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00")) if "T" in text or " " in text.strip() \
        else dt.datetime.fromisoformat(text.strip()).replace(tzinfo=dt.UTC)
    assert when.tzinfo is not None
    assert stamp == when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


STAMP = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2026, 1, 1)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))


@seed(33)
@bounded(300)
@given(glob=STAMP, before=st.dictionaries(st.sampled_from(["six", "attrs", "idna"]), STAMP, max_size=3),
       names=st.lists(st.sampled_from(["six", "Attrs", "idna", "numpy"]), min_size=1, max_size=3), stamp=STAMP)
def test_generated_per_package_cut_offs_mean_what_uv_means(glob, before, names, stamp):
    """Whatever the order of dates, the cut-off given for a package is the one it resolves with."""
    cut = Cutoffs(glob, tuple(before.items())).with_packages(names, stamp)
    for name in names:
        assert index_view.cutoff_for(cut, name.lower()) == stamp
    for name, s in before.items():
        if name not in {n.lower() for n in names}:
            assert index_view.cutoff_for(cut, name) == s
    assert all(s != glob for _, s in cut.packages)


# -- random byte edits of each derived file --------------------------------------------------------

CUTOFF = "2026-06-01T00:00:00Z"
BEFORE = "2026-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    local = LocalIndex(tmp_path_factory.mktemp("index"))
    local.add_wheel("demo-a", "1.0", BEFORE, requires=["demo-b>=1"])
    local.add_wheel("demo-b", "1.0", BEFORE)
    local.add_wheel("demo-c", "1.0", BEFORE)
    with local.serve() as url:
        yield {"UV_DEFAULT_INDEX": url, "UV_NO_CACHE": "1"}


@pytest.fixture(scope="module")
def derived(index, tmp_path_factory):
    """A project locked once, with pylock.toml and the index view: {name: bytes} of each derived file."""
    root = write_project(tmp_path_factory.mktemp("derived") / "p", "demo-a\n")
    with (root / "pyproject.toml").open("a") as f:
        f.write('pylock = "pylock.toml"\n')
    proc = run_lock(root, "--exclude-newer", CUTOFF, env=index)
    assert proc.returncode == 0, proc.stderr
    return root, {name: (root / name).read_bytes()
                  for name in ("requirements.lock", "pylock.toml", "requirements.lock.index-view")}


def _edit(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    kind = rng.choice(["flip", "insert", "delete"])
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:]
    if kind == "insert":
        return data[:at] + bytes([rng.randrange(256)]) + data[at:]
    return data[:at] + data[at + 1:]


@pytest.mark.parametrize("name", ["requirements.lock", "pylock.toml", "requirements.lock.index-view"])
def test_random_byte_edits_of_each_derived_file_are_seen_and_named(derived, name):
    root, good = derived
    rng = random.Random(f"31-{name}")
    try:
        for _ in range(60):
            edited = _edit(good[name], rng)
            (root / name).write_bytes(edited)
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main(["check", "--project", str(root)])
            head = err.getvalue().partition("\n")[0]
            assert code == 1, (edited, err.getvalue())
            assert "Traceback" not in err.getvalue()
            shown = "requirements.lock" if name == "requirements.lock" else name
            assert head.startswith(f"lock: {shown} "), (edited, err.getvalue())
    finally:
        (root / name).write_bytes(good[name])


# -- signals at random points of a multi-lock run ------------------------------------------------


@pytest.fixture
def layered(index, tmp_path):
    root = write_project(tmp_path / "p", "demo-a\n", files={"requirements-hub.in": "demo-c\n"})
    with (root / "pyproject.toml").open("a") as f:
        f.write('pylock = "pylock.toml"\n\n[tool.lock.layers.hub]\n')
    proc = run_lock(root, "--exclude-newer", CUTOFF, env=index)
    assert proc.returncode == 0, proc.stderr
    return root


SIGNALS = [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)]


def test_signals_at_random_points_of_a_multi_lock_run_change_all_or_nothing(layered, index):
    """`lock upgrade` rewrites the base lock, its view, pylock.toml and the layer's lock and view:
    a signal anywhere leaves either all of them new and checked, or all of them as they were."""
    rng = random.Random(31)
    before = snapshot(layered)
    started = time.monotonic()
    full = subprocess.run([sys.executable, "-m", "lock", "-q", "upgrade"], cwd=layered, env=lock_environment(index),
                          capture_output=True, text=True, timeout=300)
    took = time.monotonic() - started
    assert full.returncode == 0, full.stderr
    after = snapshot(layered)
    assert after != before
    outcomes = set()
    for _ in range(8):
        for name, data in before.items():
            (layered / name).write_bytes(data)
        for name in set(after) - set(before):
            (layered / name).unlink()
        signum, code = rng.choice(SIGNALS)
        proc = subprocess.Popen([sys.executable, "-m", "lock", "-q", "upgrade"], cwd=layered,
                                env=lock_environment(index), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.2, took))  # the point of the run the signal lands at
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=120)
        now = snapshot(layered)
        if proc.returncode == -signum:
            # The default action ended it (SIGINT as Python's KeyboardInterrupt), outside the span
            # where lock handles signals: while Python was still starting (importing lock), before
            # a file was touched; or after the transaction had replaced every file and checked them.
            if now == before:
                outcomes.add("stopped before lock started")
            else:
                assert set(now) == set(after), err
                assert run_lock(layered, "check", env=index).returncode == 0
                outcomes.add("ended after lock had finished")
            continue
        assert "Traceback" not in err, err
        if proc.returncode == 0:
            assert set(now) == set(after), err
            assert run_lock(layered, "check", env=index).returncode == 0
            outcomes.add("done")
        else:
            assert proc.returncode == code, err
            assert now == before, err
            assert "no file was changed" in err, err
            outcomes.add("stopped")
    print(f"signals: {sorted(outcomes)} over 8 runs (a full run took {took:.1f} s)")
