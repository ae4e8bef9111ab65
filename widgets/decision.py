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

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as ipw
import plotly.graph_objects as go

from . import data, validate
from .calculator import ILLUSTRATIVE, Calculator, check_known, choice_box
from .figures import new_figure
from .theme import COLORS

VM = "virtual machines"
CVM = "containers on VMs"
MANAGED = "managed container platform (e.g. ECS, GKE)"
CONTAINERS = "containers (self-managed)"
MICROVM = "micro-VMs / sandboxed runtimes (Firecracker, gVisor, Kata)"

#: The options, least disruptive first: this is also the tie-break order. VMs are what most estates run
#: already; containers on VMs add containers but keep the VM operations and boundary; a managed platform
#: adds containers without a platform to build; self-managed containers mean building and running that
#: platform yourselves; sandboxed runtimes are the newest and most specialised tooling.
OPTIONS: tuple[str, ...] = (VM, CVM, MANAGED, CONTAINERS, MICROVM)

#: Option -> course colour key (theme.COLORS); the managed platform is a container platform, told
#: apart from self-managed containers by a hatched bar (:data:`PATTERN`).
OPTION_COLOR = {VM: "vm", CVM: "other", MANAGED: "container", CONTAINERS: "container", MICROVM: "microvm"}
PATTERN = {MANAGED: "/"}

#: Input name -> (the words a learner sees, the answers it takes).
QUESTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "application": ("application", ("legacy (monolith, fixed OS)", "mixed", "cloud-native (stateless services)")),
    "load_variability": ("load variability", ("steady", "daily/weekly swings", "spiky/unpredictable")),
    "team_experience": ("team experience with containers", ("none", "some", "strong")),
    "isolation": ("isolation", ("trusted single tenant", "internal multi-team", "untrusted tenants / customer code")),
    "platform_needs": ("platform needs", ("none", "specific kernel or kernel modules",
                                          "different OS (e.g. Windows on Linux host)",
                                          "hardware access (GPU, devices)")),
    "operational_maturity": ("operational maturity", ("manual", "some automation", "CI/CD + infrastructure as code")),
    "horizon": ("horizon", ("months", "1–2 years", "3+ years")),
}

#: The widget's starting answers: a middle-of-the-road organisation (illustrative assumption, set your own).
DEFAULTS: dict[str, str] = {
    "application": "mixed", "load_variability": "daily/weekly swings", "team_experience": "some",
    "isolation": "internal multi-team", "platform_needs": "none", "operational_maturity": "some automation",
    "horizon": "1–2 years",
}


@dataclass(frozen=True)
class Rule:
    """One documented rule: when it fires, what it does, why, where it is taught, what would change it."""

    id: str
    when: tuple[tuple[str, tuple[str, ...]], ...]  # (input, answers it fires on), all must hold
    points: tuple[tuple[str, int], ...]
    reason: str
    lesson: str
    calculator: str
    changes: str
    excludes: tuple[str, ...] = ()
    evidence: tuple[tuple[str, str], ...] = ()  # (data set, row id) shown with its citation

    def fires(self, answers: dict[str, str]) -> bool:
        """True if every condition in :attr:`when` holds for ``answers``."""
        return all(answers[name] in allowed for name, allowed in self.when)

    def condition(self) -> str:
        """The condition in words, e.g. ``isolation is 'untrusted tenants / customer code'``."""
        return " and ".join(f"{QUESTIONS[n][0]} is " + " or ".join(f"'{a}'" for a in allowed)
                            for n, allowed in self.when)


#: Extra condition of the rules that favour containers for how they are run (team, load, pipelines, time):
#: they need something to put in containers, so they do not fire for a legacy monolith.
_NOT_LEGACY = {"application": (1, 2)}


def _r(id: str, input: str, i: int, points: dict[str, int], reason: str, lesson: str, calculator: str,
       changes: str, excludes: tuple[str, ...] = (), evidence: tuple[tuple[str, str], ...] = (),
       also: dict[str, tuple[int, ...]] | None = None) -> Rule:
    when = [(input, (QUESTIONS[input][1][i],))]
    when += [(n, tuple(QUESTIONS[n][1][j] for j in js)) for n, js in (also or {}).items()]
    return Rule(id, tuple(when), tuple(points.items()), reason, lesson, calculator, changes, excludes, evidence)


