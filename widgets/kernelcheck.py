"""Lesson 05, security: the isolation a Linux kernel gives a container, the escapes, and hardening.

:func:`kernel_features`: which namespace types, cgroup versions and seccomp modes a version has (man-pages, via
``data/namespaces.csv`` and ``data/kernel_features.csv``) and what a container there lacks, in plain words;
:class:`KernelCalculator` draws it. :func:`cve_figure` / :func:`cve_table_html`: ``data/escape_cves.csv``.
:data:`HARDENING`: the checklist, with seeded practice (:func:`check_hardening`). Versions such as ``5.15``,
``5.15.0-91-generic`` and git tags (``v6.1``) are accepted; ``6``, ``6.x`` and numbers (6.1 == 6.10) are not.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import platform
import random
import re
from dataclasses import dataclass

import ipywidgets as ipw
import plotly.graph_objects as go

from . import data, validate
from .calculator import ILLUSTRATIVE, Calculator
from .checks import MISSING_HINT, Feedback
from .figures import new_figure
from .nsquiz import _version_key
from .theme import COLORS
from .timeline import timeline_figure

EXAMPLE = "type a kernel version such as 5.15 or 5.15.0-91-generic"
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+_~]\S*|\.\d\S*)?", re.IGNORECASE)
_RANGES = (("major", 1, 99), ("minor", 0, 999), ("patch", 0, 99_999))
#: Boundary in escape_cves.csv -> course colour: runtime/cgroups escapes are "container", hypervisor or CPU
#: flaws between guests are "vm", kernel privilege escalations (reachable from any process, so from any
#: container sharing the kernel) are "native"; BOUNDARY_LEGEND says so in the figure and the table.
BOUNDARY_COLOR = {"container-to-host": "container", "guest-to-host": "vm", "guest-to-guest-or-host-memory": "vm",
                  "local-privilege-escalation": "native"}
BOUNDARY_LEGEND = {"container": "container runtime or cgroups -> host", "vm": "guest VM -> host or other guests",
                   "native": "kernel privilege escalation (shared kernel)"}


def parse_kernel_version(text: object) -> tuple[int, int, int]:
    """Parse a Linux version string into ``(major, minor, patch)``; the patch defaults to 0.

    Raises
    ------
    ValueError
        For non-text (numbers, None, booleans), empty text, text without ``major.minor``, or numbers out of range
        (major 1-99, minor 0-999, patch 0-99999); the message says what to type.
    """
    if not isinstance(text, str):
        kind = "number" if isinstance(text, int | float) and not isinstance(text, bool) else type(text).__name__
        extra = " (as a number 6.1 and 6.10 are the same)" if kind == "number" else ""
        raise ValueError(f"kernel version must be text, not the {kind} {text!r}{extra}: {EXAMPLE}")
    s = text.strip()
    if not s:
        raise ValueError(f"kernel version is empty: {EXAMPLE}")
    if len(s) > 64:
        raise ValueError(f"kernel version is too long ({len(s)} characters): {EXAMPLE}")
    m = _VERSION.fullmatch(s)
    if m is None:
        raise ValueError(f"kernel version {s!r} is not of the form major.minor[.patch][-suffix]: {EXAMPLE}")
    parts = tuple(int(g or 0) for g in m.groups())
    for (what, lo, hi), n in zip(_RANGES, parts, strict=True):
        if not lo <= n <= hi:
            raise ValueError(f"kernel version {s!r}: the {what} number must be between {lo} and {hi}, got {n}")
    return parts  # type: ignore[return-value]


def _key(version: str) -> tuple[int, int, int]:
    k = _version_key(version)
    return (k + (0, 0, 0))[:3]  # type: ignore[return-value]


@dataclass(frozen=True)
class Feature:
    """One isolation feature, the version that added it, and whether the chosen kernel has it."""

    key: str
    label: str
    short: str
    group: str
    since: str
    present: bool
    lacks: str
    cite: str


@dataclass(frozen=True)
class KernelReport:
    """The isolation features of one kernel version."""

    text: str
    version: tuple[int, int, int]
    features: tuple[Feature, ...]
    origin: str = "typed"

    @property
    def name(self) -> str:
        """'Linux 3.10' or 'Linux 2.6.32'."""
        ma, mi, pa = self.version
        return f"Linux {ma}.{mi}" + (f".{pa}" if pa else "")

    def has(self, key: str) -> bool:
        """Whether the feature ``key`` (e.g. ``"ns:cgroup"``, ``"seccomp-bpf"``) exists in this kernel."""
        return next(f for f in self.features if f.key == key).present

    @property
    def namespaces(self) -> tuple[str, ...]:
        """The namespace types this kernel has."""
        return tuple(f.key[3:] for f in self.features if f.key.startswith("ns:") and f.present)

    @property
    def missing(self) -> tuple[Feature, ...]:
        """The protections a container on this kernel lacks (features with a ``lacks`` text)."""
        return tuple(f for f in self.features if not f.present and f.lacks)


# key -> (row in namespaces.csv ("ns:" keys) or kernel_features.csv, label, short name, what a container lacks
# without it; "" = not a protection by itself). The group is the key's prefix.
_SPECS = {
    "ns:mount": ("mount", "mount namespace", "the mount namespace", "the container shares the host's mount "
                 "table, so it cannot have a root filesystem of its own"),
    "ns:uts": ("uts", "UTS namespace", "the UTS namespace", "setting the hostname in the container renames the host"),
    "ns:ipc": ("ipc", "IPC namespace", "the IPC namespace", "System V shared memory and POSIX message queues are "
               "shared with the host and every other container"),
    "ns:pid": ("pid", "PID namespace", "the PID namespace", "the container sees every process on the host, and "
               "its first process is not PID 1"),
    "ns:network": ("network", "network namespace", "the network namespace", "the container uses the host's "
                   "interfaces and ports, so two containers cannot both listen on port 80"),
    "ns:user": ("user", "user namespace (flag)", "the user namespace", "user IDs cannot be remapped, so root in "
                "the container is root on the host"),
    "userns-unprivileged": ("unprivileged user namespaces", "user namespace, unprivileged", "unprivileged user "
                            "namespaces", "rootless containers impossible, root in the container is root on the host"),
    "ns:cgroup": ("cgroup", "cgroup namespace", "the cgroup namespace", "a container sees the host's cgroup paths "
                  "in /proc/self/cgroup"),
    "ns:time": ("time", "time namespace", "the time namespace", "the container sees the host's boot and monotonic "
                "clocks, so a container moved to another host sees them jump"),
    "cgroups-v1": ("cgroups v1 (initial release)", "cgroups v1", "cgroups", "nothing can cap a container's memory, "
                   "CPU or number of processes, so one container can starve the host"),
    "cgroups-v2-devel": ("cgroups v2 development begins", "cgroups v2 (development preview)", "", ""),
    "cgroups-v2": ("cgroups v2 official", "cgroups v2 (official)", "cgroups v2", "only the older v1 hierarchies, "
                   "one per controller; v1's release_agent is what the CVE-2022-0492 escape abused"),
    "cgroups-v2-controllers": ("cgroups v2 io, memory and pids controllers", "cgroups v2 io/memory/pids", "the "
                               "cgroups v2 io, memory and pids controllers", "limits on memory, disk I/O and "
                               "process count must come from cgroups v1"),
    "seccomp-strict": ("seccomp strict mode (prctl PR_SET_SECCOMP)", "seccomp strict mode", "seccomp",
                       "a process cannot give up system calls it does not need"),
    "seccomp-bpf": ("seccomp-BPF filtering on x86-64, i386 and x32", "seccomp-BPF filters", "seccomp-BPF",
                    "an engine cannot filter the container's system calls{docker}"),
    "seccomp-syscall": ("seccomp() system call", "seccomp() system call", "the seccomp() system call", "filters "
                        "can only be installed with prctl(PR_SET_SECCOMP), without the newer call's options"),
}


@functools.cache
def _specs() -> tuple[Feature, ...]:
    """Every feature (present=False) with its version, plain-words text and citation, oldest first."""
    calls = data.load("syscall_counts")
    d = calls.row(id="docker_docs_disabled")
    docker = f"; Docker's default profile, which disables around {d['value']:g} of them, cannot apply ({calls.cite(d)})"
    out = []
    for key, (row_key, label, short, why) in _SPECS.items():
        ns = key.startswith("ns:")
        table = data.load("namespaces" if ns else "kernel_features")
        row = table.row(**{"namespace" if ns else "feature": row_key})
        group = "namespace" if ns or key.startswith("userns") else key.split("-")[0]
        lacks = f"no {short.removeprefix('the ')}: {why.format(docker=docker)}" if why else ""
        out.append(Feature(key, label, short, group, row["kernel_version"], False, lacks,
                           f"{table.cite(row)}: {row['note']}"))
    return tuple(sorted(out, key=lambda f: _key(f.since)))


def _join(items: list[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def kernel_features(version: object) -> KernelReport:
    """Which isolation features Linux ``version`` has, and what a container there lacks.

    Parameters
    ----------
    version:
        A kernel version string (see :func:`parse_kernel_version`).
    """
    v = parse_kernel_version(version)
    feats = tuple(dataclasses.replace(f, present=v >= _key(f.since)) for f in _specs())
    return KernelReport(str(version).strip(), v, feats)


def this_kernel() -> KernelReport:
    """The report for the kernel this Python runs on (``platform.release()``, read here).

    Raises
    ------
    ValueError
        If this is not Linux: containers there (e.g. Docker Desktop) run in a Linux VM with its own kernel.
    """
    system = platform.system()
    if system != "Linux":
        raise ValueError(f"there is no Linux kernel here ({system or 'unknown system'}): Docker Desktop and "
                         "similar tools run containers inside a Linux VM; type that VM's version "
                         "(docker run --rm alpine uname -r)")
    return dataclasses.replace(kernel_features(platform.release()), origin="read here with platform.release()")


def summarize(r: KernelReport) -> str:
    """One sentence: namespaces, cgroups and seccomp, and what a container lacks."""
    total = sum(f.key.startswith("ns:") for f in r.features)
    cg = "cgroups v1 and v2" if r.has("cgroups-v2") else "cgroups v1 only" if r.has("cgroups-v1") else "no cgroups"
    sc = ("seccomp-BPF" if r.has("seccomp-bpf") else "only strict-mode seccomp" if r.has("seccomp-strict")
          else "no seccomp")
    lacks = _join([f.short for f in r.missing])
    tail = f"a container there lacks {lacks}" if lacks else "a container there lacks none of the features charted"
    return f"{r.name} has {len(r.namespaces)} of the {total} namespace types, {cg} and {sc}; {tail}."


def details(r: KernelReport) -> str:
    """HTML: what is missing and why it matters, what is present, caveats and citations."""
    li = "".join(f"<li>{html.escape(f.lacks)} <small>(added in Linux {f.since}; {html.escape(f.cite)})</small></li>"
                 for f in r.missing) or "<li>nothing charted is missing</li>"
    has = ", ".join(f"{html.escape(f.label)} ({f.since})" for f in r.features if f.present) or "none"
    notes = []
    if r.has("ns:user") and not r.has("userns-unprivileged"):
        notes.append("The user namespace flag exists, but only privileged processes may use it until Linux 3.8.")
    if r.has("cgroups-v2-devel") and not r.has("cgroups-v2"):
        notes.append("cgroups v2 exists only as a development preview, behind the mount option "
                     "-o __DEVEL__sane_behavior.")
    notes.append("An upstream version is a guide only: distribution kernels (e.g. 3.10.0-…el7) backport features, "
                 "and kernel configuration or sysctls can switch them off; check the running system.")
    calls = data.load("syscall_counts")
    used = [*data.load("namespaces").citations(), calls.source(calls.row(id="docker_docs_disabled")).citation()]
    cites = "".join(f"<li>{html.escape(c)}</li>" for c in dict.fromkeys(used))
    return (f"<p><b>{html.escape(r.name)}</b> ({html.escape(r.origin)}: {html.escape(r.text)})</p>"
            f"<p><b>What a container on it lacks, and why it matters:</b></p><ul>{li}</ul>"
            f"<p><b>Present:</b> {has}.</p><p>{' '.join(html.escape(n) for n in notes)}</p>"
            f"<details><summary>Sources</summary><ul>{cites}</ul></details>")


def _versions() -> list[str]:
    return list(dict.fromkeys(f.since for f in _specs()))


def _position(v: tuple[int, int, int], versions: list[str]) -> float:
    keys = [_key(x) for x in versions]
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
    fig.layout.shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
                          "line": {"dash": "dash", "color": COLORS["other"], "width": 2},
                          "label": {"text": r.name, "textposition": "end", "font": {"color": COLORS["other"]}}}]
    fig.layout.title.text = f"Isolation features of {r.name}: filled = present, hollow = missing"


def figure(r: KernelReport, *, widget: bool = False) -> go.Figure:
    """The features on a version axis, filled if present in ``r``'s kernel."""
    versions = _versions()
    labels = [f.label for f in _specs()]
    fig = new_figure(f"Isolation features of {r.name}", "Linux version that added the feature", "",
                     widget=widget, height=560, margin={"l": 200}, legend={"orientation": "h", "y": -0.15})
    hover = "%{y}: Linux %{customdata[0]}<br>without it: %{customdata[1]}<br>%{customdata[2]}<extra></extra>"
    fig.add_scatter(mode="markers", marker={"size": 13, "color": COLORS["container"]}, hovertemplate=hover)
    fig.add_scatter(mode="markers", hovertemplate=hover,
                    marker={"size": 13, "color": "white", "line": {"color": COLORS["other"], "width": 2}})
    fig.update_xaxes(tickvals=list(range(len(versions))), ticktext=versions, range=[-0.8, len(versions) - 0.2])
    fig.update_yaxes(categoryorder="array", categoryarray=labels)
    draw(fig, r)
    return fig


