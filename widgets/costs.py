"""What hosting costs on VMs and on containers, and what a move to containers costs over the years.

* :func:`hosting_cost`: a workload needs ``avg_vcpu`` vCPUs and ``avg_mem_gb`` GB on average and
  ``peak_to_avg`` times that at its peak. VMs are kept for the peak, less the share of the variability a slow
  VM autoscaling follows: VMs = ceil(max(vCPUs, memory) kept / VM size) at a price per instance-hour, less a
  reserved/committed-use discount. Containers billed per vCPU-hour and GB-hour follow the load: average × (1 +
  headroom), plus the platform's node headroom (%) and control plane (USD/month). A month is 730 h.
* :func:`break_even_variability`: the peak-to-average ratio above which containers are cheaper, solved
  analytically (the VM cost is linear in the ratio, or a staircase of it with whole VMs).
* :func:`tco`: hosting + engineering (team × loaded cost × share of time on operations) + one-off training,
  migration and risk (probability × cost of a failed migration), over N years, for "stay on VMs" and
  "re-architect to containers". The point to see: engineering outweighs hosting.

Prices come from ``data/cloud_prices.csv``: secondary snapshots, each shown with its date, its source and the
words "secondary snapshot, re-check before use". VM sizes are NOT in the data (learner inputs); every other
default is an illustrative assumption: set your own.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ipywidgets as ipw
import numpy as np
import plotly.graph_objects as go

from . import data, validate
from .calculator import ILLUSTRATIVE, Calculator, check_known, number_box
from .figures import new_figure
from .theme import COLORS

HOURS_PER_MONTH = 730.0
MONTHS_PER_YEAR = 12
STALE = "secondary snapshot, re-check before use"

#: VM price rows in data/cloud_prices.csv (USD per instance-hour; sizes not in the data).
VM_ROWS = ("aws_ec2_m5_large", "aws_ec2_m6i_large", "aws_ec2_m7g_large", "azure_d2s_v5", "gcp_e2_standard_2")
#: Container platform key -> (vCPU-hour row, GB-hour row).
PLATFORM_ROWS = {"fargate_x86": ("aws_fargate_linux_x86_vcpu", "aws_fargate_linux_x86_memory"),
                 "fargate_arm": ("aws_fargate_linux_arm_vcpu", "aws_fargate_linux_arm_memory")}
PLATFORM_NAMES = {"fargate_x86": "AWS Fargate Linux/x86", "fargate_arm": "AWS Fargate Linux/ARM"}

MAX_VCPU, MAX_MEM_GB, MAX_RATIO, MAX_VMS = 1e5, 1e6, 1000.0, 10_000_000
MAX_PCT, MAX_USD, MAX_YEARS = 1000.0, 1e10, 50

#: Hosting starting values: illustrative assumptions, set your own (the prices come from data).
COST_DEFAULTS: dict[str, Any] = {
    "avg_vcpu": 4.0, "avg_mem_gb": 16.0, "peak_to_avg": 3.0, "vm_type": VM_ROWS[0], "vm_vcpu": 2.0,
    "vm_mem_gb": 8.0, "discount_pct": 0.0, "vm_autoscale_share": 0.0, "whole_vms": True, "platform": "fargate_x86",
    "headroom_pct": 20.0, "node_headroom_pct": 10.0, "control_plane_usd_month": 50.0,
}
#: TCO starting values, a legacy application: illustrative assumptions, set your own (none is data).
TCO_DEFAULTS: dict[str, float | int] = {
    "years": 5, "team_size": 4.0, "engineer_usd_year": 120_000.0, "ops_share_vm_pct": 30.0,
    "ops_share_container_pct": 25.0, "training_usd_per_engineer": 2_000.0, "migration_engineer_months": 6.0,
    "failure_probability_pct": 20.0, "failed_migration_usd": 100_000.0,
}
STRATEGIES = {"vm": "stay on VMs (lift and shift or keep)", "container": "re-architect to containers"}
COMPONENTS = ("hosting", "engineering", "training", "migration", "risk")


@dataclass(frozen=True)
class Price:
    """One row of ``data/cloud_prices.csv``, with its date and source."""

    id: str
    label: str
    usd: float
    per: str
    region: str
    date_seen: str
    cite: str

    @property
    def short(self) -> str:
        """The item's name alone, e.g. ``m5.large``."""
        return self.label.split(": ")[-1].split(",")[0]

    @property
    def when(self) -> str:
        """When the price was seen: ``seen 2026-03-10`` or ``undated``."""
        return self.date_seen if self.date_seen.startswith("undated") else f"seen {self.date_seen}"

    def text(self) -> str:
        """The price with its region, date, source and the staleness words."""
        where = f"{self.region}; " if self.region else ""
        return f"{self.label}: {self.usd:g} USD per {self.per} ({where}{self.when}; {self.cite}; {STALE})"


