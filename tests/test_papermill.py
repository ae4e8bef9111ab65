"""Every lesson runs headless under papermill with every parameter set
(tests/parameter_sets.yaml), and its student version runs too."""

from __future__ import annotations

import configparser
import json
import re
from pathlib import Path

import nbformat
import pytest

from tests.conftest import LESSONS
from tools.nb import check_parameters, parameter_sets, run_papermill
from tools.student import strip_solutions

SETS = parameter_sets()
pytestmark = [pytest.mark.papermill, pytest.mark.skipif(not LESSONS, reason="no lessons yet")]


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", "") if isinstance(out.get("text", ""), str) else "".join(out["text"]))
            parts.append(json.dumps(out.get("data", {})))
    return "\n".join(parts)


_SANITIZE = configparser.ConfigParser()
_SANITIZE.read(Path(__file__).with_name("sanitize.cfg"), encoding="utf-8")


def compared_text(nb) -> list[list[str]]:
    """Per code cell that nbval compares (not tagged nbval-ignore-output): its text outputs, sanitized."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "nbval-ignore-output" in cell.metadata.get("tags", []):
            continue
        texts = []
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain", "")
            text = text if isinstance(text, str) else "".join(text)
            for section in _SANITIZE.sections():
                text = re.sub(_SANITIZE[section]["regex"], _SANITIZE[section]["replace"], text)
            texts.append(text)
        cells.append(texts)
    return cells


@pytest.mark.parametrize("set_name", list(SETS))
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.name for p in LESSONS])
def test_lesson_runs_with_parameter_set(lesson, set_name, tmp_path):
    out = tmp_path / lesson.name
    run_papermill(lesson, out, SETS[set_name])
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    text = outputs_text(nb)
    assert "Traceback" not in text
    if SETS[set_name].get("live") == "off":
        assert "live='off'" in text, "a fallback run must say that it shows the fallback"
    if set_name == "defaults":  # a second run in the lesson's own directory gives the committed outputs again
        assert compared_text(nb) == compared_text(nbformat.read(lesson, as_version=4))


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.name for p in LESSONS])
def test_student_version_runs_and_asks_for_answers(lesson, tmp_path):
    student, removed = strip_solutions(nbformat.read(lesson, as_version=4))
    assert removed >= 2
    src = tmp_path / lesson.name
    nbformat.write(student, src)
    run_papermill(src, tmp_path / "out.ipynb", {"live": "off", "quick": True})
    text = outputs_text(nbformat.read(tmp_path / "out.ipynb", as_version=4))
    assert "No answer yet" in text and "✔ Correct" not in text


def test_unknown_or_mistyped_parameters_fail():
    nb = nbformat.read(LESSONS[0], as_version=4)
    with pytest.raises(ValueError, match="unknown parameter"):
        check_parameters(nb, {"liv": "off"}, "x")
    with pytest.raises(ValueError, match="is a int"):
        check_parameters(nb, {"live": 3}, "x")
    check_parameters(nb, {"live": "off", "quick": True}, "x")
