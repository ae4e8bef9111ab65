"""Where am I running? The readers that gather evidence from this system (the rules: :mod:`..models.proberules`).

:func:`where_am_i` reads, without root and without changing anything, the traces the rules name (CPU flags,
firmware and ACPI names, clocks, PCI devices, the mount table, cgroups, marker files, PID 1, user-ID maps,
environment variables) and weighs them into a verdict: bare metal, virtual machine, container, or a container
inside a virtual machine, naming the hypervisor or engine when the evidence does.

Works on Linux, macOS and Windows and never raises: a file that cannot be read is evidence that is not
there. Everything is read below ``root`` and the environment comes from ``environ``, so a test can fake any
system; :func:`record` keeps what was read (only what the rules use) so that a recorded machine can be
classified again later (:func:`where_am_i` with ``recording=``).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..models import proberules as pr
from ..models.probe import Environment, Evidence, classify, evidence
from .base import Recording
from .probe_readers import ACCOUNT, BIND_TARGETS, FILTERS, Recorded, Tree, mounts

#: The dated recording of the course's build machine (lesson 00's fallback).
RECORDING = Recording("probe", "2026-12-03")
#: Environment variables the rules read (a recording keeps these only).
VARIABLES = ("container", "KUBERNETES_SERVICE_HOST")
_DMI = ("product_name", "sys_vendor", "board_vendor", "bios_vendor", "product_version")
_BINDS = (
    (re.compile(r"overlay-containers/[0-9a-f]{64}/userdata/"), "Podman"),
    (re.compile(r"/pods/[0-9a-f-]{36}/etc-hosts$"), "Kubernetes"),
    (re.compile(r"io\.containerd\.grpc\.v1\.cri/sandboxes/[0-9a-f]{64}/"), "containerd"),
    (re.compile(r"/containers/[0-9a-f]{64}/(hostname|hosts|resolv\.conf)$"), "Docker"),
)
_MI = "/proc/self/mountinfo"
_DSDT = "/sys/firmware/acpi/tables/DSDT"
_V1 = ("systemd", "pids", "memory", "cpu", "cpuset", "devices", "freezer", "blkio")
Reader = Tree | Recorded


def _first(pairs: tuple[tuple[str, str], ...], text: str) -> str:
    return next((name for key, name in pairs if key in text), "")


def _cpu(r: Reader) -> list[Evidence]:
    info = r.text("/proc/cpuinfo")
    if info is None:
        return []
    flags = {
        f for line in info.splitlines() if line.startswith(("flags", "Features")) for f in line.split(":")[-1].split()
    }
    if "hypervisor" in flags:
        return [evidence("cpu-hypervisor-flag", "the CPU reports the 'hypervisor' flag")]
    return [Evidence("/proc/cpuinfo", "no 'hypervisor' CPU flag", "none", rule="cpu-hypervisor-flag")]


def _dmi(r: Reader) -> list[Evidence]:
    fields = {k: (r.text(f"/sys/class/dmi/id/{k}") or "").strip() for k in _DMI}
    text = " ".join(v for v in fields.values() if v)
    if not text:
        return []
    said = f"firmware says {text!r}"
    if "amazon ec2" in text.lower() and re.search(r"\.metal(-|$)", fields["product_name"]):
        return [Evidence("/sys/class/dmi/id", f"{said}: an EC2 bare-metal instance", "none", rule="dmi-metal")]
    for value in (*fields.values(), text):
        for pattern, name in pr.DMI_HYPERVISORS:
            if value and re.search(pattern, value, re.I):
                return [evidence("dmi-vendor", said, name, source="/sys/class/dmi/id")]
    return [Evidence("/sys/class/dmi/id", said, "none", rule="dmi-vendor")]


def _firmware(r: Reader) -> list[Evidence]:
    ev = []
    kind = (r.text("/sys/hypervisor/type") or "").strip()
    if kind or r.exists("/proc/xen"):
        name = "Xen" if kind in ("", "xen") else kind
        said = f"/sys/hypervisor/type says {kind!r}" if kind else "/proc/xen exists"
        ev.append(evidence("xen", said, name, source="/sys/hypervisor"))
    head = r.head(_DSDT, 36)
    if head is not None and len(head) >= 16:
        oem = head[10:16].strip()
        if oem.upper() in pr.ACPI_OEMS:
            ev.append(
                evidence("acpi-oem", f"the ACPI tables were made by {oem!r}", pr.ACPI_OEMS[oem.upper()], source=_DSDT)
            )
        elif oem:
            ev.append(Evidence(_DSDT, f"the ACPI tables were made by {oem!r}: no VMM's name", "none", rule="acpi-oem"))
    base = "/sys/devices/system/clocksource/clocksource0/"
    offered = (r.text(base + "available_clocksource") or "").split()
    current = (r.text(base + "current_clocksource") or "").strip()
    paravirt = [c for c in dict.fromkeys([current, *offered]) if c in pr.CLOCKSOURCES]
    if paravirt:
        c = paravirt[0]
        ev.append(
            evidence(
                "paravirt-clock",
                f"the kernel offers the {c!r} clock (current: {current or '?'})",
                pr.CLOCKSOURCES[c],
                source="clocksource",
            )
        )
    return ev


def _kernel(r: Reader) -> list[Evidence]:
    release = (r.text("/proc/sys/kernel/osrelease") or "").strip()
    if not release:
        words = (r.text("/proc/version") or "").split()
        release = words[2] if len(words) > 2 else ""
    ev, where = [], "/proc/sys/kernel/osrelease"
    if "WSL2" in release:
        ev.append(evidence("wsl2-kernel", f"a WSL 2 kernel ({release})", "Hyper-V (WSL 2)", source=where))
    elif "microsoft-standard" in release:
        ev.append(
            Evidence(
                where,
                f"{release}: an older WSL 2 kernel's name (or another Microsoft build)",
                "vm",
                "weak",
                "Hyper-V (WSL 2)",
                "wsl2-kernel",
            )
        )
    elif "Microsoft" in release:
        ev.append(
            Evidence(where, f"{release}: WSL 1, where Windows answers the system calls", "none", rule="wsl2-kernel")
        )
    if "linuxkit" in release:
        ev.append(
            evidence("linuxkit-kernel", f"a LinuxKit kernel ({release})", "Docker Desktop's LinuxKit VM", source=where)
        )
    devices = r.listdir("/sys/bus/pci/devices")
    virtio = [d for d in devices if (r.text(f"/sys/bus/pci/devices/{d}/vendor") or "").strip() == "0x1af4"]
    if virtio:
        ev.append(
            evidence(
                "virtio-pci", f"{len(virtio)} of {len(devices)} PCI devices are virtio devices", source="/sys/bus/pci"
            )
        )
    cmdline = r.text("/proc/cmdline") or ""
    if re.search("firecracker", cmdline, re.I):
        ev.append(evidence("virtio-mmio", "the kernel command line mentions Firecracker", "Firecracker"))
    elif "virtio_mmio.device=" in cmdline:
        ev.append(evidence("virtio-mmio", "virtio-mmio devices on the kernel command line", "a micro-VM"))
    return ev


def _mounts(r: Reader) -> list[Evidence]:
    table = mounts(r.text("/proc/self/mountinfo"))
    if not table:
        return []
    ev = []
    root = [m for m in table if m["target"] == "/"]
    if root:
        m = root[-1]
        if m["fstype"] == "overlay":
            engine = _first(pr.STORAGE_ENGINES, m["options"])
            if engine:
                ev.append(
                    evidence("overlay-root-engine", f"/ is an overlay of {engine}'s image layers", engine, source=_MI)
                )
            else:
                ev.append(
                    evidence("overlay-root", "/ is an overlay file system; its layers name no engine", source=_MI)
                )
        else:
            ev.append(
                Evidence(
                    "/proc/self/mountinfo",
                    f"/ is on {m['fstype']} ({m['source']}), not an overlay",
                    "none",
                    rule="overlay-root",
                )
            )
    for m in table:
        if m["target"] in BIND_TARGETS:
            engine = next((name for pattern, name in _BINDS if pattern.search(m["root"])), "")
            if engine:
                ev.append(evidence("engine-mounts", f"{m['target']} is mounted from {m['root']}", engine))
                break
    if any(m["target"] in ACCOUNT for m in table) or any(r.exists(a + "/token") for a in ACCOUNT):
        ev.append(
            evidence(
                "kubernetes",
                "a Kubernetes service-account token is mounted",
                "Kubernetes",
                source="/proc/self/mountinfo",
            )
        )
    lxcfs = [m["target"] for m in table if m["fstype"] == "fuse.lxcfs"]
    if lxcfs:
        ev.append(evidence("lxcfs", f"LXCFS is mounted over {', '.join(lxcfs[:3])}", "LXC", source=_MI))
    return ev


def _cgroups(r: Reader) -> list[Evidence]:
    own = r.text("/proc/self/cgroup")
    if own is None:
        return []
    paths = [line.split(":", 2)[-1] for line in own.splitlines() if line.count(":") >= 2]
    every = paths + [line.split(":", 2)[-1] for line in (r.text("/proc/1/cgroup") or "").splitlines() if ":" in line]
    for path in every:
        engine = _first(pr.CGROUP_ENGINES, path)
        if engine:
            return [evidence("cgroup-path", f"we live in cgroup {path!r}", engine, source="/proc/self/cgroup")]
    if r.exists("/sys/fs/cgroup/cgroup.controllers"):  # cgroup v2 mounted at /sys/fs/cgroup
        nested = r.exists("/sys/fs/cgroup/cgroup.type")
    else:
        v1 = next((d for d in _V1 if r.exists(f"/sys/fs/cgroup/{d}")), None)
        if v1 is None:
            return []
        nested = not r.exists(f"/sys/fs/cgroup/{v1}/release_agent")
    own_path = paths[-1] if paths else "?"
    if nested:
        return [
            evidence(
                "cgroup-namespace",
                f"our cgroup reads {own_path!r}, but the cgroup mounted at /sys/fs/cgroup is "
                "not the root one: a cgroup namespace",
                source="/proc/self/cgroup",
            )
        ]
    return [
        Evidence("/proc/self/cgroup", f"we live in {own_path!r} of the real cgroup tree", "none", rule="cgroup-root")
    ]


def _markers(r: Reader, environ: Mapping[str, str]) -> list[Evidence]:
    ev = []
    if r.exists("/.dockerenv"):
        ev.append(evidence("dockerenv", "Docker's marker file exists (it can also be left over in an image)", "Docker"))
    if r.exists("/run/.containerenv"):
        body = r.text("/run/.containerenv") or ""
        engine = re.search(r'engine="([a-z-]+?)-', body)
        rootless = " (rootless)" if "rootless=1" in body else ""
        ev.append(
            evidence(
                "containerenv",
                f"Podman's marker file exists{rootless}",
                engine.group(1).title() if engine else "Podman",
            )
        )
    said = (
        [("environment", f"$container={environ['container']!r}", environ["container"])]
        if environ.get("container")
        else []
    )
    for where in ("/run/systemd/container", "/run/host/container-manager"):
        value = (r.text(where) or "").strip()
        if value:
            said.append((where, f"it says {value!r}", value))
    pid1 = r.text("/proc/1/environ") or ""
    found = [v.split("=", 1)[1] for v in pid1.split("\0") if v.startswith("container=")]
    if found:
        said.append(("/proc/1/environ", f"PID 1's environment has container={found[0]!r}", found[0]))
    if said:
        where, finding, value = said[0]
        ev.append(evidence("container-variable", finding, pr.CONTAINER_NAMES.get(value, value), source=where))
    if environ.get("KUBERNETES_SERVICE_HOST"):
        ev.append(evidence("kubernetes", "$KUBERNETES_SERVICE_HOST is set", "Kubernetes", source="environment"))
    return ev


def _process(r: Reader) -> list[Evidence]:
    ev = []
    comm = (r.text("/proc/1/comm") or "").strip()
    if comm in pr.CONTAINER_INITS:
        name = {"docker-init": "Docker", "catatonit": "Podman", "pause": "Kubernetes"}.get(comm, "")
        ev.append(evidence("container-init", f"PID 1 is {comm!r}, a small init engines start", name))
    elif comm in pr.INIT_SYSTEMS:
        ev.append(Evidence("/proc/1/comm", f"PID 1 is {comm!r}, an init system", "none", "weak", rule="container-init"))
    uid_map = (r.text("/proc/self/uid_map") or "").split()
    if len(uid_map) >= 3 and uid_map[:3] != ["0", "0", "4294967295"]:
        ev.append(evidence("user-namespace", f"uid {uid_map[0]} here is uid {uid_map[1]} outside (a user namespace)"))
    return ev


def _linux_evidence(r: Reader, environ: Mapping[str, str]) -> list[Evidence]:
    found: list[Evidence] = []
    for step in (_cpu, _dmi, _firmware, _kernel, _mounts, _cgroups, _process):
        found += step(r)
    return found + _markers(r, environ)


def _run(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=3, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _macos_evidence() -> list[Evidence]:
    out = _run(["sysctl", "-n", "kern.hv_vmm_present"])
    if out == "1":
        return [Evidence("sysctl kern.hv_vmm_present", "1: macOS runs under a hypervisor", "vm")]
    if out == "0":
        return [Evidence("sysctl kern.hv_vmm_present", "0: no hypervisor below macOS", "none")]
    return []


def _windows_evidence() -> list[Evidence]:
    try:
        import winreg  # type: ignore[import-not-found]

        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"HARDWARE\DESCRIPTION\System\BIOS")
        text = f"{winreg.QueryValueEx(key, 'SystemManufacturer')[0]} {winreg.QueryValueEx(key, 'SystemProductName')[0]}"
    except (ImportError, OSError):
        return []
    for pattern, name in pr.DMI_HYPERVISORS:
        if re.search(pattern, text, re.I):
            return [evidence("dmi-vendor", f"firmware says {text!r}", name, source="registry BIOS keys")]
    return [Evidence("registry BIOS keys", f"firmware says {text!r}", "none", rule="dmi-vendor")]


_OTHER: dict[str, Callable[[], list[Evidence]]] = {"Darwin": _macos_evidence, "Windows": _windows_evidence}


def gather_evidence(
    root: str | os.PathLike[str] = "/",
    environ: Mapping[str, str] | None = None,
    system: str | None = None,
    *,
    reader: Reader | None = None,
) -> list[Evidence]:
    """Collect the evidence for :func:`where_am_i` (never raises)."""
    system = system or platform.system()
    environ = os.environ if environ is None else environ
    if system == "Linux":
        return _linux_evidence(reader or Tree(Path(root)), environ)
    found = _OTHER.get(system, list)()
    if environ.get("KUBERNETES_SERVICE_HOST"):
        found.append(evidence("kubernetes", "$KUBERNETES_SERVICE_HOST is set", "Kubernetes", source="environment"))
    return found


def where_am_i(
    root: str | os.PathLike[str] = "/",
    environ: Mapping[str, str] | None = None,
    system: str | None = None,
    *,
    recording: Mapping[str, Any] | None = None,
) -> Environment:
    """Detect bare metal, VM, container or container-in-VM from this system (or a recording of one).

    Parameters
    ----------
    root:
        Filesystem root to read ``/proc`` and ``/sys`` under (tests pass a fake tree).
    environ:
        Environment variables (default ``os.environ``).
    system:
        ``platform.system()`` value to assume (default: this system's).
    recording:
        A recorded machine (:func:`record`); then nothing of this system is read.
    """
    if recording is not None:
        reader = Recorded(recording)
        return classify(gather_evidence(environ=reader.environ, system="Linux", reader=reader), os_name="Linux")
    system = system or platform.system()
    return classify(gather_evidence(root, environ, system), os_name=system)


def record(root: str | os.PathLike[str] = "/", environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What :func:`where_am_i` reads on this Linux system, cut down by :data:`FILTERS` to what the rules use:
    the mounts of /, /etc/hostname, /etc/hosts, /etc/resolv.conf, the service account and LXCFS; the kernel
    parameters that name Firecracker or virtio-mmio; ``container=`` of PID 1's environment; PID 1's name if
    it is an init; the CPU flags; and of the environment only :data:`VARIABLES`."""
    environ = os.environ if environ is None else environ
    tree = Tree(Path(root), keep=True, filters=FILTERS)
    _linux_evidence(tree, environ)
    return {**tree.kept(), "environ": {k: environ[k] for k in VARIABLES if environ.get(k)}}


def recorded_machine() -> tuple[Environment, str]:
    """The course's build machine as recorded (lesson 00's fallback) and the label that says so."""
    return where_am_i(recording=RECORDING.load()), RECORDING.label
