"""Predict, then verify: what will the probe say about this machine, and on what evidence? (lesson 00)

The learner predicts the verdict (:data:`VERDICTS`) and the kind of evidence that will decide it
(:data:`EVIDENCE`) *before* the probe runs; :func:`check_verdict` and :func:`check_evidence` compare the
predictions with the probe's :class:`~widgets.models.probe.Environment` (measured live, or the recorded
fallback: the lesson says which) and name the misconception a wrong prediction resembles.
"""

from __future__ import annotations

from ..models.probe import KIND_LABELS, Environment, Evidence
from .checks import Feedback
from .predict import Mistake, check_prediction

__all__ = ["EVIDENCE", "VERDICTS", "check_evidence", "check_verdict", "deciding", "evidence_kinds"]

VERDICTS = ("bare-metal", "vm", "container", "container-in-vm")
#: What can decide a verdict, in the learner's words (a marker file never does: it is weak evidence).
EVIDENCE = ("cpu flag", "firmware", "clock", "kernel name", "cgroup", "mounts", "variable", "marker file", "nothing")
#: Rule id (widgets.models.proberules) -> the kinds of evidence of EVIDENCE it belongs to.
RULE_KINDS = {
    "cpu-hypervisor-flag": ("cpu flag",),
    "dmi-vendor": ("firmware",),
    "xen": ("firmware",),
    "acpi-oem": ("firmware",),
    "paravirt-clock": ("clock",),
    "wsl2-kernel": ("kernel name",),
    "linuxkit-kernel": ("kernel name",),
    "container-variable": ("variable",),
    "containerenv": ("marker file",),
    "engine-mounts": ("mounts",),
    "overlay-root-engine": ("mounts",),
    "lxcfs": ("mounts",),
    "kubernetes": ("mounts", "variable"),
    "cgroup-path": ("cgroup",),
    "cgroup-namespace": ("cgroup",),
}
_VM_ORDER = ("cpu flag", "firmware", "clock", "kernel name")
_VM_KINDS = set(_VM_ORDER)

_VERDICT_MISTAKES = {  # (predicted, the probe's verdict) -> (why, the misconception)
    ("container", "vm"): (
        "A container shows strong traces of its engine (its cgroup, its mounts, its variables); here there are "
        "none, only hypervisor evidence",
        "believing that a marker file such as /.dockerenv, or a cloud machine, means a container",
    ),
    ("container-in-vm", "vm"): (
        "The hypervisor's traces are there, but no container engine left a strong trace",
        "believing that a marker file such as /.dockerenv proves a container",
    ),
    ("bare-metal", "vm"): (
        "A hypervisor announces itself to its guests (the CPU flag, firmware names, a paravirtual clock) so "
        "that they can cooperate with it",
        "thinking a virtual machine cannot be told from the physical machine it emulates",
    ),
    ("bare-metal", "container-in-vm"): (
        "Both layers left strong traces: a hypervisor below the kernel and a container engine around the process",
        "thinking a cloud server is a physical machine of your own",
    ),
    ("vm", "container-in-vm"): (
        "A container engine's traces are there too: the process runs in a container inside the VM",
        "thinking a container in a VM hides the container",
    ),
    ("container", "container-in-vm"): (
        "The hypervisor's traces are there too: the container's host kernel itself runs in a VM",
        "thinking cloud containers run directly on the hardware",
    ),
    ("vm", "container"): (
        "A container shares its host's kernel and sees the host's hardware: it shows hypervisor evidence only "
        "if the host is itself a VM, and this one shows none",
        "thinking a container is a small VM with its own kernel",
    ),
    ("container-in-vm", "container"): (
        "No hypervisor evidence: the container's host runs on bare metal (or hides its hypervisor)",
        "assuming every container runs inside a VM",
    ),
    ("bare-metal", "container"): (
        "The process is fenced in by namespaces and cgroups, and the engine's traces show it",
        "thinking a container leaves no trace because it has no hypervisor",
    ),
}
for _kind in ("vm", "container", "container-in-vm"):
    _VERDICT_MISTAKES[(_kind, "bare-metal")] = (
        "The probe found no strong evidence of a hypervisor or a container engine (some hypervisors hide, so "
        "this is not proof)",
        "assuming that every machine today is virtualised",
    )


