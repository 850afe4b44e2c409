"""What a user does on first contact, in a real Chromium: log in with the token, and where the lab
opens (without navigating anywhere) create a notebook from the Launcher, run a plot, save it, then a
folder and a text file; all under compose's defaults (read-only root, no capabilities, any UID).

Waits on JupyterLab's own hooks (as its Galata tests do): the splash screen detaching, the Launcher,
the kernel status in the status bar, the rendered outputs. Every wait has a deadline; nothing sleeps.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.containers import Server

pytestmark = [pytest.mark.browser, pytest.mark.image]

TOKEN = "browser-test-token"
NOTEBOOK = "plotted-in-browser.ipynb"
KERNEL = "Python 3 (ipykernel)"
CODE = (
    "import pandas as pd, matplotlib.pyplot as plt; "
    'df = pd.DataFrame({"x": [1, 2, 3]}); df.plot(); plt.show(); print(df.x.sum())'
)
TEXT = "written in the browser"
TEXT_FILE = "written-in-browser.txt"
NEWS_PROMPT = "notified about official Jupyter news"
# compose.yaml's defaults, run as a UID the image was not built with.
COMPOSE_DEFAULTS = {"read_only": True, "tmpfs": {"/tmp": ""}, "cap_drop": ["ALL"],
                    "security_opt": ["no-new-privileges"], "user": "12345:23456"}
# A first kernel start, and a first import of pandas and matplotlib, get more time than a click.
KERNEL_TIMEOUT_MS = 60_000


def notebooks_volume(host_dir: Path) -> dict:
    return {str(host_dir): {"bind": "/home/jovyan/notebooks", "mode": "rw"}}


@contextmanager
def server_logs_on_failure(server: Server):
    """The container's log explains most UI failures (a kernel that died, a refused login)."""
    try:
        yield
    except BaseException:
        print(f"--- container logs ---\n{server.logs()}")
        raise


def log_in(page: Page, url: str, token: str) -> None:
    """Open a page of the lab without a token, land on the login page, type the token and submit."""
    page.goto(url)
    expect(page, "without a token the lab must send the browser to its login page").to_have_url(
        re.compile(r"/login\?next=")
    )
    page.locator("#password_input").fill(token)
    page.locator("#login_submit").click()


def wait_for_lab(page: Page) -> None:
    expect(page, "logging in did not lead to the lab").to_have_url(re.compile(r"/lab(/|\?|$)"))
    page.locator("#jupyterlab-splash").wait_for(state="detached")
    expect(page.locator(".jp-Launcher")).to_be_visible()


def run_plot_and_save(page: Page, notebook_name: str) -> None:
    """From the Launcher in notebooks/: new Python notebook, run CODE, save it as notebook_name."""
    expect(page.locator(".jp-Launcher-cwd"), "the Launcher must create files in notebooks/").to_have_text("notebooks")
    page.locator('.jp-Launcher .jp-LauncherCard[data-category="Notebook"]').first.click()

    panel = page.locator(".jp-NotebookPanel:visible")
    # The status bar names the kernel's state only once the notebook's session has a kernel that
    # answered. (The toolbar's execution indicator reads "idle" before any kernel exists, and a cell
    # run then starts a second kernel and is lost.)
    kernel_idle = page.locator("#jp-main-statusbar").get_by_text(f"{KERNEL} | Idle", exact=True)
    expect(kernel_idle, "the notebook's kernel never became idle").to_be_visible(timeout=KERNEL_TIMEOUT_MS)

    cell = panel.locator(".jp-CodeCell").first
    cell.locator(".cm-content").click()
    # Inserted as text, not typed key by key: the editor's auto-closing brackets cannot interfere.
    page.keyboard.insert_text(CODE)
    page.keyboard.press("Shift+Enter")

    expect(cell.locator(".jp-InputPrompt"), "the cell never ran").to_have_text("[1]:", timeout=KERNEL_TIMEOUT_MS)
    expect(kernel_idle).to_be_visible()
    stdout = cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]')
    expect(stdout).to_have_text("6")
    image = cell.locator(".jp-OutputArea-output.jp-RenderedImage img")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the plot must decode as an image"

    save_as(page, notebook_name)


