"""A real OCI image layout (image spec v1.1): built, read back and checked byte by byte.

:func:`build_layout` writes each layer as a deterministic tar (sorted entries, mtime 0, owner 0:0, no user or
group names, modes 0o644/0o755), gzipped with a fixed header (mtime 0, no file name), every blob under
``blobs/sha256/<hex>`` and canonical JSON (sorted keys, no spaces): the same files give the same digests on every
run and machine. :func:`verify` recomputes every digest and size and checks what the spec requires;
:func:`diff_layouts` shows which layers two images share. Nothing is written outside the directory given
(:func:`lab`: a temporary ``cvm-oci-*`` directory, removed afterwards). All sizes are measured here.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import html
import io
import json
import re
import tarfile
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from . import validate
from .figures import new_figure
from .theme import COLORS

INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
LAYER_GZIP = LAYER_TAR + "+gzip"
REF_NAME = "org.opencontainers.image.ref.name"
IMAGE_NAME = "io.containerd.image.name"  # the full name, as `ctr images export` records it
DEFAULT_TAG = "course/hello:1.0"
DEFAULT_MESSAGE = "Hello from a container image!"
DEMO_CONFIG = {"Cmd": ["python3", "/app/main.py"], "WorkingDir": "/app"}
CONFIG_KEYS = ("User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels", "StopSignal")
DIGEST = re.compile(r"sha256:[a-f0-9]{64}")
_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPO = re.compile(rf"{_PART}(?:/{_PART})*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_CHANGED = "does not match its digest: content was changed after it was written"


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


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _root(root: object) -> Path:
    if not isinstance(root, str | Path) or not str(root).strip():
        raise ValueError(f"root must be a directory path, got {root!r}")
    return Path(root)


def _files(root: Path) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((p.relative_to(root).as_posix(), p.stat().st_size) for p in root.rglob("*") if p.is_file()))


def _check_layers(layers: object) -> list[dict[str, bytes]]:
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
            if not isinstance(content, bytes | bytearray):
                raise ValueError(f"layer {n}: the content of {path!r} must be bytes, got {type(content).__name__}")
            if "/".join(parts) in files:
                raise ValueError(f"layer {n} has the path {'/'.join(parts)!r} twice")
            files["/".join(parts)] = bytes(content)
        if clash := sorted(_dirs(files) & files.keys()):
            raise ValueError(f"layer {n}: {clash[0]!r} is both a file and a directory")
        clean.append(files)
    return clean


def _dirs(files: Mapping[str, bytes]) -> set[str]:
    return {"/".join(name.split("/")[:i]) for name in files for i in range(1, name.count("/") + 1)}


def _check_tag(tag: object) -> str:
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


def _check_config(config: object) -> dict[str, Any]:
    if not isinstance(config, Mapping):
        raise ValueError("config must be a mapping such as {'Cmd': ['/bin/hello']}")
    for key in config:
        validate.choice("config key", key, CONFIG_KEYS)
    for key in ("Cmd", "Entrypoint", "Env"):
        value = config.get(key, [])
        if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"config {key} must be a list of strings, got {value!r}")
    try:
        return json.loads(_canonical(dict(config)))
    except (TypeError, ValueError):
        raise ValueError("config must hold only JSON values (text, numbers, lists, mappings)") from None


def layer_tar(files: Mapping[str, bytes]) -> bytes:
    """The deterministic uncompressed tar of one layer (path -> bytes): parent directories added, entries sorted."""
    (clean,) = _check_layers([files])
    dirs = _dirs(clean)
    buf = io.BytesIO()
    with tarfile.TarFile(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(dirs | set(clean)):
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            info.type, info.mode, info.size = (tarfile.DIRTYPE, 0o755, 0) if name in dirs else (
                tarfile.REGTYPE, 0o644, len(clean[name]))
            tar.addfile(info, None if name in dirs else io.BytesIO(clean[name]))
    return buf.getvalue()


def build_layout(root: Path, layers: Sequence[Mapping[str, bytes]], *, config: Mapping | None = None,
                 tag: str = DEFAULT_TAG, compress: bool = True) -> Layout:
    """Write an OCI image layout into ``root`` (missing or empty) and return it; ValueError on bad input.

    Parameters
    ----------
    root:
        The layout's directory; created if missing, refused if it holds anything.
    layers:
        Bottom to top, each a mapping path -> file bytes (paths from the image root).
    config:
        The container config (``Cmd``, ``Env``, ``WorkingDir``, ...); default ``{"Cmd": ["/bin/sh"]}``.
    tag:
        ``repository:tag``; the tag part goes into index.json as ``org.opencontainers.image.ref.name``.
    compress:
        Gzip the layers (``...tar+gzip``) or store plain tars (``...tar``).
    """
    clean, part = _check_layers(layers), _check_tag(tag)
    runtime = _check_config({"Cmd": ["/bin/sh"]} if config is None else config)
    if not isinstance(compress, bool):
        raise ValueError(f"compress must be True or False, got {compress!r}")
    root = _root(root)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ValueError(f"{root} already exists and is not an empty directory: give a new or empty one")
    (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)

    def put(data: bytes, role: str, media: str, tar: bytes = b"") -> Blob:
        (root / "blobs" / "sha256" / _sha(data)[7:]).write_bytes(data)
        return Blob(role, media, _sha(data), len(data), _sha(tar) if tar else "", len(tar))

    def gz(data: bytes) -> bytes:  # GzipFile writes OS byte 255 everywhere; 3.11's gzip.compress writes 3 here
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=(buf := io.BytesIO()), mtime=0) as f:
            f.write(data)
        return buf.getvalue()

    def desc(blob: Blob) -> dict[str, Any]:
        return {"mediaType": blob.media_type, "digest": blob.digest, "size": blob.size}

    tars = [layer_tar(files) for files in clean]
    blobs = [put(gz(t) if compress else t, f"layer {n}", LAYER_GZIP if compress else LAYER_TAR, t)
             for n, t in enumerate(tars, 1)]
    history = [{"created_by": f"widgets.oci.build_layout: layer {n} ({', '.join(sorted(f))})"}
               for n, f in enumerate(clean, 1)]
    cfg = put(_canonical({"architecture": "amd64", "os": "linux", "config": runtime, "history": history,
                          "rootfs": {"type": "layers", "diff_ids": [b.diff_id for b in blobs]}}), "config", CONFIG_TYPE)
    manifest = put(_canonical({"schemaVersion": 2, "mediaType": MANIFEST_TYPE, "config": desc(cfg),
                               "layers": [desc(b) for b in blobs]}), "manifest", MANIFEST_TYPE)
    index = {"schemaVersion": 2, "mediaType": INDEX_TYPE,
             "manifests": [desc(manifest) | {"annotations": {REF_NAME: part, IMAGE_NAME: tag}}]}
    (root / "index.json").write_bytes(_canonical(index))
    (root / "oci-layout").write_bytes(_canonical({"imageLayoutVersion": "1.0.0"}))
    return Layout(root, tag, manifest, cfg, tuple(blobs), _files(root))


class _Checker:
    """Walks index.json -> manifest -> config and layers, recording problems instead of raising them."""

    def __init__(self, root: Path) -> None:
        self.root, self.problems, self.checks = root, [], []

    def stop(self, problem: str) -> OciError:
        """Record a problem after which nothing further can be checked, and return it to raise."""
        self.problems.append(problem)
        return OciError(problem)

    def json(self, data: bytes, what: str, media: str = "") -> dict[str, Any]:
        try:
            doc = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise self.stop(f"{what} is not valid JSON ({exc})") from None
        if not isinstance(doc, dict):
            raise self.stop(f"{what} must be a JSON object, found {type(doc).__name__}")
        if media and doc.get("schemaVersion") != 2:
            self.problems.append(f"{what} must have schemaVersion 2, found {doc.get('schemaVersion')!r}")
        if media and doc.get("mediaType", media) != media:
            self.problems.append(f"{what} has mediaType {doc['mediaType']!r}; the spec requires {media}")
        return doc

    def blob(self, desc: object, role: str, *types: str) -> Blob:
        if not isinstance(desc, dict):
            raise self.stop(f"the {role} descriptor must be a JSON object, found {desc!r}")
        media, digest, size = desc.get("mediaType"), desc.get("digest"), desc.get("size")
        if media not in types:
            self.problems.append(f"the {role} has mediaType {media!r}; the spec requires {' or '.join(types)}")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            self.problems.append(f"the {role} size {size!r} must be a whole number of bytes, at least 0")
            size = None
        if not isinstance(digest, str) or not DIGEST.fullmatch(digest):
            raise self.stop(f"the {role} digest {digest!r} is not of the form sha256:<64 lowercase hex digits>")
        path = self.root / "blobs" / "sha256" / digest[7:]
        data = path.read_bytes() if path.is_file() else None
        problem = ""
        if data is None:
            problem = f"blob {digest[:19]}… is missing: blobs/sha256/{path.name} does not exist"
        elif _sha(data) != digest:
            problem = f"blob {digest[:19]}… {_CHANGED}"
        elif size is not None and len(data) != size:
            problem = f"blob {digest[:19]}… is {len(data):,} bytes but its descriptor says {size:,} bytes"
        self.checks.append(BlobCheck(role, digest, size, None if data is None else len(data), not problem, problem))
        if problem and (data is None or _sha(data) != digest):
            raise self.stop(f"{problem} (the {role})")
        if problem:
            self.problems.append(f"{problem} (the {role})")
        self.data = data or b""
        return Blob(role, str(media), digest, len(self.data))

    def layer(self, n: int, desc: object, diff_id: object) -> Blob:
        blob = self.blob(desc, f"layer {n}", LAYER_GZIP, LAYER_TAR)
        try:
            tar = gzip.decompress(self.data) if blob.media_type == LAYER_GZIP else self.data
            with tarfile.open(fileobj=io.BytesIO(tar), mode="r:") as t:
                t.getmembers()
        except Exception as exc:  # noqa: BLE001 - any decoding failure is a problem to report, not a traceback
            raise self.stop(f"layer {n} is not a readable {blob.media_type} ({type(exc).__name__}: {exc})") from None
        if diff_id is not None and _sha(tar) != diff_id:
            self.problems.append(f"layer {n}: the config's diff_id {str(diff_id)[:19]}… is not the sha256 of its tar")
        return Blob(blob.role, blob.media_type, blob.digest, blob.size, _sha(tar), len(tar))

    def walk(self) -> Layout:
        for name in ("oci-layout", "index.json"):
            if not (self.root / name).is_file():
                raise self.stop(f"{name} is missing from {self.root}: every OCI image layout has one at its top")
        if self.json((self.root / "oci-layout").read_bytes(), "oci-layout").get("imageLayoutVersion") != "1.0.0":
            self.problems.append('oci-layout must say {"imageLayoutVersion": "1.0.0"}')
        index = self.json((self.root / "index.json").read_bytes(), "index.json", INDEX_TYPE)
        if not isinstance(index.get("manifests"), list) or not index["manifests"]:
            raise self.stop("index.json must list at least one manifest under 'manifests'")
        manifest_blob = self.blob(desc := index["manifests"][0], "manifest", MANIFEST_TYPE)
        manifest = self.json(self.data, "the manifest", MANIFEST_TYPE)
        config_blob = self.blob(manifest.get("config"), "config", CONFIG_TYPE)
        config = self.json(self.data, "the config")
        for key in ("architecture", "os"):
            if not isinstance(config.get(key), str) or not config[key]:
                self.problems.append(f"the config must name its {key!r} (required by the spec)")
        rootfs = config.get("rootfs") if isinstance(config.get("rootfs"), dict) else {}
        diff_ids = rootfs.get("diff_ids") if isinstance(rootfs.get("diff_ids"), list) else []
        if rootfs.get("type") != "layers" or not diff_ids:
            self.problems.append('the config needs rootfs {"type": "layers", "diff_ids": [...]}')
        if not isinstance(descs := manifest.get("layers"), list):
            raise self.stop("the manifest must list its layers under 'layers'")
        if len(diff_ids) != len(descs):
            self.problems.append(f"the config lists {len(diff_ids)} diff_ids but the manifest has {len(descs)} layers")
        layers = []
        for n, d in enumerate(descs, 1):
            with contextlib.suppress(OciError):
                layers.append(self.layer(n, d, diff_ids[n - 1] if n <= len(diff_ids) else None))
        notes = desc.get("annotations") if isinstance(desc.get("annotations"), dict) else {}
        tag = str(notes.get(IMAGE_NAME) or notes.get(REF_NAME) or "")
        return Layout(self.root, tag, manifest_blob, config_blob, tuple(layers), _files(self.root))


def verify(root: Path, *, strict: bool = False) -> Verification:
    """Recompute every blob's sha256 and size and check the spec's fields; with ``strict``, OciError if invalid."""
    checker, layout = _Checker(_root(root)), None
    try:
        layout = checker.walk()
    except OciError:
        pass
    except Exception as exc:  # noqa: BLE001 - a learner never sees a traceback
        checker.problems.append(f"could not read the layout at {root} ({type(exc).__name__}: {exc})")
    ok = not checker.problems
    if strict and not ok:
        raise OciError(f"the OCI layout at {checker.root} is not valid: " + "; ".join(checker.problems))
    return Verification(checker.root, ok, tuple(checker.checks), tuple(checker.problems), layout if ok else None)


def read_layout(root: Path) -> Layout:
    """Read and fully verify a layout (from :func:`build_layout` or another tool); OciError if it is not valid."""
    return verify(root, strict=True).layout


def list_files(root: Path, layer_digest: str) -> list[tuple[str, int]]:
    """The regular files of one layer (path from the image root, bytes), read back from its verified blob."""
    if not isinstance(layer_digest, str) or not DIGEST.fullmatch(layer_digest):
        raise ValueError(f"layer_digest must look like sha256:<64 lowercase hex digits>, got {layer_digest!r}")
    path = _root(root) / "blobs" / "sha256" / layer_digest[7:]
    if not path.is_file() or _sha(data := path.read_bytes()) != layer_digest:
        why = _CHANGED if path.is_file() else f"is missing: {path} does not exist"
        raise OciError(f"blob {layer_digest[:19]}… {why}")
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as t:
            return [("/" + m.name.removeprefix("./").lstrip("/"), m.size) for m in t.getmembers() if m.isfile()]
    except Exception as exc:  # noqa: BLE001
        raise OciError(f"blob {layer_digest[:19]}… is not a readable layer tar ({exc})") from None


def diff_layouts(a: Layout, b: Layout) -> LayoutDiff:
    """Compare two images layer by layer: shared digests, changed positions, config and manifest digests."""
    if not isinstance(a, Layout) or not isinstance(b, Layout):
        raise ValueError("diff_layouts compares two Layout results of build_layout or read_layout")
    theirs, common = {x.digest for x in b.layers}, min(len(a.layers), len(b.layers))
    shared = [x for x in a.layers if x.digest in theirs]
    changed = tuple(i for i in range(max(len(a.layers), len(b.layers)))
                    if i >= common or a.layers[i].digest != b.layers[i].digest)
    return LayoutDiff(a, b, tuple(x.digest for x in shared), sum(x.size for x in shared), changed,
                      a.config.digest != b.config.digest, a.manifest.digest != b.manifest.digest)


def demo_layers(message: str = DEFAULT_MESSAGE) -> list[dict[str, bytes]]:
    """The lesson's three layers: a fake base OS, an app, and a config file holding ``message`` (printable text,
    1 to 200 characters, else ValueError) as JSON data."""
    if not isinstance(message, str):
        raise ValueError(f"message must be text, got {type(message).__name__}")
    if not 1 <= len(message) <= 200:
        raise ValueError(f"message must be 1 to 200 characters, got {len(message)}")
    if not message.isprintable():
        raise ValueError("message must be printable text (no line breaks or control characters)")
    base = {"/etc/os-release": b'NAME="Course OS"\nID=courseos\nPRETTY_NAME="Course OS (a fake base layer)"\n',
            "/bin/hello": b"#!/bin/sh\necho 'hello from the base layer'\n"}
    app = {"/app/main.py": b'import json\n\nprint(json.load(open("/etc/hello/config.json"))["message"])\n'}
    return [base, app, {"/etc/hello/config.json": _canonical({"message": message}) + b"\n"}]


@contextlib.contextmanager
def lab(message: str = DEFAULT_MESSAGE, *, tag: str = DEFAULT_TAG, compress: bool = True) -> Iterator[Layout]:
    """Build the demo image in a new temporary ``cvm-oci-*`` directory and yield its :class:`Layout`; the directory
    is removed on exit, also on error. Inputs are checked before anything is created."""
    layers, _ = demo_layers(message), _check_tag(tag)
    if not isinstance(compress, bool):
        raise ValueError(f"compress must be True or False, got {compress!r}")
    with tempfile.TemporaryDirectory(prefix="cvm-oci-") as tmp:
        yield build_layout(Path(tmp), layers, config=DEMO_CONFIG, tag=tag, compress=compress)


TemporaryLayout = lab  # the same context manager, under the lesson plan's name


def compare_messages(a: str, b: str, *, compress: bool = True) -> LayoutDiff:
    """Build the demo image with two messages (temporary directories, removed) and compare them."""
    with lab(a, compress=compress) as one, lab(b, compress=compress) as two:
        return diff_layouts(one, two)


def summarize_layout(layout: Layout) -> str:
    """One sentence: the image's files and blob sizes, measured here."""
    stored, raw = sum(b.size for b in layout.layers), sum(b.uncompressed_size for b in layout.layers)
    return (f"The image {layout.tag} is {len(layout.files)} files, {layout.total_size:,} bytes (measured here): "
            f"a {layout.manifest.size:,}-byte manifest, a {layout.config.size:,}-byte config and "
            f"{len(layout.layers)} layers of {stored:,} bytes stored ({raw:,} bytes as uncompressed tars).")


