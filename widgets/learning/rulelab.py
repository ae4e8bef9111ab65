"""Lesson 05's rule exercises: write a seccomp rule or drop a capability, predict what fails, run it, compare.

:func:`check_rule` runs the learner's rule through the lab (:func:`widgets.labs.secrule.run_rule`: the
privileges lab's unprivileged child, with time-outs; the recording and the model where user namespaces are
missing or ``live="off"``) and compares what changed with the learner's prediction, explaining each gap in
the kernel's order: seccomp at system-call entry, then the call's permission and capability checks.
:func:`practice` is the seeded practice (a random rule, three actions). :func:`check_subset` checks a
prediction that is a set of names (which probes fail, which features a kernel lacks) with
:func:`widgets.learning.predict.check_prediction`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from ..labs.secrule import RuleRun, baseline, recorded, run_rule
from ..models import secactions
from .checks import MISSING_HINT, Feedback, is_missing
from .predict import Entry, Mistake, check_prediction, journal

__all__ = [
    "ACTIONS",
    "RuleCheck",
    "actions_html",
    "baseline",
    "check_practice",
    "check_rule",
    "check_subset",
    "practice",
    "practice_answers",
    "run_rule",
    "subset_options",
]

ACTIONS = secactions.ACTIONS
RULE_HINT = "deny system-call names such as 'sethostname'; drop capability names such as 'CAP_SYS_ADMIN'"
OUTCOME_HINT = "write each outcome as 'allowed', an errno name such as 'EPERM' or 'EACCES', or 'killed'"


def actions_html(*runs: RuleRun) -> str:
    """A table of the actions: the calls each makes, the capability it needs, and each run's outcome."""
    head = "".join(
        f"<th scope='col'>{html.escape(r.rule.describe())}<br><small>{html.escape(r.source)}</small></th>" for r in runs
    )
    rows = "".join(
        f"<tr><td><code>{k}</code>: {html.escape(a.label)}</td><td>{', '.join(a.calls)}</td>"
        f"<td>{a.capability or '—'}</td>"
        + "".join(f"<td>{html.escape(r.outcomes.get(k, ''))}</td>" for r in runs)
        + "</tr>"
        for k, a in ACTIONS.items()
    )
    return (
        "<table class='cvm-rulelab'><thead><tr><th scope='col'>action</th><th scope='col'>system calls</th>"
        f"<th scope='col'>capability it needs</th>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


@dataclass(frozen=True)
class RuleCheck:
    """The feedback on a rule exercise, and the runs it compared (shown as a box and a table)."""

    feedback: Feedback
    runs: tuple[RuleRun, ...] = ()

    @property
    def status(self) -> str:
        return self.feedback.status

    def __str__(self) -> str:
        lines = [str(self.feedback)]
        if len(self.runs) == 2:
            base, mine = self.runs
            lines += [f"  {k:<12} no rule: {base.outcomes[k]:<16} your rule: {mine.outcomes[k]}" for k in ACTIONS]
            lines.append(f"  ({mine.source})")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return self.feedback._repr_html_() + (actions_html(*self.runs) if self.runs else "")


def _prediction(prediction: object) -> dict[str, str]:
    if not isinstance(prediction, Mapping):
        raise ValueError(
            f"the prediction is a dict of the actions your rule changes and what each gives then, such as "
            f"{{'hostname': 'EPERM'}} ({{}} if it changes none); got {prediction!r}"
        )
    out = {}
    for key, value in prediction.items():
        if key not in ACTIONS:
            raise ValueError(f"{key!r} is not one of the actions: {', '.join(ACTIONS)}")
        out[key] = secactions.normalise(value)
    return out


def _gap(key: str, said: str | None, got: str, base: str, rule: secactions.Rule) -> str:
    """Why the outcome of ``key`` is ``got`` and not what the learner said (``None``: they said unchanged)."""
    _, why = secactions.expected(rule, ACTIONS[key], base)
    said_text = f"'{said}'" if said is not None else f"no change (still '{base}')"
    note = ""
    if said == "EACCES" and got == "EPERM" and set(ACTIONS[key].calls) & set(rule.deny):
        note = (
            " This is the belief that the file's permission check comes first; in fact the seccomp filter "
            "runs at the system call's entry, before any permission check, so the errno is the filter's."
        )
    elif said == "EPERM" and got == secactions.KILLED:
        note = (
            " This is the belief that a denied call always returns an error; with on_deny='kill' the filter "
            "returns KILL_PROCESS and the process dies of SIGSYS: nothing is returned to it."
        )
    elif said == "EPERM" and got == "EACCES":
        note = " Not every refused privilege is EPERM: bind() answers EACCES for a port it may not use."
    elif said == "allowed" and base != "allowed":
        note = (
            " This is the belief that root in a container holds the host's powers; its capabilities count "
            "only in its own user namespace, and a rule can only take powers away."
        )
    elif said is not None and got == base:
        note = " The rule does not reach this action's system calls or the capability it checks."
    return f"{key}: you said {said_text}, the run gave '{got}' ({why}).{note}"


def check_rule(
    deny: object = (), on_deny: object = "errno", drop: object = (), prediction: object = ..., *, live: str = "auto"
) -> RuleCheck:
    """Run the learner's rule, compare what it changes with the prediction, and explain every gap.

    The prediction is a dict of the actions the rule changes and the outcome each gives under it
    (``{}``: it changes none). Never raises for a learner's input: a bad rule or prediction gets feedback.
    """
    if is_missing(prediction):
        return RuleCheck(Feedback("missing", "no prediction yet: write it before you run the rule.", MISSING_HINT))
    try:
        secactions.make_rule(deny, on_deny, drop)
    except ValueError as exc:
        return RuleCheck(Feedback("incorrect", f"{exc}.", RULE_HINT))
    try:
        said = _prediction(prediction)
    except ValueError as exc:
        return RuleCheck(Feedback("incorrect", f"{exc}.", OUTCOME_HINT))
    base, mine = baseline(live), run_rule(deny, on_deny, drop, live=live)
    changed = {k: v for k, v in mine.outcomes.items() if v != base.outcomes[k]}
    wrong = [k for k in ACTIONS if said.get(k, base.outcomes[k]) != mine.outcomes[k]]
    model = secactions.changes(mine.rule, base.outcomes)
    differs = "" if model == changed else f" The model expected changes {model} here: this kernel behaves otherwise."
    where = "measured here" if mine.live else "not measured here: the recording and the model"
    summary = ", ".join(f"{k} -> {v}" for k, v in changed.items()) or "nothing changed"
    if not wrong:
        status, hint = "correct", "" if changed else "now try a rule that changes something"
        message = f"your rule ({mine.rule.describe()}) changed exactly what you said: {summary} ({where})."
    else:
        status, hint = "incorrect", "read each reason, change the rule and predict again"
        gaps = " ".join(_gap(k, said.get(k), mine.outcomes[k], base.outcomes[k], mine.rule) for k in wrong)
        message = f"your rule ({mine.rule.describe()}) changed: {summary} ({where}). {gaps}"
    note = "predicted well" if status == "correct" else f"{len(wrong)} action(s) mispredicted"
    said_text = ", ".join(f"{k} -> {v}" for k, v in said.items()) or "nothing changes"
    journal().record(Entry("rule lab", said_text, summary, "", status, note))
    return RuleCheck(Feedback(status, message + differs, hint), (base, mine))


# -- seeded practice -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """Plain text that shows as such in a notebook."""

    text: str

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<pre class='cvm-practice'>{html.escape(self.text)}</pre>"


def practice(seed: object = 0, answer: object = None, show: bool = False) -> Text | Feedback:
    """A random rule and three actions for ``seed``: what does each action give under it?

    ``practice(seed)`` shows the problem; ``practice(seed, answer=[...])`` checks three outcomes in order;
    ``practice(seed, show=True)`` shows the worked answer. The outcomes with no rule are the recorded ones
    (the same on every machine, so a seed is the same problem everywhere).
    """
    try:
        p = secactions.practice_problem(seed, dict(recorded()["baseline"]))
    except ValueError as exc:
        return Feedback("incorrect", f"{exc}.", "use a whole number as the seed, e.g. practice(7)")
    if show:
        worked = "\n".join(
            f"  {k}: {a}, because {why}" for k, a, why in zip(p.actions, p.answers, p.reasons, strict=True)
        )
        return Text(f"Practice #{p.seed}, worked answer ({p.rule.describe()}):\n{worked}")
    if answer is None:
        lines = "\n".join(
            f"  {n}. {k} ({ACTIONS[k].label}; calls {', '.join(ACTIONS[k].calls)}): with no rule {p.baseline[k]}"
            for n, k in enumerate(p.actions, 1)
        )
        return Text(
            f"Practice #{p.seed}. The rule: {p.rule.describe()}.\n{lines}\n"
            f"What does each give under the rule? Answer practice({p.seed}, answer=[...three outcomes...])."
        )
    if answer is Ellipsis or (isinstance(answer, str) and not answer.strip()):
        return Feedback("missing", "no answer yet: three outcomes, one per action, in order.", MISSING_HINT)
    if not isinstance(answer, list | tuple) or len(answer) != 3:
        return Feedback("incorrect", f"answer with a list of three outcomes, one per action; got {answer!r}.")
    try:
        given = [secactions.normalise(a) for a in answer]
    except ValueError as exc:
        return Feedback("incorrect", f"{exc}.", OUTCOME_HINT)
    wrong = [
        f"{k}: you said {g}, it gives {a} ({why})"
        for k, g, a, why in zip(p.actions, given, p.answers, p.reasons, strict=True)
        if g != a
    ]
    if not wrong:
        return Feedback("correct", f"{', '.join(p.answers)}. Try practice({p.seed + 1}).")
    return Feedback("incorrect", "; ".join(wrong) + ".", f"practice({p.seed}, show=True) shows the worked answer")


def check_practice(seed: object, answer: object) -> Text | Feedback:
    """Check an answer to :func:`practice` ``(seed)``: ``practice(seed, answer=answer)``."""
    return practice(seed, answer=answer)


def practice_answers(seed: object) -> tuple[str, ...]:
    """The three outcomes of :func:`practice` ``(seed)``, in order (ValueError for a bad seed)."""
    return secactions.practice_problem(seed, dict(recorded()["baseline"])).answers


# -- predictions that are a set of names -------------------------------------------------------------------
def subset_options(names: Sequence[str]) -> list[str]:
    """Every subset of ``names`` as the text a prediction gives: names in this order, joined by ' + '."""
    return [" + ".join(c) or "none" for n in range(len(names) + 1) for c in combinations(names, n)]


def check_subset(
    exercise: str,
    prediction: object,
    outcome: Sequence[str],
    names: Sequence[str],
    *,
    mistakes: Sequence[Mistake] = (),
    explanation: str = "",
) -> Feedback:
    """Check a prediction that is a list of some of ``names`` (e.g. which probes fail) against ``outcome``.

    The prediction and the outcome become one of :func:`subset_options`, and
    :func:`~widgets.learning.predict.check_prediction` compares them (a mistake's ``test`` gets that text).
    """
    if is_missing(prediction):
        return check_prediction(exercise, prediction, "", options=subset_options(names))
    items = [prediction] if isinstance(prediction, str) else prediction
    if not isinstance(items, list | tuple | set) or not all(isinstance(i, str) for i in items):
        return Feedback("incorrect", f"answer with a list of names from {list(names)}; got {prediction!r}.")
    given = {i.strip().lower() for i in items if i.strip() and i.strip().lower() != "none"}
    known = {n.lower(): n for n in names}
    if unknown := sorted(given - set(known)):
        return Feedback("incorrect", f"{', '.join(unknown)}: not one of {list(names)}.", "copy the names exactly")
    text = " + ".join(n for n in names if n.lower() in given) or "none"
    truth = " + ".join(n for n in names if n in set(outcome)) or "none"
    return check_prediction(
        exercise, text, truth, options=subset_options(names), mistakes=mistakes, explanation=explanation
    )
