"""The workshop hub's settings, from environment variables (``make hub`` passes them through).

| variable | default | meaning |
|---|---|---|
| ``HUB_DIR`` | ``build/hub`` (*) | the hub's environment (``env/``), proxy (``proxy/``) and state (``state/``) |
| ``HUB_STATE`` | ``$HUB_DIR/state`` | database, cookie secret, passwords, logs (root only, mode 700) |
| ``HUB_IP``, ``HUB_PORT`` | ``0.0.0.0``, ``8000`` | where learners connect (the room's network) |
| ``HUB_MEM_LIMIT`` | ``1G`` | memory per learner (server, kernels, everything they start); ``none`` for no limit |
| ``HUB_CPU_LIMIT`` | ``none`` | CPU cores per learner (a quota); by default learners share the cores fairly |
| ``HUB_IDLE_TIMEOUT`` | ``3600`` | seconds without activity before the culler stops a learner's server |
| ``HUB_INSTRUCTOR`` | ``instructor`` | the instructor's (admin) user name |
| ``HUB_SIGNUP`` | ``open`` | ``open``: a new name and password at the login page make an account; |
| | | ``closed``: only users the instructor added can log in |
| ``HUB_USER_PREFIX`` | ``cvm-`` | system accounts are ``<prefix><name>`` (``cvm-alice``) |

(*) ``/var/tmp/cvm-hub-<hash>`` when a folder above the checkout is closed to other users.

Internal ports (``HUB_API_PORT`` 8081, ``HUB_PROXY_API_PORT`` 8001, ``HUB_LESSONS_PORT`` 8011) and
``HUB_CGROUP_PARENT`` (``cvm-hub``) can be changed to run a second hub beside the first (the tests do).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = "containers-vs-vms hub learner"  # the comment (GECOS) field of every account the hub creates


@dataclass(frozen=True)
class Settings:
    hub_dir: Path
    state: Path
    ip: str
    port: int
    api_port: int
    proxy_api_port: int
    lessons_port: int
    mem_limit: str
    cpu_limit: float | None
    idle_timeout: int
    cull_every: int
    instructor: str
    signup: str
    user_prefix: str
    cgroup_root: str
    cgroup_parent: str
    home_root: str
    lessons: Path

    @property
    def env(self) -> Path:
        return self.hub_dir / "env"

    @property
    def python(self) -> Path:
        return self.env / "bin" / "python"

    @property
    def proxy(self) -> Path:
        return self.hub_dir / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"


def default_hub_dir(root: Path = ROOT) -> Path:
    """``build/hub`` in the checkout, unless a folder above it is closed to other users (a ``mktemp -d`` clone,
    ``/root``): learners run the hub's environment as themselves, so it then lives in ``/var/tmp``, one per
    checkout."""
    open_to_all = all(os.stat(p).st_mode & 0o001 for p in (root, *root.parents))
    if open_to_all:
        return root / "build" / "hub"
    return Path("/var/tmp") / f"cvm-hub-{hashlib.sha256(str(root).encode()).hexdigest()[:10]}"


def from_env(environ: dict[str, str] | None = None) -> Settings:
    e = os.environ if environ is None else environ
    hub_dir = Path(e.get("HUB_DIR") or default_hub_dir()).absolute()
    cpu = (e.get("HUB_CPU_LIMIT") or "none").strip().lower()
    return Settings(
        hub_dir=hub_dir,
        state=Path(e.get("HUB_STATE") or hub_dir / "state").absolute(),
        ip=e.get("HUB_IP", "0.0.0.0"),
        port=int(e.get("HUB_PORT", "8000")),
        api_port=int(e.get("HUB_API_PORT", "8081")),
        proxy_api_port=int(e.get("HUB_PROXY_API_PORT", "8001")),
        lessons_port=int(e.get("HUB_LESSONS_PORT", "8011")),
        mem_limit=e.get("HUB_MEM_LIMIT", "1G"),
        cpu_limit=None if cpu in ("", "none", "0") else float(cpu),
        idle_timeout=int(e.get("HUB_IDLE_TIMEOUT", "3600")),
        cull_every=int(e.get("HUB_CULL_EVERY", "0")) or max(5, min(300, int(e.get("HUB_IDLE_TIMEOUT", "3600")) // 4)),
        instructor=e.get("HUB_INSTRUCTOR", "instructor"),
        signup=e.get("HUB_SIGNUP", "open"),
        user_prefix=e.get("HUB_USER_PREFIX", "cvm-"),
        cgroup_root=e.get("HUB_CGROUP_ROOT", "/sys/fs/cgroup"),
        cgroup_parent=e.get("HUB_CGROUP_PARENT", "cvm-hub"),
        home_root=e.get("HUB_HOME_ROOT", "/home"),
        lessons=Path(e.get("HUB_LESSONS") or ROOT / "lessons").absolute(),
    )
