"""matplotlib's font list is built in the image (image/font_cache.py) and used: a container's first
`import matplotlib` reads it from matplotlib's cache folder instead of scanning the fonts again, with
a read-only root filesystem and a UID the image does not know. And it is the same bytes whatever
the hash seed (the image is rebuilt byte for byte)."""

import pytest

from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.image

BUILT = "/opt/venv/share/matplotlib"
# What matplotlib says about its font list at DEBUG: read from the cache, or built ("generated").
IMPORT = ("import logging, matplotlib; logging.basicConfig(level=logging.DEBUG); "
          "import matplotlib.font_manager; print('cache', matplotlib.get_cachedir())")


def test_a_container_uses_the_font_list_built_in_the_image(containers):
    server = containers.run_server(read_only=True, tmpfs={"/tmp": ""}, user="43210:43210")
    code, listed = server.exec("sh", "-c", f"ls {BUILT}")
    assert code == 0 and listed.strip().startswith("fontlist-v") and listed.strip().endswith(".json"), listed
    name = listed.strip()
    code, out = server.exec("python", "-c", IMPORT)
    assert code == 0, out
    assert f"Using fontManager instance from /tmp/.cache/matplotlib/{name}" in out, out
    assert "generated new fontManager" not in out and "building the font cache" not in out, out
    code, out = server.exec("cmp", f"{BUILT}/{name}", f"/tmp/.cache/matplotlib/{name}")
    assert code == 0, f"the list in use is not the image's: {out}"


def test_the_font_list_is_the_same_bytes_whatever_the_hash_seed(containers):
    script = PROJECT_ROOT / "image" / "font_cache.py"
    made = []
    for seed in ("1", "2"):
        container = containers.run(
            entrypoint=["sh", "-c", "MPLCONFIGDIR=$(mktemp -d) python /font_cache.py /tmp/out && cat /tmp/out/*.json"],
            environment={"PYTHONHASHSEED": seed}, volumes={str(script): {"bind": "/font_cache.py", "mode": "ro"}})
        assert container.wait(timeout=120)["StatusCode"] == 0, container.logs().decode()
        made.append(container.logs(stdout=True, stderr=False).decode())
    assert made[0] == made[1], "the font list depends on the hash seed"
    assert '"fname": "fonts/ttf/DejaVuSans.ttf"' in made[0], made[0][:2000]  # relative to matplotlib's data
