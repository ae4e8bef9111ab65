"""What hosting costs on VMs and on containers.

* :func:`hosting_cost`: a workload needs ``avg_vcpu`` vCPUs and ``avg_mem_gb`` GB on average and
  ``peak_to_avg`` times that at its peak. VMs are kept for the peak, less the share of the variability a slow
  VM autoscaling follows: VMs = ceil(max(vCPUs, memory) kept / VM size) at a price per instance-hour, less a
  reserved/committed-use discount. Containers billed per vCPU-hour and GB-hour follow the load: average × (1 +
  headroom), plus the platform's node headroom (%) and control plane (USD/month). A month is 730 h.
* :func:`break_even_variability`: the peak-to-average ratio above which containers are cheaper, solved
  analytically (the VM cost is linear in the ratio, or a staircase of it with whole VMs).
(:mod:`widgets.models.tco` adds what a move costs over the years.)

Prices come from ``data/cloud_prices.csv``: secondary snapshots, each shown with its date, its source and the
words "secondary snapshot, re-check before use". VM sizes are NOT in the data (learner inputs); every other
default is an illustrative assumption: set your own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..core import validate
from ..core.units import HOURS_PER_MONTH, MONTHS_PER_YEAR
from .prices import PLATFORM_ROWS, VM_ROWS, Price, price

MAX_VCPU, MAX_MEM_GB, MAX_RATIO, MAX_VMS = 1e5, 1e6, 1000.0, 10_000_000
MAX_PCT, MAX_USD, MAX_YEARS = 1000.0, 1e10, 50


@dataclass(frozen=True)
class HostingCost:
    """Monthly (730 h) and yearly hosting cost of one workload on VMs and on a container platform (USD)."""

    avg_vcpu: float
    avg_mem_gb: float
    peak_to_avg: float
    vm_vcpu: float
    vm_mem_gb: float
    discount_pct: float
    vm_autoscale_share: float
    whole_vms: bool
    headroom_pct: float
    node_headroom_pct: float
    control_plane_usd_month: float
    platform: str
    vm: Price
    cpu_price: Price
    mem_price: Price
    vms_per_load: float  # VMs the average load fills: max(vCPU share, memory share)
    vm_unit_monthly: float  # one VM for a month, after the discount
    vms: float  # VMs kept (whole unless whole_vms is False)
    vm_monthly: float
    container_vcpu: float  # vCPUs billed: average × (1 + headroom)
    container_mem_gb: float
    compute_monthly: float  # the containers' vCPU-hour and GB-hour charges
    overhead_monthly: float  # node headroom + control plane
    container_monthly: float  # compute + overhead
    break_even: float  # peak-to-average ratio above which containers are cheaper; 1.0 always, inf never

    def vm_count_at(self, ratio: float) -> float:
        """VMs kept at a peak-to-average ratio (the other inputs unchanged)."""
        need = self.vms_per_load * (1 + (1 - self.vm_autoscale_share) * (ratio - 1))
        return float(math.ceil(round(need, 9))) if self.whole_vms else need

    def vm_monthly_at(self, ratio: float) -> float:
        """The VMs' monthly cost at a peak-to-average ratio (USD)."""
        return self.vm_count_at(ratio) * self.vm_unit_monthly

    @property
    def vm_yearly(self) -> float:
        """The VMs' yearly cost (USD)."""
        return self.vm_monthly * MONTHS_PER_YEAR

    @property
    def container_yearly(self) -> float:
        """The containers' yearly cost (USD)."""
        return self.container_monthly * MONTHS_PER_YEAR

    @property
    def cheaper(self) -> str:
        """``"vm"``, ``"container"`` or ``"neither"`` (equal cost); :attr:`saving_monthly` says by how much."""
        diff = self.vm_monthly - self.container_monthly
        return "neither" if abs(diff) < 1e-9 else ("container" if diff > 0 else "vm")

    @property
    def saving_monthly(self) -> float:
        """How much the cheaper option saves per month (USD)."""
        return abs(self.vm_monthly - self.container_monthly)


def _break_even(per_load: float, share: float, unit: float, container: float, whole: bool) -> float:
    """The ratio above which the VMs cost more than ``container`` (see :func:`break_even_variability`)."""
    if unit <= 0:
        return math.inf  # free VMs
    # VMs the container cost buys: containers are cheaper once the fleet needs more than this.
    level = math.floor(round(container / unit, 9)) if whole else container / unit
    factor = level / per_load  # load factor (1 = the average) at which that happens
    if factor <= 1:
        return 1.0
    if share >= 1:
        return math.inf  # the VMs follow the whole variability: their cost does not grow with it
    return 1 + (factor - 1) / (1 - share)


