"""Lesson 09's predictions: a company's verdict and what binds it, the cost order of three platforms, a flip.

Everything here is computed by the course's own models on a capstone scenario's inputs, so a check can
never disagree with the calculators: :func:`binding` reads :func:`widgets.models.decision.decide` (the rule
that separates the verdict from the runner-up, or the constraint that excluded a higher-scoring option,
with :meth:`~widgets.models.decision.Decision.excluded_because`); :func:`cost_order` runs
:func:`widgets.models.costs.hosting_cost` for the three ways to run a load (VMs kept for the peak, containers
on a node pool of those VMs, serverless containers); :func:`check_flip` checks a change that would flip the
verdict against the decision's computed flips.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

from ..models import costs, decision
from ..models.rules import QUESTIONS
from .capstone import FICTIONAL, scenario
from .checks import MISSING_HINT, Feedback
from .predict import Mistake

__all__ = ["ORDERINGS", "PLATFORMS", "REASONS", "Binding", "CostOrder", "binding", "check_flip", "cost_order"]

#: The three ways to run a load -> the cost model's platform (VMs: the same run, their own cost).
PLATFORMS = {"VMs": "fargate_x86", "node pool": "node_pool", "serverless": "fargate_x86"}
#: Every order of the three, cheapest first, as a prediction writes it.
ORDERINGS = tuple(" < ".join(p) for p in permutations(PLATFORMS))
#: The binding reason is named by the question its rule reads (the words of the decision aid).
REASONS = {key: words for key, (words, _) in QUESTIONS.items()}


@dataclass(frozen=True)
class Binding:
    """What decides a verdict: the runner-up, and the questions whose rules decide (any of them is right)."""

    decision: decision.Decision
    runner_up: str
    questions: tuple[str, ...]  # keys of QUESTIONS
    rules: tuple[str, ...]  # rule ids
    constraint: bool
    explanation: str


def binding(key: str) -> Binding:
    """The binding reason of scenario ``key``'s verdict (one reasonable reading of its story).

    If an option that scored at least the verdict's points is excluded, the constraint that excluded it binds.
    Otherwise the rules that give the verdict the most points over the runner-up (the best other option not
    excluded) bind; several may tie.
    """
    d = decision.decide(**scenario(key).answers)
    top = d.score(d.verdict)
    beaten = [o for o, s, x in d.ranking if x and s >= top]
    if beaten:
        fired = [f.rule for f in d.reasons if f.rule.excludes and set(beaten) & set(f.rule.excludes)]
        why = "; ".join(f"{o} ({d.score(o)} points) is excluded: {d.excluded_because(o)}" for o in beaten)
        text = f"a constraint decides before any points: {why}."
        runner = beaten[0]
    else:
        runner = next(o for o, _, x in d.ranking if o != d.verdict and not x)
        margin = {
            f.rule.id: dict(f.rule.points).get(d.verdict, 0) - dict(f.rule.points).get(runner, 0) for f in d.reasons
        }
        best = max(margin.values())
        fired = [f.rule for f in d.reasons if margin[f.rule.id] == best]
        text = (
            f"{d.verdict} has {top} points against {d.score(runner)} for the runner-up, {runner}; "
            + "; ".join(
                f"rule {r.id} gives it {best} more ({r.reason.split('(')[0].strip().rstrip('.')})" for r in fired
            )
            + "."
        )
    questions = tuple(dict.fromkeys(r.when[0][0] for r in fired))
    return Binding(d, runner, questions, tuple(r.id for r in fired), bool(beaten), text)


def reason_mistakes(key: str) -> list[Mistake]:
    """Wrong binding reasons for ``key``, each saying what it misses."""
    b = binding(key)
    decides = " or ".join(REASONS[q] for q in b.questions)
    like = (
        "the option with the most points wins, whatever the constraints"
        if b.constraint
        else "the most striking fact of the story is the one that decides"
    )
    return [
        Mistake(
            value=REASONS[q],
            why=f"the {REASONS[q]} rules do not separate {b.decision.verdict} from {b.runner_up}; {decides} does",
            like=like,
        )
        for q in QUESTIONS
        if q not in b.questions
    ]


def verdict_mistakes(key: str) -> list[Mistake]:
    """Wrong verdicts for ``key``: an excluded option, or one that scores fewer points, and why."""
    d = decision.decide(**scenario(key).answers)
    out = []
    for option, score, excluded in d.ranking:
        if option == d.verdict:
            continue
        if excluded:
            why = f"{option} scores {score} points but is excluded: {d.excluded_because(option)}"
            out.append(Mistake(value=option, why=why, like="the option with the most points always wins"))
        else:
            why = f"{option} scores {score} points against the verdict's {d.score(d.verdict)}"
            out.append(Mistake(value=option, why=why))
    return out


@dataclass(frozen=True)
class CostOrder:
    """The monthly cost of the three platforms for a scenario's load, cheapest first, and why."""

    costs: dict[str, float]
    text: str  # one of ORDERINGS
    mistakes: tuple[Mistake, ...]
    explanation: str


