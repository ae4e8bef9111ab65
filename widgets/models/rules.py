"""The decision aid's questions, options and documented rules: what :func:`widgets.models.decision.decide` scores.

Each rule names the answer that fires it, the points it gives each option, its reason in plain words, the
lesson and calculator that show it, and what would change it; constraints exclude options outright.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The lessons the rules link to.
_04, _05, _06 = "04-cost-under-variable-load.ipynb", "05-security-isolation.ipynb", "06-drift-and-scanning.ipynb"
VM = "virtual machines"
CVM = "containers on VMs"
MANAGED = "managed container platform (e.g. ECS, GKE)"
CONTAINERS = "containers (self-managed)"
MICROVM = "micro-VMs / sandboxed runtimes (Firecracker, gVisor, Kata)"
#: The options, least disruptive first: this is also the tie-break order. VMs are what most estates run
#: already; containers on VMs add containers but keep the VM operations and boundary; a managed platform
#: adds containers without a platform to build; self-managed containers mean building and running that
#: platform yourselves; sandboxed runtimes are the newest and most specialised tooling.
OPTIONS: tuple[str, ...] = (VM, CVM, MANAGED, CONTAINERS, MICROVM)
#: Input name -> (the words a learner sees, the answers it takes).
QUESTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "application": ("application", ("legacy (monolith, fixed OS)", "mixed", "cloud-native (stateless services)")),
    "load_variability": ("load variability", ("steady", "daily/weekly swings", "spiky/unpredictable")),
    "team_experience": ("team experience with containers", ("none", "some", "strong")),
    "isolation": ("isolation", ("trusted single tenant", "internal multi-team", "untrusted tenants / customer code")),
    "platform_needs": (
        "platform needs",
        (
            "none",
            "specific kernel or kernel modules",
            "different OS (e.g. Windows on Linux host)",
            "hardware access (GPU, devices)",
        ),
    ),
    "operational_maturity": ("operational maturity", ("manual", "some automation", "CI/CD + infrastructure as code")),
    "horizon": ("horizon", ("months", "1–2 years", "3+ years")),
}


@dataclass(frozen=True)
class Rule:
    """One documented rule: when it fires, what it does, why, where it is taught, what would change it."""

    id: str
    when: tuple[tuple[str, tuple[str, ...]], ...]  # (input, answers it fires on), all must hold
    points: tuple[tuple[str, int], ...]
    reason: str
    lesson: str
    calculator: str
    changes: str
    excludes: tuple[str, ...] = ()
    evidence: tuple[tuple[str, str], ...] = ()  # (data set, row id) shown with its citation
    why_excluded: tuple[tuple[str, str], ...] = ()  # (excluded option, what exactly it rules out, and what not)

    def fires(self, answers: dict[str, str]) -> bool:
        """True if every condition in :attr:`when` holds for ``answers``."""
        return all(answers[name] in allowed for name, allowed in self.when)

    def condition(self) -> str:
        """The condition in words, e.g. ``isolation is 'untrusted tenants / customer code'``."""
        return " and ".join(
            f"{QUESTIONS[n][0]} is " + " or ".join(f"'{a}'" for a in allowed) for n, allowed in self.when
        )


#: Extra condition of the rules that favour containers for how they are run (team, load, pipelines, time):
#: they need something to put in containers, so they do not fire for a legacy monolith.
_NOT_LEGACY = {"application": (1, 2)}


def _r(
    id: str,
    input: str,
    i: int,
    points: dict[str, int],
    reason: str,
    lesson: str,
    calculator: str,
    changes: str,
    excludes: tuple[str, ...] = (),
    evidence: tuple[tuple[str, str], ...] = (),
    also: dict[str, tuple[int, ...]] | None = None,
    why_excluded: dict[str, str] | None = None,
) -> Rule:
    when = [(input, (QUESTIONS[input][1][i],))]
    when += [(n, tuple(QUESTIONS[n][1][j] for j in js)) for n, js in (also or {}).items()]
    why = tuple((why_excluded or {}).items())
    return Rule(id, tuple(when), tuple(points.items()), reason, lesson, calculator, changes, excludes, evidence, why)


_SHARED = (CONTAINERS, MANAGED)  # plain shared-kernel containers
#: The rules, in the order they are documented. Points: 3 = decisive on its own, 2 = a strong reason, 1 = a lean.
RULES: tuple[Rule, ...] = (
    _r(
        "legacy-stays-on-vms",
        "application",
        0,
        {VM: 3},
        "A monolith tied to its OS runs unchanged in a VM; rebuilding it for containers is a costly, risky project "
        "whose engineering cost usually outweighs the hosting saving (3: decisive on its own; lesson 04's TCO is "
        "illustrative, so put in your own numbers). The rules that reward containers for a strong team, swings "
        "or spikes, full pipelines or a long horizon need something to containerise, so they do not fire for it "
        "(a few rules still give the managed platform or containers on VMs a point).",
        _04,
        "TcoCalculator",
        "splitting the application into services, or a funded and de-risked rewrite",
    ),
    _r(
        "mixed-estate-both",
        "application",
        1,
        {CVM: 2, VM: 1},
        "A mixed estate puts each part where it fits: the new services as containers on the VMs it already runs, "
        "the legacy parts in plain VMs (2 to containers on VMs, 1 to VMs for the legacy part).",
        "01-virtual-machines.ipynb",
        "SizingCalculator",
        "retiring the legacy parts, or freezing the new ones",
    ),
    _r(
        "cloud-native-containers",
        "application",
        2,
        {CONTAINERS: 2, MANAGED: 2, CVM: 1, MICROVM: 1},
        "Stateless services are what containers were made for: one service per image, replicas replaced and "
        "added by the engine (2 to each container platform; 1 to containers on VMs and to sandboxed runtimes, "
        "which run the same images with an extra layer).",
        "02-container-engines.ipynb",
        "HealingCalculator",
        "state or OS ties that keep the services from moving",
    ),
    _r(
        "steady-load-fixed-fleet",
        "load_variability",
        0,
        {VM: 1},
        "A steady load is served well by a fixed, reserved fleet sized once; fast scaling has little to win "
        "(1: a lean, not a reason to move).",
        _04,
        "CostCalculator",
        "load that swings, so that paying for the peak all day costs more",
    ),
    _r(
        "swings-scale-in-steps",
        "load_variability",
        1,
        {CONTAINERS: 1, MANAGED: 1, CVM: 1},
        "Daily or weekly swings are predictable: VMs can follow them on a schedule, containers follow them in "
        "finer steps on shared hosts (1 each: a small edge).",
        _04,
        "LoadCalculator",
        "a steady load (no edge) or spikes (a larger one)",
        also=_NOT_LEGACY,
    ),
    _r(
        "spikes-need-seconds",
        "load_variability",
        2,
        {MANAGED: 2, CONTAINERS: 1, CVM: 1, MICROVM: 1},
        "Unpredictable spikes must be met faster than new VMs arrive: a managed serverless platform (Fargate) "
        "adds capacity in tens of seconds without hosts of yours (2); self-managed containers and micro-VMs "
        "start in seconds only on spare capacity you hold, because a node pool's autoscaler adds VMs as slowly "
        "as a VM fleet (1 each).",
        "02-container-engines.ipynb",
        "ScaleOutCalculator",
        "a load you can predict and provision ahead of",
        also=_NOT_LEGACY,
    ),
    _r(
        "no-experience-keep-vms",
        "team_experience",
        0,
        {VM: 2, MANAGED: 1},
        "A team without container experience runs VMs well today; training, hiring and the risk of a first "
        "migration cost more than hosting (2); if containers at all, let a provider run the platform (1).",
        _04,
        "TcoCalculator",
        "training the team, or hiring people who have done it",
    ),
    _r(
        "some-experience-managed",
        "team_experience",
        1,
        {MANAGED: 2, CVM: 1},
        "Some experience is enough to use containers but not to run an orchestrator: a managed platform "
        "keeps the control plane off the team's plate (2); containers on familiar VMs are a smaller step (1).",
        _04,
        "TcoCalculator",
        "the team growing strong (self-managed) or losing its experience (VMs)",
        also=_NOT_LEGACY,
    ),
    _r(
        "strong-team-self-manage",
        "team_experience",
        2,
        {CONTAINERS: 2, MANAGED: 1, CVM: 1, MICROVM: 1},
        "A strong team can run its own container platform and avoid a provider's fees and limits (2); it can "
        "equally use a managed one, containers on VMs or sandboxed runtimes, which take the same images (1 each).",
        _04,
        "TcoCalculator",
        "the people who know it leaving",
        also=_NOT_LEGACY,
    ),
    _r(
        "trusted-shared-kernel-ok",
        "isolation",
        0,
        {CONTAINERS: 1, MANAGED: 1},
        "When every workload trusts every other, a shared kernel with namespaces and cgroups is an acceptable "
        "boundary, and the lighter one (1 each).",
        _05,
        "KernelCalculator",
        "a second tenant, or code you did not write",
        also=_NOT_LEGACY,
    ),
    _r(
        "teams-behind-a-hypervisor",
        "isolation",
        1,
        {CVM: 2, MANAGED: 1},
        "Several internal teams: one VM (or node pool) per team puts a hypervisor between teams while each "
        "team packs its containers (2); a managed platform's namespaces and quotas separate teams too (1).",
        _05,
        "KernelCalculator",
        "one team only (trusted) or outside tenants (untrusted)",
        also=_NOT_LEGACY,
    ),
    _r(
        "untrusted-needs-own-kernel",
        "isolation",
        2,
        {MICROVM: 3, VM: 2},
        "Untrusted tenants or customer code must not share a kernel with other tenants, so containers of "
        "different tenants packed onto shared hosts are excluded: self-managed, on a managed platform's shared "
        "nodes, or on shared VMs. One VM or node pool per tenant is the VM option here, and a managed platform "
        "that runs each task in its own micro-VM (AWS Fargate) or sandbox (GKE Sandbox) is the micro-VM option. "
        "Micro-VMs give each tenant its own kernel behind a small device model and start fast (3); full VMs "
        "give the same boundary with more overhead (2).",
        _05,
        "KernelCalculator",
        "running only your own code",
        excludes=(*_SHARED, CVM),
        evidence=(("syscall_counts", "x86_64_recent_with_entry_point"), ("firecracker_spec", "site_emulated_devices")),
        why_excluded={
            CONTAINERS: "different tenants' containers on hosts you run share those hosts' kernel",
            MANAGED: "tenants' containers packed onto the platform's shared nodes share a kernel; a platform "
            "that gives each task its own micro-VM (AWS Fargate) is not excluded: it is the micro-VM option",
            CVM: "several tenants' containers packed onto shared VMs share each VM's kernel; one VM or node pool "
            "per tenant keeps them apart and is not excluded: it is the VM option",
        },
    ),
    _r(
        "own-kernel-needs-a-guest",
        "platform_needs",
        1,
        {VM: 3, CVM: 1, MICROVM: 1},
        "Containers share the host's kernel, so a specific kernel or module means a guest kernel of your own: "
        "a VM does it fully (3); containers on a VM with that kernel, or a micro-VM with a custom guest kernel "
        "and few devices, do it partly (1 each). Shared-kernel platforms are excluded.",
        _05,
        "KernelCalculator",
        "the feature reaching the hosts' standard kernel",
        excludes=_SHARED,
    ),
    _r(
        "other-os-needs-a-vm",
        "platform_needs",
        2,
        {VM: 3},
        "A different OS cannot run on the host's kernel at all: a VM runs any guest OS (3). Containers of that "
        "OS on VMs of that OS (e.g. Windows containers) are a second container platform to run, so get no "
        "points. Shared-kernel platforms and the Linux-only micro-VMs and sandboxes (Firecracker, gVisor, Kata) "
        "are excluded.",
        "01-virtual-machines.ipynb",
        "KvmLab",
        "porting the application to the host's OS",
        excludes=(*_SHARED, MICROVM),
    ),
    _r(
        "devices-both-ways",
        "platform_needs",
        3,
        {CONTAINERS: 2, VM: 2, MICROVM: 1},
        "Hardware access works both ways: a container gets the host's device directly (--device, GPU runtime "
        "hooks) at native speed (2); a VM gets it by PCI passthrough or a virtual GPU, which pins the VM to that "
        "host and the device to that VM (2). Among sandboxes it depends on the runtime (1): Firecracker emulates a "
        "handful of devices and passes none through, while Kata Containers can pass a device through with VFIO.",
        "07-performance.ipynb",
        "OverheadExplorer",
        "no device needs, or a device the runtime supports",
        evidence=(("firecracker_spec", "site_emulated_devices"),),
    ),
    _r(
        "manual-ops-keep-vms",
        "operational_maturity",
        0,
        {VM: 2, MANAGED: 1},
        "Without automation, containers lose their main operational gain (rebuild from a manifest); the team's "
        "manual VM routine is the safer bet (2), or a platform that automates itself (1).",
        _06,
        "DriftCalculator",
        "scripting builds and deployments",
    ),
    _r(
        "some-automation-step",
        "operational_maturity",
        1,
        {CVM: 1, MANAGED: 1},
        "Some automation supports a step: containers on VMs the team already automates, or a managed platform "
        "(1 each).",
        _06,
        "DriftCalculator",
        "a full pipeline (self-managed) or none (VMs)",
    ),
    _r(
        "pipelines-rebuild",
        "operational_maturity",
        2,
        {CONTAINERS: 2, MANAGED: 1, CVM: 1, MICROVM: 1},
        "CI/CD and infrastructure as code rebuild every server from its manifest, so nothing drifts: the "
        "container way of working (2 to self-managed, which needs it most; 1 to the others that use images).",
        _06,
        "DriftCalculator",
        "hand changes creeping back",
        also=_NOT_LEGACY,
    ),
    _r(
        "short-horizon-no-migration",
        "horizon",
        0,
        {VM: 1, MANAGED: 1},
        "In a few months a migration cannot pay back its cost: keep what runs (1), or rent a platform with "
        "nothing to build (1).",
        _04,
        "TcoCalculator",
        "a longer life for the system",
    ),
    _r(
        "two-years-step-by-step",
        "horizon",
        1,
        {CVM: 1},
        "One to two years is time to move step by step: containerise parts while the VMs stay (1).",
        _04,
        "TcoCalculator",
        "a shorter or a longer horizon",
        also=_NOT_LEGACY,
    ),
    _r(
        "long-horizon-pays-back",
        "horizon",
        2,
        {CONTAINERS: 1, MANAGED: 1},
        "Over three years or more a migration's one-off cost is repaid by cheaper operations (1 each).",
        _04,
        "TcoCalculator",
        "the system being retired sooner",
        also=_NOT_LEGACY,
    ),
)
