"""Self-healing, like for like: the same crashes and host failures strike a container fleet and a VM fleet.

A fleet of N identical instances serves a steady demand for some hours. Two kinds of synthetic failure
(seeded Poisson processes, at rates the learner sets) strike both fleets:

* a **crash** of one instance's process: the *same* crash times for both fleets. Containers are restarted by
  their engine or orchestrator (Docker: 100 ms, doubling up to a minute; Kubernetes' CrashLoopBackOff: 10 s,
  doubling up to five minutes), then start in a cited ``docker run`` time. In a VM, systemd restarts the
  process (100 ms each time, giving up after 5 starts in 10 s), which then starts in a process's cited
  fork/exec time: restart compared with restart. Delays and limits come from ``data/restart_policies.csv``.
* a **host failure**, at the same rate per host for both: it takes down *every* instance on that host
  (containers are packed several to a node; VMs as many per host as the learner says). The lost instances are
  replaced elsewhere after a detection time (the same for both) plus a start: a container start, or a whole
  VM start (cited): replacement compared with replacement.

A supervisor that gives up, or none at all, leaves the instance to the replacement path (containers: none,
with restart "none" nothing replaces a crashed container). Exact in continuous time: each instance's events
are walked in order, outages are intervals, availability and lost requests are integrals of the step
function of instances up. Every input other than the cited rows is an illustrative assumption: set your own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core import validate
from .restarts import CONTAINER_RESTARTS, VM_RESTARTS, Restarter, restarter
from .starttimes import CONTAINER_ROWS, VM_ROWS, StartTime, start_time

PROCESS_ROWS = ("fork_exec_linux",)
MAX_INSTANCES, MAX_HOURS, MAX_PER_HOST = 1000, 168.0, 1000
MAX_EXPECTED_FAILURES = 20_000
MAX_FAILURES_PER_DAY, MAX_SECONDS, MAX_RATE = 1440.0, 86_400.0, 1e9


def instances_needed(demand_rps: float, capacity_rps: float) -> int:
    """Whole instances needed to carry ``demand_rps`` (ceil, tolerant of float noise)."""
    return math.ceil(round(demand_rps / capacity_rps, 9))


@dataclass(frozen=True)
class Fleet:
    """One fleet's result: instances up over the shared time axis, and what the failures cost."""

    up: np.ndarray
    availability: float  # percent, time-average share of instances up
    lost: float  # requests
    mttr_s: float | None  # mean length of the outages that ended; None if none did
    restart_s: float  # a first restart after a clean run: delay + start (inf: none)
    replace_s: float  # a replacement after a host failure: detection + start
    outages: int
    gave_up: int  # crashes the supervisor no longer restarted (left to replacement, or for good)
    host_failures: int
    per_host: int


@dataclass(frozen=True)
class HealingRun:
    """Two fleets under the same crashes (and host failures at the same rate): instances up, and the cost."""

    time_min: np.ndarray  # shared time axis (minutes); the counts hold from each point to the next
    container: Fleet
    vm: Fleet
    n_instances: int
    hours: float
    needed: int
    demand_rps: float
    capacity_rps: float
    crash_instance: np.ndarray  # the crashes, the same for both fleets (time order)
    crash_h: np.ndarray
    container_restart: Restarter | None
    vm_restart: Restarter | None
    container_start: StartTime
    process_start: StartTime
    vm_start: StartTime
    host_detection_s: float
    seed: int | None  # None: failures given by hand

    @property
    def n_crashes(self) -> int:
        """Crashes (the same for both fleets)."""
        return int(self.crash_h.size)

    @property
    def up_container(self) -> np.ndarray:
        """Containers up over :attr:`time_min`."""
        return self.container.up

    @property
    def up_vm(self) -> np.ndarray:
        """VMs up over :attr:`time_min`."""
        return self.vm.up


def _walk(
    crashes: np.ndarray,
    hosts: np.ndarray,
    plan: tuple[Restarter | None, float, float, float],
    end: float,
) -> tuple[list[tuple[float, float]], int]:
    """One instance's outages from its crash times and its host's failure times (both sorted).

    ``plan`` = (restarter, start after a restart, replacement after a host failure, repair of a crash nobody
    restarts: a replacement for a VM, never for a container).
    """
    rule, start_s, replace_s, fallback_s = plan
    events = sorted([(t, 0) for t in crashes.tolist()] + [(t, 1) for t in hosts.tolist()])
    outages: list[tuple[float, float]] = []
    down_until, up_since, streak, starts, gave_up = -math.inf, 0.0, 0, [0.0], 0
    for t, is_host in events:
        if t < down_until:  # down already: a crash changes nothing, a host failure needs a replacement
            if is_host and outages and outages[-1][1] < t + replace_s:
                down_until = t + replace_s
                outages[-1] = (outages[-1][0], down_until)
                streak, starts = 0, [down_until]
            continue
        if is_host:
            down_until, streak = t + replace_s, 0
        elif rule is None:
            down_until, gave_up = t + fallback_s, gave_up + 1
        else:
            streak = 1 if t - up_since >= rule.reset_after_s else streak + 1
            recent = [s for s in starts if s > t - rule.burst_window_s]
            if rule.burst is not None and len(recent) >= rule.burst:
                down_until, streak, gave_up = t + fallback_s, 0, gave_up + 1
            else:
                down_until = t + rule.delay(streak) + start_s
        starts = [*starts[-50:], down_until]
        up_since = down_until
        outages.append((t, down_until))
        if down_until >= end:
            break
    return [(a, min(b, end)) for a, b in outages], gave_up


