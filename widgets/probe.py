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
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("bare-metal", "vm", "container", "container-in-vm", "unknown")

KIND_LABELS = {
    "bare-metal": "bare metal (no hypervisor or container found)",
    "vm": "a virtual machine",
    "container": "a container",
    "container-in-vm": "a container inside a virtual machine",
    "unknown": "unknown (this system hides the evidence)",
}

# Firmware (DMI/SMBIOS) vendor or product strings -> hypervisor.
_DMI_HYPERVISORS = [
    (r"qemu", "QEMU/KVM"),
    (r"\bkvm\b", "KVM"),
    (r"vmware", "VMware"),
    (r"virtualbox|innotek", "VirtualBox"),
    (r"microsoft corporation.*virtual machine|virtual machine.*microsoft", "Hyper-V"),
    (r"\bxen\b|hvm domu", "Xen"),
    (r"amazon ec2", "AWS Nitro (KVM-based)"),
    (r"google compute engine", "Google Compute Engine (KVM-based)"),
    (r"parallels", "Parallels"),
    (r"bhyve", "bhyve"),
    (r"openstack", "OpenStack (usually KVM)"),
    (r"cloud hypervisor", "Cloud Hypervisor"),
]

_CGROUP_ENGINES = [
    ("kubepods", "Kubernetes"),
    ("docker", "Docker"),
    ("libpod", "Podman"),
    ("crio", "CRI-O"),
    ("containerd", "containerd"),
    ("lxc", "LXC"),
    ("garden", "Cloud Foundry Garden"),
]

_CLOCKSOURCES = {"kvm-clock": "KVM", "hyperv_clocksource_tsc_page": "Hyper-V", "xen": "Xen"}


@dataclass(frozen=True)
class Evidence:
    """One observation and what it points to.

    Attributes
    ----------
    source:
        Where it was read (a path, a variable, a command).
    finding:
        What was found, in plain words.
    points_to:
        ``"vm"``, ``"container"`` or ``"none"`` (read, but points to neither).
    strength:
        ``"strong"`` (hard to fake by accident) or ``"weak"`` (a hint).
    name:
        The hypervisor or engine this evidence names, if any.
    """

    source: str
    finding: str
    points_to: str
    strength: str = "strong"
    name: str = ""


@dataclass(frozen=True)
class Environment:
    """The verdict of :func:`where_am_i` and the evidence behind it."""

    kind: str
    headline: str
    hypervisor: str = ""
    engine: str = ""
    os_name: str = ""
    evidence: tuple[Evidence, ...] = ()
    caveats: tuple[str, ...] = ()

    def report(self) -> str:
        """A plain-text report: the verdict, then one line per piece of evidence."""
        lines = [f"Verdict: {self.headline}"]
        for ev in self.evidence:
            mark = {"vm": "VM", "container": "container", "none": "-"}[ev.points_to]
            lines.append(f"  [{mark:>9} {ev.strength:>6}] {ev.source}: {ev.finding}")
        lines += [f"  Note: {c}" for c in self.caveats]
        return "\n".join(lines)


