"""Helpers the healing tests of several floors share."""

from __future__ import annotations

import numpy as np

from widgets.models.healing import simulate_healing

C_REPAIR = 1.0 + 1.1931  # restart delay + docker run alpine true (runc), s


V_REPAIR = 60.0 + 96.9  # detection + EC2 Linux m1.small, s


HOUR = 3600.0


#: Every numeric input: (argument, name in messages).
NUMERIC = [
    ("n_instances", "instances"),
    ("failures_per_day", "failures per day"),
    ("hours", "hours"),
    ("restart_delay_s", "restart delay"),
    ("vm_detection_s", "detection time"),
    ("demand_rps", "demand"),
    ("capacity_rps", "capacity per instance"),
    ("seed", "seed"),
]


def run(failures, **kw):
    """A deterministic run: 4 instances for 1 h, default repair times, demand for exactly 4."""
    args = {"n_instances": 4, "hours": 1, "demand_rps": 200, "capacity_rps": 50, **kw}
    return simulate_healing(failures=failures, **args)


def up_at(r, minute, platform="container"):
    up = r.up_container if platform == "container" else r.up_vm
    return int(up[np.searchsorted(r.time_min, minute, side="right") - 1])
