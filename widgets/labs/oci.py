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
import io
import json
import platform
import tarfile
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..models.elf import OCI_ARCH, arch_for
from ..models.oci import (
    CHANGED,
    CONFIG_TYPE,
    DEFAULT_MESSAGE,
    DEFAULT_TAG,
    DEMO_CONFIG,
    DIGEST,
    IMAGE_NAME,
    INDEX_TYPE,
    LAYER_GZIP,
    LAYER_TAR,
    MANIFEST_TYPE,
    REF_NAME,
    Blob,
    BlobCheck,
    Layout,
    LayoutDiff,
    OciError,
    Verification,
    canonical_json,
    check_config,
    check_layers,
    check_tag,
    demo_layers,
    diff_layouts,
    layer_tar,
    sha256_digest,
)


def _root(root: object) -> Path:
    if not isinstance(root, str | Path) or not str(root).strip():
        raise ValueError(f"root must be a directory path, got {root!r}")
    return Path(root)


def _files(root: Path) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((p.relative_to(root).as_posix(), p.stat().st_size) for p in root.rglob("*") if p.is_file()))


def build_layout(
    root: Path,
    layers: Sequence[Mapping[str, bytes]],
    *,
    config: Mapping | None = None,
    tag: str = DEFAULT_TAG,
    compress: bool = True,
    architecture: str = "amd64",
) -> Layout:
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
    clean, part = check_layers(layers), check_tag(tag)
    if not isinstance(architecture, str) or not architecture.strip():
        raise ValueError(f"architecture must be an OCI architecture name such as 'amd64', got {architecture!r}")
    runtime = check_config({"Cmd": ["/bin/sh"]} if config is None else config)
    if not isinstance(compress, bool):
        raise ValueError(f"compress must be True or False, got {compress!r}")
    root = _root(root)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ValueError(f"{root} already exists and is not an empty directory: give a new or empty one")
    (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)

    def put(data: bytes, role: str, media: str, tar: bytes = b"") -> Blob:
        (root / "blobs" / "sha256" / sha256_digest(data)[7:]).write_bytes(data)
        return Blob(role, media, sha256_digest(data), len(data), sha256_digest(tar) if tar else "", len(tar))

    def gz(data: bytes) -> bytes:  # GzipFile writes OS byte 255 everywhere; 3.11's gzip.compress writes 3 here
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=(buf := io.BytesIO()), mtime=0) as f:
            f.write(data)
        return buf.getvalue()

    def desc(blob: Blob) -> dict[str, Any]:
        return {"mediaType": blob.media_type, "digest": blob.digest, "size": blob.size}

    tars = [layer_tar(files) for files in clean]
    blobs = [
        put(gz(t) if compress else t, f"layer {n}", LAYER_GZIP if compress else LAYER_TAR, t)
        for n, t in enumerate(tars, 1)
    ]
    history = [
        {"created_by": f"widgets.oci.build_layout: layer {n} ({', '.join(sorted(f))})"} for n, f in enumerate(clean, 1)
    ]
    cfg = put(
        canonical_json(
            {
                "architecture": architecture,
                "os": "linux",
                "config": runtime,
                "history": history,
                "rootfs": {"type": "layers", "diff_ids": [b.diff_id for b in blobs]},
            }
        ),
        "config",
        CONFIG_TYPE,
    )
    manifest = put(
        canonical_json(
            {"schemaVersion": 2, "mediaType": MANIFEST_TYPE, "config": desc(cfg), "layers": [desc(b) for b in blobs]}
        ),
        "manifest",
        MANIFEST_TYPE,
    )
    index = {
        "schemaVersion": 2,
        "mediaType": INDEX_TYPE,
        "manifests": [desc(manifest) | {"annotations": {REF_NAME: part, IMAGE_NAME: tag}}],
    }
    (root / "index.json").write_bytes(canonical_json(index))
    (root / "oci-layout").write_bytes(canonical_json({"imageLayoutVersion": "1.0.0"}))
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
        elif sha256_digest(data) != digest:
            problem = f"blob {digest[:19]}… {CHANGED}"
        elif size is not None and len(data) != size:
            problem = f"blob {digest[:19]}… is {len(data):,} bytes but its descriptor says {size:,} bytes"
        self.checks.append(BlobCheck(role, digest, size, None if data is None else len(data), not problem, problem))
        if problem and (data is None or sha256_digest(data) != digest):
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
        if diff_id is not None and sha256_digest(tar) != diff_id:
            self.problems.append(f"layer {n}: the config's diff_id {str(diff_id)[:19]}… is not the sha256 of its tar")
        return Blob(blob.role, blob.media_type, blob.digest, blob.size, sha256_digest(tar), len(tar))

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
    if not path.is_file() or sha256_digest(data := path.read_bytes()) != layer_digest:
        why = CHANGED if path.is_file() else f"is missing: {path} does not exist"
        raise OciError(f"blob {layer_digest[:19]}… {why}")
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as t:
            return [("/" + m.name.removeprefix("./").lstrip("/"), m.size) for m in t.getmembers() if m.isfile()]
    except Exception as exc:  # noqa: BLE001
        raise OciError(f"blob {layer_digest[:19]}… is not a readable layer tar ({exc})") from None


@contextlib.contextmanager
def lab(message: str = DEFAULT_MESSAGE, *, tag: str = DEFAULT_TAG, compress: bool = True) -> Iterator[Layout]:
    """Build the demo image in a new temporary ``cvm-oci-*`` directory and yield its :class:`Layout`; the directory
    is removed on exit, also on error. Inputs are checked before anything is created."""
    arch = host_arch()
    layers, _ = demo_layers(message, arch), check_tag(tag)
    if not isinstance(compress, bool):
        raise ValueError(f"compress must be True or False, got {compress!r}")
    with tempfile.TemporaryDirectory(prefix="cvm-oci-") as tmp:
        yield build_layout(
            Path(tmp), layers, config=DEMO_CONFIG, tag=tag, compress=compress, architecture=OCI_ARCH[arch]
        )


def host_arch() -> str:
    """The entrypoint's architecture for this machine: ``"x86_64"`` or ``"aarch64"``; x86_64 elsewhere (the image
    is still built and checked; only running it needs a matching CPU)."""
    return arch_for(platform.machine()) or "x86_64"


TemporaryLayout = lab  # the same context manager, under the lesson plan's name


def compare_messages(a: str, b: str, *, compress: bool = True) -> LayoutDiff:
    """Build the demo image with two messages (temporary directories, removed) and compare them."""
    with lab(a, compress=compress) as one, lab(b, compress=compress) as two:
        return diff_layouts(one, two)