_04, _05, _06 = "04-cost-under-variable-load.ipynb", "05-security-isolation.ipynb", "06-drift-and-scanning.ipynb"
_SHARED = (CONTAINERS, MANAGED)  # plain shared-kernel containers

#: The rules, in the order they are documented. Points: 3 = decisive on its own, 2 = a strong reason, 1 = a lean.
RULES: tuple[Rule, ...] = (
    _r("legacy-stays-on-vms", "application", 0, {VM: 3},
       "A monolith tied to its OS runs unchanged in a VM; rebuilding it for containers is a costly, risky project "
       "whose engineering cost outweighs any hosting saving (3: decisive on its own). The rules that favour "
       "containers for how they are run (team, load, pipelines, time) need something to containerise, so they "
       "do not fire for it.",
       _04, "TcoCalculator", "splitting the application into services, or a funded and de-risked rewrite"),
    _r("mixed-estate-both", "application", 1, {CVM: 2, VM: 1},
       "A mixed estate puts each part where it fits: the new services as containers on the VMs it already runs, "
       "the legacy parts in plain VMs (2 to containers on VMs, 1 to VMs for the legacy part).",
       "01-virtual-machines.ipynb", "SizingCalculator", "retiring the legacy parts, or freezing the new ones"),
    _r("cloud-native-containers", "application", 2, {CONTAINERS: 2, MANAGED: 2, CVM: 1, MICROVM: 1},
       "Stateless services are what containers were made for: one service per image, replicas replaced and "
       "added by the engine (2 to each container platform; 1 to containers on VMs and to sandboxed runtimes, "
       "which run the same images with an extra layer).",
       "02-container-engines.ipynb", "HealingCalculator", "state or OS ties that keep the services from moving"),
    _r("steady-load-fixed-fleet", "load_variability", 0, {VM: 1},
       "A steady load is served well by a fixed, reserved fleet sized once; fast scaling has little to win "
       "(1: a lean, not a reason to move).",
       _04, "CostCalculator", "load that swings, so that paying for the peak all day costs more"),
    _r("swings-scale-in-steps", "load_variability", 1, {CONTAINERS: 1, MANAGED: 1, CVM: 1},
       "Daily or weekly swings are predictable: VMs can follow them on a schedule, containers follow them in "
       "finer steps on shared hosts (1 each: a small edge).",
       _04, "LoadCalculator", "a steady load (no edge) or spikes (a larger one)", also=_NOT_LEGACY),
    _r("spikes-need-seconds", "load_variability", 2, {MANAGED: 2, CONTAINERS: 1, CVM: 1, MICROVM: 1},
       "Unpredictable spikes must be met in seconds, not the minutes a VM takes to provision; a managed platform "
       "also adds the hosts underneath (2), self-managed containers and micro-VMs start fast but need spare "
       "hosts you hold yourselves (1 each).",
       "02-container-engines.ipynb", "ScaleOutCalculator", "a load you can predict and provision ahead of",
       also=_NOT_LEGACY),
    _r("no-experience-keep-vms", "team_experience", 0, {VM: 2, MANAGED: 1},
       "A team without container experience runs VMs well today; training, hiring and the risk of a first "
       "migration cost more than hosting (2); if containers at all, let a provider run the platform (1).",
       _04, "TcoCalculator", "training the team, or hiring people who have done it"),
    _r("some-experience-managed", "team_experience", 1, {MANAGED: 2, CVM: 1},
       "Some experience is enough to use containers but not to run an orchestrator: a managed platform "
       "keeps the control plane off the team's plate (2); containers on familiar VMs are a smaller step (1).",
       _04, "TcoCalculator", "the team growing strong (self-managed) or losing its experience (VMs)", also=_NOT_LEGACY),
    _r("strong-team-self-manage", "team_experience", 2, {CONTAINERS: 2, MANAGED: 1, CVM: 1, MICROVM: 1},
       "A strong team can run its own container platform and avoid a provider's fees and limits (2); it can "
       "equally use a managed one, containers on VMs or sandboxed runtimes, which take the same images (1 each).",
       _04, "TcoCalculator", "the people who know it leaving", also=_NOT_LEGACY),
    _r("trusted-shared-kernel-ok", "isolation", 0, {CONTAINERS: 1, MANAGED: 1},
       "When every workload trusts every other, a shared kernel with namespaces and cgroups is an acceptable "
       "boundary, and the lighter one (1 each).",
       _05, "KernelCalculator", "a second tenant, or code you did not write", also=_NOT_LEGACY),
    _r("teams-behind-a-hypervisor", "isolation", 1, {CVM: 2, MANAGED: 1},
       "Several internal teams: one VM (or node pool) per team puts a hypervisor between teams while each "
       "team packs its containers (2); a managed platform's namespaces and quotas separate teams too (1).",
       _05, "KernelCalculator", "one team only (trusted) or outside tenants (untrusted)", also=_NOT_LEGACY),
    _r("untrusted-needs-own-kernel", "isolation", 2, {MICROVM: 3, VM: 2},
       "Untrusted tenants or customer code must not share a kernel with other tenants, so plain shared-kernel "
       "containers are excluded unless sandboxed: self-managed, managed (a managed platform counts only with a "
       "sandboxed runtime, which is the micro-VM option) and containers packed on shared VMs (one VM per tenant "
       "is the VM option). Micro-VMs give each tenant its own kernel behind a small device model and start "
       "fast (3); full VMs give the same boundary with more overhead (2).",
       _05, "KernelCalculator", "running only your own code", excludes=(*_SHARED, CVM),
       evidence=(("syscall_counts", "x86_64_recent_with_entry_point"), ("firecracker_spec", "site_emulated_devices"))),
    _r("own-kernel-needs-a-guest", "platform_needs", 1, {VM: 3, CVM: 1, MICROVM: 1},
       "Containers share the host's kernel, so a specific kernel or module means a guest kernel of your own: "
       "a VM does it fully (3); containers on a VM with that kernel, or a micro-VM with a custom guest kernel "
       "and few devices, do it partly (1 each). Shared-kernel platforms are excluded.",
       _05, "KernelCalculator", "the feature reaching the hosts' standard kernel", excludes=_SHARED),
    _r("other-os-needs-a-vm", "platform_needs", 2, {VM: 3},
       "A different OS cannot run on the host's kernel at all: a VM runs any guest OS (3). Containers of that "
       "OS on VMs of that OS (e.g. Windows containers) are a second container platform to run, so get no "
       "points. Shared-kernel platforms and the Linux-only micro-VMs and sandboxes (Firecracker, gVisor, Kata) "
       "are excluded.",
       "01-virtual-machines.ipynb", "KvmLab", "porting the application to the host's OS",
       excludes=(*_SHARED, MICROVM)),
    _r("devices-both-ways", "platform_needs", 3, {CONTAINERS: 2, VM: 2},
       "Hardware access works both ways: a container gets the host's device directly (--device, GPU runtime "
       "hooks) at native speed (2); a VM gets it by PCI passthrough or a virtual GPU, which pins the VM to that "
       "host and the device to that VM (2). Micro-VMs emulate a handful of devices and get none of these points.",
       "07-performance.ipynb", "OverheadExplorer", "no device needs, or a device the runtime supports",
       evidence=(("firecracker_spec", "site_emulated_devices"),)),
    _r("manual-ops-keep-vms", "operational_maturity", 0, {VM: 2, MANAGED: 1},
       "Without automation, containers lose their main operational gain (rebuild from a manifest); the team's "
       "manual VM routine is the safer bet (2), or a platform that automates itself (1).",
       _06, "DriftCalculator", "scripting builds and deployments"),
    _r("some-automation-step", "operational_maturity", 1, {CVM: 1, MANAGED: 1},
       "Some automation supports a step: containers on VMs the team already automates, or a managed platform "
       "(1 each).",
       _06, "DriftCalculator", "a full pipeline (self-managed) or none (VMs)"),
    _r("pipelines-rebuild", "operational_maturity", 2, {CONTAINERS: 2, MANAGED: 1, CVM: 1, MICROVM: 1},
       "CI/CD and infrastructure as code rebuild every server from its manifest, so nothing drifts: the "
       "container way of working (2 to self-managed, which needs it most; 1 to the others that use images).",
       _06, "DriftCalculator", "hand changes creeping back", also=_NOT_LEGACY),
    _r("short-horizon-no-migration", "horizon", 0, {VM: 1, MANAGED: 1},
       "In a few months a migration cannot pay back its cost: keep what runs (1), or rent a platform with "
       "nothing to build (1).",
       _04, "TcoCalculator", "a longer life for the system"),
    _r("two-years-step-by-step", "horizon", 1, {CVM: 1},
       "One to two years is time to move step by step: containerise parts while the VMs stay (1).",
       _04, "TcoCalculator", "a shorter or a longer horizon", also=_NOT_LEGACY),
    _r("long-horizon-pays-back", "horizon", 2, {CONTAINERS: 1, MANAGED: 1},
       "Over three years or more a migration's one-off cost is repaid by cheaper operations (1 each).",
       _04, "TcoCalculator", "the system being retired sooner", also=_NOT_LEGACY),
)


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


