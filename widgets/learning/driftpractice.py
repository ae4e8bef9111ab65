"""Practice: how far has a fleet drifted after N days? (lesson 06)

Each seed gives a fleet (hand-managed VMs never rebuilt, VMs rebuilt every R days, or containers rebuilt
every K days), a synthetic probability of an unrecorded hand change per server per day, and a day N. Half the
seeds ask the share of the fleet that differs from its manifest at the end of day N, half the number of
distinct configurations. The answer is what :func:`widgets.models.drift.simulate_drift` gives for that seed
(a random fleet, so it is close to, not equal to, the expectation); ``show=True`` works out the expectation::

    share drifted = 1 - (1 - p) ** m,   m = days since the last rebuild (N if never rebuilt)
    configurations = drifted servers + 1 (all the clean ones share the manifest's), or all n if none is clean

A learner's answer is right within the fleet's random spread (3 standard deviations, at least 2 points or
2% of the fleet), widened where this seed's fleet strays further, so the expectation always passes.
Every input is synthetic.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from ..models.drift import DriftRun, simulate_drift
from .checks import Feedback
from .predict import Mistake, check_prediction
from .seeded import NOT_GIVEN, practice

__all__ = ["check_drift", "FLEETS", "QUESTIONS", "DriftProblem", "drift_practice", "drift_problem"]

FLEETS = ("vm-never", "vm-rebuilt", "container")
QUESTIONS = ("share", "configurations")
_SERVERS = (1000, 2000, 5000)
_P = (0.002, 0.005, 0.01, 0.02, 0.05)
_VM_PERIODS = (30, 90, 180)
_CT_PERIODS = (1, 3, 7, 14)
_AUDIT = 30  # not asked: the share and the configurations do not depend on the audit
_FLEET_TEXT = {
    "vm-never": "hand-managed VMs, never rebuilt",
    "vm-rebuilt": "VMs rebuilt from the manifest every {k} days",
    "container": "containers redeployed from the manifest every {k} days",
}


@dataclass(frozen=True)
class DriftProblem:
    """One generated problem: the fleet, its inputs, what is asked and the model's run."""

    seed: int
    fleet: str
    question: str
    n_servers: int
    p_change: float
    period: int  # days between rebuilds; 0 = never
    days: int
    run: DriftRun

    @property
    def since_rebuild(self) -> int:
        """Days of hand changes the fleet carries at the end of day N (rebuilds happen after that day's count)."""
        return self.days if self.period == 0 else (self.days - 1) % self.period + 1

    @property
    def drifted(self) -> float:
        """The model's share drifted at the end of day N (0..1)."""
        shares = self.run.drifted_container if self.fleet == "container" else self.run.drifted_vm
        return float(shares[-1])

    @property
    def configurations(self) -> int:
        """The model's distinct configurations at the end of day N."""
        snow = self.run.snowflakes_container if self.fleet == "container" else self.run.snowflakes_vm
        return int(snow[-1])

    @property
    def expected_share(self) -> float:
        """The expectation 1 - (1 - p)^m (0..1)."""
        return 1 - (1 - self.p_change) ** self.since_rebuild

    @property
    def expected_configurations(self) -> float:
        """The expectation of the distinct configurations: n x share + P(some server is clean)."""
        n, q = self.n_servers, self.expected_share
        return n * q + 1 - q**n

    @property
    def answer(self) -> float:
        """The right answer: the share in percent, or the configurations."""
        return 100 * self.drifted if self.question == "share" else float(self.configurations)

    @property
    def tolerance(self) -> float:
        """How far an answer may be from :attr:`answer`: the fleet's random spread (3 sd, at least 2 points or
        2% of the fleet), widened if needed so that the expectation itself is always accepted."""
        q, n = self.expected_share, self.n_servers
        sd = math.sqrt(q * (1 - q) / n)
        if self.question == "share":
            return max(2.0, 300 * sd, abs(self.answer - 100 * q) + 50 * sd)
        return max(0.02 * n, 3 * sd * n, abs(self.answer - self.expected_configurations) + 0.5 * sd * n)

    def show(self) -> str:
        """The problem as the learner sees it."""
        what = _FLEET_TEXT[self.fleet].format(k=self.period)
        lines = [
            f"Drift practice #{self.seed} (synthetic): a fleet of {self.n_servers:,} {what}.",
            f"  Each server gets an unrecorded hand change with probability {self.p_change:g} per day "
            "(each change is unique); a rebuild, if any, resets a server to its manifest at the end of a day, "
            "after that day is counted.",
        ]
        if self.question == "share":
            lines.append(
                f"What share of the fleet differs from its manifest at the end of day {self.days}? "
                "Answer in percent, e.g. 12.5."
            )
        else:
            lines.append(
                f"How many distinct configurations does the fleet have at the end of day {self.days}? "
                "Answer with a number (all the servers that match the manifest count as one)."
            )
        return "\n".join(lines)

    def worked(self) -> str:
        """The expectation, step by step, and what this seed's random fleet gave."""
        m, p, n = self.since_rebuild, self.p_change, self.n_servers
        if self.period == 0:
            step = f"1. Never rebuilt: the servers carry every change since day 1, m = {m} days."
        else:
            step = (
                f"1. Rebuilt every {self.period} days, after the count of days {self.period}, "
                f"{2 * self.period}, ...: at the end of day {self.days} the servers carry m = "
                f"({self.days} - 1) mod {self.period} + 1 = {m} days of changes."
            )
        q = self.expected_share
        lines = [
            step,
            f"2. A server is still as its manifest if none of those m days changed it: (1 - {p:g})^{m} = "
            f"{1 - q:.4g}; so the expected share drifted is 1 - {1 - q:.4g} = {100 * q:.3g}%.",
        ]
        if self.question == "share":
            lines.append(f"Answer: about {100 * q:.3g}% (this seed's random fleet: {100 * self.drifted:.3g}%).")
        else:
            lines.append(
                f"3. Every drifted server is its own configuration (its changes are unique), and the clean ones "
                f"share one: {n:,} x {q:.4g} + 1 = {self.expected_configurations:,.0f} expected "
                "(if every server drifted, there is no clean one to add)."
            )
            lines.append(
                f"Answer: about {self.expected_configurations:,.0f} (this seed's random fleet: "
                f"{self.configurations:,})."
            )
        return "\n".join(lines)

    def check(self, answer: Any) -> Feedback:
        """Check an answer against the model's run, naming the common mistakes."""
        m, p, n, tol = self.since_rebuild, self.p_change, self.n_servers, self.tolerance
        scale = 100.0 if self.question == "share" else float(n)
        extra = 0.0 if self.question == "share" else 1.0

        def near(value: float) -> Any:
            return lambda x: abs(float(x) - value) <= tol and abs(value - self.answer) > tol

        mistakes = [
            Mistake(
                "That adds the probabilities: a server changed on two days is counted twice, so p x m "
                "overshoots and can pass 100%",
                test=near(scale * min(1.0, p * m) + extra),
                like="treating the chance of at least one change as p times the days",
            ),
            Mistake(
                f"The fleet is rebuilt every {self.period} days: a rebuild erases the drift, so only the "
                f"{m} days since the last one count",
                test=near(scale * (1 - (1 - p) ** self.days) + extra) if self.period else (lambda x: False),
                like="thinking drift keeps accumulating whatever the rebuilds",
            ),
        ]
        if self.question == "share":
            mistakes.append(
                Mistake(
                    "That looks like the share as a fraction of 1: the answer is in percent (0.25 is 25%)",
                    test=lambda x: 0 < x <= 1 and abs(100 * x - self.answer) <= tol < abs(x - self.answer),
                    like="giving a fraction where a percentage was asked",
                )
            )
        if self.question == "configurations":
            mistakes.append(
                Mistake(
                    "That is the number of drifted servers, or the fleet's size; the clean servers all share "
                    "one configuration, the manifest's",
                    test=lambda x: (
                        abs(float(x) - self.answer) > tol
                        and (math.isclose(float(x), self.answer - 1, abs_tol=0.5) or float(x) == n)
                    ),
                    like="forgetting that identical servers are one configuration",
                )
            )
        unit = "%" if self.question == "share" else "configurations"
        return check_prediction(
            f"drift practice #{self.seed}",
            answer,
            self.answer,
            unit=unit,
            rel_tol=0.0,
            abs_tol=tol,
            mistakes=mistakes,
            explanation=f"Expected about {100 * self.expected_share:.3g}% drifted: 1 - (1 - {p:g})^{m}; "
            f"this seed's fleet gave {self.answer:.4g} {unit} (a random fleet spreads around the expectation).",
        )


