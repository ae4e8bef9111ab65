"""OCI images in memory (image spec v1.1): layers as deterministic tar files, manifests, configs, digests.

Pure: the same files give the same bytes and the same digests on every run and machine (sorted entries,
mtime 0, owner 0:0, no user or group names, modes 0o644/0o755, gzip with a fixed header, canonical JSON:
sorted keys, no spaces). :mod:`widgets.labs.oci` writes a layout to disk and checks it back.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import validate

INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
LAYER_GZIP = LAYER_TAR + "+gzip"
REF_NAME = "org.opencontainers.image.ref.name"
IMAGE_NAME = "io.containerd.image.name"  # the full name, as `ctr images export` records it
DEFAULT_TAG = "course/hello:1.0"
DEFAULT_MESSAGE = "Hello from a container image!"
#: The demo image runs its own program, the static /bin/hello of :mod:`widgets.models.elf`, with nothing from the
#: host: Entrypoint names it, Cmd gives its (empty) default arguments.
DEMO_CONFIG = {"Entrypoint": ["/bin/hello"], "Cmd": [], "Env": ["PATH=/bin"], "WorkingDir": "/"}
CONFIG_KEYS = ("User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels", "StopSignal")
DIGEST = re.compile(r"sha256:[a-f0-9]{64}")
_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPO = re.compile(rf"{_PART}(?:/{_PART})*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
CHANGED = "does not match its digest: content was changed after it was written"
#: A layer deletes a lower layer's file with an empty file named ``.wh.<name>`` beside it (image spec, "Whiteouts").
WHITEOUT = ".wh."


class OciError(ValueError):
    """An OCI layout that is missing, malformed or does not match its digests."""


@dataclass(frozen=True)
class Blob:
    """One content-addressed blob (size in bytes); layers also carry their diff_id and uncompressed tar size."""

    role: str
    media_type: str
    digest: str
    size: int
    diff_id: str = ""
    uncompressed_size: int = 0

    @property
    def short(self) -> str:
        """The first 12 hex digits of the digest."""
        return self.digest.removeprefix("sha256:")[:12]


@dataclass(frozen=True)
class Layout:
    """An image layout on disk: tag, manifest, config, layers (bottom first) and files (path, bytes measured)."""

    root: Path
    tag: str
    manifest: Blob
    config: Blob
    layers: tuple[Blob, ...]
    files: tuple[tuple[str, int], ...]

    @property
    def total_size(self) -> int:
        """Bytes of all files in the layout, measured here."""
        return sum(size for _, size in self.files)

    def tree(self) -> str:
        """A text listing of the layout's files with their sizes."""
        head = f"{self.root}/  ({self.total_size:,} bytes, measured here)"
        return "\n".join([head] + [f"  {size:>8,} B  {path}" for path, size in self.files])


@dataclass(frozen=True)
class BlobCheck:
    """One blob checked: descriptor size, size on disk (None: missing), and whether size and digest match."""

    role: str
    digest: str
    expected_size: int | None
    actual_size: int | None
    ok: bool
    problem: str = ""


@dataclass(frozen=True)
class Verification:
    """What :func:`verify` found: one check per blob, every problem in plain words, the layout if it is valid."""

    root: Path
    ok: bool
    checks: tuple[BlobCheck, ...]
    problems: tuple[str, ...]
    layout: Layout | None


@dataclass(frozen=True)
class LayoutDiff:
    """Two images compared: shared layer digests (and their bytes), changed positions (0-based), config, manifest."""

    a: Layout
    b: Layout
    shared: tuple[str, ...]
    shared_bytes: int
    changed: tuple[int, ...]
    config_changed: bool
    manifest_changed: bool


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def whiteout_name(path: str) -> str:
    """The tar entry that deletes ``path`` (``etc/os-release`` -> ``etc/.wh.os-release``)."""
    head, _, name = path.rpartition("/")
    return f"{head}/{WHITEOUT}{name}" if head else WHITEOUT + name


def check_layers(layers: object) -> list[dict[str, bytes | None]]:
    """Each layer as path -> bytes (a file) or None (a deletion: a whiteout); ValueError saying what is wrong."""
    if isinstance(layers, str | bytes | Mapping) or not isinstance(layers, Sequence) or not layers:
        raise ValueError("layers must be a non-empty list of mappings path -> file bytes")
    clean = []
    for n, layer in enumerate(layers, 1):
        if not isinstance(layer, Mapping) or not layer:
            raise ValueError(f"layer {n} must be a non-empty mapping path -> file bytes")
        files: dict[str, bytes] = {}
        for path, content in layer.items():
            if not isinstance(path, str) or not path.strip("/") or not path.isprintable():
                raise ValueError(f"layer {n}: a path must be printable text such as '/app/main.py', got {path!r}")
            parts = [p for p in path.split("/") if p not in ("", ".")]
            if ".." in parts:
                raise ValueError(f"layer {n}: the path {path!r} contains '..': paths must stay inside the image")
            if content is not None and not isinstance(content, bytes | bytearray):
                raise ValueError(
                    f"layer {n}: the content of {path!r} must be bytes (None deletes it), got {type(content).__name__}"
                )
            if any(p.startswith(WHITEOUT) for p in parts):
                raise ValueError(f"layer {n}: {path!r}: names starting with {WHITEOUT!r} are reserved for whiteouts")
            if "/".join(parts) in files:
                raise ValueError(f"layer {n} has the path {'/'.join(parts)!r} twice")
            files["/".join(parts)] = None if content is None else bytes(content)
        if clash := sorted(directories(files) & files.keys()):
            raise ValueError(f"layer {n}: {clash[0]!r} is both a file and a directory")
        clean.append(files)
    return clean


