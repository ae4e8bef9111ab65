"""Lesson 03's edit lab: build the image the learner's layer list describes, run it, show its root and digests.

:func:`run_image` checks the list (:func:`widgets.models.imageedit.check_edit`), builds the original demo
image and the edited one as real OCI layouts in temporary directories (no privileges needed: every digest is
measured here), and runs the edited one as a whole container (:mod:`widgets.labs.runtime`: its layers
unpacked, whiteouts as overlayfs reads them, an overlay root, ``pivot_root``, a timeout) as an ordinary user.
The runner lists the container's files just before it starts ``/bin/hello``. Without user namespaces, or with
``live="off"``, the run recorded for the same edit answers where there is one, and otherwise the model of
overlayfs (:func:`widgets.models.imageedit.merged_root`, which the live runs match), labelled so.
"""

from __future__ import annotations

import contextlib
import platform
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import validate
from ..models import imageedit
from ..models.bundle import make_config
from ..models.oci import DEMO_CONFIG, diff_layouts
from .base import LabFailed, Recording
from .capabilities import decide
from .oci import OCI_ARCH, build_layout, host_arch
from .runtime import prepared, run_as, run_bundle, write_bundle

__all__ = ["EXAMPLES", "ImageRun", "make_recording", "run_image"]

RECORDING = Recording("image_edits", "2026-12-03")
#: The edits whose live runs are recorded (the image as built, the lesson's starting edit, its worked answer).
EXAMPLES = (
    imageedit.DEFAULT,
    ["base", "app", "config", {"/srv/motd": "served from layer 4\n"}],
    ["base", "app", "config", {"/srv/motd": "served from layer 4\n"}, {"/etc/os-release": None}],
)


@dataclass(frozen=True)
class ImageRun:
    """The edited image: its layer digests beside the original's, and what its container's root showed."""

    specs: tuple[Any, ...]
    files: tuple[str, ...]
    model_files: tuple[str, ...]
    digests: tuple[str, ...]
    original: tuple[str, ...]
    new_layers: tuple[int, ...]
    config_changed: bool
    manifest_changed: bool
    live: bool
    why: str
    output: str = ""
    exit: dict[str, int] = field(default_factory=dict)
    recorded_on: str = ""
    errors: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """Where the container's file list comes from."""
        if self.live:
            return "measured here"
        return RECORDING.label if self.recorded_on else "the course's model of overlayfs (not a run)"


def _digests(specs: list[Any], arch: str, config: dict[str, Any]) -> dict[str, Any]:
    edited, original = imageedit.materialise(specs, arch), imageedit.materialise(imageedit.DEFAULT, arch)
    with tempfile.TemporaryDirectory(prefix="cvm-imageedit-") as tmp:
        a = build_layout(Path(tmp) / "a", original, config=DEMO_CONFIG, architecture=OCI_ARCH[arch])
        b = build_layout(Path(tmp) / "b", edited, config=config, architecture=OCI_ARCH[arch])
        d = diff_layouts(a, b)
    have = {x.digest for x in a.layers}
    return {
        "edited": edited,
        "digests": tuple(x.digest for x in b.layers),
        "original": tuple(x.digest for x in a.layers),
        "new_layers": tuple(n for n, x in enumerate(b.layers, 1) if x.digest not in have),
        "config_changed": d.config_changed,
        "manifest_changed": d.manifest_changed,
    }


def _live(edited: list[dict[str, Any]], config: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    with prepared(layers=edited, config=config) as (workdir, image):
        uid = run_as()
        cfg = make_config(["/bin/hello"], "course-container", uid, uid, ("unshare",), arch=host_arch())
        r = run_bundle(write_bundle(workdir / "bundle", cfg), image, timeout_s=timeout_s)
    root = next((s for s in r.report.get("stages", []) if s["stage"] == "root filesystem"), None)
    if root is None:
        raise LabFailed(r.report.get("error") or "the runner stopped before it mounted the root")
    return {
        "files": sorted(root["after"]["files"]),
        "output": r.output,
        "exit": r.exit,
        "error": r.report.get("error", ""),
    }


def run_image(layers: object, live: str = "auto", timeout_s: float = 20.0, *, env: object = None) -> ImageRun:
    """Build and run the image of ``layers`` (see the module); ``env`` replaces the config's ``Env``.

    Raises
    ------
    ValueError
        If ``layers``, ``env``, ``live`` or ``timeout_s`` is not valid (nothing is built then).
    """
    specs = imageedit.check_edit(layers)
    timeout_s = validate.number("timeout_s", timeout_s, minimum=0.5, maximum=120, unit="s")
    if env is not None and (isinstance(env, str) or not all(isinstance(e, str) and "=" in e for e in env)):
        raise ValueError(f"env must be a list of 'NAME=value' texts, such as ['PATH=/bin']; got {env!r:.60}")
    config = DEMO_CONFIG | ({"Env": list(env)} if env is not None else {})
    arch = host_arch()
    built = _digests(specs, arch, config)
    model = tuple(imageedit.merged_root(built["edited"]))
    go, why = decide(live, "user namespaces")
    if go and platform.machine().lower() not in ("x86_64", "amd64", "aarch64", "arm64"):
        go, why = False, f"this CPU is {platform.machine()}: the image's program is assembled for x86-64 and aarch64"
    run, errors, recorded_on = None, (), ""
    if go:
        try:
            run = _live(built["edited"], config, timeout_s)
        except (LabFailed, OSError, ValueError) as exc:
            errors, why = (f"live run failed: {exc}",), f"The live run failed here ({exc})."
    if run is None:
        with contextlib.suppress(KeyError, OSError, ValueError):
            run, recorded_on = RECORDING.load()["runs"][imageedit.canonical(specs)], RECORDING.recorded_on
            why += f" Showing the run of the same image {RECORDING.label}."
        if run is None:
            run = {"files": list(model), "output": "", "exit": {}}
            why += " The container's files come from the course's model of overlayfs (not a run)."
    return ImageRun(
        tuple(specs),
        tuple(run["files"]),
        model,
        built["digests"],
        built["original"],
        built["new_layers"],
        built["config_changed"],
        built["manifest_changed"],
        run is not None and go and not errors,
        why.strip(),
        run.get("output", ""),
        run.get("exit", {}),
        recorded_on,
        errors + ((run["error"],) if run.get("error") else ()),
    )


def make_recording() -> dict[str, Any]:
    """Run :data:`EXAMPLES` live and return the recording's contents (how the recording file was made)."""
    runs = {}
    for specs in EXAMPLES:
        r = run_image(specs, live="on")
        if not r.live:
            raise LabFailed(f"cannot record: {r.why}")
        runs[imageedit.canonical(imageedit.check_edit(specs))] = {
            "files": list(r.files),
            "output": r.output,
            "exit": r.exit,
        }
    machine = {"description": "Firecracker micro-VM, run as nobody (65534)", "kernel": platform.release()}
    return {"label": RECORDING.label, "recorded_on": RECORDING.recorded_on, "machine": machine, "runs": runs}
