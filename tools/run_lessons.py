"""``make run``: execute every lesson headless with papermill into build/.

Shows progress per lesson and ends with a table: lesson, parameter set,
status, seconds, then the whole run against its goal: at most 1.5 x (lessons x
the start-up of a bare kernel, measured first with a one-cell notebook) + 30 s.
Exit status 1 if any lesson failed.
Usage: python -m tools.run_lessons [--out build/run] [--set defaults] [lesson ...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nbformat

from .nb import lessons, parameter_sets, run_papermill


def bare_kernel_seconds() -> float:
    """Seconds papermill takes for a notebook with one empty cell (kernel start and shutdown)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "bare.ipynb"
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass", metadata={"tags": ["parameters"]})])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, src)
        start = time.perf_counter()
        run_papermill(src, Path(tmp) / "out.ipynb", {})
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="build/run", type=Path)
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        help="parameter set(s) from tests/parameter_sets.yaml (default: defaults)",
    )
    parser.add_argument("lessons", nargs="*", type=Path)
    args = parser.parse_args()
    sets = parameter_sets()
    chosen = args.sets or ["defaults"]
    for name in chosen:
        if name not in sets:
            parser.error(f"unknown parameter set {name!r}; known: {', '.join(sets)}")
    paths = args.lessons or lessons()
    jobs = [(p, s) for p in paths for s in chosen]
    bare = bare_kernel_seconds()
    print(f"a bare kernel (one empty cell) runs in {bare:.1f} s under papermill")
    rows = []
    for i, (path, set_name) in enumerate(jobs, 1):
        print(f"[{i}/{len(jobs)}] {path.name} ({set_name}) ...", end=" ", flush=True)
        start = time.perf_counter()
        try:
            run_papermill(path, args.out / set_name / path.name, sets[set_name])
            status = "ok"
        except Exception as exc:  # noqa: BLE001
            status = f"FAILED: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]
        seconds = time.perf_counter() - start
        print(f"{status} ({seconds:.1f} s)")
        rows.append((path.name, set_name, status, seconds))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'lesson':<{width}}  {'set':<9} {'seconds':>8}  status")
    for name, set_name, status, seconds in rows:
        print(f"{name:<{width}}  {set_name:<9} {seconds:8.1f}  {status}")
    total, goal = sum(r[3] for r in rows), 1.5 * len(jobs) * bare + 30
    print(f"{'total':<{width}}  {'':<9} {total:8.1f}")
    print(
        f"goal: at most 1.5 x {len(jobs)} x {bare:.1f} s + 30 s = {goal:.1f} s: {'met' if total <= goal else 'NOT met'}"
    )
    return 0 if all(r[2] == "ok" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
