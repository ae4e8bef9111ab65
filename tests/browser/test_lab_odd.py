"""The odd lessons in real JupyterLab (test_lab.py runs the even ones and holds the checks).

A second file so that ``pytest -n 2 --dist loadscope`` runs the browser lessons on both workers; each file
starts its own JupyterLab server and Chromium (the fixtures below)."""

from __future__ import annotations

import pytest

from tests.browser.test_lab import (  # noqa: F401 - fixtures used by name
    LESSONS,
    browser,
    check_lesson,
    page,
    pytestmark,
    server,
)

ODD = [n for n in LESSONS if int(n[:2]) % 2 == 1]


@pytest.mark.parametrize("name", ODD)
def test_lesson_renders_runs_and_answers(page, server, name):  # noqa: F811
    check_lesson(page, server, name)
