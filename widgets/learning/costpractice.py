"""Practice: VMs kept for the peak against serverless containers that follow the load (lesson 04).

Each seed gives a synthetic workload (its average vCPUs and memory, its peak-to-average ratio, the headroom
the containers request) and two offers from ``data/cloud_prices.csv`` (a VM type and a Fargate platform:
secondary, dated snapshots, re-check before use). Half the seeds ask which is cheaper a month, half ask the
break-even: the peak-to-average ratio above which the containers are cheaper. The answer comes from
:func:`widgets.models.costs.hosting_cost` (VMs kept for the peak, whole VMs, no autoscaling, no discounts);
``show=True`` works it out step by step. The VM size (2 vCPUs, 8 GB) is an illustrative assumption: the
course data holds prices, not instance specifications.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from ..core.units import HOURS_PER_MONTH
from ..models.costs import HostingCost, hosting_cost
from ..models.prices import PLATFORM_NAMES, PLATFORM_ROWS, STALE, VM_ROWS
from .checks import Feedback
from .predict import Mistake, check_prediction
from .seeded import NOT_GIVEN, practice

__all__ = ["check_cost", "QUESTIONS", "CostProblem", "cost_practice", "cost_problem"]

QUESTIONS = ("cheaper", "break-even")
CHOICES = ("vm", "container")
VM_VCPU, VM_GB = 2.0, 8.0
_VCPUS = (1, 2, 3, 4, 6, 8, 12, 16)
_GB_PER_VCPU = (2, 4)
_HEADROOM = (0, 10, 20, 30, 50)
_RATIOS = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0)
MAX_BREAK_EVEN = 20.0


@dataclass(frozen=True)
class CostProblem:
    """One generated problem: the inputs of :func:`hosting_cost`, its result and what is asked."""

    seed: int
    question: str  # "cheaper" or "break-even"
    inputs: dict[str, Any]
    result: HostingCost

    @property
    def expected(self) -> str | float:
        """The right answer: ``"vm"``/``"container"``, or the break-even peak-to-average ratio."""
        return self.result.cheaper if self.question == "cheaper" else self.result.break_even

    def _offers(self) -> list[str]:
        r = self.result
        return [
            f"  VMs: {r.vm.label}, {r.vm.usd:g} USD per instance-hour ({r.vm.when}; {r.vm.cite}); "
            f"each VM {VM_VCPU:g} vCPUs and {VM_GB:g} GB (illustrative: the data holds prices, not sizes), "
            "kept for the peak, whole VMs, no discount.",
            f"  Containers: {PLATFORM_NAMES[r.platform]}, {r.cpu_price.usd:g} USD per vCPU-hour and "
            f"{r.mem_price.usd:g} USD per GB-hour ({r.cpu_price.when}; {r.cpu_price.cite}); the tasks request the "
            f"average plus {r.headroom_pct:g}% headroom and follow the load; control plane {r.overhead_monthly:g} "
            "USD a month (ECS).",
            f"  Prices: {STALE}. A month is {HOURS_PER_MONTH:g} h.",
        ]

    def show(self) -> str:
        """The problem as the learner sees it (no answer)."""
        r = self.result
        head = (
            f"Cost practice #{self.seed} (synthetic workload): on average {r.avg_vcpu:g} "
            f"vCPU{'s' * (r.avg_vcpu != 1)} and "
            f"{r.avg_mem_gb:g} GB"
        )
        if self.question == "cheaper":
            head += f", with peaks {r.peak_to_avg:g}x the average."
            ask = "Which is cheaper a month: answer 'vm' or 'container'."
        else:
            head += ", with peaks some multiple of the average."
            ask = (
                "Above what peak-to-average ratio are the containers cheaper? Answer with a number "
                "(1 if they are cheaper even for a steady load)."
            )
        return "\n".join([head, *self._offers(), ask])

    def worked(self) -> str:
        """The worked answer, step by step."""
        r = self.result
        unit = r.vm_unit_monthly
        c_cpu = r.container_vcpu * r.cpu_price.usd * HOURS_PER_MONTH
        c_mem = r.container_mem_gb * r.mem_price.usd * HOURS_PER_MONTH
        lines = [
            f"1. One VM for a month: {r.vm.usd:g} USD/h x {HOURS_PER_MONTH:g} h = {unit:,.2f} USD.",
            f"2. The average load fills max({r.avg_vcpu:g}/{VM_VCPU:g} vCPUs, {r.avg_mem_gb:g}/{VM_GB:g} GB) = "
            f"{r.vms_per_load:g} VMs.",
            f"3. The containers request {r.container_vcpu:g} vCPUs and {r.container_mem_gb:g} GB (average + "
            f"{r.headroom_pct:g}%): {r.container_vcpu:g} x {r.cpu_price.usd:g} x {HOURS_PER_MONTH:g} + "
            f"{r.container_mem_gb:g} x {r.mem_price.usd:g} x {HOURS_PER_MONTH:g} = {c_cpu:,.2f} + {c_mem:,.2f} "
            f"= {r.container_monthly:,.2f} USD a month, whatever the peak (they follow the load).",
        ]
        if self.question == "cheaper":
            vms = r.vms
            lines.append(
                f"4. At peaks {r.peak_to_avg:g}x the average the VMs kept for the peak are "
                f"ceil({r.vms_per_load:g} x {r.peak_to_avg:g}) = {vms:g}: {vms:g} x {unit:,.2f} = "
                f"{r.vm_monthly:,.2f} USD a month."
            )
            lines.append(
                f"Answer: '{r.cheaper}', cheaper by {r.saving_monthly:,.2f} USD a month "
                f"(the break-even ratio is {_ratio_text(r.break_even)})."
            )
        else:
            buys = r.container_monthly / unit
            level = math.floor(round(buys, 9))
            lines.append(
                f"4. The container bill buys {r.container_monthly:,.2f} / {unit:,.2f} = {buys:.3g} VM-months, "
                f"so the containers are cheaper once the peak needs more than {level} whole VMs."
            )
            lines.append(
                f"5. The peak needs ceil({r.vms_per_load:g} x ratio) VMs: more than {level} once the ratio is "
                f"above {level} / {r.vms_per_load:g} = {r.break_even:.3g}."
            )
            lines.append(f"Answer: {_ratio_text(r.break_even)}.")
        return "\n".join(lines)

    def check(self, answer: Any) -> Feedback:
        """Check a learner's answer against the model, naming the common mistakes."""
        r = self.result
        name = f"cost practice #{self.seed}"
        if self.question == "cheaper":
            cheap = "container" if r.cheaper == "vm" else "vm"
            mistakes = [
                Mistake(
                    f"With peaks {r.peak_to_avg:g}x the average the VMs kept for the peak cost {r.vm_monthly:,.2f} "
                    f"USD a month, the containers {r.container_monthly:,.2f}",
                    value=cheap,
                    like=(
                        "thinking containers are always cheaper than VMs; per vCPU-hour the prices are close, "
                        "so it is the peak the VMs are kept for that decides"
                        if cheap == "container"
                        else "thinking the lower price per vCPU-hour always wins; the VMs pay for the peak all month"
                    ),
                )
            ]
            return check_prediction(
                name, answer, r.cheaper, options=CHOICES, mistakes=mistakes, explanation=self._summary()
            )
        no_headroom = hosting_cost(**{**self.inputs, "headroom_pct": 0.0}).break_even
        mistakes = [
            Mistake(
                "That is the container bill over one VM's, without rounding to whole VMs and without dividing "
                f"by the {r.vms_per_load:g} VMs the average already fills",
                value=r.container_monthly / r.vm_unit_monthly,
                like="comparing the bills as if the average load fitted in one VM",
            ),
        ]
        unrounded = r.container_monthly / (r.vms_per_load * r.vm_unit_monthly)
        if not math.isclose(unrounded, r.break_even, rel_tol=0.02):
            mistakes.append(
                Mistake(
                    f"That is the container bill over the {r.vms_per_load:g} VMs the average fills, which ignores the "
                    "rounding to whole VMs: the peak needs a whole number of VMs, so the VMs' bill rises in steps",
                    value=unrounded,
                    like="counting fractional VMs, as if VMs could be rented by the part",
                )
            )
        if not math.isclose(no_headroom, r.break_even, rel_tol=0.02):
            mistakes.append(
                Mistake(
                    f"That ratio forgets the {r.headroom_pct:g}% headroom the containers request on top of the average",
                    value=no_headroom,
                    like="pricing the containers at the average load exactly",
                )
            )
        return check_prediction(
            name,
            answer,
            r.break_even,
            unit="x the average",
            rel_tol=0.02,
            mistakes=mistakes,
            explanation=self._summary(),
        )

    def _summary(self) -> str:
        r = self.result
        vms = (
            f"; VMs {r.vm_monthly:,.2f} USD for {r.vms:g} VMs at peaks {r.peak_to_avg:g}x"
            if self.question == "cheaper"
            else ""
        )
        return (
            f"Containers {r.container_monthly:,.2f} USD a month at any peak; one VM {r.vm_unit_monthly:,.2f} USD"
            f"{vms}; break-even {_ratio_text(r.break_even)}. Prices: {STALE}."
        )


