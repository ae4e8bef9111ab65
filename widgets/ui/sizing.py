"""VM sizing as a figure and a calculator (lesson 01): what a VM needs, how many fit on a host, what binds."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..core.units import format_g
from ..core.validate import ILLUSTRATIVE
from ..models.sizing import MEMORY_SEGMENTS, Sizing, hypervisor_options, size_vms
from .calculator import Calculator, Choice, Number, Slider
from .figures import new_figure
from .theme import COLORS

FREE_GREY = "#DDDDDD"  # unused memory / idle vCPUs (not a platform colour)


#: How each memory segment of :data:`widgets.models.sizing.MEMORY_SEGMENTS` is drawn: (colour, hatch).
SEGMENT_STYLE = {
    "mem_app_gib": (COLORS["native"], ""),
    "mem_guest_os_gib": (COLORS["vm"], ""),
    "mem_rounding_gib": (COLORS["vm"], "/"),
    "mem_hypervisor_gib": (COLORS["microvm"], ""),
    "mem_reserved_gib": (COLORS["other"], ""),
    "mem_free_gib": (FREE_GREY, ""),
}


def summarize(s: Sizing) -> str:
    """One sentence: VMs per host, what binds, the overhead share, hosts needed."""
    vms = "VM fits" if s.per_host == 1 else "VMs fit"
    hosts = "host" if s.hosts == 1 else "hosts"
    work = "workload" if s.n_workloads == 1 else "workloads"
    what = "guest OSes and the hypervisor use" if s.hypervisor_gib else "guest OSes use"
    return (
        f"{s.per_host} {vms} on this host ({s.binding} binds); {what} {s.overhead_share:.0%} of the "
        f"memory in use; {s.hosts:,} {hosts} for {s.n_workloads:,} {work}."
    )


def note(s: Sizing) -> str:
    """The figure's footnote: where the overhead comes from, what is assumed (two lines)."""
    if s.hypervisor_cite:
        source = f"Hypervisor overhead per VM: {s.hypervisor_label}, source: {s.hypervisor_cite}."
    else:
        source = "No hypervisor overhead counted."
    return f"{source}\nWorkload, guest OS, host and reserve values: {ILLUSTRATIVE}."


def details(s: Sizing) -> str:
    """HTML under the figure: the VM size, each resource's limit, sources."""
    limits = ", ".join(f"{name} allows {v:,}" for name, v in s.limits)
    return (
        f"<p>One VM: {s.vm_vcpu} vCPU{'s' * (s.vm_vcpu != 1)}, {format_g(s.vm_memory_gib)} GiB memory "
        f"(+ {format_g(s.hypervisor_gib)} GiB hypervisor overhead), {format_g(s.vm_disk_gb)} GB disk. "
        f"Per host: {limits}.</p><p><i>{html.escape(note(s)).replace(chr(10), '<br>')}</i></p>"
        + (f"<p><small>Source: {html.escape(s.hypervisor_source)}</small></p>" if s.hypervisor_source else "")
    )


def draw(fig: go.Figure, s: Sizing) -> None:
    """Redraw one host's memory and vCPU bars for a :class:`Sizing`."""
    for trace, (attr, _) in zip(fig.data, MEMORY_SEGMENTS, strict=False):
        trace.x = [getattr(s, attr)]
        trace.text = [format_g(getattr(s, attr), 3)]
    used, free = fig.data[len(MEMORY_SEGMENTS)], fig.data[len(MEMORY_SEGMENTS) + 1]
    used.x, used.text = [s.vcpus_used], [format_g(s.vcpus_used, 3)]
    free.x, free.text = [s.vcpus_free], [format_g(s.vcpus_free, 3)]
    used.name = f"vCPUs of {s.per_host} VMs"


def figure(s: Sizing, *, widget: bool = False) -> go.Figure:
    """Two stacked horizontal bars: one host's memory (GiB) and its vCPUs."""
    fig = new_figure(
        "Where one host's memory and vCPUs go when it is full of VMs",
        "memory of one host (GiB)",
        "",
        widget=widget,
        height=420,
        barmode="stack",
        yaxis={"domain": [0.62, 1.0]},
        xaxis2={"anchor": "y2", "title": {"text": "vCPUs of one host (cores × overcommit)"}},
        yaxis2={"domain": [0.0, 0.25], "anchor": "x2"},
        legend={"orientation": "h", "y": -0.42, "x": 0, "traceorder": "normal"},
        margin={"l": 80, "b": 110},
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    for attr, label in MEMORY_SEGMENTS:
        colour, hatch = SEGMENT_STYLE[attr]
        fig.add_bar(
            orientation="h",
            y=["memory"],
            x=[0],
            name=label,
            xaxis="x",
            yaxis="y",
            marker={"color": colour, "pattern": {"shape": hatch}},
            textposition="inside",
            hovertemplate=f"{label}: %{{x:.4g}} GiB<extra></extra>",
        )
    fig.add_bar(
        orientation="h",
        y=["vCPUs"],
        x=[0],
        name="vCPUs of VMs",
        xaxis="x2",
        yaxis="y2",
        marker_color=COLORS["vm"],
        textposition="inside",
        hovertemplate="vCPUs given to VMs: %{x:.4g}<extra></extra>",
        showlegend=False,
    )
    fig.add_bar(
        orientation="h",
        y=["vCPUs"],
        x=[0],
        name="idle vCPUs",
        xaxis="x2",
        yaxis="y2",
        marker_color=FREE_GREY,
        textposition="inside",
        hovertemplate="idle vCPUs: %{x:.4g}<extra></extra>",
        showlegend=False,
    )
    draw(fig, s)
    return fig


class SizingCalculator(Calculator[Sizing]):
    """Size a VM for a workload and see how many fit on a host, and what binds.

    All starting values are illustrative assumptions, set your own; the hypervisor overheads come from
    ``data/firecracker_spec.csv`` and are cited under the figure.
    """

    name = "sizing"
    inputs = (
        Number("app_vcpu", "app vCPUs", "210px"),
        Number("app_memory_gib", "app memory (GiB)", "210px"),
        Number("app_disk_gb", "app disk (GB)", "210px"),
        Number("n_workloads", "workloads", "210px"),
        Number("guest_os_memory_gib", "guest OS memory (GiB)*", "210px"),
        Number("guest_os_disk_gb", "guest OS disk (GB)*", "210px"),
        Choice("hypervisor", "hypervisor overhead", hypervisor_options, "420px"),
        Number("host_cores", "host cores", "160px"),
        Number("host_memory_gib", "host memory (GiB)", "210px"),
        Number("host_disk_gb", "host disk (GB)", "210px"),
        Number("host_reserved_memory_gib", "host reserve (GiB)*", "210px"),
        Slider("cpu_overcommit", "CPU overcommit", 1, 8, 0.25),
    )
    rows = (
        ("app_vcpu", "app_memory_gib", "app_disk_gb", "n_workloads"),
        ("guest_os_memory_gib", "guest_os_disk_gb", "hypervisor"),
        ("host_cores", "host_memory_gib", "host_disk_gb", "host_reserved_memory_gib", "cpu_overcommit"),
    )
    legend = (
        f"Starting values are {ILLUSTRATIVE} (* marks the VM and host overheads); the hypervisor overheads come "
        "from the course data and are cited under the figure."
    )
    model = staticmethod(size_vms)
    make_figure = staticmethod(lambda s: figure(s, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)
