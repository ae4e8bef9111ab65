"""Lesson 01's predict-then-run exercises on I/O and memory virtualisation, checked with feedback.

* :func:`check_ring_exits`: how many exits to user space does a message cost through the ring?
* :func:`check_migration_rounds`: how many pre-copy rounds until a migration converges?
* :func:`io_practice`: seeded practice, exits to user space per I/O path (UART, ring with a port, MMIO or
  ioeventfd doorbell, batching).
"""

from __future__ import annotations

import math
import random

from ..core import validate
from ..models import iopaths
from ..models.guestio import doorbells, expected_exits
from ..models.migration import precopy
from .checks import Feedback, check_number
from .countproblem import CountProblem
from .predict import Mistake, check_prediction
from .seeded import NOT_GIVEN, seed_of
from .seeded import practice as _practice

__all__ = [
    "check_io_practice",
    "check_migration_rounds",
    "check_ring_exits",
    "io_practice",
    "io_problem",
    "check_migration_prediction",
    "check_ring_prediction",
    "ring_explanation",
    "ring_mistakes",
]


def check_ring_exits(answer: object, n_bytes: int, chunk: int, per_doorbell: int) -> Feedback:
    """Check a count of exits to user space for an ``n_bytes`` message through the ring (port doorbell).

    Recognises three mistakes: one exit per byte (the UART's count), one per descriptor (no batching), and
    forgetting the final ``hlt``.
    """
    exits = sum(expected_exits("ring-port", n_bytes, chunk, per_doorbell).values())
    bells = doorbells(n_bytes, chunk, per_doorbell)
    descriptors = math.ceil(n_bytes / chunk)
    value = None
    try:
        value = validate.as_number("answer", answer)
    except ValueError:
        pass
    hint = "one exit per doorbell, and the guest rings after every batch of descriptors; then add the hlt"
    if value == n_bytes + 1:
        hint = "that is the UART's count (one exit per byte): through the ring the bytes cost no exit at all"
    elif value == descriptors + 1 and descriptors != bells:
        hint = f"the guest rings once per {per_doorbell} descriptors, not once per descriptor: batching"
    elif value == bells:
        hint = "almost: the final hlt is an exit to user space too"
    return check_number(
        answer,
        exits,
        rel_tol=0,
        abs_tol=0,
        explanation=(
            f"{n_bytes} bytes in {chunk}-byte chunks need {descriptors} descriptor(s); one doorbell per "
            f"{per_doorbell} of them makes {bells} doorbell exit(s), plus the hlt: {exits}."
        ),
        hint=hint,
    )


def check_migration_rounds(
    answer: object, memory_mb: float, bandwidth_mbps: float, dirty_rate_mb_s: float, threshold_mb: float
) -> Feedback:
    """Check the number of pre-copy rounds (the stop-and-copy not counted) until the guest can be stopped."""
    m = precopy(memory_mb, bandwidth_mbps, dirty_rate_mb_s, None, threshold_mb)
    link = bandwidth_mbps / 8
    ratio = dirty_rate_mb_s / link
    sent = ", ".join(f"{r.sent_mb:,.4g}" for r in m.rounds if not r.stop_and_copy)
    if not m.converged:
        return check_number(answer, m.precopy_rounds, rel_tol=0, abs_tol=0, explanation=m.stop_reason,
                            hint="compare the dirty rate with the link's MB/s first")  # fmt: skip
    return check_number(
        answer,
        m.precopy_rounds,
        rel_tol=0,
        abs_tol=0,
        explanation=(
            f"The link sends {link:g} MB/s and the guest dirties {dirty_rate_mb_s:g} MB/s, so each round leaves "
            f"{ratio:.2g} of the one before: rounds send {sent} MB; after round {m.precopy_rounds} only "
            f"{m.rounds[-1].sent_mb:,.3g} MB are left (at most {threshold_mb:g} MB), sent with the guest paused: "
            f"downtime {m.downtime_s * 1e3:,.3g} ms, total {m.total_s:,.3g} s."
        ),
        hint=(
            f"round 1 sends all {memory_mb:g} MB; in the time it takes ({memory_mb / link:g} s) the guest dirties "
            f"{dirty_rate_mb_s:g} MB/s; repeat until what is left is at most {threshold_mb:g} MB"
        ),
    )


