"""Every lesson runs offline, and as an ordinary user without root, /dev/kvm or cgroup write access,
through its fallbacks (which say so); after either run, nothing a lab made is left behind.

These two runs also carry two of the parameter sets of tests/parameter_sets.yaml: the offline run uses
``quick``; the student run (tests/test_papermill.py) uses ``fallback``; nbval runs the defaults. So each
lesson runs four times per ``make test`` (nbval, offline, ordinary user, student), plus the browser.

Other test workers may run lab processes at the same moment, and those live for a second or so; the
leftover checks therefore wait, with a deadline, until nothing is left beyond what was there before: a
leak persists and fails, a neighbour's short-lived lab does not.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from tests.conftest import LESSONS, ROOT, per_lesson
from tests.procs import processes_with, wait_until_gone
from tools.learner import learner  # the ordinary user the build runs lessons as
from tools.nb import parameter_sets
from widgets.labs import cgrouplab, kvmedit, nslab, privlab, runtime, secrule, startup

SETS = parameter_sets()
#: What the course needs to run a lesson: copied where the learner may read it (the checkout may not be).
COURSE_FILES = (
    "widgets",
    "tools",
    "lessons",
    "data",
    "requirements.lock",
    "pyproject.toml",
    "tests/parameter_sets.yaml",
    "tests/__init__.py",
)
pytestmark = [pytest.mark.papermill, pytest.mark.skipif(not LESSONS, reason="no lessons yet")]


def outputs_text(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors[0].get("evalue")
    return "\n".join(json.dumps(o) for c in nb.cells for o in c.get("outputs", []))


def lab_processes() -> set[int]:
    """PIDs whose command line carries a lab's marker."""
    return set(
        processes_with(
            nslab.MARKER,
            privlab.MARKER,
            secrule.MARKER,
            cgrouplab.PREFIX,
            startup.MARKER,
            runtime.MARKER,
            kvmedit.MARKER,
        )
    )


def lab_cgroups() -> set[str]:
    root = Path("/sys/fs/cgroup")
    return {str(p) for p in root.rglob(f"{cgrouplab.PREFIX}*") if p.is_dir()} if root.is_dir() else set()


def snapshot() -> tuple[set[int], set[str], set[str]]:
    return lab_processes(), lab_cgroups(), set(Path("/proc/self/mountinfo").read_text().splitlines())


def assert_nothing_left(before: tuple[set[int], set[str], set[str]]) -> None:
    processes, cgroups, mounts = before
    assert not wait_until_gone(lambda: lab_processes() - processes, 20.0), "lab processes were left running"
    assert not wait_until_gone(lambda: lab_cgroups() - cgroups, 20.0), "lab cgroups were left behind"
    assert set(Path("/proc/self/mountinfo").read_text().splitlines()) == mounts, "a lab changed the mounts"


def params(name: str) -> list[str]:
    return [arg for k, v in SETS[name].items() for arg in ("-p", f"{k}={json.dumps(v)}")]


def can_isolate_network() -> str:
    if shutil.which("unshare") is None:
        return "the unshare tool (util-linux) is not installed"
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--net", "true"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return "" if probe.returncode == 0 else f"unprivileged network namespaces are not allowed here: {probe.stderr}"


NO_NET = can_isolate_network() if sys.platform.startswith("linux") else "network namespaces are Linux-only"