def decide(application: str, load_variability: str, team_experience: str, isolation: str, platform_needs: str,
           operational_maturity: str, horizon: str) -> Decision:
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
    answers = _clean(dict(application=application, load_variability=load_variability,
                          team_experience=team_experience, isolation=isolation, platform_needs=platform_needs,
                          operational_maturity=operational_maturity, horizon=horizon))
    ranking, fired = _score(answers)
    verdict = ranking[0][0]
    gives = {r.id: dict(r.points).get(verdict, 0) for r in fired}
    fired.sort(key=lambda r: (not r.excludes, -gives[r.id], -max(dict(r.points).values(), default=0),
                              RULES.index(r)))
    reasons = tuple(Fired(r, gives[r.id], tuple(_evidence(d, i) for d, i in r.evidence)) for r in fired)
    flips = []
    for name, (_, choices) in QUESTIONS.items():
        for other in choices:
            if other != answers[name]:
                new = _score({**answers, name: other})[0][0][0]
                if new != verdict:
                    flips.append((name, other, new))
    return Decision(tuple(answers.items()), ranking, verdict, reasons, tuple(flips))


def summarize(d: Decision) -> str:
    """One sentence: the verdict, its score and the runner-up."""
    best, score, _ = d.ranking[0]
    others = [(o, s) for o, s, x in d.ranking[1:] if not x]
    out = len(d.ranking) - 1 - len(others)
    excl = f"; {out} option{'s' * (out != 1)} excluded by hard constraints" if out else ""
    if not others:
        return f"Verdict: {best} with {score} points, the only option no constraint excludes{excl}."
    rel = "ahead of" if others[0][1] < score else "tied with, and less disruptive than,"
    return f"Verdict: {best} with {score} points, {rel} {others[0][0]} ({others[0][1]}){excl}."


