"""The whole container, live: lesson 03's image run from an OCI bundle by the course's runner, stage by stage.

:func:`run_bundle` is the runner: it checks the bundle's ``config.json`` (:func:`widgets.models.bundle.check_config`),
gives the container a fresh upper and work directory over the image's unpacked layers, makes its cgroup
where this user may (:mod:`widgets.labs.limits`), and runs the child program ``children/runtime.py``, which
does what an OCI runtime does (namespaces, overlay root, ``pivot_root``, /proc, hostname, capabilities,
``no_new_privs``, seccomp, ``execve``). :func:`whole_container` does it all in a temporary ``cvm-runtime-*``
directory for a lesson and checks the result; without user namespaces, or with ``live="off"``, it shows a
run recorded on the course's build machine, labelled so. If this process is root, the container still runs
as an ordinary user: the runner drops to ``nobody`` (65534) first, so every learner sees the same thing.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import validate
from ..models import bundle as bundle_model
from ..models.hello import parse_report
from ..models.privileges import CAPABILITIES
from ..models.seccomp import TABLES
from . import limits as cglimits
from .base import LabFailed, kill_group, lab_pids, new_token, spawn
from .cgroups import detect
from .oci import OCI_ARCH, build_layout, host_arch

__all__ = ["BundleRun", "host_arch", "prepared", "read_config", "run_as", "run_bundle", "write_bundle"]
from .overlay import DiskUse, Unpacked, disk_use, listing, unpack

MARKER = "cvm-runtime"
NOBODY = 65534
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
PROBES = (
    "getpid",
    "getppid",
    "getuid",
    "sched_yield",
    "uname",
    "getcwd",
    "unshare",
    "personality",
    "chdir",
    "socket",
    "mkdir",
    "mkdirat",
)


@dataclass(frozen=True)
class BundleRun:
    """What one run of a bundle produced: the runner's report, the program's output and the cgroup's counters."""

    report: dict[str, Any]
    output: str
    exit: dict[str, int]
    upper: tuple[tuple[str, int], ...]
    cgroup: dict[str, Any] = field(default_factory=dict)
    elapsed_ms: float = 0.0
    left: tuple[int, ...] = ()
    upper_use: DiskUse | None = None

    @property
    def parsed(self) -> dict[str, object]:
        """The program's output, line by line (:func:`widgets.models.hello.parse_report`)."""
        return parse_report(self.output)


def run_as() -> int:
    """The host uid the container's root maps to: this user's, or nobody's when this process is root."""
    return NOBODY if os.geteuid() == 0 else os.geteuid()


def read_config(bundle: Path) -> tuple[dict[str, Any], bundle_model.Plan]:
    """Read and check ``bundle/config.json``; ValueError naming the file and the field."""
    path = Path(bundle) / "config.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path} is missing: a bundle is a directory holding config.json and its root") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"config.json is not valid JSON ({exc})") from None
    plan = bundle_model.check_config(doc, host_arch())
    if not (Path(bundle) / plan.root).is_dir():
        raise ValueError(f"config.json: root.path {plan.root!r} is not a directory in the bundle {bundle}")
    return doc, plan


