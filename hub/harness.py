"""A workshop hub started for a test or a benchmark, and everything it made removed afterwards.

:class:`HubProcess` runs ``python -m hub.run --serve`` (the same start as ``make hub``) on loopback with free
ports, a scratch state directory, and its own account prefix and cgroup parent (``cvm-t<hex>-``), so that it
never touches a real hub's learners or another test's. :meth:`HubProcess.close` stops the hub (which stops every
learner's server), then removes the accounts it made, their homes, their cgroups and the state directory, and
:meth:`HubProcess.leftovers` says what, if anything, is still there.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from hub import cgroups
from hub.run import hub_accounts, remove_account
from hub.settings import ROOT, from_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HubProcess:
    def __init__(
        self,
        mem_limit: str = "1G",
        idle_timeout: int = 3600,
        signup: str = "open",
        cull_every: int = 0,
        extra_env: dict[str, str] | None = None,
        timeout_s: float = 120.0,
        python: str = "",
    ) -> None:
        """``python``: start as ``make hub`` does (``<python> -m hub.run``: the installer's check, then the hub in
        its environment); by default the hub's environment starts it directly (``hub.run --serve``)."""
        tag = secrets.token_hex(2)
        self.prefix = f"cvm-t{tag}-"
        # Beside a real hub's state (not in /tmp, which each learner has a private one of).
        base = from_env().hub_dir
        base.mkdir(parents=True, exist_ok=True)
        self.state = Path(tempfile.mkdtemp(prefix=f"test-state-{tag}-", dir=base))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instructor_password = secrets.token_urlsafe(12)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(
            HUB_IP="127.0.0.1",
            HUB_PORT=str(self.port),
            HUB_API_PORT=str(free_port()),
            HUB_PROXY_API_PORT=str(free_port()),
            HUB_LESSONS_PORT=str(free_port()),
            HUB_STATE=str(self.state),
            HUB_USER_PREFIX=self.prefix,
            HUB_CGROUP_PARENT=f"cvm-hub-t{tag}",
            HUB_MEM_LIMIT=mem_limit,
            HUB_IDLE_TIMEOUT=str(idle_timeout),
            HUB_SIGNUP=signup,
            HUB_INSTRUCTOR_PASSWORD=self.instructor_password,
            PYTHONPATH=str(ROOT),
        )
        if cull_every:
            env["HUB_CULL_EVERY"] = str(cull_every)
        env.update(extra_env or {})
        self.env = env
        self.settings = from_env(env)
        self.support = cgroups.detect(self.settings.cgroup_root, self.settings.cgroup_parent)
        self._uids: set[int] = set()
        self.log_path = self.state.parent / f"{self.state.name}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115
        cmd = [python, "-m", "hub.run"] if python else [str(self.settings.python), "-m", "hub.run", "--serve"]
        self.proc = subprocess.Popen(
            cmd, cwd=str(ROOT), env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout_s
        while True:
            if self.proc.poll() is not None:
                text = self.log_text()
                self.close()
                raise RuntimeError(f"the hub exited early:\n{text}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    text = self.log_text()
                    self.close()
                    raise RuntimeError(f"the hub did not answer within {timeout_s:.0f} s:\n{text}") from None
                time.sleep(0.2)  # polling the hub's address, with a deadline

    def log_text(self, tail: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def system_user(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def account(self, name: str) -> pwd.struct_passwd:
        return pwd.getpwnam(self.system_user(name))

    def cgroup(self, name: str) -> cgroups.LearnerCgroup:
        return cgroups.LearnerCgroup(self.support, self.system_user(name))

    def close(self) -> None:
        try:
            proxy = int((self.state / "proxy.pid").read_text().strip())
        except (OSError, ValueError):
            proxy = 0
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while proxy and time.monotonic() < deadline:  # the proxy leaves after the hub (its own session)
            try:
                os.kill(proxy, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            if proxy:
                try:
                    os.kill(proxy, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for account in hub_accounts(self.prefix):
            self._uids.add(account.pw_uid)
            remove_account(account)
            cgroups.LearnerCgroup(self.support, account.pw_name).remove(timeout_s=10)
        cgroups.remove_parent(self.support)
        shutil.rmtree(self.state, ignore_errors=True)
        self.log.close()
        self.log_path.unlink(missing_ok=True)

    def leftovers(self) -> list[str]:
        """What this hub left: accounts, homes, cgroups, processes of its accounts, its port, its state."""
        left = [f"account {p.pw_name}" for p in pwd.getpwall() if p.pw_name.startswith(self.prefix)]
        home = Path(self.settings.home_root)
        left += [f"home {p}" for p in home.glob(f"{self.prefix}*")]
        root = Path(self.settings.cgroup_root)
        if root.is_dir():
            left += [f"cgroup {p}" for p in root.glob(f"*/{self.settings.cgroup_parent}")]
            left += [f"cgroup {p}" for p in root.glob(self.settings.cgroup_parent)]
        if self.state.exists():
            left.append(f"state {self.state}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", self.port)) == 0:
                left.append(f"port {self.port} still answers")
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
                    uid = os.stat(f"/proc/{entry}").st_uid
                except OSError:
                    continue
                if uid in self._uids or str(self.state).encode() in cmd or f"--user {self.prefix}".encode() in cmd:
                    left.append(f"process {entry} (uid {uid}): {cmd[:120]!r}")
        return left
