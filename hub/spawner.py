"""The workshop hub's spawner: a system account, the lessons, a cgroup and private namespaces per learner.

``CourseSpawner`` is JupyterHub's ``LocalProcessSpawner`` with these steps before each start:

1. the learner's system account ``<prefix><name>`` (``cvm-alice``): created on first start with a home of mode
   700 and the comment :data:`hub.settings.MARKER`, so that ``make hub-reset`` removes only accounts the hub
   made; an existing account without that comment is never used;
2. a check that the home's disk has room, and the lessons merged into ``~/lessons`` (:mod:`hub.content`);
3. the learner's cgroup with their memory, process and CPU limits (:mod:`hub.cgroups`), when this machine
   allows it;
4. the server starts through ``hub/launcher.py``: it joins the cgroup, enters new PID, mount and cgroup
   namespaces and only then becomes the learner.

Every problem a learner can meet here is raised with a ``jupyterhub_message``, which JupyterHub shows on the
spawn page and in its REST API instead of a traceback.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import subprocess
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Integer, Unicode

from hub import cgroups, content
from hub.settings import MARKER

HERE = Path(__file__).resolve().parent
MAX_NAME = 32  # useradd's limit for a system account name


class SpawnProblem(RuntimeError):
    """A start that cannot go on, with a message for the learner (JupyterHub shows ``jupyterhub_message``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.jupyterhub_message = message


def system_name(prefix: str, hub_name: str) -> str:
    name = f"{prefix}{hub_name}"
    if len(name) > MAX_NAME or not re.fullmatch(r"[a-z_][a-z0-9_-]*", name):
        raise SpawnProblem(
            f"The user name {hub_name!r} cannot be a system account here ({name!r}: at most "
            f"{MAX_NAME} characters, lowercase letters, digits and '-'). Log in with a shorter name."
        )
    return name


def ensure_account(name: str, home_root: str) -> pwd.struct_passwd:
    """The learner's account, created when missing (home mode 700); refuse one the hub did not make."""
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        home = os.path.join(home_root, name)
        proc = subprocess.run(
            [
                "useradd",
                "--create-home",
                "--home-dir",
                home,
                "--shell",
                "/bin/bash",
                "--comment",
                MARKER,
                "--user-group",
                name,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if proc.returncode != 0:
            raise SpawnProblem(
                f"Your account could not be created on this server: {proc.stderr.strip()}. "
                f"Ask the instructor (is the hub running as root?)."
            ) from None
        account = pwd.getpwnam(name)
        os.chmod(account.pw_dir, 0o700)
        return account
    if account.pw_gecos.split(",")[0] != MARKER:
        raise SpawnProblem(
            f"A system account named {name!r} already exists and was not made by this hub; "
            f"it is not used for a learner. Ask the instructor."
        )
    if not os.path.isdir(account.pw_dir):
        os.makedirs(account.pw_dir, mode=0o700)
        os.chown(account.pw_dir, account.pw_uid, account.pw_gid)
    return account


class CourseSpawner(LocalProcessSpawner):
    user_prefix = Unicode("cvm-", help="system accounts are <prefix><hub user name>").tag(config=True)
    home_root = Unicode("/home", help="where learners' homes are created").tag(config=True)
    lessons_source = Unicode(help="the course's lessons folder, copied into each home").tag(config=True)
    state_dir = Unicode(help="the hub's state directory (sync records, server logs)").tag(config=True)
    cgroup_root = Unicode("/sys/fs/cgroup").tag(config=True)
    cgroup_parent = Unicode("cvm-hub").tag(config=True)
    pids_limit = Integer(1024, help="the most processes a learner's server may run").tag(config=True)
    min_free_mb = Integer(200, help="a start is refused when the homes' disk has less free space").tag(config=True)
    launcher_python = Unicode(sys.executable, help="the interpreter that runs hub/launcher.py (as root)").tag(
        config=True
    )

    _support: cgroups.Support | None = None  # detected once per hub

    @classmethod
    def support(cls, root: str, parent: str) -> cgroups.Support:
        if cls._support is None:
            cls._support = cgroups.detect(root, parent)
        return cls._support

    @property
    def system_user(self) -> str:
        return system_name(self.user_prefix, self.user.name)

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        account = pwd.getpwnam(self.system_user)
        env.update(
            USER=account.pw_name, LOGNAME=account.pw_name, HOME=account.pw_dir, SHELL=account.pw_shell or "/bin/bash"
        )
        return env

    def make_preexec_fn(self, name):  # the launcher drops privileges, after entering the namespaces
        return None

    def limits(self) -> cgroups.Limits:
        return cgroups.Limits(memory_bytes=self.mem_limit or None, cpus=self.cpu_limit or None, pids=self.pids_limit)

    def cgroup(self) -> cgroups.LearnerCgroup:
        return cgroups.LearnerCgroup(self.support(self.cgroup_root, self.cgroup_parent), self.system_user)

    def _prepare(self) -> list[str]:
        """Account, disk, lessons, cgroup (blocking work, in a thread); return the launcher's arguments."""
        name = self.system_user
        account = ensure_account(name, self.home_root)
        st = os.statvfs(account.pw_dir)
        free_mb = st.f_bavail * st.f_frsize / 2**20
        if free_mb < self.min_free_mb:
            raise SpawnProblem(
                f"The server's disk is full: {free_mb:.0f} MB free where your files live "
                f"(at least {self.min_free_mb} MB are needed). Ask the instructor to free space."
            )
        state = Path(self.state_dir)
        try:
            report = content.sync(
                Path(self.lessons_source),
                account.pw_dir,
                account.pw_uid,
                account.pw_gid,
                state / "sync" / f"{name}.json",
            )
        except content.ContentError as exc:
            raise SpawnProblem(str(exc)) from None
        self.log.info("lessons for %s: %s", name, report.summary())
        group = self.cgroup()
        joins: list[str] = []
        if group.support.enforced:
            try:
                joins = [str(p) for p in group.create(self.limits())]
            except OSError as exc:
                raise SpawnProblem(
                    f"Your server's memory limit could not be set ({exc}). Ask the instructor."
                ) from None
        logs = state / "logs"
        logs.mkdir(parents=True, exist_ok=True, mode=0o700)
        args = [
            self.launcher_python,
            str(HERE / "launcher.py"),
            "--user",
            name,
            "--view",
            group.view,
            "--log",
            str(logs / f"{name}.log"),
        ]
        for join in joins:
            args += ["--join", join]
        return [*args, "--"]

    async def start(self):
        if not hasattr(self, "_server_cmd"):
            self._server_cmd = list(self.cmd)
        self.cmd = [*await asyncio.to_thread(self._prepare), *self._server_cmd]
        return await super().start()

    async def stop(self, now: bool = False) -> None:
        await super().stop(now=now)
        await asyncio.to_thread(self._release)

    async def poll(self):
        status = await super().poll()
        if status is not None and self.cgroup().procs() == set():
            await asyncio.to_thread(self._release)
        return status

    def _release(self) -> None:
        try:
            group = self.cgroup()
        except SpawnProblem:
            return
        if group.support.enforced and not group.remove():
            self.log.warning("the cgroup of %s still had processes: %s", group.name, sorted(group.procs()))
