"""Real JupyterLab in headless Chromium, for browser tests and benchmarks.

:class:`LabServer` starts JupyterLab on a free loopback port with a random
token, on a scratch copy of the lessons (JupyterLab autosaves into the files
it opens), and stops it afterwards. :func:`find_chromium` locates Debian's
Chromium (never a downloaded browser). The page helpers wait on conditions,
never on fixed sleeps.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from widgets.labserver import LAB_ENV, SERVER_FLAG

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def find_chromium() -> str | None:
    """Path of a system Chromium, or None ($COURSE_CHROMIUM overrides)."""
    override = os.environ.get("COURSE_CHROMIUM")
    if override:
        return override if Path(override).exists() else None
    return next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None)


def shown_code_cells(nb) -> int:
    """Code cells whose input is shown (not collapsed): the prompts :func:`run_all` waits to see numbered."""
    return sum(1 for c in nb.cells if c.cell_type == "code" and not c.metadata.get("jupyter", {}).get("source_hidden"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A JupyterLab server on a scratch copy of ``lessons``."""

    def __init__(
        self, lessons: Path, timeout: float = 90.0, windowing: str = "none", extra: dict[str, str] | None = None
    ) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="cvm-lab-"))
        shutil.copytree(lessons, self.workdir / "lessons")
        for name, text in (extra or {}).items():  # more files beside the lessons, there before the server starts
            (self.workdir / "lessons" / name).write_text(text, encoding="utf-8")
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        # Tests render every cell (no windowing) to see the whole notebook; a benchmark can ask for
        # JupyterLab's default ("contentVisibility") to measure what a learner gets.
        settings = self.workdir / ".settings" / "@jupyterlab" / "notebook-extension"
        settings.mkdir(parents=True)
        (settings / "tracker.jupyterlab-settings").write_text(f'{{"windowingMode": "{windowing}"}}')
        news = self.workdir / ".settings" / "@jupyterlab" / "apputils-extension"
        news.mkdir(parents=True)
        (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
        env = dict(LAB_ENV, **os.environ)  # the environment of make lab (an explicit setting wins)
        env.update(
            JUPYTER_PREFER_ENV_PATH="1",
            JUPYTERLAB_SETTINGS_DIR=str(self.workdir / ".settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(self.workdir / ".workspaces"),
            JUPYTER_CONFIG_DIR=str(self.workdir / ".jupyter"),
            JUPYTER_RUNTIME_DIR=str(self.workdir / ".runtime"),
        )
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--ServerApp.root_dir={self.workdir / 'lessons'}",
            SERVER_FLAG,
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log = open(self.workdir / "server.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)  # polling a condition, with a deadline
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        try:
            return (self.workdir / "server.log").read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def lab_url(self, notebook: str) -> str:
        return f"{self.url}/lab/tree/{notebook}?reset&token={self.token}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


class HubLab:
    """A learner's JupyterLab reached through a JupyterHub (the course's workshop hub, ``make hub``), shaped like
    :class:`LabServer` for :func:`open_notebook` and :func:`run_all`: log in at the hub's login page, then open
    notebooks by their path in the learner's home."""

    def __init__(self, hub_url: str, name: str) -> None:
        self.url, self.name = hub_url.rstrip("/"), name

    def login(self, page, password: str, timeout_ms: int = 300_000) -> None:
        """Log in (the first login sets the password) and wait for the learner's JupyterLab to open."""
        page.goto(f"{self.url}/hub/login", timeout=timeout_ms)
        page.fill("input#username_input", self.name)
        page.fill("input#password_input", password)
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{self.name}/lab**", timeout=timeout_ms)

    def lab_url(self, notebook: str) -> str:
        return f"{self.url}/user/{self.name}/lab/tree/{notebook}?reset"


def open_notebook(page, server: LabServer | HubLab, name: str, n_cells: int, timeout_ms: int = 90_000) -> None:
    """Open a notebook and wait until all its cells are in the page and the kernel is idle."""
    page.goto(server.lab_url(name), timeout=timeout_ms)
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').length >= n",
        arg=n_cells,
        timeout=timeout_ms,
    )
    wait_idle(page, timeout_ms)


def wait_idle(page, timeout_ms: int = 90_000) -> None:
    """Wait until the kernel status shows Idle."""
    page.wait_for_function(
        """() => {
            const el = document.querySelector('.jp-Notebook-ExecutionIndicator');
            return el && el.getAttribute('data-status') === 'idle';
        }""",
        timeout=timeout_ms,
    )


_PROMPTS = "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt'"  # the shown prompts
_PROMPTS_JS = f"() => [...document.querySelectorAll({_PROMPTS})].map(p => p.textContent).join('|')"


def _accept_dialog(page) -> str | None:
    """Accept an open JupyterLab dialog (e.g. "Select Kernel", whose default is the course's Python kernel);
    return its text, or None when no dialog is open."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count() == 0:
        return None
    text = dialog.first.inner_text()
    dialog.first.locator("button.jp-mod-accept").first.click()
    return text


def run_all(page, n_code_cells: int, timeout_ms: int = 180_000) -> None:
    """Run all cells through the Run menu and wait until every shown prompt is
    numbered (``n_code_cells``: code cells whose input is not collapsed) and the
    kernel is idle again.

    The run must start (the prompts change: a queued cell shows ``[*]``) within 15 s of the click. If it does
    not, a dialog may be waiting (JupyterLab can ask which kernel to use while one is starting): it is accepted
    and the run given another 15 s; otherwise the click is repeated (3 tries in all).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    def started(before: str) -> bool:
        try:
            page.wait_for_function(f"before => ({_PROMPTS_JS})() !== before", arg=before, timeout=15_000)
            return True
        except PlaywrightTimeout:
            return False

    for attempt in range(3):
        _accept_dialog(page)
        before = page.evaluate(_PROMPTS_JS)
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first.click()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        if started(before):
            break
        dialog = _accept_dialog(page)
        print(
            f"run_all: 'Run All Cells' did not start a run (try {attempt + 1}); dialog: "
            f"{' '.join(dialog.split()) if dialog else 'none'}",
            file=sys.stderr,
        )
        if dialog is not None and started(before):
            break
        if attempt == 2:
            raise AssertionError("'Run All Cells' did not start a run in 3 tries")
    page.wait_for_function(
        f"""n => {{
            const prompts = [...document.querySelectorAll({_PROMPTS})];
            const done = prompts.filter(p => /\\[\\d+\\]/.test(p.textContent));
            const busy = prompts.some(p => p.textContent.includes('*'));
            return done.length >= n && !busy;
        }}""",
        arg=n_code_cells,
        timeout=timeout_ms,
    )
    wait_idle(page, timeout_ms)
