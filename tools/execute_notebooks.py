"""``make notebooks``: re-execute lessons in place from a fresh kernel.

Writes back the executed notebook without widget state, papermill metadata or
timings, so the stored outputs are what nbval compares against.
When run as root, the kernels run as an ordinary user (tools/learner.py; CVM_EXECUTE_AS_ROOT=1 keeps root).
Usage: python -m tools.execute_notebooks lessons/00-start-here.ipynb [...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat

from .nb import execute_in_place, lessons


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or lessons()
    failed = 0
    for i, path in enumerate(paths, 1):
        start = time.perf_counter()
        print(f"[{i}/{len(paths)}] {path.name} ...", end=" ", flush=True)
        try:
            nb = execute_in_place(path)
        except Exception as exc:  # noqa: BLE001 - report and go on with the others
            failed += 1
            print(f"FAILED after {time.perf_counter() - start:.1f} s: {type(exc).__name__}: {exc}"[:2000])
            continue
        nbformat.write(nb, path)
        size = path.stat().st_size / 1024
        print(f"ok in {time.perf_counter() - start:.1f} s, {size:.0f} KB, {execute_in_place.who}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
