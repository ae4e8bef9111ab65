"""Every lesson follows the lesson anatomy and the notebook output policy."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import LESSONS
from tools import policy
from tools.nb import parameters
from tools.student import is_solution, strip_solutions
from widgets.core.course import EXERCISE_KINDS, read_lesson

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
    path, _ = lesson
    problems = policy.check_notebook(path, ("size", "plotly-bundle", "widget-state"))
    assert not problems, "\n".join(problems)


def test_names_its_kernel(lesson):
    """JupyterLab starts the lesson's kernel without a "Select Kernel" dialog."""
    path, _ = lesson
    problems = policy.check_notebook(path, ("kernelspec",))
    assert not problems, "\n".join(problems)


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
    solutions = [c for c in nb.cells if is_solution(c)]
    tagged = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert tagged == solutions, f"{path.name}: a cell tagged 'solution' must hold the BEGIN/END SOLUTION markers"
    assert len(solutions) >= 2
    for cell in solutions:
        assert "### END SOLUTION" in cell.source
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, "solution must show collapsed"
        assert "solution" in cell.metadata.get("tags", [])
    student, removed = strip_solutions(nb)
    assert removed == len(solutions)
    assert "BEGIN SOLUTION" not in json.dumps(student)


def test_executed_in_order_without_errors(lesson):
    path, _ = lesson
    problems = policy.check_notebook(path, ("executed-in-order",))
    assert not problems, "\n".join(problems)


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


# -- exercises and quizzes that make a learner think ----------------------------------------------------------
LAB_LESSONS = ("01", "02", "03", "05", "07")  # lessons with a live lab whose code a learner can change
MIN_PREDICT, MIN_OPTIONS, PRACTICE_LESSONS = 2, 4, 5


def quiz_questions(nb) -> list[ast.Call]:
    """The q(...) calls of the lesson's quiz cell."""
    calls = []
    for cell in nb.cells:
        if cell.cell_type == "code" and "Quiz(" in cell.source:
            tree = ast.parse(cell.source)
            calls += [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "q"]
    return calls


def _keyword(call: ast.Call, name: str) -> str:
    return next((ast.literal_eval(k.value) for k in call.keywords if k.arg == name), "")


def test_every_exercise_has_a_kind_and_its_own_minutes(lesson):
    path, nb = lesson
    info = read_lesson(path)
    exercises = info.exercise_list
    assert [e.number for e in exercises] == list(range(1, len(exercises) + 1)), f"{path.name}: number 1..N in order"
    for e in exercises:
        assert e.kind in EXERCISE_KINDS, f"{path.name} exercise {e.number}: metadata.exercise.kind in {EXERCISE_KINDS}"
        assert 1 <= e.minutes <= 60, f"{path.name} exercise {e.number}: metadata.exercise.minutes (1 to 60)"
    assert sum(e.minutes for e in exercises) == info.exercises, (
        f"{path.name}: the first cell says {info.exercises} min of exercises, the exercises add up to "
        f"{sum(e.minutes for e in exercises)}"
    )


def test_predict_then_verify_and_changing_the_lab(lesson):
    path, nb = lesson
    kinds = [e.kind for e in read_lesson(path).exercise_list]
    assert kinds.count("predict") >= MIN_PREDICT, f"{path.name}: at least {MIN_PREDICT} predict-then-verify exercises"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "check_prediction(" in code, f"{path.name}: predictions are checked with check_prediction"
    if path.name[:2] in LAB_LESSONS:
        assert "edit" in kinds, f"{path.name}: an exercise that changes the code the lab runs"


def test_quiz_options_explain_misconceptions_and_apply_ideas(lesson):
    path, nb = lesson
    questions = quiz_questions(nb)
    assert len(questions) >= 4, f"{path.name}: a quiz of at least 4 questions"
    for call in questions:
        options = [a for a in call.args[1:] if isinstance(a, ast.Tuple)]
        assert len(options) >= MIN_OPTIONS, f"{path.name}: {ast.literal_eval(call.args[0])[:60]!r} needs 4 options"
    scenarios = sum(_keyword(call, "kind") == "scenario" for call in questions)
    assert 2 * scenarios >= len(questions), f"{path.name}: at least half the quiz questions are scenarios"


def test_course_wide_quiz_and_seeded_practice():
    covered = {_keyword(call, "lesson") for call in quiz_questions(nbformat.read(LESSONS[8], as_version=4))}
    assert {f"{n:02d}" for n in range(9)} <= covered, f"lesson 08's quiz must draw on every lesson: {covered}"
    practice = [p.name for p in LESSONS if "practice" in [e.kind for e in read_lesson(p).exercise_list]]
    assert len(practice) >= PRACTICE_LESSONS, f"seeded practice in at least {PRACTICE_LESSONS} lessons: {practice}"