def _up(axis: np.ndarray, outages: list[tuple[float, float]], n: int, end: float) -> np.ndarray:
    """Instances up at each time of ``axis`` (right-continuous step function)."""
    if not outages:
        return np.full(axis.size, n, dtype=int)
    starts = np.array([a for a, _ in outages])
    back = np.array([b for _, b in outages if b < end])
    ev = np.concatenate([starts, back])
    order = np.argsort(ev, kind="stable")
    change = np.concatenate([-np.ones(starts.size, dtype=int), np.ones(back.size, dtype=int)])[order]
    return n + np.r_[0, np.cumsum(change)][np.searchsorted(ev[order], axis, side="right")]


def _pairs(name: str, given: object, count: int, hours: float) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(given, str) or not isinstance(given, Sequence):
        raise ValueError(f"{name} must be a list of (index, hour) pairs, e.g. [(0, 1.5)]")
    idx, t = [], []
    for pair in given:
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"each of the {name} must be an (index, hour) pair, got {pair!r}")
        idx.append(validate.integer(f"{name} index", pair[0], minimum=0, maximum=count - 1))
        t.append(validate.number(f"{name} time", pair[1], minimum=0, maximum=hours, unit="h") * 3600)
    return np.array(idx, dtype=int), np.array(t, dtype=float)