@pytest.mark.skipif(bool(NO_NET), reason=NO_NET or "-")
def offline_quick(lesson, tmp_path):
    """The lesson runs with quick=True in a new network namespace that has loopback only."""
    out, before = tmp_path / lesson.name, snapshot()
    proc = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-root-user",
            "--net",
            sys.executable,
            "-m",
            "tools.isolated_run",
            str(lesson),
            str(out),
            "--offline",
            *params("quick"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "interfaces: ['lo']" in proc.stdout  # only loopback existed while the lesson ran
    assert "Traceback" not in outputs_text(out)
    assert_nothing_left(before)


def _reason_no_learner() -> str:
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        return "needs root to run a lesson as another user"
    return ""


def learner_python() -> str:
    """An interpreter the learner may execute, of this Python's version.

    The course's .venv may point at an interpreter inside root's home (pyenv), which another user cannot
    execute; then the system's python3 of the same version runs the copied packages.
    """
    exe = os.path.realpath(sys.executable)
    if os.access(exe, os.X_OK) and not exe.startswith("/root/"):
        return exe
    system = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin") or ""
    if not system:
        return ""
    version = subprocess.run(
        [system, "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout.strip()
    return system if version == str(tuple(sys.version_info[:2])) else ""


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)  # the same file, reachable through a directory the learner may read
    except OSError:
        shutil.copy2(src, dst)


def readable_copy(dest: Path) -> dict[str, str]:
    """Copy the course and this environment's packages under ``dest`` (world-readable); return the env vars.

    The checkout and .venv may sit in a directory only root may read (a mktemp -d clone): the learner must
    not depend on that. Files are hard-linked where possible (instant), copied otherwise.
    """
    for rel in COURSE_FILES:
        src, dst = ROOT / rel, dest / "course" / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(
                src,
                dst,
                symlinks=False,
                copy_function=_link_or_copy,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        else:
            shutil.copy2(src, dst)
    paths = []
    for i, packages in enumerate(p for p in site.getsitepackages() if Path(p).is_dir()):
        target = dest / f"site-packages-{i}"
        shutil.copytree(
            packages,
            target,
            symlinks=True,
            copy_function=_link_or_copy,
            ignore=shutil.ignore_patterns("__pycache__", "__editable__*", "*.egg-link", "*.pth"),
        )
        paths.append(str(target))
    for root, _dirs, files in os.walk(dest):
        os.chmod(root, 0o755)
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o444)
    return {"PYTHONPATH": os.pathsep.join([str(dest / "course"), *paths])}


ROOT_ONLY = _reason_no_learner()
PYTHON = learner_python() if not ROOT_ONLY else ""
if not ROOT_ONLY and not PYTHON:
    ROOT_ONLY = "no Python interpreter that an ordinary user may run has this Python's version"


@pytest.mark.skipif(bool(ROOT_ONLY), reason=ROOT_ONLY or "-")
def as_an_ordinary_user(lesson):
    """The lesson runs as an ordinary user (no root, no /dev/kvm, no cgroup writes), from a copy it may read."""
    user = learner()
    work = Path(tempfile.mkdtemp(prefix="cvm-learner-"))
    try:
        env_paths = readable_copy(work / "install")
        home = work / "home"
        home.mkdir()
        os.chown(home, user.pw_uid, user.pw_gid)
        os.chmod(work, 0o755)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "IPYTHONDIR": str(home / "ipython"),
            "JUPYTER_PREFER_ENV_PATH": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            **env_paths,
        }
        copy = work / "install" / "course"
        out, before = home / lesson.name, snapshot()
        proc = subprocess.run(
            [PYTHON, "-m", "tools.isolated_run", str(copy / "lessons" / lesson.name), str(out)],
            cwd=copy,
            env=env,
            user=user.pw_uid,
            group=user.pw_gid,
            extra_groups=[],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
        text = outputs_text(out)
        assert "Traceback" not in text
        if lesson.name.startswith("01-") and Path("/dev/kvm").exists() and not _user_can_open_kvm(user):
            assert "permission denied" in text and "kvm group" in text, "the KVM fallback must say why and how"
            assert "simulated" in text
        if lesson.name.startswith("02-"):
            assert "not measured now" in text or "Showing the recorded run" in text, "cgroup lab must fall back"
        assert_nothing_left(before)
    finally:
        shutil.rmtree(work, ignore_errors=True)


per_lesson(
    globals(), test_runs_quick_with_the_network_cut_off=offline_quick, test_runs_as_an_ordinary_user=as_an_ordinary_user
)


def _user_can_open_kvm(user: pwd.struct_passwd) -> bool:
    st = os.stat("/dev/kvm")
    if st.st_mode & 0o006:
        return True
    return st.st_uid == user.pw_uid or (st.st_gid == user.pw_gid and bool(st.st_mode & 0o060))
