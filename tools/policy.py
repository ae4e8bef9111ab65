"""The repository's policy, in one place: what a committed notebook, data file or other file must be.

The git hook (``.pre-commit-config.yaml``), ``make lint`` and the tests (``tests/test_anatomy.py``,
``tests/test_maintenance.py``) all call these functions, so a rule is written once. Each problem says
what is wrong and how to fix it.

Usage (what the hooks run)::

    python -m tools.policy notebooks lessons/00-start-here.ipynb [...]   # the notebook output policy
    python -m tools.policy data                                          # data/ against datapackage.json
    python -m tools.policy large FILE [...] [--max-kb 1024]              # no large files
    python -m tools.policy set-kernel lessons/NN-name.ipynb [...]        # fix a missing kernelspec
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

MAX_NOTEBOOK_KB = 300  # a lesson, executed, with its static figures
MAX_FILE_KB = 1024  # any other file a commit adds
# The MIME type tools.nb.clean removes (not imported from there: the hooks start in a tenth of a second on stdlib only)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PLOTLY_BUNDLE = ("plotly.js v", "For license information please see plotly")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _execute(path: Path) -> str:
    return f"re-execute it from a fresh kernel: `.venv/bin/python -m tools.execute_notebooks {path}`"


def size(path: Path, raw: str, nb: dict) -> list[str]:
    kb = len(raw.encode("utf-8")) / 1024
    if kb <= MAX_NOTEBOOK_KB:
        return []
    return [
        f"{path}: {kb:.0f} KB, over the {MAX_NOTEBOOK_KB} KB limit. Look for a large output (a figure with "
        f"thousands of points, a long printout), reduce it, then {_execute(path)}"
    ]


def plotly_bundle(path: Path, raw: str, nb: dict) -> list[str]:
    if not any(marker in raw for marker in PLOTLY_BUNDLE):
        return []
    return [
        f"{path}: embeds the plotly.js bundle (about 5 MB). Show figures with `widgets.show_figure(fig, summary)`, "
        f"never `fig.show()`, then {_execute(path)}"
    ]


def widget_state(path: Path, raw: str, nb: dict) -> list[str]:
    problems = []
    if "widgets" in nb.get("metadata", {}):
        problems.append(
            f"{path}: widget state is saved in the notebook (metadata.widgets). {_execute(path).capitalize()} "
            "(it saves without widget state); in JupyterLab, untick Settings > Save Widget State Automatically "
            "before saving again"
        )
    if WIDGET_VIEW in raw:
        problems.append(
            f"{path}: widget-view outputs are saved (their widgets do not exist until the cell runs again). "
            f"{_execute(path).capitalize()} (it removes them)"
        )
    if '"papermill": {' in raw:
        problems.append(f"{path}: papermill metadata is saved. {_execute(path).capitalize()} (it removes it)")
    return problems


def executed_in_order(path: Path, raw: str, nb: dict) -> list[str]:
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code" and "".join(c.get("source", "")).strip()]
    counts = [c.get("execution_count") for c in cells]
    problems = []
    if counts != list(range(1, len(counts) + 1)):
        first = next(i for i, n in enumerate(counts, 1) if n != i)
        problems.append(
            f"{path}: not executed in order from a fresh kernel (code cell {first} has execution count "
            f"{counts[first - 1]}, expected {first}). {_execute(path).capitalize()}"
        )
    for i, cell in enumerate(cells, 1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" or "Traceback" in "".join(out.get("text", "")):
                problems.append(
                    f"{path}: code cell {i} stores an error ({out.get('ename', 'a traceback')}). Fix the cell "
                    f"(a lesson never shows a traceback), then {_execute(path)}"
                )
    return problems


def kernelspec(path: Path, raw: str, nb: dict) -> list[str]:
    meta = nb.get("metadata", {})
    spec = meta.get("kernelspec", {})
    problems = []
    if spec.get("name") != "python3" or spec.get("language") != "python":
        problems.append(
            f"{path}: metadata.kernelspec must name the python3 kernel (JupyterLab would ask 'Select Kernel'). "
            f"Run `.venv/bin/python -m tools.policy set-kernel {path}`, or in JupyterLab choose "
            "Kernel > Change Kernel > Python 3 (ipykernel) and save"
        )
    if meta.get("language_info", {}).get("name") != "python":
        problems.append(f"{path}: metadata.language_info names no python language. {_execute(path).capitalize()}")
    return problems


#: rule name -> check(path, raw text, parsed notebook) -> problems
NOTEBOOK_RULES: dict[str, Callable[[Path, str, dict], list[str]]] = {
    "size": size,
    "plotly-bundle": plotly_bundle,
    "widget-state": widget_state,
    "executed-in-order": executed_in_order,
    "kernelspec": kernelspec,
}


def check_notebook(path: Path, rules: Iterable[str] | None = None) -> list[str]:
    """The problems of one notebook under ``rules`` (default: every rule of NOTEBOOK_RULES)."""
    path = Path(path)
    raw = path.read_text(encoding="utf-8")
    try:
        nb = json.loads(raw)
    except ValueError as exc:
        return [f"{path}: not a valid notebook ({exc}); open it in JupyterLab and save it again"]
    return [p for rule in (rules or NOTEBOOK_RULES) for p in NOTEBOOK_RULES[rule](path, raw, nb)]


def check_data() -> list[str]:
    """Every file of data/ described in datapackage.json, and every resource valid against its schema and sources
    (the loader's own validation, ``widgets.core.data.validate_all``)."""
    from widgets.core import data

    try:
        data.validate_all()
    except data.DataError as exc:
        return [
            f"data/: {exc}. Describe every file in data/datapackage.json (schema, units, sources): "
            "see CONTRIBUTING.md, 'Adding a data row'"
        ]
    return []


def check_file_sizes(paths: Iterable[Path], max_kb: int = MAX_FILE_KB) -> list[str]:
    """Files over ``max_kb`` (notebooks have their own limit, MAX_NOTEBOOK_KB)."""
    problems = []
    for path in map(Path, paths):
        if path.is_file() and path.suffix != ".ipynb" and (kb := path.stat().st_size / 1024) > max_kb:
            problems.append(
                f"{path}: {kb:.0f} KB, over the {max_kb} KB limit for a committed file. Large data or binaries do "
                "not belong in the repository: generate the file at build time, or cut it down"
            )
    return problems


def set_kernel(path: Path) -> None:
    """Name the course's kernel in a notebook's metadata (what JupyterLab's Change Kernel would save)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.setdefault("language_info", {"name": "python"})
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.policy", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("notebooks", help="the notebook output policy").add_argument("paths", nargs="+", type=Path)
    sub.add_parser("data", help="data/ against datapackage.json").add_argument("paths", nargs="*", type=Path)
    large = sub.add_parser("large", help="no large files")
    large.add_argument("paths", nargs="*", type=Path)
    large.add_argument("--max-kb", type=int, default=MAX_FILE_KB)
    sub.add_parser("set-kernel", help="name the python3 kernel").add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "set-kernel":
        for path in args.paths:
            set_kernel(path)
            print(f"{path}: kernelspec set to {KERNELSPEC['name']}")
        return 0
    if args.command == "notebooks":
        problems = [p for path in args.paths for p in check_notebook(path)]
    elif args.command == "data":
        problems = check_data()
    else:
        problems = check_file_sizes(args.paths, args.max_kb)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
