"""Which live labs can this machine do? Each capability is probed without root and without changing anything.

:func:`capabilities` reports KVM, unprivileged user namespaces and cgroup limits, each as available or not,
with the reason and how to enable it; :func:`decide` is what every lab calls with the lesson's ``live``
parameter. Never raises: a probe that fails is a capability that is not there.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

from .base import CHILDREN, LIVE_MODES, Capability, read_text, use_live


def read_value(root: Path, rel: str) -> str | None:
    return read_text(root / rel.lstrip("/"))


def _userns(root: Path, system: str) -> Capability:
    used = ("02 container from scratch", "05 privileges in a user namespace", "07 startup")
    if system != "Linux":
        return Capability(
            "user namespaces",
            False,
            f"namespaces are a Linux kernel feature; this is {system}",
            "the lessons show a recorded run instead; on Linux (or a Linux VM) the live lab works",
            used,
        )
    max_ns = read_value(root, "/proc/sys/user/max_user_namespaces")
    if max_ns is not None and max_ns.strip() == "0":
        return Capability(
            "user namespaces",
            False,
            "user.max_user_namespaces is 0 on this kernel",
            "an administrator can raise it: sysctl user.max_user_namespaces=15000",
            used,
        )
    clone = read_value(root, "/proc/sys/kernel/unprivileged_userns_clone")
    if clone is not None and clone.strip() == "0" and os.geteuid() != 0:
        return Capability(
            "user namespaces",
            False,
            "kernel.unprivileged_userns_clone is 0 (Debian's switch)",
            "an administrator can allow it: sysctl kernel.unprivileged_userns_clone=1",
            used,
        )
    try:
        proc = subprocess.run(
            [sys.executable, str(CHILDREN / "userns_test.py")], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return Capability("user namespaces", False, f"the test process failed: {exc}", "", used)
    if proc.returncode == 0:
        who = "as root" if os.geteuid() == 0 else "unprivileged"
        return Capability("user namespaces", True, f"a test process created a user namespace ({who})", "", used)
    why = proc.stdout.strip() or (proc.stderr.strip().splitlines() or ["no message"])[-1][-200:]
    restricted = read_value(root, "/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
    how = (
        (
            "Ubuntu 24.04+ restricts them through AppArmor (kernel.apparmor_restrict_unprivileged_userns=1); "
            "the lessons show a recorded run"
        )
        if restricted and restricted.strip() == "1"
        else (
            "unprivileged user namespaces are disabled here (container sandboxes often block them); "
            "the lessons show a recorded run"
        )
    )
    return Capability("user namespaces", False, f"unshare(CLONE_NEWUSER) failed: {why}", how, used)


def _cgroups(root: Path, system: str) -> Capability:
    from .cgroups import capability  # the lab's own test: can it make a pids cgroup here?

    return capability(root, system)


def kvm_capability() -> Capability:
    """The KVM capability: can this user open ``/dev/kvm`` and get API version 12?"""
    from .kvm import kvm_status

    status = kvm_status()
    return Capability(
        "KVM",
        status.usable,
        status.reason,
        status.how_to_enable,
        ("01 a hypervisor in Python", "01 emulated vs ring I/O", "01 dirty-page logging", "07 startup of a KVM guest"),
    )


def capabilities(root: str | os.PathLike[str] = "/", system: str | None = None) -> list[Capability]:
    """Probe every live-lab capability (KVM, user namespaces, cgroups). Never raises."""
    system = system or platform.system()
    root = Path(root)
    found = []
    for probe in (kvm_capability, lambda: _userns(root, system), lambda: _cgroups(root, system)):
        try:
            found.append(probe())
        except Exception as exc:  # noqa: BLE001 - a probe must never crash a lesson
            found.append(Capability(getattr(probe, "__name__", "probe"), False, f"probe failed: {exc}"))
    return found


def decide(live: str, name: str) -> tuple[bool, str]:
    """Run the lab needing capability ``name`` live or not, and why (see :func:`widgets.labs.base.use_live`)."""
    from ..core import validate

    validate.choice("live", live, LIVE_MODES)
    found = [c for c in (capabilities() if live != "off" else []) if c.name == name]
    return use_live(live, found[0] if found else Capability(name, False, "not probed"))
