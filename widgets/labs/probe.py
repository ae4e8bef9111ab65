"""Where am I running, and which live labs can this machine do?

Two questions, answered from the learner's own system without root and
without changing anything:

* :func:`where_am_i` gathers *evidence* (CPU flags, firmware strings, cgroup
  paths, marker files, environment variables, the kernel command line) and
  weighs it into a verdict: bare metal, virtual machine, container, or a
  container inside a virtual machine, naming the hypervisor or engine when
  the evidence does.
* :func:`capabilities` reports each live-lab capability (KVM, unprivileged
  user namespaces, cgroups) as available or not, with the reason and how to
  enable it.

Both work on Linux, macOS and Windows and never raise: a file that cannot be
read is simply evidence that is not there. Paths are read below ``root`` and
the environment from ``environ`` so tests can fake any system.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ..models.probe import CGROUP_ENGINES, CLOCKSOURCES, DMI_HYPERVISORS, Environment, Evidence, classify
from .base import read_text


def _read(root: Path, rel: str, limit: int = 65536) -> str | None:
    return read_text(root / rel.lstrip("/"), limit)


def _exists(root: Path, rel: str) -> bool:
    try:
        return (root / rel.lstrip("/")).exists()
    except OSError:
        return False


def _linux_evidence(root: Path, environ: Mapping[str, str]) -> list[Evidence]:
    ev: list[Evidence] = []
    cpuinfo = _read(root, "/proc/cpuinfo")
    if cpuinfo is not None:
        flags = set()
        for line in cpuinfo.splitlines():
            if line.startswith(("flags", "Features")):
                flags.update(line.split(":", 1)[-1].split())
        if "hypervisor" in flags:
            ev.append(Evidence("/proc/cpuinfo", "the CPU reports the 'hypervisor' flag", "vm"))
        else:
            ev.append(Evidence("/proc/cpuinfo", "no 'hypervisor' CPU flag", "none"))
    dmi = [_read(root, f"/sys/class/dmi/id/{k}") for k in ("sys_vendor", "product_name", "bios_vendor", "board_vendor")]
    dmi_text = " ".join(x.strip() for x in dmi if x)
    if dmi_text:
        for pattern, name in DMI_HYPERVISORS:
            if re.search(pattern, dmi_text, re.I):
                ev.append(Evidence("/sys/class/dmi/id", f"firmware says {dmi_text!r}", "vm", name=name))
                break
        else:
            ev.append(Evidence("/sys/class/dmi/id", f"firmware says {dmi_text!r}", "none"))
    hv_type = _read(root, "/sys/hypervisor/type")
    if hv_type and hv_type.strip():
        ev.append(Evidence("/sys/hypervisor/type", f"{hv_type.strip()!r}", "vm", name=hv_type.strip().title()))
    clock = _read(root, "/sys/devices/system/clocksource/clocksource0/current_clocksource")
    if clock and clock.strip() in CLOCKSOURCES:
        name = CLOCKSOURCES[clock.strip()]
        ev.append(Evidence("clocksource", f"the kernel keeps time with {clock.strip()!r}", "vm", name=name))
    version = _read(root, "/proc/version") or ""
    if re.search(r"microsoft|wsl", version, re.I):
        ev.append(Evidence("/proc/version", "a WSL2 kernel (a Hyper-V lightweight VM)", "vm", name="Hyper-V (WSL2)"))
    cmdline = _read(root, "/proc/cmdline") or ""
    if re.search(r"firecracker", cmdline, re.I):
        ev.append(
            Evidence("/proc/cmdline", "the kernel command line mentions Firecracker", "vm", "weak", "Firecracker")
        )
    elif "virtio_mmio.device=" in cmdline:
        ev.append(
            Evidence(
                "/proc/cmdline",
                "virtio-mmio devices on the kernel command line (a micro-VM)",
                "vm",
                "weak",
                "a micro-VM (Firecracker-style)",
            )
        )
    # Containers
    cgroup = _read(root, "/proc/1/cgroup")
    if cgroup is not None:
        paths = [line.split(":", 2)[-1] for line in cgroup.splitlines() if line.count(":") >= 2]
        hits = [(label, p) for p in paths for key, label in CGROUP_ENGINES if key in p]
        if hits:
            label, path = hits[0]
            ev.append(Evidence("/proc/1/cgroup", f"PID 1 lives in cgroup {path!r}", "container", name=label))
        elif paths and all(p in ("/", "/init.scope") for p in paths):
            ev.append(Evidence("/proc/1/cgroup", "PID 1 is at the root of the cgroup tree", "none"))
    sched = _read(root, "/proc/1/sched", 256)
    if sched:
        m = re.match(r"\s*(\S.*?)\s+\((\d+),", sched)
        if m and m.group(2) != "1":
            ev.append(
                Evidence(
                    "/proc/1/sched",
                    f"our PID 1 ({m.group(1)}) is PID {m.group(2)} on the host: a PID namespace",
                    "container",
                )
            )
    if _exists(root, "/.dockerenv"):
        ev.append(
            Evidence(
                "/.dockerenv",
                "Docker's marker file exists (it can also be left over in an image)",
                "container",
                "weak",
                "Docker",
            )
        )
    if _exists(root, "/run/.containerenv"):
        ev.append(Evidence("/run/.containerenv", "Podman's marker file exists", "container", name="Podman"))
    return ev


def _env_evidence(environ: Mapping[str, str]) -> list[Evidence]:
    ev = []
    if environ.get("container"):
        ev.append(
            Evidence(
                "$container",
                f"container={environ['container']!r} (set by the engine)",
                "container",
                name=environ["container"],
            )
        )
    if environ.get("KUBERNETES_SERVICE_HOST"):
        ev.append(Evidence("$KUBERNETES_SERVICE_HOST", "set: this is a Kubernetes pod", "container", name="Kubernetes"))
    return ev


def _macos_evidence() -> list[Evidence]:
    try:
        out = subprocess.run(
            ["sysctl", "-n", "kern.hv_vmm_present"], capture_output=True, text=True, timeout=3, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return []
    if out == "1":
        return [Evidence("sysctl kern.hv_vmm_present", "1: macOS runs under a hypervisor", "vm")]
    if out == "0":
        return [Evidence("sysctl kern.hv_vmm_present", "0: no hypervisor below macOS", "none")]
    return []


def _windows_evidence() -> list[Evidence]:
    try:
        import winreg  # type: ignore[import-not-found]

        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"HARDWARE\DESCRIPTION\System\BIOS")
        maker = winreg.QueryValueEx(key, "SystemManufacturer")[0]
        product = winreg.QueryValueEx(key, "SystemProductName")[0]
    except (ImportError, OSError):
        return []
    text = f"{maker} {product}"
    for pattern, name in DMI_HYPERVISORS:
        if re.search(pattern, text, re.I):
            return [Evidence("registry BIOS keys", f"firmware says {text!r}", "vm", name=name)]
    return [Evidence("registry BIOS keys", f"firmware says {text!r}", "none")]


def gather_evidence(
    root: str | os.PathLike[str] = "/",
    environ: Mapping[str, str] | None = None,
    system: str | None = None,
) -> list[Evidence]:
    """Collect the evidence for :func:`where_am_i` (never raises)."""
    system = system or platform.system()
    environ = os.environ if environ is None else environ
    if system == "Linux":
        ev = _linux_evidence(Path(root), environ)
    elif system == "Darwin":
        ev = _macos_evidence()
    elif system == "Windows":
        ev = _windows_evidence()
    else:
        ev = []
    return ev + _env_evidence(environ)


def where_am_i(
    root: str | os.PathLike[str] = "/",
    environ: Mapping[str, str] | None = None,
    system: str | None = None,
) -> Environment:
    """Detect bare metal, VM, container or container-in-VM from this system.

    Parameters
    ----------
    root:
        Filesystem root to read ``/proc`` and ``/sys`` under (tests pass a fake tree).
    environ:
        Environment variables (default ``os.environ``).
    system:
        ``platform.system()`` value to assume (default: this system's).
    """
    system = system or platform.system()
    return classify(gather_evidence(root, environ, system), os_name=system)
