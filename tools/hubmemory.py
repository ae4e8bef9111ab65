"""``make bench-hub-memory``: memory per learner, lesson by lesson, and what fills each lesson's kernel.

One learner on a fresh workshop hub runs every code cell of each lesson at its defaults (through the kernel
API, one kernel per lesson, closed before the next). After each lesson: the RSS of that kernel and of the
single-user server. Then, in a second kernel per lesson, the same cells run under ``tracemalloc`` (numpy
reports its arrays' data to it) and the kernel lists (a) the source lines that hold the most memory still
allocated, and (b) the largest numpy arrays still alive, with the names in the kernel's namespace that reach
them. The server is also measured alone, started with and without the course's server setting, to show what
importing ``widgets.labserver`` costs a server.

Writes ``build/hub-memory.md``. Needs root and the hub's environment (make hub installs it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_TRACE_START = "import tracemalloc\ntracemalloc.start(8)\n"
_TRACE_REPORT = r"""
import gc, json, sys, tracemalloc
import numpy as _np
_snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
_lines = []
for _s in _snap.statistics("traceback")[:40]:
    _frames = [f for f in _s.traceback if "site-packages" not in f.filename or "/widgets/" in f.filename]
    _where = _frames[-1] if _frames else _s.traceback[-1]
    _lines.append([round(_s.size / 2**20, 1), f"{_where.filename.split('/')[-1]}:{_where.lineno}",
                   (open(_where.filename).read().splitlines()[_where.lineno - 1].strip()[:90]
                    if _where.filename.endswith('.py') else "")])
_arrays = []
_names = {id(v): k for k, v in globals().items() if not k.startswith("_")}
for _o in gc.get_objects():
    if isinstance(_o, _np.ndarray) and _o.nbytes >= 2**20 and _o.base is None:
        _arrays.append([round(_o.nbytes / 2**20, 1), str(_o.shape), str(_o.dtype)])
_arrays.sort(reverse=True)
_total = sum(s.size for s in _snap.statistics("filename")) / 2**20
_big_globals = []
for _k, _v in list(globals().items()):
    if _k.startswith("_"):
        continue
    try:
        _sz = sum(a.nbytes for a in gc.get_referents(_v) if isinstance(a, _np.ndarray)) + (
            _v.nbytes if isinstance(_v, _np.ndarray) else 0)
    except Exception:
        _sz = 0
    if _sz >= 2**20:
        _big_globals.append([round(_sz / 2**20, 1), _k, type(_v).__name__])
_big_globals.sort(reverse=True)
print(json.dumps({"traced_mb": round(_total, 1), "lines": _lines[:12], "arrays": _arrays[:12],
                  "globals": _big_globals[:12], "modules": len(sys.modules)}))
