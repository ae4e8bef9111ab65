"""VM sizing: from one workload to a VM size to how many VMs fit on a host.

Every VM carries a guest operating system and costs the host some hypervisor
memory, so a host full of VMs holds less application than its size suggests.
This calculator makes that overhead visible:

* VM size = the workload + the guest OS (vCPUs rounded up to a whole vCPU,
  memory rounded up to the next 0.5 GiB, disk as is);
* VMs per host = the smallest of what the CPU (cores × overcommit), the memory
  (after the host's own reserve, with the hypervisor's overhead per VM) and
  the disk allow; that resource *binds*;
* hosts needed = workloads / VMs per host, rounded up.

Only the hypervisor overheads come from data (``data/firecracker_spec.csv``,
cited wherever they are shown). Every other starting value (workload, guest
OS, host, reserve, number of workloads) is an illustrative assumption: set
your own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core import data, validate
from ..core.units import format_g

GIB = 2**30  # bytes in a GiB


#: Bytes per unit for the overhead rows' ``unit`` column. "MiB" is binary
#: (2**20 bytes); "MB" is read as decimal (10**6 bytes), as the data writes it.
#: So 5 MiB = 5 * 2**20 / 2**30 = 0.0048828125 GiB and
#: 131 MB = 131e6 / 2**30 = 0.1220 GiB (not 131 / 1024 = 0.1279).
UNIT_BYTES = {"MiB": 2**20, "MB": 10**6}


#: hypervisor key -> row id in data/firecracker_spec.csv (None: no overhead).
HYPERVISOR_ROWS: dict[str, str | None] = {
    "qemu": "nsdi_memory_overhead_qemu",  # about 131 MB per VM, secondary (notes on the NSDI 2020 paper)
    "firecracker": "fc_vmm_memory_overhead",  # at most 5 MiB per VM, SPECIFICATION.md item 4 (verified)
    "none": None,
}


#: VM memory is rounded up to a multiple of this (GiB).
MEMORY_STEP_GIB = 0.5


def hypervisor_overhead(hypervisor: str) -> tuple[float, str, str, str]:
    """The per-VM memory overhead of a hypervisor choice, from the data.

    Returns ``(GiB, label, short citation, full citation)``;
    ``(0.0, "none", "", "")`` for ``"none"``.

    Raises
    ------
    ValueError
        If ``hypervisor`` is not one of :data:`HYPERVISOR_ROWS`.
    """
    validate.choice("hypervisor overhead", hypervisor, HYPERVISOR_ROWS)
    row_id = HYPERVISOR_ROWS[hypervisor]
    if row_id is None:
        return 0.0, "none", "", ""
    table = data.load("firecracker_spec")
    row = table.row(id=row_id)
    gib = row["value"] * UNIT_BYTES[row["unit"]] / GIB
    name = "QEMU/KVM" if hypervisor == "qemu" else "Firecracker"
    if row["bound"] == "upper":
        amount = f"at most {row['value']:g} {row['unit']} per VM"
    else:
        amount = f"about {row['value']:g} {row['unit']} per VM"
    label = f"{name} ({amount}{', ' + row['confidence'] if row['confidence'] != 'verified' else ''})"
    return gib, label, table.cite(row), table.source(row).citation()


def hypervisor_options() -> list[tuple[str, str]]:
    """Dropdown options ``(label, key)``, labels built from the data."""
    return [(hypervisor_overhead(k)[1], k) for k in HYPERVISOR_ROWS]


#: Memory segments of one host: (result attribute, label).
MEMORY_SEGMENTS = (
    ("mem_app_gib", "application"),
    ("mem_guest_os_gib", "guest OS"),
    ("mem_rounding_gib", "VM rounding up to 0.5 GiB (unused)"),
    ("mem_hypervisor_gib", "hypervisor overhead"),
    ("mem_reserved_gib", "host reserve"),
    ("mem_free_gib", "free"),
)


@dataclass(frozen=True)
class Sizing:
    """One VM's size, how many fit on a host, and where one host's memory goes."""

    vm_vcpu: int
    vm_memory_gib: float
    vm_disk_gb: float
    per_host: int
    binding: str  # "CPU", "memory" or "disk"
    limits: tuple[tuple[str, int], ...]  # (resource, VMs it allows), CPU, memory, disk
    hosts: int
    n_workloads: int
    host_memory_gib: float
    cpu_capacity: float  # vCPUs one host offers: cores × overcommit
    vcpus_used: int
    mem_app_gib: float
    mem_guest_os_gib: float
    mem_rounding_gib: float
    mem_hypervisor_gib: float
    mem_reserved_gib: float
    mem_free_gib: float
    overhead_share: float  # (guest OS + hypervisor) / memory the VMs take
    hypervisor: str
    hypervisor_gib: float  # per VM
    hypervisor_label: str
    hypervisor_cite: str  # short citation (Table.cite), "" for "none"
    hypervisor_source: str  # full citation of the source, "" for "none"

    @property
    def memory_breakdown(self) -> dict[str, float]:
        """One full host's memory by use, in GiB (adds up to the host's memory)."""
        return {label: getattr(self, attr) for attr, label in MEMORY_SEGMENTS}

    @property
    def vcpus_free(self) -> float:
        """vCPUs left idle on a full host."""
        return max(0.0, self.cpu_capacity - self.vcpus_used)


def size_vms(
    app_vcpu: float | str = 2.0,
    app_memory_gib: float | str = 4.0,
    app_disk_gb: float | str = 20.0,
    guest_os_memory_gib: float | str = 0.5,
    guest_os_disk_gb: float | str = 10.0,
    hypervisor: str = "qemu",
    host_cores: int | str = 32,
    host_memory_gib: float | str = 128.0,
    host_disk_gb: float | str = 2000.0,
    cpu_overcommit: float | str = 1.0,
    host_reserved_memory_gib: float | str = 2.0,
    n_workloads: int | str = 100,
) -> Sizing:
    """Size one VM per workload and pack the VMs onto hosts.

    Every default is an illustrative assumption, set your own (see
    the signature), except the hypervisor overheads, which come from
    ``data/firecracker_spec.csv``.

    Parameters
    ----------
    app_vcpu, app_memory_gib, app_disk_gb:
        What one workload needs: 0.25–64 vCPUs, 0.1–512 GiB, 1–10,000 GB.
    guest_os_memory_gib, guest_os_disk_gb:
        What the guest OS inside each VM takes: 0–64 GiB (default 0.5,
        illustrative assumption, set your own), 0–1,000 GB (default 10,
        illustrative assumption, set your own).
    hypervisor:
        ``"qemu"`` (about 131 MB per VM, secondary), ``"firecracker"`` (at most
        5 MiB per VM, verified) or ``"none"``.
    host_cores, host_memory_gib, host_disk_gb:
        One host: 1–512 cores, 1–8,192 GiB, 1–1,000,000 GB.
    cpu_overcommit:
        vCPUs per physical core, 1–8 (1 = no overcommit).
    host_reserved_memory_gib:
        Memory the host OS and hypervisor keep for themselves, 0–8,192 GiB
        (default 2, illustrative assumption, set your own); less than the host's memory.
    n_workloads:
        How many workloads (one VM each), 1–100,000.

    Raises
    ------
    ValueError
        On any invalid input (the message names it), or if one VM does not
        fit on a host at all.
    """
    app_vcpu = validate.number("app vCPUs", app_vcpu, minimum=0.25, maximum=64, unit="vCPUs")
    app_mem = validate.number("app memory", app_memory_gib, minimum=0.1, maximum=512, unit="GiB")
    app_disk = validate.number("app disk", app_disk_gb, minimum=1, maximum=10_000, unit="GB")
    guest_mem = validate.number("guest OS memory", guest_os_memory_gib, minimum=0, maximum=64, unit="GiB")
    guest_disk = validate.number("guest OS disk", guest_os_disk_gb, minimum=0, maximum=1000, unit="GB")
    hv_gib, hv_label, hv_cite, hv_source = hypervisor_overhead(hypervisor)
    cores = validate.integer("host cores", host_cores, minimum=1, maximum=512)
    host_mem = validate.number("host memory", host_memory_gib, minimum=1, maximum=8192, unit="GiB")
    host_disk = validate.number("host disk", host_disk_gb, minimum=1, maximum=1_000_000, unit="GB")
    overcommit = validate.number("CPU overcommit", cpu_overcommit, minimum=1, maximum=8, unit="vCPUs per core")
    reserve = validate.number("host reserve", host_reserved_memory_gib, minimum=0, maximum=8192, unit="GiB")
    n = validate.integer("workloads", n_workloads, minimum=1, maximum=100_000)
    if reserve >= host_mem:
        raise ValueError(
            f"host reserve ({format_g(reserve)} GiB) must be less than host memory ({format_g(host_mem)} GiB)"
        )

    # round(..., 9) first, so that float noise (1.1 + 0.4 = 1.5000000000000002) does not round up a step.
    vm_vcpu = math.ceil(round(app_vcpu, 9))
    vm_mem = math.ceil(round((app_mem + guest_mem) / MEMORY_STEP_GIB, 9)) * MEMORY_STEP_GIB
    vm_disk = app_disk + guest_disk
    footprint = vm_mem + hv_gib  # memory one VM takes from the host
    cpu_capacity = cores * overcommit
    offered = host_mem - reserve

    if vm_vcpu > cpu_capacity + 1e-9:
        raise ValueError(
            f"one VM needs {vm_vcpu} vCPUs but the host offers {format_g(cpu_capacity)} "
            f"({cores} cores × overcommit {format_g(overcommit)})"
        )
    if footprint > offered + 1e-9:
        with_hv = f" (with {format_g(hv_gib)} GiB hypervisor overhead)" if hv_gib else ""
        raise ValueError(
            f"one VM needs {format_g(footprint)} GiB of memory{with_hv} but the host offers "
            f"{format_g(offered)} GiB after its reserve"
        )
    if vm_disk > host_disk + 1e-9:
        raise ValueError(f"one VM needs {format_g(vm_disk)} GB of disk but the host has {format_g(host_disk)} GB")

    limits = (
        ("CPU", math.floor(round(cpu_capacity / vm_vcpu, 9))),
        ("memory", math.floor(round(offered / footprint, 9))),
        ("disk", math.floor(round(host_disk / vm_disk, 9))),
    )
    per_host = min(v for _, v in limits)
    binding = next(name for name, v in limits if v == per_host)
    used = per_host * footprint
    return Sizing(
        vm_vcpu=vm_vcpu,
        vm_memory_gib=vm_mem,
        vm_disk_gb=vm_disk,
        per_host=per_host,
        binding=binding,
        limits=limits,
        hosts=math.ceil(n / per_host),
        n_workloads=n,
        host_memory_gib=host_mem,
        cpu_capacity=cpu_capacity,
        vcpus_used=per_host * vm_vcpu,
        mem_app_gib=per_host * app_mem,
        mem_guest_os_gib=per_host * guest_mem,
        mem_rounding_gib=per_host * max(0.0, vm_mem - app_mem - guest_mem),
        mem_hypervisor_gib=per_host * hv_gib,
        mem_reserved_gib=reserve,
        mem_free_gib=max(0.0, offered - used),
        overhead_share=(guest_mem + hv_gib) / footprint,
        hypervisor=hypervisor,
        hypervisor_gib=hv_gib,
        hypervisor_label=hv_label,
        hypervisor_cite=hv_cite,
        hypervisor_source=hv_source,
    )
