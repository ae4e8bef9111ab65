"""How supervisors restart a crashed process: Docker, Kubernetes and systemd, from ``data/restart_policies.csv``.

A :class:`Restarter` turns "the n-th crash in a row" into a delay: Docker waits 100 ms and doubles up to a
minute, the kubelet waits 10 s and doubles up to five minutes (CrashLoopBackOff), systemd waits 100 ms each
time but gives up after 5 starts within 10 s. Each resets its count once the process has run long enough.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from ..core import data, validate

#: Restart choice -> row of data/restart_policies.csv ("none": nobody restarts the process).
CONTAINER_RESTARTS = {"docker": "docker_always", "kubernetes": "kubernetes_always", "none": ""}
VM_RESTARTS = {"systemd": "systemd_on_failure", "none": ""}


@dataclass(frozen=True)
class Restarter:
    """One supervisor's restart rule (from the data) and its citation."""

    key: str
    label: str
    first_delay_s: float
    factor: float
    max_delay_s: float
    reset_after_s: float  # inf: never resets
    burst: int | None  # starts allowed within burst_window_s; None: no limit
    burst_window_s: float
    cite: str

    def delay(self, streak: int) -> float:
        """The wait before restart number ``streak`` (1 = the first after a clean run), in seconds."""
        n = validate.integer("restart number", streak, minimum=1, maximum=10**6)
        if self.factor == 1:
            return self.first_delay_s
        grown = self.first_delay_s * self.factor ** min(n - 1, 1000)
        return min(grown, self.max_delay_s)

    @property
    def words(self) -> str:
        """The rule in a few words, e.g. 'waits 0.1 s, doubling to 60 s'."""
        if self.factor == 1:
            limit = f", gives up after {self.burst} starts in {self.burst_window_s:g} s" if self.burst else ""
            return f"waits {self.first_delay_s:g} s each time{limit}"
        times = "doubling" if self.factor == 2 else f"×{self.factor:g}"
        return f"waits {self.first_delay_s:g} s, {times} with each crash in a row up to {self.max_delay_s:g} s"


@functools.cache
def restarter(choice: str, kind: str = "container") -> Restarter | None:
    """The restarter for ``choice`` of :data:`CONTAINER_RESTARTS` or :data:`VM_RESTARTS` (None for "none")."""
    table = CONTAINER_RESTARTS if kind == "container" else VM_RESTARTS
    row_id = table[validate.choice("container restart" if kind == "container" else "VM restart", choice, table)]
    if not row_id:
        return None
    t = data.load("restart_policies")
    r = t.row(id=row_id)
    reset = r["reset_after_s"]
    return Restarter(
        choice,
        f"{r['system']}: {r['setting']}",
        float(r["first_delay_s"]),
        float(r["factor"]),
        float(r["max_delay_s"]),
        math.inf if reset is None else float(reset),
        r["burst"],
        float(r["burst_window_s"] or 0.0),
        t.cite(r),
    )