def price(row_id: str) -> Price:
    """The price row ``row_id`` of ``data/cloud_prices.csv`` as a :class:`Price`."""
    table = data.load("cloud_prices")
    row = table.row(id=row_id)
    label = f"{row['provider']} {row['service']}: {row['item']}"
    return Price(row["id"], label, row["price_usd"], row["per"], row["region"] or "", row["date_seen"], table.cite(row))


def vm_options() -> list[tuple[str, str]]:
    """Dropdown options ``(label with price, date and source, row id)`` for the VM types."""
    return [(f"{p.label}, {p.usd:g} USD/h ({p.when}; {p.cite})", p.id) for p in map(price, VM_ROWS)]


def platform_options() -> list[tuple[str, str]]:
    """Dropdown options for the container platforms, labelled with their prices and dates."""
    out = []
    for key, (cpu_row, mem_row) in PLATFORM_ROWS.items():
        cpu, mem = price(cpu_row), price(mem_row)
        out.append((f"{PLATFORM_NAMES[key]}, {cpu.usd:g} USD/vCPU-h + {mem.usd:g} USD/GB-h "
                    f"({cpu.when}; {cpu.cite})", key))
    return out


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


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def hosting_cost(
    avg_vcpu: float | str = 4.0, avg_mem_gb: float | str = 16.0, peak_to_avg: float | str = 3.0,
    vm_type: str = VM_ROWS[0], vm_vcpu: float | str = 2.0, vm_mem_gb: float | str = 8.0,
    discount_pct: float | str = 0.0, vm_autoscale_share: float | str = 0.0, whole_vms: bool = True,
    platform: str = "fargate_x86", headroom_pct: float | str = 20.0, node_headroom_pct: float | str = 10.0,
    control_plane_usd_month: float | str = 50.0,
) -> HostingCost:
    """Monthly cost of a workload on VMs kept for its peak and on containers that follow it.

    Defaults: illustrative assumptions, set your own (:data:`COST_DEFAULTS`); prices from
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
    whole = _flag("whole VMs", whole_vms)
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
    return HostingCost(cpu, mem, ratio, vm_cpu, vm_mem, discount, share, whole, head, node, plane, platform, vm,
                       cpu_price, mem_price, per_load, unit, vms, vms * unit, c_cpu, c_mem, compute, overhead,
                       compute + overhead, _break_even(per_load, share, unit, compute + overhead, whole))


def break_even_variability(**inputs: Any) -> float:
    """The peak-to-average ratio above which containers are cheaper than VMs.

    Takes the keywords of :func:`hosting_cost` (``peak_to_avg`` is checked but does not change the answer).
    Returns 1.0 if containers are cheaper even for a steady load and ``math.inf`` if they never are. With
    fractional VMs both costs are equal at the ratio returned; with whole VMs it is the step at which the
    VM fleet first costs more than the containers.
    """
    return hosting_cost(**inputs).break_even


def _usd(x: float) -> str:
    return f"{x:,.2f}" if abs(x) < 1000 else f"{x:,.0f}"


def _break_even_words(h: HostingCost) -> str:
    if h.break_even == 1.0:
        return "containers are cheaper at any peak-to-average ratio above 1"
    if math.isinf(h.break_even):
        return "containers are not cheaper at any peak-to-average ratio"
    return f"containers become cheaper above a peak-to-average ratio of {h.break_even:.3g}"


def summarize_cost(h: HostingCost) -> str:
    """One sentence: both monthly and yearly costs, which is cheaper, by how much, the break-even ratio."""
    vms = f"{h.vms:g}" if h.whole_vms else f"{h.vms:.3g}"
    winner = {"vm": "VMs are cheaper", "container": "containers are cheaper", "neither": "they cost the same"}
    by = f" by {_usd(h.saving_monthly)} USD a month ({_usd(h.saving_monthly * 12)} a year)" * (h.cheaper != "neither")
    return (f"For {h.avg_vcpu:g} vCPUs and {h.avg_mem_gb:g} GB on average with peaks {h.peak_to_avg:g}× the average, "
            f"{vms} {h.vm.short} VM{'s' * (h.vms != 1)} cost {_usd(h.vm_monthly)} USD a month "
            f"({_usd(h.vm_yearly)} a year) and containers on {PLATFORM_NAMES[h.platform]} "
            f"{_usd(h.container_monthly)} USD ({_usd(h.container_yearly)} a year): {winner[h.cheaper]}{by}; "
            f"{_break_even_words(h)} (prices: {STALE}).")


def details_cost(h: HostingCost) -> str:
    """HTML: the arithmetic, the prices with their dates and sources, what is assumed."""
    kept = 1 + (1 - h.vm_autoscale_share) * (h.peak_to_avg - 1)
    prices = "".join(f"<li>{html.escape(p.text())}</li>" for p in (h.vm, h.cpu_price, h.mem_price))
    return (f"<p>VMs: {'ceil' * h.whole_vms}(max({h.avg_vcpu:g} / {h.vm_vcpu:g} vCPUs, {h.avg_mem_gb:g} / "
            f"{h.vm_mem_gb:g} GB) × {kept:.4g}) = {h.vms:.4g} VMs × {h.vm.usd:g} USD/h × 730 h × "
            f"(1 − {h.discount_pct:g}%) = {_usd(h.vm_monthly)} USD/month. Containers: ({h.container_vcpu:.4g} vCPU × "
            f"{h.cpu_price.usd:g} + {h.container_mem_gb:.4g} GB × {h.mem_price.usd:g}) USD/h × 730 h = "
            f"{_usd(h.compute_monthly)}, + {h.node_headroom_pct:g}% node headroom + {_usd(h.control_plane_usd_month)}"
            f" control plane = {_usd(h.container_monthly)} USD/month.</p><p>Prices used:</p><ul>{prices}</ul>"
            f"<p><small>The VM size ({h.vm_vcpu:g} vCPUs, {h.vm_mem_gb:g} GB) is not in the data; it and every "
            f"other input are {ILLUSTRATIVE}.</small></p>")


def draw_cost(fig: go.Figure, h: HostingCost) -> None:
    """Redraw the side-by-side bars: VMs and containers (+ platform overhead), USD per month."""
    for trace, y in zip(fig.data, (h.vm_monthly, h.compute_monthly, h.overhead_monthly), strict=True):
        trace.y, trace.text = [y], [_usd(y)]
    fig.data[0].name = f"{h.vms:.4g} × {h.vm.short} ({h.vm.when})"
    fig.data[1].name = f"{PLATFORM_NAMES[h.platform]} vCPU + memory ({h.cpu_price.when})"


def cost_figure(h: HostingCost, *, widget: bool = False) -> go.Figure:
    """Monthly hosting cost: VMs kept for the peak vs containers following the load, side by side."""
    fig = new_figure("Monthly hosting cost: VMs kept for the peak vs containers that follow the load", "",
                     "hosting cost (USD per month)", widget=widget, height=420, barmode="stack",
                     legend={"orientation": "h", "y": -0.15, "x": 0})
    for x, name, key, hatch in (("VMs", "VM instances", "vm", ""), ("containers", "container vCPU + memory",
                                "container", ""), ("containers",
                                "platform overhead (node headroom + control plane)", "container", "/")):
        fig.add_bar(x=[x], y=[0], name=name, marker={"color": COLORS[key], "pattern": {"shape": hatch}},
                    textposition="inside", hovertemplate=f"{name}: %{{y:,.2f}} USD/month<extra></extra>")
    draw_cost(fig, h)
    return fig


def variability_figure(h: HostingCost, max_ratio: float = 10.0) -> go.Figure:
    """Monthly cost vs peak-to-average ratio (1 to ``max_ratio``) for both options, the crossing marked."""
    hi = validate.number("largest ratio shown", max_ratio, minimum=1.5, maximum=MAX_RATIO)
    pts = {(x, h.vm_monthly_at(x)) for x in np.linspace(1, hi, 201).tolist()}
    if h.whole_vms and h.vm_autoscale_share < 1 and h.vm_count_at(hi) - h.vm_count_at(1) <= 1000:
        for j in range(int(h.vm_count_at(1)), int(h.vm_count_at(hi))):  # the fleet grows from j to j + 1 VMs
            x = 1 + (j / h.vms_per_load - 1) / (1 - h.vm_autoscale_share)
            if 1 <= x <= hi:
                pts |= {(x, j * h.vm_unit_monthly), (x, (j + 1) * h.vm_unit_monthly)}
    pts = sorted(pts)
    fig = new_figure("Monthly hosting cost vs load variability", "peak-to-average ratio (×)",
                     "hosting cost (USD per month)", height=420, legend={"orientation": "h", "y": -0.2, "x": 0})
    fig.add_scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines", line={"color": COLORS["vm"]},
                    name=f"VMs ({h.vm.short})")
    fig.add_scatter(x=[1, hi], y=[h.container_monthly] * 2, mode="lines", line={"color": COLORS["container"]},
                    name=f"containers ({PLATFORM_NAMES[h.platform]})")
    be = [h.break_even] if 1 <= h.break_even <= hi else []
    fig.add_scatter(x=be, y=[h.container_monthly] * len(be), mode="markers", name="break-even",
                    marker={"color": COLORS["other"], "size": 12, "symbol": "x"})
    return fig


def variability_summary(h: HostingCost) -> str:
    """One sentence for :func:`variability_figure`."""
    return (f"The containers cost {_usd(h.container_monthly)} USD a month at any variability; the VMs, kept for "
            f"the peak, cost more as the peak grows: {_break_even_words(h)} (prices: {STALE}).")


@dataclass(frozen=True)
class Tco:
    """Yearly and one-off costs of two strategies, and where their cumulative costs cross."""

    years: int
    recurring: dict[str, dict[str, float]]  # strategy -> {"hosting", "engineering"} -> USD per year
    one_off: dict[str, dict[str, float]]  # strategy -> {"training", "migration", "risk"} -> USD, in year 1
    break_even_years: float  # when containers catch up (0 from the start, inf never)

    def totals(self, strategy: str) -> dict[str, float]:
        """Each component's cost over the N years (USD)."""
        validate.choice("strategy", strategy, STRATEGIES)
        out = {k: v * self.years for k, v in self.recurring[strategy].items()}
        return {c: out.get(c, self.one_off[strategy].get(c, 0.0)) for c in COMPONENTS}

    def cumulative(self, strategy: str) -> np.ndarray:
        """Cumulative cost at the end of year 0 (the one-offs), 1, ..., N (USD)."""
        validate.choice("strategy", strategy, STRATEGIES)
        return sum(self.one_off[strategy].values()) + np.arange(self.years + 1) * sum(self.recurring[strategy].values())

    @property
    def break_even_year(self) -> int | None:
        """The year (1..N) by whose end the containers cost no more in total; None if none within N."""
        year = max(1, math.ceil(round(self.break_even_years, 9))) if math.isfinite(self.break_even_years) else None
        return year if year is not None and year <= self.years else None


