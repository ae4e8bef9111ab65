"""Binder's build: repo2docker reads environment.yml and builds on the intended Python (3.11).

``repo2docker --no-build --debug`` prints the Dockerfile it would build, without Docker (repo2docker's own
documented dry run). repo2docker is installed for this test only, into build/tools/repo2docker from
tests/hub/repo2docker.lock: it is not part of the course's environment."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hub.conftest import REQUIRED

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "build" / "tools" / "repo2docker"


def repo2docker() -> Path:
    exe = VENV / "bin" / "repo2docker"
    stamp, lock = VENV / ".cvm-lock", ROOT / "tests" / "hub" / "repo2docker.lock"
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / ".repo2docker.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if exe.exists() and stamp.exists() and stamp.read_text() == lock.read_text():
            return exe
        uv = [str(ROOT / ".venv" / "bin" / "python"), "-m", "uv"]
        if subprocess.run([*uv, "--version"], capture_output=True, check=False).returncode != 0:
            subprocess.run([uv[0], "-m", "pip", "install", "--quiet", "uv"], check=True, capture_output=True)
        for cmd in (
            [*uv, "venv", "--quiet", "--python", sys.executable, str(VENV)],
            [*uv, "pip", "install", "--quiet", "--python", str(VENV / "bin" / "python"), "-r", str(lock)],
        ):
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
            if proc.returncode != 0:
                message = f"could not install repo2docker for the test: {proc.stderr[-1500:]}"
                if REQUIRED:
                    pytest.fail(message)
                pytest.skip(message)
        stamp.write_text(lock.read_text())
    return exe


@pytest.fixture(scope="module")
def generated() -> str:
    proc = subprocess.run(
        [str(repo2docker()), "--no-build", "--debug", "--no-run", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=str(ROOT),
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def test_repo2docker_reads_environment_yml(generated):
    assert 'env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"' in generated
    assert "./postBuild" in generated


def test_repo2docker_builds_on_python_311(generated):
    assert "Building conda environment for python=3.11" in generated
    # The base environment's lock file it copies (file names are escaped: '-2e' is '.', '-2d' is '-').
    names = generated.replace("-2e", ".").replace("-2d", "-").replace("-2f", "/")
    assert "environment.py-3.11-linux-64.lock" in names
    assert "Python version unspecified" not in generated
