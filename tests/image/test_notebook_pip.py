"""`%pip install` in a notebook, through a real kernel of the image run by compose.yaml (read-only
root filesystem, no capabilities): the package goes to a throwaway site under HOME, imports in that
kernel and in later ones, the locked venv stays as it is, and a note says once how to lock it; list,
show, freeze and uninstall see that site."""

from __future__ import annotations


import pytest

from tests.support.kernel import execute, start_kernel
from tests.support.lock_pins import lock_pins
from tests.support.local_index import wheel

pytestmark = pytest.mark.image

SITE = "/tmp/.local/notebook-packages/lib/python3.13/site-packages"


@pytest.fixture
def server(compose_project):
    """compose.yaml as users run it, with two tiny wheels in its data folder (no index needed)."""
    for name in ("demo-notebook-pkg", "demo-other-pkg"):
        data, _, filename = wheel(name, "1.0", [])
        (compose_project.folder / "data" / filename).write_bytes(data)
    compose_project.up()
    return compose_project.server()


def pip_install(server, kernel, name):
    return execute(server, kernel, f"%pip install --no-index --find-links /home/jovyan/data {name}", timeout=300)


def test_pip_install_in_a_notebook_goes_to_a_throwaway_site(server):
    assert server.container.attrs["HostConfig"]["ReadonlyRootfs"] is True
    kernel = start_kernel(server)
    reply = pip_install(server, kernel, "demo-notebook-pkg")
    assert reply["status"] == "ok", reply
    assert "Successfully installed demo-notebook-pkg-1.0" in reply["stdout"], reply
    assert (f"Note: demo-notebook-pkg is installed in {SITE} for this container only: it is not in the image's "
            "lock. To keep it, run on the host: scripts/lock add demo-notebook-pkg (or scripts/lock add --layer "
            "NAME demo-notebook-pkg), then rebuild.") in reply["stdout"], reply
    used = execute(server, kernel, "import demo_notebook_pkg, numpy; print(demo_notebook_pkg.__file__)")
    assert used["stdout"].strip() == f"{SITE}/demo_notebook_pkg/__init__.py", used
    again = pip_install(server, kernel, "demo-other-pkg")
    assert again["status"] == "ok" and "Successfully installed demo-other-pkg-1.0" in again["stdout"], again
    assert "Note:" not in again["stdout"], "the note is printed once"
    later = execute(server, start_kernel(server), "import demo_notebook_pkg, demo_other_pkg; print('both')")
    assert later["stdout"].strip() == "both", later  # a new kernel of the same container sees them
    code, out = server.exec("sh", "-c", "ls /opt/venv/lib/python3.13/site-packages | grep -c demo_; "
                                        "/opt/venv/bin/python -c 'import pip'")
    assert code != 0 and out.splitlines()[0] == "0" and "No module named 'pip'" in out, out


def test_pip_sees_its_site_and_names_the_lock_for_a_locked_package(server):
    kernel = start_kernel(server)
    # The hint's `scripts/lock upgrade NAME` (also of a package only a dependency pins) is tested in
    # tests/lock/test_lock_resolve.py.
    for line in ("install numpy==1.0", "install --upgrade numpy"):
        reply = execute(server, kernel, f"%pip {line}", timeout=300)
        lines = [text for text in reply["stdout"].splitlines() if text.strip()]
        assert len(lines) == 1 and f"numpy {lock_pins()['numpy']} is pinned by the image's lock" in lines[0], reply
        assert "scripts/lock upgrade numpy" in lines[0] and "Read-only" not in reply["stdout"] + reply["stderr"], reply
    # A wheel file is no requirement for the lock: no `lock add` hint for it.
    local = execute(server, kernel, "import glob\n%pip install --no-index "
                                    "{glob.glob('/home/jovyan/data/demo_notebook_pkg-*.whl')[0]}", timeout=300)
    assert "Successfully installed demo-notebook-pkg-1.0" in local["stdout"] and "lock add" not in local["stdout"], local
    assert "demo-notebook-pkg" in execute(server, kernel, "%pip list")["stdout"]
    assert f"Location: {SITE}" in execute(server, kernel, "%pip show demo-notebook-pkg")["stdout"]
    frozen = execute(server, kernel, "%pip freeze")["stdout"]  # installed from a wheel file: NAME @ file:...
    assert "demo-notebook-pkg @ file:///home/jovyan/data/demo_notebook_pkg-1.0-py3-none-any.whl" in frozen, frozen
    gone = execute(server, kernel, "%pip uninstall -y demo-notebook-pkg", timeout=300)
    assert "Successfully uninstalled demo-notebook-pkg-1.0" in gone["stdout"], gone
    assert "demo-notebook-pkg" not in execute(server, kernel, "%pip list")["stdout"]
    code, out = server.exec("ls", SITE)
    assert code == 0 and "demo_notebook_pkg" not in out, out
    # The image's own packages stay: one line, not pip's "Read-only file system" traceback.
    kept = execute(server, kernel, "%pip uninstall -y numpy", timeout=300)
    lines = [text for text in kept["stdout"].splitlines() if text.strip()]
    assert len(lines) == 1 and f"numpy {lock_pins()['numpy']} is pinned" in lines[0] and "cannot remove" in lines[0], kept
    assert "Read-only" not in kept["stdout"] + kept["stderr"], kept