@lru_cache(maxsize=1)
def default_hosting() -> tuple[float, float]:
    """Yearly hosting (VMs, containers) of :func:`hosting_cost`'s default case, rounded to whole USD."""
    h = hosting_cost()
    return float(round(h.vm_yearly)), float(round(h.container_yearly))


def tco(
    years: int | str = 5, hosting_vm_usd_year: float | str | None = None,
    hosting_container_usd_year: float | str | None = None, team_size: float | str = 4.0,
    engineer_usd_year: float | str = 120_000.0, ops_share_vm_pct: float | str = 30.0,
    ops_share_container_pct: float | str = 25.0, training_usd_per_engineer: float | str = 2_000.0,
    migration_engineer_months: float | str = 6.0, failure_probability_pct: float | str = 20.0,
    failed_migration_usd: float | str = 100_000.0,
) -> Tco:
    """Total cost of ownership over ``years``: stay on VMs, or re-architect a legacy application to containers.

    Defaults: illustrative assumptions, set your own (:data:`TCO_DEFAULTS`; none is data): with them staying
    on VMs is cheaper over 3 years and the containers break even only in year 4.

    Parameters
    ----------
    years:
        Horizon, 1–50 years.
    hosting_vm_usd_year, hosting_container_usd_year:
        Hosting per year (USD); None: from :func:`hosting_cost`'s default case (:func:`default_hosting`).
    team_size, engineer_usd_year, ops_share_vm_pct, ops_share_container_pct:
        Engineers (above zero), loaded cost of an engineer-year (USD), share of their time spent operating
        each platform (0–100 %).
    training_usd_per_engineer, migration_engineer_months, failure_probability_pct, failed_migration_usd:
        One-offs in year 1 for the containers: training per engineer (USD), engineer-months to re-architect,
        and the expected cost of a failed migration: chance (0–100 %) × cost (USD).

    Raises
    ------
    ValueError
        If an input is out of range or not a number; the message names it.
    """
    n = validate.integer("years", years, minimum=1, maximum=MAX_YEARS)
    vm_default, container_default = default_hosting()
    host_vm = validate.number("VM hosting per year", vm_default if hosting_vm_usd_year is None else
                              hosting_vm_usd_year, minimum=0, maximum=MAX_USD, unit="USD")
    host_c = validate.number("container hosting per year", container_default if hosting_container_usd_year is None
                             else hosting_container_usd_year, minimum=0, maximum=MAX_USD, unit="USD")
    team = validate.number("team size", team_size, minimum=0, maximum=100_000, allow_zero=False, unit="engineers")
    salary = validate.number("cost per engineer-year", engineer_usd_year, minimum=0, maximum=1e8, unit="USD")
    ops_vm = validate.number("VM operations share", ops_share_vm_pct, minimum=0, maximum=100, unit="%")
    ops_c = validate.number("container operations share", ops_share_container_pct, minimum=0, maximum=100, unit="%")
    train = validate.number("training per engineer", training_usd_per_engineer, minimum=0, maximum=1e8, unit="USD")
    months = validate.number("migration effort", migration_engineer_months, minimum=0, maximum=1e6,
                             unit="engineer-months")
    p_fail = validate.number("failure probability", failure_probability_pct, minimum=0, maximum=100, unit="%")
    fail = validate.number("failed migration cost", failed_migration_usd, minimum=0, maximum=MAX_USD, unit="USD")
    recurring = {"vm": {"hosting": host_vm, "engineering": team * salary * ops_vm / 100},
                 "container": {"hosting": host_c, "engineering": team * salary * ops_c / 100}}
    one_off = {"vm": {"training": 0.0, "migration": 0.0, "risk": 0.0},
               "container": {"training": team * train, "migration": months * salary / 12, "risk": p_fail / 100 * fail}}
    gain = sum(recurring["vm"].values()) - sum(recurring["container"].values())
    extra = sum(one_off["container"].values())
    when = extra / gain if gain > 0 else math.inf
    return Tco(n, recurring, one_off, when)


