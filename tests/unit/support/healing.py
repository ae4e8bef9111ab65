"""Helpers the healing tests of several floors share."""

from __future__ import annotations

import numpy as np

from widgets.models.healing import simulate_healing

DOCKER_RUN, FORK_EXEC, EC2 = 1.1931, 0.001, 96.9  # cited start times (s): docker run, fork/exec, EC2 Linux
C_RESTART = 0.1 + DOCKER_RUN  # Docker's first restart delay + docker run alpine true (runc), s
V_RESTART = 0.1 + FORK_EXEC  # systemd's RestartSec default + fork/exec, s
C_REPLACE, V_REPLACE = 60.0 + DOCKER_RUN, 60.0 + EC2  # detection + start, s
HOUR = 3600.0


#: Every numeric input: (argument, name in messages).
NUMERIC = [
    ("n_instances", "instances"),
    ("crashes_per_day", "crashes per day"),
    ("host_failures_per_day", "host failures per day"),
    ("hours", "hours"),
    ("containers_per_host", "containers per host"),
    ("vms_per_host", "VMs per host"),
    ("host_detection_s", "host detection time"),
    ("demand_rps", "demand"),
    ("capacity_rps", "capacity per instance"),
    ("seed", "seed"),
]


def run(crashes, hosts=(), **kw):
    """A deterministic run: 4 instances for 1 h, default repair rules, demand for exactly 4."""
    args = {"n_instances": 4, "hours": 1, "demand_rps": 200, "capacity_rps": 50, **kw}
    return simulate_healing(crashes=crashes, host_failures=list(hosts), **args)


def up_at(r, minute, platform="container"):
    up = r.up_container if platform == "container" else r.up_vm
    return int(up[np.searchsorted(r.time_min, minute, side="right") - 1])
