"""What the Dockerfile removes is never missed: each removal has a test here that uses what
remains the way a user of these packages would."""

import re

import pytest

from tests.support.kernel import complete, execute, start_kernel

pytestmark = pytest.mark.image

NOTEBOOK_CELL = """
import io, numpy as np, pandas as pd, matplotlib, matplotlib.pyplot as plt, scipy.stats
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
X, y = make_classification(n_samples=200, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scores = [m.fit(X_train, y_train).score(X_test, y_test) for m in (LogisticRegression(), RandomForestClassifier(n_estimators=10, random_state=0))]
df = pd.DataFrame({"when": pd.date_range("2024-01-01", periods=3, tz="Europe/Paris"), "x": np.arange(3)})
assert df.x.sum() == 3 and df.describe().shape[0] == 8 and str(df.when.dt.month_name()[0]) == "January"
fig, ax = plt.subplots(); df.plot(x="when", y="x", ax=ax)
sizes = {fmt: len((lambda b: (fig.savefig(b, format=fmt), b.getvalue())[1])(io.BytesIO())) for fmt in ("png", "pdf", "svg")}
assert all(sizes.values()), sizes
print("ok", min(scores) > 0.7, scipy.stats.norm.cdf(0))
"""


def test_notebook_using_every_package_runs(containers):
    server = containers.run_server()
    reply = execute(server, start_kernel(server), NOTEBOOK_CELL, timeout=180)
    assert reply["status"] == "ok", reply
    assert reply["stdout"].split() == ["ok", "True", "0.5"], reply


def test_no_test_suites_or_sources_left(containers):
    server = containers.run_server()
    code, out = server.exec("sh", "-c", "find /opt/venv -type d \\( -name tests -o -name test \\) | head -3; "
                                        "find /opt/venv -name '*.pyx' -o -name '*.c' | head -3")
    assert code == 0 and out.strip() == "", out


def test_start_up_modules_have_unchecked_hash_bytecode(containers):
    server = containers.run_server()
    # flags field of the .pyc header (PEP 552): 0b01 = hash-based, source not re-checked at import.
    code, out = server.exec("python", "-c",
        "import importlib.util as u, numpy, pandas, jupyter_server.serverapp as s;"
        "print(*(open(u.cache_from_source(m.__file__), 'rb').read()[4] for m in (numpy, pandas, s)))")
    assert code == 0 and out.split() == ["1", "1", "1"], out


def test_ui_assets_served_through_linked_duplicates(containers):
    server = containers.run_server()
    page = server.get("/lab")
    assert page.status_code == 200
    scripts = re.findall(r'src="([^"]+\.js[^"]*)"', page.text)
    assert scripts, page.text[:500]
    for src in scripts:
        asset = server.get(src if src.startswith("/") else "/" + src)
        assert asset.status_code == 200 and len(asset.content) > 1000, src
    code, out = server.exec("sh", "-c", "find /opt/venv/share/jupyter/lab/static -type l | wc -l; "
                            "find /opt/venv/lib/python3.13/site-packages/jupyterlab/static -type l | wc -l")
    served_links, package_links = map(int, out.split())
    assert served_links == 0, "the served copy must hold the real files: the server refuses symlinks out of it"
    assert package_links > 100, "expected the package's duplicate copy to be symlinks"
    code, core = server.exec("sh", "-c", "ls /opt/venv/share/jupyter/lab/static/ | grep -m1 '^jlab_core.*js$'")
    response = server.get("/static/lab/" + core.strip())
    assert response.status_code == 200 and len(response.content) > 100_000, core


def test_english_translations_still_load(containers):
    server = containers.run_server()
    response = server.get("/lab/api/translations/")
    assert response.status_code == 200, response.text
    assert "en" in response.json()["data"], response.text[:300]


def test_code_completion_works(containers):
    server = containers.run_server()
    kernel = start_kernel(server)
    assert execute(server, kernel, "import numpy")["status"] == "ok"
    assert "arange" in complete(server, kernel, "numpy.aran")
    # jedi infers from source and stubs, not from the live object
    assert "upper" in complete(server, kernel, "import os\nos.getcwd().upp")


# Every shared library, stripped or not, loads with all its symbols resolved (ctypes: dlopen with
# RTLD_NOW), and their debug sections and static symbol tables are (mostly) gone. Section names are read with
# struct: the runtime image has no ELF tools. os._exit: some libraries' destructors abort when the
# interpreter finalizes with them loaded out of order, which is not what is tested here.
LOAD_AND_COUNT = r"""
import ctypes, os, pathlib, struct
failed, debug = [], []
for path in sorted(pathlib.Path("/opt/venv").rglob("*.so*")):
    if not path.is_file() or path.is_symlink():
        continue
    data = path.read_bytes()
    if data[:4] != b"\x7fELF":
        continue
    try:
        ctypes.CDLL(str(path))
    except OSError as error:
        failed.append(str(error))
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    names = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)[0]
    for i in range(shnum):
        name_at, = struct.unpack_from("<I", data, shoff + i * shentsize)
        name = data[names + name_at:data.index(b"\0", names + name_at)]
        if name.startswith(b".debug_") or name in (b".symtab", b".strtab"):
            debug.append(struct.unpack_from("<Q", data, shoff + i * shentsize + 0x20)[0])
print(len(failed), *failed[:5], sep="\n")
print(sum(debug) // 10**6)
os._exit(0)
"""


def test_stripped_shared_libraries_load_and_most_debug_bytes_are_gone(containers):
    server = containers.run_server()
    code, out = server.exec("python", "-c", LOAD_AND_COUNT)
    lines = out.strip().splitlines()
    assert code == 0 and lines[0] == "0", out
    # MB of .debug_*, .symtab and .strtab left: 41 before; the files whose layout puts a loaded byte
    # after them are left as they were (image/strip_symbols.py).
    assert int(lines[-1]) < 10, out