_CHUNKS = (64, 128, 256, 512, 1024, 2048, 4096)


def io_problem(seed: int) -> CountProblem:
    rng = random.Random(seed)
    path = rng.choice(iopaths.PATHS)
    if path == "serial":
        n, chunk, batch = rng.choice((6, 12, 24, 40, 100, 300)), 4096, 16
    else:
        n = rng.choice((100, 512, 1000, 2048, 3000, 4096))
        chunk = rng.choice([c for c in _CHUNKS if math.ceil(n / c) <= 16])
        batch = rng.randint(1, max(1, math.ceil(n / chunk)))
    exits = iopaths.exits_to_user_space(path, n, chunk, batch)
    total = sum(exits.values())
    descriptors = math.ceil(n / chunk)
    mistakes: dict[int, str] = {}
    if path == "serial":
        mistakes[n] = "almost: the final hlt is an exit to user space too"
        mistakes[2] = "that is the ring's count; the emulated UART takes one byte per register write, one exit each"
        device = "an emulated 16550 UART (one out per byte)"
    else:
        bells = iopaths.doorbell_count(n, chunk, batch)
        mistakes[n + 1] = "that is the UART's count (one exit per byte); through the ring the bytes cost no exit"
        if path == "ring-ioeventfd":
            mistakes[bells + 1] = (
                "each doorbell is an exit in the guest, but KVM handles it in the kernel (it signals the "
                "eventfd) and never returns to user space: only the hlt does"
            )
        else:
            if descriptors != bells:
                mistakes[descriptors + 1] = f"the guest rings once per {batch} descriptors, not once per descriptor"
            mistakes[bells] = (
                "almost: the final hlt is an exit to user space too "
                "(this lab's hypervisor has no in-kernel interrupt controller)"
            )
        device = (
            f"the virtio-style ring in {chunk}-byte buffers (one descriptor each), ringing the doorbell after "
            f"every {'descriptor' if batch == 1 else f'{batch} descriptors'}; a last, incomplete batch gets one "
            f"more doorbell.\nThe doorbell is {iopaths.DOORBELL_KIND[path]}"
        )
    worked = (
        f"{n} IO exits (one per byte) + 1 HLT = {total}"
        if path == "serial"
        else f"{descriptors} descriptor(s), {iopaths.doorbell_count(n, chunk, batch)} doorbell(s) -> "
        + ", ".join(f"{v} {k}" for k, v in exits.items())
        + f" = {total} exits to user space"
        + (" (the doorbells are handled in the kernel)" if path == "ring-ioeventfd" else "")
    )
    return CountProblem(
        f"Exits per I/O path, seed {seed}: {path}",
        f"A guest sends a {n}-byte message through {device}.\nThen it halts. "
        "How many exits to user space (returns from KVM_RUN) does it cause?",
        total,
        "exits",
        worked,
        {k: v for k, v in mistakes.items() if k != total},
        {"path": path, "n_bytes": n, "chunk": chunk, "per_doorbell": batch},
    )


def io_practice(seed: object, answer: object = NOT_GIVEN, show: bool = False) -> object:
    """A seeded problem: a message length, a device and a batch size; how many exits to user space?

    Checked against :func:`widgets.models.iopaths.exits_to_user_space`, the counts the live I/O lab asserts.
    """
    return _practice(io_problem, seed, answer, show)


def _ring_run(lab: object):  # noqa: ANN202
    run = getattr(lab, "run", None)
    if run is None or not hasattr(run, "total_exits"):
        raise ValueError("lab must be what kvmio.io_lab(...) returned")
    return run


def ring_mistakes(lab: object, chunk: int) -> list[Mistake]:
    """The usual wrong predictions of a ring run's exits (``lab`` from ``kvmio.io_lab``, ``chunk`` its buffer size)."""
    run = _ring_run(lab)
    n, bells = run.n_bytes, run.doorbells
    descriptors = math.ceil(n / validate.integer("chunk", chunk, minimum=1, maximum=4096))
    return [
        Mistake(
            why="That is the UART's count, one exit per byte; through the ring the bytes cost no exit at all",
            value=n + 1,
            rel_tol=0,
            like="every byte a guest sends is an exit",
        ),
        Mistake(
            why="The guest rings the doorbell once per batch of descriptors, not once per descriptor",
            test=lambda p: descriptors != bells and p == descriptors + 1,
            like="batching changes nothing",
        ),
        Mistake(
            why="Almost: the final hlt is an exit to user space too",
            value=bells,
            rel_tol=0,
            like="only I/O leaves the guest",
        ),
    ]