def summarize_tco(t: Tco) -> str:
    """One sentence: both N-year totals, the break-even year, how little of it is hosting."""
    vm, c = (float(t.cumulative(s)[-1]) for s in STRATEGIES)
    if t.break_even_year is not None:
        when = f"the containers break even in year {t.break_even_year} (after {t.break_even_years:.1f} years)"
    elif math.isfinite(t.break_even_years):
        when = f"no break-even within {t.years} years (they would catch up after {t.break_even_years:.1f} years)"
    else:
        when = f"no break-even within {t.years} years (the containers never catch up)"
    shares = t.totals("vm")
    total = sum(shares.values()) or 1.0
    return (f"Over {t.years} year{'s' * (t.years != 1)}, staying on VMs costs {_usd(vm)} USD and re-architecting to "
            f"containers {_usd(c)} USD: {when}; on VMs hosting is {shares['hosting'] / total:.0%} of the cost and "
            f"engineering {shares['engineering'] / total:.0%}.")


def details_tco(t: Tco) -> str:
    """HTML: each component's N-year total per strategy, and what is assumed."""
    rows = "".join(f"<tr><td>{c}</td>" + "".join(f"<td style='text-align:right'>{_usd(t.totals(s)[c])}</td>"
                                                  for s in STRATEGIES) + "</tr>" for c in COMPONENTS)
    head = "".join(f"<th>{html.escape(v)}</th>" for v in STRATEGIES.values())
    return (f"<table><tr><th>USD over {t.years} years</th>{head}</tr>{rows}</table><p><small>Training, migration "
            "and risk (probability × cost of a failure) are paid in year 1. Hosting defaults come from the cost "
            f"calculator's default case (prices: {STALE}); every other input is {ILLUSTRATIVE}.</small></p>")


