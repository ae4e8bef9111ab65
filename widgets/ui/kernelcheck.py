"""Kernel features, escape CVEs and hardening as figures, tables and a calculator (lessons 05, 09)."""

from __future__ import annotations

import dataclasses
import html

import plotly.graph_objects as go

from ..core import data
from ..core.validate import ILLUSTRATIVE
from ..labs.kernel import this_kernel
from ..models.hardening import HARDENING, Measure, unavailable
from ..models.kernel import BACKPORT_SOURCES, KernelReport, cve_rows, feature_specs, kernel_features, release_key
from .calculator import Calculator, Text
from .figures import new_figure
from .theme import COLORS
from .timeline import timeline_figure

#: Boundary in escape_cves.csv -> course colour: runtime/cgroups escapes are "container", hypervisor or CPU
#: flaws between guests are "vm", kernel privilege escalations (reachable from any process, so from any
#: container sharing the kernel) are "native"; BOUNDARY_LEGEND says so in the figure and the table.
BOUNDARY_COLOR = {
    "container-to-host": "container",
    "guest-to-host": "vm",
    "guest-to-guest-or-host-memory": "vm",
    "local-privilege-escalation": "native",
}


BOUNDARY_LEGEND = {
    "container": "container runtime or cgroups -> host",
    "vm": "guest VM -> host or other guests",
    "native": "kernel privilege escalation (shared kernel)",
}


def _join(items: list[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def summarize(r: KernelReport) -> str:
    """One sentence: namespaces, cgroups and seccomp, what a container lacks by the version, and the caveat."""
    total = sum(f.key.startswith("ns:") for f in r.features)
    if r.has("cgroups-v2"):
        cg = "cgroups v1 and v2"
    elif r.has("cgroups-v1"):
        cg = "cgroups v1 only" + ("" if r.has("cgroups-v1-pids") else " (no pids controller)")
    else:
        cg = "no cgroups"
    sc = (
        "seccomp-BPF"
        if r.has("seccomp-bpf")
        else "only strict-mode seccomp"
        if r.has("seccomp-strict")
        else "no seccomp"
    )
    lacks = _join([f.short for f in r.missing])
    tail = f"a container there lacks {lacks}" if lacks else "a container there lacks none of the features charted"
    vendor = (
        f" (a {r.vendor.split(' (')[0]} kernel: backports may add features, the version alone cannot tell)"
        if r.vendor
        else ""
    )
    head = f"{r.name} has {len(r.namespaces)} of the {total} namespace types, {cg} and {sc}"
    return f"{head}; by its version, {tail}{vendor}."


def details(r: KernelReport) -> str:
    """HTML: what is missing and why it matters, what is present, caveats and citations."""
    li = (
        "".join(
            f"<li>{html.escape(f.lacks)} <small>(added in Linux {f.since}; {html.escape(f.cite)})</small></li>"
            for f in r.missing
        )
        or "<li>nothing charted is missing</li>"
    )
    has = ", ".join(f"{html.escape(f.label)} ({f.since})" for f in r.features if f.present) or "none"
    notes = []
    if r.has("ns:user") and not r.has("userns-unprivileged"):
        notes.append("The user namespace flag exists, but only privileged processes may use it until Linux 3.8.")
    if r.has("cgroups-v2-devel") and not r.has("cgroups-v2"):
        notes.append(
            "cgroups v2 exists only as a development preview, behind the mount option -o __DEVEL__sane_behavior."
        )
    if r.has("seccomp-bpf") and not r.has("seccomp-syscall"):
        notes.append(
            "The seccomp() system call (3.17) is missing, but it adds no protection: engines install the same "
            "BPF filters through prctl(PR_SET_SECCOMP), which works since Linux 3.5."
        )
    cannot = unavailable(r)
    if cannot:
        labels = {f.key: f"{f.label} ({f.since})" for f in r.features}
        notes.append(
            "By its version, these checklist measures cannot work here: "
            + "; ".join(f"{i} (needs {', '.join(labels[k] for k in ks)})" for i, ks in cannot.items())
            + "."
        )
    notes.append(r.caveat)
    calls = data.load("syscall_counts")
    used = [*data.load("namespaces").citations(), calls.source(calls.row(id="docker_docs_disabled")).citation()]
    if r.vendor:
        used.append(BACKPORT_SOURCES)
    cites = "".join(f"<li>{html.escape(c)}</li>" for c in dict.fromkeys(used))
    return (
        f"<p><b>{html.escape(r.name)}</b> ({html.escape(r.origin)}: {html.escape(r.text)})</p>"
        f"<p><b>What a container on it lacks, and why it matters:</b></p><ul>{li}</ul>"
        f"<p><b>Present:</b> {has}.</p><p>{' '.join(html.escape(n) for n in notes)}</p>"
        f"<details><summary>Sources</summary><ul>{cites}</ul></details>"
    )


def _versions() -> list[str]:
    return list(dict.fromkeys(f.since for f in feature_specs()))


def _position(v: tuple[int, int, int], versions: list[str]) -> float:
    keys = [release_key(x) for x in versions]
    if v in keys:
        return float(keys.index(v))
    return sum(k < v for k in keys) - 0.5


def draw(fig: go.Figure, r: KernelReport) -> None:
    """Fill the present features, hollow the missing ones, move the marker to the chosen version."""
    versions = _versions()
    for trace, present in zip(fig.data, (True, False), strict=True):
        feats = [f for f in r.features if f.present is present]
        trace.x = [versions.index(f.since) for f in feats]
        trace.y = [f.label for f in feats]
        trace.customdata = [[f.since, f.lacks or "not a protection by itself", f.cite] for f in feats]
        trace.name = f"{'present in' if present else 'missing from'} {r.name}"
    x = _position(r.version, versions)
    fig.layout.shapes = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": x,
            "x1": x,
            "y0": 0,
            "y1": 1,
            "line": {"dash": "dash", "color": COLORS["other"], "width": 2},
            "label": {"text": r.name, "textposition": "end", "font": {"color": COLORS["other"]}},
        }
    ]
    fig.layout.title.text = f"Isolation features of {r.name}: filled = present, hollow = missing"