def evidence_kinds(ev: Evidence) -> tuple[str, ...]:
    """The kinds of :data:`EVIDENCE` a piece of evidence belongs to (``("marker file",)`` for /.dockerenv)."""
    if ev.rule == "dockerenv":
        return ("marker file",)
    if ev.rule in RULE_KINDS:
        return RULE_KINDS[ev.rule]
    if ev.source.startswith("sysctl kern.hv_vmm_present"):  # macOS's own "running under a hypervisor" flag
        return ("cpu flag",)
    # evidence without a known rule (made by hand, or another OS): any kind in its direction counts
    return {"vm": _VM_ORDER, "container": ("cgroup", "mounts", "variable")}.get(ev.points_to, ())


def deciding(env: Environment) -> list[Evidence]:
    """The strong evidence that points somewhere: what decides the verdict."""
    return [e for e in env.evidence if e.strength == "strong" and e.points_to != "none"]


def _reasons(env: Environment) -> str:
    strong = deciding(env)
    text = "; ".join(f"{e.source}: {e.finding}" for e in strong) or "no strong evidence of a hypervisor or engine"
    weak = [e for e in env.evidence if e.strength == "weak" and e.points_to != "none"]
    if weak:
        text += ". Weak hints that decide nothing: " + "; ".join(f"{e.source}: {e.finding}" for e in weak)
    return f"The probe's verdict: {KIND_LABELS[env.kind]}. Deciding evidence: {text}."


def check_verdict(prediction: object, env: Environment) -> Feedback:
    """Compare a predicted verdict (one of :data:`VERDICTS`) with the probe's."""
    mistakes = [
        Mistake(why, value=predicted, like=like)
        for (predicted, truth), (why, like) in _VERDICT_MISTAKES.items()
        if truth == env.kind
    ]
    return check_prediction(
        "where am I: verdict", prediction, env.kind, options=VERDICTS, mistakes=mistakes, explanation=_reasons(env)
    )


def check_evidence(prediction: object, env: Environment) -> Feedback:
    """Compare the predicted kind of deciding evidence (one of :data:`EVIDENCE`) with the probe's.

    Any kind that decided counts as right (a VM often shows several); "nothing" is right only when nothing did.
    """
    found = list(dict.fromkeys(k for e in deciding(env) for k in evidence_kinds(e)))
    guess = prediction.strip().lower() if isinstance(prediction, str) else prediction
    outcome = guess if guess in found else (found[0] if found else "nothing")
    vm_found = [k for k in found if k in _VM_KINDS]
    ct_found = [k for k in found if k not in _VM_KINDS]
    mistakes = [
        Mistake(
            "No marker file decided here: /.dockerenv is weak evidence, because Docker creates it but it stays in "
            "any file system built from an image, whatever runs it later",
            value="marker file",
            like="believing that /.dockerenv proves a container",
        ),
        Mistake(
            f"Strong evidence was found: {', '.join(found)}",
            value="nothing",
            like="thinking a VM or a container cannot be told from the inside",
        ),
    ]
    if not vm_found:
        mistakes += [
            Mistake(
                "Nothing here shows a hypervisor below the kernel",
                test=lambda x, k=k: x == k,
                like="thinking a container is a small VM, with its own hardware",
            )
            for k in sorted(_VM_KINDS)
        ]
    else:
        mistakes += [
            Mistake(
                f"This hypervisor did not leave that trace; it left: {', '.join(vm_found)}",
                test=lambda x, k=k: x == k,
            )
            for k in sorted(_VM_KINDS - set(vm_found))
        ]
    if not ct_found:
        mistakes += [
            Mistake(
                "No container engine left a trace here: our cgroup is the real root of the tree (no cgroup "
                "namespace hides a container's), and no engine mounted files or an overlay root",
                test=lambda x, k=k: x == k,
                like="thinking every cloud or build machine is a container",
            )
            for k in ("cgroup", "mounts", "variable")
        ]
    return check_prediction(
        "where am I: evidence", prediction, outcome, options=EVIDENCE, mistakes=mistakes, explanation=_reasons(env)
    )
