"""Lesson 09's capstone: three fictional companies, the numbers their memo needs, and checks on a memo.

Each :class:`Scenario` is a fictional company (its figures are illustrative, not data) described by the
inputs the course's calculators take: hosting cost (lesson 04), density (07), drift (06), the hosts' kernel
(05) and one reasonable reading of the decision aid's questions (08). :func:`memo_numbers` runs the course's
own models on those inputs, so the self-check :func:`check_memo` can never disagree with the calculators;
prices stay the dated, secondary snapshots of ``data/cloud_prices.csv``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go

from ..core import validate
from ..models import costs, decision, density, drift
from ..models import kernel as kernelcheck
from ..ui.figures import new_figure
from ..ui.theme import COLORS
from .checks import Feedback, check_number

#: How every scenario figure is labelled.
FICTIONAL = "fictional company; its figures are illustrative assumptions, not data"


@dataclass(frozen=True)
class Scenario:
    """A fictional company, as inputs to the course's calculators."""

    key: str
    name: str
    story: str  # Markdown, what the learner reads
    cost: dict[str, Any]  # keywords of costs.hosting_cost
    hosts: dict[str, Any]  # keywords of density.density (without platforms)
    platforms: tuple[str, str]  # (VM-like platform, container-like platform) of density.PLATFORMS
    fleet: dict[str, Any]  # keywords of drift.simulate_drift
    kernel: str  # the hosts' kernel version string
    answers: dict[str, str] = field(default_factory=dict)  # one reasonable reading for decision.decide


