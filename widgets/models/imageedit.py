"""Lesson 03's edit exercise, the pure part: an image's layers as the learner lists them, merged as overlayfs does.

The learner edits a list such as ``["base", "app", "config", {"/srv/motd": "hi"}, {"/etc/os-release": None}]``:
the names are the demo image's own three layers (:func:`widgets.models.oci.demo_layers`), a mapping is a new
layer (path -> text or bytes adds or replaces a file, path -> None deletes it with a whiteout).
:func:`check_edit` validates it, :func:`materialise` turns it into layers, :func:`merged_root` says which files
the container's root shows (layers applied bottom to top: a file replaces what was at its path, a whiteout
hides it and everything under it), and :func:`new_layers` which layers a host holding the original image
lacks (a layer's digest is the hash of its bytes: equal content, equal digest, wherever it sits).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from . import oci

__all__ = ["BUILTIN", "DEFAULT", "canonical", "check_edit", "materialise", "merged_root", "new_layers"]

BUILTIN = ("base", "app", "config")
DEFAULT = ["base", "app", "config"]
MAX_LAYERS, MAX_FILES, MAX_BYTES = 8, 16, 4096


def check_edit(layers: object) -> list[str | dict[str, bytes | None]]:
    """The learner's layer list, checked; ValueError saying what was expected (nothing is built then)."""
    example = "['base', 'app', 'config', {'/srv/motd': 'hi'}]"
    if layers is None or layers is Ellipsis:
        raise ValueError(f"layers is not set yet: write a list such as {example}")
    if isinstance(layers, str | bytes | Mapping) or not isinstance(layers, Sequence):
        raise ValueError(f"layers must be a list such as {example}; got {type(layers).__name__} {layers!r:.60}")
    if not 1 <= len(layers) <= MAX_LAYERS:
        raise ValueError(f"an image here has 1 to {MAX_LAYERS} layers; the list has {len(layers)}")
    out: list[str | dict[str, bytes | None]] = []
    for n, layer in enumerate(layers, 1):
        if isinstance(layer, str):
            if layer not in BUILTIN:
                raise ValueError(f"layer {n}: {layer!r:.40} is not one of the image's layers {', '.join(BUILTIN)}")
            if layer in out:
                raise ValueError(f"layer {n}: {layer!r} is listed twice")
            out.append(layer)
            continue
        if not isinstance(layer, Mapping) or not layer:
            raise ValueError(
                f"layer {n} must be one of {', '.join(map(repr, BUILTIN))} or a mapping such as "
                f"{{'/srv/motd': 'hi'}} (None deletes a file); got {layer!r:.60}"
            )
        if len(layer) > MAX_FILES:
            raise ValueError(f"layer {n} has {len(layer)} files; at most {MAX_FILES} here")
        files: dict[str, bytes | None] = {}
        for path, content in layer.items():
            if not isinstance(path, str) or not path.startswith("/"):
                raise ValueError(f"layer {n}: a path is absolute text such as '/srv/motd'; got {path!r:.40}")
            if isinstance(content, str):
                content = content.encode("utf-8")
            if content is not None and not isinstance(content, bytes | bytearray):
                raise ValueError(
                    f"layer {n}: {path!r:.40} needs text, bytes or None (delete it); got {type(content).__name__}"
                )
            if content is not None and len(content) > MAX_BYTES:
                raise ValueError(f"layer {n}: {path!r:.40} has {len(content):,} bytes; at most {MAX_BYTES:,} here")
            files[path] = None if content is None else bytes(content)
        (clean,) = oci.check_layers([files])  # paths: printable, no '..', not twice, not file and directory
        out.append(clean)
    return out


def materialise(specs: Sequence[str | Mapping[str, bytes | None]], arch: str = "x86_64") -> list[dict[str, Any]]:
    """Checked specs -> layers (path -> bytes or None), the named ones from the demo image for ``arch``."""
    demo = dict(zip(BUILTIN, oci.demo_layers(oci.DEFAULT_MESSAGE, arch), strict=True))
    return [oci.check_layers([demo[s]])[0] if isinstance(s, str) else dict(s) for s in specs]


def merged_root(layers: Sequence[Mapping[str, bytes | None]]) -> list[str]:
    """The regular files the container sees (``/etc/passwd``…), layers applied bottom to top, sorted."""
    seen: set[str] = set()
    for layer in layers:
        for path, content in sorted(layer.items()):
            name = "/" + path.strip("/")
            under = {f for f in seen if f == name or f.startswith(name + "/")}
            above = {f for f in seen if name.startswith(f + "/")}  # a file where this path needs a directory
            seen -= under | above
            if content is not None:
                seen.add(name)
    return sorted(seen)


def new_layers(original: Sequence[Mapping[str, Any]], edited: Sequence[Mapping[str, Any]]) -> list[int]:
    """The positions (1 = bottom) of ``edited``'s layers whose content, so digest, ``original`` does not have."""
    have = {oci.sha256_digest(oci.layer_tar(layer)) for layer in original}
    return [n for n, layer in enumerate(edited, 1) if oci.sha256_digest(oci.layer_tar(layer)) not in have]


def canonical(specs: Sequence[str | Mapping[str, bytes | None]]) -> str:
    """A stable text key of an edit (for the recorded runs)."""
    return json.dumps(
        [
            s if isinstance(s, str) else {k: None if v is None else v.decode("latin-1") for k, v in s.items()}
            for s in specs
        ],
        sort_keys=True,
    )