class KernelCalculator(Calculator[KernelReport]):
    """Type a kernel version; see which isolation features a container there has."""

    def __init__(self, version: str | None = None) -> None:
        tip = f"example: {ILLUSTRATIVE}"
        if version is None:
            version = "5.15"
            try:
                version = this_kernel().text
                tip = "this machine's kernel, read here with platform.release()"
            except ValueError:
                pass
        box = ipw.Text(value=version, description="kernel version", continuous_update=False, tooltip=tip,
                       placeholder="e.g. 5.15.0-91-generic", style={"description_width": "initial"})
        r = kernel_features(version)
        super().__init__("kernel", {"version": box}, kernel_features, draw, summarize, figure(r, widget=True),
                         details=details)


# -- escapes ---------------------------------------------------------------------------------------------------


def _cve_rows() -> list[dict[str, object]]:
    t = data.load("escape_cves")
    rows = [{**r, "id": r["cve"], "date": r["date_public"] or r["date_published"]} for r in t]
    return sorted(rows, key=lambda r: r["date"])


def _name(row: dict[str, object]) -> str:  # "(secondary)" where a clause of the note says the name is
    secondary = any("name" in c and "secondary" in c for c in str(row["note"]).split(";"))
    return f"{row['name']}{' (secondary)' if secondary else ''}" if row["name"] else ""


