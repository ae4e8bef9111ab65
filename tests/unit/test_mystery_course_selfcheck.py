"""Seeded practice, the lesson index, and the self-check report."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from widgets import check_mystery, course, mystery_machine, selfcheck
from widgets.probe import KINDS


def test_same_seed_same_machine_and_all_kinds_occur():
    assert mystery_machine(5) == mystery_machine(5)
    kinds = Counter(mystery_machine(s).verdict.kind for s in range(200))
    assert set(kinds) == set(KINDS[:4])
    assert len({mystery_machine(s).evidence for s in range(20)}) > 10


@pytest.mark.parametrize("seed", range(0, 60, 7))
def test_check_agrees_with_verdict_and_explains(seed):
    m = mystery_machine(seed)
    right = check_mystery(m.verdict.kind, seed)
    assert right.correct and "deciding evidence" in right.message
    wrong = next(k for k in KINDS[:4] if k != m.verdict.kind)
    fb = check_mystery(wrong, seed)
    assert not fb.correct and len(fb.message) > 40
    assert "synthetic" in m.show() and m.answer().startswith("Verdict:")


@pytest.mark.parametrize("seed", [-1, 2.5, "x", None, True, 10**10])
def test_bad_seeds(seed):
    with pytest.raises(ValueError, match="seed"):
        mystery_machine(seed)


def test_lessons_index_reads_front_matter(tmp_path):
    cell = {"cell_type": "markdown", "metadata": {},
            "source": "# 03 · Images\n\n**Time:** 40 min teaching · 25 min exercises\n"}
    (tmp_path / "03-images.ipynb").write_text(json.dumps({"cells": [cell]}))
    (info,) = course.lessons(tmp_path)
    assert (info.number, info.title, info.teaching, info.exercises, info.minutes) == (3, "03 · Images", 40, 25, 65)
    assert '<a href="03-images.ipynb">03 · Images</a>' in course.index_html(tmp_path)
    cell["source"] = "# 04 · x\nno time here"
    (tmp_path / "04-x.ipynb").write_text(json.dumps({"cells": [cell]}))
    with pytest.raises(ValueError, match="min teaching"):
        course.lessons(tmp_path)


def test_real_lessons_all_have_time_estimates():
    infos = course.lessons()
    assert infos and infos[0].number == 0
    assert all(i.teaching > 0 and i.exercises > 0 for i in infos)


def test_versions_and_report():
    checks = selfcheck.versions()
    assert checks[0].name == "python" and all(c.ok for c in checks)
    assert selfcheck._as_tuple("8.1.9") > selfcheck._as_tuple("8.1")
    assert selfcheck._as_tuple("2.0.0rc1") == (2, 0, 0)
    html = selfcheck.version_table([selfcheck.VersionCheck("numpy", "1.0", "1.26", False)])
    assert "✘" in html and "make install" in html
    report = selfcheck.report()
    assert "Live labs on this machine" in report and "Verdict:" in report


def test_selfcheck_cli_exit_code(capsys):
    assert selfcheck.main() == 0
    assert "Course self-check" in capsys.readouterr().out
