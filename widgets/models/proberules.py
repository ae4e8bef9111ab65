"""The evidence "where am I running?" weighs: each kind of trace, where it is read, its strength and a source.

One table, :data:`RULES`, is the single source of truth: :mod:`widgets.labs.probe` reads the traces, the
model (:mod:`widgets.models.probe`) weighs them by the strength given here, and lesson 00 shows the table
itself (:func:`rules_html`). A *strong* trace decides on its own; a *weak* one is a hint that only adds a
note, because something other than a VM or a container leaves it too (the "why" column says what).

The rules were written after reading systemd's ``systemd-detect-virt`` (src/basic/virt.c), which answers the
same question for systemd; they are not a copy of it, and they differ where the course's own build machine
shows why (a ``/.dockerenv`` left in a micro-VM's disk image: systemd would say "docker").

Three traces older guides and tools use are NOT rules here, because they no longer hold:

* a container name in ``/proc/1/cgroup``: on cgroup v2, Docker (20.10 and later), Podman and containerd give
  each container its own cgroup namespace, so the file reads ``0::/`` inside (rule ``cgroup-namespace`` looks
  for the namespace instead);
* a host PID in ``/proc/1/sched``: since Linux 4.14 the file shows the PID as the reader's namespace sees it;
* ``$container`` "set by the engine": Podman, LXC and systemd-nspawn set it, Docker does not.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

STRENGTHS = ("strong", "weak")
POINTS = ("vm", "container", "none")


@dataclass(frozen=True)
class Rule:
    """One kind of trace: where it is read, what it points to, how strongly, why, and the source."""

    id: str
    trace: str  # what is looked for, in plain words
    where: str  # where it is read on Linux
    points_to: str  # "vm", "container" or "none"
    strength: str  # "strong" (decides) or "weak" (a hint)
    why: str  # why it works, and what else leaves it
    cite: str  # the source


_SD = "systemd src/basic/virt.c (github.com/systemd/systemd)"
_CG2 = "Linux Documentation/admin-guide/cgroup-v2.rst ('cgroup.type ... exists on non-root cgroups')"

RULES: tuple[Rule, ...] = (
    Rule(
        "cpu-hypervisor-flag",
        "the CPU's 'hypervisor' flag",
        "/proc/cpuinfo",
        "vm",
        "strong",
        "a hypervisor sets CPUID leaf 1, ECX bit 31 for its guests; a container sees its host's CPU, so a "
        "container on a VM shows the flag too",
        "Linux arch/x86/include/asm/cpufeatures.h (X86_FEATURE_HYPERVISOR); " + _SD + ", detect_vm_cpuid()",
    ),
    Rule(
        "dmi-vendor",
        "firmware names such as QEMU, KVM, VMware, VirtualBox, Hyper-V, Xen, Amazon EC2, Google",
        "/sys/class/dmi/id/ (product_name, sys_vendor, board_vendor, bios_vendor)",
        "vm",
        "strong",
        "the hypervisor emulates the firmware and writes its own name into the SMBIOS tables",
        _SD + ", dmi_vendor_table",
    ),
    Rule(
        "dmi-metal",
        "an Amazon EC2 '.metal' instance type",
        "/sys/class/dmi/id/product_name",
        "none",
        "strong",
        "EC2 bare-metal instances carry Amazon's firmware name without a hypervisor: the name alone is not enough",
        _SD + ", detect_vm_dmi() ('.metal')",
    ),
    Rule(
        "xen",
        "a Xen guest interface",
        "/sys/hypervisor/type, /proc/xen",
        "vm",
        "strong",
        "only a Xen domain has them (Xen's control domain dom0 also runs on Xen)",
        _SD + ", detect_vm_xen() and detect_vm_hypervisor()",
    ),
    Rule(
        "acpi-oem",
        "the VMM's name in the ACPI tables (e.g. FIRECK for Firecracker)",
        "/sys/firmware/acpi/tables/DSDT (readable by root only)",
        "vm",
        "strong",
        "every ACPI table carries its maker's OEM ID; a VMM that builds the tables writes its own",
        "firecracker-microvm/firecracker src/vmm/src/acpi/mod.rs (OEM_ID = FIRECK); ACPI spec, table header",
    ),
    Rule(
        "paravirt-clock",
        "a paravirtual clock source: kvm-clock, hyperv_clocksource…, xen",
        "/sys/devices/system/clocksource/clocksource0/available_clocksource",
        "vm",
        "strong",
        "the clock is a page the hypervisor shares with its guest; it exists only under that hypervisor "
        "(offered even when the kernel chose tsc)",
        "Linux Documentation/virt/kvm/x86/msr.rst (MSR_KVM_SYSTEM_TIME, kvmclock)",
    ),
    Rule(
        "wsl2-kernel",
        "a WSL 2 kernel",
        "/proc/sys/kernel/osrelease",
        "vm",
        "strong",
        "WSL 2 runs a real Linux kernel in a lightweight Hyper-V VM; its release ends in -WSL2. The word "
        "'microsoft' alone is not enough: Microsoft's own cloud images use it too",
        "github.com/microsoft/WSL issue 423; systemd pull request 15614",
    ),
    Rule(
        "linuxkit-kernel",
        "a LinuxKit kernel (Docker Desktop's VM)",
        "/proc/sys/kernel/osrelease",
        "vm",
        "strong",
        "Docker Desktop on macOS and Windows runs containers in a small Linux VM built with LinuxKit; its kernel "
        "release ends in -linuxkit",
        "github.com/linuxkit/linuxkit; Docker docs, 'Docker Desktop FAQs' (the Linux VM)",
    ),
    Rule(
        "virtio-pci",
        "virtio devices (PCI vendor 0x1af4)",
        "/sys/bus/pci/devices/*/vendor",
        "vm",
        "weak",
        "virtio is the device family hypervisors offer guests, but some network cards (DPUs, vDPA) present "
        "virtio devices on real hardware too",
        "OASIS Virtual I/O Device (VIRTIO) 1.2, 4.1.2 'PCI Device Discovery'",
    ),
    Rule(
        "virtio-mmio",
        "virtio-mmio devices or 'firecracker' on the kernel command line",
        "/proc/cmdline",
        "vm",
        "weak",
        "micro-VMs without PCI or ACPI pass their devices this way; a command line is easy to copy, so it only hints",
        "Linux Documentation/admin-guide/kernel-parameters.txt (virtio_mmio.device=); Firecracker "
        "docs/getting-started.md",
    ),
    Rule(
        "container-variable",
        "$container, set for PID 1 by the container manager",
        "environment; PID 1's environment; /run/systemd/container; /run/host/container-manager",
        "container",
        "strong",
        "Podman, LXC and systemd-nspawn set it and systemd copies it to /run/systemd/container; Docker does not set it",
        "systemd.io/CONTAINER_INTERFACE; github.com/containers/podman issue 11836; " + _SD + ", detect_container()",
    ),
    Rule(
        "containerenv",
        "Podman's /run/.containerenv",
        "/run/.containerenv",
        "container",
        "strong",
        "Podman creates it in every container it starts, on a file system that does not outlive the container",
        "podman-run(1) (docs.podman.io)",
    ),
    Rule(
        "engine-mounts",
        "/etc/hostname, /etc/hosts or /etc/resolv.conf mounted from an engine's per-container directory",
        "/proc/self/mountinfo",
        "container",
        "strong",
        "engines write these three files for each container (Docker under …/containers/<id>/, Podman and "
        "CRI-O under …/overlay-containers/<id>/userdata/, the kubelet under …/pods/<uid>/) and mount them in",
        "moby/moby container/container_unix.go (BuildHostnameFile); podman-run(1)",
    ),
    Rule(
        "overlay-root-engine",
        "a root file system that is an overlay of an engine's image layers",
        "/proc/self/mountinfo (the line for /)",
        "container",
        "strong",
        "Docker (overlay2), Podman (containers/storage) and containerd (the overlayfs snapshotter) stack the "
        "image's layers with overlayfs, and the layer paths name the engine",
        "Docker docs, 'OverlayFS storage driver'; containers-storage.conf(5); containerd docs/snapshotters",
    ),
    Rule(
        "overlay-root",
        "a root file system that is an overlay, with no engine named",
        "/proc/self/mountinfo (the line for /)",
        "container",
        "weak",
        "container engines use overlayfs, but so do live USB systems and some image-based distributions",
        "Linux Documentation/filesystems/overlayfs.rst",
    ),
    Rule(
        "kubernetes",
        "a Kubernetes service account or $KUBERNETES_SERVICE_HOST",
        "/proc/self/mountinfo (/var/run/secrets/kubernetes.io/serviceaccount); environment",
        "container",
        "strong",
        "the kubelet mounts the pod's service-account token there and sets the API server's address in every "
        "container's environment",
        "kubernetes.io docs: 'Service accounts' and 'Service' (environment variables)",
    ),
    Rule(
        "lxcfs",
        "LXCFS files over /proc",
        "/proc/self/mountinfo (fuse.lxcfs on /proc/cpuinfo, /proc/meminfo …)",
        "container",
        "strong",
        "LXC and Incus mount LXCFS so that the container's /proc shows its own limits",
        "linuxcontainers.org, LXCFS documentation",
    ),
    Rule(
        "cgroup-path",
        "our cgroup is named after an engine: docker, kubepods, libpod, crio, containerd, lxc, machine.slice",
        "/proc/self/cgroup, /proc/1/cgroup",
        "container",
        "strong",
        "engines put each container in a cgroup of its own; visible where there is no cgroup namespace "
        "(cgroup v1, or --cgroupns=host)",
        "cgroups(7); Docker docs, 'docker run --cgroupns' (private is the default on cgroup v2 only)",
    ),
    Rule(
        "cgroup-namespace",
        "a cgroup namespace: our cgroup reads '/', yet the cgroup mounted there is not the root one",
        "/proc/self/cgroup with /sys/fs/cgroup/cgroup.type (v2) or /sys/fs/cgroup/systemd/release_agent (v1)",
        "container",
        "strong",
        "the root cgroup has no cgroup.type file (v2) and is the only one with release_agent (v1); inside a "
        "cgroup namespace the container's own cgroup is mounted there",
        _CG2 + "; " + _SD + ", running_in_cgroupns()",
    ),
    Rule(
        "cgroup-root",
        "our cgroup is the real root of the tree",
        "/proc/self/cgroup with /sys/fs/cgroup",
        "none",
        "strong",
        "no engine placed us in a cgroup of a container, and no cgroup namespace hides one",
        _CG2,
    ),
    Rule(
        "dockerenv",
        "Docker's marker file /.dockerenv",
        "/.dockerenv",
        "container",
        "weak",
        "Docker creates it in every container, but it is an ordinary file: a disk image made from a container's "
        "file system keeps it (this course's build machine, a Firecracker micro-VM, has one)",
        "github.com/moby/moby issue 18355; " + _SD + " ('/.dockerenv could inadvertently end up in a file system "
        "image')",
    ),
    Rule(
        "container-init",
        "PID 1 is a container init: tini, docker-init, dumb-init, catatonit or pause",
        "/proc/1/comm",
        "container",
        "weak",
        "engines start these small inits on request (docker run --init, podman run --init, a pod's pause); "
        "a VM or a host runs systemd or another init system, though nothing forbids these",
        "Docker docs, 'docker run --init'; podman-run(1) (--init, catatonit)",
    ),
    Rule(
        "user-namespace",
        "a user namespace: our user IDs are mapped",
        "/proc/self/uid_map",
        "container",
        "weak",
        "rootless engines (Podman, rootless Docker) run containers in a user namespace, but so do sandboxes "
        "such as Flatpak, bubblewrap and browsers",
        "user_namespaces(7); " + _SD + ", running_in_userns()",
    ),
)


def rule(rule_id: str) -> Rule:
    """The rule ``rule_id`` of :data:`RULES` (KeyError names the choices otherwise)."""
    for r in RULES:
        if r.id == rule_id:
            return r
    raise KeyError(f"no probe rule {rule_id!r}; rules: {', '.join(r.id for r in RULES)}")


#: Firmware (DMI/SMBIOS) strings -> hypervisor, tested in this order (product_name first, so that "KVM" wins
#: over "QEMU"; vendors that build on KVM but hide it come first, as systemd orders them).
DMI_HYPERVISORS = (
    (r"virtualbox|innotek|oracle corporation", "VirtualBox"),
    (r"amazon ec2", "Amazon EC2 (Nitro, KVM-based)"),
    (r"google compute engine|\bgoogle\b", "Google Compute Engine (KVM-based)"),
    (r"parallels", "Parallels"),
    (r"\bxen\b|hvm domu", "Xen"),
    (r"\bkvm\b|kubevirt|openstack", "KVM"),
    (r"qemu|bochs", "QEMU"),
    (r"vmware|\bvmw\b", "VMware"),
    (r"microsoft corporation.*virtual machine|virtual machine.*microsoft|hyper-v", "Hyper-V"),
    (r"bhyve", "bhyve"),
    (r"apple virtualization", "Apple Virtualization"),
    (r"cloud hypervisor", "Cloud Hypervisor"),
)

#: ACPI OEM IDs (6 characters, blank-padded) -> hypervisor or VMM.
ACPI_OEMS = {"FIRECK": "Firecracker", "BOCHS": "QEMU", "VBOX": "VirtualBox", "VRTUAL": "Hyper-V", "XEN": "Xen"}

#: Paravirtual clock sources -> hypervisor.
CLOCKSOURCES = {"kvm-clock": "KVM", "hyperv_clocksource_tsc_page": "Hyper-V", "xen": "Xen"}

#: Substrings of a cgroup path -> engine (the first match wins: Kubernetes before its runtimes).
CGROUP_ENGINES = (
    ("kubepods", "Kubernetes"),
    ("libpod", "Podman"),
    ("crio", "CRI-O"),
    ("docker", "Docker"),
    ("containerd", "containerd"),
    ("lxc", "LXC"),
    ("machine.slice", "systemd-nspawn or libvirt"),
    ("garden", "Cloud Foundry Garden"),
)

#: Substrings of an overlay root's layer paths -> engine (Docker before containerd: Docker's containerd image
#: store keeps its layers under /var/lib/docker/containerd/).
STORAGE_ENGINES = (
    ("/kubelet/pods/", "Kubernetes"),
    ("/docker/", "Docker"),
    ("io.containerd", "containerd"),
    ("containers/storage", "Podman"),
    ("/lxc/", "LXC"),
    ("/incus/", "Incus"),
    ("/lxd/", "LXD"),
)

#: $container values -> engine (systemd's list of names; "oci" names no engine).
CONTAINER_NAMES = {
    "podman": "Podman",
    "docker": "Docker",
    "lxc": "LXC",
    "lxc-libvirt": "libvirt LXC",
    "systemd-nspawn": "systemd-nspawn",
    "rkt": "rkt",
    "oci": "",
}

#: PID-1 programs: small inits engines start (a weak container hint) and init systems (no hint).
CONTAINER_INITS = ("tini", "docker-init", "dumb-init", "catatonit", "pause")
INIT_SYSTEMS = ("systemd", "init", "openrc-init", "runit", "s6-svscan", "busybox")

#: Hypervisors and VMMs that run on KVM: "Firecracker" and "KVM" together read "Firecracker (KVM)".
KVM_BASED = ("Firecracker", "QEMU", "Amazon EC2", "Google Compute Engine", "Cloud Hypervisor", "crosvm")


def rules_html() -> str:
    """The rules as an HTML table for lesson 00: trace, where, points to, strength, why, source."""
    label = {"vm": "VM", "container": "container", "none": "neither"}
    rows = "".join(
        f"<tr><td>{html.escape(r.trace)}</td><td><code>{html.escape(r.where)}</code></td>"
        f"<td>{label[r.points_to]}</td><td>{r.strength}</td><td>{html.escape(r.why)}</td>"
        f"<td><small>{html.escape(r.cite)}</small></td></tr>"
        for r in RULES
    )
    return (
        # A wide table scrolls inside a region that the keyboard can reach (Tab, then the arrow keys).
        "<div role='region' aria-label='probe rules' tabindex='0' style='overflow-x:auto'>"
        "<table class='cvm-probe-rules'><tr><th>trace</th><th>where (Linux)</th><th>points to</th>"
        f"<th>strength</th><th>why it works, and what else leaves it</th><th>source</th></tr>{rows}</table></div>"
    )
