"""The fleets of the load simulation: what one unit is, when it serves after it is ordered, and its price.

* VMs in an autoscaling group: a whole instance with a cited start time and a cited price.
* Serverless containers (AWS Fargate): a small task priced at the cited Fargate rates, which starts in the
  cited Fargate task start (tens of seconds: each task boots its own micro-VM and pulls its image).
* Containers on a node pool: the nodes are the same VMs, added by the cluster-autoscaler after its scan
  interval plus a VM start (both cited); pods fill only part of each node (packing), and the cluster's control
  plane (EKS, cited) is billed by the hour whatever the pool's size.

Sizes, packing and capacity per vCPU are illustrative assumptions; every price is a secondary, dated snapshot.
"""

from __future__ import annotations

from typing import Any

from ..core import data, validate
from ..core.units import format_ms
from ..core.validate import ILLUSTRATIVE
from .prices import CONTROL_PLANES, VM_ROWS, price
from .profiles import MAX_RATE
from .starttimes import StartTime, delay_minutes, start_time

VM_START_ROWS = ("ec2_linux_m1small", "rackspace_linux", "ec2_windows_m1small")
VM_PRICE_ROWS = VM_ROWS
FARGATE_ROWS = ("aws_fargate_linux_x86_vcpu", "aws_fargate_linux_x86_memory")
#: Rows of data/scaling_times.csv: a serverless task's start; the cluster-autoscaler's scan interval.
SERVERLESS_START, AUTOSCALER_SCAN = "fargate_task_start", "ca_scan_interval"


def scaling_time(row_id: str) -> tuple[float, str, str]:
    """A row of ``data/scaling_times.csv``: (seconds, what it is, citation)."""
    table = data.load("scaling_times")
    row = table.row(id=row_id)
    return float(row["value_s"]), f"{row['platform']}, {row['event']} ({row['statistic']})", table.cite(row)


def _params(
    platform: str,
    seconds: float,
    start_label: str,
    vcpus: float,
    capacity_per_vcpu_rps: float,
    usd: float,
    notes: tuple[str, ...],
    headroom_pct: float,
    min_units: int,
    scale_in_delay_min: int,
    fixed: float = 0.0,
) -> dict[str, Any]:
    per = validate.number(
        "capacity per vCPU", capacity_per_vcpu_rps, minimum=0, maximum=MAX_RATE, allow_zero=False, unit="req/s"
    )
    d = delay_minutes(seconds)
    return {
        "platform": platform,
        "unit_capacity_rps": vcpus * per,
        "provision_delay_min": d,
        "step_units": 1,
        "headroom_pct": headroom_pct,
        "min_units": min_units,
        "scale_in_delay_min": scale_in_delay_min,
        "price_per_unit_hour": usd,
        "fixed_price_per_hour": fixed,
        "notes": (
            f"{start_label} -> {d} min",
            *notes,
            f"{vcpus:g} usable vCPU per unit, {per:g} req/s per vCPU: {ILLUSTRATIVE}",
        ),
    }


def _vm(vm_start: str, price_row: str, vm_vcpus: float) -> tuple[StartTime, Any, float]:
    vm_price = price(price_row, VM_PRICE_ROWS)
    vcpus = validate.number("vCPUs per VM", vm_vcpus, minimum=0, maximum=1024, allow_zero=False)
    return start_time(vm_start, VM_START_ROWS, "VM start time"), vm_price, vcpus


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
    start, vm_price, vcpus = _vm(vm_start, price_row, vm_vcpus)
    return _params(
        "vm",
        start.seconds,
        f"VM start: {start.label}",
        vcpus,
        capacity_per_vcpu_rps,
        vm_price.usd,
        (f"VM price: {vm_price.brief()}",),
        headroom_pct,
        min_units,
        scale_in_delay_min,
    )


def node_pool_params(
    *,
    vm_start: str = VM_START_ROWS[0],
    price_row: str = VM_PRICE_ROWS[0],
    vm_vcpus: float = 2.0,
    packing_pct: float = 85.0,
    capacity_per_vcpu_rps: float = 50.0,
    headroom_pct: float = 20.0,
    min_units: int = 1,
    scale_in_delay_min: int = 10,
) -> dict[str, Any]:
    """:func:`simulate` inputs for nodes of a node pool: a VM each, added after the autoscaler's scan interval
    and a VM start, filled to ``packing_pct``; the control plane billed by the hour (EKS, cited)."""
    start, vm_price, vcpus = _vm(vm_start, price_row, vm_vcpus)
    pack = validate.number("packing", packing_pct, minimum=1, maximum=100, unit="%")
    scan, scan_label, scan_cite = scaling_time(AUTOSCALER_SCAN)
    plane = price(CONTROL_PLANES["node_pool"])
    return _params(
        "container",
        scan + start.seconds,
        f"node start: autoscaler scan {scan:g} s ({scan_cite}) + VM start {start.label}",
        vcpus * pack / 100,
        capacity_per_vcpu_rps,
        vm_price.usd,
        (f"node price: {vm_price.brief()}", f"control plane: {plane.brief()}", f"packing {pack:g}%: {ILLUSTRATIVE}"),
        headroom_pct,
        min_units,
        scale_in_delay_min,
        plane.usd,
    )


def container_params(
    *,
    task_vcpu: float = 0.25,
    task_gb: float = 0.5,
    capacity_per_vcpu_rps: float = 50.0,
    headroom_pct: float = 20.0,
    min_units: int = 1,
    scale_in_delay_min: int = 10,
) -> dict[str, Any]:
    """:func:`simulate` inputs for serverless tasks: the cited Fargate x86 rates and the cited task start."""
    (cpu, cpu_label), (mem, mem_label) = ((p.usd, p.brief()) for p in (price(r, FARGATE_ROWS) for r in FARGATE_ROWS))
    vcpu = validate.number("vCPU per task", task_vcpu, minimum=0, maximum=64, allow_zero=False)
    gb = validate.number("memory per task", task_gb, minimum=0, maximum=512, unit="GB")
    seconds, what, cite = scaling_time(SERVERLESS_START)
    return _params(
        "container",
        seconds,
        f"task start: {what}: {format_ms(seconds * 1000)} ({cite})",
        vcpu,
        capacity_per_vcpu_rps,
        vcpu * cpu + gb * mem,
        (f"task vCPU: {cpu_label}", f"task memory: {mem_label}", f"{gb:g} GB per task: {ILLUSTRATIVE}"),
        headroom_pct,
        min_units,
        scale_in_delay_min,
    )