def directories(files: Mapping[str, bytes]) -> set[str]:
    return {"/".join(name.split("/")[:i]) for name in files for i in range(1, name.count("/") + 1)}


def check_tag(tag: object) -> str:
    if not isinstance(tag, str) or not tag.strip():
        raise ValueError(f"tag must be non-empty text such as {DEFAULT_TAG!r}, got {tag!r}")
    if any(c.isspace() for c in tag):
        raise ValueError(f"tag {tag!r} must not contain spaces")
    repo, _, part = tag.rpartition(":") if ":" in tag.rsplit("/", 1)[-1] else (tag, ":", "latest")
    if repo != repo.lower():
        raise ValueError(f"the repository {repo!r} must be lowercase (capitals are allowed only in the tag part)")
    if not _REPO.fullmatch(repo):
        raise ValueError(f"the repository {repo!r} may use only lowercase letters, digits and . _ - / between them")
    if not _TAG.fullmatch(part):
        raise ValueError(f"the tag part {part!r} must be 1-128 letters, digits, _ . - (not starting with . or -)")
    return part


def check_config(config: object) -> dict[str, Any]:
    if not isinstance(config, Mapping):
        raise ValueError("config must be a mapping such as {'Cmd': ['/bin/hello']}")
    for key in config:
        validate.choice("config key", key, CONFIG_KEYS)
    for key in ("Cmd", "Entrypoint", "Env"):
        value = config.get(key, [])
        if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"config {key} must be a list of strings, got {value!r}")
    try:
        return json.loads(canonical_json(dict(config)))
    except (TypeError, ValueError):
        raise ValueError("config must hold only JSON values (text, numbers, lists, mappings)") from None


def layer_tar(files: Mapping[str, bytes]) -> bytes:
    """The deterministic uncompressed tar of one layer (path -> bytes, or None for a whiteout ``.wh.<name>``):
    parent directories added, entries sorted."""
    (clean,) = check_layers([files])
    dirs = directories(clean)
    entries = {whiteout_name(k) if v is None else k: b"" if v is None else v for k, v in clean.items()}
    buf = io.BytesIO()
    with tarfile.TarFile(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(dirs | set(entries)):
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            info.type, info.mode, info.size = (
                (tarfile.DIRTYPE, 0o755, 0)
                if name in dirs
                else (tarfile.REGTYPE, file_mode(entries[name]), len(entries[name]))
            )
            tar.addfile(info, None if name in dirs else io.BytesIO(entries[name]))
    return buf.getvalue()


def file_mode(content: bytes) -> int:
    """0o755 for a program (an ELF file or a ``#!`` script), else 0o644: the mode a layer stores it with."""
    return 0o755 if content[:4] == b"\x7fELF" or content[:2] == b"#!" else 0o644


def diff_layouts(a: Layout, b: Layout) -> LayoutDiff:
    """Compare two images layer by layer: shared digests, changed positions, config and manifest digests."""
    if not isinstance(a, Layout) or not isinstance(b, Layout):
        raise ValueError("diff_layouts compares two Layout results of build_layout or read_layout")
    theirs, common = {x.digest for x in b.layers}, min(len(a.layers), len(b.layers))
    shared = [x for x in a.layers if x.digest in theirs]
    changed = tuple(
        i for i in range(max(len(a.layers), len(b.layers))) if i >= common or a.layers[i].digest != b.layers[i].digest
    )
    return LayoutDiff(
        a,
        b,
        tuple(x.digest for x in shared),
        sum(x.size for x in shared),
        changed,
        a.config.digest != b.config.digest,
        a.manifest.digest != b.manifest.digest,
    )


def demo_layers(message: str = DEFAULT_MESSAGE, arch: str = "x86_64") -> list[dict[str, bytes]]:
    """The lesson's three layers: a small base (os-release, a passwd file), the app (the static program
    ``/bin/hello`` for ``arch``, :mod:`widgets.models.elf`) and a config file holding ``message`` (printable
    text, 1 to 200 characters, else ValueError) as JSON data."""
    if not isinstance(message, str):
        raise ValueError(f"message must be text, got {type(message).__name__}")
    if not 1 <= len(message) <= 200:
        raise ValueError(f"message must be 1 to 200 characters, got {len(message)}")
    if not message.isprintable():
        raise ValueError("message must be printable text (no line breaks or control characters)")
    from .elf import entrypoint  # the program is assembled on first use

    base = {
        "/etc/os-release": b'NAME="Course OS"\nID=courseos\nPRETTY_NAME="Course OS (a fake base layer)"\n',
        "/etc/passwd": b"root:x:0:0:root:/:/bin/hello\n",
    }
    app = {"/bin/hello": entrypoint(arch).elf}
    return [base, app, {"/etc/hello/config.json": canonical_json({"message": message}) + b"\n"}]
