"""Every lesson follows the lesson anatomy and the notebook output policy."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import LESSONS
from tools.nb import parameters
from tools.student import strip_solutions

MAX_KB = 300
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
pytestmark = pytest.mark.skipif(not LESSONS, reason="no lessons yet")


def lesson_ids():
    return [p.name for p in LESSONS]


@pytest.fixture(params=LESSONS, ids=lesson_ids())
def lesson(request) -> tuple[Path, nbformat.NotebookNode]:
    path = request.param
    return path, nbformat.read(path, as_version=4)


def md(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_shared_course_check_passes(root):
    tool = root.parent / "shared" / "tools" / "course_check.py"
    if not tool.exists():
        pytest.skip("shared/tools/course_check.py is not beside this checkout")
    proc = subprocess.run(
        [sys.executable, str(tool), str(root)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stdout
    assert "WARN" not in proc.stdout, proc.stdout


def test_size_and_no_plotly_bundle_or_widget_state(lesson):
    path, nb = lesson
    assert path.stat().st_size <= MAX_KB * 1024, f"{path.name} is over {MAX_KB} KB"
    raw = path.read_text()
    assert "plotly.js v" not in raw and "For license information please see plotly" not in raw
    assert "widgets" not in nb.metadata, "widget state is stored: execute with store_widget_state=False"
    assert WIDGET_VIEW not in raw, "widget-view outputs are stored: run `make notebooks` (tools.nb.clean)"
    assert '"papermill": {' not in raw, "papermill metadata is stored"


def test_front_matter(lesson):
    path, nb = lesson
    first = nb.cells[0].source
    assert first.startswith(f"# {path.name[:2]} · ")
    assert re.search(r"\d+ min teaching · \d+ min exercises", first)
    for word in ("Prerequisites", "Questions", "objectives"):
        assert word in first, f"{path.name}: first cell lacks {word}"


def test_parameters_cell(lesson):
    path, nb = lesson
    params = parameters(nb)
    assert params.get("live") == "auto", f"{path.name}: live must default to 'auto'"
    assert params.get("quick") is False, f"{path.name}: quick must default to False"


def test_sections_quiz_exercises_navigation(lesson):
    path, nb = lesson
    text = md(nb)
    for heading in ("## Key points", "## References", "## Quiz"):
        assert heading in text, f"{path.name} lacks {heading}"
    assert len(re.findall(r"^## Exercise \d", text, re.M)) >= 2
    assert "**Navigation:**" in text
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    quiz = re.search(r"widgets\.Quiz\(\[(.*?)\n\]\)", code, re.S)
    assert quiz and quiz.group(1).count('q("') >= 4, f"{path.name}: a quiz of at least 4 questions"


def test_solutions_are_marked_and_collapsed(lesson):
    path, nb = lesson
    solutions = [c for c in nb.cells if "### BEGIN SOLUTION" in c.source]
    assert len(solutions) >= 2
    for cell in solutions:
        assert "### END SOLUTION" in cell.source
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, "solution must show collapsed"
        assert "solution" in cell.metadata.get("tags", [])
    student, removed = strip_solutions(nb)
    assert removed == len(solutions)
    assert "BEGIN SOLUTION" not in json.dumps(student)


def test_executed_in_order_without_errors(lesson):
    path, nb = lesson
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: re-run `make notebooks`"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{path.name}: stored error {out.get('ename')}"
            assert "Traceback" not in "".join(out.get("text", "")), f"{path.name}: stored traceback"


def test_code_rules(lesson):
    path, nb = lesson
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "import ipywidgets as widgets" not in code, "`widgets` is the course package: use ipw"
    assert "sys.path" not in code
    assert not re.search(r"\bfig\w*\.show\(", code), "use widgets.show_figure: fig.show may embed plotly.js"
    assert not re.search(r"['\"]\.\./data|['\"]data/", code), "load data with widgets.load(...)"
    assert "!pip" not in code and "%pip" not in code


def test_local_links_resolve(lesson):
    path, nb = lesson
    for target in re.findall(r"\]\(([^)#\s]+)\)", md(nb)):
        if re.match(r"[a-z]+://", target):
            continue
        assert (path.parent / target).exists(), f"{path.name}: broken link {target}"
