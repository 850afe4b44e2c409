"""A user's JupyterLab settings and workspace outlive restarts under compose: the theme chosen in the
Settings menu is still in force after `docker restart` (what compose's own restarts do) and after
`scripts/stop && scripts/start` (`down`, then `up`); the workspace saved by the lab is still there."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import local_only_context
from tests.support.compose_project import TOKEN
from tests.support.lab import log_in, wait_for_lab

pytestmark = [pytest.mark.browser, pytest.mark.image]

DARK = "JupyterLab Dark"


def open_lab(page: Page, compose_project) -> None:
    log_in(page, f"{compose_project.server().url}/lab", TOKEN)
    wait_for_lab(page)


def theme_after_a_new_visit(browser, compose_project) -> str:
    """A new browser (own cookies, nothing cached): whatever theme it shows comes from the server."""
    context = local_only_context(browser, [])
    try:
        page = context.new_page()
        open_lab(page, compose_project)
        body = page.locator("body")
        expect(body).to_have_attribute("data-jp-theme-name", DARK)  # waits until the theme is applied
        return body.get_attribute("data-jp-theme-name")
    except AssertionError:
        return page.locator("body").get_attribute("data-jp-theme-name")
    finally:
        context.close()


def workspaces(compose_project) -> list[str]:
    return compose_project.server().get("/lab/api/workspaces").json()["workspaces"]["ids"]


def test_theme_and_workspace_survive_restarts(compose_project, page: Page, browser):
    compose_project.up()
    open_lab(page, compose_project)
    body = page.locator("body")
    expect(body).not_to_have_attribute("data-jp-theme-name", DARK)

    page.locator(".lm-MenuBar-item", has_text="Settings").click()
    page.locator(".lm-Menu-item", has_text="Theme").first.hover()
    page.get_by_role("menuitem", name=DARK, exact=True).click()
    expect(body).to_have_attribute("data-jp-theme-name", DARK)
    assert workspaces(compose_project), "the lab saved no workspace"

    compose_project("restart")  # the container itself restarts, as docker restart or restart: on-failure
    assert theme_after_a_new_visit(browser, compose_project) == DARK, "the theme was lost by a container restart"

    compose_project("down")  # scripts/stop
    compose_project.up()  # scripts/start
    assert theme_after_a_new_visit(browser, compose_project) == DARK, "the theme was lost by down and up"
    assert workspaces(compose_project), "the workspace was lost by down and up"