def _ratio_text(ratio: float) -> str:
    if math.isinf(ratio):
        return "never (the containers are never cheaper)"
    if ratio <= 1:
        return "1: the containers are cheaper even for a steady load"
    return f"a peak-to-average ratio of {ratio:.3g}"


def cost_problem(seed: int) -> CostProblem:
    """The problem for ``seed`` (0 to 10**9): the same seed always gives the same problem."""
    rng = random.Random(seed)
    question = QUESTIONS[rng.random() < 0.5]
    want = rng.choice(CHOICES)  # a "cheaper" question is as often about VMs as about containers
    for _ in range(200):  # redraw until the question has a clear answer (deterministic for the seed)
        vcpu = rng.choice(_VCPUS)
        inputs = {
            "avg_vcpu": float(vcpu),
            "avg_mem_gb": float(vcpu * rng.choice(_GB_PER_VCPU)),
            "peak_to_avg": rng.choice(_RATIOS),
            "vm_type": rng.choice(VM_ROWS),
            "vm_vcpu": VM_VCPU,
            "vm_mem_gb": VM_GB,
            "platform": rng.choice(sorted(PLATFORM_ROWS)),
            "headroom_pct": float(rng.choice(_HEADROOM)),
        }
        result = hosting_cost(**inputs)
        if question == "cheaper" and result.cheaper == want and result.saving_monthly >= 1.0:
            return CostProblem(seed, question, inputs, result)
        if question == "break-even" and 1 < result.break_even <= MAX_BREAK_EVEN:
            return CostProblem(seed, question, inputs, result)
    raise RuntimeError(f"no clear cost problem for seed {seed}")  # pragma: no cover - the tests scan seeds


def cost_practice(seed: Any, answer: Any = NOT_GIVEN, show: bool = False) -> Any:
    """``cost_practice(seed)`` shows a problem; ``answer=`` checks yours; ``show=True`` works it out.

    Raises
    ------
    ValueError
        If ``seed`` is not a whole number from 0 to 10**9, or ``show`` is not True or False.
    """
    return practice(cost_problem, seed, answer, show)


def check_cost(seed: Any, answer: Any) -> Feedback:
    """Check ``answer`` to the problem of ``seed``: the same as ``cost_practice(seed, answer=answer)``."""
    return cost_practice(seed, answer=answer)
