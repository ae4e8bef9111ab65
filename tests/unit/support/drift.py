"""Helpers the drift tests of several floors share."""

from __future__ import annotations

import numpy as np

#: Every numeric input: (argument, name in messages).
NUMERIC = [
    ("n_servers", "servers"),
    ("days", "days"),
    ("p_change", "change probability"),
    ("vm_rebuild_days", "VM rebuild period"),
    ("container_rebuild_days", "container rebuild period"),
    ("audit_days", "audit period"),
    ("seed", "seed"),
]


def hand_changes() -> np.ndarray:
    """3 servers x 10 days: server 0 changed on day 1, server 1 on days 2 and 5, server 2 on day 9."""
    c = np.zeros((3, 10), dtype=bool)
    c[0, 1] = c[1, 2] = c[1, 5] = c[2, 9] = True
    return c
