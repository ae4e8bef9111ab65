"""The student version of every lesson runs under papermill with the ``fallback`` parameter set (and
``quick``), asks for answers and says that it shows its fallbacks; unknown parameters fail.

Each parameter set of tests/parameter_sets.yaml is run by exactly one check, so that no lesson runs twice
for the same thing: the defaults by nbval (the committed outputs must come back), ``quick`` by the offline
run and ``fallback`` here (tests/test_restricted.py has the other two).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tests.conftest import LESSONS, per_lesson
from tools.nb import check_parameters, parameter_sets, run_papermill
from tools.student import strip_solutions

SETS = parameter_sets()
#: Which check runs each parameter set (a new set must be given a run here).
RUN_BY = {
    "defaults": "nbval on the committed lessons (pytest lessons/)",
    "quick": "tests/test_restricted.py::TestLessonNN::test_runs_quick_with_the_network_cut_off",
    "fallback": "tests/test_papermill.py::TestLessonNN::test_student_version_runs_its_fallbacks_and_asks_for_answers",
}
pytestmark = [pytest.mark.papermill, pytest.mark.skipif(not LESSONS, reason="no lessons yet")]


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", "") if isinstance(out.get("text", ""), str) else "".join(out["text"]))
            parts.append(json.dumps(out.get("data", {})))
    return "\n".join(parts)


def test_every_parameter_set_has_its_run():
    assert set(SETS) == set(RUN_BY)
    assert SETS["defaults"] == {} and SETS["fallback"] == {"live": "off"} and SETS["quick"] == {"quick": True}


def student_version_runs_its_fallbacks(lesson, tmp_path: Path):
    """The student version runs with live='off' and quick=True, asks for answers and says it falls back."""
    student, removed = strip_solutions(nbformat.read(lesson, as_version=4))
    assert removed >= 2
    src = tmp_path / lesson.name
    nbformat.write(student, src)
    run_papermill(src, tmp_path / "out.ipynb", {**SETS["fallback"], **SETS["quick"]})
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    text = outputs_text(nb)
    assert "Traceback" not in text
    assert "No answer yet" in text and "✔ Correct" not in text
    assert "live='off'" in text, "a fallback run must say that it shows the fallback"


per_lesson(globals(), test_student_version_runs_its_fallbacks_and_asks_for_answers=student_version_runs_its_fallbacks)


def test_unknown_or_mistyped_parameters_fail():
    nb = nbformat.read(LESSONS[0], as_version=4)
    with pytest.raises(ValueError, match="unknown parameter"):
        check_parameters(nb, {"liv": "off"}, "x")
    with pytest.raises(ValueError, match="is a int"):
        check_parameters(nb, {"live": 3}, "x")
    check_parameters(nb, {"live": "off", "quick": True}, "x")