def _tag(f: Fired) -> str:
    if f.rule.excludes:
        return "constraint"
    if f.to_verdict:
        return f"+{f.to_verdict} to the verdict"
    best = max(f.rule.points, key=lambda p: p[1])
    return f"+{best[1]} to {best[0]}, none to the verdict"


def _lesson_title(link: str) -> str:
    return link.removesuffix(".ipynb").replace("-", " ", 1)


def details(d: Decision) -> str:
    """HTML under the figure: the reasons (strongest first, with links) and what would change the verdict."""
    items = []
    for f in d.reasons:
        r = f.rule
        tag = f"<b>{html.escape(_tag(f))}</b> "
        ev = "".join(f"<br><small>Data: {html.escape(e)}</small>" for e in f.evidence)
        items.append(f"<li>{tag}<code>{r.id}</code>: {html.escape(r.reason)} <a href=\"{r.lesson}\">"
                     f"{html.escape(_lesson_title(r.lesson))}</a> ({r.calculator}). "
                     f"<i>Would change with: {html.escape(r.changes)}.</i>{ev}</li>")
    flips = "".join(f"<li>{html.escape(QUESTIONS[n][0])} → <i>{html.escape(v)}</i>: {html.escape(new)}</li>"
                    for n, v, new in d.flips) or "<li>no single change of answer flips it</li>"
    return (f"<p><b>Verdict: {html.escape(d.verdict)}.</b> Points are teaching judgements (1 lean, 2 strong, "
            f"3 decisive), not measurements; the starting answers are an {ILLUSTRATIVE}.</p>"
            f"<p>Why (strongest first):</p><ul>{''.join(items)}</ul>"
            f"<p>What would change it (one answer at a time):</p><ul>{flips}</ul>")


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
        lines.append(f"- **{r.id}** ({_tag(f)}): {r.reason} See [{_lesson_title(r.lesson)}]({r.lesson}), "
                     f"`{r.calculator}`. Would change with: {r.changes}.")
        lines += [f"  - Data: {e}" for e in f.evidence]
    lines += ["", "## What would change it", ""]
    lines += [f"- {QUESTIONS[n][0]} → *{v}*: {new}" for n, v, new in d.flips] or ["- no single change flips it"]
    lines += ["", "Points: 1 a lean, 2 a strong reason, 3 decisive; ties go to the less disruptive option "
              f"({' < '.join(OPTIONS)}). The points are teaching judgements, not measurements.", ""]
    return "\n".join(lines)