"""


def lessons(only: tuple[str, ...]) -> list[Path]:
    return [p for p in sorted((ROOT / "lessons").glob("[0-9][0-9]-*.ipynb")) if not only or p.name[:2] in only]


async def measure(hub, only: tuple[str, ...], trace: bool) -> list[dict]:
    import nbformat

    from hub.client import Learner, _cmdline, _rss_kb, rss

    learner = Learner(hub.url, "mem", secrets.token_urlsafe(10))
    await learner.login()
    await learner.start()
    idle_server = sum(rss(hub.cgroup("mem").procs())["server"]) / 1024
    rows = []
    for path in lessons(only):
        row = {"lesson": path.name[:2], "idle_server_mb": idle_server}
        result, kernel = await learner.run_notebook(f"lessons/{path.name}", path)
        for pid in hub.cgroup("mem").procs():
            if kernel in _cmdline(pid):
                row["kernel_mb"] = _rss_kb(pid) / 1024
        row["server_mb"] = sum(rss(hub.cgroup("mem").procs())["server"]) / 1024
        row["seconds"] = result.seconds
        await learner.server_api("DELETE", f"kernels/{kernel}", raise_error=False)
        if trace:
            session, kernel = await learner.open_session(f"lessons/{path.name}")
            await learner.execute(kernel, _TRACE_START)
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "code" and cell.source.strip():
                    await learner.execute(kernel, cell.source)
            outs = await learner.execute(kernel, _TRACE_REPORT)
            text = "".join(o.get("text", "") for o in outs if o["output_type"] == "stream")
            row["trace"] = json.loads(text.strip().splitlines()[-1])
            await learner.close_session(session)
        rows.append(row)
        print(
            f"  {row['lesson']}: kernel {row.get('kernel_mb', 0):.0f} MB, server {row['server_mb']:.0f} MB", flush=True
        )
    return rows


def server_alone(flag: bool) -> float:
    """RSS (MB) of a JupyterLab server from the hub's environment, 5 s after it answers, with or without the
    course's server setting (importing widgets.labserver)."""
    import urllib.request

    from hub.harness import free_port
    from hub.settings import from_env
    from widgets.labserver import SERVER_FLAG

    env_dir = from_env().env
    port, token = free_port(), secrets.token_hex(8)
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"cvm-mem-{port}"
    work.mkdir()
    cmd = [
        str(env_dir / "bin" / "jupyter-lab"),
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        "--allow-root",
        f"--ServerApp.root_dir={work}",
        "--LabApp.news_url=None",
        *([SERVER_FLAG] if flag else []),
    ]
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(work / ".jupyter"),
        JUPYTER_RUNTIME_DIR=str(work / ".rt"),
        JUPYTERLAB_SETTINGS_DIR=str(work / ".settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(work / ".ws"),
    )
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)  # polling the server's address, with a deadline
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=30):
            pass
        time.sleep(5)  # a settled server (a measured figure, not a wait for a condition)
        from hub.client import _rss_kb

        return _rss_kb(proc.pid) / 1024
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        subprocess.run(["rm", "-rf", str(work)], check=False)


def report(rows: list[dict], with_flag: float, without_flag: float, when: str) -> str:
    out = [
        "# Memory per learner, lesson by lesson\n",
        f"Measured {when} on this machine with `python -m tools.hubmemory`: one learner on the workshop hub, "
        f"every code cell of each lesson at its defaults, RSS in MB (2^20 bytes) after the last cell.\n",
        f"A JupyterLab server from the hub's environment, settled, alone: {with_flag:.0f} MB with the course's "
        f"server setting (`{'--ServerApp.kernel_websocket_connection_class=widgets.labserver.NoDelayConnection'}`"
        f", which imports the `widgets` package), {without_flag:.0f} MB without it.\n",
        "| lesson | kernel RSS (MB) | single-user server RSS (MB) | server + kernel (MB) | ≤ 250 MB | run (s) |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        total = r.get("kernel_mb", 0) + r["server_mb"]
        out.append(
            f"| {r['lesson']} | {r.get('kernel_mb', 0):.0f} | {r['server_mb']:.0f} | {total:.0f} | "
            f"{'yes' if total <= 250 else 'no'} | {r['seconds']:.1f} |"
        )
    for r in rows:
        t = r.get("trace")
        if not t:
            continue
        out += [
            "",
            f"## Lesson {r['lesson']}: what the kernel holds (tracemalloc: {t['traced_mb']} MB traced, "
            f"{t['modules']} modules imported)",
            "",
            "Largest allocations still alive, by source line:",
            "",
        ]
        out += [f"- {mb} MB at `{where}`: `{code}`" for mb, where, code in t["lines"][:8]]
        if t["arrays"]:
            out += [
                "",
                "Largest numpy arrays alive: "
                + "; ".join(f"{mb} MB {shape} {dtype}" for mb, shape, dtype in t["arrays"][:8]),
            ]
        if t["globals"]:
            out += [
                "",
                "Names in the notebook that hold them: "
                + "; ".join(f"`{k}` ({tp}, {mb} MB)" for mb, k, tp in t["globals"][:8]),
            ]
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lessons", nargs="*", default=[])
    parser.add_argument("--no-trace", action="store_true")
    parser.add_argument("--out", default="build/hub-memory.md")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("needs root (the hub makes a system account per learner)", file=sys.stderr)
        return 1
    from hub.harness import HubProcess
    from hub.install import install

    install()
    when = time.strftime("%Y-%m-%d %H:%M")
    with_flag, without_flag = server_alone(True), server_alone(False)
    hub = HubProcess(mem_limit="2G")
    try:
        rows = asyncio.run(measure(hub, tuple(args.lessons), not args.no_trace))
    finally:
        hub.close()
    text = report(rows, with_flag, without_flag, when)
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
