"""Configuration drift: hand-managed servers wander away from their manifest.

Two parts, one idea.

* :func:`simulate_drift`: a fleet of VMs and a fleet of containers receive the
  *same* unrecorded hand changes (synthetic, from a seeded random generator:
  each server, each day, with probability ``p_change``). A server has drifted
  from its manifest if it had at least one change since its last rebuild.
  Containers are rebuilt from the manifest every K days, VMs every R days or
  never; an audit every A days finds the drifted servers. Time line of a day
  ``d`` (0-based): the day's changes, then at its end the recorded state, the
  audit (if ``(d + 1) % A == 0``) and the rebuild (if ``(d + 1) % K == 0``).
  Every hand change is unique (a person, a day, a server), so a server's
  configuration is the set of changes applied since its last rebuild and the
  distinct configurations ("snowflakes") are the drifted servers plus one for
  all the clean ones. Time to detect: from the first change since a rebuild to
  the audit that sees it (0 if the audit is that same evening); a drift that a
  rebuild erases, or that the horizon ends, before an audit is never detected.
  10,000 servers for 365 days take about 30 ms (measured on the course
  machine, 2 cores).
* :func:`detect`: a directory tree against its recorded manifest (path ->
  "mode sha256"), reusing :func:`widgets.models.envcheck.compare`; :func:`lab` and
  :func:`hotfix` make a small "server" in a temporary directory and drift it.

Every default is an illustrative assumption: set your own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import validate

MAX_SERVERS = 10_000
MAX_DAYS = 3650  # ten years
MAX_SERVER_DAYS = MAX_SERVERS * 366  # keeps the change matrix to a few MB
MAX_PERIOD = 36_500  # a century: longer than any horizon, so "never within the horizon"


@dataclass(frozen=True)
class DriftRun:
    """Two fleets under the same hand changes: share drifted per day, snowflakes, time to detect."""

    n_servers: int
    days: int
    p_change: float | None  # None: changes given by hand
    vm_rebuild_days: int  # 0: never
    container_rebuild_days: int
    audit_days: int
    seed: int | None  # None: changes given by hand
    n_changes: int  # change events, the same for both fleets
    drifted_vm: np.ndarray  # share (0..1) of the fleet drifted at the end of each day
    drifted_container: np.ndarray
    snowflakes_vm: np.ndarray  # distinct configurations at the end of each day
    snowflakes_container: np.ndarray
    mttd_vm: float | None  # mean time to detect (days); None: no drift was detected
    mttd_container: float | None
    episodes_vm: int  # drifts (first change since a rebuild) and how many an audit found
    detected_vm: int
    episodes_container: int
    detected_container: int

    @property
    def final_vm(self) -> float:
        """Share of VMs drifted at the end of the last day."""
        return float(self.drifted_vm[-1])

    @property
    def final_container(self) -> float:
        """Share of containers drifted at the end of the last day."""
        return float(self.drifted_container[-1])


def _fleet(
    server: np.ndarray, day: np.ndarray, days: int, period: int, audit: int
) -> tuple[np.ndarray, int, int, float | None]:
    """Servers drifted per day, drift episodes, detected episodes, mean time to detect (days).

    ``server`` and ``day`` list the hand changes in server-then-day order (``np.nonzero`` of the
    servers x days matrix). Only the first change since each rebuild matters: the server is drifted from
    that day to the end of its period, so the count per day is a running sum of starts minus ends, with no
    servers x days work (about 12 times faster than scanning the matrix, the same counts).
    """
    k = days if period == 0 or period >= days else period
    key = server.astype(np.int64) * (-(-days // k)) + day // k  # one key per server and period between rebuilds
    first_of_period = np.ones(key.size, dtype=bool)
    first_of_period[1:] = key[1:] != key[:-1]  # sorted keys: the first of each run is the earliest change
    first = day[first_of_period]
    last_day = np.minimum(first // k * k + k - 1, days - 1)
    drifted = np.cumsum(np.bincount(first, minlength=days + 1) - np.bincount(last_day + 1, minlength=days + 1))
    audit_day = -(-(first + 1) // audit) * audit - 1  # the first audit evening on or after it
    found = audit_day <= last_day
    mttd = float((audit_day - first)[found].mean()) if found.any() else None
    return drifted[:days], int(first.size), int(found.sum()), mttd


def _from_changes(
    changes: np.ndarray,
    vm_rebuild_days: int,
    container_rebuild_days: int,
    audit_days: int,
    p_change: float | None = None,
    seed: int | None = None,
) -> DriftRun:
    """Run both fleets through a given boolean change matrix (servers x days); the periods are validated."""
    changes = np.asarray(changes)
    if changes.dtype != bool or changes.ndim != 2 or 0 in changes.shape:
        raise ValueError("changes must be a non-empty boolean matrix of servers x days")
    vm = validate.integer("VM rebuild period", vm_rebuild_days, minimum=0, maximum=MAX_PERIOD)
    ct = validate.integer("container rebuild period", container_rebuild_days, minimum=1, maximum=MAX_PERIOD)
    audit = validate.integer("audit period", audit_days, minimum=1, maximum=MAX_PERIOD)
    n, days = changes.shape
    server, day = np.nonzero(changes)
    out = []
    for period in (vm, ct):
        count, episodes, found, mttd = _fleet(server, day, days, period, audit)
        out.append((count / n, count + (count < n), episodes, found, mttd))
    (share_v, snow_v, ep_v, det_v, mttd_v), (share_c, snow_c, ep_c, det_c, mttd_c) = out
    return DriftRun(
        n,
        days,
        p_change,
        vm,
        ct,
        audit,
        seed,
        int(changes.sum()),
        share_v,
        share_c,
        snow_v,
        snow_c,
        mttd_v,
        mttd_c,
        ep_v,
        det_v,
        ep_c,
        det_c,
    )


def simulate_drift(
    n_servers: int | str = 1000,
    days: int | str = 365,
    p_change: float | str = 0.01,
    vm_rebuild_days: int | str = 0,
    container_rebuild_days: int | str = 7,
    audit_days: int | str = 30,
    seed: int | str = 0,
) -> DriftRun:
    """Drift a fleet of VMs and one of containers with the same synthetic hand changes.

    Parameters
    ----------
    n_servers:
        Servers in each fleet (1 to 10,000).
    days:
        The horizon in days (1 to 3650); servers x days at most 3,660,000.
    p_change:
        Probability per server per day of an unrecorded hand change (0 to 1).
    vm_rebuild_days:
        VMs are rebuilt from the manifest every this many days; 0 = never.
    container_rebuild_days:
        Containers are rebuilt from the manifest every this many days (at least 1).
    audit_days:
        An audit every this many days finds the drifted servers (at least 1).
        A period longer than the horizon means no rebuild (or audit) within it.
    seed:
        Seed of the synthetic changes (same seed, same changes).

    Raises
    ------
    ValueError
        If an input is out of range or not a number; the message names it.
    """
    n = validate.integer("servers", n_servers, minimum=1, maximum=MAX_SERVERS)
    d = validate.integer("days", days, minimum=1, maximum=MAX_DAYS)
    p = validate.number("change probability", p_change, minimum=0, maximum=1)
    seed_ = validate.integer("seed", seed, minimum=0, maximum=2**32 - 1)
    if n * d > MAX_SERVER_DAYS:
        raise ValueError(
            f"{n:,} servers x {d:,} days is too many server-days to simulate (at most "
            f"{MAX_SERVER_DAYS:,}); lower the servers or days"
        )
    changes = np.random.default_rng(seed_).random((n, d), dtype=np.float32) < p
    return _from_changes(changes, vm_rebuild_days, container_rebuild_days, audit_days, p, seed_)


def rebuild_text(days: int, horizon: int) -> str:
    """'rebuilt every 7 days', or 'never rebuilt' when the period is 0 or longer than the horizon."""
    if days == 0 or days > horizon:
        return "never rebuilt"
    return f"rebuilt every {days} days"
