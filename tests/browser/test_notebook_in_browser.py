"""What a user does on first contact, in a real Chromium: log in with the token, and where the lab
opens (without navigating anywhere) create a notebook from the Launcher, run a plot, save it, then a
folder and a text file; all under compose's defaults (read-only root, no capabilities, any UID).

Waits on JupyterLab's own hooks (as its Galata tests do): the splash screen detaching, the Launcher,
the kernel status in the status bar, the rendered outputs. Every wait has a deadline; nothing sleeps.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.containers import Server
from tests.support.lab import log_in, run_plot_and_save, save_as, saved_outputs, stream_text, wait_for_lab

pytestmark = [pytest.mark.browser, pytest.mark.image]

TOKEN = "browser-test-token"
NOTEBOOK = "plotted-in-browser.ipynb"
TEXT = "written in the browser"
TEXT_FILE = "written-in-browser.txt"
NEWS_PROMPT = "notified about official Jupyter news"
# compose.yaml's defaults, run as a UID the image was not built with.
COMPOSE_DEFAULTS = {"read_only": True, "tmpfs": {"/tmp": ""}, "cap_drop": ["ALL"],
                    "security_opt": ["no-new-privileges"], "user": "12345:23456"}


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

