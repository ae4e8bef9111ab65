""" "Where am I running?": the rules that weigh evidence into a verdict, and the evidence type.

Pure: :func:`classify` takes a list of :class:`Evidence` (gathered by :mod:`widgets.labs.probe`, or made up by a
test or an exercise) and returns an :class:`Environment`: bare metal, VM, container or a container in a VM.
What each kind of evidence means, how strong it is and where that is documented: :mod:`.proberules`.

The weighing: strong container evidence means a container; strong VM evidence means a VM; both mean a
container inside a VM. Weak evidence alone never decides: it adds a note that names it. Evidence that
points nowhere (read, but no trace found) makes the verdict bare metal, with the caveat that some hypervisors
hide; no evidence at all is "unknown".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .proberules import (
    ACPI_OEMS,
    CGROUP_ENGINES,
    CLOCKSOURCES,
    DMI_HYPERVISORS,
    KVM_BASED,
    POINTS,
    RULES,
    STORAGE_ENGINES,
    STRENGTHS,
    rule,
    rules_html,
)

__all__ = [
    "ACPI_OEMS",
    "CGROUP_ENGINES",
    "CLOCKSOURCES",
    "DMI_HYPERVISORS",
    "KINDS",
    "KIND_LABELS",
    "RULES",
    "STORAGE_ENGINES",
    "Environment",
    "Evidence",
    "classify",
    "evidence",
    "rules_html",
]

KINDS = ("bare-metal", "vm", "container", "container-in-vm", "unknown")


KIND_LABELS = {
    "bare-metal": "bare metal (no hypervisor or container found)",
    "vm": "a virtual machine",
    "container": "a container",
    "container-in-vm": "a container inside a virtual machine",
    "unknown": "unknown (this system hides the evidence)",
}


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
        ``"strong"`` (decides alone) or ``"weak"`` (a hint: only adds a note).
    name:
        The hypervisor or engine this evidence names, if any.
    rule:
        The id of the rule in :data:`RULES` it follows ("" for evidence made by hand).
    """

    source: str
    finding: str
    points_to: str
    strength: str = "strong"
    name: str = ""
    rule: str = ""

    def __post_init__(self) -> None:
        if self.points_to not in POINTS or self.strength not in STRENGTHS:
            raise ValueError(
                f"evidence points to one of {', '.join(POINTS)} with a strength of {' or '.join(STRENGTHS)}, "
                f"got {self.points_to!r} / {self.strength!r}"
            )

    @property
    def cite(self) -> str:
        """The source of the rule this evidence follows ("" if none)."""
        return rule(self.rule).cite if self.rule else ""


def evidence(rule_id: str, finding: str, name: str = "", *, source: str = "") -> Evidence:
    """Evidence following rule ``rule_id``: its place, direction and strength come from the rule."""
    r = rule(rule_id)
    return Evidence(source or r.where, finding, r.points_to, r.strength, name, r.id)


@dataclass(frozen=True)
class Environment:
    """The verdict of :func:`classify` and the evidence behind it."""

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


def _names(items: Sequence[Evidence]) -> list[str]:
    return list(dict.fromkeys(e.name for e in items if e.name))


def _family(names: Sequence[str]) -> list[str]:
    """Names deduplicated by their first word, keeping the most specific: "Hyper-V (WSL 2)" over "Hyper-V"."""
    best: dict[str, str] = {}
    for n in names:
        key = n.split()[0].lower()
        if len(n) > len(best.get(key, "")):
            best[key] = n
    return list(best.values())


def hypervisor_name(names: Sequence[str]) -> str:
    """One name for the hypervisor: ``["KVM", "Firecracker"]`` reads "Firecracker (KVM)"."""
    names = _family(names)
    if "KVM" in names and len(names) > 1:
        built = [n for n in names if n != "KVM" and any(n.startswith(k) for k in KVM_BASED)]
        if built and len(built) == len(names) - 1:
            return " / ".join(n if "KVM" in n else f"{n} (KVM)" for n in built)
    return " / ".join(names)


def engine_name(names: Sequence[str]) -> str:
    """One name for the engine: ``["containerd", "Kubernetes"]`` reads "Kubernetes (containerd)".

    Podman's storage and per-container files are shared with CRI-O: under Kubernetes they mean CRI-O.
    """
    names = _family(names)
    if "Kubernetes" in names and len(names) > 1:
        runtimes = dict.fromkeys("CRI-O" if n == "Podman" else n for n in names if n != "Kubernetes")
        return f"Kubernetes ({' / '.join(runtimes)})"
    return " / ".join(names)


def classify(evidence: Sequence[Evidence], os_name: str = "") -> Environment:
    """Weigh evidence into a verdict (the rules are in the module docstring)."""
    strong = {p: [e for e in evidence if e.points_to == p and e.strength == "strong"] for p in ("vm", "container")}
    weak = {p: [e for e in evidence if e.points_to == p and e.strength == "weak"] for p in ("vm", "container")}
    is_vm, is_ct = bool(strong["vm"]), bool(strong["container"])
    hypervisor = hypervisor_name(_names(strong["vm"] + weak["vm"])) if is_vm else ""
    engine = engine_name(_names(strong["container"] + weak["container"])) if is_ct else ""
    caveats: list[str] = []
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
        hints = ", ".join(dict.fromkeys(e.source for e in weak["container"]))
        caveats.append(
            f"A container hint is present ({hints}), but no engine evidence (an overlay root of an engine's "
            "layers, engine mounts, a cgroup namespace, $container): the file system probably came from a "
            "container image."
        )
    if weak["vm"] and not is_vm:
        hints = ", ".join(dict.fromkeys(e.source for e in weak["vm"]))
        caveats.append(f"A VM hint is present ({hints}), but nothing strong confirms a hypervisor.")
    if is_vm and not hypervisor:
        caveats.append("The CPU says 'hypervisor' but nothing names it.")
    head = KIND_LABELS[kind]
    if hypervisor:
        head += f"; hypervisor: {hypervisor}"
    if engine:
        head += f"; engine: {engine}"
    return Environment(kind, head, hypervisor, engine, os_name, tuple(evidence), tuple(caveats))


def rules_for(kind: str) -> tuple[str, ...]:
    """The rule ids that point to ``kind`` ("vm", "container" or "none")."""
    return tuple(r.id for r in RULES if r.points_to == kind)
