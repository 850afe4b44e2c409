"""Driving JupyterLab in a browser page as a user does: log in with the token, wait for the lab,
run a plot in a new notebook from the Launcher and save it; and reading a saved notebook's output.
Waits on JupyterLab's own hooks (as its Galata tests do); every wait has a deadline."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

KERNEL = "Python 3 (ipykernel)"
CODE = (
    "import pandas as pd, matplotlib.pyplot as plt; "
    'df = pd.DataFrame({"x": [1, 2, 3]}); df.plot(); plt.show(); print(df.x.sum())'
)
# A first kernel start, and a first import of pandas and matplotlib, get more time than a click.
KERNEL_TIMEOUT_MS = 60_000


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


def saved_outputs(path: Path) -> list[dict]:
    notebook = json.loads(path.read_text())
    return [output for cell in notebook["cells"] if cell["cell_type"] == "code" for output in cell["outputs"]]


def stream_text(outputs: list[dict]) -> str:
    texts = [o["text"] for o in outputs if o["output_type"] == "stream"]
    return "".join("".join(t) if isinstance(t, list) else t for t in texts)
