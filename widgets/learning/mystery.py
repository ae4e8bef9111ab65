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
from ..models.probe import KINDS, Environment, Evidence, classify
from .checks import Feedback, check_choice

_VM = [
    Evidence("/proc/cpuinfo", "the CPU reports the 'hypervisor' flag", "vm"),
    Evidence("/sys/class/dmi/id", "firmware says 'QEMU Standard PC (Q35 + ICH9, 2009)'", "vm", name="QEMU/KVM"),
    Evidence("/sys/class/dmi/id", "firmware says 'VMware, Inc. VMware Virtual Platform'", "vm", name="VMware"),
    Evidence("/sys/class/dmi/id", "firmware says 'innotek GmbH VirtualBox'", "vm", name="VirtualBox"),
    Evidence("/sys/class/dmi/id", "firmware says 'Microsoft Corporation Virtual Machine'", "vm", name="Hyper-V"),
    Evidence("/sys/class/dmi/id", "firmware says 'Amazon EC2 m5.large'", "vm", name="AWS Nitro (KVM-based)"),
    Evidence("clocksource", "the kernel keeps time with 'kvm-clock'", "vm", name="KVM"),
]


_CONTAINER = [
    Evidence("/proc/1/cgroup", "PID 1 lives in cgroup '/docker/3f2a9c…'", "container", name="Docker"),
    Evidence("/proc/1/cgroup", "PID 1 lives in cgroup '/kubepods/burstable/pod7d…'", "container", name="Kubernetes"),
    Evidence("$container", "container='podman' (set by the engine)", "container", name="podman"),
    Evidence("$KUBERNETES_SERVICE_HOST", "set: this is a Kubernetes pod", "container", name="Kubernetes"),
    Evidence("/proc/1/sched", "our PID 1 (python3) is PID 48213 on the host: a PID namespace", "container"),
]


_NONE = [
    Evidence("/proc/cpuinfo", "no 'hypervisor' CPU flag", "none"),
    Evidence("/sys/class/dmi/id", "firmware says 'Dell Inc. PowerEdge R750'", "none"),
    Evidence("/sys/class/dmi/id", "firmware says 'LENOVO ThinkPad T14 Gen 3'", "none"),
    Evidence("/proc/1/cgroup", "PID 1 is at the root of the cgroup tree", "none"),
]


_DECOY = Evidence(
    "/.dockerenv", "Docker's marker file exists (it can also be left over in an image)", "container", "weak", "Docker"
)


_WHY_WRONG = {
    "bare-metal": "Bare metal means no evidence of a hypervisor or a container: look for the "
    "'hypervisor' flag, firmware names such as QEMU/VMware, and container cgroups.",
    "vm": "A VM shows hypervisor evidence (CPU flag, firmware name, kvm-clock). Does this machine "
    "also show strong container evidence (a container cgroup, a PID namespace, an engine's variable)?",
    "container": "A container shows strong container evidence; but is there also evidence of a "
    "hypervisor below it, or no container evidence at all?",
    "container-in-vm": "That needs both: strong container evidence and hypervisor evidence. "
    "Is one of them missing (a marker file alone is only a weak hint)?",
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
        ev.append(_DECOY)
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
