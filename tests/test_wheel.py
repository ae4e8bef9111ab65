"""A built wheel carries the data, datapackage.json, the lock and the recordings, and runs the lessons.

The wheel is built here, offline (``pip wheel --no-build-isolation``), and installed without ``-e`` into
a fresh virtual environment outside the checkout. The environment borrows this one's dependencies (a
``.pth`` line), never this checkout's course package. From there it imports ``widgets``, loads every
data resource, and runs lesson 00 and a lab lesson (02) headless from a copy of the lessons.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.papermill
LESSONS = ("00-start-here.ipynb", "02-container-engines.ipynb")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the new environment's python, the directory the lessons were copied to)."""
    tmp = tmp_path_factory.mktemp("wheel")
    build = tmp / "src"  # a copy, so the build's own build/ and egg-info never touch the checkout
    shutil.copytree(
        ROOT,
        build,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "build", "*.egg-info", "__pycache__", ".pytest_cache", "lessons", "tests", "instructor"
        ),
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp / "dist"),
            str(build),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    wheel = next((tmp / "dist").glob("*.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp / "venv")], check=True, timeout=120)
    python = tmp / "venv" / "bin" / "python"
    packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
    )
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (packages / "course-dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(packages), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    lessons = tmp / "home" / "lessons"
    lessons.mkdir(parents=True)
    for name in LESSONS:
        shutil.copy2(ROOT / "lessons" / name, lessons / name)
    return python, lessons


def run(python: Path, code: str, cwd: Path) -> str:
    env = {**os.environ, "JUPYTER_PREFER_ENV_PATH": "1", "PYTHONPATH": "", "PYTHONNOUSERSITE": "1"}
    env.pop("COURSE_DATA_DIR", None)
    proc = subprocess.run(
        [str(python), "-c", textwrap.dedent(code)], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_the_wheel_carries_the_data_lock_recordings_and_child_programs(installed):
    wheel = next(installed[0].parents[2].glob("dist/*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {p.name for p in (ROOT / "data").iterdir() if p.suffix in (".csv", ".json", ".md", ".lock")}
    assert {f"widgets/_data/{n}" for n in data} <= names
    recorded = {f"widgets/labs/recorded/{p.name}" for p in (ROOT / "widgets/labs/recorded").glob("*.json")}
    children = {f"widgets/labs/children/{p.name}" for p in (ROOT / "widgets/labs/children").glob("*.py")}
    assert recorded and children and recorded | children <= names
    assert not any(n.startswith(("lessons/", "tests/", "data/")) for n in names)


def test_widgets_imports_from_the_wheel_and_loads_every_resource(installed):
    python, lessons = installed
    out = run(
        python,
        """
        import json, widgets
        from widgets.core import data
        from widgets.labs.envcheck import LOCK
        print(json.dumps({"file": widgets.__file__, "data": str(data.data_dir()), "counts": data.validate_all(),
                          "lock": str(LOCK), "recording": sorted(data.recording("namespace_run_2026-11-26.json"))}))
    """,
        lessons,
    )
    report = json.loads(out.strip().splitlines()[-1])
    env = str(python.parents[1])
    assert report["file"].startswith(env) and report["data"].startswith(env) and report["lock"].startswith(env)
    assert report["data"].endswith("widgets/_data") and str(ROOT) not in out
    assert set(report["counts"]) == {
        r["name"] for r in json.loads((ROOT / "data/datapackage.json").read_text())["resources"]
    } and all(n > 0 for n in report["counts"].values())
    assert "container_run" in report["recording"]


@pytest.mark.parametrize("name", LESSONS)
def test_lessons_run_headless_from_the_wheel(installed, name):
    python, lessons = installed
    run(
        python,
        f"""
        import nbformat
        from nbclient import NotebookClient
        nb = nbformat.read({str(lessons / name)!r}, as_version=4)
        NotebookClient(nb, timeout=180, kernel_name="python3", store_widget_state=False,
                       resources={{"metadata": {{"path": {str(lessons)!r}}}}}).execute()
        nbformat.write(nb, {str(lessons / ("out-" + name))!r})
    """,
        lessons,
    )
    nb = nbformat.read(lessons / f"out-{name}", as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = json.dumps(outputs)
    assert "Traceback" not in text and str(ROOT) not in text
    if name.startswith("00-"):
        assert "02-container-engines.ipynb" in text  # the lesson index comes from the lessons beside it


def test_missing_data_is_one_clear_error(installed, tmp_path):
    python, lessons = installed
    out = run(
        python,
        """
        import shutil
        from pathlib import Path
        import widgets
        from widgets.core import data
        shutil.move(str(data.INSTALLED_DATA), str(data.INSTALLED_DATA) + ".away")
        try:
            widgets.load("startup_times")
        except data.DataError as exc:
            print("DataError:", exc)
        finally:
            shutil.move(str(data.INSTALLED_DATA) + ".away", str(data.INSTALLED_DATA))
    """,
        lessons,
    )
    assert "DataError: the course's data are missing: no datapackage.json" in out
    assert "reinstall the course package" in out and "COURSE_DATA_DIR" in out