def cve_figure() -> go.Figure:
    """The escapes on a time axis, coloured by the boundary crossed (see :data:`BOUNDARY_COLOR`)."""
    table = data.load("escape_cves")
    rows = _cve_rows()
    short = {r["id"]: f"{r['id']}<br>{str(r['name'] or '').split(' (')[0].split(',')[0]}".removesuffix("<br>")
             for r in rows}
    fig = timeline_figure(dataclasses.replace(table, rows=tuple(rows)),
                          f"{len(rows)} isolation escapes, {rows[0]['date'].year}-{rows[-1]['date'].year}, by "
                          "the boundary they crossed", label="description", kind_of={r["id"]: BOUNDARY_COLOR[
                              r["boundary"]] for r in rows}, short=short, height=460)
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
        f"<td>{html.escape(r['fix'] or 'not in the record')}</td><td>{_cvss(r)}</td></tr>" for r in _cve_rows())
    return ("<table class='cvm-cves'><thead><tr><th>CVE</th><th>name</th><th>component</th><th>boundary (colour)</th>"
            f"<th>date</th><th>fix</th><th>CVSS</th></tr></thead><tbody>{body}</tbody></table>"
            f"<p><small>Source: {html.escape('; '.join(t.citations()))}</small></p>")


def cve_summary() -> str:
    """One sentence computed from the data: how many escapes crossed a VM boundary and how many a container's."""
    rows = _cve_rows()
    n = {k: sum(BOUNDARY_COLOR[r["boundary"]] == k for r in rows) for k in BOUNDARY_COLOR.values()}
    guest = sum(r["boundary"] == "guest-to-host" for r in rows)
    return (f"{n['vm']} of the {len(rows)} escapes crossed a virtual machine's boundary ({guest} guest-to-host "
            f"through the hypervisor, {n['vm'] - guest} through the CPU), {n['container'] + n['native']} a "
            f"container's ({n['container']} through the container runtime or cgroups, {n['native']} kernel "
            f"privilege escalations usable because containers share the host kernel), from "
            f"{rows[0]['date']} to {rows[-1]['date']}.")


