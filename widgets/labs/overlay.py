"""Image -> root file system: verify an OCI layout, unpack its layers into directories, and measure them.

:func:`unpack` first re-verifies every blob (:func:`widgets.labs.oci.verify`): a corrupted layer or a
missing blob stops it with a message that names the blob file and the manifest field, before anything is
unpacked or mounted. Each layer then becomes one directory (the overlay's read-only lower directories);
entries that could escape the directory (absolute paths, ``..``, links, devices) are refused. An OCI whiteout
(``.wh.<name>``: the layer deletes ``<name>`` of a lower layer) becomes what overlayfs reads as one: a character
device 0/0 of that name, which an ordinary user may create since Linux 5.8; opaque directories are refused.
:func:`tree_digest` fingerprints a directory (names, modes, bytes) so a lab can show that the lower
directories stayed byte-identical; :func:`disk_use` measures what directories occupy (blocks on disk).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import tarfile
from dataclasses import dataclass
from pathlib import Path

from ..models.oci import LAYER_GZIP, Layout, OciError
from .oci import verify


@dataclass(frozen=True)
class Unpacked:
    """A verified image unpacked: its layout and one directory per layer (bottom first)."""

    layout: Layout
    lowers: tuple[Path, ...]
    digests: tuple[str, ...]  # each layer's blob digest, in the same order

    @property
    def overlay_lowers(self) -> list[str]:
        """``lowerdir=`` order: the top layer first."""
        return [str(p) for p in reversed(self.lowers)]


@dataclass(frozen=True)
class DiskUse:
    """What directories hold: files, bytes of content, and bytes of disk blocks allocated."""

    files: int
    bytes: int
    blocks_bytes: int


def _problems(where: Path) -> str:
    v = verify(where)
    if v.ok:
        return ""
    roles = {c.role: c for c in v.checks if not c.ok}
    fields = {"manifest": "index.json 'manifests'[0]", "config": "the manifest's 'config'"}
    parts = []
    for p in v.problems:
        role = next((r for r in roles if r in p), "")
        field = fields.get(role) or (f"the manifest's 'layers'[{int(role.split()[1]) - 1}]" if role else "")
        parts.append(f"{p} (named by {field})" if field else p)
    return "; ".join(parts)


def _safe_member(m: tarfile.TarInfo, layer: int) -> str:
    name = m.name.removeprefix("./").strip("/")
    parts = name.split("/")
    if m.name.startswith("/") or ".." in parts:
        raise OciError(f"layer {layer}: the entry {m.name!r} would land outside the root file system")
    if any(p.startswith(".wh.") for p in parts[:-1]) or parts[-1] == ".wh..wh..opq":
        raise OciError(
            f"layer {layer}: {m.name!r} is an opaque-directory whiteout; this lab unpacks file whiteouts only"
        )
    if not (m.isdir() or m.isfile()):
        raise OciError(f"layer {layer}: {m.name!r} is a link or device; this lab unpacks files and directories only")
    return name


def unpack(root: Path, dest: Path) -> Unpacked:
    """Verify the layout at ``root`` and unpack each layer into ``dest/<n>-<digest>``; OciError if invalid."""
    root, dest = Path(root), Path(dest)
    if problems := _problems(root):
        raise OciError(f"the image at {root} was not unpacked and nothing was mounted: {problems}")
    layout = verify(root).layout
    assert layout is not None
    lowers = []
    for n, blob in enumerate(layout.layers, 1):
        data = (root / "blobs" / "sha256" / blob.digest[7:]).read_bytes()
        tar = gzip.decompress(data) if blob.media_type == LAYER_GZIP else data
        target = dest / f"{n}-{blob.short}"
        target.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(tar), mode="r:") as t:
            for m in t.getmembers():
                name = _safe_member(m, n)
                path = target / name
                if path.name.startswith(".wh."):  # a whiteout: overlayfs hides the lower file of that name
                    path.parent.mkdir(parents=True, exist_ok=True)
                    _whiteout(path.with_name(path.name[4:]), n)
                elif m.isdir():
                    path.mkdir(parents=True, exist_ok=True)
                    path.chmod(m.mode & 0o755 | 0o700)
                else:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    src = t.extractfile(m)
                    path.write_bytes(src.read() if src else b"")
                    path.chmod(m.mode & 0o755)
        target.chmod(0o755)
        lowers.append(target)
    return Unpacked(layout, tuple(lowers), tuple(b.digest for b in layout.layers))


def _whiteout(path: Path, layer: int) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(0, 0))
    except OSError as exc:
        raise OciError(
            f"layer {layer}: could not create the whiteout for {path.name!r} ({exc.strerror}): an ordinary user may "
            "create overlayfs whiteouts (character devices 0/0) only on Linux 5.8 or later"
        ) from None


def tree_digest(top: Path) -> str:
    """sha256 over every entry's relative path, mode and content (files), sorted: equal trees, equal digests."""
    h = hashlib.sha256()
    top = Path(top)
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            st = p.lstat()
            h.update(f"{p.relative_to(top)}\0{st.st_mode:o}\0".encode())
            if p.is_file() and not p.is_symlink():
                h.update(p.read_bytes())
    return "sha256:" + h.hexdigest()


def disk_use(*tops: Path) -> DiskUse:
    """Files, content bytes and allocated disk blocks (``st_blocks`` × 512) under ``tops``, each inode once."""
    seen, files, size, blocks = set(), 0, 0, 0
    for top in tops:
        for dirpath, dirnames, filenames in os.walk(top):
            for name in dirnames + filenames:
                st = (Path(dirpath) / name).lstat()
                if (st.st_dev, st.st_ino) in seen:
                    continue
                seen.add((st.st_dev, st.st_ino))
                files += not os.path.isdir(Path(dirpath) / name)
                size += st.st_size if not os.path.isdir(Path(dirpath) / name) else 0
                blocks += st.st_blocks * 512
    return DiskUse(files, size, blocks)


def listing(top: Path) -> list[tuple[str, int]]:
    """Every file under ``top`` as (path from ``top``, bytes), sorted; directories end with ``/``."""
    out = []
    top = Path(top)
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames:
            out.append(("/" + str((Path(dirpath) / name).relative_to(top)) + "/", 0))
        for name in filenames:
            p = Path(dirpath) / name
            out.append(("/" + str(p.relative_to(top)), p.lstat().st_size))
    return sorted(out)
