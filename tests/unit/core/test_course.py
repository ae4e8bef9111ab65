"""The lessons read from themselves: front matter, time estimates, the index."""

from __future__ import annotations

import json

import pytest

from widgets.core import course


def test_lessons_index_reads_front_matter(tmp_path):
    cell = {
        "cell_type": "markdown",
        "metadata": {},
        "source": "# 03 · Images\n\n**Time:** 40 min teaching · 25 min exercises\n",
    }
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
