"""One learner in a real browser through the hub: log in, open lesson 00, Run All, change its calculators and
check the figures redraw (the browser harness of tests/browser, pointed at the hub)."""

from __future__ import annotations

import nbformat
import pytest

from tests.browser.test_lab import CHROMIUM, REQUIRED, interact_00, stored
from tests.hub.conftest import needs_hub, password, start_hub, stop_hub
from tools.browser import CHROMIUM_ARGS, HubLab, open_notebook, run_all

pytestmark = [
    needs_hub,
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None and not REQUIRED, reason="no system Chromium found"),
]
LESSON = "00-start-here.ipynb"


def test_a_learner_logs_in_runs_a_lesson_and_moves_a_calculator(hub_env, root):
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        pytest.fail("COURSE_REQUIRE_BROWSER=1 but no Chromium was found")
    hub = start_hub()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            lab = HubLab(hub.url, "dana")
            lab.login(page, password())
            counts = stored(LESSON)
            nb = nbformat.read(root / "lessons" / LESSON, as_version=4)
            assert counts["cells"] == len(nb.cells)
            open_notebook(page, lab, f"lessons/{LESSON}", counts["cells"], timeout_ms=180_000)
            run_all(page, counts["shown"])
            panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").text_content()
            assert "Error displaying widget" not in panel
            page.wait_for_function(
                "n => document.querySelectorAll('.cvm-calculator .js-plotly-plot').length == n",
                arg=counts["calculators"],
                timeout=60_000,
            )
            interact_00(page)  # the slider redraws the render check; the timescale calculator takes a value
            assert not errors, errors
            browser.close()
    finally:
        stop_hub(hub)
