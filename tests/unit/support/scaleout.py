"""Helpers the scaleout tests of several floors share."""

from __future__ import annotations

DOCKER_S = 1.1931  # docker run alpine true (runc), gVisor data


NUMERIC = [
    ("current_rps", "current demand"),
    ("new_rps", "new demand"),
    ("capacity_rps", "capacity per instance"),
    ("headroom_pct", "headroom"),
    ("parallel_starts", "parallel starts"),
]