SCENARIOS: dict[str, Scenario] = {
    s.key: s
    for s in (
        Scenario(
            "harbour",
            "Harbour Mutual (an insurer)",
            "Harbour Mutual runs its policy system, a Java monolith certified on one OS release, on 40 long-lived "
            "servers whose hosts (32 cores, 128 GiB) run an enterprise Linux with kernel 3.10; each instance of "
            "the application needs about 2 GiB and half a core, plus a 512 MiB guest OS as a VM. Load is steady "
            "office-hours traffic: 6 vCPUs and 24 GB on average, peaks 1.3× the average (the cost calculator "
            "prices only the policy system's average load at cloud list prices, not the estate). Operators patch "
            "by hand; an audit runs every 90 days; about 2 % of servers get an unrecorded change on a given day. "
            "Nobody on the team has run containers in production. The board wants a plan for the next two years.",
            cost={"avg_vcpu": 6, "avg_mem_gb": 24, "peak_to_avg": 1.3},
            hosts={
                "host_cores": 32,
                "host_memory_gib": 128,
                "app_memory_mib": 2048,
                "app_cpu": 0.5,
                "app_disk_mib": 500,
                "guest_os_memory_mib": 512,
                "guest_os_disk_gib": 10,
            },
            platforms=("qemu", "runc"),
            fleet={
                "n_servers": 40,
                "p_change": 0.02,
                "vm_rebuild_days": 0,
                "container_rebuild_days": 7,
                "audit_days": 90,
                "seed": 3,
            },
            kernel="3.10.0-1160.el7.x86_64",
            answers={
                "application": "legacy (monolith, fixed OS)",
                "load_variability": "steady",
                "team_experience": "none",
                "isolation": "trusted single tenant",
                "platform_needs": "none",
                "operational_maturity": "manual",
                "horizon": "1–2 years",
            },
        ),
        Scenario(
            "parcelpulse",
            "ParcelPulse (a delivery-tracking start-up)",
            "ParcelPulse tracks parcels for online shops: a dozen stateless services behind an API, built and "
            "deployed by CI/CD several times a day by a team that has run containers for years. Traffic follows "
            "the shops' sales: 8 vCPUs and 16 GB on average, peaks 6× the average during sales. Hosts run a "
            "recent kernel 6.1 on hosts with 64 cores and 256 GiB; each service instance needs about 256 MiB and "
            "a tenth of a core. About 1 % of instances get a hand change on a given day (debugging in "
            "production); audits run monthly. They plan three years ahead.",
            cost={"avg_vcpu": 8, "avg_mem_gb": 16, "peak_to_avg": 6},
            hosts={
                "host_cores": 64,
                "host_memory_gib": 256,
                "app_memory_mib": 256,
                "app_cpu": 0.1,
                "app_disk_mib": 100,
                "guest_os_memory_mib": 256,
                "guest_os_disk_gib": 2,
            },
            platforms=("qemu", "runc"),
            fleet={
                "n_servers": 120,
                "p_change": 0.01,
                "vm_rebuild_days": 0,
                "container_rebuild_days": 1,
                "audit_days": 30,
                "seed": 5,
            },
            kernel="6.1.0-27-amd64",
            answers={
                "application": "cloud-native (stateless services)",
                "load_variability": "spiky/unpredictable",
                "team_experience": "strong",
                "isolation": "trusted single tenant",
                "platform_needs": "none",
                "operational_maturity": "CI/CD + infrastructure as code",
                "horizon": "3+ years",
            },
        ),
        Scenario(
            "coderunner",
            "CodeRunner Academy (runs learners' code)",
            "CodeRunner Academy grades programming exercises by running the code its students submit: untrusted "
            "code from thousands of strangers, in short runs. Load follows class hours: 12 vCPUs and 48 GB on "
            "average, peaks 5× the average. Each run needs about 128 MiB and a twentieth of a core; the runner "
            "hosts have 96 cores and 192 GiB. Hosts run kernel 5.15. The small platform team knows containers "
            "and automates everything; runners are rebuilt daily "
            "and audited weekly, and about 1 % get a hand change on a given day. Horizon: three years.",
            cost={"avg_vcpu": 12, "avg_mem_gb": 48, "peak_to_avg": 5},
            hosts={
                "host_cores": 96,
                "host_memory_gib": 192,
                "app_memory_mib": 128,
                "app_cpu": 0.05,
                "app_disk_mib": 50,
                "guest_os_memory_mib": 64,
                "guest_os_disk_gib": 1,
            },
            platforms=("firecracker", "gvisor"),
            fleet={
                "n_servers": 200,
                "p_change": 0.01,
                "vm_rebuild_days": 0,
                "container_rebuild_days": 1,
                "audit_days": 7,
                "seed": 11,
            },
            kernel="5.15.0-91-generic",
            answers={
                "application": "cloud-native (stateless services)",
                "load_variability": "daily/weekly swings",
                "team_experience": "some",
                "isolation": "untrusted tenants / customer code",
                "platform_needs": "none",
                "operational_maturity": "CI/CD + infrastructure as code",
                "horizon": "3+ years",
            },
        ),
    )
}


#: Memo number -> (what it is, unit, relative tolerance of the self-check).
NUMBERS: dict[str, tuple[str, str, float]] = {
    "vm_monthly_usd": ("monthly hosting cost on VMs kept for the peak (lesson 04)", "USD", 0.02),
    "container_monthly_usd": ("monthly cost on serverless containers, AWS Fargate (lesson 04)", "USD", 0.02),
    "vm_per_host": ("instances per host, VM-like platform (lesson 07)", "instances", 0.0),
    "container_per_host": ("instances per host, container-like platform (lesson 07)", "instances", 0.0),
    "vm_drifted_pct": ("share of hand-managed VMs drifted after a year (lesson 06)", "%", 0.02),
    "missing_protections": (
        "isolation features a container lacks on the hosts' kernel, by its version (lesson 05)",
        "features",
        0.0,
    ),
}


MEMO_SECTIONS = ("Recommendation", "Evidence", "Risks", "What would change it")


def scenario(key: str) -> Scenario:
    """The scenario ``key`` (one of :data:`SCENARIOS`); ValueError names the choices otherwise."""
    return SCENARIOS[validate.choice("scenario", key, SCENARIOS)]


