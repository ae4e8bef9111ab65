"""Groups for pytest-xdist (``--dist loadgroup``): what must share one worker does, the rest spreads.

* every run of one lesson (nbval's cells, the offline, ordinary-user and student runs, the browser) is one
  group, so that the lessons, not the files, are shared between the workers;
* a test file whose module-scoped fixture is expensive (a JupyterLab server, the static site) is one group,
  so that the fixture is built once.
The unit tests have no group: they are spread one by one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ONE_WORKER_FILES = {"test_lab.py", "test_lab_odd.py", "test_latency_tool.py", "test_site.py"}


def _group(item: pytest.Item) -> str | None:
    path = Path(str(item.fspath))
    if path.suffix == ".ipynb":
        return f"lesson-{path.name[:2]}"
    if path.name in ONE_WORKER_FILES:
        return f"file-{path.name}"
    lesson = getattr(getattr(item, "callspec", None), "params", {}).get("lesson")
    if isinstance(lesson, Path):
        return f"lesson-{lesson.name[:2]}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        group = _group(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