def write_bundle(where: Path, config: dict[str, Any]) -> Path:
    """A bundle directory: ``config.json`` (checked first) and an empty ``rootfs`` to mount the image on."""
    bundle_model.check_config(config, host_arch())
    where = Path(where)
    (where / "rootfs").mkdir(parents=True)
    (where / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    where.chmod(0o755)
    return where


def _params(
    plan: bundle_model.Plan,
    bundle: Path,
    image: Unpacked | None,
    upper: Path,
    work: Path,
    *,
    observe: bool,
    timeout_s: float,
) -> dict[str, Any]:
    table = TABLES[host_arch()]
    caps = {k: sorted(CAPABILITIES.index(c) for c in v) for k, v in plan.capabilities.items()}
    return {
        "rootfs": str((bundle / plan.root).resolve()),
        "lowers": image.overlay_lowers if image else [],
        "upper": str(upper),
        "work": str(work),
        "hostname": plan.hostname,
        "uid_map": [list(m) for m in plan.uid_map],
        "gid_map": [list(m) for m in plan.gid_map],
        "namespaces": list(plan.namespaces),
        "mounts": [dict(m) for m in plan.mounts],
        "devices": list(DEVICES),
        "args": list(plan.args),
        "env": list(plan.env),
        "cwd": plan.cwd,
        "caps": caps,
        "no_new_privs": plan.no_new_privileges,
        "seccomp": {"filter": plan.seccomp.rows(), "deny": plan.seccomp.deny} if plan.seccomp else None,
        "nr": {
            "pivot_root": table["pivot_root"],
            "capset": table["capset"],
            "probes": {p: table[p] for p in PROBES if p in table},
        },
        "drop_to": NOBODY if os.geteuid() == 0 else None,
        "wait_go": True,
        "observe": observe,
        "timeout_s": timeout_s,
    }


def _first_line(proc: subprocess.Popen[str], timeout_s: float) -> dict[str, Any]:
    ready, _, _ = select.select([proc.stdout], [], [], timeout_s)
    line = proc.stdout.readline() if ready and proc.stdout else ""
    try:
        first = json.loads(line)
    except json.JSONDecodeError:
        err = proc.stderr.read() if proc.poll() is not None and proc.stderr else ""
        last = (err.strip().splitlines() or ["no report within the time-out"])[-1][-300:]
        raise LabFailed(f"the runner did not start the container: {last}") from None
    if "error" in first:
        raise LabFailed(first["error"])
    return first


def run_bundle(
    bundle: Path, image: Unpacked | None, *, timeout_s: float = 20.0, observe: bool = True, limits: bool = True
) -> BundleRun:
    """Run an OCI bundle with the course's runner; the image's layers (if given) become an overlay root.

    ``limits``: apply the config's cgroup limits where this user may (else the run says so and none are set).
    Raises ValueError for a bad bundle (nothing is mounted then) and LabFailed when the runner fails.
    """
    _, plan = read_config(bundle)
    timeout_s = validate.number("timeout_s", timeout_s, minimum=0.5, maximum=120, unit="s")
    bundle = Path(bundle)
    n = len(list(bundle.parent.glob("upper-*")))
    upper, work = bundle.parent / f"upper-{n}", bundle.parent / f"work-{n}"
    for d in (upper, work):
        d.mkdir()
        if os.geteuid() == 0:
            os.chown(d, NOBODY, NOBODY)
    want = cglimits.Limits(plan.memory_bytes, plan.cpu_quota_us, plan.cpu_period_us, plan.pids_limit)
    cg, cg_info = None, {"asked": want.any}
    if want.any and limits:
        info = detect()
        parents, why = cglimits.where(info)
        cg_info.update(why=why, live=parents is not None)
        if parents is not None:
            cg = cglimits.ContainerCgroup(info, parents)
    token, start = new_token(MARKER), time.perf_counter()
    proc = None
    try:
        if cg is not None:
            cg.create(want)
        proc = spawn(
            "runtime",
            _params(plan, bundle, image, upper, work, observe=observe, timeout_s=timeout_s),
            token=token,
            stdin=True,
        )
        first = _first_line(proc, timeout_s)
        if cg is not None:
            cg.add(first["pid"])
        try:
            out, err = proc.communicate("go\n", timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise LabFailed(f"the container did not finish within {timeout_s:g} s; it was killed") from None
        elapsed = (time.perf_counter() - start) * 1e3
        try:
            report = json.loads(out.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            last = (err.strip().splitlines() or ["no message"])[-1][-300:]
            raise LabFailed(f"the runner exited with code {proc.returncode}: {last}") from None
        if "error" in report and "stages" not in report:
            raise LabFailed(report["error"])
    finally:
        if proc is not None:
            kill_group(proc, token)
        if cg is not None:
            cg_info.update(name=cg.name, version=cg.version, counters=cg.counters().__dict__, removed=cg.remove())
    files, use = tuple(listing(upper)), disk_use(upper)
    for d in (upper, work):
        _rmtree(d)
    return BundleRun(
        report,
        report.get("output", ""),
        report.get("exit", {}),
        files,
        cg_info,
        round(elapsed, 3),
        tuple(lab_pids(token)),
        use,
    )


def _rmtree(d: Path) -> None:
    for sub in d.rglob("*"):  # overlay leaves work/work with mode 000
        with contextlib.suppress(OSError):
            if sub.is_dir() and not sub.is_symlink():
                sub.chmod(0o700)
    shutil.rmtree(d, ignore_errors=True)


@contextlib.contextmanager
def prepared(
    message: str = "Hello from a container image!",
    workdir: Path | None = None,
    *,
    layers: list[dict[str, bytes | None]] | None = None,
    config: dict[str, Any] | None = None,
):
    """Build lesson 03's image (or one of ``layers`` and ``config``), unpack it and yield ``(workdir, Unpacked)``;
    a temporary ``cvm-runtime-*`` directory (or ``workdir``) that is removed afterwards."""
    from ..models.oci import DEMO_CONFIG, demo_layers

    arch = host_arch()
    with contextlib.ExitStack() as stack:
        if workdir is None:
            import tempfile

            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cvm-runtime-")))
        workdir = Path(workdir)
        workdir.chmod(0o755)  # the runner may run as nobody: it must reach the layers
        layout = build_layout(
            workdir / "image",
            demo_layers(message, arch) if layers is None else layers,
            config=DEMO_CONFIG if config is None else config,
            architecture=OCI_ARCH[arch],
        )
        image = unpack(layout.root, workdir / "layers")
        for d in (workdir / "image", workdir / "layers"):
            d.chmod(0o755)
        if os.geteuid() == 0:  # unpacked as the user who runs the container, as a rootless engine does
            for lower in image.lowers:
                for p in (lower, *lower.rglob("*")):
                    os.lchown(p, NOBODY, NOBODY)
        try:
            yield workdir, image
        finally:
            for sub in workdir.glob("upper-*"):
                _rmtree(sub)