def memo_numbers(key: str) -> dict[str, float]:
    """The numbers a memo for scenario ``key`` should contain, computed by the course's own models."""
    s = scenario(key)
    h = costs.hosting_cost(**s.cost)
    d = density.density(**s.hosts, platforms=s.platforms)
    r = drift.simulate_drift(**s.fleet)
    k = kernelcheck.kernel_features(s.kernel)
    return {
        "vm_monthly_usd": round(h.vm_monthly, 2),
        "container_monthly_usd": round(h.container_monthly, 2),
        "vm_per_host": d.fit(s.platforms[0]).count,
        "container_per_host": d.fit(s.platforms[1]).count,
        "vm_drifted_pct": round(100 * r.final_vm, 1),
        "missing_protections": len(k.missing),
    }


def reference_verdict(key: str) -> decision.Decision:
    """The decision aid's verdict for one reasonable reading of the story (a memo may argue otherwise)."""
    return decision.decide(**scenario(key).answers)


@dataclass(frozen=True, repr=False)
class MemoCheck:
    """Feedback on each memo number; shown as a table in a notebook."""

    key: str
    items: tuple[tuple[str, Feedback], ...]

    @property
    def correct(self) -> int:
        """How many numbers are right."""
        return sum(f.correct for _, f in self.items)

    def __str__(self) -> str:
        return f"{self.correct} of {len(self.items)} numbers right\n" + "\n".join(
            f"- {name}: {fb}" for name, fb in self.items
        )

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td><code>{html.escape(n)}</code><br><small>{html.escape(NUMBERS[n][0])}</small></td>"
            f"<td>{fb._repr_html_()}</td></tr>"
            for n, fb in self.items
        )
        return (
            f"<div class='cvm-memo-check'><b>{self.correct} of {len(self.items)} numbers right</b>"
            f"<table><tr><th>number</th><th>feedback</th></tr>{rows}</table></div>"
        )


def check_memo(key: str, numbers: object) -> MemoCheck:
    """Check a learner's memo numbers (a dict keyed like :data:`NUMBERS`) against :func:`memo_numbers`.

    Never raises for a learner's answer: a missing or malformed dict gives "no answer yet" per number.
    """
    expected = memo_numbers(key)
    given = numbers if isinstance(numbers, Mapping) else {}
    items = []
    for name, (what, unit, tol) in NUMBERS.items():
        exact = tol == 0.0
        items.append(
            (
                name,
                check_number(
                    given.get(name),
                    expected[name],
                    rel_tol=tol,
                    abs_tol=0,
                    unit=unit,
                    explanation=f"{what}: {expected[name]:,g} {unit}.",
                    hint="run the calculator with the scenario's inputs and read its summary"
                    + (" (a whole number)" if exact else ""),
                ),
            )
        )
    return MemoCheck(key, tuple(items))


_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")


def check_memo_text(key: str, memo: object) -> Feedback:
    """The checklist for a memo's text: every section, the numbers it should quote, a verdict.

    Sections are Markdown headings of :data:`MEMO_SECTIONS`; at least three of :func:`memo_numbers` must appear
    (within each number's tolerance, 2 % for rounded amounts); one of the decision aid's options must be named.
    """
    if not isinstance(memo, str) or not memo.strip() or memo.strip() == "...":
        return Feedback("missing", "the memo is still empty.", "write it in the memo cell, using memo_template()")
    low = memo.lower()
    heads = {m.strip().lower() for m in re.findall(r"^#+\s*(.+?)\s*$", memo, flags=re.M)}
    missing = [s for s in MEMO_SECTIONS if s.lower() not in heads]
    found = [float(x.replace(",", "")) for x in _NUMBER.findall(memo)]
    quoted = [
        n
        for n, v in memo_numbers(key).items()
        if any(math.isclose(f, v, rel_tol=max(NUMBERS[n][2], 0.02), abs_tol=0.5) for f in found)
    ]
    options = [o for o in decision.OPTIONS if o.split(" (")[0].lower() in low]
    problems = []
    if missing:
        problems.append("missing section(s): " + ", ".join(missing))
    if len(quoted) < 3:
        problems.append(f"it quotes {len(quoted)} of the memo numbers (at least 3 expected)")
    if not options:
        problems.append("it names none of the options (" + "; ".join(o.split(" (")[0] for o in decision.OPTIONS) + ")")
    if problems:
        return Feedback(
            "incorrect",
            "the memo is incomplete: " + "; ".join(problems) + ".",
            "use memo_template() for the sections and quote the numbers you checked",
        )
    return Feedback(
        "correct",
        f"all {len(MEMO_SECTIONS)} sections, {len(quoted)} checked numbers "
        f"({', '.join(quoted)}), and a recommendation ({options[0]}).",
    )


