"""``python -m tools.bench_loadsim``: the vectorised autoscaler against a per-minute Python loop.

:func:`reference_simulate` applies the rules of :func:`widgets.loadsim.simulate` literally, one unit and one
minute at a time; the unit tests use it to prove the vectorised formula, and this script times both on the
same synthetic year (the ``"realistic"`` profile, default VM and container inputs):

* ``simulate``: the median of ``--runs`` runs over the whole year;
* the loop: ONE run over the whole year (no scaling from a shorter period), checked equal to ``simulate``.

Usage: python -m tools.bench_loadsim [--runs 7] [--days 365]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Sequence

import numpy as np


def reference_simulate(demand_rps: Sequence[float], *, unit_capacity_rps: float, provision_delay_min: int,
                       step_units: int = 1, headroom_pct: float = 0.0, min_units: int = 0,
                       scale_in_delay_min: int = 0) -> tuple[list[int], list[int], list[int]]:
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


def _reference_args(params: dict) -> dict:
    keys = ("unit_capacity_rps", "provision_delay_min", "step_units", "headroom_pct", "min_units",
            "scale_in_delay_min")
    return {k: params[k] for k in keys}


def main(argv: Sequence[str] | None = None) -> int:
    """Time both implementations for each platform and print the ratio."""
    from widgets.loadsim import container_params, profile, simulate, vm_params

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of the vectorised simulation (median)")
    parser.add_argument("--days", type=int, default=365, help="length of the synthetic profile")
    args = parser.parse_args(argv)
    demand = profile("realistic", days=args.days, base_rps=200, peak_rps=1000, seed=1)
    print(f"synthetic 'realistic' profile: {demand.size:,} minutes ({args.days} days)")
    for name, params in (("vm", vm_params()), ("container", container_params())):
        params = {k: v for k, v in params.items() if k != "notes"}
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            fast = simulate(demand, **params)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        ref = reference_simulate(demand.tolist(), **_reference_args(params))
        loop_s = time.perf_counter() - start
        same = all(np.array_equal(a, b) for a, b in zip((fast.desired, fast.billed, fast.capacity), ref, strict=True))
        fast_s = statistics.median(times)
        print(f"{name:9} simulate (median of {args.runs}): {fast_s * 1000:8.1f} ms | per-minute loop (1 run, "
              f"whole period): {loop_s:7.2f} s | ratio {loop_s / fast_s:7.0f}x | up to {int(fast.billed.max())} "
              f"units | identical: {same}")
        if not same:
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