def save_as(page: Page, name: str) -> None:
    page.keyboard.press("Control+s")
    # JupyterLab asks for a name on the first manual save of an Untitled document.
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_placeholder("File name").fill(name)
    dialog.locator("button.jp-mod-accept").click()
    expect(dialog).to_have_count(0)
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current")
    expect(tab).to_have_text(name)
    expect(tab, f"{name} still has unsaved changes").not_to_have_class(re.compile(r"\bjp-mod-dirty\b"))


def create_folder_and_text_file(page: Page) -> None:
    """A folder from the file browser's toolbar, then a text file from a new Launcher, saved."""
    page.locator('[data-jp-item-name="new-directory"] jp-button').click()
    page.locator(".jp-DirListing-editor").press("Enter")  # keep the proposed name
    expect(page.locator(".jp-DirListing-item", has_text="Untitled Folder")).to_be_visible()
    page.locator('[data-jp-item-name="new-launcher"] jp-button').click()
    expect(page.locator(".jp-Launcher-cwd")).to_have_text("notebooks")
    page.locator('.jp-LauncherCard[title="Create a new text file"]').click()
    editor = page.locator(".jp-FileEditor:visible .cm-content")
    editor.click()
    page.keyboard.insert_text(TEXT)
    save_as(page, TEXT_FILE)


def saved_outputs(path: Path) -> list[dict]:
    notebook = json.loads(path.read_text())
    return [output for cell in notebook["cells"] if cell["cell_type"] == "code" for output in cell["outputs"]]


def stream_text(outputs: list[dict]) -> str:
    texts = [o["text"] for o in outputs if o["output_type"] == "stream"]
    return "".join("".join(t) if isinstance(t, list) else t for t in texts)


def test_first_run_notebook_folder_and_file_where_the_lab_opens(
        containers, host_dir, page, offsite_requests, failed_responses, output_dir):
    server = containers.run_server(token=TOKEN, volumes=notebooks_volume(host_dir), **COMPOSE_DEFAULTS)

    with server_logs_on_failure(server):
        # The URL scripts/start prints, and no navigation: the lab must open where one can save.
        log_in(page, server.url + "/lab", TOKEN)
        wait_for_lab(page)
        run_plot_and_save(page, NOTEBOOK)
        page.screenshot(path=output_dir / "notebook-with-plot-saved-in-mounted-folder.png")
        create_folder_and_text_file(page)

    assert (host_dir / "Untitled Folder").is_dir(), sorted(p.name for p in host_dir.iterdir())
    assert (host_dir / TEXT_FILE).read_text().strip() == TEXT

    saved = host_dir / NOTEBOOK
    assert saved.is_file(), f"not in the mounted folder: {sorted(p.name for p in host_dir.iterdir())}"
    code, uid = server.exec("id", "-u")
    assert code == 0 and saved.stat().st_uid == int(uid), "the notebook must belong to the container user's UID"
    outputs = saved_outputs(saved)
    assert stream_text(outputs).strip() == "6", outputs
    assert any("image/png" in o.get("data", {}) for o in outputs), "the saved notebook must hold the plot"

    # The image turns JupyterLab's news feed and update check off: no prompt about them, ever.
    expect(page.get_by_text(NEWS_PROMPT)).to_have_count(0)
    assert offsite_requests == [], f"the browser tried to leave 127.0.0.1: {offsite_requests}"
    assert failed_responses == [], "the lab answered errors"


def test_wrong_token_is_refused_at_login(containers, page, offsite_requests):
    server = containers.run_server(token=TOKEN)

    log_in(page, server.url + "/lab", "not-" + TOKEN)

    expect(page.locator(".message.error")).to_contain_text("Invalid credentials")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("#password_input")).to_be_visible()
    # No session was granted: the lab still sends this browser to the login page.
    page.goto(server.url + "/lab")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator(".jp-Launcher")).to_have_count(0)
    assert offsite_requests == [], f"the browser tried to leave 127.0.0.1: {offsite_requests}"

