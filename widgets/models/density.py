"""How many fit on a host: instances per host for VMs, micro-VMs and containers.

Every platform runs the same application; what differs is what each instance
carries on top of it:

* a VM or micro-VM: a guest OS (memory and disk; learner inputs, no cited
  figure) and its VMM's own memory (cited: Firecracker ``fc_vmm_memory_overhead``,
  at most 5 MiB, verified; QEMU and Cloud Hypervisor from third-party notes on
  the NSDI 2020 Firecracker paper, *secondary*);
* a Kata pod: the fixed pod overhead (memory and CPU) its RuntimeClass charges
  to Kubernetes (cited, verified). It stands for the whole sandbox VM, so no
  guest OS input is added; it is a scheduling charge, not a measured use;
* a container: the memory one empty container costs the host (cited from
  gVisor's published density data: runc and runsc, verified).

Instances per host = the smallest of ``floor(capacity / need)`` over CPU,
memory and disk; that resource *binds*. Container images and Kata's guest
image are counted as shared (only the app's disk is per instance).

Units: the data use MiB (2**20 bytes), MB (10**6 bytes), bytes and
millicores; everything is converted to MiB and cores here. Every other
starting value is an illustrative assumption: set your own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..core import data, validate

MIB = 2**20


#: Bytes per unit of the memory rows: MiB is binary, MB decimal (131 MB = 124.93 MiB, not 131).
UNIT_BYTES = {"MiB": MIB, "MB": 10**6, "bytes": 1}


#: Cores per unit of the CPU rows.
UNIT_CORES = {"millicores": 1e-3, "cores": 1.0}


@dataclass(frozen=True)
class _Spec:
    label: str
    colour: str  # key of COLORS
    kind: str  # "vm" (guest OS + VMM), "pod" (Kata podFixed) or "container"
    table: str
    memory_row: str
    cpu_row: str | None = None


#: platform key -> what it is and which data rows give its overhead.
PLATFORMS: dict[str, _Spec] = {
    "qemu": _Spec("VM (QEMU)", "vm", "vm", "firecracker_spec", "nsdi_memory_overhead_qemu"),
    "cloud-hypervisor": _Spec(
        "VM (Cloud Hypervisor)", "vm", "vm", "firecracker_spec", "nsdi_memory_overhead_cloud_hypervisor"
    ),
    "firecracker": _Spec("microVM (Firecracker)", "microvm", "vm", "firecracker_spec", "fc_vmm_memory_overhead"),
    "kata-qemu": _Spec(
        "Kata pod (QEMU)", "sandbox", "pod", "firecracker_spec", "kata_qemu_pod_memory", "kata_qemu_pod_cpu"
    ),
    "kata-fc": _Spec(
        "Kata pod (Firecracker)", "sandbox", "pod", "firecracker_spec", "kata_fc_pod_memory", "kata_fc_pod_cpu"
    ),
    "runc": _Spec("container (runc)", "container", "container", "gvisor_benchmarks", "memory_sleep_runc"),
    "gvisor": _Spec("sandboxed container (gVisor)", "sandbox", "container", "gvisor_benchmarks", "memory_sleep_runsc"),
}


DEFAULT_PLATFORMS = ("qemu", "firecracker", "runc", "gvisor")
RESOURCES = ("CPU", "memory", "disk")


@dataclass(frozen=True)
class Fit:
    """One platform on the host: what one instance needs and how many fit."""

    key: str
    label: str
    colour: str
    count: int
    binding: str  # "CPU", "memory" or "disk"
    limits: tuple[tuple[str, int], ...]  # (resource, instances it allows)
    cpu_cores: float  # per instance
    app_mib: float
    guest_os_mib: float
    overhead_mib: float  # VMM / runtime / pod overhead, from data
    disk_gib: float  # per instance
    overhead_text: str  # how the data state it, e.g. "at most 5 MiB"
    cite: str  # short citation (Table.cite), "; secondary" when it is
    source: str  # full citation
    secondary: bool

    @property
    def memory_mib(self) -> float:
        """Memory one instance takes from the host (MiB)."""
        return self.app_mib + self.guest_os_mib + self.overhead_mib

    @property
    def overhead_share(self) -> float:
        """Share of one instance's memory that is not the application."""
        return (self.guest_os_mib + self.overhead_mib) / self.memory_mib


@dataclass(frozen=True)
class Density:
    """Instances per host for each chosen platform."""

    host_cores: float
    host_memory_gib: float
    host_disk_gib: float
    fits: tuple[Fit, ...]

    def fit(self, key: str) -> Fit:
        """The :class:`Fit` of platform ``key``."""
        for f in self.fits:
            if f.key == key:
                return f
        raise ValueError(f"platform {key!r} was not chosen; chosen: {', '.join(f.key for f in self.fits)}")