def ring_explanation(lab: object) -> str:
    """Why a ring run caused the exits it did, and whether they were measured on /dev/kvm or the model's."""
    run = _ring_run(lab)
    where = "measured on /dev/kvm" if getattr(lab, "live", False) else "the model's count: KVM not used here"
    return (
        f"{run.exits} ({where}): {run.doorbells} doorbell(s), each one exit, then the hlt. The bytes moved "
        "through the ring in guest memory, which the device read on the doorbell's exit."
    )


def check_ring_prediction(prediction: object, lab: object, chunk: int) -> Feedback:
    """Predict, then verify: the exits to user space of one run of the I/O lab (``kvmio.io_lab(...)``).

    ``lab`` is the lab's run, live on /dev/kvm or the model's counts (the message says which); ``chunk`` the
    bytes per descriptor it was given. The lesson makes the same call with :func:`check_prediction` itself.
    """
    run = _ring_run(lab)
    return check_prediction(
        "ring exits",
        prediction,
        run.total_exits,
        unit="exits",
        rel_tol=0,
        mistakes=ring_mistakes(lab, chunk),
        explanation=ring_explanation(lab),
    )


def check_migration_prediction(prediction: object, memory_mb: float, bandwidth_mbps: float, dirty_rate_mb_s: float,
                      threshold_mb: float) -> Feedback:  # fmt: skip
    """Predict, then verify: how many pre-copy rounds before the guest can be paused (0: it never converges)."""
    m = precopy(memory_mb, bandwidth_mbps, dirty_rate_mb_s, None, threshold_mb)
    outcome = m.precopy_rounds if m.converged else 0
    link = bandwidth_mbps / 8
    sent = ", ".join(f"{r.sent_mb:,.4g}" for r in m.rounds if not r.stop_and_copy)
    mistakes = [
        Mistake(
            why=f"It converges: the guest dirties {dirty_rate_mb_s:g} MB/s, less than the link's {link:g} MB/s, "
            "so each round is shorter than the one before",
            value=0,
            rel_tol=0,
            like="a guest that keeps writing can never be migrated live",
        ),  # fmt: skip
        Mistake(
            why="One copy is not enough: while round 1 sends all the memory, the guest dirties pages again",
            value=1,
            rel_tol=0,
            like="live migration is one copy of the memory",
        ),  # fmt: skip
        Mistake(
            why=f"One more round is needed: after round {m.precopy_rounds - 1} what is left "
            f"({m.rounds[m.precopy_rounds - 1].sent_mb:,.3g} MB) is still above the {threshold_mb:g} MB threshold",
            test=lambda p: m.converged and m.precopy_rounds > 1 and p == m.precopy_rounds - 1,
            like="pausing as soon as the rest looks small",
        ),  # fmt: skip
        Mistake(
            why="The stop-and-copy round is not a pre-copy round: the guest is paused for it",
            value=m.precopy_rounds + 1,
            rel_tol=0,
            like="the guest keeps running until the last byte is sent",
        ),  # fmt: skip
    ]
    explanation = (
        f"Each round lasts as long as its data needs on the {link:g} MB/s link, and meanwhile the guest dirties "
        f"{dirty_rate_mb_s:g} MB/s, so each round sends {dirty_rate_mb_s / link:.2g} of the one before: {sent} MB; "
        f"then {m.rounds[-1].sent_mb:,.3g} MB are left (at most {threshold_mb:g} MB), sent with the guest paused: "
        f"downtime {m.downtime_s * 1e3:,.3g} ms (the simulator's model, not a measurement)."
        if m.converged
        else m.stop_reason
    )
    return check_prediction("migration rounds", prediction, outcome, unit="rounds", rel_tol=0, mistakes=mistakes,
                            explanation=explanation)  # fmt: skip


def check_io_practice(seed: object, answer: object) -> Feedback:
    """``io_practice(seed, answer=answer)``: check an answer to the seeded problem (the exercise's check cell)."""
    return io_problem(seed_of(seed)).check(answer)
