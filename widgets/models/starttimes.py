"""Cited start-up times (``data/startup_times.csv``) that the fleet models start their instances with.

Shared by the self-healing, scale-out and load simulations, so a "VM start" or "container start" means
the same cited row everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..core import data, validate
from ..core.units import format_ms

#: Start-time rows (data/startup_times.csv) offered for containers and for VMs.
CONTAINER_ROWS = ("docker_run_alpine_true_runc", "node_app_start_runc", "ruby_app_start_runc")
VM_ROWS = ("ec2_linux_m1small", "rackspace_linux", "ec2_windows_m1small", "firecracker_boot_to_init")


@dataclass(frozen=True)
class StartTime:
    """A cited start-up time from ``data/startup_times.csv``."""

    id: str
    subject: str
    seconds: float
    kind: str
    statistic: str
    period: str
    note: str
    cite: str

    @property
    def label(self) -> str:
        """'EC2 Linux m1.small: 96.9 s (M. Mao 2012)'."""
        return f"{self.subject}: {format_ms(self.seconds * 1000)} ({self.cite})"


def start_time(row_id: str, rows: Sequence[str], what: str = "start time") -> StartTime:
    """The cited start time of one of ``rows``; ValueError naming ``what`` otherwise."""
    validate.choice(what, row_id, rows)
    table = data.load("startup_times")
    row = table.row(id=row_id)
    return StartTime(
        row["id"],
        row["subject"],
        round(row["value_ms"] / 1000, 12),
        row["kind"],
        row["statistic"],
        row["period"],
        row["note"] or "",
        table.cite(row),
    )


def start_options(rows: Sequence[str]) -> list[tuple[str, str]]:
    """Dropdown options ``(label, row id)`` for the given start-time rows."""
    return [(start_time(r, rows).label, r) for r in rows]


def delay_minutes(seconds: float) -> int:
    """Whole minutes before a unit ready after ``seconds`` serves: ``floor(seconds / 60 + 1/2)``."""
    return int(math.floor(validate.number("start time", seconds, minimum=0, unit="s") / 60 + 0.5))