def _read(root: Path, rel: str, limit: int = 65536) -> str | None:
    try:
        with open(root / rel.lstrip("/"), encoding="utf-8", errors="replace") as fh:
            return fh.read(limit)
    except (OSError, ValueError):
        return None


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
    dmi = [
        _read(root, f"/sys/class/dmi/id/{k}")
        for k in ("sys_vendor", "product_name", "bios_vendor", "board_vendor")
    ]
    dmi_text = " ".join(x.strip() for x in dmi if x)
    if dmi_text:
        for pattern, name in _DMI_HYPERVISORS:
            if re.search(pattern, dmi_text, re.I):
                ev.append(Evidence("/sys/class/dmi/id", f"firmware says {dmi_text!r}", "vm", name=name))
                break
        else:
            ev.append(Evidence("/sys/class/dmi/id", f"firmware says {dmi_text!r}", "none"))
    hv_type = _read(root, "/sys/hypervisor/type")
    if hv_type and hv_type.strip():
        ev.append(Evidence("/sys/hypervisor/type", f"{hv_type.strip()!r}", "vm", name=hv_type.strip().title()))
    clock = _read(root, "/sys/devices/system/clocksource/clocksource0/current_clocksource")
    if clock and clock.strip() in _CLOCKSOURCES:
        name = _CLOCKSOURCES[clock.strip()]
        ev.append(Evidence("clocksource", f"the kernel keeps time with {clock.strip()!r}", "vm", name=name))
    version = _read(root, "/proc/version") or ""
    if re.search(r"microsoft|wsl", version, re.I):
        ev.append(Evidence("/proc/version", "a WSL2 kernel (a Hyper-V lightweight VM)", "vm",
                           name="Hyper-V (WSL2)"))
    cmdline = _read(root, "/proc/cmdline") or ""
    if re.search(r"firecracker", cmdline, re.I):
        ev.append(Evidence("/proc/cmdline", "the kernel command line mentions Firecracker", "vm", "weak",
                           "Firecracker"))
    elif "virtio_mmio.device=" in cmdline:
        ev.append(Evidence("/proc/cmdline", "virtio-mmio devices on the kernel command line (a micro-VM)", "vm",
                           "weak", "a micro-VM (Firecracker-style)"))
    # Containers
    cgroup = _read(root, "/proc/1/cgroup")
    if cgroup is not None:
        paths = [line.split(":", 2)[-1] for line in cgroup.splitlines() if line.count(":") >= 2]
        hits = [(label, p) for p in paths for key, label in _CGROUP_ENGINES if key in p]
        if hits:
            label, path = hits[0]
            ev.append(Evidence("/proc/1/cgroup", f"PID 1 lives in cgroup {path!r}", "container", name=label))
        elif paths and all(p in ("/", "/init.scope") for p in paths):
            ev.append(Evidence("/proc/1/cgroup", "PID 1 is at the root of the cgroup tree", "none"))
    sched = _read(root, "/proc/1/sched", 256)
    if sched:
        m = re.match(r"\s*(\S.*?)\s+\((\d+),", sched)
        if m and m.group(2) != "1":
            ev.append(Evidence("/proc/1/sched",
                               f"our PID 1 ({m.group(1)}) is PID {m.group(2)} on the host: a PID namespace",
                               "container"))
    if _exists(root, "/.dockerenv"):
        ev.append(Evidence("/.dockerenv", "Docker's marker file exists (it can also be left over in an image)",
                           "container", "weak", "Docker"))
    if _exists(root, "/run/.containerenv"):
        ev.append(Evidence("/run/.containerenv", "Podman's marker file exists", "container", name="Podman"))
    return ev


def _env_evidence(environ: Mapping[str, str]) -> list[Evidence]:
    ev = []
    if environ.get("container"):
        ev.append(Evidence("$container", f"container={environ['container']!r} (set by the engine)", "container",
                           name=environ["container"]))
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
    for pattern, name in _DMI_HYPERVISORS:
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


def classify(evidence: Sequence[Evidence], os_name: str = "") -> Environment:
    """Weigh evidence into a verdict.

    Rules: strong container evidence means a container; any strong VM
    evidence means a VM (and both: a container inside a VM); weak evidence
    alone only adds a caveat. With no evidence at all the answer is
    ``"unknown"``; with evidence that points nowhere it is bare metal.
    """
    strong = {p: [e for e in evidence if e.points_to == p and e.strength == "strong"] for p in ("vm", "container")}
    weak = {p: [e for e in evidence if e.points_to == p and e.strength == "weak"] for p in ("vm", "container")}
    vm_names = [e.name for e in strong["vm"] + weak["vm"] if e.name]
    engines = [e.name for e in strong["container"] + weak["container"] if e.name]
    hypervisor = vm_names[0] if vm_names else ""
    if len(vm_names) > 1 and any(n != hypervisor for n in vm_names):
        hypervisor = " / ".join(dict.fromkeys(vm_names))
    engine = engines[0] if engines else ""
    caveats: list[str] = []
    is_vm = bool(strong["vm"]) or (bool(weak["vm"]) and not strong["container"])
    is_ct = bool(strong["container"])
    if is_ct and is_vm:
        kind = "container-in-vm"
    elif is_ct:
        kind = "container"
    elif is_vm:
        kind = "vm"
    elif evidence:
        kind = "bare-metal"
        caveats.append("Some hypervisors hide themselves, so 'no evidence' is not proof of bare metal.")
    else:
        kind = "unknown"
        caveats.append("Nothing could be read on this system (no /proc, /sys or firmware strings).")
    if weak["container"] and not is_ct:
        caveats.append(
            "A container marker file is present, but no running engine was detected (PID 1 is not in "
            "a container cgroup): the file system probably came from a container image."
        )
    if kind in ("vm", "container-in-vm") and not hypervisor:
        caveats.append("The CPU says 'hypervisor' but the firmware does not name it.")
    head = KIND_LABELS[kind]
    if hypervisor and kind in ("vm", "container-in-vm"):
        head += f"; hypervisor: {hypervisor}"
    if engine and is_ct:
        head += f"; engine: {engine}"
    return Environment(kind, head, hypervisor, engine if is_ct else "", os_name, tuple(evidence), tuple(caveats))


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


# -- live-lab capabilities ------------------------------------------------------


