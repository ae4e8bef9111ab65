"""Lesson 08's decision aid: seven answers -> ranked platform options, explained.

The model is a documented table of :data:`RULES`. Each rule has a condition on
the learner's answers, small integer points (1 to 3) for some options and/or
hard constraints that exclude options, a reason in plain words (which also
justifies its points), the lesson and calculator that back it, and what would
change it. An option's score is the sum of the points of the rules that fired;
the verdict is the best option no constraint excludes, ties going to the less
disruptive option (the order of :data:`OPTIONS`). Nothing else is hidden: the
points are teaching judgements, not measurements, and the only real-world
figures shown come from ``data/`` with their citations (``evidence``).

"What would change it" is computed, not written: :func:`decide` re-runs itself
with every other answer to every question and lists the single changes that
flip the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core import data, validate
from .rules import OPTIONS, QUESTIONS, RULES, Rule


@dataclass(frozen=True)
class Fired:
    """A rule that fired, with the points it gave to the verdict (its strength) and its cited evidence."""

    rule: Rule
    to_verdict: int
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """Answers, ranked options, the verdict, the reasons and the single changes that flip it."""

    answers: tuple[tuple[str, str], ...]
    ranking: tuple[tuple[str, int, tuple[str, ...]], ...]  # (option, score, ids of rules excluding it)
    verdict: str
    reasons: tuple[Fired, ...]
    flips: tuple[tuple[str, str, str], ...]  # (input, other answer, new verdict)

    def score(self, option: str) -> int:
        """The score of one option."""
        return next(s for o, s, _ in self.ranking if o == option)

    def excluded(self, option: str) -> tuple[str, ...]:
        """The ids of the rules that exclude ``option`` (empty if none)."""
        return next(x for o, _, x in self.ranking if o == option)

    def excluded_because(self, option: str) -> str:
        """What exactly the rules that exclude ``option`` rule out, in words ("" if it is not excluded).

        An exclusion is narrower than the option's name: untrusted tenants exclude containers on *shared* VMs,
        not one VM or node pool per tenant.
        """
        ids = self.excluded(option)
        rules = [f.rule for f in self.reasons if f.rule.id in ids]
        return "; ".join(dict(r.why_excluded).get(option, r.reason.split(". ")[0]) for r in rules)


def _evidence(dataset: str, row_id: str) -> str:
    table = data.load(dataset)
    row = table.row(id=row_id)
    label = row.get("fact") or row["subject"]
    subject = f"{row['subject']}: " if "fact" in row else ""
    cond = f" ({row['conditions']})" if row.get("conditions") else ""
    return f"{subject}{label}: {row['value']:g} {row['unit']}{cond} [{table.cite(row)}]"


def _score(answers: dict[str, str]) -> tuple[tuple[tuple[str, int, tuple[str, ...]], ...], list[Rule]]:
    fired = [r for r in RULES if r.fires(answers)]
    scores = {o: sum(p for r in fired for opt, p in r.points if opt == o) for o in OPTIONS}
    excluded = {o: tuple(r.id for r in fired if o in r.excludes) for o in OPTIONS}
    order = sorted(OPTIONS, key=lambda o: (bool(excluded[o]), -scores[o], OPTIONS.index(o)))
    return tuple((o, scores[o], excluded[o]) for o in order), fired


def _clean(values: dict[str, Any]) -> dict[str, str]:
    return {k: validate.choice(QUESTIONS[k][0], v, QUESTIONS[k][1]) for k, v in values.items()}


def decide(
    application: str = "mixed",
    load_variability: str = "daily/weekly swings",
    team_experience: str = "some",
    isolation: str = "internal multi-team",
    platform_needs: str = "none",
    operational_maturity: str = "some automation",
    horizon: str = "1–2 years",
) -> Decision:
    """Score the options for one set of answers and explain the verdict.

    Parameters
    ----------
    application, load_variability, team_experience, isolation, platform_needs, operational_maturity, horizon:
        One answer each, from the choices in :data:`QUESTIONS`.

    Returns
    -------
    Decision
        Options ranked (not excluded first, then by score, then least disruptive), the verdict, the rules that
        fired (constraints first, then by points to the verdict, then by table order) and the flips.

    Raises
    ------
    ValueError
        If an answer is not one of its choices; the message names the input.
    """
    answers = _clean(
        dict(
            application=application,
            load_variability=load_variability,
            team_experience=team_experience,
            isolation=isolation,
            platform_needs=platform_needs,
            operational_maturity=operational_maturity,
            horizon=horizon,
        )
    )
    ranking, fired = _score(answers)
    verdict = ranking[0][0]
    gives = {r.id: dict(r.points).get(verdict, 0) for r in fired}
    fired.sort(key=lambda r: (not r.excludes, -gives[r.id], -max(dict(r.points).values(), default=0), RULES.index(r)))
    reasons = tuple(Fired(r, gives[r.id], tuple(_evidence(d, i) for d, i in r.evidence)) for r in fired)
    flips = []
    for name, (_, choices) in QUESTIONS.items():
        for other in choices:
            if other != answers[name]:
                new = _score({**answers, name: other})[0][0][0]
                if new != verdict:
                    flips.append((name, other, new))
    return Decision(tuple(answers.items()), ranking, verdict, reasons, tuple(flips))


def rule_tag(f: Fired) -> str:
    """How much a fired rule moved the score, in a few words."""
    if f.rule.excludes:
        return "constraint"
    if f.to_verdict:
        return f"+{f.to_verdict} to the verdict"
    best = max(f.rule.points, key=lambda p: p[1])
    return f"+{best[1]} to {best[0]}, none to the verdict"


def lesson_title(link: str) -> str:
    """'04-cost-under-variable-load.ipynb' -> '04 cost-under-variable-load'."""
    return link.removesuffix(".ipynb").replace("-", " ", 1)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def to_markdown(d: Decision) -> str:
    """The decision as Markdown for a discussion: answers, verdict, ranking, reasons, what would change it.

    Date-free, so the same answers always give the same text.
    """
    lines = ["# Platform decision", "", "| question | answer |", "|---|---|"]
    lines += [f"| {_cell(QUESTIONS[k][0])} | {_cell(v)} |" for k, v in d.answers]
    lines += ["", f"**Verdict: {d.verdict}**", "", "| option | points | status |", "|---|---:|---|"]
    for o, s, x in d.ranking:
        status = "verdict" if o == d.verdict else (f"excluded by {', '.join(x)}" if x else "")
        lines.append(f"| {_cell(o)} | {s} | {status} |")
    lines += ["", "## Why (strongest first)", ""]
    for f in d.reasons:
        r = f.rule
        lines.append(
            f"- **{r.id}** ({rule_tag(f)}): {r.reason} See [{lesson_title(r.lesson)}]({r.lesson}), "
            f"`{r.calculator}`. Would change with: {r.changes}."
        )
        lines += [f"  - Data: {e}" for e in f.evidence]
    lines += ["", "## What would change it", ""]
    lines += [f"- {QUESTIONS[n][0]} → *{v}*: {new}" for n, v, new in d.flips] or ["- no single change flips it"]
    lines += [
        "",
        "Points: 1 a lean, 2 a strong reason, 3 decisive; ties go to the less disruptive option "
        f"({' < '.join(OPTIONS)}). The points are teaching judgements, not measurements.",
        "",
    ]
    return "\n".join(lines)
