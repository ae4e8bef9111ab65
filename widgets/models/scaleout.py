"""Scale-out: how long until capacity meets a new, higher demand?

Demand steps from its current level to a new one. The fleet must grow from
the instances the current demand needs to those the new demand needs (each
with a headroom on top), starting at most ``parallel_starts`` instances at a
time. Each batch takes one start-up time, so

* instances needed = ceil(demand × (1 + headroom) / capacity per instance);
* batches = ceil(instances to add / parallel starts);
* time until every new instance serves = batches × start time;
* requests not served = the shortfall (demand − capacity, where positive)
  integrated over the ramp.

The start times come from ``data/startup_times.csv`` (containers: gVisor's
``docker run`` data, which include Docker's own overhead; VMs: Mao &
Humphrey's 2011–12 cloud measurements, or Firecracker's specified boot bound),
cited wherever they are shown. Demands, capacity, headroom and parallel
starts are illustrative assumptions: set your own.

A new demand that is not higher than the current one is handled as a
scale-in: instances are removed at once (draining is not modelled), nothing
has to start, and no request is lost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core import validate
from .healing import instances_needed
from .starttimes import CONTAINER_ROWS, VM_ROWS, StartTime, start_time

MAX_RATE = 1e9  # req/s
MAX_INSTANCES = 100_000
MAX_BATCHES = 10_000
MAX_HEADROOM_PCT = 1000.0
MAX_PARALLEL = 10_000


@dataclass(frozen=True)
class ScaleOut:
    """A demand step and the ramp of capacity that follows, for containers and VMs."""

    current_rps: float
    new_rps: float
    capacity_rps: float
    headroom_pct: float
    parallel_starts: int
    before: int  # instances for the current demand
    after: int  # instances for the new demand
    batches: int
    steps: tuple[int, ...]  # instances serving after 0, 1, ..., batches batches
    container: StartTime
    vm: StartTime

    @property
    def add(self) -> int:
        """Instances to start (0 on a scale-in)."""
        return max(0, self.after - self.before)

    @property
    def remove(self) -> int:
        """Instances to remove on a scale-in (0 otherwise)."""
        return max(0, self.before - self.after)

    def ready_s(self, platform: str) -> float:
        """Seconds until every new instance serves: batches × start time."""
        return self.batches * self._start(platform)

    def meets_s(self, platform: str) -> float:
        """Seconds until capacity first meets the new demand (headroom not counted)."""
        ok = np.flatnonzero(np.asarray(self.steps) * self.capacity_rps >= self.new_rps)
        return float(ok[0]) * self._start(platform) if ok.size else math.inf

    def lost(self, platform: str) -> float:
        """Requests not served during the ramp: shortfall × time, summed over the batches."""
        short = np.maximum(0.0, self.new_rps - np.asarray(self.steps[:-1]) * self.capacity_rps)
        return float(short.sum()) * self._start(platform)

    def _start(self, platform: str) -> float:
        validate.choice("platform", platform, ("container", "vm"))
        return self.container.seconds if platform == "container" else self.vm.seconds


def scale_out(
    current_rps: float | str = 1000.0,
    new_rps: float | str = 3000.0,
    capacity_rps: float | str = 100.0,
    headroom_pct: float | str = 20.0,
    parallel_starts: int | str = 8,
    container_start: str = CONTAINER_ROWS[0],
    vm_start: str = VM_ROWS[0],
) -> ScaleOut:
    """Plan the scale-out after a step in demand.

    Parameters
    ----------
    current_rps, new_rps:
        Demand before and after the step (requests/s). A new demand not above
        the current one is a scale-in (see the module docstring).
    capacity_rps:
        Requests/s one instance serves.
    headroom_pct:
        Spare capacity kept on top of the demand (%).
    parallel_starts:
        How many instances can start at once.
    container_start, vm_start:
        Row ids of ``data/startup_times.csv`` (see :data:`widgets.models.starttimes.CONTAINER_ROWS`, ``VM_ROWS``).

    Raises
    ------
    ValueError
        If an input is out of range or not a number (the message names it),
        or the fleet or the number of start batches would be too large.
    """
    cur = validate.number("current demand", current_rps, minimum=0, maximum=MAX_RATE, unit="req/s")
    new = validate.number("new demand", new_rps, minimum=0, maximum=MAX_RATE, unit="req/s")
    cap = validate.number(
        "capacity per instance", capacity_rps, minimum=0, maximum=MAX_RATE, allow_zero=False, unit="req/s"
    )
    head = validate.number("headroom", headroom_pct, minimum=0, maximum=MAX_HEADROOM_PCT, unit="%")
    par = validate.integer("parallel starts", parallel_starts, minimum=1, maximum=MAX_PARALLEL)
    container = start_time(container_start, CONTAINER_ROWS, "container start time")
    vm = start_time(vm_start, VM_ROWS, "VM start time")
    before, after = (instances_needed(d * (1 + head / 100), cap) for d in (cur, new))
    if max(before, after) > MAX_INSTANCES:
        raise ValueError(
            f"the demand needs {max(before, after):,} instances, more than {MAX_INSTANCES:,}: "
            "raise the capacity per instance or lower the demand"
        )
    add = max(0, after - before)
    batches = math.ceil(add / par)
    if batches > MAX_BATCHES:
        raise ValueError(
            f"{add:,} instances in batches of {par} make {batches:,} start batches, more than "
            f"{MAX_BATCHES:,}: raise the parallel starts"
        )
    steps = before + np.minimum(np.arange(batches + 1) * par, add) if add else np.array([after])
    return ScaleOut(cur, new, cap, head, par, before, after, batches, tuple(int(n) for n in steps), container, vm)