def memo_template(key: str) -> str:
    """A Markdown skeleton for the memo of scenario ``key``."""
    s = scenario(key)
    return (
        f"# Platform recommendation for {s.name}\n\n## Recommendation\n\n(one option, one sentence)\n\n"
        "## Evidence\n\n- hosting cost of the recommended option vs the alternative (USD a month; say what it "
        "covers):\n- instances per host:\n"
        "- drift after a year:\n- the hosts' kernel:\n\n## Risks\n\n- \n\n## What would change it\n\n- \n"
    )


def kernel_evidence(key: str) -> str:
    """The memo's kernel line for scenario ``key``: what a container lacks by the upstream version, and the
    caveat that a distribution's kernel may have more (lesson 05)."""
    k = kernelcheck.kernel_features(scenario(key).kernel)
    ma, mi, _ = k.version
    if not k.missing:
        return f"by its upstream version ({ma}.{mi}), a container lacks none of the features the course charts."
    lacks = ", ".join(f.short.removeprefix("the ") for f in k.missing)
    head = f"by its upstream version ({ma}.{mi}), a container would lack {len(k.missing)} features ({lacks})"
    vendor = k.vendor.split(" (")[0] or "distribution"
    return f"{head}; {vendor} kernels backport some, so check the running kernel (lesson 05)."


def summarize(numbers: Mapping[str, Mapping[str, float]]) -> str:
    """One sentence over the scenarios: which is cheaper and by how much, and the density ratio."""
    parts = []
    for key, n in numbers.items():
        cheaper = "serverless containers" if n["container_monthly_usd"] < n["vm_monthly_usd"] else "VMs"
        parts.append(
            f"{SCENARIOS[key].name.split(' (')[0]}: {cheaper} cheaper "
            f"({n['vm_monthly_usd']:,.0f} vs {n['container_monthly_usd']:,.0f} USD a month), "
            f"{n['container_per_host'] / max(n['vm_per_host'], 1):.1f}× the instances per host"
        )
    return "; ".join(parts) + f" ({FICTIONAL}; prices: secondary snapshots)."


def overview_figure(keys: tuple[str, ...] = tuple(SCENARIOS)) -> tuple[go.Figure, str]:
    """Monthly hosting cost, VMs vs serverless containers, for each scenario, and its summary."""
    numbers = {k: memo_numbers(k) for k in keys}
    fig = new_figure(
        "Monthly hosting cost per scenario: VMs kept for the peak vs serverless containers",
        "scenario (fictional)",
        "cost (USD a month)",
    )
    names = [SCENARIOS[k].name.split(" (")[0] for k in keys]
    fig.add_bar(
        name="VMs",
        x=names,
        y=[numbers[k]["vm_monthly_usd"] for k in keys],
        marker_color=COLORS["vm"],
        texttemplate="%{y:,.0f}",
        textposition="outside",
    )
    fig.add_bar(
        name="serverless containers",
        x=names,
        y=[numbers[k]["container_monthly_usd"] for k in keys],
        marker_color=COLORS["container"],
        texttemplate="%{y:,.0f}",
        textposition="outside",
    )
    fig.update_layout(barmode="group")
    return fig, summarize(numbers)
