"""Every lesson in real JupyterLab, in headless Chromium: stored outputs render
on open, every cell runs, widgets and figures render, and each calculator
redraws when a control changes (and keeps its figure on bad input)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from tests.browser.keyboard import drive_by_keyboard
from tests.browser.sweep import add_record, sweep_and_record
from tools import a11y
from tools.browser import CHROMIUM_ARGS, LabServer, find_chromium, open_notebook, run_all, shown_code_cells
from widgets.core.course import lesson_paths

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = find_chromium()
REQUIRED = os.environ.get("COURSE_REQUIRE_BROWSER") == "1"
LESSONS = [p.name for p in lesson_paths(ROOT / "lessons")]
#: This file runs the even lessons; test_lab_odd.py runs the odd ones, so that `pytest -n 2 --dist loadscope`
#: gives the longest tests to both workers.
EVEN = [n for n in LESSONS if int(n[:2]) % 2 == 0]

pytestmark = pytest.mark.browser
if CHROMIUM is None:
    reason = (
        "no system Chromium found (/usr/bin/chromium): install Debian's `chromium` package, "
        "or set COURSE_CHROMIUM; browser tests skipped"
    )
    pytestmark = [pytest.mark.browser, pytest.mark.skipif(not REQUIRED, reason=reason)]


@pytest.fixture(scope="module")
def server():
    if CHROMIUM is None:
        pytest.fail("COURSE_REQUIRE_BROWSER=1 but no Chromium was found")
    lab = LabServer(ROOT / "lessons")
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.page_errors = errors
    yield p
    context.close()


def stored(name: str) -> dict[str, int]:
    """Counts from the committed notebook: cells, shown code cells, plots, calculators."""
    nb = nbformat.read(ROOT / "lessons" / name, as_version=4)
    outs = [o for c in nb.cells for o in c.get("outputs", [])]
    return {
        "cells": len(nb.cells),
        "shown": shown_code_cells(nb),
        "plots": sum("application/vnd.plotly.v1+json" in o.get("data", {}) for o in outs),
        "calculators": sum(o.get("data", {}).get("text/plain", "").startswith("Interactive calculator") for o in outs),
    }


def panel_text(page) -> str:
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").text_content()


def wait_text(page, selector: str, text: str, timeout: int = 30_000) -> None:
    page.wait_for_function(
        "([s, t]) => { const e = document.querySelector(s); return e && e.innerText.includes(t); }",
        arg=[selector, text],
        timeout=timeout,
    )


def plot_y(page, selector: str) -> list:
    return page.evaluate(f"() => Array.from(document.querySelector('{selector} .js-plotly-plot').data[0].y)")


def text_input(page, calc: str, label: str):
    return page.locator(f"{calc} .widget-text").filter(has_text=label).locator("input").first


def submit(page, calc: str, label: str, value: str) -> None:
    box = text_input(page, calc, label)
    box.fill(value)
    box.press("Enter")


# -- lesson-specific interactions: change a control, wait for the redraw ------------------


def interact_00(page) -> None:
    assert plot_y(page, ".cvm-render-check") == [3]
    handle = page.locator(".cvm-render-check .noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.cvm-render-check .js-plotly-plot').data[0].y[0] === 4")
    wait_text(page, ".cvm-render-check .cvm-summary", "4 of 10")
    submit(page, ".cvm-timescales", "yours", "30000")
    wait_text(page, ".cvm-timescales .cvm-summary", "Your 30 s")
    assert page.evaluate("() => document.querySelector('.cvm-timescales .js-plotly-plot').layout.shapes.length") == 1
    submit(page, ".cvm-timescales", "yours", "-5")
    wait_text(page, ".cvm-timescales .cvm-status", "must not be negative")
    assert "Your 30 s" in page.locator(".cvm-timescales .cvm-summary").inner_text()


def interact_01(page) -> None:
    # Trap explorer: making POPF trap restores equivalence.
    page.locator(".cvm-trap-explorer .widget-checkbox").filter(has_text="POPF traps").locator("input").check()
    wait_text(page, ".cvm-trap-explorer .cvm-summary", "behaved exactly")
    # KVM lab: a shorter message, fewer exits.
    submit(page, ".cvm-kvm-lab", "message", "Hi")
    wait_text(page, ".cvm-kvm-lab .cvm-summary", "with 3 exits to user space")
    # Sizing: a host with 8 cores holds fewer VMs; nonsense keeps the figure.
    submit(page, ".cvm-sizing", "host cores", "8")
    wait_text(page, ".cvm-sizing .cvm-summary", "4 VMs fit")
    submit(page, ".cvm-sizing", "host cores", "abc")
    wait_text(page, ".cvm-sizing .cvm-status", "must be a number")
    assert "4 VMs fit" in page.locator(".cvm-sizing .cvm-summary").inner_text()
    # Provisioning: a bigger image makes the transfer stage longer.
    before = page.locator(".cvm-provisioning .cvm-summary").inner_text()
    submit(page, ".cvm-provisioning", "image size", "5000")
    page.wait_for_function("b => document.querySelector('.cvm-provisioning .cvm-summary').innerText !== b", arg=before)


def interact_02(page) -> None:
    # Self-healing: more failures change the plot and the summary; nonsense keeps them.
    before = page.locator(".cvm-healing .cvm-summary").inner_text()
    points = page.evaluate("() => document.querySelector('.cvm-healing .js-plotly-plot').data[0].x.length")
    submit(page, ".cvm-healing", "crashes per instance per day", "6")
    page.wait_for_function("b => document.querySelector('.cvm-healing .cvm-summary').innerText !== b", arg=before)
    page.wait_for_function(
        "n => document.querySelector('.cvm-healing .js-plotly-plot').data[0].x.length !== n", arg=points
    )
    after = page.locator(".cvm-healing .cvm-summary").inner_text()
    submit(page, ".cvm-healing", "crashes per instance per day", "-1")
    wait_text(page, ".cvm-healing .cvm-status", "must not be negative")
    assert page.locator(".cvm-healing .cvm-summary").inner_text() == after
    # Scale-out: a bigger jump needs more instances.
    submit(page, ".cvm-scaleout", "new demand", "6000")
    wait_text(page, ".cvm-scaleout .cvm-summary", "6,000 req/s")


def interact_03(page) -> None:
    # Storage: linked clones shrink the VM bar; a bigger app layer changes the container bars.
    before = page.locator(".cvm-storage .cvm-summary").inner_text()
    page.locator(".cvm-storage .widget-checkbox").filter(has_text="linked clones").locator("input").check()
    page.wait_for_function("b => document.querySelector('.cvm-storage .cvm-summary').innerText !== b", arg=before)
    submit(page, ".cvm-storage", "app layer", "abc")
    wait_text(page, ".cvm-storage .cvm-status", "must be a number")
    # Pull: more bandwidth, a faster pull.
    submit(page, ".cvm-pull", "bandwidth", "1000")
    wait_text(page, ".cvm-pull .cvm-summary", "at 1000 Mbit/s")


def interact_04(page) -> None:
    # Cost: a steady load (ratio 1) makes the VMs cheaper; a ratio below 1 is refused, the figure kept.
    submit(page, ".cvm-cost", "peak-to-average", "1")
    wait_text(page, ".cvm-cost .cvm-summary", "peaks 1× the average")
    bars = page.evaluate("() => JSON.stringify(document.querySelector('.cvm-cost .js-plotly-plot').data.map(t => t.y))")
    submit(page, ".cvm-cost", "peak-to-average", "0.5")
    wait_text(page, ".cvm-cost .cvm-status", "peak-to-average")
    assert (
        page.evaluate("() => JSON.stringify(document.querySelector('.cvm-cost .js-plotly-plot').data.map(t => t.y))")
        == bars
    )
    # Autoscaling: the spike profile makes the VM fleet miss.
    before = page.locator(".cvm-loadsim .cvm-summary").inner_text()
    page.locator(".cvm-loadsim select").first.select_option("spike")
    page.wait_for_function("b => document.querySelector('.cvm-loadsim .cvm-summary').innerText !== b", arg=before)
    assert (
        "0 min of unmet demand (0 requests short) and the container"
        not in page.locator(".cvm-loadsim .cvm-summary").inner_text()
    )  # the VM fleet now misses
    # TCO: a longer migration moves the break-even.
    before = page.locator(".cvm-tco .cvm-summary").inner_text()
    submit(page, ".cvm-tco", "migration", "18")
    page.wait_for_function("b => document.querySelector('.cvm-tco .cvm-summary').innerText !== b", arg=before)


def interact_05(page) -> None:
    # The kernel-version calculator: an old kernel lacks more; garbage gets a message, the figure stays.
    submit(page, ".cvm-kernel", "kernel version", "3.10.0-1160.el7.x86_64")
    wait_text(page, ".cvm-kernel .cvm-summary", "Linux 3.10")
    assert "cgroup namespace" in page.locator(".cvm-kernel .cvm-summary").inner_text()
    submit(page, ".cvm-kernel", "kernel version", "banana")
    wait_text(page, ".cvm-kernel .cvm-status", "kernel version")
    assert "Linux 3.10" in page.locator(".cvm-kernel .cvm-summary").inner_text()


def interact_06(page) -> None:
    # Drift simulator: rarer container rebuilds, more drift; nonsense keeps the figure.
    before = page.locator(".cvm-drift .cvm-summary").inner_text()
    submit(page, ".cvm-drift", "container rebuild", "30")
    wait_text(page, ".cvm-drift .cvm-summary", "rebuilt every 30 days")
    assert page.locator(".cvm-drift .cvm-summary").inner_text() != before
    submit(page, ".cvm-drift", "change probability", "-1")
    wait_text(page, ".cvm-drift .cvm-status", "last valid input")
    assert "rebuilt every 30 days" in page.locator(".cvm-drift .cvm-summary").inner_text()


def interact_07(page) -> None:
    # Published overheads: the storage category shows the fio rows only.
    page.locator(".cvm-overheads select").first.select_option("storage")
    wait_text(page, ".cvm-overheads .cvm-summary", "storage benchmarks")
    # Start-up lab: a new run measures (or shows the recording) and says it is done.
    page.locator(".cvm-startup-lab button").filter(has_text="Run benchmark").click()
    wait_text(page, ".cvm-startup-lab", "Done:", timeout=60_000)
    # Packing: requests at the median make hosts overload.
    submit(page, ".cvm-packing", "container request", "50")
    wait_text(page, ".cvm-packing .cvm-summary", "p50")
    # Density: twice the memory, about twice the instances; nonsense keeps the figure.
    before = page.locator(".cvm-density .cvm-summary").inner_text()
    submit(page, ".cvm-density", "host memory", "128")
    page.wait_for_function("b => document.querySelector('.cvm-density .cvm-summary').innerText !== b", arg=before)
    after = page.locator(".cvm-density .cvm-summary").inner_text()
    assert "container (runc) 128" in after, after  # CPU binds now: 32 cores / 0.25
    submit(page, ".cvm-density", "host memory", "-1")
    wait_text(page, ".cvm-density .cvm-status", "last valid input")
    assert page.locator(".cvm-density .cvm-summary").inner_text() == after


def interact_08(page) -> None:
    # Decision aid: a legacy application turns the verdict to VMs; the export follows the answers.
    page.locator(".cvm-decision select").first.select_option("legacy (monolith, fixed OS)")
    wait_text(page, ".cvm-decision .cvm-summary", "Verdict: virtual machines")
    page.locator(".cvm-decision button").filter(has_text="Export Markdown").click()
    page.wait_for_function("() => document.querySelector('.cvm-decision textarea').value.includes('Verdict: virtual')")
    page.locator(".cvm-decision select").nth(3).select_option("untrusted tenants / customer code")
    page.wait_for_function("() => document.querySelector('.cvm-decision textarea').value.includes('untrusted')")


def interact_09(page) -> None:
    # Capstone: the scenario's cost calculator answers a what-if; the kernel calculator takes another kernel.
    submit(page, ".cvm-cost", "peak-to-average", "10")
    wait_text(page, ".cvm-cost .cvm-summary", "peaks 10× the average")
    wait_text(page, ".cvm-cost .cvm-summary", "containers are cheaper")
    submit(page, ".cvm-kernel", "kernel version", "6.1")
    wait_text(page, ".cvm-kernel .cvm-summary", "Linux 6.1")
    before = page.locator(".cvm-decision .cvm-summary").inner_text()
    page.locator(".cvm-decision select").nth(3).select_option("untrusted tenants / customer code")
    page.wait_for_function("b => document.querySelector('.cvm-decision .cvm-summary').innerText !== b", arg=before)


INTERACTIONS: dict[str, Callable] = {
    "09-capstone.ipynb": interact_09,
    "08-making-the-decision.ipynb": interact_08,
    "07-performance.ipynb": interact_07,
    "06-drift-and-scanning.ipynb": interact_06,
    "05-security-isolation.ipynb": interact_05,
    "04-cost-under-variable-load.ipynb": interact_04,
    "00-start-here.ipynb": interact_00,
    "01-virtual-machines.ipynb": interact_01,
    "02-container-engines.ipynb": interact_02,
    "03-images-and-layers.ipynb": interact_03,
}


def test_every_lesson_has_browser_interactions():
    assert set(LESSONS) <= set(INTERACTIONS), "add an interaction for each new lesson"


@pytest.mark.parametrize("name", EVEN)
def test_lesson_renders_runs_and_answers(page, server, name):
    check_lesson(page, server, name)


def check_lesson(page, server, name):
    """One opening of the lesson: its stored outputs render before anything runs; then Run All, the calculators,
    accessibility (axe-core, descriptions, live regions), the keyboard, the hostile-input sweep."""
    counts = stored(name)
    open_notebook(page, server, name, counts["cells"])
    check_stored_lesson(page, name, counts)
    check_run_all_then_interact(page, name, counts)


def check_stored_lesson(page, name, counts):
    """The committed lesson renders in JupyterLab before anything runs."""
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot').length >= n", arg=counts["plots"], timeout=60_000
    )
    text = panel_text(page)
    assert "Error displaying widget" not in text
    assert "Quiz" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name[:2]}-stored.png"))


def check_run_all_then_interact(page, name, counts):
    """Run all cells, then drive the lesson's calculators, check accessibility, the keyboard and the quiz, and
    sweep hostile input through every numeric box."""
    run_all(page, counts["shown"])
    assert "Error displaying widget" not in panel_text(page)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.all_inner_texts()
    assert page.locator(".cvm-calculator").count() == counts["calculators"]
    assert page.locator(".cvm-quiz").count() == 1
    page.wait_for_function(
        "n => document.querySelectorAll('.cvm-calculator .js-plotly-plot').length == n", arg=counts["calculators"]
    )
    INTERACTIONS[name](page)
    check_accessible(page, name)
    sweep_and_record(page, name, ROOT / "build" / "hostile_sweep.json")
    check_keyboard(page, name)  # last: it leaves the controls where the keyboard took them
    SHOTS.mkdir(parents=True, exist_ok=True)
    for i, calc in enumerate(page.locator(".cvm-calculator").all()):
        calc.scroll_into_view_if_needed()
        calc.screenshot(path=str(SHOTS / f"{name[:2]}-calculator-{i}.png"))
    assert not page.page_errors, json.dumps(page.page_errors)[:2000]


#: The notebook's figures (plotly's drawing element).
PLOTS = f"{a11y.PANEL} .js-plotly-plot"


def check_accessible(page, name):
    """Screen readers: every figure is a named figure described by its summary, every calculator's summary and
    status are live regions, every quiz question a named radio group; then axe-core finds no serious or critical
    violation in the notebook's content (JupyterLab's own chrome is recorded apart, in build/a11y-lab.json)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.cvm-calculator, .cvm-quiz')].every(c => c.dataset.cvmA11y === 'ready')",
        timeout=30_000,
    )
    page.wait_for_function(
        f"sel => ({a11y.FIGURES_JS})(sel).every(f => f.description.length > 20)", arg=PLOTS, timeout=30_000
    )
    figures = a11y.figures(page, PLOTS)
    assert figures and all(f["role"] == "figure" and f["label"].startswith("Figure: ") for f in figures), figures
    # What Chromium itself gives assistive technology: its accessibility tree has one described figure per plot.
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    described = [
        n for n in tree if n.get("role", {}).get("value") == "figure" and (n.get("description") or {}).get("value")
    ]
    assert len(described) >= len(figures), (len(described), len(figures))
    live = page.evaluate(
        """() => [...document.querySelectorAll('.cvm-calculator')].map(c => [
            c.querySelector('.cvm-summary').getAttribute('aria-live'),
            c.querySelector('.cvm-status').getAttribute('aria-live')])"""
    )
    assert all(x == ["polite", "assertive"] for x in live), live
    groups = page.evaluate(
        """() => [...document.querySelectorAll('.cvm-quiz [role=radiogroup]')].map(g => {
            const q = document.getElementById(g.getAttribute('aria-labelledby'));
            return q ? q.textContent : ''; })"""
    )
    assert groups and all(len(q) > 10 for q in groups), groups
    bare = a11y.bare_tables(page, a11y.CONTENT_TABLES)
    assert not bare, f"tables without a header row, or with an empty header: {bare}"
    found = a11y.audit_notebook(page)
    blocking = a11y.blocking(found["content"])
    add_record(
        ROOT / "build" / "a11y-lab.json",
        name,
        {k: [v.as_dict() for v in found[k]] for k in ("content", "chrome")} | {"figures": len(figures)},
    )
    assert not blocking, [v.as_dict() for v in blocking]


def check_keyboard(page, name):
    """Every control of every calculator reached with Tab and changed with keys alone, each calculator answering;
    then a quiz option chosen from the keyboard, its feedback in words (not only in colour)."""
    report = drive_by_keyboard(page)
    add_record(
        ROOT / "build" / "keyboard.json",
        name,
        {"controls": report.count, "seconds": round(report.seconds, 1), "failures": report.failures},
    )
    assert not report.failures, report.failures
    calculators = page.locator(".cvm-calculator").count()
    assert len([k for k, v in report.controls.items() if v]) == calculators, report.controls
    radio = page.locator(".cvm-quiz .widget-radio-box input[type=radio]").first
    radio.focus()
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => /^(✔ Right|✘ Not quite)\\./.test(document.querySelector('.cvm-quiz-feedback').innerText.trim())"
    )
    assert radio.is_checked()