# -- hardening ---------------------------------------------------------------------------------------------------

# id, host, measure, what it protects against ({names} are filled from data/), where the course shows it
_MEASURES = (
    ("patch", "container", "keep the kernel, runc and the engine patched", "known escapes: CVE-2019-5736 and "
     "CVE-2024-21626 (runc), CVE-2022-0492 (cgroups v1 release_agent)", "lesson 05: cve_figure(), cve_table_html()"),
    ("rootless", "container", "run rootless, or with user-namespace remapping", "root in the container being root "
     "on the host (trade-off: unprivileged user namespaces expose more kernel code, see CVE-2022-0185)",
     "lesson 02: nslab; lesson 05: privlab.privileges_in_user_namespace, KernelCalculator (3.8)"),
    ("drop-caps", "container", "drop capabilities: --cap-drop ALL, add back only what is needed", "root's powers "
     "in the container, e.g. CAP_SYS_ADMIN, which in Docker's seccomp profile also unlocks bpf, clone3 and fsopen "
     "({moby})", "lesson 05: privlab.process_privileges (capabilities)"),
    ("seccomp", "container", "keep the default seccomp profile (never seccomp=unconfined)", "kernel bugs in "
     "rarely needed system calls: Docker's default disables around {off} of {total}+ system calls ({docs})",
     "lesson 05: KernelCalculator (seccomp-BPF), privlab.attack_surface_figure"),
    ("no-privileged", "container", "never run with --privileged", "a container with every capability, no seccomp "
     "filter and the host's devices, hardly isolated at all", "lesson 05: privlab.process_privileges"),
    ("read-only", "container", "read-only root filesystem (--read-only, tmpfs only where needed)", "an intruder "
     "changing the container's programs or planting files in it", "lesson 03: layers (read-only image layers)"),
    ("cgroup-limits", "container", "set cgroup limits (--pids-limit, --memory)", "fork bombs and memory exhaustion "
     "starving the host and its neighbours", "lesson 02: cgrouplab.pids_limit_lab"),
    ("no-host-ns", "container", "no host namespaces (no --pid=host, --net=host, --ipc=host)", "the container "
     "seeing and signalling host processes, binding host ports, reaching host-only services",
     "lesson 02: nslab, nsquiz"),
    ("trusted-images", "container", "images from trusted registries, pinned by digest and scanned", "malicious or "
     "vulnerable software shipped inside the image", "lesson 06; lesson 03: oci (digests)"),
    ("sandbox-runtime", "container", "a sandboxed runtime (gVisor, Kata Containers, Firecracker) for untrusted "
     "tenants", "kernel bugs such as Dirty COW or CVE-2022-0185, reachable from every container sharing the "
     "host kernel", "lesson 05: cve_figure()"),
    ("patch-hypervisor", "vm", "patch the hypervisor and its device model", "guest-to-host escapes such as VENOM "
     "(QEMU floppy controller) and Cloudburst (VMware display)", "lesson 05: cve_figure()"),
    ("minimal-devices", "vm", "a minimal device model: no emulated device the guest does not need", "bugs in "
     "rarely used devices (VENOM was in a floppy controller); Firecracker emulates {devices} devices ({fc})",
     "lesson 01; lesson 05"),
    ("cpu-mitigations", "vm", "CPU microcode and kernel mitigations (for L1TF: flush the L1 cache on VM entry, do "
     "not share cores between tenants)", "guests reading other guests' or the host's memory through the CPU (L1TF)",
     "lesson 05: cve_figure()"),
)
#: Container measure id -> (a setup without it, a setup with it): lines of the synthetic practice scenarios.
SETUPS = {
    "patch": ("runc and the kernel have not been updated since the host was installed",
              "runc, the engine and the kernel are updated automatically"),
    "rootless": ("the engine runs as root, without user-namespace remapping", "the engine runs rootless"),
    "drop-caps": ("--cap-add ALL, so that the app 'just works'", "--cap-drop ALL --cap-add NET_BIND_SERVICE"),
    "seccomp": ("--security-opt seccomp=unconfined", "the engine's default seccomp profile"),
    "no-privileged": ("--privileged, to let the app read a USB device", "no --privileged; one --device passed"),
    "read-only": ("a writable root filesystem", "--read-only with a tmpfs for /tmp"),
    "cgroup-limits": ("no --memory and no --pids-limit", "--memory and --pids-limit set for the app"),
    "no-host-ns": ("--pid=host --net=host, to make monitoring easier", "its own PID and network namespaces"),
    "trusted-images": ("an image pulled by tag from an unknown account, never scanned",
                       "an image from the team's own registry, pinned by digest and scanned"),
    "sandbox-runtime": ("code uploaded by anonymous customers, run with the default runc runtime",
                        "only the team's own code"),
}


