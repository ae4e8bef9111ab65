"""Every lesson runs offline, and as an ordinary user without root, /dev/kvm
or cgroup write access, through its fallbacks (which say so)."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from tests.conftest import LESSONS, ROOT

LEARNER = "cvm-learner"
pytestmark = [pytest.mark.papermill, pytest.mark.skipif(not LESSONS, reason="no lessons yet")]


def outputs_text(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors[0].get("evalue")
    return "\n".join(json.dumps(o) for c in nb.cells for o in c.get("outputs", []))


def can_isolate_network() -> str:
    if shutil.which("unshare") is None:
        return "the unshare tool (util-linux) is not installed"
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--net", "true"], capture_output=True,
                           text=True, timeout=30, check=False)
    return "" if probe.returncode == 0 else f"unprivileged network namespaces are not allowed here: {probe.stderr}"


NO_NET = can_isolate_network() if sys.platform.startswith("linux") else "network namespaces are Linux-only"


@pytest.mark.skipif(bool(NO_NET), reason=NO_NET or "-")
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.name for p in LESSONS])
def test_lesson_runs_with_the_network_cut_off(lesson, tmp_path):
    out = tmp_path / lesson.name
    proc = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--net",
         sys.executable, "-m", "tools.isolated_run", str(lesson), str(out), "--offline"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "interfaces: ['lo']" in proc.stdout  # only loopback existed while the lesson ran
    assert "Traceback" not in outputs_text(out)


def learner() -> pwd.struct_passwd:
    """An ordinary user for the test (created when running as root, as CI does)."""
    try:
        return pwd.getpwnam(LEARNER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", LEARNER],
                       check=True, capture_output=True, timeout=60)
        return pwd.getpwnam(LEARNER)


def _reason_no_learner() -> str:
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        return "needs root to run a lesson as another user"
    return ""


def learner_python() -> tuple[str, dict[str, str]]:
    """An interpreter the learner may execute, with this environment's packages.

    The course's .venv may point at an interpreter inside root's home (pyenv), which
    another user cannot execute; then the system's python3 of the same version runs
    with the venv's site-packages on its path.
    """
    exe = os.path.realpath(sys.executable)
    if all(os.access(p, os.X_OK) for p in (exe,)) and not exe.startswith("/root/"):
        return sys.executable, {}
    system = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin") or ""
    if not system:
        return "", {}
    version = subprocess.run([system, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                             text=True, timeout=30, check=False).stdout.strip()
    if version != str(tuple(sys.version_info[:2])):
        return "", {}
    import site

    return system, {"PYTHONPATH": os.pathsep.join([*site.getsitepackages(), str(ROOT)])}


ROOT_ONLY = _reason_no_learner()
PYTHON, PYTHON_ENV = learner_python()
if not ROOT_ONLY and not PYTHON:
    ROOT_ONLY = "no Python interpreter that an ordinary user may run has this Python's version"


@pytest.mark.skipif(bool(ROOT_ONLY), reason=ROOT_ONLY or "-")
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.name for p in LESSONS])
def test_lesson_runs_as_an_ordinary_user(lesson):
    user = learner()
    work = Path(tempfile.mkdtemp(prefix="cvm-learner-"))
    try:
        os.chown(work, user.pw_uid, user.pw_gid)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(work), "LANG": "C.UTF-8",
               "JUPYTER_RUNTIME_DIR": str(work / "runtime"), "IPYTHONDIR": str(work / "ipython"),
               "JUPYTER_PREFER_ENV_PATH": "1", "PYTHONDONTWRITEBYTECODE": "1", **PYTHON_ENV}
        out = work / lesson.name
        proc = subprocess.run([PYTHON, "-m", "tools.isolated_run", str(lesson), str(out)],
                              cwd=ROOT, env=env, user=user.pw_uid, group=user.pw_gid, extra_groups=[],
                              capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
        text = outputs_text(out)
        assert "Traceback" not in text
        if lesson.name.startswith("01-") and Path("/dev/kvm").exists() and not _user_can_open_kvm(user):
            assert "permission denied" in text and "kvm group" in text, "the KVM fallback must say why and how"
            assert "simulated" in text
        if lesson.name.startswith("02-"):
            assert "not measured now" in text or "Showing the recorded run" in text, "cgroup lab must fall back"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _user_can_open_kvm(user: pwd.struct_passwd) -> bool:
    st = os.stat("/dev/kvm")
    if st.st_mode & 0o006:
        return True
    return st.st_uid == user.pw_uid or (st.st_gid == user.pw_gid and bool(st.st_mode & 0o060))