def draw_tco(fig: go.Figure, t: Tco) -> None:
    """Redraw the two cumulative lines and the break-even marker."""
    for trace, s in zip(fig.data[:2], STRATEGIES, strict=True):
        trace.x, trace.y = list(range(t.years + 1)), t.cumulative(s).tolist()
    be = t.break_even_years if t.break_even_year is not None else None
    fig.data[2].x = [] if be is None else [be]
    fig.data[2].y = [] if be is None else [float(sum(t.one_off["container"].values())
                                                 + be * sum(t.recurring["container"].values()))]
    fig.data[2].name = f"break-even: year {t.break_even_year}" if be is not None else f"no break-even in {t.years} y"


def tco_figure(t: Tco, *, widget: bool = False) -> go.Figure:
    """Cumulative cost over the years for both strategies, the break-even marked."""
    fig = new_figure("Total cost of ownership: stay on VMs or re-architect to containers", "years from now (years)",
                     "cumulative cost (USD)", widget=widget, height=420, legend={"orientation": "h", "y": -0.2, "x": 0},
                     yaxis={"rangemode": "tozero"})
    for s, label in STRATEGIES.items():
        fig.add_scatter(x=[], y=[], mode="lines+markers", line={"color": COLORS[s]}, name=label,
                        hovertemplate=f"{label}<br>year %{{x}}: %{{y:,.0f}} USD<extra></extra>")
    fig.add_scatter(x=[], y=[], mode="markers", marker={"color": COLORS["other"], "size": 13, "symbol": "x"},
                    name="break-even", hovertemplate="break-even after %{x:.2f} years<extra></extra>")
    draw_tco(fig, t)
    return fig