@dataclass(frozen=True)
class Measure:
    """One hardening measure: what to do, what it protects against, where the course shows it."""

    id: str
    host: str
    measure: str
    protects: str
    shown_in: str


def _hardening() -> tuple[Measure, ...]:
    calls, fc = data.load("syscall_counts"), data.load("firecracker_spec")
    off, total = calls.row(id="docker_docs_disabled"), calls.row(id="docker_docs_total")
    moby, devs = calls.row(id="moby_default_conditional"), fc.row(id="site_emulated_devices")
    facts = {"off": f"{off['value']:g}", "total": f"{total['value']:g}", "docs": calls.cite(off),
             "moby": calls.cite(moby), "devices": f"{devs['value']:g}", "fc": f"{devs['conditions']}; {fc.cite(devs)}"}
    return tuple(Measure(i, h, m, p.format(**facts), s) for i, h, m, p, s in _MEASURES)


#: The checklist: 10 measures for container hosts, 3 for VM hosts.
HARDENING: tuple[Measure, ...] = _hardening()
_BY_ID = {m.id: m for m in HARDENING}


def hardening_html() -> str:
    """The checklist as an HTML table (one ☐ per measure)."""
    body = "".join(f"<tr><td>☐</td><td><code>{m.id}</code></td><td>{m.host} host</td><td>{html.escape(m.measure)}"
                   f"</td><td>{html.escape(m.protects)}</td><td>{html.escape(m.shown_in)}</td></tr>"
                   for m in HARDENING)
    return ("<table class='cvm-hardening'><thead><tr><th></th><th>id</th><th>for</th><th>measure</th>"
            f"<th>protects against</th><th>shown in</th></tr></thead><tbody>{body}</tbody></table>")