def summarize_diff(diff: LayoutDiff) -> str:
    """One sentence: which layers are shared, which changed, and what that did to the config and manifest."""
    a, b = diff.a, diff.b
    if not diff.changed and not diff.manifest_changed:
        return f"The two images are identical: same manifest digest {a.manifest.short}…, every layer shared."
    word = {True: "changed", False: "stayed the same"}
    return (f"{len(diff.shared)} of {len(a.layers)} layers are shared (same digest, stored once: "
            f"{diff.shared_bytes:,} bytes, measured here) and "
            f"{', '.join(f'layer {i + 1}' for i in diff.changed) or 'no layer'} changed; so the config digest "
            f"{word[diff.config_changed]} ({a.config.short}… → {b.config.short}…) and the manifest digest "
            f"{word[diff.manifest_changed]} ({a.manifest.short}… → {b.manifest.short}…).")


def layout_figure(layout: Layout) -> go.Figure:
    """Horizontal bars of each blob's size (manifest, config, layers), labelled with short digests."""
    blobs = [layout.manifest, layout.config, *layout.layers]
    labels = [f"{b.role} {b.short}" for b in blobs]
    fig = new_figure(f"The blobs of {layout.tag}, measured here", "size (bytes, measured here)", "",
                     height=max(300, 90 + 48 * len(blobs)), barmode="group", margin={"l": 190},
                     yaxis={"autorange": "reversed"},
                     legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"})
    fig.add_bar(orientation="h", y=labels, x=[b.size for b in blobs], name="stored blob",
                marker_color=[COLORS["container"] if b.diff_id else COLORS["other"] for b in blobs],
                text=[f"{b.size:,} B" for b in blobs], textposition="outside", cliponaxis=False,
                customdata=[b.digest for b in blobs], hovertemplate="%{customdata}<br>%{x:,} bytes<extra></extra>")
    fig.add_bar(orientation="h", y=labels[2:], x=[b.uncompressed_size for b in layout.layers],
                name="layer as uncompressed tar", marker={"color": COLORS["container"], "opacity": 0.4},
                text=[f"{b.uncompressed_size:,} B as tar" for b in layout.layers], textposition="inside",
                customdata=[b.diff_id for b in layout.layers],
                hovertemplate="diff_id %{customdata}<br>%{x:,} bytes uncompressed<extra></extra>")
    return fig


def diff_figure(diff: LayoutDiff) -> go.Figure:
    """The layers of two images stacked side by side: shared layers grey, changed layers orange."""
    fig = new_figure("Layers of two images (bottom = base): grey shared, orange changed",
                     "", "stored layer size (bytes, measured here)", barmode="stack", showlegend=False)
    x = [f"image A<br>manifest {diff.a.manifest.short}", f"image B<br>manifest {diff.b.manifest.short}"]
    for i in range(max(len(diff.a.layers), len(diff.b.layers))):
        pair = [img.layers[i] if i < len(img.layers) else None for img in (diff.a, diff.b)]
        state = "changed" if i in diff.changed else "shared"
        fig.add_bar(x=x, y=[p.size if p else 0 for p in pair], name=f"layer {i + 1}",
                    marker={"color": COLORS["container" if state == "changed" else "other"],
                            "line": {"color": "white", "width": 2}},
                    text=[f"layer {i + 1} {p.short}" if p else "" for p in pair], textposition="inside",
                    customdata=[p.digest if p else "none" for p in pair],
                    hovertemplate=f"%{{customdata}}<br>%{{y:,}} bytes, {state}<extra></extra>")
    return fig


def layout_html(layout: Layout) -> str:
    """HTML: index.json → manifest → config and layers, digests shortened to 12 hex digits (full on hover)."""
    def code(digest: str) -> str:
        return f'<code title="{html.escape(digest)}">sha256:{digest.removeprefix("sha256:")[:12]}…</code>'

    layers = "".join(
        f"<li>{html.escape(b.role)} {code(b.digest)}: {b.size:,} bytes stored, {b.uncompressed_size:,} bytes "
        f"as tar (diff_id {code(b.diff_id)}) <small>{html.escape(b.media_type)}</small></li>" for b in layout.layers)
    return (f'<div class="cvm-oci"><ul><li><b>index.json</b> ({dict(layout.files).get("index.json", 0):,} bytes): '
            f"<code>{html.escape(layout.tag)}</code><ul><li><b>manifest</b> {code(layout.manifest.digest)} "
            f"({layout.manifest.size:,} bytes)<ul><li><b>config</b> {code(layout.config.digest)} "
            f"({layout.config.size:,} bytes)</li>{layers}</ul></li></ul></li></ul>"
            "<p><small>Sizes measured here; hover a digest to see it in full.</small></p></div>")
