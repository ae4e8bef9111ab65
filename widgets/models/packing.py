"""Permanent allocation vs a shared pool: packing services onto hosts.

N services have a fluctuating CPU demand over T hours. The demand is
*synthetic* (a formula and seeded random numbers, never measured): each
service has a base level (``base_cores`` times a seeded factor between 0.5 and
1.5), a daily sine swing with a seeded phase, and seeded noise, clipped at 0.

Two strategies place the same services on hosts of ``host_cores`` cores:

* **VMs: static allocation** (``vm_overcommit`` 1, the policy of cloud instance types; a hypervisor can
  overcommit CPU instead, see below). Each service gets a VM sized for its own peak,
  rounded up to a whole ``vm_step`` (e.g. whole vCPUs). The VMs are packed
  with first-fit decreasing. A VM's cores are its own: whatever it does not
  use is *stranded* (allocated but idle), even when a neighbour is busy.
* **Containers: shared pool.** Each container *requests* a percentile of its
  own demand (e.g. p95); the requests are packed with first-fit decreasing
  and the containers on a host share all of its cores. Fewer hosts, but when
  the summed demand on a host exceeds its cores the host is *overloaded*:
  that contention is the price, and the figure shows it.
* **VMs with CPU overcommit** (``vm_overcommit`` > 1): the same VMs, packed ``vm_overcommit`` vCPUs per
  core; the VMs on a host share its cores as containers do, with the same contention risk. Fixed
  allocation is a rental policy, not a property of VMs.

Per strategy: hosts needed, utilisation of the allocated capacity (VMs: their
sizes; containers: the whole pool of their hosts), stranded core-hours, the
peak utilisation and the hours with an overloaded host. All inputs are
illustrative assumptions: set your own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..core import validate

_EPS = 1e-9  # float slack when comparing sums of sizes with a capacity
MAX_SERVICES = 500
MAX_HOURS = 8760  # one year of hourly steps
MAX_CORES = 1024


def first_fit_decreasing(sizes: Sequence[float] | np.ndarray, capacity: float) -> list[list[int]]:
    """Pack items into as few bins as first-fit decreasing finds.

    Items are taken largest first (ties: lower index first); each goes into
    the first open bin with room for it, or opens a new bin.

    Parameters
    ----------
    sizes:
        Item sizes, finite and not negative.
    capacity:
        The size of every bin, positive.

    Returns
    -------
    list[list[int]]
        One list of item indices per bin, in the order the bins were opened
        and the items placed.

    Raises
    ------
    ValueError
        If the capacity is not positive, a size is not a finite non-negative
        number, or an item is larger than the capacity.
    """
    cap = validate.number("capacity", capacity, minimum=0, allow_zero=False)
    try:
        arr = np.asarray(sizes, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError("sizes must be a list of numbers") from None
    if np.isnan(arr).any() or np.isinf(arr).any():
        raise ValueError("sizes must be finite numbers (no NaN or infinity)")
    if (arr < 0).any():
        raise ValueError(f"sizes must not be negative; item {int(np.argmax(arr < 0))} is {arr[arr < 0][0]:g}")
    too_big = np.flatnonzero(arr > cap + _EPS)
    if too_big.size:
        i = int(too_big[0])
        raise ValueError(f"item {i} (size {arr[i]:g}) is larger than the capacity {cap:g}: it fits in no bin")
    order = np.argsort(-arr, kind="stable")
    free = np.empty(arr.size)  # room left in each open bin
    bins: list[list[int]] = []
    for i in order:
        fits = np.flatnonzero(free[: len(bins)] >= arr[i] - _EPS)
        if fits.size:
            b = int(fits[0])
        else:
            b = len(bins)
            bins.append([])
            free[b] = cap
        bins[b].append(int(i))
        free[b] -= arr[i]
    return bins


def demand(
    n_services: int | str = 20,
    steps: int | str = 168,
    seed: int | str = 1,
    base_cores: float | str = 1.0,
    daily_swing_pct: float | str = 50.0,
    noise_pct: float | str = 20.0,
) -> np.ndarray:
    """Synthetic hourly CPU demand of each service (cores), seeded.

    ``demand[i, t] = max(0, level_i * (1 + swing * sin(2π t / 24 + phase_i) + noise * z_it))``
    with ``level_i = base_cores * U(0.5, 1.5)``, ``phase_i = U(0, 2π)`` and
    ``z_it`` standard normal, all drawn from ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    n_services:
        Number of services, 1–500.
    steps:
        Number of hourly time steps, 1–8760.
    seed:
        Seed of the random parts, 0–2**32-1: same seed, same demand.
    base_cores:
        Typical demand of one service in cores, above 0 and at most 1024.
    daily_swing_pct:
        Amplitude of the daily sine, in % of the service's level, 0–200.
    noise_pct:
        Standard deviation of the noise, in % of the service's level, 0–200.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_services, steps)``, cores, all ≥ 0.

    Raises
    ------
    ValueError
        On any invalid input; the message names it.
    """
    n = validate.integer("services", n_services, minimum=1, maximum=MAX_SERVICES)
    t = validate.integer("hours", steps, minimum=1, maximum=MAX_HOURS)
    rng = np.random.default_rng(validate.integer("seed", seed, minimum=0, maximum=2**32 - 1))
    base = validate.number("base demand", base_cores, minimum=0, maximum=MAX_CORES, allow_zero=False, unit="cores")
    swing = validate.number("daily swing", daily_swing_pct, minimum=0, maximum=200, unit="%") / 100
    noise = validate.number("noise", noise_pct, minimum=0, maximum=200, unit="%") / 100
    level = base * rng.uniform(0.5, 1.5, n)
    phase = rng.uniform(0.0, 2 * math.pi, n)
    hours = np.arange(t)
    shape = 1 + swing * np.sin(2 * math.pi * hours / 24 + phase[:, None]) + noise * rng.standard_normal((n, t))
    return np.clip(level[:, None] * shape, 0.0, None)


@dataclass(frozen=True)
class Strategy:
    """One way of placing the services, and what it costs and risks.

    Core-hours (``*_core_h``) are summed over all hours; ``host_*`` tuples hold
    one value per host, averaged over the hours (cores).
    """

    name: str
    hosts: int
    bins: tuple[tuple[int, ...], ...]  # service indices per host
    sizes: tuple[float, ...]  # per service: VM size or container request (cores)
    allocated_core_h: float  # VMs: their sizes; containers: the whole pool of their hosts
    used_core_h: float  # demand served
    stranded_core_h: float  # allocated but idle
    unallocated_core_h: float  # host cores no VM was given (VMs only)
    unmet_core_h: float  # demand above a host's cores (containers only)
    utilisation: float  # used / allocated
    host_utilisation: float  # used / all cores of the hosts
    peak_utilisation: float  # highest demand / allocation of any host in any hour (> 1: overload)
    overload_steps: int  # hours in which at least one host's demand exceeded its cores
    host_used: tuple[float, ...]
    host_stranded: tuple[float, ...]
    host_unallocated: tuple[float, ...]
    host_unmet: tuple[float, ...]
    host_overload_steps: tuple[int, ...]


@dataclass(frozen=True)
class Packing:
    """Both strategies on the same demand."""

    host_cores: int
    vm_step: float
    request_percentile: float
    vm_overcommit: float
    steps: int
    n_services: int
    synthetic: bool
    vm: Strategy
    container: Strategy
    demand_cores: np.ndarray = field(compare=False, repr=False)


def _strategy(
    name: str, d: np.ndarray, sizes: np.ndarray, cores: int, shared: bool, pack_sizes: np.ndarray | None = None
) -> Strategy:
    """Pack ``pack_sizes`` (default ``sizes``) with FFD and measure the result against the demand ``d``."""
    bins = first_fit_decreasing(sizes if pack_sizes is None else pack_sizes, cores)
    n_hosts, steps = len(bins), d.shape[1]
    member = np.zeros((n_hosts, d.shape[0]))
    for h, items in enumerate(bins):
        member[h, items] = 1.0
    load = member @ d  # (hosts, steps) summed demand
    alloc = np.full(n_hosts, float(cores)) if shared else member @ sizes  # cores set aside per host
    used = np.minimum(load, alloc[:, None])
    unmet = load - used
    over = load > alloc[:, None] + _EPS
    stranded = alloc[:, None] - used
    unallocated = cores - alloc
    allocated_h = float(alloc.sum()) * steps
    used_h = float(used.sum())
    return Strategy(
        name=name,
        hosts=n_hosts,
        bins=tuple(tuple(b) for b in bins),
        sizes=tuple(float(s) for s in sizes),
        allocated_core_h=allocated_h,
        used_core_h=used_h,
        stranded_core_h=float(stranded.sum()),
        unallocated_core_h=float(unallocated.sum()) * steps,
        unmet_core_h=float(unmet.sum()),
        utilisation=used_h / allocated_h if allocated_h else 0.0,
        host_utilisation=used_h / (n_hosts * cores * steps),
        peak_utilisation=float((load / np.where(alloc > 0, alloc, 1.0)[:, None]).max()),
        overload_steps=int(over.any(axis=0).sum()),
        host_used=tuple(used.mean(axis=1).tolist()),
        host_stranded=tuple(stranded.mean(axis=1).tolist()),
        host_unallocated=tuple(unallocated.tolist()),
        host_unmet=tuple(unmet.mean(axis=1).tolist()),
        host_overload_steps=tuple(int(x) for x in over.sum(axis=1)),
    )


def _demand_array(demand_cores: object) -> np.ndarray:
    try:
        d = np.array(demand_cores, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("demand must be a table of numbers: one row per service, one column per hour") from None
    if d.ndim != 2 or 0 in d.shape:
        raise ValueError(f"demand must be a 2-D table (services × hours) with at least one cell, got shape {d.shape}")
    if not np.isfinite(d).all():
        raise ValueError("demand must be finite numbers (no NaN or infinity)")
    if (d < 0).any():
        raise ValueError("demand must not be negative")
    return d


def pack(
    demand_cores: np.ndarray,
    host_cores: int | str = 16,
    vm_step: float | str = 1.0,
    request_percentile: float | str = 95.0,
    vm_overcommit: float | str = 1.0,
    *,
    synthetic: bool = False,
) -> Packing:
    """Place the services of a given demand table as VMs and as containers.

    Parameters
    ----------
    demand_cores:
        Demand in cores, shape ``(services, hours)``, finite and ≥ 0.
    host_cores:
        Cores of one host, 1–1024.
    vm_step:
        VM sizes are whole multiples of this (vCPUs), 0.125–1024 and at most ``host_cores``.
        A VM gets at least one step.
    request_percentile:
        Each container requests this percentile of its own demand, 50–100.
    vm_overcommit:
        vCPUs placed per physical core, 1–8. At 1 (a cloud instance type's fixed allocation) each VM's
        vCPUs are its own; above 1 the VMs on a host share its cores, as a hypervisor that overcommits CPU
        does (an idle vCPU uses no physical CPU), and their summed demand can exceed the cores.
    synthetic:
        Whether the demand is synthetic (labels only).

    Raises
    ------
    ValueError
        On any invalid input, or if a VM or a container request is larger than a host.
    """
    d = _demand_array(demand_cores)
    cores = validate.integer("host cores", host_cores, minimum=1, maximum=MAX_CORES)
    step = validate.number("VM size step", vm_step, minimum=0.125, maximum=MAX_CORES, unit="vCPUs")
    pct = validate.number("request percentile", request_percentile, minimum=50, maximum=100)
    validate.ordered("VM size step", step, "host cores", cores)
    over = validate.number("VM CPU overcommit", vm_overcommit, minimum=1, maximum=8, unit="vCPU per core")
    peaks = d.max(axis=1)
    vm_sizes = np.maximum(np.ceil(np.round(peaks / step, 9)), 1.0) * step
    if vm_sizes.max() > cores + _EPS:
        i = int(np.argmax(vm_sizes))
        raise ValueError(
            f"service {i + 1} peaks at {peaks[i]:.3g} cores, so its VM needs {vm_sizes[i]:g} vCPUs, "
            f"more than a host's {cores} cores: choose bigger hosts"
        )
    requests = np.percentile(d, pct, axis=1)
    return Packing(
        host_cores=cores,
        vm_step=step,
        request_percentile=pct,
        vm_overcommit=over,
        steps=d.shape[1],
        n_services=d.shape[0],
        synthetic=synthetic,
        vm=(
            _strategy("VMs: static allocation", d, vm_sizes, cores, shared=False)
            if over == 1
            else _strategy(
                f"VMs: CPU overcommit {over:g}:1", d, vm_sizes, cores, shared=True, pack_sizes=vm_sizes / over
            )
        ),
        container=_strategy("containers: shared pool", d, requests, cores, shared=True),
        demand_cores=d,
    )


def compare(
    n_services: int | str = 20,
    host_cores: int | str = 16,
    vm_step: float | str = 1.0,
    request_percentile: float | str = 95.0,
    seed: int | str = 1,
    base_cores: float | str = 1.0,
    daily_swing_pct: float | str = 50.0,
    noise_pct: float | str = 20.0,
    steps: int | str = 168,
    vm_overcommit: float | str = 1.0,
    *,
    demand_cores: np.ndarray | None = None,
) -> Packing:
    """Compare static VM allocation with a shared container pool.

    Every default is an illustrative assumption, set your own (see
    :data:`DEFAULTS`); the demand is synthetic (see :func:`demand`) unless
    ``demand_cores`` is given, in which case the synthetic-demand inputs
    (services, seed, base, swing, noise, hours) are not used.

    Raises
    ------
    ValueError
        On any invalid input; the message names it.
    """
    if demand_cores is not None:
        return pack(demand_cores, host_cores, vm_step, request_percentile, vm_overcommit)
    d = demand(n_services, steps, seed, base_cores, daily_swing_pct, noise_pct)
    return pack(d, host_cores, vm_step, request_percentile, vm_overcommit, synthetic=True)