def figure(r: KernelReport, *, widget: bool = False) -> go.Figure:
    """The features on a version axis, filled if present in ``r``'s kernel."""
    versions = _versions()
    labels = [f.label for f in feature_specs()]
    fig = new_figure(
        f"Isolation features of {r.name}",
        "Linux version that added the feature",
        "",
        widget=widget,
        height=560,
        margin={"l": 200},
        legend={"orientation": "h", "y": -0.15},
    )
    hover = "%{y}: Linux %{customdata[0]}<br>without it: %{customdata[1]}<br>%{customdata[2]}<extra></extra>"
    fig.add_scatter(mode="markers", marker={"size": 13, "color": COLORS["container"]}, hovertemplate=hover)
    fig.add_scatter(
        mode="markers",
        hovertemplate=hover,
        marker={"size": 13, "color": "white", "line": {"color": COLORS["other"], "width": 2}},
    )
    fig.update_xaxes(tickvals=list(range(len(versions))), ticktext=versions, range=[-0.8, len(versions) - 0.2])
    fig.update_yaxes(categoryorder="array", categoryarray=labels)
    draw(fig, r)
    return fig


class KernelCalculator(Calculator[KernelReport]):
    """Type a kernel version; see which isolation features a container there has.

    It starts at this machine's kernel (read with ``platform.release()``), or at 5.15 where there is none.
    """

    name = "kernel"
    inputs = (Text("version", "kernel version", width="300px", placeholder="e.g. 5.15.0-91-generic"),)
    model = staticmethod(kernel_features)
    make_figure = staticmethod(lambda r: figure(r, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)

    def defaults(self) -> dict[str, str]:
        try:
            return {"version": this_kernel().text}
        except ValueError:
            return {"version": "5.15"}

    def __init__(self, version: str | None = None) -> None:
        super().__init__(**({} if version is None else {"version": version}))
        here = version is None and self.controls["version"].value != "5.15"
        self.controls["version"].tooltip = (
            "this machine's kernel, read here with platform.release()" if here else f"example: {ILLUSTRATIVE}"
        )


def _name(row: dict[str, object]) -> str:  # "(secondary)" where a clause of the note says the name is
    secondary = any("name" in c and "secondary" in c for c in str(row["note"]).split(";"))
    return f"{row['name']}{' (secondary)' if secondary else ''}" if row["name"] else ""


def cve_figure() -> go.Figure:
    """The escapes on a time axis, coloured by the boundary crossed (see :data:`BOUNDARY_COLOR`)."""
    table = data.load("escape_cves")
    rows = cve_rows()
    short = {
        r["id"]: f"{r['id']}<br>{str(r['name'] or '').split(' (')[0].split(',')[0]}".removesuffix("<br>") for r in rows
    }
    fig = timeline_figure(
        dataclasses.replace(table, rows=tuple(rows)),
        f"{len(rows)} isolation flaws, {rows[0]['date'].year}-{rows[-1]['date'].year}, by the boundary they crossed",
        label="description",
        kind_of={r["id"]: BOUNDARY_COLOR[r["boundary"]] for r in rows},
        short=short,
        height=460,
    )
    for key, text in BOUNDARY_LEGEND.items():
        fig.add_scatter(x=[None], y=[None], mode="markers", name=text, marker={"size": 11, "color": COLORS[key]})
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.12})
    return fig


