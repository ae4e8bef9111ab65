"""What hosting costs on VMs and on the container platforms a buyer compares.

:func:`hosting_cost`: a workload needs ``avg_vcpu`` vCPUs and ``avg_mem_gb`` GB on average and
``peak_to_avg`` times that at its peak. Three ways to run it, each billed its own way:

* **VMs** (an autoscaling group): whole instances at a price per instance-hour, less a reserved,
  committed-use or Spot discount (set your own). They are kept for the peak, less the share of the variability
  the group follows (``vm_autoscale_share``: 0 = kept for the peak, 1 = follows it fully).
* **containers on a node pool** (``platform="node_pool"``, e.g. EKS on EC2): the nodes are the same VMs, billed
  the same way and added by the cluster-autoscaler as slowly as VMs (the same share); pods fill only part of
  each node (``packing_pct``, bin-packing and system reserve), and the cluster's control plane is billed on top.
* **serverless containers** (``"fargate_x86"``, ``"fargate_arm"``): billed per vCPU-second and GB-second for
  what each task requests, following the load (average + headroom), less a Fargate Spot discount (set your
  own); the control plane of ECS costs nothing. Each task takes tens of seconds to start (the load simulation
  shows what that costs), and runs in a micro-VM of its own.

:func:`break_even_variability`: the peak-to-average ratio above which the containers are cheaper. A node pool
running one workload is never cheaper than the same VMs (same instances, partial packing, a control plane):
its savings come from many services sharing the nodes, which this one-workload calculator does not model.
(:mod:`widgets.models.tco` adds what a move costs over the years.) A month is 730 h.

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
from .prices import CONTROL_PLANES, PLATFORM_ROWS, PLATFORMS, VM_ROWS, Price, price

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
    platform: str
    container_discount_pct: float
    headroom_pct: float
    packing_pct: float
    control_plane_usd_month: float
    vm: Price
    cpu_price: Price | None  # serverless only
    mem_price: Price | None
    plane_price: Price
    vms_per_load: float  # VMs the average load fills: max(vCPU share, memory share)
    vm_unit_monthly: float  # one VM for a month, after the discount
    vms: float  # VMs kept (whole unless whole_vms is False)
    vm_monthly: float
    container_vcpu: float  # vCPUs the containers request: average × (1 + headroom)
    container_mem_gb: float
    nodes: float  # node pool: nodes kept (0 for serverless)
    compute_monthly: float  # the containers' compute: task charges, or the nodes
    overhead_monthly: float  # the control plane
    container_monthly: float  # compute + overhead
    break_even: float  # peak-to-average ratio above which containers are cheaper; 1.0 always, inf never

    @property
    def serverless(self) -> bool:
        """True for a serverless container platform (billed per task), False for a node pool."""
        return self.platform in PLATFORM_ROWS

    def kept_factor(self, ratio: float) -> float:
        """Capacity kept, as a multiple of the average, by an autoscaling group following its share."""
        return 1 + (1 - self.vm_autoscale_share) * (ratio - 1)

    def vm_count_at(self, ratio: float) -> float:
        """VMs kept at a peak-to-average ratio (the other inputs unchanged)."""
        need = self.vms_per_load * self.kept_factor(ratio)
        return float(math.ceil(round(need, 9))) if self.whole_vms else need

    def vm_monthly_at(self, ratio: float) -> float:
        """The VMs' monthly cost at a peak-to-average ratio (USD)."""
        return self.vm_count_at(ratio) * self.vm_unit_monthly

    def container_monthly_at(self, ratio: float) -> float:
        """The containers' monthly cost at a peak-to-average ratio (USD; constant for serverless)."""
        if self.serverless:
            return self.container_monthly
        need = self.vms_per_load / (self.packing_pct / 100) * self.kept_factor(ratio)
        nodes = float(math.ceil(round(need, 9))) if self.whole_vms else need
        return nodes * self.vm_unit_monthly + self.overhead_monthly

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
    """The ratio above which the VMs cost more than a constant ``container`` cost."""
    if unit <= 0:
        return math.inf  # free VMs
    if share >= 1:  # the VMs follow the whole variability: their cost does not grow with it
        steady = (math.ceil(round(per_load, 9)) if whole else per_load) * unit
        return 1.0 if container < steady else math.inf
    # VMs the container cost buys: containers are cheaper once the fleet needs more than this.
    level = math.floor(round(container / unit, 9)) if whole else container / unit
    factor = level / per_load  # load factor (1 = the average) at which that happens
    if factor <= 1:
        return 1.0
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
    container_discount_pct: float | str = 0.0,
    headroom_pct: float | str = 20.0,
    packing_pct: float | str = 85.0,
    control_plane_usd_month: float | str | None = None,
) -> HostingCost:
    """Monthly cost of a workload on VMs and on a container platform (see the module docstring).

    Defaults: illustrative assumptions, set your own; prices from ``data/cloud_prices.csv`` (secondary snapshots,
    re-check before use).

    Parameters
    ----------
    avg_vcpu, avg_mem_gb, peak_to_avg:
        Average need (vCPUs, GB; above zero) and peak / average (1 = steady, up to 1000).
    vm_type, vm_vcpu, vm_mem_gb:
        A row id of :data:`VM_ROWS` and one VM's size (not in the data: default 2 vCPUs / 8 GB, illustrative).
    discount_pct, vm_autoscale_share, whole_vms:
        Discount on the VMs (and a node pool's nodes): reserved, committed-use or Spot (0-100 %); share of the
        variability an autoscaling group follows (0-1); count whole VMs (True) or the fraction (False).
    platform, container_discount_pct, headroom_pct:
        One of :data:`PLATFORMS`; a discount on serverless tasks (Fargate Spot, 0-100 %); spare capacity the
        serverless containers request on top of the average (0-1000 %).
    packing_pct, control_plane_usd_month:
        Share of each node the pods of a node pool can fill (1-100 %); the cluster's control plane (USD per
        month; None or empty text: the platform's own from the data, EKS for a node pool, ECS for Fargate).

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
    plat = validate.choice("platform", platform, PLATFORMS)
    c_disc = validate.number("container discount", container_discount_pct, minimum=0, maximum=100, unit="%")
    head = validate.number("headroom", headroom_pct, minimum=0, maximum=MAX_PCT, unit="%")
    pack = validate.number("packing", packing_pct, minimum=1, maximum=100, unit="%")
    plane_price = price(CONTROL_PLANES[plat])
    default_plane = plane_price.usd * HOURS_PER_MONTH
    own = control_plane_usd_month is None or (
        isinstance(control_plane_usd_month, str) and not control_plane_usd_month.strip()
    )
    plane = validate.number(
        "control plane",
        default_plane if own else control_plane_usd_month,
        minimum=0,
        maximum=MAX_USD,
        unit="USD/month",
    )
    per_load = max(cpu / vm_cpu, mem / vm_mem)
    kept = 1 + (1 - share) * (ratio - 1)
    need = per_load * kept
    if not need / (pack / 100) <= MAX_VMS:
        raise ValueError(f"the workload needs {need:,.0f} VMs, more than {MAX_VMS:,}: use bigger VMs")
    vms = float(math.ceil(round(need, 9))) if whole else need
    unit = vm.usd * HOURS_PER_MONTH * (1 - discount / 100)
    c_cpu, c_mem = cpu * (1 + head / 100), mem * (1 + head / 100)
    if plat in PLATFORM_ROWS:
        cpu_price, mem_price = (price(r) for r in PLATFORM_ROWS[plat])
        compute = (c_cpu * cpu_price.usd + c_mem * mem_price.usd) * HOURS_PER_MONTH * (1 - c_disc / 100)
        nodes = 0.0
        be = _break_even(per_load, share, unit, compute + plane, whole)
    else:
        cpu_price = mem_price = None
        node_need = per_load / (pack / 100) * kept
        nodes = float(math.ceil(round(node_need, 9))) if whole else node_need
        compute = nodes * unit
        be = math.inf  # the same instances, partly packed, plus a control plane: never cheaper than the VMs
    return HostingCost(
        cpu,
        mem,
        ratio,
        vm_cpu,
        vm_mem,
        discount,
        share,
        whole,
        plat,
        c_disc,
        head,
        pack,
        plane,
        vm,
        cpu_price,
        mem_price,
        plane_price,
        per_load,
        unit,
        vms,
        vms * unit,
        c_cpu,
        c_mem,
        nodes,
        compute,
        plane,
        compute + plane,
        be,
    )


def break_even_variability(**inputs: Any) -> float:
    """The peak-to-average ratio above which the containers are cheaper than the VMs.

    Takes the keywords of :func:`hosting_cost` (``peak_to_avg`` is checked but does not change the answer).
    Returns 1.0 if containers are cheaper even for a steady load and ``math.inf`` if they never are (always for
    a node pool running one workload). With fractional VMs both costs are equal at the ratio returned; with
    whole VMs it is the step at which the VM fleet first costs more than the containers.
    """
    return hosting_cost(**inputs).break_even