@dataclass(frozen=True)
class Capability:
    """Whether one live-lab capability is usable here, and why (not)."""

    name: str
    available: bool
    detail: str
    how_to_enable: str = ""
    used_by: tuple[str, ...] = field(default_factory=tuple)


_USERNS_TEST = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER = 0x10000000
if libc.unshare(CLONE_NEWUSER) != 0:
    print(os.strerror(ctypes.get_errno())); sys.exit(1)
print("ok")
"""


def _userns(root: Path, system: str) -> Capability:
    used = ("02 container from scratch", "05 privileges in a user namespace", "07 startup")
    if system != "Linux":
        return Capability(
            "user namespaces", False, f"namespaces are a Linux kernel feature; this is {system}",
            "the lessons show a recorded run instead; on Linux (or a Linux VM) the live lab works", used)
    max_ns = _read(root, "/proc/sys/user/max_user_namespaces")
    if max_ns is not None and max_ns.strip() == "0":
        return Capability("user namespaces", False, "user.max_user_namespaces is 0 on this kernel",
                          "an administrator can raise it: sysctl user.max_user_namespaces=15000", used)
    clone = _read(root, "/proc/sys/kernel/unprivileged_userns_clone")
    if clone is not None and clone.strip() == "0" and os.geteuid() != 0:
        return Capability("user namespaces", False, "kernel.unprivileged_userns_clone is 0 (Debian's switch)",
                          "an administrator can allow it: sysctl kernel.unprivileged_userns_clone=1", used)
    try:
        proc = subprocess.run([sys.executable, "-c", _USERNS_TEST], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return Capability("user namespaces", False, f"the test process failed: {exc}", "", used)
    if proc.returncode == 0:
        who = "as root" if os.geteuid() == 0 else "unprivileged"
        return Capability("user namespaces", True, f"a test process created a user namespace ({who})", "", used)
    why = proc.stdout.strip() or (proc.stderr.strip().splitlines() or ["no message"])[-1][-200:]
    restricted = _read(root, "/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
    how = ("Ubuntu 24.04+ restricts them through AppArmor (kernel.apparmor_restrict_unprivileged_userns=1); "
           "the lessons show a recorded run") if restricted and restricted.strip() == "1" else (
           "unprivileged user namespaces are disabled here (container sandboxes often block them); "
           "the lessons show a recorded run")
    return Capability("user namespaces", False, f"unshare(CLONE_NEWUSER) failed: {why}", how, used)


def _cgroups(root: Path, system: str) -> Capability:
    used = ("02 resource limits",)
    if system != "Linux":
        return Capability("cgroups", False, f"cgroups are a Linux kernel feature; this is {system}",
                          "the lessons explain limits with recorded output", used)
    from .cgrouplab import detect, writable  # the lab's own test: can it make a pids cgroup here?

    cap = writable(detect(str(root)))
    return Capability("cgroups", cap.available, cap.detail, cap.how_to_enable, used)


def _kvm() -> Capability:
    from .kvm import kvm_status

    status = kvm_status()
    return Capability("KVM", status.usable, status.reason, status.how_to_enable,
                      ("01 a hypervisor in Python", "07 startup of a KVM guest"))


def capabilities(root: str | os.PathLike[str] = "/", system: str | None = None) -> list[Capability]:
    """Probe every live-lab capability (KVM, user namespaces, cgroups). Never raises."""
    system = system or platform.system()
    root = Path(root)
    found = []
    for probe in (_kvm, lambda: _userns(root, system), lambda: _cgroups(root, system)):
        try:
            found.append(probe())
        except Exception as exc:  # noqa: BLE001 - a probe must never crash a lesson
            found.append(Capability(getattr(probe, "__name__", "probe"), False, f"probe failed: {exc}"))
    return found


LIVE_MODES = ("auto", "on", "off")


def use_live(live: str, capability: Capability) -> tuple[bool, str]:
    """Decide whether a lab runs live, and say why in one sentence.

    Parameters
    ----------
    live:
        The lesson's ``live`` parameter: ``"auto"`` (live if possible),
        ``"on"`` (ask for live; still falls back, with a warning, if the
        capability is missing) or ``"off"`` (always the fallback).
    capability:
        The capability the lab needs (from :func:`capabilities`).
    """
    if live not in LIVE_MODES:
        raise ValueError(f"live must be one of {', '.join(LIVE_MODES)}; got {live!r}")
    if live == "off":
        return False, "live='off': this lab shows its fallback, which teaches the same point."
    if capability.available:
        return True, f"Live on this machine: {capability.detail}."
    asked = "live='on' was asked for, but " if live == "on" else ""
    how = f" How to enable: {capability.how_to_enable}." if capability.how_to_enable else ""
    return False, f"{asked}{capability.name} is not usable here ({capability.detail}).{how} Showing the fallback."