def cost_order(key: str) -> CostOrder:
    """Monthly cost (USD) of scenario ``key``'s load on VMs kept for the peak, a node pool and serverless."""
    s = scenario(key)
    runs = {name: costs.hosting_cost(**s.cost, platform=p) for name, p in PLATFORMS.items()}
    monthly = {
        "VMs": runs["VMs"].vm_monthly,
        "node pool": runs["node pool"].container_monthly,
        "serverless": runs["serverless"].container_monthly,
    }
    order = sorted(monthly, key=monthly.get)
    h = runs["serverless"]
    vm_size = h.vm_vcpu * h.cpu_price.usd + h.vm_mem_gb * h.mem_price.usd
    before = {(a, b): order.index(a) < order.index(b) for a in monthly for b in monthly if a != b}
    mistakes = [
        Mistake(
            test=lambda p: p.index("node pool") < p.index("VMs"),
            why=f"a node pool runs the same VMs, filled only {h.packing_pct:g} % by pods, plus a control plane: "
            "for one workload it costs more than the VMs",
            like="containers are always cheaper than VMs",
        )
    ]
    if before[("VMs", "serverless")]:
        mistakes.append(
            Mistake(
                test=lambda p: p.index("serverless") < p.index("VMs"),
                why=f"with peaks only {h.peak_to_avg:g}× the average the VMs kept for the peak are nearly full, "
                f"and the serverless price of a VM's size ({h.vm_vcpu:g} vCPUs, {h.vm_mem_gb:g} GB) is "
                f"{vm_size:.4f} USD an hour against the VM's {h.vm.usd:.4f}",
                like="paying per use is always cheaper",
            )
        )
    else:
        mistakes.append(
            Mistake(
                test=lambda p: p.index("VMs") < p.index("serverless"),
                why=f"VMs kept for a peak {h.peak_to_avg:g}× the average sit idle most of the time, while the "
                f"serverless platform bills the average plus {h.headroom_pct:g} % headroom",
                like="VMs are cheaper because their price per vCPU-hour is lower",
            )
        )
    listing = ", ".join(f"{n} {v:,.2f}" for n, v in sorted(monthly.items(), key=lambda kv: kv[1]))
    explanation = (
        f"The cost model (lesson 04) for {s.name.split(' (')[0]}'s load ({FICTIONAL}): {listing} USD a month (prices: "
        f"{h.vm.short} VMs and {h.cpu_price.label.split(':')[0]}, dated secondary snapshots)."
    )
    return CostOrder(monthly, " < ".join(order), tuple(mistakes), explanation)


def check_flip(key: str, answer: object) -> Feedback:
    """Check a single change of one answer, ``(question, new answer)``, that would flip ``key``'s verdict.

    ``None`` claims that no single change flips it. Never raises for a learner's answer.
    """
    d = decision.decide(**scenario(key).answers)
    flips = {(q, a): new for q, a, new in d.flips}
    if answer is Ellipsis or (isinstance(answer, str) and not answer.strip()):
        return Feedback("missing", "the answer is still empty.", MISSING_HINT)
    if answer is None:
        if not flips:
            return Feedback(
                "correct",
                f"no single change flips {d.verdict}: it leads by {d.score(d.verdict) - d.ranking[1][1]} points. "
                "The memo should then name what together would change it.",
            )
        return Feedback(
            "incorrect",
            f"{len(flips)} single change(s) flip it; e.g. {next(iter(flips))[0]} = {next(iter(flips))[1]!r}.",
            "try the answers of one question at a time in the decision aid",
        )
    if not isinstance(answer, tuple | list) or len(answer) != 2 or not all(isinstance(x, str) for x in answer):
        return Feedback(
            "incorrect",
            f"answer with (question, new answer), such as ('team_experience', 'strong'), or None; got {answer!r}.",
        )
    question, new = (x.strip() for x in answer)
    if question not in QUESTIONS:
        return Feedback("incorrect", f"{question!r} is not a question: one of {', '.join(QUESTIONS)}.")
    choices = QUESTIONS[question][1]
    if new not in choices:
        return Feedback("incorrect", f"{new!r} is not an answer to {question}: one of {', '.join(choices)}.")
    if new == dict(d.answers)[question]:
        return Feedback("incorrect", f"{new!r} is already the story's answer to {question}: change it.")
    if (question, new) in flips:
        return Feedback(
            "correct", f"{question} = {new!r} flips the verdict from {d.verdict} to {flips[(question, new)]}."
        )
    other = decision.decide(**{**dict(d.answers), question: new})
    return Feedback(
        "incorrect",
        f"with {question} = {new!r} the verdict stays {d.verdict} ({other.score(d.verdict)} points, the next "
        f"{other.ranking[1][0]} {other.ranking[1][1]}).",
        "look for a question whose rules give the runner-up more points, or a constraint",
    )