def _cvss(row: dict[str, object]) -> str:
    return "not in the record" if row["cvss"] is None else f"{row['cvss']:g} ({row['cvss_vector']})"


def cve_table_html() -> str:
    """A table of the escapes: CVE, name, component, boundary, date, fix and CVSS (only where recorded)."""
    t = data.load("escape_cves")
    body = "".join(
        f"<tr><td>{r['cve']}</td><td>{html.escape(_name(r)) or '—'}</td><td>{html.escape(r['component'])}</td>"
        f"<td>{r['boundary']} ({html.escape(BOUNDARY_LEGEND[BOUNDARY_COLOR[r['boundary']]])})</td>"
        f"<td>{r['date']} ({'disclosed' if r['date_public'] else 'record published'})</td>"
        f"<td>{html.escape(r['fix'] or 'not in the record')}</td><td>{_cvss(r)}</td></tr>"
        for r in cve_rows()
    )
    return (
        "<table class='cvm-cves'><thead><tr><th>CVE</th><th>name</th><th>component</th><th>boundary (colour)</th>"
        f"<th>date</th><th>fix</th><th>CVSS</th></tr></thead><tbody>{body}</tbody></table>"
        f"<p><small>Source: {html.escape('; '.join(t.citations()))}</small></p>"
    )


def cve_summary() -> str:
    """One sentence computed from the data: how many records concern a VM boundary (escapes through the
    hypervisor, and CPU flaws that leaked memory across it without escaping) and how many a container's."""
    rows = cve_rows()
    n = {k: sum(BOUNDARY_COLOR[r["boundary"]] == k for r in rows) for k in BOUNDARY_COLOR.values()}
    guest = sum(r["boundary"] == "guest-to-host" for r in rows)
    leaks = sum(r["boundary"] == "guest-to-guest-or-host-memory" for r in rows)
    return (
        f"{n['vm']} of the {len(rows)} flaws concern a virtual machine's boundary ({guest} guest-to-host escapes "
        f"through the hypervisor or its device emulation, {leaks} a CPU flaw that leaked memory across the boundary "
        f"without escaping it), {n['container'] + n['native']} a container's ({n['container']} escapes through the "
        f"container runtime or cgroups, {n['native']} kernel privilege escalations usable because containers "
        f"share the host kernel), from {rows[0]['date']} to {rows[-1]['date']}."
    )


def hardening_html() -> str:
    """The checklist as an HTML table (one ☐ per measure), with the kernel version each measure needs."""
    since = {f.key: f for f in feature_specs()}

    def needs(m: Measure) -> str:
        return "; ".join(f"{since[k].label} ({since[k].since})" for k in m.needs) or "-"

    body = "".join(
        f"<tr><td>☐</td><td><code>{m.id}</code></td><td>{m.host} host</td><td>{html.escape(m.measure)}"
        f"</td><td>{html.escape(m.protects)}</td><td>{html.escape(needs(m))}</td><td>{html.escape(m.shown_in)}</td></tr>"
        for m in HARDENING
    )
    return (
        "<table class='cvm-hardening'><thead><tr><th>done</th><th>id</th><th>for</th><th>measure</th>"
        "<th>protects against</th><th>needs (Linux version)</th><th>shown in</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )
