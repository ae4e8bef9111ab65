"""``make bench-hub``: how many learners one server holds (a benchmark, not a test).

For each N (default 10, 20, 30) a fresh workshop hub (hub/harness.py, the same start as ``make hub``) gets N
simulated learners at once. Each logs in through the login form (first-use password), gets a token from the
hub's REST API, starts a server, and runs every code cell of lesson 00 and then of a lab lesson (02: the
container from scratch, cgroups, self-healing) through its own server's kernel API; both kernels stay open,
as in a room where learners keep their notebooks open. Before the room, one learner alone does the same on an
otherwise idle hub: the reference for "3x the alone time".

Reported per N: spawn time (median, p95); lesson run time (median, p95; both lessons together) against the
learner alone; memory per learner (RSS of the single-user server and of the lesson-00 kernel, as one learner
with one lesson open; the lesson-02 kernel and the launcher's two small processes are listed apart);
failures; and the hub's own response time (``GET /hub/api/users/<name>`` as the learners do, median and p95
while the room runs).

``--interactive``: with N learners connected (servers started, lesson 00 run), a tenth of them run lesson
04's cells in a loop while one more learner, in headless Chromium through the hub, changes a calculator
(lesson 07's packing calculator) ``--changes`` times; the browser round trip is timed as ``make latency`` does
(tools/latency.py).

Writes the tables to ``build/hub-bench.md``. Needs root, Node.js and the hub's environment (make hub installs
it). Every hub is stopped and everything it made removed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ("00-start-here.ipynb", "02-container-engines.ipynb")
TARGET_MB = 250  # per learner: server + one lesson kernel


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else float("nan")


def med(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


@dataclass
class LearnerRun:
    name: str
    spawn_s: float = 0.0
    lesson_s: dict[str, float] = field(default_factory=dict)
    server_mb: float = 0.0
    kernel_mb: dict[str, float] = field(default_factory=dict)
    launcher_mb: float = 0.0
    error: str = ""


@dataclass
class RoomRun:
    n: int
    learners: list[LearnerRun]
    hub_ms: list[float]
    wall_s: float
    peak_used_mb: float
    load: float = 0.0  # the machine's 1-minute load average when the room finished (others' work shows here)

    @property
    def ok(self) -> list[LearnerRun]:
        return [r for r in self.learners if not r.error]


def _kernel_rss_mb(hub, name: str, kernel_id: str) -> float:
    from hub.client import _cmdline, _rss_kb

    for pid in hub.cgroup(name).procs():
        if kernel_id in _cmdline(pid):
            return _rss_kb(pid) / 1024
    return float("nan")


async def one_learner(hub, name: str, out: LearnerRun, hub_ms: list[float], stop: asyncio.Event) -> None:
    from hub.client import Learner, rss

    learner = Learner(hub.url, name, secrets.token_urlsafe(10))
    try:
        await learner.login()
        out.spawn_s = await learner.start()
        kernels = {}
        for lesson in LESSONS:
            res, kernel = await learner.run_notebook(f"lessons/{lesson}", ROOT / "lessons" / lesson)
            out.lesson_s[lesson] = res.seconds
            kernels[lesson] = kernel
        roles = rss(hub.cgroup(name).procs())
        out.server_mb = sum(roles["server"]) / 1024
        out.launcher_mb = sum(roles["launcher"]) / 1024
        out.kernel_mb = {lesson: _kernel_rss_mb(hub, name, k) for lesson, k in kernels.items()}
        while not stop.is_set():  # the hub's response time, as a learner's page sees it, while others work
            t0 = time.perf_counter()
            await learner.user()
            hub_ms.append((time.perf_counter() - t0) * 1000)
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except TimeoutError:
                pass
    except Exception as exc:  # noqa: BLE001 - a failure is counted and reported, the room goes on
        out.error = f"{type(exc).__name__}: {exc}"[:300]


def used_mb() -> float:
    info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    kb = lambda k: int(info[k].split()[0])  # noqa: E731
    return (kb("MemTotal") - kb("MemAvailable")) / 1024


async def room(hub, n: int, tag: str) -> RoomRun:
    runs = [LearnerRun(f"{tag}{i:02d}") for i in range(n)]
    hub_ms: list[float] = []
    done = asyncio.Event()
    peak = [used_mb()]

    async def watch_memory() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], used_mb())
            try:
                await asyncio.wait_for(done.wait(), 0.5)
            except TimeoutError:
                pass

    stop = asyncio.Event()
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(one_learner(hub, r.name, r, hub_ms, stop)) for r in runs]
    watcher = asyncio.create_task(watch_memory())
    while any(not (r.error or len(r.lesson_s) == len(LESSONS) and r.kernel_mb) for r in runs):
        await asyncio.sleep(0.5)  # the room working, checked twice a second
    wall = time.perf_counter() - t0
    stop.set()
    await asyncio.gather(*tasks)
    done.set()
    await watcher
    return RoomRun(n, runs, hub_ms, wall, peak[0], os.getloadavg()[0])


def run_size(n: int) -> RoomRun:
    from hub.harness import HubProcess

    hub = HubProcess(mem_limit=os.environ.get("HUB_MEM_LIMIT", "1G"))
    try:
        result = asyncio.run(room(hub, n, "l"))
    finally:
        hub.close()
        left = hub.leftovers()
        if left:
            print(f"  the hub left: {left}", file=sys.stderr)
    return result


def lesson_total(r: LearnerRun) -> float:
    return sum(r.lesson_s.values())


def table(alone: RoomRun, rooms: list[RoomRun]) -> str:
    a = alone.ok[0]
    base = lesson_total(a)
    lines = [
        "| learners | spawn median (s) | spawn p95 (s) | lessons 00+02 median (s) | p95 (s) | p95 / alone | "
        "server RSS (MB) | lesson-00 kernel (MB) | server + kernel (MB) | lesson-02 kernel (MB) | "
        "launcher (MB) | failures | hub API median / p95 (ms) | peak memory used (GB) | load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in [alone, *rooms]:
        ok = r.ok
        spawn = [x.spawn_s for x in ok]
        lesson = [lesson_total(x) for x in ok]
        server = [x.server_mb for x in ok]
        k0 = [x.kernel_mb.get(LESSONS[0], float("nan")) for x in ok]
        k2 = [x.kernel_mb.get(LESSONS[1], float("nan")) for x in ok]
        pair = [s + k for s, k in zip(server, k0, strict=True)]
        launcher = [x.launcher_mb for x in ok]
        lines.append(
            f"| {r.n}{' (alone)' if r is alone else ''} | {med(spawn):.1f} | {p95(spawn):.1f} | {med(lesson):.1f} | "
            f"{p95(lesson):.1f} | {p95(lesson) / base:.1f}× | {med(server):.0f} | {med(k0):.0f} | {med(pair):.0f} | "
            f"{med(k2):.0f} | {med(launcher):.0f} | {len(r.learners) - len(ok)} | "
            f"{med(r.hub_ms):.0f} / {p95(r.hub_ms):.0f} | {r.peak_used_mb / 1024:.1f} | {r.load:.0f} |"
        )
    return "\n".join(lines)


def largest_within(alone: RoomRun, rooms: list[RoomRun], factor: float = 3.0) -> int | None:
    base = lesson_total(alone.ok[0])
    good = [
        r.n
        for r in rooms
        if not (len(r.learners) - len(r.ok)) and p95([lesson_total(x) for x in r.ok]) <= factor * base
    ]
    return max(good) if good else None


# -- interactive: a calculator in the browser while the room works ------------------------------------------


async def _busy(hub, names: list[str], stop: asyncio.Event, loops: list[int]) -> None:
    from hub.client import Learner

    async def loop(name: str) -> None:
        learner = Learner(hub.url, name, secrets.token_urlsafe(10))
        await learner.login()
        await learner.start()
        while not stop.is_set():
            await learner.run_notebook(
                "lessons/04-cost-under-variable-load.ipynb",
                ROOT / "lessons" / "04-cost-under-variable-load.ipynb",
                keep=False,
            )
            loops[0] += 1

    await asyncio.gather(*(loop(n) for n in names), return_exceptions=True)


async def _connected(hub, names: list[str]) -> list[str]:
    """Start and run lesson 00 for every name; return the failures (one line each)."""
    from hub.client import Learner

    async def one(name: str) -> None:
        learner = Learner(hub.url, name, secrets.token_urlsafe(10))
        await learner.login()
        await learner.start()
        await learner.run_notebook("lessons/00-start-here.ipynb", ROOT / "lessons" / "00-start-here.ipynb")

    results = await asyncio.gather(*(one(n) for n in names), return_exceptions=True)
    return [f"{n}: {type(r).__name__}: {r}"[:300] for n, r in zip(names, results, strict=True) if r is not None]


def interactive(n: int, changes: int) -> tuple[list[float], int, int, int]:
    """(browser round trips in ms, busy learners, lesson-04 runs completed while measuring, failed learners)."""
    import threading

    import nbformat
    from playwright.sync_api import sync_playwright

    from hub.harness import HubProcess
    from tools.browser import CHROMIUM_ARGS, HubLab, find_chromium, open_notebook, run_all, shown_code_cells
    from tools.latency import _WATCH_WS_JS, _time_calculator

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium found (install Debian's chromium)")
    hub = HubProcess(mem_limit=os.environ.get("HUB_MEM_LIMIT", "1G"))
    busy_n = max(1, n // 10)
    names = [f"i{i:02d}" for i in range(n - 1)]
    loops = [0]
    try:
        failed = asyncio.run(_connected(hub, names[busy_n:]))
        for line in failed:
            print(f"  {line}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.new_event_loop()
        worker = threading.Thread(
            target=loop.run_until_complete, args=(_busy(hub, names[:busy_n], stop, loops),), daemon=True
        )
        worker.start()
        name, pw = "browser", secrets.token_urlsafe(10)
        lesson = "07-performance.ipynb"
        nb = nbformat.read(ROOT / "lessons" / lesson, as_version=4)
        shown = shown_code_cells(nb)
        with sync_playwright() as pw_:
            browser = pw_.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.add_init_script(_WATCH_WS_JS)
            hub_page = HubLab(hub.url, name)
            hub_page.login(page, pw)
            open_notebook(page, hub_page, f"lessons/{lesson}", len(nb.cells), timeout_ms=300_000)
            run_all(page, shown, timeout_ms=600_000)
            classes = page.evaluate(
                "() => Array.from(document.querySelectorAll('.cvm-calculator'), c => "
                "Array.from(c.classList).find(k => k.startsWith('cvm-') && k !== 'cvm-calculator'))"
            )
            index = classes.index("cvm-packing")
            while loops[0] == 0 and worker.is_alive():  # the busy learners are running cells
                page.wait_for_timeout(500)
            samples, _ = _time_calculator(page, index, changes, "packing")
            browser.close()
        loop.call_soon_threadsafe(stop.set)
        worker.join(timeout=600)
        return samples, busy_n, loops[0], len(failed)
    finally:
        hub.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 20, 30])
    parser.add_argument(
        "--interactive", type=int, default=30, help="learners connected for the browser check (0: skip it)"
    )
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--out", default="build/hub-bench.md")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("make bench-hub needs root (the hub makes a system account per learner)", file=sys.stderr)
        return 1
    from hub.install import InstallError, install

    try:
        install()
    except InstallError as exc:
        print(f"make bench-hub: {exc}", file=sys.stderr)
        return 1
    when = time.strftime("%Y-%m-%d %H:%M")
    mem_total = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    machine = f"{os.cpu_count()} cores, {mem_total:.0f} GB, Linux {platform.release()}"
    print(f"== one learner alone ({machine})", flush=True)
    alone = run_size(1)
    if alone.learners[0].error:
        print(f"the learner alone failed: {alone.learners[0].error}", file=sys.stderr)
        return 1
    rooms = []
    for n in args.sizes:
        print(f"== {n} learners at once", flush=True)
        rooms.append(run_size(n))
        for r in rooms[-1].learners:
            if r.error:
                print(f"  {r.name}: {r.error}", flush=True)
        print(table(alone, rooms), flush=True)
    best = largest_within(alone, rooms)
    text = [
        "# Workshop hub: how many learners one server holds\n",
        f"Measured {when} on this machine ({machine}) with `make bench-hub` (`python -m tools.hubbench`); "
        f"memory limit per learner {os.environ.get('HUB_MEM_LIMIT', '1G')}. Each learner logs in, starts a "
        f"server and runs every code cell of lessons {LESSONS[0][:2]} and {LESSONS[1][:2]}, all at once. "
        f"RSS in MB (2^20 bytes) after the run; medians over the learners.\n",
        table(alone, rooms),
        "",
        f"Largest N whose lesson p95 stays within 3× the learner alone: {best if best else 'none measured'}.",
        f"Per-learner memory target: {TARGET_MB} MB (server + one lesson kernel).",
        "",
    ]
    if args.interactive:
        print(
            f"== interactive: {args.interactive} connected, a tenth running lesson 04, a calculator in the browser",
            flush=True,
        )
        samples, busy, loops, failed = interactive(args.interactive, args.changes)
        line = (
            f"Interactive: {args.interactive} learners connected (lesson 00 run; {failed} failed to connect), "
            f"{busy} running lesson 04's cells in a loop ({loops} runs finished meanwhile); lesson 07's packing "
            f"calculator in headless "
            f"Chromium through the hub, {len(samples)} changes: median {med(samples):.0f} ms, "
            f"p95 {p95(samples):.0f} ms (target: 100 ms at p95)."
        )
        print(line, flush=True)
        text += [line, ""]
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(text), encoding="utf-8")
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