@dataclass(frozen=True)
class HardeningScenario:
    """A synthetic container setup: 2 or 3 weaknesses and 3 good settings (ids of :data:`HARDENING`)."""

    seed: int
    lines: tuple[str, ...]
    weaknesses: tuple[str, ...]
    strengths: tuple[str, ...]

    def show(self) -> str:
        """The scenario as the learner reads it."""
        items = "\n".join(f"  - {line}" for line in self.lines)
        return (f"Scenario #{self.seed} (synthetic), a container host with:\n{items}\n"
                "Which measures (ids from hardening_html()) fix its weaknesses? Answer with a list of ids.")


def hardening_scenario(seed: int) -> HardeningScenario:
    """The scenario for ``seed`` (same seed, same scenario)."""
    seed = validate.integer("seed", seed, minimum=0, maximum=10**9)
    rng = random.Random(seed)
    weak = rng.sample(list(SETUPS), rng.choice((2, 3)))
    good = rng.sample([i for i in SETUPS if i not in weak], 3)
    lines = [SETUPS[i][0] for i in weak] + [SETUPS[i][1] for i in good]
    rng.shuffle(lines)
    return HardeningScenario(seed, tuple(lines), tuple(sorted(weak)), tuple(sorted(good)))


def _ids(answer: object) -> list[str] | None:
    items = re.split(r"[,;\s]+", answer) if isinstance(answer, str) else answer
    if not isinstance(items, list | tuple | set | frozenset) or not all(isinstance(i, str) for i in items):
        return None
    return list(dict.fromkeys(i.strip().lower().replace("_", "-") for i in items if i.strip()))


