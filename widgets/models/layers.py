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
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..core import data, validate
from .rates import transfer_rates

#: The one measure every sum uses (a column value of data/image_sizes.csv).
MEASURE = "compressed"


#: Base images of the storage example: control name -> row id in data/image_sizes.csv.
EXAMPLE_BASES = {
    "n_python": "python_3.13-slim_compressed",
    "n_nginx": "nginx_latest_compressed",
    "n_alpine": "alpine_latest_compressed",
}


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
        if (
            not isinstance(im, ImageSpec)
            or not im.layers
            or not all(isinstance(la, Layer) and isinstance(la.name, str) and la.name.strip() for la in im.layers)
        ):
            raise ValueError(f"each image must be an ImageSpec of named Layers (at least one), got {im!r}")
        for la in im.layers:
            size = validate.number(f"size of layer {la.name}", la.size_mb, minimum=0, maximum=1e6, unit="MB")
            if sizes.setdefault(la.name, size) != size:
                raise ValueError(
                    f"layer {la.name} has two sizes ({sizes[la.name]:g} and {size:g} MB): "
                    "a digest names exactly one content"
                )
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


def storage(
    images: Sequence[ImageSpec], n_vms: int, guest_os_gb: float, app_gb: float, linked_clones: bool = False
) -> Storage:
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
    per_image = tuple(
        (
            im.name,
            im.size_mb,
            math.fsum(seen.setdefault(la.name, la).size_mb for la in im.layers if la.name not in seen),
        )
        for im in imgs
    )
    bases = list(dict.fromkeys(im.layers[0].name for im in imgs))
    segments = [
        (
            f"{b} base layer",
            seen[b].size_mb,
            math.fsum(la.size_mb for im in imgs for la in im.layers if la.name == b),
            seen[b].cite,
        )
        for b in bases
    ]
    segments.append(
        (
            "app and upper layers",
            math.fsum(la.size_mb for k, la in seen.items() if k not in bases),
            math.fsum(la.size_mb for im in imgs for la in im.layers if la.name not in bases),
            "",
        )
    )
    vm_os, vm_app = os_gb * 1000 * (1 if linked_clones else n), n * app * 1000
    return Storage(
        imgs,
        imgs[0].layers[0].measure,
        math.fsum(la.size_mb for la in seen.values()),
        math.fsum(im.size_mb for im in imgs),
        per_image,
        tuple(segments),
        n,
        os_gb,
        linked_clones,
        vm_os,
        vm_app,
        vm_os + vm_app,
    )


def example_storage(
    n_python: int = 3,
    n_nginx: int = 2,
    n_alpine: int = 1,
    app_mb: float | str = 5.0,
    n_vms: int = 6,
    guest_os_gb: float | str = 2.0,
    linked_clones: bool = False,
) -> Storage:
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


def pull_time(
    image: str = "your app on python:3.13-slim",
    already_present: Sequence[str] = ("alpine:latest",),
    bandwidth_mbit_s: float | str = 100.0,
    vm_image_gb: float | str = 2.0,
    vm_rate: str = "ec2",
    app_mb: float | str = 5.0,
) -> PullTime:
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
    present = {
        la.name: name
        for name in reversed(list(already_present))  # layer -> the first image that has it
        for la in images[validate.choice("already present image", name, images)].layers
    }
    bw = validate.number("bandwidth", bandwidth_mbit_s, minimum=0, maximum=1e6, allow_zero=False, unit="Mbit/s")
    vm_gb = validate.number("VM image size", vm_image_gb, minimum=0, maximum=10_000, allow_zero=False, unit="GB")
    provider, mb_s, cite = transfer_rates()[validate.choice("VM transfer rate", vm_rate, transfer_rates())]
    to_pull = tuple(la for la in im.layers if la.name not in present)
    pull, upper = (math.fsum(la.size_mb for la in layers) for layers in (to_pull, im.layers[1:]))
    bars = tuple(
        (label, mb, mb * 8 / bw)
        for label, mb in (  # MB × 8 / (Mbit/s) = s
            ("container image, cold host", im.size_mb),
            ("container image, base layers cached", upper),
            ("container image, your host", pull),
        )
    ) + (("VM image copy", vm_gb * 1000, vm_gb * 1000 / mb_s),)
    cached = tuple((la.name, present[la.name]) for la in im.layers if la.name in present)
    return PullTime(im, cached, to_pull, pull, bw, vm_gb, provider, mb_s, cite, bars)
