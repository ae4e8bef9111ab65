"""The autoscaler's rules applied literally, one unit and one minute at a time: the test oracle for
:func:`widgets.models.loadsim.simulate`, whose vectorised formula must agree with it exactly."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def reference_simulate(
    demand_rps: Sequence[float],
    *,
    unit_capacity_rps: float,
    provision_delay_min: int,
    step_units: int = 1,
    headroom_pct: float = 0.0,
    min_units: int = 0,
    scale_in_delay_min: int = 0,
) -> tuple[list[int], list[int], list[int]]:
    """The autoscaler's rules, one unit and one minute at a time (slow; inputs assumed valid).

    Each minute: the autoscaler wants ``desired`` units; every unit above that count (the newest are on top)
    is unwanted for one more minute, any other unit's count restarts; a unit unwanted for more than
    ``scale_in_delay_min`` minutes in a row is removed; then new units are ordered up to ``desired``. A unit
    serves once ``provision_delay_min`` minutes have passed since it was ordered. The fleet starts with
    ``desired[0]`` units already serving.

    Returns
    -------
    (desired, billed, capacity):
        Units wanted, units ordered (serving or starting) and units serving, per minute.
    """
    desired: list[int] = []
    billed: list[int] = []
    capacity: list[int] = []
    units: list[list[float]] = []  # [minute ordered, minutes unwanted in a row], oldest first
    for t, rps in enumerate(demand_rps):
        steps = math.ceil(float(np.round(rps * (1 + headroom_pct / 100) / (unit_capacity_rps * step_units), 9)))
        want = max(min_units, steps * step_units)
        if t == 0:
            units = [[-math.inf, 0] for _ in range(want)]
        for layer, unit in enumerate(units, start=1):
            unit[1] = unit[1] + 1 if layer > want else 0
        units = [u for u in units if u[1] <= scale_in_delay_min]
        units += [[t, 0] for _ in range(want - len(units))]
        desired.append(want)
        billed.append(len(units))
        capacity.append(sum(1 for u in units if u[0] + provision_delay_min <= t))
    return desired, billed, capacity