def _draw(rng: np.random.Generator, n: int, per_day: float, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    counts = rng.poisson(per_day / 86_400 * horizon, size=n)
    return np.repeat(np.arange(n), counts), rng.uniform(0.0, horizon, size=int(counts.sum()))


def _fleet(
    crashes: tuple[np.ndarray, np.ndarray],
    hosts: tuple[np.ndarray, np.ndarray],
    n: int,
    per_host: int,
    plan: tuple[Restarter | None, float, float, float],
    end: float,
) -> tuple[list[tuple[float, float]], int]:
    """Every instance's outages in one fleet (instance i lives on host i // per_host)."""
    outages, gave_up = [], 0
    for i in range(n):
        mine, fails = crashes[1][crashes[0] == i], hosts[1][hosts[0] == i // per_host]
        o, g = _walk(np.sort(mine), np.sort(fails), plan, end)
        outages += o
        gave_up += g
    return outages, gave_up


def simulate_healing(
    n_instances: int = 20,
    crashes_per_day: float | str = 2.0,
    host_failures_per_day: float | str = 0.1,
    hours: float | str = 24.0,
    container_restart: str = "docker",
    container_start: str = CONTAINER_ROWS[0],
    containers_per_host: int | str = 10,
    vm_restart: str = "systemd",
    process_start: str = PROCESS_ROWS[0],
    vm_start: str = VM_ROWS[0],
    vms_per_host: int | str = 1,
    host_detection_s: float | str = 60.0,
    demand_rps: float | str = 950.0,
    capacity_rps: float | str = 50.0,
    seed: int | str = 7,
    *,
    crashes: Sequence[tuple[int, float]] | None = None,
    host_failures: Sequence[tuple[int, float]] | None = None,
) -> HealingRun:
    """Run a container fleet and a VM fleet through the same crashes and same-rate host failures.

    Parameters
    ----------
    n_instances, hours, seed:
        Instances in each fleet (1-1000); the horizon (h, at most a week); the seed of the synthetic failures.
    crashes_per_day, host_failures_per_day:
        Process crashes per instance per day; host failures per host per day (0 for none).
    container_restart, vm_restart:
        Who restarts a crashed process: ``"docker"``, ``"kubernetes"`` or ``"none"``; ``"systemd"`` or ``"none"``.
    container_start, process_start, vm_start:
        Start-time rows of ``data/startup_times.csv`` for a container, a process and a whole VM.
    containers_per_host, vms_per_host:
        Instances a host failure takes down at once (1-1000).
    host_detection_s:
        Seconds until a lost host is noticed and its instances are replaced (the same for both fleets).
    demand_rps, capacity_rps:
        The steady demand and what one instance serves (req/s).
    crashes, host_failures:
        Deterministic mode: ``(instance, hour)`` and ``(host, hour)`` pairs instead of the random draw (a host
        index counts in each fleet's own hosts).

    Raises
    ------
    ValueError
        If an input is out of range or not a number; the message names it.
    """
    n = validate.integer("instances", n_instances, minimum=1, maximum=MAX_INSTANCES)
    hours_ = validate.number("hours", hours, minimum=0, maximum=MAX_HOURS, allow_zero=False, unit="h")
    c_rule, v_rule = restarter(container_restart, "container"), restarter(vm_restart, "vm")
    c_start = start_time(container_start, CONTAINER_ROWS, "container start time")
    p_start = start_time(process_start, PROCESS_ROWS, "process start time")
    v_start = start_time(vm_start, VM_ROWS, "VM start time")
    c_per = validate.integer("containers per host", containers_per_host, minimum=1, maximum=MAX_PER_HOST)
    v_per = validate.integer("VMs per host", vms_per_host, minimum=1, maximum=MAX_PER_HOST)
    detect = validate.number("host detection time", host_detection_s, minimum=0, maximum=MAX_SECONDS, unit="s")
    demand = validate.number("demand", demand_rps, minimum=0, maximum=MAX_RATE, unit="req/s")
    capacity = validate.number(
        "capacity per instance", capacity_rps, minimum=0, maximum=MAX_RATE, allow_zero=False, unit="req/s"
    )
    end = hours_ * 3600
    n_c_hosts, n_v_hosts = math.ceil(n / c_per), math.ceil(n / v_per)
    if crashes is None and host_failures is None:
        rate = validate.number("crashes per day", crashes_per_day, minimum=0, maximum=MAX_FAILURES_PER_DAY)
        h_rate = validate.number(
            "host failures per day", host_failures_per_day, minimum=0, maximum=MAX_FAILURES_PER_DAY
        )
        seed_ = validate.integer("seed", seed, minimum=0, maximum=2**32 - 1)
        expected = (n * rate + (n_c_hosts + n_v_hosts) * h_rate) * hours_ / 24
        if expected > MAX_EXPECTED_FAILURES:
            raise ValueError(
                f"about {expected:,.0f} failures expected: too many to simulate (at most {MAX_EXPECTED_FAILURES:,});"
                " lower the failure rates, instances or hours"
            )
        rng = np.random.default_rng(seed_)
        inst, t = _draw(rng, n, rate, end)
        c_hosts, v_hosts = _draw(rng, n_c_hosts, h_rate, end), _draw(rng, n_v_hosts, h_rate, end)
    else:
        seed_ = None
        inst, t = _pairs("crashes", crashes or [], n, hours_)
        hi, ht = _pairs("host failures", host_failures or [], max(n_c_hosts, n_v_hosts), hours_)
        c_hosts = (hi[hi < n_c_hosts], ht[hi < n_c_hosts])
        v_hosts = (hi[hi < n_v_hosts], ht[hi < n_v_hosts])
    plans = (
        (c_hosts, c_per, (c_rule, c_start.seconds, detect + c_start.seconds, math.inf)),
        (v_hosts, v_per, (v_rule, p_start.seconds, detect + v_start.seconds, detect + v_start.seconds)),
    )
    walked = [_fleet((inst, t), h, n, per, plan, end) for h, per, plan in plans]
    parts = [0.0, end, *(x for outages, _ in walked for pair in outages for x in pair)]
    axis = np.unique(np.array(parts))
    span = np.diff(axis)
    fleets = []
    for (outages, gave_up), (hosts, per, (rule, start_s, replace_s, _)) in zip(walked, plans, strict=True):
        up = _up(axis, outages, n, end)
        done = [b - a for a, b in outages if b < end]
        fleets.append(
            Fleet(
                up,
                100 * float(up[:-1] @ span) / (n * end),
                float(np.maximum(0.0, demand - up[:-1] * capacity) @ span),
                round(float(np.mean(done)), 9) if done else None,
                math.inf if rule is None else rule.delay(1) + start_s,
                replace_s,
                len(outages),
                gave_up,
                int(hosts[1].size),
                per,
            )
        )
    order = np.argsort(t, kind="stable")
    return HealingRun(
        axis / 60,
        fleets[0],
        fleets[1],
        n,
        hours_,
        instances_needed(demand, capacity),
        demand,
        capacity,
        inst[order],
        t[order] / 3600,
        c_rule,
        v_rule,
        c_start,
        p_start,
        v_start,
        detect,
        seed_,
    )


#: The choices of the two restart inputs, for the calculator's menus.
RESTART_CHOICES = {"container": tuple(CONTAINER_RESTARTS), "vm": tuple(VM_RESTARTS)}
