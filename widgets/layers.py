"""Image layers: what sharing saves on disk and on the wire, and seeded practice.

:func:`storage` compares MB stored by container images with and without shared layers against N VMs,
:func:`pull_time` pulling onto a cold or warm host against copying a VM image at a measured rate;
:func:`layer_problem` / :func:`check_layers` ask which layers must be pulled. The data give only TOTAL
image sizes, so each cited image is ONE base layer of its cited size; "your app on X" adds an app layer
(illustrative assumption, set your own) and shares X's base. Real images have several layers, and images on
one distribution share more than this model knows (python:3.13-slim and nginx:latest are both on Debian
trixie). Every sum uses one measure, compressed (transfer) sizes, never mixed with on-disk ones. Units are
decimal (1 GB = 1000 MB = 10^9 bytes, 1 Mbit = 10^6 bits). VM image and guest-OS sizes have no cited source.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import ipywidgets as ipw
import plotly.graph_objects as go

from . import data, validate
from .calculator import ILLUSTRATIVE, Calculator, mark_number
from .checks import Feedback, check_number
from .figures import new_figure
from .provisioning import CUSTOM, rate_options, transfer_rates
from .theme import COLORS
from .timescales import format_ms

#: The one measure every sum uses (a column value of data/image_sizes.csv).
MEASURE = "compressed"
#: Base images of the storage example: control name -> row id in data/image_sizes.csv.
EXAMPLE_BASES = {"n_python": "python_3.13-slim_compressed", "n_nginx": "nginx_latest_compressed",
                 "n_alpine": "alpine_latest_compressed"}
#: Starting values: service counts are the example; sizes are illustrative assumptions, set your own.
DEFAULTS = {"n_python": 3, "n_nginx": 2, "n_alpine": 1, "app_mb": 5.0, "n_vms": 6, "guest_os_gb": 2.0,
            "bandwidth_mbit_s": 100.0, "vm_image_gb": 2.0}
_BAR = ("containers,<br>layers shared", "containers,<br>no sharing", "VMs")


@dataclass(frozen=True)
class Layer:
    """One layer: its name (standing for its digest), size in MB, measure, citation ('' if not cited)."""

    name: str
    size_mb: float
    measure: str = MEASURE
    cite: str = ""


@dataclass(frozen=True)
class ImageSpec:
    """An image: a name and its layers, bottom (base) first."""

    name: str
    layers: tuple[Layer, ...]

    @property
    def size_mb(self) -> float:
        """The sum of its layers, in MB."""
        return math.fsum(la.size_mb for la in self.layers)


def base_layer(row_id: str) -> Layer:
    """A cited image of data/image_sizes.csv as one layer of its total size (one image = one layer)."""
    table = data.load("image_sizes")
    row = table.row(id=row_id)
    return Layer(f"{row['image']}:{row['tag']}", row["size_mb"], row["measure"], table.cite(row))


def app_image(base: Layer, app: str, app_mb: float) -> ImageSpec:
    """'app' built FROM a base image: the base layer (shared) plus one app layer (illustrative)."""
    return ImageSpec(f"{app} on {base.name}", (base, Layer(f"{app} layer ({base.name})", app_mb, base.measure)))


def _images(images: object) -> tuple[ImageSpec, ...]:
    if isinstance(images, str | bytes) or not isinstance(images, Sequence) or not images:
        raise ValueError("images must be a non-empty list of ImageSpec")
    sizes: dict[str, float] = {}
    for im in images:
        if not isinstance(im, ImageSpec) or not im.layers or not all(
                isinstance(la, Layer) and isinstance(la.name, str) and la.name.strip() for la in im.layers):
            raise ValueError(f"each image must be an ImageSpec of named Layers (at least one), got {im!r}")
        for la in im.layers:
            size = validate.number(f"size of layer {la.name}", la.size_mb, minimum=0, maximum=1e6, unit="MB")
            if sizes.setdefault(la.name, size) != size:
                raise ValueError(f"layer {la.name} has two sizes ({sizes[la.name]:g} and {size:g} MB): "
                                 "a digest names exactly one content")
    if len(measures := sorted({la.measure for im in images for la in im.layers})) > 1:
        raise ValueError(f"do not mix {' and '.join(measures)} sizes in one sum: use one measure for every layer")
    return tuple(ImageSpec(im.name, tuple(replace(la, size_mb=sizes[la.name]) for la in im.layers)) for im in images)


@dataclass(frozen=True)
class Storage:
    """MB stored by container images with and without layer sharing, and by N VMs."""

    images: tuple[ImageSpec, ...]
    measure: str
    shared_mb: float  # each distinct layer once
    unshared_mb: float  # every image's layers, as if nothing were shared
    per_image: tuple[tuple[str, float, float], ...]  # (image, its size, what it adds to earlier ones)
    segments: tuple[tuple[str, float, float, str], ...]  # (label, shared MB, unshared MB, citation)
    n_vms: int
    guest_os_gb: float
    linked_clones: bool
    vm_os_mb: float  # guest-OS disks: one per VM, or one shared base with linked clones
    vm_app_mb: float  # each VM's app
    vm_mb: float  # all VMs: guest-OS disks plus apps

    @property
    def savings_pct(self) -> float:
        """How much less sharing stores, in % of the unshared total."""
        return 100 * (1 - self.shared_mb / self.unshared_mb) if self.unshared_mb else 0.0


def storage(images: Sequence[ImageSpec], n_vms: int, guest_os_gb: float, app_gb: float,
            linked_clones: bool = False) -> Storage:
    """MB stored by container images on one host, with and without shared layers, and by N VMs.

    Parameters
    ----------
    images:
        The images on the host; layers with the same name are the same content, stored once.
    n_vms:
        VMs running the same services, 1–1000.
    guest_os_gb, app_gb:
        Each VM's guest-OS disk (more than 0, at most 1000 GB) and app (0–1000 GB): illustrative assumptions.
    linked_clones:
        VMs share one base OS disk (linked/thin clones): VMs can deduplicate too.
        Per-VM deltas that grow as the guests write are not modelled.

    Raises
    ------
    ValueError
        On any invalid input (the message names it), or if sizes of different measures are mixed.
    """
    imgs = _images(images)
    n = validate.integer("number of VMs", n_vms, minimum=1, maximum=1000)
    os_gb = validate.number("guest OS size", guest_os_gb, minimum=0, maximum=1000, allow_zero=False, unit="GB")
    app = validate.number("VM app size", app_gb, minimum=0, maximum=1000, unit="GB")
    if not isinstance(linked_clones, bool):
        raise ValueError(f"linked clones must be True or False, got {linked_clones!r}")
    seen: dict[str, Layer] = {}  # distinct layers, in order; each image adds the layers not yet seen
    per_image = tuple((im.name, im.size_mb, math.fsum(seen.setdefault(la.name, la).size_mb for la in im.layers
                                                      if la.name not in seen)) for im in imgs)
    bases = list(dict.fromkeys(im.layers[0].name for im in imgs))
    segments = [(f"{b} base layer", seen[b].size_mb,
                 math.fsum(la.size_mb for im in imgs for la in im.layers if la.name == b), seen[b].cite)
                for b in bases]
    segments.append(("app and upper layers", math.fsum(la.size_mb for k, la in seen.items() if k not in bases),
                     math.fsum(la.size_mb for im in imgs for la in im.layers if la.name not in bases), ""))
    vm_os, vm_app = os_gb * 1000 * (1 if linked_clones else n), n * app * 1000
    return Storage(imgs, imgs[0].layers[0].measure, math.fsum(la.size_mb for la in seen.values()),
                   math.fsum(im.size_mb for im in imgs), per_image, tuple(segments), n, os_gb,
                   linked_clones, vm_os, vm_app, vm_os + vm_app)


def example_storage(n_python: int = 3, n_nginx: int = 2, n_alpine: int = 1, app_mb: float | str = 5.0,
                    n_vms: int = 6, guest_os_gb: float | str = 2.0, linked_clones: bool = False) -> Storage:
    """:func:`storage` of 0–50 services per cited base image (at least one), each with an app layer.

    Each VM runs the same app (``app_mb`` / 1000 GB); app layer 0–1,000,000 MB (illustrative assumption, set your own).
    """
    counts = {"n_python": n_python, "n_nginx": n_nginx, "n_alpine": n_alpine}
    app = validate.number("app layer size", app_mb, minimum=0, maximum=1e6, unit="MB")
    images: list[ImageSpec] = []
    for key, row_id in EXAMPLE_BASES.items():
        n = validate.integer(f"services on {key[2:]}", counts[key], minimum=0, maximum=50)
        images += [app_image(base_layer(row_id), f"service {len(images) + i + 1}", app) for i in range(n)]
    if not images:
        raise ValueError("choose at least one service")
    return storage(images, n_vms, guest_os_gb, app / 1000, linked_clones)


def _mb(x: float) -> str:
    return f"{x:,.1f} MB"


def summarize_storage(s: Storage) -> str:
    """One sentence: what sharing saves, and what the VMs store."""
    clones = "sharing one base OS disk (linked clones)" if s.linked_clones else "each with its own guest-OS disk"
    return (f"Sharing base layers, the {len(s.images)} container images store {_mb(s.shared_mb)} of {s.measure} "
            f"layers instead of {_mb(s.unshared_mb)} ({s.savings_pct:.1f}% less); {s.n_vms} VMs {clones} of "
            f"{s.guest_os_gb:g} GB ({ILLUSTRATIVE}) store {_mb(s.vm_mb)}.")


def draw_storage(fig: go.Figure, s: Storage) -> None:
    """Redraw the stacked bars: container segments (base layers, app layers), then the VMs."""
    *cont, vm_os, vm_app = fig.data
    if len(s.segments) > len(cont):
        raise ValueError(f"this figure has room for {len(cont)} layer segments, not {len(s.segments)}")
    for i, tr in enumerate(cont):
        label, shared, unshared, cite = s.segments[i] if i < len(s.segments) else ("", 0.0, 0.0, "")
        tr.name, tr.showlegend = label, bool(label)
        tr.x, tr.y = ([_BAR[0], _BAR[1]], [shared, unshared]) if label else ([], [])
        tr.customdata = [cite or ILLUSTRATIVE] * 2
    vm_os.name = "guest OS disk" + (" (one shared base: linked clones)" if s.linked_clones else "s")
    vm_os.x, vm_os.y = [_BAR[2]], [s.vm_os_mb]
    vm_app.x, vm_app.y = [_BAR[2]], [s.vm_app_mb]
    fig.layout.annotations = [{"x": b, "y": y, "text": _mb(y), "showarrow": False, "yanchor": "bottom"}
                              for b, y in zip(_BAR, (s.shared_mb, s.unshared_mb, s.vm_mb), strict=True)]
    fig.layout.yaxis.title.text = f"stored (MB, decimal; container layers {s.measure})"


def storage_figure(s: Storage, *, widget: bool = False, n_segments: int | None = None) -> go.Figure:
    """Stacked bars of MB stored: containers with and without sharing, and VMs."""
    fig = new_figure("What one host stores: container layers shared, not shared, and VMs", "",
                     "stored (MB)", widget=widget, height=460, barmode="stack", legend={"traceorder": "normal"})
    for i in range(n_segments or len(s.segments)):
        fig.add_bar(x=[], y=[], marker={"color": COLORS["container"], "line": {"color": "white", "width": 1},
                                        "pattern": {"shape": ("", "/", "x", ".", "-")[i % 5]}},
                    hovertemplate="%{fullData.name}: %{y:,.1f} MB<br>%{customdata}<extra></extra>")
    fig.add_bar(x=[], y=[], marker_color=COLORS["vm"], hovertemplate=f"%{{y:,.1f}} MB ({ILLUSTRATIVE})<extra></extra>")
    fig.add_bar(x=[], y=[], name="VM apps", marker={"color": COLORS["vm"], "pattern": {"shape": "/"}},
                hovertemplate=f"VM apps: %{{y:,.1f}} MB ({ILLUSTRATIVE})<extra></extra>")
    draw_storage(fig, s)
    return fig


def _control(key: str, description: str, hi: int = 0) -> ipw.ValueWidget:
    """A Text (illustrative input) or, with ``hi``, an IntSlider for ``DEFAULTS[key]``."""
    kw = {"description": description, "style": {"description_width": "initial"}}
    if hi:
        return ipw.IntSlider(value=DEFAULTS[key], min=int(key == "n_vms"), max=hi, **kw)
    return mark_number(ipw.Text(value=f"{DEFAULTS[key]:g}", continuous_update=False, tooltip=ILLUSTRATIVE,
                                layout=ipw.Layout(width="230px"), **kw))


class StorageCalculator(Calculator[Storage]):
    """Services on cited base images (shared layers) against N VMs with their own guest OS."""

    def __init__(self) -> None:
        controls = {key: _control(key, f"services on {base_layer(rid).name}", 10) for key, rid in EXAMPLE_BASES.items()}
        controls |= {"app_mb": _control("app_mb", "app layer (MB)"), "n_vms": _control("n_vms", "VMs", 30),
                     "guest_os_gb": _control("guest_os_gb", "guest OS per VM (GB)"),
                     "linked_clones": ipw.Checkbox(value=False, description="linked clones", indent=False)}
        super().__init__("storage", controls, example_storage, draw_storage, summarize_storage,
                         storage_figure(example_storage(), widget=True, n_segments=len(EXAMPLE_BASES) + 1),
                         layout_rows=[list(EXAMPLE_BASES), ["app_mb", "n_vms"], ["guest_os_gb", "linked_clones"]])
        self.children = (ipw.HTML(f"<small>Base sizes: {MEASURE} sizes from data/image_sizes.csv "
                                  f"({base_layer(EXAMPLE_BASES['n_alpine']).cite}). App layer, guest OS and VM "
                                  f"sizes: {ILLUSTRATIVE}.</small>"), *self.children)


# -- pull time -------------------------------------------------------------------------------------------------
def catalog(app_mb: float | str = 5.0) -> dict[str, ImageSpec]:
    """The images to pull: each compressed row of data/image_sizes.csv as one layer, and 'your app on' 3 of them."""
    app = validate.number("app layer size", app_mb, minimum=0, maximum=1e6, unit="MB")
    bases = [base_layer(r["id"]) for r in data.load("image_sizes") if r["measure"] == MEASURE]
    apps = [app_image(base_layer(r), "your app", app) for r in EXAMPLE_BASES.values()]
    return {im.name: im for im in [*(ImageSpec(b.name, (b,)) for b in bases), *apps]}


@dataclass(frozen=True)
class PullTime:
    """Seconds to pull a container image (cold host, base cached, your host) and to copy a VM image."""

    image: ImageSpec
    cached: tuple[tuple[str, str], ...]  # (layer already on the host, image that brought it)
    to_pull: tuple[Layer, ...]
    pull_mb: float
    bandwidth_mbit_s: float
    vm_image_gb: float
    vm_provider: str
    vm_rate_mb_s: float
    vm_cite: str
    bars: tuple[tuple[str, float, float], ...]  # (label, MB, s): cold host, base cached, your host, VM copy


def pull_time(image: str = "your app on python:3.13-slim", already_present: Sequence[str] = ("alpine:latest",),
              bandwidth_mbit_s: float | str = 100.0, vm_image_gb: float | str = 2.0, vm_rate: str = "ec2",
              app_mb: float | str = 5.0) -> PullTime:
    """Layers to pull and seconds, beside copying a VM image at a rate measured by Mao & Humphrey (2012).

    Each cited image is one layer of its total compressed size; 'your app on X' is X's layer plus an app
    layer, so it shares X's base (see the module docstring).

    Parameters
    ----------
    image:
        An image of :func:`catalog`.
    already_present:
        Images already pulled on the host; their layers need not be pulled again.
    bandwidth_mbit_s, vm_image_gb, app_mb:
        Your network (more than 0, at most 10^6 Mbit/s), the VM image (more than 0, at most 10,000 GB) and
        the app layer of 'your app' images (0–10^6 MB): illustrative assumptions, set your own.
    vm_rate:
        A row id of data/image_transfer_rates.csv: ``"ec2"``, ``"azure"``, ``"rackspace"``.
    """
    images = catalog(app_mb)
    im = images[validate.choice("image", image, images)]
    if isinstance(already_present, str | bytes) or not isinstance(already_present, Sequence | set | frozenset):
        raise ValueError("already present must be a list of image names (it may be empty)")
    present = {la.name: name for name in reversed(list(already_present))  # layer -> the first image that has it
               for la in images[validate.choice("already present image", name, images)].layers}
    bw = validate.number("bandwidth", bandwidth_mbit_s, minimum=0, maximum=1e6, allow_zero=False, unit="Mbit/s")
    vm_gb = validate.number("VM image size", vm_image_gb, minimum=0, maximum=10_000, allow_zero=False, unit="GB")
    provider, mb_s, cite = transfer_rates()[validate.choice("VM transfer rate", vm_rate, transfer_rates())]
    to_pull = tuple(la for la in im.layers if la.name not in present)
    pull, upper = (math.fsum(la.size_mb for la in layers) for layers in (to_pull, im.layers[1:]))
    bars = tuple((label, mb, mb * 8 / bw) for label, mb in (  # MB × 8 / (Mbit/s) = s
        ("container image, cold host", im.size_mb), ("container image, base layers cached", upper),
        ("container image, your host", pull))) + (("VM image copy", vm_gb * 1000, vm_gb * 1000 / mb_s),)
    cached = tuple((la.name, present[la.name]) for la in im.layers if la.name in present)
    return PullTime(im, cached, to_pull, pull, bw, vm_gb, provider, mb_s, cite, bars)


def summarize_pull(p: PullTime) -> str:
    """One sentence: the pull on your host against the VM image copy."""
    have = f"{len(p.cached)} of its {len(p.image.layers)} layers already there" if p.cached else "no layer cached"
    pull_s, vm_s = (format_ms(b[2] * 1000) for b in p.bars[2:])
    return (f"Pulling {p.image.name} onto your host ({have}) moves {_mb(p.pull_mb)} in {pull_s} at "
            f"{p.bandwidth_mbit_s:g} Mbit/s ({ILLUSTRATIVE}); copying a {p.vm_image_gb:g} GB VM image at the "
            f"{p.vm_rate_mb_s:g} MB/s measured for {p.vm_provider} ({p.vm_cite}) takes {vm_s}.")


def draw_pull(fig: go.Figure, p: PullTime) -> None:
    """Redraw the horizontal bars of seconds."""
    bars = fig.data[0]
    bars.y, bars.x = [b[0] for b in p.bars], [b[2] for b in p.bars]
    bars.text = [f"{format_ms(s * 1000)} ({_mb(mb)})" for _, mb, s in p.bars]
    bars.marker.color = [COLORS["container"]] * 3 + [COLORS["vm"]]
    bars.customdata = [f"at {p.bandwidth_mbit_s:g} Mbit/s ({ILLUSTRATIVE})"] * 3 + [
        f"{p.vm_image_gb:g} GB ({ILLUSTRATIVE}) at {p.vm_rate_mb_s:g} MB/s, {p.vm_provider} ({p.vm_cite})"]
    fig.layout.xaxis.range = [0, max(b[2] for b in p.bars) * 1.35 or 1]


def pull_figure(p: PullTime, *, widget: bool = False) -> go.Figure:
    """Horizontal bars: seconds to pull the container image (cold, cached, your host) and to copy a VM image."""
    fig = new_figure("Seconds to get an image onto a host: container pull against VM image copy", "time (s)", "",
                     widget=widget, height=340, showlegend=False, yaxis={"autorange": "reversed"},
                     margin={"l": 260, "r": 40})
    fig.add_bar(orientation="h", x=[], y=[], textposition="outside", cliponaxis=False,
                hovertemplate="%{y}: %{text}<br>%{customdata}<extra></extra>")
    draw_pull(fig, p)
    return fig


class PullCalculator(Calculator[PullTime]):
    """Pick an image and what the host already has; compare with a VM image copy at a measured rate."""

    def __init__(self) -> None:
        names, rates = list(catalog()), [o for o in rate_options() if o[1] != CUSTOM]
        wide = {"style": {"description_width": "initial"}, "layout": ipw.Layout(width="420px")}
        controls = {
            "image": ipw.Dropdown(options=names, value="your app on python:3.13-slim", description="image", **wide),
            "already_present": ipw.SelectMultiple(options=names, value=("alpine:latest",), rows=5,
                                                  description="already on the host", **wide),
            "bandwidth_mbit_s": _control("bandwidth_mbit_s", "bandwidth (Mbit/s)"),
            "app_mb": _control("app_mb", "app layer (MB)"), "vm_image_gb": _control("vm_image_gb", "VM image (GB)"),
            "vm_rate": ipw.Dropdown(options=rates, value="ec2", description="VM image transfer rate", **wide),
        }
        super().__init__("pull", controls, lambda already_present, **kw: pull_time(already_present=list(
            already_present), **kw), draw_pull, summarize_pull, pull_figure(pull_time(), widget=True),
            layout_rows=[["image"], ["already_present"], ["bandwidth_mbit_s", "app_mb"], ["vm_image_gb", "vm_rate"]])


# -- practice ----------------------------------------------------------------------------------------------------
_BASES = ("base-os", "base-os-slim", "base-musl")
_RUNTIMES = ("python-runtime", "node-runtime", "jre-runtime", "ruby-runtime")
_APPS = ("web", "worker", "api", "cron", "auth", "shop")


@dataclass(frozen=True)
class LayerProblem:
    """A host with images (synthetic layers and sizes) and an image to pull."""

    seed: int
    host: tuple[ImageSpec, ...]
    image: ImageSpec
    holders: dict[str, str]  # layer on the host -> the first host image that brought it
    to_pull: tuple[Layer, ...]  # the image's layers that are not on the host
    pull_mb: float

    def show(self) -> str:
        """The problem as the learner sees it."""
        lines = [f"Layer problem #{self.seed} (synthetic layers and sizes). The host already has:"]
        lines += [f"  {im.name}: " + ", ".join(f"{la.name} ({la.size_mb:g} MB)" for la in im.layers)
                  for im in (*self.host, self.image)]
        lines[-1] = "You pull" + lines[-1][1:]
        return "\n".join(lines + ["Which layers must be pulled, and how many MB is that?"])

    def answer(self) -> str:
        """The layers to pull, their MB, and where the others come from."""
        have = "; ".join(f"{la.name} is already there (pulled by {self.holders[la.name]})"
                         for la in self.image.layers if la.name in self.holders)
        return f"Pull {', '.join(la.name for la in self.to_pull)}: {self.pull_mb:g} MB. {have}."


def layer_problem(seed: int) -> LayerProblem:
    """The practice problem for ``seed`` (same seed, same problem; synthetic names and sizes).

    Raises
    ------
    ValueError
        If ``seed`` is not a whole number from 0 to 10**9.
    """
    seed = validate.integer("seed", seed, minimum=0, maximum=10**9)
    rng = random.Random(seed)
    sizes: dict[str, float] = {}

    def layer(name: str, lo: float, hi: float) -> Layer:
        return Layer(name, sizes.setdefault(name, round(rng.uniform(lo, hi), 1)), "synthetic")

    apps = rng.sample(_APPS, k=rng.randint(2, 3) + 1)
    host = []
    for app in apps[:-1]:
        rt = rng.choice(_RUNTIMES)
        host.append(ImageSpec(f"{app}:{rng.randint(1, 3)}.{rng.randint(0, 9)}", (
            layer(rng.choice(_BASES), 20, 80), layer(rt, 10, 60), layer(f"{rt.split('-')[0]}-deps-{app}", 2, 40),
            layer(f"{app}-code", 0.1, 5))))
    like = rng.choice(host)  # the new image is built like one of them: same base, maybe same runtime and deps
    base, rt, deps = (la.name for la in like.layers[:3])
    rt = rng.choice(_RUNTIMES) if rng.random() < 0.5 else rt
    if rt != like.layers[1].name or rng.random() < 0.6:
        deps = f"{rt.split('-')[0]}-deps-{apps[-1]}"
    image = ImageSpec(f"{apps[-1]}:1.0", (layer(base, 20, 80), layer(rt, 10, 60), layer(deps, 2, 40),
                                          layer(f"{apps[-1]}-code", 0.1, 5)))
    holders = {la.name: im.name for im in reversed(host) for la in im.layers}  # the first image that has it
    to_pull = tuple(la for la in image.layers if la.name not in holders)
    return LayerProblem(seed, tuple(host), image, holders, to_pull, round(math.fsum(la.size_mb for la in to_pull), 1))


def check_layers(answer: object, seed: int) -> Feedback:
    """Check the layers (a list/set of names, or text 'a, b') or the MB (a number) to pull for problem ``seed``."""
    p = layer_problem(seed)
    expected = {la.name for la in p.to_pull}
    num = re.fullmatch(r"\s*([-+.\deE]+|nan|inf)\s*(MB)?\s*", answer, re.I) if isinstance(answer, str) else None
    if num or isinstance(answer, int | float) and not isinstance(answer, bool):
        return check_number(num[1] if num else answer, p.pull_mb, rel_tol=0.005, abs_tol=0.05, unit="MB",
                            explanation=p.answer(), hint="add the sizes of the layers that no host image has")
    names = [a for a in re.split(r"[,\s]+", answer) if a] if isinstance(answer, str) else answer
    if names is None or names is Ellipsis or (isinstance(names, list | tuple | set | frozenset) and not names):
        return check_number(None, p.pull_mb)  # "no answer yet"
    if not isinstance(names, list | tuple | set | frozenset) or not all(isinstance(a, str) for a in names):
        return Feedback("incorrect", f"expected layer names or a number of MB, got {answer!r}.",
                        "answer e.g. {'web-code', 'python-deps-web'} or 12.5")
    given = {a.strip() for a in names}
    layers = [la.name for la in p.image.layers]
    if unknown := sorted(given - set(layers)):
        return Feedback("incorrect", f"{', '.join(unknown)}: not a layer of {p.image.name}.",
                        f"its layers are {', '.join(layers)}")
    if given == expected:
        return Feedback("correct", p.answer())
    why = [f"{n} is already on the host: pulled by {p.holders[n]}" for n in layers if n in given - expected]
    why += [f"{n} is missing: no image on the host has it" for n in layers if n in expected - given]
    return Feedback("incorrect", "; ".join(why) + ".", "for each layer, look for it in the host's images")
