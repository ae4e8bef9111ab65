"""The hardening checklist (lesson 05): each measure, what it stops, and the kernel features it needs."""

from __future__ import annotations

from dataclasses import dataclass

from ..core import data
from .kernel import KernelReport

# id, host, measure, what it protects against ({names} are filled from data/), where the course shows it
_MEASURES = (
    (
        "patch",
        "container",
        "keep the kernel, runc and the engine patched",
        "known escapes: CVE-2019-5736 and CVE-2024-21626 (runc), CVE-2022-0492 (cgroups v1 release_agent)",
        "lesson 05: cve_figure(), cve_table_html()",
    ),
    (
        "rootless",
        "container",
        "run rootless, or with user-namespace remapping",
        "root in the container being root "
        "on the host (trade-off: unprivileged user namespaces expose more kernel code, see CVE-2022-0185)",
        "lesson 02: nslab; lesson 05: privlab.privileges_in_user_namespace, KernelCalculator (3.8)",
    ),
    (
        "drop-caps",
        "container",
        "drop capabilities: --cap-drop ALL, add back only what is needed",
        "root's powers "
        "in the container, e.g. CAP_SYS_ADMIN, which in Docker's seccomp profile also unlocks bpf, clone3 and fsopen "
        "({moby})",
        "lesson 05: privlab.process_privileges (capabilities)",
    ),
    (
        "seccomp",
        "container",
        "keep the default seccomp profile (never seccomp=unconfined)",
        "kernel bugs in "
        "rarely needed system calls: Docker's default disables around {off} of {total}+ system calls ({docs})",
        "lesson 05: KernelCalculator (seccomp-BPF), privlab.attack_surface_figure",
    ),
    (
        "no-privileged",
        "container",
        "never run with --privileged",
        "a container with every capability, no seccomp filter and the host's devices, hardly isolated at all",
        "lesson 05: privlab.process_privileges",
    ),
    (
        "read-only",
        "container",
        "read-only root filesystem (--read-only, tmpfs only where needed)",
        "an intruder changing the container's programs or planting files in it",
        "lesson 03: layers (read-only image layers)",
    ),
    (
        "cgroup-limits",
        "container",
        "set cgroup limits (--memory, and --pids-limit where the kernel has a pids controller)",
        "fork bombs and memory exhaustion starving the host and its neighbours",
        "lesson 02: cgrouplab.pids_limit_lab",
    ),
    (
        "no-host-ns",
        "container",
        "no host namespaces (no --pid=host, --net=host, --ipc=host)",
        "the container seeing and signalling host processes, binding host ports, reaching host-only services",
        "lesson 02: nslab, nsquiz",
    ),
    (
        "trusted-images",
        "container",
        "images from trusted registries, pinned by digest and scanned",
        "malicious or vulnerable software shipped inside the image",
        "lesson 06; lesson 03: oci (digests)",
    ),
    (
        "sandbox-runtime",
        "container",
        "a sandboxed runtime (gVisor, Kata Containers, Firecracker) for untrusted tenants",
        "kernel bugs such as Dirty COW or CVE-2022-0185, reachable from every container sharing the host kernel",
        "lesson 05: cve_figure()",
    ),
    (
        "patch-hypervisor",
        "vm",
        "patch the hypervisor and its device model",
        "guest-to-host escapes such as VENOM (QEMU floppy controller) and Cloudburst (VMware display)",
        "lesson 05: cve_figure()",
    ),
    (
        "minimal-devices",
        "vm",
        "a minimal device model: no emulated device the guest does not need",
        "bugs in rarely used devices (VENOM was in a floppy controller); Firecracker emulates a handful (its site "
        "lists {devices}: {fc})",
        "lesson 01; lesson 05",
    ),
    (
        "cpu-mitigations",
        "vm",
        "CPU microcode and kernel mitigations (for L1TF: flush the L1 cache on VM entry, do "
        "not share cores between tenants)",
        "guests reading other guests' or the host's memory through the CPU (L1TF)",
        "lesson 05: cve_figure()",
    ),
)


#: Container measure id -> (a setup without it, a setup with it): lines of the synthetic practice scenarios.
SETUPS = {
    "patch": (
        "runc and the kernel have not been updated since the host was installed",
        "runc, the engine and the kernel are updated automatically",
    ),
    "rootless": ("the engine runs as root, without user-namespace remapping", "the engine runs rootless"),
    "drop-caps": ("--cap-add ALL, so that the app 'just works'", "--cap-drop ALL --cap-add NET_BIND_SERVICE"),
    "seccomp": ("--security-opt seccomp=unconfined", "the engine's default seccomp profile"),
    "no-privileged": ("--privileged, to let the app read a USB device", "no --privileged; one --device passed"),
    "read-only": ("a writable root filesystem", "--read-only with a tmpfs for /tmp"),
    "cgroup-limits": ("no --memory and no --pids-limit", "--memory and --pids-limit set for the app"),
    "no-host-ns": ("--pid=host --net=host, to make monitoring easier", "its own PID and network namespaces"),
    "trusted-images": (
        "an image pulled by tag from an unknown account, never scanned",
        "an image from the team's own registry, pinned by digest and scanned",
    ),
    "sandbox-runtime": (
        "code uploaded by anonymous customers, run with the default runc runtime",
        "only the team's own code",
    ),
}


#: Measure id -> the kernel features it needs (keys of :func:`widgets.models.kernel.feature_specs`).
NEEDS = {
    "rootless": ("userns-unprivileged",),
    "seccomp": ("seccomp-bpf",),
    "read-only": ("ns:mount",),
    "cgroup-limits": ("cgroups-v1-memory", "cgroups-v1-pids"),
    "no-host-ns": ("ns:pid", "ns:network", "ns:ipc"),
}


@dataclass(frozen=True)
class Measure:
    """One hardening measure: what to do, what it protects against, where the course shows it, what it needs."""

    id: str
    host: str
    measure: str
    protects: str
    shown_in: str
    needs: tuple[str, ...] = ()


def _hardening() -> tuple[Measure, ...]:
    calls, fc = data.load("syscall_counts"), data.load("firecracker_spec")
    off, total = calls.row(id="docker_docs_disabled"), calls.row(id="docker_docs_total")
    moby, devs = calls.row(id="moby_default_conditional"), fc.row(id="site_emulated_devices")
    facts = {
        "off": f"{off['value']:g}",
        "total": f"{total['value']:g}",
        "docs": calls.cite(off),
        "moby": calls.cite(moby),
        "devices": f"{devs['value']:g}",
        "fc": f"{devs['conditions']}; {fc.cite(devs)}",
    }
    return tuple(Measure(i, h, m, p.format(**facts), s, NEEDS.get(i, ())) for i, h, m, p, s in _MEASURES)


def unavailable(report: KernelReport) -> dict[str, tuple[str, ...]]:
    """Measure id -> the features it needs that ``report``'s kernel lacks by its version (only those that lack
    one): on Linux 3.10, ``cgroup-limits`` lacks the pids controller (4.3), so ``--pids-limit`` cannot work."""
    return {
        m.id: tuple(k for k in m.needs if not report.has(k))
        for m in HARDENING
        if any(not report.has(k) for k in m.needs)
    }


#: The checklist: 10 measures for container hosts, 3 for VM hosts.
HARDENING: tuple[Measure, ...] = _hardening()