def price_table_html() -> str:
    """HTML table of every price row this module uses, with its date, source and the staleness warning."""
    table = data.load("cloud_prices")
    ids = [*VM_ROWS, *(r for rows in PLATFORM_ROWS.values() for r in rows)]
    cells = "".join(f"<tr><td>{html.escape(p.label)}</td><td>{p.usd:g}</td><td>USD per {p.per}</td>"
                    f"<td>{html.escape(p.region or 'not stated')}</td><td>{html.escape(p.date_seen)}</td>"
                    f"<td>{html.escape(p.cite)}</td></tr>" for p in map(price, ids))
    used = dict.fromkeys(table.row(id=i)["source"] for i in ids)
    sources = "".join(f"<li>{html.escape(table.sources[s].citation())}</li>" for s in used)
    return (f"<p class='cvm-message cvm-info'>⚠ Every price below is a {STALE}: none came from a provider's own "
            "price page.</p><table class='cvm-prices'><tr><th>item</th><th>price</th><th>unit</th><th>region</th>"
            f"<th>date seen</th><th>source</th></tr>{cells}</table><ul style='font-size:smaller'>{sources}</ul>")


def _set(controls: dict[str, ipw.ValueWidget], values: dict[str, Any]) -> None:
    for name, value in values.items():
        control = controls[name]
        control.value = str(value) if isinstance(control, ipw.Text) else value


def _legend(text: str) -> ipw.HTML:
    legend = ipw.HTML(f"<small>{html.escape(text)}</small>")
    legend.add_class("cvm-assumptions")
    return legend


