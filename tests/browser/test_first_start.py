"""A newcomer's first start: ``make lab`` as the README says, the URL it prints, lesson 00 running, and no
dialog or prompt in between (no "Select Kernel", no "get notified about official Jupyter news?").

The server is the real ``make lab`` (its flags, ``lab/settings/overrides.json``), on a free port, for a new
user: an empty home, settings and workspace directories. Nothing is run in the lesson, so nothing is saved;
the test checks that the lessons are byte for byte unchanged afterwards.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from tests.browser.test_lab import CHROMIUM, REQUIRED
from tools.browser import CHROMIUM_ARGS, free_port, wait_idle
from widgets.core.course import lesson_paths

ROOT = Path(__file__).resolve().parents[2]
FIRST = lesson_paths(ROOT / "lessons")[0]

pytestmark = pytest.mark.browser

#: Every dialog and every notification toast that appears, recorded from the first script of the page on.
_WATCH = """() => {
  window.__cvmPopups = [];
  const seen = new WeakSet();
  new MutationObserver(() => {
    for (const e of document.querySelectorAll('.jp-Dialog, .Toastify__toast, [role=dialog], [role=alertdialog]')) {
      if (!seen.has(e)) { seen.add(e); window.__cvmPopups.push(e.innerText.trim().slice(0, 200)); }
    }
  }).observe(document, {childList: true, subtree: true});
}"""


def _digests() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((ROOT / "lessons").glob("*.ipynb"))}


def test_make_lab_opens_lesson_00_with_no_dialog(tmp_path):
    if CHROMIUM is None:
        if REQUIRED:
            pytest.fail("COURSE_REQUIRE_BROWSER=1 but no Chromium was found")
        pytest.skip("no system Chromium found (/usr/bin/chromium): install Debian's `chromium` package")
    from playwright.sync_api import sync_playwright

    before = _digests()
    port = free_port()
    home = tmp_path / "home"
    home.mkdir()
    env = dict(
        os.environ,
        HOME=str(home),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
    )
    log = tmp_path / "lab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["make", "-s", "lab", f"PORT={port}", "LAB_ARGS=--ServerApp.port_retries=0"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # The URL that make lab prints (the one a learner opens): it must lead to lesson 00 itself.
        pattern = re.compile(rf"http://127\.0\.0\.1:{port}/\S*\?token=[0-9a-f]+")
        deadline, url = time.monotonic() + 120, None
        while url is None and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            found = pattern.search(log.read_text(errors="replace"))
            url = found.group(0) if found else None
            if url is None:
                time.sleep(0.2)  # polling the log for a condition, with a deadline
        assert url, f"make lab printed no URL within 120 s:\n{log.read_text(errors='replace')[-3000:]}"
        assert f"/lab/tree/{FIRST.relative_to(ROOT).as_posix()}?" in url, url

        n_cells = len(nbformat.read(FIRST, as_version=4).cells)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                context.add_init_script(f"({_WATCH})()")
                page = context.new_page()
                page.goto(url, timeout=90_000)
                page.wait_for_function(
                    "n => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').length >= n",
                    arg=n_cells,
                    timeout=90_000,
                )
                wait_idle(page)  # the kernel started by itself and is idle: the lesson is ready to run
                title = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current").first.get_attribute("title")
                first_cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.inner_text()
                popups = page.evaluate("() => window.__cvmPopups")
                kernel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-KernelName").first.inner_text()
            finally:
                browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    assert popups == [], f"dialogs or prompts appeared between make lab and a running lesson 00: {popups}"
    assert f"Path: {FIRST.relative_to(ROOT).as_posix()}" in (title or ""), title
    assert "Python" in kernel, kernel
    assert "Start here" in first_cell and "Run the cells in order" in first_cell, first_cell[:300]  # what to do next
    assert _digests() == before, "opening lesson 00 changed a lesson file"
