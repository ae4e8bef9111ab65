"""Run a lesson's kernel as an ordinary learner when the build runs as root.

The committed notebooks and the static site show what a learner sees. A build that runs as root (CI, a
container) would otherwise store root's view in every live cell: "a user namespace (as root)", "uid 0 inside,
0 outside", cgroups root may write. :class:`LearnerKernel` starts the kernel as the unprivileged user
:data:`LEARNER` (created if missing) with a home of its own, no supplementary groups except the group of
``/dev/kvm`` where the host gives that group read-write access (as Debian's ``kvm`` group does), and an
interpreter and packages it may read (the checkout or .venv may sit where only root may read: then they are
hard-linked or copied into a world-readable folder first). ``CVM_EXECUTE_AS_ROOT=1`` keeps root's view.
"""

from __future__ import annotations

import os
import pwd
import shutil
import site
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

ROOT = Path(__file__).resolve().parent.parent
LEARNER = "cvm-learner"
#: What a lesson needs from the checkout (copied when the checkout is not world-readable).
COURSE_FILES = ("widgets", "tools", "lessons", "data", "requirements.lock", "pyproject.toml")


def wanted() -> bool:
    """Whether lessons should run as the learner: the build runs as root, and CVM_EXECUTE_AS_ROOT is not 1."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and os.environ.get("CVM_EXECUTE_AS_ROOT") != "1"


def learner() -> pwd.struct_passwd:
    """The learner's account (a system user without a login shell, created when missing)."""
    try:
        return pwd.getpwnam(LEARNER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", LEARNER],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return pwd.getpwnam(LEARNER)


def readable_by_others(path: Path) -> bool:
    """Whether any user may reach and read ``path`` (every folder above it searchable, the path readable)."""
    p = Path(os.path.realpath(path))
    for parent in p.parents:
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return False
    return bool(os.stat(p).st_mode & stat.S_IROTH)


def python_for_learner() -> str:
    """An interpreter of this Python's version that the learner may run ("" if there is none)."""
    exe = os.path.realpath(sys.executable)
    if readable_by_others(Path(exe)) and os.stat(exe).st_mode & stat.S_IXOTH:
        return exe
    system = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin") or ""
    if not system:
        return ""
    version = subprocess.run(
        [system, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True, timeout=30
    ).stdout.strip()
    return system if version == str(tuple(sys.version_info[:2])) else ""


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _readable_tree(src: Path, dst: Path) -> str:
    shutil.copytree(
        src,
        dst,
        symlinks=True,
        copy_function=_link_or_copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "__editable__*", "*.egg-link", "*.pth"),
    )
    return str(dst)


def python_path(work: Path) -> tuple[str, Path]:
    """PYTHONPATH for the learner and the course folder it uses: the course and this environment's packages,
    copied under ``work`` when they are not world-readable where they are."""
    course = ROOT
    if not all(readable_by_others(ROOT / f) for f in COURSE_FILES if (ROOT / f).exists()):
        course = work / "course"
        for rel in COURSE_FILES:
            src = ROOT / rel
            if src.is_dir():
                _readable_tree(src, course / rel)
            elif src.exists():
                course.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, course / rel)
    paths = [str(course)]
    for i, packages in enumerate(p for p in site.getsitepackages() if Path(p).is_dir()):
        paths.append(
            packages if readable_by_others(Path(packages)) else _readable_tree(Path(packages), work / f"site-{i}")
        )
    for root, _dirs, files in os.walk(work):
        os.chmod(root, 0o755)
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o444)
    return os.pathsep.join(paths), course


def kvm_group(user: pwd.struct_passwd) -> list[int]:
    """The group of /dev/kvm if that group may read and write it (so the learner may use KVM as a member of
    the kvm group would); otherwise none."""
    try:
        st = os.stat("/dev/kvm")
    except OSError:
        return []
    if st.st_gid != 0 and st.st_mode & 0o060 == 0o060 and st.st_gid != user.pw_gid:
        return [st.st_gid]
    return []


class LearnerKernel(AsyncKernelManager):
    """A kernel manager whose kernel runs as :data:`LEARNER` with its own home, groups and PYTHONPATH."""

    def setup_learner(self) -> str:
        """Prepare the learner's account, folders and environment; return a sentence saying who runs."""
        self._user = learner()
        self._work = Path(tempfile.mkdtemp(prefix="cvm-execute-"))
        os.chmod(self._work, 0o755)
        home = self._work / "home"
        home.mkdir()
        os.chown(home, self._user.pw_uid, self._user.pw_gid)
        self._python = python_for_learner()
        if not self._python:
            raise RuntimeError("no Python interpreter of this version that an ordinary user may run")
        self._groups = kvm_group(self._user)
        self._env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "IPYTHONDIR": str(home / "ipython"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTER_PREFER_ENV_PATH": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self._env["PYTHONPATH"], self.course = python_path(self._work / "install")
        self.connection_file = str(self._work / "kernel.json")
        groups = f", with group {self._groups[0]} of /dev/kvm" if self._groups else ""
        return f"as the ordinary user {LEARNER} (uid {self._user.pw_uid}{groups})"

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        os.chown(self.connection_file, self._user.pw_uid, self._user.pw_gid)
        kw.update(env=self._env, user=self._user.pw_uid, group=self._user.pw_gid, extra_groups=self._groups)
        kw.setdefault(
            "stderr", subprocess.DEVNULL
        )  # the kernel's own log (its start-up notices); cells' output is kept
        await super()._async_launch_kernel([self._python, *kernel_cmd[1:]], **kw)

    def cleanup_learner(self) -> None:
        """Shut the kernel down (nbclient leaves a kernel manager it did not make running) and remove the
        learner's temporary folders (the account stays, as the tests' learner does)."""
        from jupyter_core.utils import run_sync

        if self.has_kernel:
            run_sync(self.shutdown_kernel)(now=True)
        shutil.rmtree(getattr(self, "_work", ""), ignore_errors=True)
