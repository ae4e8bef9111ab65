"""Practice: classify a mystery machine from its evidence.

Each seed gives a new, synthetic set of evidence of the kind
:func:`widgets.labs.probe.where_am_i` collects; the learner says whether it is bare
metal, a VM, a container or a container inside a VM. The answer (and the
reasoning) for the same seed is available on demand, so practice is
unlimited. The evidence strings are realistic but synthetic: no real machine
is described.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..core import validate
from ..models.probe import KINDS, Environment, Evidence, classify, evidence
from .checks import Feedback, check_choice

_DMI, _CLOCK, _MOUNTS, _CG = "/sys/class/dmi/id", "clocksource", "/proc/self/mountinfo", "/proc/self/cgroup"

_VM = [
    evidence("cpu-hypervisor-flag", "the CPU reports the 'hypervisor' flag"),
    evidence("dmi-vendor", "firmware says 'QEMU Standard PC (Q35 + ICH9, 2009)'", "QEMU", source=_DMI),
    evidence("dmi-vendor", "firmware says 'VMware, Inc. VMware Virtual Platform'", "VMware", source=_DMI),
    evidence("dmi-vendor", "firmware says 'innotek GmbH VirtualBox'", "VirtualBox", source=_DMI),
    evidence("dmi-vendor", "firmware says 'Microsoft Corporation Virtual Machine'", "Hyper-V", source=_DMI),
    evidence("dmi-vendor", "firmware says 'Amazon EC2 m5.large'", "Amazon EC2 (Nitro, KVM-based)", source=_DMI),
    evidence("paravirt-clock", "the kernel offers the 'kvm-clock' clock (current: kvm-clock)", "KVM", source=_CLOCK),
]


_CONTAINER = [
    evidence("engine-mounts", "/etc/hostname is mounted from /var/lib/docker/containers/3f2a9c…/hostname", "Docker"),
    evidence("overlay-root-engine", "/ is an overlay of Docker's image layers", "Docker", source=_MOUNTS),
    evidence("cgroup-path", "we live in cgroup '/kubepods/burstable/pod7d…' (cgroup v1)", "Kubernetes", source=_CG),
    evidence("container-variable", "$container='podman'", "Podman", source="environment"),
    evidence("kubernetes", "$KUBERNETES_SERVICE_HOST is set", "Kubernetes", source="environment"),
    evidence(
        "cgroup-namespace",
        "our cgroup reads '/', but the cgroup mounted at /sys/fs/cgroup is not the root one: a cgroup namespace",
        source=_CG,
    ),
]


_NONE = [
    Evidence("/proc/cpuinfo", "no 'hypervisor' CPU flag", "none", rule="cpu-hypervisor-flag"),
    Evidence(_DMI, "firmware says 'Dell Inc. PowerEdge R750'", "none", rule="dmi-vendor"),
    Evidence(_DMI, "firmware says 'LENOVO ThinkPad T14 Gen 3'", "none", rule="dmi-vendor"),
    Evidence(
        _CG,
        "we live in '/user.slice/user-1000.slice/session-2.scope' of the real cgroup tree",
        "none",
        rule="cgroup-root",
    ),
]


#: Weak hints that decide nothing: a marker file left in an image, a live USB system's overlay root.
_DECOYS = [
    evidence("dockerenv", "Docker's marker file exists (it can also be left over in an image)", "Docker"),
    evidence("overlay-root", "/ is an overlay file system; its layers name no engine", source=_MOUNTS),
]


_WHY_WRONG = {
    "bare-metal": "Bare metal means no strong evidence of a hypervisor or a container: look for the "
    "'hypervisor' flag, firmware names such as QEMU/VMware, engine mounts, an engine's overlay root, a cgroup "
    "namespace or an engine's variable.",
    "vm": "A VM shows hypervisor evidence (CPU flag, firmware name, kvm-clock). Does this machine "
    "also show strong container evidence (engine mounts, an engine's layers, a cgroup namespace, an engine's "
    "variable)?",
    "container": "A container shows strong container evidence; but is there also evidence of a "
    "hypervisor below it, or no strong container evidence at all?",
    "container-in-vm": "That needs both: strong container evidence and hypervisor evidence. "
    "Is one of them missing (a marker file or a plain overlay root alone is only a weak hint)?",
}


@dataclass(frozen=True)
class Mystery:
    """A synthetic machine: its evidence and the verdict it leads to."""

    seed: int
    evidence: tuple[Evidence, ...]
    verdict: Environment

    def show(self) -> str:
        """The evidence as the learner sees it (no verdict)."""
        lines = [f"Mystery machine #{self.seed} (synthetic evidence):"]
        lines += [f"  - {e.source}: {e.finding}" for e in self.evidence]
        return "\n".join(lines)

    def answer(self) -> str:
        """The verdict and the reasoning, on demand."""
        return self.verdict.report()


def mystery_machine(seed: int) -> Mystery:
    """Generate the mystery machine for ``seed`` (same seed, same machine).

    Raises
    ------
    ValueError
        If ``seed`` is not a whole number from 0 to 10**9.
    """
    seed = validate.integer("seed", seed, minimum=0, maximum=10**9)
    rng = random.Random(seed)
    kind = rng.choice(KINDS[:4])
    ev: list[Evidence] = []
    if kind in ("vm", "container-in-vm"):
        ev.append(_VM[0])
        firmware = rng.choice([None, *_VM[1:6]])
        if firmware is not None:
            ev.append(firmware)
        kvm_based = firmware is None or "KVM" in firmware.name
        if kvm_based and rng.random() < 0.5:
            ev.append(_VM[6])
    else:
        ev += rng.sample(_NONE[:3], k=rng.randint(1, 2))
    if kind in ("container", "container-in-vm"):
        ev += rng.sample(_CONTAINER, k=rng.randint(1, 2))
    elif rng.random() < 0.5:
        ev.append(_NONE[3])
    if kind in ("bare-metal", "vm") and rng.random() < 0.4:
        ev.append(rng.choice(_DECOYS))
    rng.shuffle(ev)
    return Mystery(seed, tuple(ev), classify(ev))


def check_mystery(answer: object, seed: int) -> Feedback:
    """Check a learner's verdict for mystery machine ``seed``, with reasons."""
    m = mystery_machine(seed)
    expected = m.verdict.kind
    why = {k: v for k, v in _WHY_WRONG.items() if k != expected}
    deciding = [e for e in m.evidence if e.strength == "strong" and e.points_to != "none"]
    reason = "; ".join(f"{e.source}: {e.finding}" for e in deciding) or "no evidence of a hypervisor or container"
    return check_choice(answer, expected, why=why, explanation=f"The deciding evidence: {reason}.")
