"""Shared fixtures for every test tier (unit, data, notebooks, browser)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from widgets.core.course import lesson_paths

ROOT = Path(__file__).resolve().parent.parent
LESSONS = lesson_paths(ROOT / "lessons")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(autouse=True)
def _no_network_proxy_surprises(monkeypatch: pytest.MonkeyPatch) -> None:
    # Lessons and tests read only what ships with the course.
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def per_lesson(namespace: dict, **checks) -> None:
    """Add one test class per lesson to ``namespace`` (a test module's globals), each running ``checks``.

    ``make test`` distributes with ``pytest-xdist --dist loadscope``: a class is one unit of work, so the
    lessons' runs are shared between the workers while nbval keeps each notebook's cells on one worker.
    A check is a plain function ``check(lesson, <fixtures...>)``; its marks (skipif, ...) carry over.
    """
    for lesson in LESSONS:
        attrs = {"__doc__": f"The runs of {lesson.name}."}
        for name, check in checks.items():
            attrs[name] = _method(check, lesson)
        cls = f"TestLesson{lesson.name[:2]}"
        namespace[cls] = type(cls, (), attrs)


def _method(check, lesson: Path):
    import inspect

    def method(self, **fixtures):
        return check(lesson, **fixtures)

    sig = inspect.signature(check)
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [p for n, p in sig.parameters.items() if n != "lesson"]
    method.__signature__ = sig.replace(parameters=params)
    method.__name__ = check.__name__
    method.__doc__ = check.__doc__
    method.pytestmark = list(getattr(check, "pytestmark", []))
    return method
