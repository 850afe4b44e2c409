"""Runs inside the image (tests/reliability/test_hostile_settings.py mounts it): the image's own
settings check for each case of cases.json in this one process, and the healthcheck against each
hostile runtime file, so hundreds of values cost one container. Writes results.json beside it."""

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile

from jupyterlab_minimalist import settings

folder = sys.argv[1]
with open(os.path.join(folder, "cases.json")) as f:
    cases = json.load(f)
base = dict(os.environ)
results = {"settings": [], "supervisor": [], "healthcheck": []}

for case in cases["settings"]:
    os.environ.clear()
    os.environ.update(base)
    os.environ.update(case)
    stderr, code = io.StringIO(), 0
    with contextlib.redirect_stderr(stderr):
        try:
            settings.check()
        except SystemExit as exit_:
            code = exit_.code
    seen = {name: os.environ.get(name) for name in case}
    results["settings"].append({"code": code, "stderr": stderr.getvalue(), "environ": seen})
os.environ.clear()
os.environ.update(base)

for case in cases["supervisor"]:
    run = subprocess.run(["jupyterlab-supervise", "true"], env={**base, **case}, capture_output=True, text=True)
    results["supervisor"].append({"code": run.returncode, "stderr": run.stderr})

for info in cases["healthcheck"]:
    with tempfile.TemporaryDirectory() as runtime:
        with open(os.path.join(runtime, "jpserver-1.json"), "w") as f:
            json.dump(info, f)
        run = subprocess.run(["/opt/bin/jupyterlab-healthcheck"], env={**base, "JUPYTER_RUNTIME_DIR": runtime},
                             capture_output=True, text=True, timeout=30)
    results["healthcheck"].append({"code": run.returncode, "output": run.stdout + run.stderr})

with open(os.path.join(folder, "results.json"), "w") as f:
    json.dump(results, f)