def hosting_cost(
    avg_vcpu: float | str = 4.0,
    avg_mem_gb: float | str = 16.0,
    peak_to_avg: float | str = 3.0,
    vm_type: str = VM_ROWS[0],
    vm_vcpu: float | str = 2.0,
    vm_mem_gb: float | str = 8.0,
    discount_pct: float | str = 0.0,
    vm_autoscale_share: float | str = 0.0,
    whole_vms: bool = True,
    platform: str = "fargate_x86",
    headroom_pct: float | str = 20.0,
    node_headroom_pct: float | str = 10.0,
    control_plane_usd_month: float | str = 50.0,
) -> HostingCost:
    """Monthly cost of a workload on VMs kept for its peak and on containers that follow it.

    Defaults: illustrative assumptions, set your own; prices from
    ``data/cloud_prices.csv`` (secondary snapshots, re-check before use).

    Parameters
    ----------
    avg_vcpu, avg_mem_gb, peak_to_avg:
        Average need (vCPUs, GB; above zero) and peak / average (1 = steady, up to 1000).
    vm_type, vm_vcpu, vm_mem_gb:
        A row id of :data:`VM_ROWS` and one VM's size (not in the data: default 2 vCPUs / 8 GB, illustrative).
    discount_pct, vm_autoscale_share, whole_vms:
        Reserved/committed-use discount on the VMs (0–100 %); share of the variability the VMs follow (0: kept
        for the peak, 1: follow it fully); count whole VMs (True) or the fraction (False: a linear model).
    platform, headroom_pct, node_headroom_pct, control_plane_usd_month:
        ``"fargate_x86"`` or ``"fargate_arm"``; containers' spare capacity on top of the average and the
        platform's node headroom (0–1000 %); the platform's control plane (USD per month).

    Raises
    ------
    ValueError
        If an input is out of range or not a number (the message names it), or the fleet is too large.
    """
    cpu = validate.number("average vCPUs", avg_vcpu, minimum=0, maximum=MAX_VCPU, allow_zero=False, unit="vCPUs")
    mem = validate.number("average memory", avg_mem_gb, minimum=0, maximum=MAX_MEM_GB, allow_zero=False, unit="GB")
    ratio = validate.number("peak-to-average ratio", peak_to_avg, minimum=1, maximum=MAX_RATIO)
    vm = price(validate.choice("VM type", vm_type, VM_ROWS))
    vm_cpu = validate.number("VM vCPUs", vm_vcpu, minimum=0, maximum=1000, allow_zero=False, unit="vCPUs")
    vm_mem = validate.number("VM memory", vm_mem_gb, minimum=0, maximum=100_000, allow_zero=False, unit="GB")
    discount = validate.number("discount", discount_pct, minimum=0, maximum=100, unit="%")
    share = validate.number("VM autoscaling share", vm_autoscale_share, minimum=0, maximum=1)
    whole = validate.flag("whole VMs", whole_vms)
    cpu_row, mem_row = PLATFORM_ROWS[validate.choice("platform", platform, PLATFORM_ROWS)]
    head = validate.number("headroom", headroom_pct, minimum=0, maximum=MAX_PCT, unit="%")
    node = validate.number("node headroom", node_headroom_pct, minimum=0, maximum=MAX_PCT, unit="%")
    plane = validate.number("control plane", control_plane_usd_month, minimum=0, maximum=MAX_USD, unit="USD/month")
    cpu_price, mem_price = price(cpu_row), price(mem_row)
    per_load = max(cpu / vm_cpu, mem / vm_mem)
    need = per_load * (1 + (1 - share) * (ratio - 1))
    if not need <= MAX_VMS:
        raise ValueError(f"the workload needs {need:,.0f} VMs, more than {MAX_VMS:,}: use bigger VMs")
    vms = float(math.ceil(round(need, 9))) if whole else need
    c_cpu, c_mem = cpu * (1 + head / 100), mem * (1 + head / 100)
    compute = (c_cpu * cpu_price.usd + c_mem * mem_price.usd) * HOURS_PER_MONTH
    overhead = compute * node / 100 + plane
    unit = vm.usd * HOURS_PER_MONTH * (1 - discount / 100)
    return HostingCost(
        cpu,
        mem,
        ratio,
        vm_cpu,
        vm_mem,
        discount,
        share,
        whole,
        head,
        node,
        plane,
        platform,
        vm,
        cpu_price,
        mem_price,
        per_load,
        unit,
        vms,
        vms * unit,
        c_cpu,
        c_mem,
        compute,
        overhead,
        compute + overhead,
        _break_even(per_load, share, unit, compute + overhead, whole),
    )


def break_even_variability(**inputs: Any) -> float:
    """The peak-to-average ratio above which containers are cheaper than VMs.

    Takes the keywords of :func:`hosting_cost` (``peak_to_avg`` is checked but does not change the answer).
    Returns 1.0 if containers are cheaper even for a steady load and ``math.inf`` if they never are. With
    fractional VMs both costs are equal at the ratio returned; with whole VMs it is the step at which the
    VM fleet first costs more than the containers.
    """
    return hosting_cost(**inputs).break_even
