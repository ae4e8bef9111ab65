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
