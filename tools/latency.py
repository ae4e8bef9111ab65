"""``make latency``: browser round trip for every calculator of every lesson (a benchmark, not a test).

For each lesson: real JupyterLab on a scratch copy (JupyterLab's default windowing and the settings of
``widgets/labserver.py``, as ``make lab`` starts it), headless Chromium, run all cells. Then, for every
``.cvm-calculator`` on the page, scrolled into view, change one control ``--changes`` times and time, inside
the page, from the input event to the first paint after the calculator shows its new state: its summary or
message changed, and the kernel sends the figure's update before the summary, so the figure is redrawn by
then. A change that leaves the figure as it was (plotly sends nothing) is counted apart, and timed only for a
control that (almost) never changes the figure. Two untimed changes come first (``WARMUP``: a fresh kernel's
first updates also touch new memory, which on the virtual machine these figures come from costs tens of
milliseconds). Each change starts from a settled page (kernel idle, no kernel message for ``QUIET_MS``), as
when a learner types a value. The control is the first numeric box (a new value each time, between half its
value and its value, so no model cache is measured), else the first dropdown (its first two options), else the
first text box (a kernel version). Two reference widgets in a scratch notebook come first (a text-only one and
a one-bar figure: the floor of the round trip). Prints median and p95 per calculator and writes the table to
``build/latency.md``.

Usage: python -m tools.latency [--changes 30] [--lessons 04 07]
Goal (issue: hardening): p95 <= 50 ms, never above 100 ms.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import nbformat
import numpy as np

from widgets.core.course import lesson_paths

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS, LIMIT_MS = 50.0, 100.0

# One change, timed inside the page. Returns null when the calculator has no control this tool can drive.
_CHANGE_JS = """([i, k, n]) => new Promise(res => {
  const calc = document.querySelectorAll('.cvm-calculator')[i];
  const summary = calc.querySelector('.cvm-summary'), status = calc.querySelector('.cvm-status');
  const num = calc.querySelector('.cvm-number:not(.cvm-optional) input:not(:disabled)');
  const sel = calc.querySelector('select:not([multiple])');
  const txt = calc.querySelector('.widget-text input:not(:disabled)');
  let el, value;
  if (num) {
    // A new value each time, from about half the starting value up to it (so no model cache is measured);
    // small starting values step up by 1 to 3 instead.
    el = num; if (el.dataset.base === undefined) el.dataset.base = el.value;
    const x = Number(el.dataset.base), whole = Number.isInteger(x);
    const pick = v => whole ? String(Math.round(v)) : String(+v.toPrecision(6));
    const f = 0.5 + 0.5 * ((k + 0.5 * Math.floor(k / n)) % n) / n;  // later rounds fall between earlier values
    value = x <= 2 ? pick(x + 1 + (k % 3)) : pick(x * f);
    if (value === el.value) value = value === el.dataset.base ? pick(x <= 2 ? x + 1 : x / 2) : el.dataset.base;
  } else if (sel && sel.options.length > 1) {
    el = sel; if (el.dataset.base === undefined) el.dataset.base = String(sel.selectedIndex);
    const b = Number(el.dataset.base);
    value = sel.options[k % 2 === 0 ? (b === 0 ? 1 : 0) : b].value;
  } else if (txt) {
    el = txt; value = k % 2 === 0 ? '5.4' : '6.1';
  } else { res(null); return; }
  const s0 = summary.textContent, m0 = status.innerHTML;
  // Did the figure change? The kernel sends a figure's update before the summary, and plotly sends nothing
  // when the data are the same: a change that leaves the figure as it was is reported, not timed.
  const plot = calc.querySelector('.js-plotly-plot'), before = plot ? plot.innerHTML : '';
  const t0 = performance.now();
  // Next paint after the new state is in the DOM: the rendering step runs the rAF callback, then paints;
  // a task queued from inside it runs after that paint. The figure is compared after the clock stops.
  const done = () => requestAnimationFrame(() => setTimeout(() => {
    const ms = performance.now() - t0; res([ms, el.tagName, !plot || plot.innerHTML !== before]); }, 0));
  const watch = new MutationObserver(() => {
    if (summary.textContent !== s0 || status.innerHTML !== m0) { watch.disconnect(); clearTimeout(limit); done(); }
  });
  const limit = setTimeout(() => { watch.disconnect(); res([NaN, el.tagName, false]); }, 5000);
  for (const node of [summary, status]) watch.observe(node, {childList: true, subtree: true, characterData: true});
  el.value = value;
  el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  if (el.tagName !== 'SELECT')
    el.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', keyCode: 13, bubbles: true}));
})"""


# Installed before JupyterLab loads: note the time of every kernel websocket message, so each change can start
# from a settled page (kernel idle, and no message for QUIET_MS, including plotly's layout reports).
_WATCH_WS_JS = """(() => {
  const Native = window.WebSocket;
  window.__cvmLastMessage = performance.now();
  window.WebSocket = function (...args) {
    const ws = new Native(...args), send = ws.send.bind(ws);
    ws.addEventListener('message', () => { window.__cvmLastMessage = performance.now(); });
    ws.send = data => { window.__cvmLastMessage = performance.now(); send(data); };
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
})()"""
QUIET_MS = 150
WARMUP = 2  # untimed changes per calculator first: a fresh kernel's first updates also touch new memory
MIN_REDRAWN = 5  # fewer changes than this redraw the figure: the control only changes the text, time that
WINDOWING = "contentVisibility"  # JupyterLab 4's default, what a learner has (the browser tests render every cell)
_SETTLED_JS = """quiet => {
  const kernel = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return kernel && kernel.getAttribute('data-status') === 'idle' && performance.now() - window.__cvmLastMessage > quiet;
}"""


# Two reference "calculators" in a scratch notebook, measured like the course's: a number box whose change
# only rewrites a text (the floor of the JupyterLab widget round trip here), and the same plus a one-bar plotly
# FigureWidget (the floor with a figure). The course's calculators add their model and their figure's size.
_BASELINE_CODE = """import ipywidgets as ipw
import plotly.graph_objects as go

def baseline(with_figure):
    box = ipw.Text(value="100", description="value", continuous_update=False)
    status, summary = ipw.HTML(""), ipw.HTML("value 100")
    parts = [box, status]
    if with_figure:
        fig = go.FigureWidget(go.Bar(x=["a"], y=[100.0]), layout={"height": 300})
        parts.append(fig)
    def changed(change):
        if with_figure:
            fig.data[0].y = [float(change["new"])]
        summary.value = f"value {change['new']}"
    box.observe(changed, names="value")
    ui = ipw.VBox([*parts, summary])
    for w, c in ((box, "cvm-number"), (status, "cvm-status"), (summary, "cvm-summary"), (ui, "cvm-calculator"),
                 (ui, "cvm-baseline-figure" if with_figure else "cvm-baseline-text")):
        w.add_class(c)
    return ui

display(baseline(False), baseline(True))
"""
BASELINE = "baseline.ipynb"


def _shut_down_kernels(server: object) -> None:
    """Stop every kernel of the scratch server (its REST API, on loopback)."""
    import json
    import urllib.request

    base, token = server.url, server.token  # type: ignore[attr-defined]
    with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=10) as reply:
        kernels = json.load(reply)
    for kernel in kernels:
        request = urllib.request.Request(f"{base}/api/kernels/{kernel['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def _time_calculator(page, i: int, changes: int, what: str) -> tuple[list[float], str]:
    """Time up to ``changes`` changes of calculator ``i`` that redraw its figure, after ``WARMUP`` untimed ones;
    for a control that (almost) never changes the figure, time the summary instead. Returns (ms, control kind)."""
    samples, other, kind, k = [], [], "", 0  # timed with the figure redrawn / without
    enough, attempts = min(MIN_REDRAWN, changes), 3 * changes + WARMUP
    page.evaluate("i => document.querySelectorAll('.cvm-calculator')[i].scrollIntoView({block: 'center'})", i)
    while len(samples) < changes and k < attempts and (k < changes + WARMUP or len(samples) >= enough):
        page.wait_for_function(_SETTLED_JS, arg=QUIET_MS, timeout=30_000)
        out = page.evaluate(_CHANGE_JS, [i, k, changes])
        k += 1
        if out is None:
            break
        if out[0] is None or out[0] != out[0]:  # NaN: no new state within 5 s
            print(f"  {what}: change {k} showed no new state within 5 s", flush=True)
        elif k > WARMUP:
            (samples if out[2] else other).append(out[0])
            kind = out[1].lower()
    if other:
        print(f"  {what}: {len(other)} changes left the figure as it was", flush=True)
    if len(samples) < enough:  # this control does not change the figure: time the summary
        samples, kind = other[:changes], f"{kind} (summary only)"
    return samples, kind


def measure(changes: int = 30, only: tuple[str, ...] = ()) -> list[tuple[str, str, str, float, float, int]]:
    """(lesson, calculator, control kind, median ms, p95 ms, changes) for every calculator it can drive."""
    from playwright.sync_api import sync_playwright

    from tools.browser import CHROMIUM_ARGS, LabServer, find_chromium, open_notebook, run_all, shown_code_cells

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium found (install Debian's chromium, or set COURSE_CHROMIUM)")
    names = [p.name for p in lesson_paths(ROOT / "lessons") if not only or p.name[:2] in only]
    baseline = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_BASELINE_CODE)])
    baseline.metadata.update(nbformat.read(ROOT / "lessons" / "00-start-here.ipynb", as_version=4).metadata)
    server = LabServer(ROOT / "lessons", windowing=WINDOWING, extra={BASELINE: nbformat.writes(baseline)})
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for name in [BASELINE, *names]:
                nb = nbformat.read(server.workdir / "lessons" / name, as_version=4)
                label = "–" if name == BASELINE else name[:2]
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.add_init_script(_WATCH_WS_JS)
                open_notebook(page, server, name, len(nb.cells))
                run_all(page, shown_code_cells(nb))
                classes = page.evaluate(
                    "() => Array.from(document.querySelectorAll('.cvm-calculator'), c => "
                    "Array.from(c.classList).find(k => k.startsWith('cvm-') && "
                    "k !== 'cvm-calculator'))"
                )
                for i, cls in enumerate(classes):
                    if cls == "cvm-startup-lab":  # its slider only sets the next run; the button measures
                        continue
                    samples, kind = _time_calculator(page, i, changes, f"{label} {cls[4:]}")
                    if samples:
                        arr = np.array(samples)
                        rows.append(
                            (label, cls[4:], kind, float(np.median(arr)), float(np.percentile(arr, 95)), len(samples))
                        )
                        print(
                            f"  {label} {cls[4:]:<18} {kind:<6} median {rows[-1][3]:6.1f} ms   "
                            f"p95 {rows[-1][4]:6.1f} ms",
                            flush=True,
                        )
                page.close()
                _shut_down_kernels(server)  # a learner has one kernel open: measure each lesson alone
            browser.close()
    finally:
        server.stop()
    return rows


def kernel_round_trip(changes: int = 30) -> tuple[float, float]:
    """(median, p95) ms of one calculator update measured at the kernel's door: a widget ``update`` message
    sent over ZMQ to a fresh kernel until the kernel is idle again (no server, no browser). The packing
    calculator of lesson 07 stands in for all: its model and redraw take about 1 ms."""
    import statistics

    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "lessons"))
    try:
        ids: list[str] = []
        kc.execute_interactive(
            "from widgets import packing\ncalc = packing.PackingCalculator()\n"
            "print(calc.controls['n_services'].model_id)",
            timeout=120,
            output_hook=lambda m: ids.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None,
        )
        times = []
        for k in range(changes):
            msg = kc.session.msg(
                "comm_msg",
                {
                    "comm_id": ids[-1].strip(),
                    "data": {"method": "update", "state": {"value": "10" if k % 2 == 0 else "20"}, "buffer_paths": []},
                },
            )
            start = time.perf_counter()
            kc.shell_channel.send(msg)
            while True:
                reply = kc.get_iopub_msg(timeout=30)
                if (
                    reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]
                    and reply["msg_type"] == "status"
                    and reply["content"]["execution_state"] == "idle"
                ):
                    break
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times), float(np.percentile(times, 95))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def table(rows: list[tuple[str, str, str, float, float, int]]) -> str:
    """The rows as a Markdown table with the goal's verdict per calculator."""
    lines = [
        "| lesson | calculator | control | median (ms) | p95 (ms) | changes | p95 ≤ 50 ms |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for lesson, calc, kind, med, p95, n in rows:
        verdict = "yes" if p95 <= GOAL_MS else ("no (≤ 100)" if p95 <= LIMIT_MS else "**no (> 100)**")
        lines.append(f"| {lesson} | {calc} | {kind} | {med:.1f} | {p95:.1f} | {n} | {verdict} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--lessons", nargs="*", default=[], help="lesson numbers, e.g. 04 07 (default: all)")
    parser.add_argument("--out", default="build/latency.md")
    args = parser.parse_args()
    print("Browser round trip per calculator (control change -> new summary painted), real JupyterLab:")
    k50, k95 = kernel_round_trip(args.changes)
    kernel = (
        f"For comparison, the kernel alone (a widget update sent over ZMQ, no server or browser; lesson 07's "
        f"packing calculator): median {k50:.1f} ms, p95 {k95:.1f} ms."
    )
    print(kernel)
    rows = measure(args.changes, tuple(args.lessons))
    text = (
        f"# Browser round trip per calculator\n\nMeasured {time.strftime('%Y-%m-%d %H:%M')} on this machine "
        f"with `python -m tools.latency --changes {args.changes}`; figures vary with load.\n\n{table(rows)}\n\n"
        f"{kernel}\n"
    )
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    over = [r for r in rows if r[4] > GOAL_MS]
    print(
        f"\n{len(rows)} calculators; p95 above {GOAL_MS:g} ms: {len(over)}; above {LIMIT_MS:g} ms: "
        f"{sum(r[4] > LIMIT_MS for r in rows)}. Table: {out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
