"""Privileges and the kernel's attack surface as figures and tables (lesson 05)."""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go

from ..core import data
from ..labs.privlab import (
    CAP_SETS,
    LABEL,
    SECCOMP_MODES,
    PrivComparison,
    Privileges,
    SyscallCount,
    caps_text,
    privileges_in_user_namespace,
    process_privileges,
    syscall_count,
)
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = [
    "attack_surface_figure",
    "comparison_html",
    "privileges_html",
    "privileges_in_user_namespace",
    "process_privileges",
    "summarize_attack_surface",
    "summarize_comparison",
    "summarize_privileges",
    "syscall_count",
]


def _surface_rows(count: SyscallCount) -> list[tuple[str, float, str, str, str]]:
    """(bar label, value, unit, colour key, hover text with the source) for the attack-surface figure."""
    sc, fc = data.load("syscall_counts"), data.load("firecracker_spec")
    where = f"counted here, headers {count.headers_version or 'of unknown version'}" if count.live else "cited"
    out = [("container without seccomp: reachable", count.count, "syscalls", "container", f"{where}: {count.label}")]
    for name, table, rid, colour, extra in (
        ("Docker default seccomp: allowed", sc, "moby_default_unconditional", "container", "unconditionally"),
        ("Docker docs: disabled by default", sc, "docker_docs_disabled", "container", "'around 44'"),
        ("Firecracker seccomp filter (2020): allowed", fc, "nsdi_jailer_syscalls", "microvm", "secondary"),
        ("Firecracker: emulated devices", fc, "site_emulated_devices", "microvm", ""),
    ):
        r = table.row(id=rid)
        out.append((name, r["value"], r["unit"], colour, f"{extra}; {r['conditions'] or ''} ({table.cite(r)})"))
    return out


def attack_surface_figure(count: SyscallCount, *, widget: bool = False) -> go.Figure:
    """Log-scale bars: the system calls a container can reach vs seccomp profiles vs Firecracker's devices."""
    rows = _surface_rows(count)
    fig = new_figure(
        "Kernel attack surface: what a container can call vs what Firecracker exposes",
        "count (log scale)",
        "",
        widget=widget,
        height=380,
        legend={"orientation": "h", "y": -0.25},
    )
    for colour, label in (
        ("container", "container (system calls into the shared host kernel)"),
        ("microvm", "Firecracker micro-VM (its own seccomp filters and its devices)"),
    ):
        pts = [r for r in rows if r[3] == colour]
        fig.add_bar(
            y=[r[0] for r in pts],
            x=[r[1] for r in pts],
            orientation="h",
            name=label,
            marker_color=COLORS[colour],
            text=[f"{r[1]:g} {r[2]}" for r in pts],
            textposition="outside",
            hovertext=[r[4] for r in pts],
            hoverinfo="text",
            cliponaxis=False,
        )
    fig.update_xaxes(type="log", range=[0, 3.2])
    fig.update_yaxes(categoryorder="array", categoryarray=[r[0] for r in reversed(rows)])
    return fig


def summarize_attack_surface(count: SyscallCount) -> str:
    """One sentence: the container's reachable system calls vs the seccomp and Firecracker figures."""
    _, moby, docs, filters, devices = (r[1] for r in _surface_rows(count))
    where = f"counted here from kernel headers {count.headers_version}".strip() if count.live else "cited"
    return (
        f"A container without a seccomp filter can call any of the {count.count} system calls of the kernel it "
        f"shares ({where}); Docker's default profile is an allow-list (its {moby:g} unconditional names span "
        f"all architectures, so they cannot be set against this kernel's {count.count} one for one); its docs "
        f"say it disables around {docs:g}, while Firecracker's own per-thread seccomp filters allowed about "
        f"{filters:g} system calls in 2020 (secondary), and a guest reaches the host through KVM and "
        f"{devices:g} emulated devices."
    )


def summarize_privileges(p: Privileges) -> str:
    """One sentence: uid, effective capabilities, seccomp and no_new_privs (or why they are unknown)."""
    if not p.available:
        return f"Privileges could not be read: {p.notes[0] if p.notes else 'no reason given'}"
    uid, mode = p.uid[1:2] or ("unknown",), SECCOMP_MODES.get(p.seccomp, "unknown").split(":")[0]
    return (
        f"This process runs as uid {uid[0]} with {caps_text(p.caps.get('CapEff', ()))} capabilities effective, "
        f"seccomp mode {p.seccomp} ({mode}) and no_new_privs {p.no_new_privs} (read from {p.source})."
    )


def summarize_comparison(c: PrivComparison) -> str:
    """One sentence: root with every capability inside, an ordinary uid outside, host resources refused."""
    ins, where = c.observed["child"], "measured here" if c.live else LABEL
    return (
        f"In a new user namespace the child was uid {ins['uid']} with {caps_text(c.child.caps.get('CapEff', ()))} "
        f"capabilities effective, yet for the host it was uid {ins['uid_map'].split()[1]} and the host refused it "
        f"/etc/shadow ({ins['attempts']['/etc/shadow'].split()[0]}) and a signal to PID 1 "
        f"({ins['attempts']['kill(1, 0)'].split()[0]}) ({where})."
    )


def _table(head: tuple[str, ...], rows: Any) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>" for r in rows)
    return "<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + f"</tr>{cells}</table>"


def privileges_html(p: Privileges) -> str:
    """HTML: uid/gid, each capability set (mask, how many, names), seccomp, no_new_privs and the notes."""
    sets = [
        (f"{CAP_SETS[k]} ({k})", p.masks[k], caps_text(p.caps[k]), ", ".join(p.caps[k]) or "(none)")
        for k in CAP_SETS
        if k in p.caps
    ]
    ids = (
        f"<p>uid (real, effective, saved, fs): {' '.join(map(str, p.uid))}; gid: {' '.join(map(str, p.gid))}; "
        f"seccomp {p.seccomp} ({p.seccomp_filters} filters); no_new_privs {p.no_new_privs}</p>"
    )
    notes, table = (
        "".join(f"<li>{html.escape(n)}</li>" for n in p.notes),
        _table(("set", "mask", "how many", "capabilities"), sets),
    )
    return (
        f'<div class="cvm-privlab-privileges"><p>Read from {html.escape(p.source)}.</p>'
        f"{ids if p.available else ''}{table if sets else ''}<ul>{notes}</ul></div>"
    )


def comparison_html(c: PrivComparison) -> str:
    """HTML: provenance, the side-by-side table, the checks with ✔/✘ and the notes."""
    where = "<b>Live</b>, measured here." if c.live else f"<b>Recorded</b> ({html.escape(LABEL)})."
    errors = "".join(f"<p><b>Error:</b> {html.escape(e)}</p>" for e in c.errors)
    checks = [("✔" if k.passed else "✘", k.name, k.expected, k.observed) for k in c.checks]
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in c.notes)
    return (
        f'<div class="cvm-privlab-comparison"><p>{where} {html.escape(c.why)}</p>{errors}'
        f"{_table(('property', 'this process', 'child in a new user namespace'), c.rows)}"
        f"{_table(('result', 'check', 'expected', 'observed'), checks)}<ul>{notes}</ul></div>"
    )
