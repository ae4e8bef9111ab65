"""Helpers the packing tests of several floors share."""

from __future__ import annotations

import numpy as np

#: Every numeric input: (argument, name in messages, whole number?, zero allowed?)
NUMERIC = [
    ("n_services", "services", True, False),
    ("host_cores", "host cores", True, False),
    ("vm_step", "VM size step", False, False),
    ("request_percentile", "request percentile", False, False),
    ("seed", "seed", True, True),
    ("base_cores", "base demand", False, False),
    ("daily_swing_pct", "daily swing", False, True),
    ("noise_pct", "noise", False, True),
    ("steps", "hours", True, False),
]


#: 3 services with constant demand 2.5, 3.5 and 1.5 cores over 4 hours.
CONSTANT = np.array([[2.5] * 4, [3.5] * 4, [1.5] * 4])