def draw(fig: go.Figure, d: Decision) -> None:
    """Redraw the bars: options by score, the verdict outlined, excluded options faded."""
    bars = fig.data[0]
    opts = [o for o, _, _ in d.ranking]
    bars.y = opts
    bars.x = [s for _, s, _ in d.ranking]
    bars.marker.color = [COLORS[OPTION_COLOR[o]] for o in opts]
    bars.marker.opacity = [0.35 if x else 1.0 for _, _, x in d.ranking]
    bars.marker.pattern.shape = [PATTERN.get(o, "") for o in opts]
    bars.marker.line.width = [3 if o == d.verdict else 0 for o in opts]
    bars.marker.line.color = "#222222"
    bars.text = [f"{s} ◀ verdict" if o == d.verdict else (f"{s} (excluded)" if x else str(s))
                 for o, s, x in d.ranking]


def figure(d: Decision, *, widget: bool = False) -> go.Figure:
    """A horizontal bar chart of the options' scores, best at the top."""
    fig = new_figure("Platform options scored by the decision rules", "score (points: sum of rule weights)", "",
                     widget=widget, height=340, showlegend=False, margin={"l": 420, "r": 90},
                     yaxis={"autorange": "reversed"})
    fig.add_bar(orientation="h", x=[], y=[], textposition="outside", cliponaxis=False, name="score",
                hovertemplate="%{y}<br>%{x} points<extra></extra>")
    draw(fig, d)
    return fig


class DecisionAid(Calculator[Decision]):
    """Answer seven questions; see the options scored, the reasons, and export the decision as Markdown."""

    def __init__(self, **answers: str) -> None:
        check_known(answers, DEFAULTS)
        start = {**DEFAULTS, **answers}
        d = decide(**start)
        controls = {k: choice_box(start, k, choices, words, width="520px") for k, (words, choices) in QUESTIONS.items()}
        self.export_button = ipw.Button(description="Export Markdown", icon="download")
        self.markdown = ipw.Textarea(value="", placeholder="Press 'Export Markdown'",
                                     layout=ipw.Layout(width="100%", height="220px"))
        super().__init__("decision", controls, decide, draw, summarize, figure(d, widget=True), details=details)
        self.export_button.on_click(lambda _b: self.export())
        self.children = (*self.children, ipw.HBox([self.export_button]), self.markdown)

    def update(self) -> bool:
        """Recompute; an exported text is kept in step with the answers."""
        ok = super().update()
        if ok and getattr(self, "markdown", None) is not None and self.markdown.value:
            self.export()
        return ok

    def export(self) -> str:
        """Write the current decision's Markdown into the text area and return it."""
        text = to_markdown(self.result) if self.result is not None else ""
        self.markdown.value = text
        return text

    def save(self, path: str | os.PathLike[str] = "decision.md") -> Path:
        """Write the current decision's Markdown to ``path`` (only when asked) and return the path.

        Raises
        ------
        ValueError
            If ``path`` is not a file name, or the file cannot be written.
        """
        if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)) or not str(path).strip():
            raise ValueError(f"path must be a file name such as 'decision.md', got {path!r}")
        target = Path(path)
        try:
            target.write_text(self.export(), encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"could not write the decision to {str(target)!r}: {exc.strerror or exc}") from None
        return target
