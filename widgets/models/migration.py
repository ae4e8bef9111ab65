"""Live migration of a VM's memory: iterative pre-copy (Clark et al., NSDI 2005) and post-copy.

**Pre-copy.** Round 1 sends all of the guest's memory while it keeps running; each later round sends the
pages dirtied during the round before. The guest dirties ``dirty_rate`` MB/s, but only within its writable
working set (``wws``): the distinct pages dirtied during a round of ``t`` seconds are ``min(rate * t, wws)``.
When what is left to send is at most ``threshold_mb`` the guest is paused and the rest is sent:
**stop-and-copy**, whose transfer time (plus ``resume_ms``) is the **downtime**. Pre-copy gives up and stops
the guest anyway (a long downtime) after ``max_rounds`` rounds, when the data sent passes ``max_factor`` x
the memory, or as soon as a round leaves as much to send as it sent: the defaults are Xen's
(``tools/libxc/xc_domain_save.c``: at most 30 rounds, never more than 3 x the memory; its other rule, stop
below 50 pages, is the threshold ``50 * 4 KiB``).

**Post-copy.** The guest is paused once, only its CPU and device state (``state_mb``) is sent, and it
resumes at the destination; every page is then sent exactly once, pushed in the background or fetched on
demand when the guest touches a page not yet there (a fault over the network). Downtime is small and fixed,
total time is ``memory / bandwidth``; the price is a slower guest until the push ends, and a VM split
between two hosts: if either fails before the end, the VM is lost.

Units: MB and MB/s are 10**6 bytes; the link is in Mbit/s (10**6 bits). All defaults are illustrative
assumptions except Xen's limits; set your own.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import validate

XEN_MAX_ROUNDS = 30  # DEF_MAX_ITERS 29: "limit us to 30 times round loop"
XEN_MAX_FACTOR = 3.0  # DEF_MAX_FACTOR 3: "never send more than 3x" the guest's pages
XEN_MIN_PAGES = 50  # the last-iteration rule: fewer than 50 pages dirtied
PAGE_MB = 4096 / 1e6


@dataclass(frozen=True)
class Round:
    """One round: what it sent, how long that took, and what the guest dirtied meanwhile (MB, s)."""

    number: int
    sent_mb: float
    seconds: float
    dirtied_mb: float
    stop_and_copy: bool = False


@dataclass(frozen=True)
class Migration:
    """A simulated migration: its rounds, and the totals a person asks about."""

    mode: str
    memory_mb: float
    bandwidth_mbps: float
    dirty_rate_mb_s: float
    wws_mb: float
    threshold_mb: float
    rounds: tuple[Round, ...]
    converged: bool
    stop_reason: str
    total_s: float
    downtime_s: float
    sent_mb: float
    remote_faults_max: int = 0  # post-copy: pages the guest may fetch on demand (at most its working set)

    @property
    def precopy_rounds(self) -> int:
        """Rounds sent while the guest ran (the stop-and-copy round not counted)."""
        return sum(1 for r in self.rounds if not r.stop_and_copy)


def mb(x: float) -> str:
    """Megabytes as a person writes them: '2,000 MB', '51.2 MB', '0.148 MB'."""
    return f"{x:,.0f} MB" if x >= 100 else f"{x:.3g} MB"


def _inputs(memory_mb: object, bandwidth_mbps: object, dirty_rate_mb_s: object, wws_mb: object) -> tuple[float, ...]:
    m = validate.number("memory", memory_mb, minimum=PAGE_MB, maximum=16e6, unit="MB")  # at least one page
    b = validate.number("link bandwidth", bandwidth_mbps, minimum=0, maximum=1e7, unit="Mbit/s")
    if b == 0:
        raise ValueError("link bandwidth must be more than 0 Mbit/s: with no bandwidth nothing is ever sent")
    d = validate.number("dirty rate", dirty_rate_mb_s, minimum=0, maximum=1e6, unit="MB/s")
    blank = wws_mb is None or (isinstance(wws_mb, str) and not wws_mb.strip())
    w = m if blank else validate.number("writable working set", wws_mb, minimum=0, unit="MB")
    if w > m:
        raise ValueError(
            f"the writable working set ({w:g} MB) cannot be larger than the guest's memory ({m:g} MB): "
            "a guest can only dirty pages it has"
        )
    return m, b / 8.0, d, w  # bandwidth in MB/s


def precopy(
    memory_mb: float | str = 2000,
    bandwidth_mbps: float | str = 1000,
    dirty_rate_mb_s: float | str = 50,
    wws_mb: float | str | None = None,
    threshold_mb: float | str = 50,
    max_rounds: int | str = XEN_MAX_ROUNDS,
    max_factor: float | str = XEN_MAX_FACTOR,
    resume_ms: float | str = 0,
) -> Migration:
    """Iterative pre-copy. ``wws_mb`` None (or empty) means the whole memory may be dirtied."""
    m, b, d, w = _inputs(memory_mb, bandwidth_mbps, dirty_rate_mb_s, wws_mb)
    threshold = validate.number("stop-and-copy threshold", threshold_mb, minimum=0, maximum=m, unit="MB")
    limit = validate.integer("round limit", max_rounds, minimum=1, maximum=1000)
    factor = validate.number("data limit (x memory)", max_factor, minimum=1, maximum=100)
    resume = validate.number("resume time", resume_ms, minimum=0, maximum=60_000, unit="ms") / 1e3
    rounds, to_send, sent, elapsed = [], m, 0.0, 0.0
    converged, reason = False, ""
    while True:
        t = to_send / b
        dirtied = min(d * t, w)
        rounds.append(Round(len(rounds) + 1, to_send, t, dirtied))
        sent, elapsed = sent + to_send, elapsed + t
        if dirtied <= threshold:
            converged, reason = True, f"what is left ({mb(dirtied)}) is at most the threshold ({mb(threshold)})"
        elif dirtied >= to_send:
            reason = (
                f"round {len(rounds)} left {mb(dirtied)} to send after sending {mb(to_send)}: the guest "
                "dirties memory as fast as the link sends it, so pre-copy cannot converge"
            )
        elif len(rounds) >= limit:
            reason = f"the round limit ({limit}) was reached with {mb(dirtied)} still dirty"
        elif sent + dirtied > factor * m:
            reason = f"the next round would take the data sent past {factor:g} x the memory"
        if reason:
            break
        to_send = dirtied
    downtime = dirtied / b + resume
    rounds.append(Round(len(rounds) + 1, dirtied, dirtied / b, 0.0, stop_and_copy=True))
    total = elapsed + downtime
    return Migration(
        "pre-copy", m, b * 8, d, w, threshold, tuple(rounds), converged, reason, total, downtime, sent + dirtied
    )


def postcopy(
    memory_mb: float | str = 2000,
    bandwidth_mbps: float | str = 1000,
    dirty_rate_mb_s: float | str = 50,
    wws_mb: float | str | None = None,
    state_mb: float | str = 1,
    resume_ms: float | str = 0,
) -> Migration:
    """Post-copy: pause, send ``state_mb`` of CPU and device state, resume there, then send every page once."""
    m, b, d, w = _inputs(memory_mb, bandwidth_mbps, dirty_rate_mb_s, wws_mb)
    state = validate.number("CPU and device state", state_mb, minimum=0, maximum=m, unit="MB")
    resume = validate.number("resume time", resume_ms, minimum=0, maximum=60_000, unit="ms") / 1e3
    downtime = state / b + resume
    push = m / b
    rounds = (Round(1, state, state / b, 0.0, stop_and_copy=True), Round(2, m, push, 0.0))
    faults = int(w / PAGE_MB) if d > 0 else 0
    reason = "every page is sent once, after the guest has moved; pages it touches first are fetched on demand"
    return Migration(
        "post-copy", m, b * 8, d, w, 0.0, rounds, True, reason, downtime + push, downtime, m + state, faults
    )


def migrate(
    mode: str = "pre-copy",
    memory_mb: float | str = 2000,
    bandwidth_mbps: float | str = 1000,
    dirty_rate_mb_s: float | str = 50,
    wws_mb: float | str = "",
    threshold_mb: float | str = 40,
) -> Migration:
    """The calculator's model: pre-copy or post-copy with the same guest and link."""
    validate.choice("mode", mode, ("pre-copy", "post-copy"))
    if mode == "post-copy":
        return postcopy(memory_mb, bandwidth_mbps, dirty_rate_mb_s, wws_mb)
    return precopy(memory_mb, bandwidth_mbps, dirty_rate_mb_s, wws_mb, threshold_mb)
