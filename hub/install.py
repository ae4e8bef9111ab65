"""Install what the workshop hub needs into ``HUB_DIR`` (``build/hub``): ``make hub`` and the hub's tests run it.

- ``env/``: a virtual environment from a Python interpreter that every learner may run (the learners' servers
  and kernels run from it as their own users), with ``hub/requirements.lock`` (the course's pinned packages plus
  JupyterHub, the first-use authenticator and the idle culler) and the course package itself, from its wheel
  (which carries the data), so the learners never read the checkout; ``env/`` itself must be readable by every
  user (``HUB_DIR`` elsewhere when the checkout sits in a directory only root may read);
- ``proxy/``: ``configurable-http-proxy`` from npm, pinned by ``hub/proxy/package-lock.json`` (needs Node.js 20
  or newer and npm);
- JupyterLab settings for every learner: no news prompt.

Each part is rebuilt only when what it comes from changed (a stamp with a hash). Prints what it does; on a
problem it says what to do and exits 1.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from hub.settings import ROOT, from_env

NODE_MIN = 20
#: The course's JupyterLab settings for learners (lab/README.md): the file make lab and Binder use too.
LAB_OVERRIDES_FILE = ROOT / "lab" / "settings" / "overrides.json"
LAB_OVERRIDES = json.loads(LAB_OVERRIDES_FILE.read_text(encoding="utf-8"))
PYTHON_CANDIDATES = (
    "/usr/bin/python3.11",
    "/usr/bin/python3.12",
    "/usr/bin/python3.13",
    "/usr/bin/python3",
    "/usr/local/bin/python3",
)


class InstallError(Exception):
    pass


def say(message: str) -> None:
    print(f"== {message}", flush=True)


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        files = (
            sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if path.is_dir()
            else [path]
        )
        for f in files:
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _run(cmd: list[str], what: str, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    if proc.returncode != 0:
        raise InstallError(f"{what} failed ({' '.join(cmd[:4])} …):\n{(proc.stdout + proc.stderr)[-3000:]}")
    return proc


def learner_can_run(python: str, check: str = "import sys") -> str:
    """'' when an unprivileged user (nobody) can run ``python -c check``, else the error."""
    if os.geteuid() != 0:
        return ""  # cannot test as another user; the hub needs root anyway
    proc = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python, "-c", check],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd="/",
    )
    if proc.returncode == 0:
        return ""
    return (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]


def pick_python() -> str:
    """An interpreter of Python 3.11+ that learners may run ($HUB_PYTHON overrides)."""
    wanted = os.environ.get("HUB_PYTHON")
    candidates = [wanted] if wanted else [*PYTHON_CANDIDATES, sys.executable]
    problems = []
    for cand in candidates:
        if not cand or not Path(cand).exists():
            continue
        ok = (
            subprocess.run(
                [cand, "-c", "import sys, venv; sys.exit(sys.version_info < (3, 11))"],
                capture_output=True,
                timeout=60,
                check=False,
            ).returncode
            == 0
        )
        if not ok:
            problems.append(f"{cand}: not Python 3.11+ with venv")
            continue
        why = learner_can_run(cand)
        if why:
            problems.append(f"{cand}: another user cannot run it ({why})")
            continue
        return cand
    raise InstallError(
        "no Python 3.11+ that learners' accounts may run was found "
        f"({'; '.join(problems) or 'none of ' + ', '.join(candidates)}). Install Debian's python3 "
        "(apt-get install python3 python3-venv) or set HUB_PYTHON."
    )


def _uv() -> list[str]:
    """uv (fast, pinned resolution) from the course's .venv, installed there on first use."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    if subprocess.run([python, "-m", "uv", "--version"], capture_output=True, check=False).returncode != 0:
        say("installing uv (the installer) into the course environment")
        _run([python, "-m", "pip", "install", "--quiet", "uv"], "installing uv")
    return [python, "-m", "uv"]


