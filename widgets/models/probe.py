""" "Where am I running?": the rules that weigh evidence into a verdict, and the evidence type.

Pure: :func:`classify` takes a list of :class:`Evidence` (gathered by :mod:`widgets.labs.probe` or made up by a
test or an exercise) and returns an :class:`Environment`: bare metal, VM, container or a container in a VM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

KINDS = ("bare-metal", "vm", "container", "container-in-vm", "unknown")


KIND_LABELS = {
    "bare-metal": "bare metal (no hypervisor or container found)",
    "vm": "a virtual machine",
    "container": "a container",
    "container-in-vm": "a container inside a virtual machine",
    "unknown": "unknown (this system hides the evidence)",
}


# Firmware (DMI/SMBIOS) vendor or product strings -> hypervisor.
DMI_HYPERVISORS = [
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


CGROUP_ENGINES = [
    ("kubepods", "Kubernetes"),
    ("docker", "Docker"),
    ("libpod", "Podman"),
    ("crio", "CRI-O"),
    ("containerd", "containerd"),
    ("lxc", "LXC"),
    ("garden", "Cloud Foundry Garden"),
]


CLOCKSOURCES = {"kvm-clock": "KVM", "hyperv_clocksource_tsc_page": "Hyper-V", "xen": "Xen"}


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
