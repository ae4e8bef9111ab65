"""The eight Linux namespaces: a chart of when each arrived, and seeded practice.

:func:`namespace_figure` draws the namespace types against the kernel version
that added each (from the man-pages, ``data/namespaces.csv``).
:func:`namespace_question` gives, for each seed, a scenario ("the container's
``ps`` must not list the host's processes") whose answer is one namespace type;
:func:`check_namespace` explains every wrong answer with what that namespace
really isolates.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import plotly.graph_objects as go

from ..core import data, validate
from ..core.units import version_key
from ..ui.figures import new_figure
from ..ui.theme import COLORS
from .checks import Feedback, check_choice

#: (scenario, namespace that stops it).
SCENARIOS: tuple[tuple[str, str], ...] = (
    ("A process in the container runs `hostname web-1`; the host's name must stay as it is.", "uts"),
    (
        "`ps aux` inside the container must not list the host's processes, and the container's first "
        "process must be PID 1.",
        "pid",
    ),
    (
        "The container must get its own network interfaces and ports, so that two containers can both "
        "listen on port 80.",
        "network",
    ),
    ("The container mounts a tmpfs on /data; the host and other containers must not see that mount.", "mount"),
    ("Root (UID 0) inside the container must be an unprivileged user on the host.", "user"),
    ("System V shared-memory segments and POSIX message queues of one container must be invisible to another.", "ipc"),
    ("Inside the container, /proc/self/cgroup must show '/' as its cgroup, hiding the host's cgroup layout.", "cgroup"),
    ("A container moved to another host must see its monotonic clock continue from where it was.", "time"),
)


def namespace_figure() -> go.Figure:
    """The namespace types against the kernel version that added each (log-free, ordered)."""
    table = data.load("namespaces")
    rows = sorted(table, key=lambda r: version_key(r["kernel_version"]))
    versions = list(dict.fromkeys(r["kernel_version"] for r in rows))
    fig = new_figure(
        "The eight Linux namespace types, by the kernel version that added them",
        "Linux version that added the namespace type (clone flag)",
        "",
        height=380,
        showlegend=False,
        margin={"l": 110},
    )
    fig.add_scatter(
        x=[versions.index(r["kernel_version"]) for r in rows],
        y=[r["namespace"] for r in rows],
        mode="markers+text",
        text=[r["clone_flag"] for r in rows],
        textposition="middle right",
        marker={"size": 14, "color": COLORS["container"]},
        cliponaxis=False,
        customdata=[[r["kernel_version"], r["isolates"], table.cite(r)] for r in rows],
        hovertemplate="%{y}: Linux %{customdata[0]}<br>isolates %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
    )
    fig.update_xaxes(tickvals=list(range(len(versions))), ticktext=versions, range=[-0.5, len(versions) + 0.6])
    fig.update_yaxes(categoryorder="array", categoryarray=[r["namespace"] for r in rows])
    return fig


def namespace_summary() -> str:
    """One sentence on the figure."""
    table = data.load("namespaces")
    rows = sorted(table, key=lambda r: version_key(r["kernel_version"]))
    return (
        f"Namespace types arrived one at a time, from {rows[0]['namespace']} in Linux "
        f"{rows[0]['kernel_version']} to {rows[-1]['namespace']} in Linux {rows[-1]['kernel_version']}: "
        "a container on an older kernel lacks the later ones."
    )


@dataclass(frozen=True)
class NamespaceQuestion:
    """A scenario and the namespace type that provides that isolation."""

    seed: int
    scenario: str
    answer: str
    options: tuple[str, ...]

    def show(self) -> str:
        """The question as the learner reads it."""
        return (
            f"Scenario #{self.seed}: {self.scenario}\n"
            f"Which namespace type provides this isolation? One of: {', '.join(self.options)}"
        )


def namespace_question(seed: int) -> NamespaceQuestion:
    """The question for ``seed`` (same seed, same question)."""
    seed = validate.integer("seed", seed, minimum=0, maximum=10**9)
    rng = random.Random(seed)
    scenario, answer = rng.choice(SCENARIOS)
    options = tuple(sorted(r["namespace"] for r in data.load("namespaces")))
    return NamespaceQuestion(seed, scenario, answer, options)


def check_namespace(answer: object, seed: int) -> Feedback:
    """Check the learner's namespace for question ``seed``; explain wrong choices."""
    question = namespace_question(seed)
    table = data.load("namespaces")
    right = table.row(namespace=question.answer)
    aliases = {"mnt": "mount", "net": "network"}
    if isinstance(answer, str):
        answer = aliases.get(answer.strip().lower(), answer)
    why = {
        r["namespace"]: f"the {r['namespace']} namespace isolates {r['isolates']}, which is not what "
        "this scenario needs"
        for r in table
        if r["namespace"] != question.answer
    }
    extra = ""
    if question.answer == "user":  # the flag is older than the feature most people mean (data note)
        extra = " Unprivileged processes may create user namespaces since Linux 3.8 (user_namespaces(7))."
    return check_choice(
        answer,
        question.answer,
        why=why,
        explanation=f"The {question.answer} namespace ({right['clone_flag']}, Linux {right['kernel_version']}) "
        f"isolates {right['isolates']}.{extra}",
    )