class CostCalculator(Calculator[HostingCost]):
    """VMs kept for the peak vs containers that follow the load: monthly hosting cost side by side."""

    def __init__(self, **values: Any) -> None:
        check_known(values, COST_DEFAULTS)
        h = hosting_cost(**{**COST_DEFAULTS, **values})
        d, wide = COST_DEFAULTS, {"description_width": "initial"}
        controls: dict[str, ipw.ValueWidget] = {
            "avg_vcpu": number_box(d, "avg_vcpu", "average vCPUs"),
            "avg_mem_gb": number_box(d, "avg_mem_gb", "average memory (GB)"),
            "peak_to_avg": number_box(d, "peak_to_avg", "peak-to-average ratio"),
            "vm_type": ipw.Dropdown(options=vm_options(), value=d["vm_type"], description="VM price", style=wide,
                                    layout=ipw.Layout(width="640px")),
            "vm_vcpu": number_box(d, "vm_vcpu", "VM vCPUs*", "160px"),
            "vm_mem_gb": number_box(d, "vm_mem_gb", "VM memory (GB)*"),
            "discount_pct": number_box(d, "discount_pct", "reserved discount (%)"),
            "vm_autoscale_share": number_box(d, "vm_autoscale_share", "VM autoscaling share (0–1)"),
            "whole_vms": ipw.Checkbox(value=d["whole_vms"], description="whole VMs", style=wide),
            "platform": ipw.Dropdown(options=platform_options(), value=d["platform"], description="container price",
                                     style=wide, layout=ipw.Layout(width="640px")),
            "headroom_pct": number_box(d, "headroom_pct", "container headroom (%)"),
            "node_headroom_pct": number_box(d, "node_headroom_pct", "node headroom (%)"),
            "control_plane_usd_month": number_box(d, "control_plane_usd_month", "control plane (USD/month)"),
        }
        _set(controls, values)
        super().__init__("cost", controls, hosting_cost, draw_cost, summarize_cost, cost_figure(h, widget=True),
                         layout_rows=[["avg_vcpu", "avg_mem_gb", "peak_to_avg"], ["vm_type"],
                                      ["vm_vcpu", "vm_mem_gb", "discount_pct", "vm_autoscale_share", "whole_vms"],
                                      ["platform"], ["headroom_pct", "node_headroom_pct", "control_plane_usd_month"]],
                         details=details_cost)
        self.children = (_legend(f"Prices: {STALE} (dates and sources in the menus and under the figure). "
                                 "* The VM size is not in the data (default 2 vCPUs / 8 GB). Every number you type "
                                 f"starts at an {ILLUSTRATIVE}."), *self.children)


class TcoCalculator(Calculator[Tco]):
    """Stay on VMs or re-architect to containers: cumulative cost over N years and the break-even year."""

    def __init__(self, **values: Any) -> None:
        vm_h, c_h = default_hosting()
        d = {**TCO_DEFAULTS, "hosting_vm_usd_year": vm_h, "hosting_container_usd_year": c_h}
        check_known(values, d)
        t = tco(**{**d, **values})
        labels = {"years": "years", "hosting_vm_usd_year": "VM hosting (USD/year)",
                  "hosting_container_usd_year": "container hosting (USD/year)", "team_size": "team size",
                  "engineer_usd_year": "cost per engineer-year (USD)", "ops_share_vm_pct": "ops share on VMs (%)",
                  "ops_share_container_pct": "ops share on containers (%)",
                  "training_usd_per_engineer": "training per engineer (USD)",
                  "migration_engineer_months": "migration (engineer-months)",
                  "failure_probability_pct": "failure probability (%)", "failed_migration_usd": "failure cost (USD)"}
        controls: dict[str, ipw.ValueWidget] = {k: number_box(d, k, v, "260px") for k, v in labels.items()}
        _set(controls, values)
        super().__init__("tco", controls, tco, draw_tco, summarize_tco, tco_figure(t, widget=True),
                         layout_rows=[["years", "hosting_vm_usd_year", "hosting_container_usd_year"],
                                      ["team_size", "engineer_usd_year", "ops_share_vm_pct", "ops_share_container_pct"],
                                      ["training_usd_per_engineer", "migration_engineer_months",
                                       "failure_probability_pct", "failed_migration_usd"]],
                         details=details_tco)
        self.children = (_legend(f"A legacy application: every input is {ILLUSTRATIVE} (not data); the hosting "
                                 f"defaults come from the cost calculator's default case (prices: {STALE})."),
                         *self.children)