def check_hardening(answer: object, seed: int) -> Feedback:
    """Check the measure ids chosen for :func:`hardening_scenario` ``(seed)``; name the missing and wrong ones."""
    sc = hardening_scenario(seed)
    given = _ids(answer)
    if answer is None or answer is Ellipsis or given == []:
        return Feedback("missing", "the answer is still empty.", MISSING_HINT)
    if given is None:
        return Feedback("incorrect", f"expected a list of measure ids, got {answer!r}.", "answer like ['seccomp']")
    unknown = [i for i in given if i not in _BY_ID]
    if unknown:
        return Feedback("incorrect", f"unknown measure id(s): {', '.join(unknown)}.",
                        f"use ids from the checklist: {', '.join(_BY_ID)}")
    if set(given) == set(sc.weaknesses):
        why = "; ".join(f"{i}: '{SETUPS[i][0]}' -> {_BY_ID[i].measure}" for i in sc.weaknesses)
        return Feedback("correct", f"{', '.join(sc.weaknesses)}. {why}.")
    found = [i for i in given if i in sc.weaknesses]
    missed = [f"{i} (the setup has '{SETUPS[i][0]}')" for i in sc.weaknesses if i not in given]
    wrong = [f"{i} ({'the setup already has ' + repr(SETUPS[i][1]) if i in sc.strengths else _not_weak(i)})"
             for i in given if i not in sc.weaknesses]
    parts = [f"Right: {', '.join(found)}." if found else "",
             f"Missing: {'; '.join(missed)}." if missed else "",
             f"Not a weakness here: {'; '.join(wrong)}." if wrong else ""]
    return Feedback("incorrect", " ".join(p for p in parts if p), "compare each line of the scenario with the list")


def _not_weak(i: str) -> str:
    return "a VM-host measure; this is a container host" if _BY_ID[i].host == "vm" else "the scenario has no such flaw"