def overhead(key: str) -> tuple[float, float, str, str, str, bool]:
    """A platform's cited overhead per instance, converted: ``(MiB, cores, stated, cite, source, secondary)``.

    Raises
    ------
    ValueError
        If ``key`` is not one of :data:`PLATFORMS`.
    """
    spec = PLATFORMS[validate.choice("platform", key, PLATFORMS)]
    table = data.load(spec.table)
    row = table.row(id=spec.memory_row)
    mib = row["value"] * UNIT_BYTES[row["unit"]] / MIB
    if row["unit"] == "bytes":  # gVisor's density data: state it in MB, as a person reads it
        stated = f"about {row['value'] / 1e6:.3g} MB ({mib:.3g} MiB)"
    else:
        word = {"upper": "at most", "exact": "", "approximate": "about"}.get(row.get("bound", "exact"), "")
        conv = f" ({mib:.4g} MiB)" if row["unit"] != "MiB" else ""
        stated = f"{word} {row['value']:g} {row['unit']}{conv}".strip()
    cores = 0.0
    if spec.cpu_row is not None:
        cpu = table.row(id=spec.cpu_row)
        cores = cpu["value"] * UNIT_CORES[cpu["unit"]]
        stated += f" + {cores:g} cores"
    secondary = row["confidence"] == "secondary"
    if secondary:
        stated += ", secondary"
    return mib, cores, stated, table.cite(row), table.source(row).citation(), secondary


def platform_options() -> list[tuple[str, str]]:
    """Selection options ``(label with its cited overhead, key)``."""
    return [(f"{s.label}: {overhead(k)[2]}", k) for k, s in PLATFORMS.items()]


def _floor(x: float) -> int:
    # round first so that float noise (65536 / 512.0000000001) does not lose an instance
    return math.floor(round(x, 9))


def density(
    host_cores: float | str = 32.0,
    host_memory_gib: float | str = 64.0,
    host_disk_gib: float | str = 1000.0,
    app_memory_mib: float | str = 512.0,
    app_cpu: float | str = 0.25,
    app_disk_mib: float | str = 200.0,
    guest_os_memory_mib: float | str = 256.0,
    guest_os_disk_gib: float | str = 2.0,
    platforms: Sequence[str] = DEFAULT_PLATFORMS,
) -> Density:
    """How many instances of one application fit on a host, per platform.

    Parameters
    ----------
    host_cores, host_memory_gib, host_disk_gib:
        The host: 1–4096 cores, 1–65,536 GiB memory, 1–1,000,000 GiB disk.
    app_memory_mib, app_cpu, app_disk_mib:
        One application instance: memory 1 MiB–the host's memory, CPU
        0.001 cores–the host's cores, disk 0 MiB–the host's disk.
    guest_os_memory_mib, guest_os_disk_gib:
        What a guest OS takes inside each VM and micro-VM (0–65,536 MiB and
        0–10,000 GiB): an illustrative assumption, set your own; there is no
        cited figure.
    platforms:
        Keys of :data:`PLATFORMS` to compare, at least one.

    Raises
    ------
    ValueError
        On any invalid input; the message names it.
    """
    cores = validate.number("host cores", host_cores, minimum=1, maximum=4096, unit="cores")
    mem_gib = validate.number("host memory", host_memory_gib, minimum=1, maximum=65_536, unit="GiB")
    disk_gib = validate.number("host disk", host_disk_gib, minimum=1, maximum=1_000_000, unit="GiB")
    app_mib = validate.number("app memory", app_memory_mib, minimum=1, maximum=65_536 * 1024, unit="MiB")
    app_cpu = validate.number("app CPU", app_cpu, minimum=0.001, maximum=4096, unit="cores")
    app_disk = validate.number("app disk", app_disk_mib, minimum=0, maximum=1_000_000 * 1024, unit="MiB")
    os_mib = validate.number("guest OS memory", guest_os_memory_mib, minimum=0, maximum=65_536, unit="MiB")
    os_disk = validate.number("guest OS disk", guest_os_disk_gib, minimum=0, maximum=10_000, unit="GiB")
    if isinstance(platforms, str) or not isinstance(platforms, Sequence):
        raise ValueError("platforms must be a list of platforms, e.g. ['qemu', 'runc']")
    if not platforms:
        raise ValueError("choose at least one platform to compare")
    for k in platforms:
        validate.choice("platform", k, PLATFORMS)
    mem_mib = mem_gib * 1024
    validate.ordered("app memory", app_mib, "host memory in MiB", mem_mib)
    validate.ordered("app CPU", app_cpu, "host cores", cores)
    validate.ordered("app disk", app_disk, "host disk in MiB", disk_gib * 1024)

    fits = []
    for key in dict.fromkeys(platforms):
        spec = PLATFORMS[key]
        ov_mib, ov_cores, stated, cite, source, secondary = overhead(key)
        guest_mib = os_mib if spec.kind == "vm" else 0.0
        need_disk = app_disk / 1024 + (os_disk if spec.kind == "vm" else 0.0)
        need_cpu = app_cpu + ov_cores
        need_mem = app_mib + guest_mib + ov_mib
        limits = (
            ("CPU", _floor(cores / need_cpu)),
            ("memory", _floor(mem_mib / need_mem)),
            ("disk", _floor(disk_gib / need_disk) if need_disk > 0 else math.inf),
        )
        count = min(v for _, v in limits)
        binding = next(name for name, v in limits if v == count)
        fits.append(
            Fit(
                key,
                spec.label,
                spec.colour,
                int(count),
                binding,
                tuple((r, v) for r, v in limits if v != math.inf),
                need_cpu,
                app_mib,
                guest_mib,
                ov_mib,
                need_disk,
                stated,
                cite,
                source,
                secondary,
            )
        )
    return Density(cores, mem_gib, disk_gib, tuple(fits))