def install_env(hub_dir: Path) -> Path:
    env = hub_dir / "env"
    stamp = env / ".cvm-installed"
    # The package is installed from its wheel, so a change to its code or data reinstalls it.
    sources = [ROOT / "hub" / "requirements.lock", ROOT / "pyproject.toml", ROOT / "widgets", ROOT / "data"]
    digest = _digest(sources)
    if stamp.exists() and stamp.read_text() == digest and (env / "bin" / "jupyterhub").exists():
        return env
    python = pick_python()
    say(f"installing the hub's environment into {env} from {python} (first time: about a minute)")
    uv = _uv()
    if not (env / "bin" / "python").exists():
        _run([*uv, "venv", "--quiet", "--python", python, str(env)], "creating the hub's environment")
    target = ["--python", str(env / "bin" / "python")]
    _run(
        [*uv, "pip", "install", "--quiet", *target, "-r", str(ROOT / "hub" / "requirements.lock")],
        "installing the hub's packages",
    )
    # The course package from this checkout, built and installed as a wheel: it carries its data, so the
    # learners' kernels need not read the checkout (which may sit in a directory only root may read).
    _run(
        [
            *uv,
            "pip",
            "install",
            "--quiet",
            "--reinstall-package",
            "containers-vs-vms-course",
            *target,
            "--no-deps",
            str(ROOT),
        ],
        "installing the course package",
        cwd=str(ROOT),
    )
    settings = env / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=2) + "\n")
    why = learner_can_run(str(env / "bin" / "python"), "import jupyterhub, jupyterlab, widgets")
    if why:
        raise InstallError(
            f"learners' accounts cannot run the hub's environment in {env}: {why}. Every folder "
            f"above it must be readable by others (a checkout inside /root is not): set "
            f"HUB_DIR=/opt/cvm-hub (or clone the course elsewhere) and run make hub again."
        )
    stamp.write_text(digest)
    return env


def node_problem() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return (
            f"make hub needs Node.js {NODE_MIN}+ and npm for configurable-http-proxy (JupyterHub's proxy), "
            f"and {'node' if not node else 'npm'} is not installed. On Debian/Ubuntu: apt-get install nodejs npm "
            f"(or install Node.js {NODE_MIN} from nodejs.org)."
        )
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    try:
        major = int(version.lstrip("v").split(".")[0])
    except ValueError:
        return f"could not read the Node.js version ({version!r})"
    if major < NODE_MIN:
        return f"configurable-http-proxy needs Node.js {NODE_MIN}+, this machine has {version}: upgrade Node.js."
    return ""


def install_proxy(hub_dir: Path) -> Path:
    proxy = hub_dir / "proxy"
    binary = proxy / "node_modules" / ".bin" / "configurable-http-proxy"
    sources = [ROOT / "hub" / "proxy" / "package.json", ROOT / "hub" / "proxy" / "package-lock.json"]
    stamp = proxy / ".cvm-installed"
    digest = _digest(sources)
    if stamp.exists() and stamp.read_text() == digest and binary.exists():
        return binary
    problem = node_problem()
    if problem:
        raise InstallError(problem)
    say(f"installing configurable-http-proxy (npm) into {proxy}")
    proxy.mkdir(parents=True, exist_ok=True)
    for src in sources:
        shutil.copy2(src, proxy / src.name)
    _run(["npm", "ci", "--no-audit", "--no-fund", "--omit=dev"], "npm ci (configurable-http-proxy)", cwd=str(proxy))
    stamp.write_text(digest)
    return binary


def install(hub_dir: Path | None = None) -> None:
    """Install (or check) the proxy and the environment; one installer at a time (parallel test workers)."""
    import fcntl

    hub_dir = hub_dir or from_env().hub_dir
    hub_dir.mkdir(parents=True, exist_ok=True)
    with open(hub_dir / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        install_proxy(hub_dir)
        install_env(hub_dir)


def main() -> int:
    try:
        install()
    except InstallError as exc:
        print(f"make hub: {exc}", file=sys.stderr)
        return 1
    say("the hub's environment and proxy are ready")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
