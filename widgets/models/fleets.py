"""The two fleets of the load simulation: what one unit is, when it serves after it is ordered, and its price.

A VM is a whole instance with a cited start time and a cited price; a container task is a small slice of a
shared pool priced at the cited Fargate rates. Sizes and capacity per vCPU are illustrative assumptions.
"""

from __future__ import annotations

from typing import Any

from ..core import validate
from ..core.validate import ILLUSTRATIVE
from .prices import VM_ROWS, price
from .profiles import MAX_RATE
from .starttimes import CONTAINER_ROWS, StartTime, delay_minutes, start_time

VM_START_ROWS = ("ec2_linux_m1small", "rackspace_linux", "ec2_windows_m1small")
VM_PRICE_ROWS = VM_ROWS
FARGATE_ROWS = ("aws_fargate_linux_x86_vcpu", "aws_fargate_linux_x86_memory")


def _params(
    platform: str,
    start: StartTime,
    vcpus: float,
    capacity_per_vcpu_rps: float,
    usd: float,
    notes: tuple[str, ...],
    headroom_pct: float,
    min_units: int,
    scale_in_delay_min: int,
) -> dict[str, Any]:
    per = validate.number(
        "capacity per vCPU", capacity_per_vcpu_rps, minimum=0, maximum=MAX_RATE, allow_zero=False, unit="req/s"
    )
    d = delay_minutes(start.seconds)
    return {
        "platform": platform,
        "unit_capacity_rps": vcpus * per,
        "provision_delay_min": d,
        "step_units": 1,
        "headroom_pct": headroom_pct,
        "min_units": min_units,
        "scale_in_delay_min": scale_in_delay_min,
        "price_per_unit_hour": usd,
        "notes": (
            f"{platform} start: {start.label} -> {d} min",
            *notes,
            f"{vcpus:g} vCPU per unit, {per:g} req/s per vCPU: {ILLUSTRATIVE}",
        ),
    }


def vm_params(
    *,
    vm_start: str = VM_START_ROWS[0],
    price_row: str = VM_PRICE_ROWS[0],
    vm_vcpus: float = 2.0,
    capacity_per_vcpu_rps: float = 50.0,
    headroom_pct: float = 20.0,
    min_units: int = 1,
    scale_in_delay_min: int = 10,
) -> dict[str, Any]:
    """:func:`simulate` inputs for whole VMs: cited start time and price; vCPUs, capacity etc. illustrative."""
    vm_price = price(price_row, VM_PRICE_ROWS)
    usd, label = vm_price.usd, vm_price.brief()
    vcpus = validate.number("vCPUs per VM", vm_vcpus, minimum=0, maximum=1024, allow_zero=False)
    return _params(
        "vm",
        start_time(vm_start, VM_START_ROWS, "VM start time"),
        vcpus,
        capacity_per_vcpu_rps,
        usd,
        (f"VM price: {label}",),
        headroom_pct,
        min_units,
        scale_in_delay_min,
    )


def container_params(
    *,
    container_start: str = CONTAINER_ROWS[0],
    task_vcpu: float = 0.25,
    task_gb: float = 0.5,
    capacity_per_vcpu_rps: float = 50.0,
    headroom_pct: float = 20.0,
    min_units: int = 1,
    scale_in_delay_min: int = 10,
) -> dict[str, Any]:
    """:func:`simulate` inputs for small tasks on a shared pool, priced at the cited Fargate x86 rates."""
    (cpu, cpu_label), (mem, mem_label) = ((p.usd, p.brief()) for p in (price(r, FARGATE_ROWS) for r in FARGATE_ROWS))
    vcpu = validate.number("vCPU per task", task_vcpu, minimum=0, maximum=64, allow_zero=False)
    gb = validate.number("memory per task", task_gb, minimum=0, maximum=512, unit="GB")
    return _params(
        "container",
        start_time(container_start, CONTAINER_ROWS, "container start time"),
        vcpu,
        capacity_per_vcpu_rps,
        vcpu * cpu + gb * mem,
        (f"task vCPU: {cpu_label}", f"task memory: {mem_label}", f"{gb:g} GB per task: {ILLUSTRATIVE}"),
        headroom_pct,
        min_units,
        scale_in_delay_min,
    )
