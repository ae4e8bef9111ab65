"""Lesson 03's edit exercise: add or remove a layer, predict the container's files and the new digests, run it.

The learner edits ``layers`` (the demo image's ``"base"``, ``"app"``, ``"config"`` and new layers as
mappings: path -> text adds or replaces a file, path -> None deletes it with a whiteout) and predicts
``{"files": [...], "new_layers": [...]}``: the regular files the container's root will show, and which layer
positions (1 = bottom) have a digest the original image does not have. :func:`check_image_edit` validates
both, runs :func:`widgets.labs.imageedit.run_image` (live, or the recorded run or the model: it says which),
compares and explains copy-on-write, whiteouts and content addressing. The result joins the journal.
"""

from __future__ import annotations

from typing import Any

from ..labs import imageedit
from .checks import MISSING_HINT, Feedback, is_missing
from .predict import Entry, journal

__all__ = ["EXAMPLE", "check_image_edit", "check_prediction_form"]

EXAMPLE = {"files": ["/bin/hello", "/etc/passwd"], "new_layers": [4]}


def check_prediction_form(prediction: object) -> tuple[list[str], list[int]]:
    """``{"files": [paths], "new_layers": [numbers]}`` checked; ValueError saying what was expected."""
    if not isinstance(prediction, dict) or set(prediction) != {"files", "new_layers"}:
        raise ValueError(f"a prediction is a dict with the keys 'files' and 'new_layers', such as {EXAMPLE}")
    files, new = prediction["files"], prediction["new_layers"]
    if isinstance(files, str) or not isinstance(files, list | tuple | set):
        raise ValueError(f"files: a list of absolute paths such as ['/bin/hello']; got {files!r:.60}")
    if not all(isinstance(f, str) and f.startswith("/") for f in files):
        raise ValueError(f"files: each path is absolute text such as '/etc/passwd'; got {sorted(map(str, files))}")
    if isinstance(new, int) and not isinstance(new, bool):
        new = [new]
    if not isinstance(new, list | tuple | set) or not all(isinstance(n, int) and not isinstance(n, bool) for n in new):
        raise ValueError(f"new_layers: a list of layer numbers (1 = the bottom layer), such as [4]; got {new!r:.60}")
    return sorted({"/" + f.strip("/") for f in files}), sorted(set(new))


def _why(run: imageedit.ImageRun, files: list[str], new: list[int]) -> list[str]:
    deleted = [
        "/" + p.strip("/") for s in run.specs if isinstance(s, dict) for p, c in s.items() if c is None
    ]  # paths the edit deletes
    out = []
    missing, extra = sorted(set(run.files) - set(files)), sorted(set(files) - set(run.files))
    if hidden := [f for f in extra if f in deleted or any(f.startswith(d + "/") for d in deleted)]:
        out.append(
            f"{', '.join(hidden)}: a whiteout hides the file from the container, although its bytes still ship in "
            "the lower layer (the common belief that deleting a file in a later step makes the image smaller)"
        )
    if others := [f for f in extra if f not in hidden] + missing:
        out.append(
            f"{', '.join(others)}: the root is every layer stacked, bottom to top; a file in a higher layer "
            "replaces the one at its path below, a file of a removed layer is gone"
        )
    if set(new) != set(run.new_layers):
        out.append(
            "a layer's digest is the sha256 of its own bytes: a layer that is byte for byte one of the original "
            "image's keeps its digest wherever it sits, and changing one layer changes no other layer's digest "
            "(the common belief that every layer above a change changes: that is a builder's cache, not the digest)"
        )
    return out


def check_image_edit(
    layers: Any, prediction: Any, *, live: str = "auto", env: Any = None, exercise: str = "image edit"
) -> Feedback:
    """Validate the edit and the prediction, build and run the image, compare and explain (see the module)."""
    if is_missing(layers):
        return Feedback("missing", "no layer list yet.", "e.g. layers = ['base', 'app', 'config', {'/srv/motd': 'hi'}]")
    if is_missing(prediction):
        return Feedback("missing", "no prediction yet: write it down before the lab builds your image.", MISSING_HINT)
    try:
        files, new = check_prediction_form(prediction)
        run = imageedit.run_image(layers, live=live, env=env)
    except ValueError as exc:
        return Feedback("incorrect", f"{exc}.", f"layers as in the cell above; a prediction such as {EXAMPLE}")
    right = files == sorted(run.files) and new == sorted(run.new_layers)
    saw = (
        f"The container's root showed {', '.join(run.files) or 'no file'} ({run.source}); the layers new to a host "
        f"holding the original image: {', '.join(map(str, run.new_layers)) or 'none'} (digests measured here); the "
        f"config digest {'changed' if run.config_changed else 'stayed'} (it lists every layer's diff_id) and so did "
        f"the manifest's{'' if run.manifest_changed else ' not'}."
    )
    if run.errors:
        saw += f" The program did not run: {run.errors[-1]}."
    gaps = _why(run, files, new)
    head = (
        "as predicted."
        if right
        else f"you predicted files {files} and new layers {new}: " + "; ".join(gaps or ["see what the run gave"]) + "."
    )
    mechanism = (
        " Copy-on-write: the image's layers are read-only lower directories shared by every container; a file "
        "the container writes is copied up into its own upper directory, so no layer digest ever changes at run time."
    )
    message = f"{head} {saw}{mechanism}"
    if not run.live:
        message += f" ({run.why})"
    status = "correct" if right else "incorrect"
    journal().record(
        Entry(
            exercise,
            f"files {files}, new {new}",
            f"files {list(run.files)}, new {list(run.new_layers)}",
            "",
            status,
            "",
        )
    )
    return Feedback(status, message, "" if right else "change one layer, predict again, and run the check")