def drift_problem(seed: int) -> DriftProblem:
    """The problem for ``seed`` (0 to 10**9): the same seed always gives the same problem and fleet."""
    rng = random.Random(seed)
    fleet = rng.choice(FLEETS)
    question = rng.choice(QUESTIONS)
    n = rng.choice(_SERVERS)
    p = rng.choice(_P)
    period = {"vm-never": 0, "vm-rebuilt": rng.choice(_VM_PERIODS), "container": rng.choice(_CT_PERIODS)}[fleet]
    days = rng.randint(5, 365)
    vm_period, ct_period = (0, 7) if fleet == "vm-never" else (period, 7) if fleet == "vm-rebuilt" else (0, period)
    run = simulate_drift(n, days, p, vm_period, ct_period, _AUDIT, seed % 2**32)
    return DriftProblem(seed, fleet, question, n, p, period, days, run)


def drift_practice(seed: Any, answer: Any = NOT_GIVEN, show: bool = False) -> Any:
    """``drift_practice(seed)`` shows a problem; ``answer=`` checks yours; ``show=True`` works it out.

    Raises
    ------
    ValueError
        If ``seed`` is not a whole number from 0 to 10**9, or ``show`` is not True or False.
    """
    return practice(drift_problem, seed, answer, show)


def check_drift(seed: Any, answer: Any) -> Feedback:
    """Check ``answer`` to the problem of ``seed``: the same as ``drift_practice(seed, answer=answer)``."""
    return drift_practice(seed, answer=answer)
