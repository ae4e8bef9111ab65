"""Shared notebook helpers for the harness: parameters, execution, cleaning.

Used by ``make notebooks`` (tools/execute_notebooks.py), ``make run``
(tools/run_lessons.py) and the tests, so that all three execute lessons the
same way: a fresh kernel from this environment, a per-cell timeout, no widget
state, and no machine-specific metadata in what is written back.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import nbformat
import yaml

from widgets.core.course import lesson_paths

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
PARAMETER_SETS_FILE = ROOT / "tests" / "parameter_sets.yaml"
CELL_TIMEOUT = 180  # seconds per cell: a hang fails fast, naming the cell
KERNEL = "python3"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def lessons() -> list[Path]:
    """The lesson notebooks, in order."""
    return lesson_paths(LESSONS)


def parameter_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The one code cell tagged ``parameters``."""
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"expected exactly one cell tagged 'parameters', found {len(cells)}")
    return cells[0]


def parameters(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """Name -> default value of every assignment in the parameters cell."""
    tree = ast.parse(parameter_cell(nb).source)
    out: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    out[t.id] = ast.literal_eval(node.value)
    return out


def check_parameters(nb: nbformat.NotebookNode, params: dict[str, Any], name: str = "") -> None:
    """Raise ValueError if ``params`` names a parameter the lesson does not have,
    or gives it a value of another type than the default's (papermill only warns)."""
    known = parameters(nb)
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(f"{name}: unknown parameter(s) {unknown}; the lesson has {sorted(known)}")
    for k, v in params.items():
        if type(v) is not type(known[k]) and not (isinstance(v, int | float) and isinstance(known[k], int | float)):
            raise ValueError(
                f"{name}: parameter {k}={v!r} is a {type(v).__name__}, "
                f"the lesson's default is a {type(known[k]).__name__}"
            )


def parameter_sets() -> dict[str, dict[str, Any]]:
    """The parameter sets every lesson runs with (tests/parameter_sets.yaml)."""
    data = yaml.safe_load(PARAMETER_SETS_FILE.read_text(encoding="utf-8"))
    return {k: dict(v or {}) for k, v in data["sets"].items()}


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what must not be committed: papermill and timing metadata, widget
    state, and widget-view outputs (their models do not exist until the cell
    runs again; the static figure or HTML beside them is what a reader sees)."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for key in ("papermill", "execution", "ExecuteTime"):
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data is not None and WIDGET_VIEW in data:
                data.pop(WIDGET_VIEW)
                if not data:
                    continue
            kept.append(out)
        cell.outputs = kept
    return nb


def execute_in_place(
    path: Path, timeout: int = CELL_TIMEOUT, *, as_learner: bool | None = None
) -> nbformat.NotebookNode:
    """Execute a lesson from a fresh kernel and return the cleaned notebook.

    ``as_learner`` (default: when running as root, unless CVM_EXECUTE_AS_ROOT=1) starts the kernel as an
    ordinary user (tools/learner.py), so that the stored outputs show what a learner sees, not root's view.
    """
    from nbclient import NotebookClient

    from . import learner

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    km, cwd = None, path.parent
    if learner.wanted() if as_learner is None else as_learner:
        km = learner.LearnerKernel(kernel_name=KERNEL)
        execute_in_place.who = km.setup_learner()
        if km.course != learner.ROOT and path.resolve().is_relative_to(learner.ROOT):
            cwd = km.course / path.resolve().parent.relative_to(learner.ROOT)  # the learner's copy of the lessons
    else:
        execute_in_place.who = "as this user"
    client = NotebookClient(
        nb,
        km=km,
        timeout=timeout,
        kernel_name=KERNEL,
        store_widget_state=False,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    finally:
        if km is not None:
            km.cleanup_learner()
    return clean(nb)


def run_papermill(src: Path, dst: Path, params: dict[str, Any], timeout: int = CELL_TIMEOUT) -> None:
    """Execute ``src`` with papermill into ``dst`` (unknown parameters are an error)."""
    import papermill as pm

    nb = nbformat.read(src, as_version=4)
    check_parameters(nb, params, src.name)
    dst.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(
        str(src),
        str(dst),
        parameters=params,
        kernel_name=KERNEL,
        cwd=str(src.parent),
        execution_timeout=timeout,
        store_widget_state=False,
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,  # write once at the end (and on failure): ~0.35 s less per lesson
    )
